"""The demo's people and organisations, as plain data: who signs in, with what role, for which organisation.

Read by ``workspace.demo.loader`` (which creates them), by ``make run`` and ``seed_demo`` (which print
the sign-ins) and by the tests. Demo text is data, in Indonesian as a coordinator would type it; it is
not translated.
"""
from partners.models import Organisation

DEMO_PASSWORD = "Kemitraan-Demo-2026"

# Every demo sign-in; ``make run`` and the README print this list.
DEMO_ACCOUNTS = (
    {
        "email": "admin@kemitraan.local",
        "password": DEMO_PASSWORD,
        "role": "Admin (superuser, Django admin)",
        "full_name": "Admin Kemitraan",
        "language": "id",
        "is_superuser": True,
        "organisation": None,
    },
    {
        "email": "koordinator@kemitraan.local",
        "password": DEMO_PASSWORD,
        "role": "Coordinator of all three partnerships",
        "full_name": "Siti Rahmawati",
        "language": "id",
        "is_superuser": False,
        "organisation": None,
    },
    {
        "email": "koordinator2@kemitraan.local",
        "password": DEMO_PASSWORD,
        "role": "Coordinator of Udara Bersih Kota Bandung (English interface)",
        "full_name": "Bambang Wicaksono",
        "language": "en",
        "is_superuser": False,
        "organisation": None,
    },
    {
        "email": "mitra.rs@kemitraan.local",
        "password": DEMO_PASSWORD,
        "role": "Partner: RSUD Kartini Sejahtera (Anak Sehat Kampung Kita)",
        "full_name": "dr. Andi Pratama",
        "language": "id",
        "is_superuser": False,
        "organisation": "RSUD Kartini Sejahtera",
    },
    {
        "email": "mitra.sekolah@kemitraan.local",
        "password": DEMO_PASSWORD,
        "role": "Partner: SD Negeri 3 Sukamaju (Anak Sehat Kampung Kita)",
        "full_name": "Dewi Lestari",
        "language": "id",
        "is_superuser": False,
        "organisation": "SD Negeri 3 Sukamaju",
    },
    {
        "email": "mitra.udara@kemitraan.local",
        "password": DEMO_PASSWORD,
        "role": "Partner: PT Transportasi Hijau Priangan (Udara Bersih Kota Bandung)",
        "full_name": "Rudi Hartono",
        "language": "id",
        "is_superuser": False,
        "organisation": "PT Transportasi Hijau Priangan",
    },
)

KOORDINATOR = "koordinator@kemitraan.local"
KOORDINATOR_2 = "koordinator2@kemitraan.local"

ORGANISATIONS = {
    # --- Anak Sehat Kampung Kita (Surabaya) ---
    "yayasan_anak": {
        "name": "Yayasan Anak Nusantara Sehat",
        "sector": Organisation.Sector.NONPROFIT,
        "description": "Yayasan yang mendampingi keluarga berpenghasilan rendah dalam kesehatan ibu dan anak.",
        "contact_name": "Ratna Kusumawati",
        "city": "Surabaya",
        "address": "Jl. Kenjeran No. 118, Surabaya",
    },
    "rsud": {
        "name": "RSUD Kartini Sejahtera",
        "sector": Organisation.Sector.HEALTH,
        "description": "Rumah sakit umum daerah dengan poli anak dan layanan imunisasi.",
        "contact_name": "dr. Andi Pratama",
        "city": "Surabaya",
        "address": "Jl. Dr. Wahidin No. 25, Surabaya",
    },
    "sd3": {
        "name": "SD Negeri 3 Sukamaju",
        "sector": Organisation.Sector.EDUCATION,
        "description": "Sekolah dasar negeri dengan 640 siswa di Kelurahan Sukamaju.",
        "contact_name": "Dewi Lestari",
        "city": "Surabaya",
        "address": "Jl. Sukamaju Raya No. 3, Surabaya",
    },
    "sd7": {
        "name": "SD Negeri 7 Cempaka",
        "sector": Organisation.Sector.EDUCATION,
        "description": "Sekolah dasar negeri dengan 480 siswa di Kelurahan Cempaka.",
        "contact_name": "Hendra Saputra",
        "city": "Surabaya",
        "address": "Jl. Cempaka Putih No. 7, Surabaya",
    },
    "puskesmas": {
        "name": "Puskesmas Kecamatan Sukamaju",
        "sector": Organisation.Sector.GOVERNMENT,
        "description": "Pusat kesehatan masyarakat milik pemerintah kota; mengelola data imunisasi wilayah.",
        "contact_name": "drg. Lina Marlina",
        "city": "Surabaya",
        "address": "Jl. Sukamaju No. 40, Surabaya",
    },
    "posyandu": {
        "name": "Posyandu Melati RW 05 Sukamaju",
        "sector": Organisation.Sector.COMMUNITY,
        "description": "Pos pelayanan terpadu yang dijalankan kader warga RW 05.",
        "contact_name": "Ibu Sumarni",
        "city": "Surabaya",
        "address": "Balai RW 05, Kelurahan Sukamaju, Surabaya",
    },
    # --- Udara Bersih Kota Bandung ---
    "langit_biru": {
        "name": "Yayasan Langit Biru Bandung",
        "sector": Organisation.Sector.NONPROFIT,
        "description": "Organisasi lingkungan yang mengadvokasi udara bersih dan transportasi rendah emisi.",
        "contact_name": "Fajar Nugraha",
        "city": "Bandung",
        "address": "Jl. Dago No. 77, Bandung",
    },
    "dlh": {
        "name": "Dinas Lingkungan Hidup Kota Bandung",
        "sector": Organisation.Sector.GOVERNMENT,
        "description": "Perangkat daerah Pemerintah Kota Bandung yang memantau kualitas udara.",
        "contact_name": "Ir. Yusuf Permana",
        "city": "Bandung",
        "address": "Jl. Sadang Tengah No. 4, Bandung",
    },
    "transportasi": {
        "name": "PT Transportasi Hijau Priangan",
        "sector": Organisation.Sector.BUSINESS,
        "description": "Operator angkutan kota yang beralih ke armada listrik.",
        "contact_name": "Rudi Hartono",
        "city": "Bandung",
        "address": "Jl. Soekarno-Hatta No. 512, Bandung",
    },
    "tekstil": {
        "name": "PT Tekstil Cisangkan Lestari",
        "sector": Organisation.Sector.BUSINESS,
        "description": "Pabrik tekstil yang memasang penyaring emisi dan mendanai sensor udara.",
        "contact_name": "Maya Anggraini",
        "city": "Bandung",
        "address": "Kawasan Industri Cisangkan, Bandung",
    },
    "forum_warga": {
        "name": "Forum Warga Peduli Udara Cibeunying",
        "sector": Organisation.Sector.COMMUNITY,
        "description": "Forum warga yang mengorganisasi car free day dan pemantauan udara swadaya.",
        "contact_name": "Agus Setiawan",
        "city": "Bandung",
        "address": "Sekretariat RW 02, Kecamatan Cibeunying Kidul, Bandung",
    },
    "pusat_studi": {
        "name": "Pusat Studi Lingkungan Institut Teknologi Priangan",
        "sector": Organisation.Sector.ACADEMIC,
        "description": "Pusat penelitian yang mengolah data sensor kualitas udara.",
        "contact_name": "Dr. Rina Wulandari",
        "city": "Bandung",
        "address": "Kampus ITP, Jl. Ganesha No. 10, Bandung",
    },
    # --- Pelatihan Kerja Siap Kerja (Semarang) ---
    "universitas": {
        "name": "Universitas Nusantara Mandiri",
        "sector": Organisation.Sector.ACADEMIC,
        "description": "Universitas swasta dengan fakultas teknik dan pusat karier.",
        "contact_name": "Prof. Hadi Susanto",
        "city": "Semarang",
        "address": "Jl. Prof. Soedarto No. 9, Semarang",
    },
    "bengkel": {
        "name": "PT Bengkel Otomotif Sinar Jaya",
        "sector": Organisation.Sector.BUSINESS,
        "description": "Jaringan bengkel otomotif dengan 14 cabang di Jawa Tengah.",
        "contact_name": "Wahyu Santoso",
        "city": "Semarang",
        "address": "Jl. Majapahit No. 210, Semarang",
    },
    "digital": {
        "name": "PT Solusi Digital Nusantara",
        "sector": Organisation.Sector.BUSINESS,
        "description": "Perusahaan perangkat lunak yang merekrut lulusan pelatihan digital.",
        "contact_name": "Nadia Putri",
        "city": "Semarang",
        "address": "Jl. Pemuda No. 150, Semarang",
    },
    "yayasan_karya": {
        "name": "Yayasan Karya Bangsa Mandiri",
        "sector": Organisation.Sector.NONPROFIT,
        "description": "Yayasan pendamping pencari kerja dan wirausaha muda.",
        "contact_name": "Yohanes Kristanto",
        "city": "Semarang",
        "address": "Jl. Sriwijaya No. 33, Semarang",
    },
    "blk": {
        "name": "Balai Latihan Kerja Kota Semarang",
        "sector": Organisation.Sector.GOVERNMENT,
        "description": "Balai pelatihan milik pemerintah kota dengan bengkel dan laboratorium.",
        "contact_name": "Slamet Riyadi",
        "city": "Semarang",
        "address": "Jl. Brigjen Sudiarto No. 118, Semarang",
    },
    "smk": {
        "name": "SMK Negeri 2 Teknik Semarang",
        "sector": Organisation.Sector.EDUCATION,
        "description": "Sekolah menengah kejuruan teknik otomotif dan jaringan komputer.",
        "contact_name": "Endang Purwanti",
        "city": "Semarang",
        "address": "Jl. Dr. Cipto No. 93, Semarang",
    },
    "karang_taruna": {
        "name": "Karang Taruna Kelurahan Tembalang",
        "sector": Organisation.Sector.COMMUNITY,
        "description": "Organisasi pemuda kelurahan yang menjangkau pemuda yang belum bekerja.",
        "contact_name": "Dimas Prasetyo",
        "city": "Semarang",
        "address": "Balai Kelurahan Tembalang, Semarang",
    },
}

WHAT_WORKS = [
    "Koordinasi bulanan berjalan rutin dan semua mitra hadir.",
    "Pembagian peran jelas dan laporan mudah diisi.",
    "Data bersama membantu kami melihat kemajuan.",
    "Koordinator cepat menanggapi pertanyaan mitra.",
]
WHAT_TO_CHANGE = [
    "Jadwal rapat sebaiknya diumumkan lebih awal.",
    "Perlu pembagian beban yang lebih merata antar mitra.",
    "Keputusan penting sebaiknya dibahas dulu sebelum pemungutan suara.",
    "Laporan kemajuan perlu dibagikan ke semua mitra, bukan hanya koordinator.",
]


def format_accounts() -> str:
    """Return the demo sign-ins as a plain-text table, password included."""
    rows = [("Email", "Password", "Role")] + [(a["email"], a["password"], a["role"]) for a in DEMO_ACCOUNTS]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
