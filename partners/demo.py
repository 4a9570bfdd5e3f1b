"""Demo content for ``manage.py seed_demo``: the seed's three example partnerships.

``build_demo`` loads three partnerships from the seed text (a children's health service,
clean air for Bandung, job training) with members from every sector, goals, indicators
and values, contribution reports in every status, evaluation cycles with findings and
follow-up actions, decisions with votes, and one demo account for every role.

Everything is dated relative to the day it runs: the past is written *as of* the moment
it would have happened (``as_of``), through the same services the app uses, so the
timestamps and the change history read like a partnership that has been running for a
while. The synthetic bulk data set behind ``seed_demo --scale N`` lives in
``partners/management/synthetic.py``.

Demo text is data, in Indonesian as a coordinator would type it; it is not translated.
"""
import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from evaluations import access as evaluation_access
from evaluations import services as evaluation_services
from evaluations.models import (
    SCORE_FIELDS,
    FollowUpAction,
    Principle,
    Vote,
)

from . import services as partner_services
from .deadlines import Deadlines, Period, first_of_month
from .models import (
    ContributionKind,
    Frequency,
    Indicator,
    IndicatorValue,
    Membership,
    Organisation,
    Partnership,
    Pledge,
    SharedGoal,
)

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

F, IK, VH, EX, FA = (
    ContributionKind.FUNDS,
    ContributionKind.IN_KIND,
    ContributionKind.VOLUNTEER_HOURS,
    ContributionKind.EXPERTISE,
    ContributionKind.FACILITIES,
)
ROLE = Membership.Role
UP, DOWN = Indicator.Direction.INCREASE, Indicator.Direction.DECREASE

# Reports: (organisation, quarter offset from the current quarter, kind, quantity, unit,
#           value in rupiah, description, path, indexes of the goals supported).
# A path is the report's life so far: "draft", "submitted", "accepted", "returned",
# "resubmitted" (returned, fixed, waiting again) or "corrected" (returned, fixed, accepted);
# a returned path takes its reviewer's reason from "reason".
PARTNERSHIPS = [
    {
        "title": "Anak Sehat Kampung Kita",
        "type": Partnership.Type.SERVICE,
        "problem_statement": (
            "Banyak anak di kampung padat Kelurahan Sukamaju dan Cempaka belum mendapat imunisasi "
            "lengkap dan pemeriksaan kesehatan rutin; gizi kurang dan penyakit yang dapat dicegah "
            "masih sering membuat anak absen sekolah."
        ),
        "description": (
            "Rumah sakit, sekolah, puskesmas, posyandu dan yayasan bekerja sama memberikan layanan "
            "kesehatan preventif bagi anak-anak dari keluarga berpenghasilan rendah: imunisasi, "
            "pemeriksaan berkala di sekolah, dan pemantauan gizi."
        ),
        "start_quarters_ago": 8,
        "years": 4,
        "lead": "yayasan_anak",
        "evaluation_frequency": Partnership.EvaluationFrequency.QUARTERLY,
        "coordinators": [KOORDINATOR],
        "members": [
            {
                "org": "yayasan_anak", "role": ROLE.BACKBONE,
                "commitment": "Mengoordinasikan kemitraan, menyediakan kader kesehatan dan mengelola dana "
                              "hibah untuk makanan tambahan dan transport kader.",
                "benefits": "Program menjangkau lebih banyak keluarga; data kesehatan anak untuk advokasi anggaran.",
                "benefit_received": "Jumlah keluarga dampingan naik dua kali lipat; data skrining dipakai "
                                    "dalam musrenbang kelurahan.",
                "pledges": [(F, "Dana hibah makanan tambahan dan transport kader", 1, "paket", 150_000_000),
                            (VH, "Kader kesehatan untuk kunjungan rumah", 1200, "jam", 30_000_000)],
            },
            {
                "org": "rsud", "role": ROLE.MEMBER, "commitment_ends_in_days": 21,
                "commitment": "Menyediakan dokter anak, perawat dan vaksin untuk pemeriksaan bulanan di sekolah "
                              "dan posyandu.",
                "benefits": "Lebih sedikit rawat inap anak karena penyakit yang dapat dicegah; data skrining "
                            "untuk perencanaan poli anak.",
                "benefit_received": "Kunjungan rawat inap anak karena campak dan diare turun; tenaga kesehatan "
                                    "mendapat pengalaman layanan komunitas.",
                "pledges": [(EX, "Sesi pemeriksaan oleh dokter anak dan perawat", 48, "sesi", 96_000_000),
                            (IK, "Vaksin campak-rubela dan DPT", 2000, "dosis", 60_000_000)],
            },
            {
                "org": "sd3", "role": ROLE.MEMBER,
                "commitment": "Menyediakan ruang UKS dan jadwal pemeriksaan, mendata siswa, dan menugaskan guru UKS.",
                "benefits": "Siswa lebih sehat dan jarang absen; guru UKS mendapat pelatihan.",
                "benefit_received": "Absensi karena sakit turun; dua guru UKS mendapat pelatihan P3K.",
                "pledges": [(FA, "Ruang UKS dan aula untuk pemeriksaan", 24, "hari", 12_000_000)],
            },
            {
                "org": "sd7", "role": ROLE.MEMBER,
                "commitment": "Menyediakan ruang kelas untuk pemeriksaan dan menyampaikan undangan ke orang tua.",
                "benefits": "Pemeriksaan gigi dan mata gratis untuk semua siswa.",
                "benefit_received": "Siswa berkacamata kini mendapat kacamata gratis dari donatur.",
                "pledges": [(FA, "Ruang kelas untuk pemeriksaan", 12, "hari", 6_000_000)],
            },
            {
                "org": "puskesmas", "role": ROLE.ADVISOR, "joined_quarters_later": 2,
                "reporting_frequency": Frequency.HALF_YEARLY,
                "commitment": "Berbagi data imunisasi wilayah dan mendampingi kader posyandu.",
                "benefits": "Cakupan imunisasi wilayah mencapai target nasional.",
                "benefit_received": "Cakupan imunisasi wilayah naik dan pencatatan lebih rapi.",
                "pledges": [(EX, "Pendampingan kader dan pencatatan imunisasi", 24, "sesi", 12_000_000)],
            },
            {
                "org": "posyandu", "role": ROLE.MEMBER,
                "commitment": "Menggerakkan kader warga untuk penimbangan bulanan dan kunjungan rumah.",
                "benefits": "Kader mendapat pelatihan dan perlengkapan penimbangan.",
                "benefit_received": "Kader mendapat timbangan digital dan pelatihan pencatatan gizi.",
                "pledges": [(VH, "Kader posyandu untuk penimbangan dan kunjungan rumah", 600, "jam", 15_000_000)],
            },
        ],
        "goals": [
            {
                "title": "Semua anak balita mendapat imunisasi dasar lengkap",
                "description": "Menutup kesenjangan imunisasi di kampung padat melalui posyandu dan sekolah.",
                "indicators": [
                    {"name": "Balita dengan imunisasi dasar lengkap", "unit": "%", "baseline": "68",
                     "target": "95", "direction": UP,
                     "values": {"rsud": [70, 73.5, 77, 81, 84.5, 88]}},
                    {"name": "Kasus campak pada anak", "unit": "kasus", "baseline": "24", "target": "5",
                     "direction": DOWN, "values": {"puskesmas": [None, None, 17, 13, 10, 8]}},
                ],
            },
            {
                "title": "Pemeriksaan kesehatan rutin di sekolah",
                "description": "Setiap siswa diperiksa kesehatannya minimal sekali tiap semester.",
                "indicators": [
                    {"name": "Siswa yang diperiksa kesehatannya", "unit": "siswa", "baseline": "0",
                     "target": "1120", "direction": UP,
                     "values": {"sd3": [160, 310, 420, 505, 580, 630], "sd7": [90, 200, 270, 330, 390, 450]}},
                    {"name": "Anak dengan gizi kurang", "unit": "%", "baseline": "18", "target": "8",
                     "direction": DOWN, "values": {"yayasan_anak": [17.5, 16, 14.2, 13, 11.8, 10.9]}},
                ],
            },
        ],
        "reports": [
            ("yayasan_anak", -3, F, 1, "paket", 37_500_000,
             "Dana makanan tambahan untuk 150 balita dan transport kader selama satu triwulan.", "accepted", [0, 1]),
            ("yayasan_anak", -2, VH, 320, "jam", 8_000_000,
             "Kunjungan rumah oleh 16 kader ke keluarga dengan balita belum imunisasi lengkap.", "accepted", [0]),
            ("yayasan_anak", -1, F, 1, "paket", 40_000_000,
             "Dana makanan tambahan dan pelatihan kader gizi.", "submitted", [1]),
            ("rsud", -3, EX, 12, "sesi", 24_000_000,
             "Pemeriksaan kesehatan oleh dokter anak di SD Negeri 3 Sukamaju dan SD Negeri 7 Cempaka.",
             "accepted", [1]),
            ("rsud", -2, IK, 500, "dosis", 15_000_000,
             "Vaksin campak-rubela untuk imunisasi kejar di posyandu.", "corrected", [0],
             "Mohon lampirkan berita acara serah terima vaksin dari instalasi farmasi."),
            ("rsud", -1, EX, 12, "sesi", 24_000_000,
             "Pemeriksaan kesehatan bulanan di dua sekolah dan satu posyandu.", "returned", [1],
             "Jumlah sesi tidak sesuai daftar hadir (tercatat 10 sesi). Mohon perbaiki dan lampirkan daftar hadir."),
            ("rsud", 0, IK, 600, "dosis", 18_000_000,
             "Vaksin DPT untuk imunisasi lanjutan triwulan ini.", "draft", [0]),
            ("sd3", -2, FA, 6, "hari", 3_000_000,
             "Ruang UKS dan aula dipakai untuk pemeriksaan kesehatan siswa.", "accepted", [1]),
            ("sd3", -1, FA, 6, "hari", 3_000_000,
             "Aula sekolah untuk pemeriksaan gigi dan mata kelas 1-3.", "resubmitted", [1],
             "Periode laporan tertukar dengan triwulan sebelumnya; mohon sesuaikan tanggal pemakaian."),
            ("sd3", 0, VH, 40, "jam", 1_000_000,
             "Guru UKS mendampingi pemeriksaan dan mendata hasil skrining.", "draft", [1]),
            ("sd7", -1, FA, 4, "hari", 2_000_000,
             "Ruang kelas untuk pemeriksaan mata dan pembagian kacamata.", "accepted", [1]),
            ("posyandu", -2, VH, 180, "jam", 4_500_000,
             "Penimbangan bulanan dan pencatatan KMS oleh 12 kader.", "accepted", [0, 1]),
            ("posyandu", -1, VH, 200, "jam", 5_000_000,
             "Penimbangan dan penyuluhan gizi di tiga pos.", "submitted", [1]),
            ("puskesmas", -2, EX, 6, "sesi", 3_000_000,
             "Pendampingan kader dalam pencatatan imunisasi.", "accepted", [0]),
        ],
        "cycles": {
            "closed": [
                {"findings": [
                    ("Jadwal pemeriksaan bentrok dengan ujian sekolah", Principle.SHARED_LEADERSHIP,
                     "Sekolah tidak dilibatkan saat menyusun jadwal pemeriksaan.",
                     [("Menyusun kalender pemeriksaan bersama sekolah", "sd3", "done", -60)]),
                    ("Laporan kontribusi sering terlambat", Principle.ACCOUNTABILITY,
                     "Beberapa mitra belum paham cara mengisi laporan kontribusi.",
                     [("Pelatihan pengisian laporan kontribusi untuk semua mitra", "yayasan_anak", "done", -45),
                      ("Pengadaan aplikasi pencatatan kader", "posyandu", "cancelled", -40)]),
                ]},
                {"findings": [
                    ("Manfaat bagi rumah sakit belum terlihat", Principle.MUTUAL_BENEFIT,
                     "RSUD belum menerima data skrining yang dapat dipakai untuk perencanaan layanan.",
                     [("Berbagi data skrining anak dengan RSUD tiap triwulan", "yayasan_anak", "in_progress", -10)]),
                    ("Komitmen RSUD segera berakhir", Principle.LONG_TERM_COMMITMENT,
                     "Nota kesepahaman dengan RSUD berakhir bulan depan.",
                     [("Membahas perpanjangan nota kesepahaman dengan RSUD", "rsud", "open", 5),
                      ("Menambah kader posyandu di RW 07", "posyandu", "open", -20)]),
                ]},
            ],
            "open_answered": {"sd3": "submitted", "yayasan_anak": "submitted", "posyandu": "draft"},
        },
        "decisions": [
            {"title": "Menambah pemeriksaan gigi ke program sekolah",
             "description": "Mulai semester depan, pemeriksaan gigi oleh dokter gigi puskesmas ditambahkan ke "
                            "jadwal pemeriksaan di kedua sekolah.",
             "proposer": "yayasan_anak", "closes_in_days": -40,
             "votes": {"yayasan_anak": "agree", "rsud": "agree", "sd3": "agree", "sd7": "abstain",
                       "puskesmas": "disagree"}},
            {"title": "Memperpanjang kemitraan tiga tahun berikutnya",
             "description": "Kemitraan diperpanjang hingga tiga tahun setelah rencana selesai, dengan target "
                            "cakupan imunisasi 98%.",
             "proposer": "yayasan_anak", "closes_in_days": 10,
             "votes": {"yayasan_anak": "agree", "puskesmas": "agree", "posyandu": "abstain"}},
        ],
    },
    {
        "title": "Udara Bersih Kota Bandung",
        "type": Partnership.Type.ADVOCACY,
        "problem_statement": (
            "Konsentrasi PM2,5 di pusat Kota Bandung sering melewati baku mutu, terutama karena emisi "
            "kendaraan dan industri; warga di sekitar jalan utama paling terdampak."
        ),
        "description": (
            "Pelaku usaha, Pemerintah Kota Bandung dan organisasi lingkungan bersama-sama mengadvokasi "
            "kebijakan uji emisi, mengganti armada angkot ke kendaraan listrik, dan membuka data kualitas udara."
        ),
        "start_quarters_ago": 6,
        "years": 5,
        "lead": "langit_biru",
        "evaluation_frequency": Partnership.EvaluationFrequency.HALF_YEARLY,
        "coordinators": [KOORDINATOR, KOORDINATOR_2],
        "members": [
            {
                "org": "langit_biru", "role": ROLE.BACKBONE,
                "commitment": "Memimpin advokasi kebijakan, menyusun kampanye publik dan mengelola sekretariat.",
                "benefits": "Kebijakan uji emisi yang lebih tegas dan data terbuka untuk advokasi.",
                "benefit_received": "Rancangan Perwali uji emisi masuk program legislasi daerah.",
                "pledges": [(EX, "Tim advokasi dan kampanye", 400, "jam", 60_000_000)],
            },
            {
                "org": "dlh", "role": ROLE.MEMBER, "reporting_frequency": Frequency.HALF_YEARLY,
                "commitment": "Menyediakan data pemantauan kualitas udara, menyelenggarakan uji emisi gratis, "
                              "dan memfasilitasi hari bebas kendaraan bermotor.",
                "benefits": "Dukungan masyarakat dan dunia usaha untuk program pengendalian pencemaran udara.",
                "benefit_received": "Uji emisi gratis diikuti tiga kali lebih banyak kendaraan.",
                "pledges": [(FA, "Lokasi dan peralatan uji emisi", 12, "hari", 36_000_000)],
            },
            {
                "org": "transportasi", "role": ROLE.FUNDER,
                "commitment": "Mengganti 40 angkot ke kendaraan listrik dalam tiga tahun dan mendanai kampanye.",
                "benefits": "Biaya operasional armada lebih rendah dan citra perusahaan ramah lingkungan.",
                "benefit_received": "Biaya bahan bakar armada listrik 40% lebih rendah dari armada lama.",
                "pledges": [(F, "Dana kampanye transportasi rendah emisi", 1, "paket", 300_000_000),
                            (IK, "Angkot listrik yang dioperasikan", 40, "unit", 6_000_000_000)],
            },
            {
                "org": "tekstil", "role": ROLE.FUNDER,
                "commitment": "Memasang penyaring emisi cerobong dan mendanai sensor kualitas udara murah.",
                "benefits": "Kepatuhan pada baku mutu emisi dan hubungan baik dengan warga sekitar pabrik.",
                "benefit_received": "Keluhan warga sekitar pabrik berkurang.",
                "pledges": [(IK, "Sensor kualitas udara murah", 20, "unit", 100_000_000)],
            },
            {
                "org": "forum_warga", "role": ROLE.MEMBER,
                "commitment": "Mengorganisasi warga untuk car free day dan pemantauan udara swadaya.",
                "benefits": "Udara yang lebih bersih di permukiman dan suara warga didengar.",
                "benefit_received": "Warga dilibatkan dalam penentuan lokasi sensor.",
                "pledges": [(VH, "Relawan car free day dan pemantauan", 800, "jam", 20_000_000)],
            },
            {
                "org": "pusat_studi", "role": ROLE.ADVISOR, "reporting_frequency": Frequency.HALF_YEARLY,
                "commitment": "Mengolah data sensor dan menerbitkan laporan kualitas udara tiap semester.",
                "benefits": "Data lapangan untuk penelitian dan publikasi.",
                "benefit_received": "Dua artikel ilmiah memakai data sensor kemitraan.",
                "pledges": [(EX, "Analisis data dan laporan semester", 4, "laporan", 80_000_000)],
            },
        ],
        "goals": [
            {
                "title": "Menurunkan konsentrasi PM2,5 di pusat kota",
                "description": "Rata-rata PM2,5 di stasiun pemantau turun mendekati baku mutu nasional.",
                "indicators": [
                    {"name": "Rata-rata PM2,5 di lima stasiun pemantau", "unit": "µg/m³", "baseline": "48",
                     "target": "25", "direction": DOWN, "values": {"dlh": [47, 45.5, 44, 41, 39.5, 37]}},
                    {"name": "Hari dengan kualitas udara tidak sehat", "unit": "hari", "baseline": "30",
                     "target": "10", "direction": DOWN, "values": {"pusat_studi": [29, 27, 24, 22, 19, 17]}},
                ],
            },
            {
                "title": "Transportasi umum rendah emisi",
                "description": "Armada angkutan kota beralih ke kendaraan listrik dan lulus uji emisi.",
                "indicators": [
                    {"name": "Angkot listrik beroperasi", "unit": "unit", "baseline": "0", "target": "40",
                     "direction": UP, "values": {"transportasi": [0, 4, 10, 10, 16, 22]}},
                    {"name": "Kendaraan umum lulus uji emisi", "unit": "%", "baseline": "55", "target": "90",
                     "direction": UP, "values": {"dlh": [56, 60, 64, 69, 72, 76]}},
                ],
            },
        ],
        "reports": [
            ("transportasi", -3, F, 1, "paket", 250_000_000,
             "Uang muka konversi sepuluh angkot ke kendaraan listrik.", "accepted", [1]),
            ("transportasi", -2, IK, 6, "unit", 900_000_000,
             "Enam angkot listrik mulai beroperasi di trayek Dago-Kalapa.", "accepted", [1]),
            ("transportasi", -1, F, 1, "paket", 75_000_000,
             "Dana kampanye 'Naik Angkot Listrik' di media sosial dan halte.", "returned", [0, 1],
             "Bukti transfer dan rincian biaya kampanye belum dilampirkan."),
            ("transportasi", 0, F, 1, "paket", 50_000_000,
             "Dana perawatan stasiun pengisian daya di terminal.", "draft", [1]),
            ("tekstil", -2, IK, 10, "unit", 50_000_000,
             "Sepuluh sensor kualitas udara murah dipasang di sekitar kawasan industri.", "accepted", [0]),
            ("tekstil", -1, F, 1, "paket", 50_000_000,
             "Dana pemasangan penyaring emisi cerobong tahap pertama.", "submitted", [0]),
            ("dlh", -2, FA, 3, "hari", 9_000_000,
             "Uji emisi gratis di Lapangan Gasibu selama tiga hari.", "accepted", [1]),
            ("forum_warga", -1, VH, 260, "jam", 6_500_000,
             "Relawan car free day dan pembacaan sensor swadaya di 8 RW.", "submitted", [0]),
            ("pusat_studi", -1, EX, 1, "laporan", 20_000_000,
             "Laporan kualitas udara semester dengan peta sebaran PM2,5.", "accepted", [0]),
            ("langit_biru", 0, EX, 90, "jam", 13_500_000,
             "Penyusunan naskah akademik rancangan Perwali uji emisi.", "draft", [0]),
        ],
        "cycles": {
            "closed": [
                {"findings": [
                    ("Data sensor belum dibuka untuk publik", Principle.ACCOUNTABILITY,
                     "Warga tidak dapat melihat hasil pemantauan yang didanai kemitraan.",
                     [("Menerbitkan dasbor kualitas udara terbuka", "pusat_studi", "done", -90)]),
                ]},
                {"findings": [
                    ("Kampanye belum menjangkau warga di pinggir kota", Principle.SHARED_GOALS,
                     "Kegiatan terpusat di Dago dan Gasibu.",
                     [("Car free day bergilir di empat kecamatan", "forum_warga", "open", -15),
                      ("Menambah lima sensor di Bandung timur", "tekstil", "in_progress", 20)]),
                ]},
            ],
            "open_answered": {"dlh": "submitted", "langit_biru": "draft"},
        },
        "decisions": [
            {"title": "Mengusulkan Perwali uji emisi wajib bagi angkutan umum",
             "description": "Kemitraan menyampaikan naskah akademik dan rancangan Peraturan Wali Kota tentang "
                            "uji emisi wajib tiap enam bulan bagi angkutan umum.",
             "proposer": "langit_biru", "closes_in_days": 14,
             "votes": {"langit_biru": "agree", "dlh": "abstain", "forum_warga": "agree"}},
        ],
    },
    {
        "title": "Pelatihan Kerja Siap Kerja",
        "type": Partnership.Type.CAPACITY_BUILDING,
        "problem_statement": (
            "Banyak pemuda dan korban PHK di Semarang menganggur karena keterampilannya tidak sesuai "
            "kebutuhan industri otomotif dan digital."
        ),
        "description": (
            "Universitas, pelaku usaha, balai latihan kerja dan yayasan menyusun kurikulum bersama, "
            "melatih pencari kerja, dan menyalurkan lulusan ke tempat magang dan kerja."
        ),
        "start_quarters_ago": 5,
        "years": 3,
        "lead": "universitas",
        "evaluation_frequency": Partnership.EvaluationFrequency.QUARTERLY,
        "coordinators": [KOORDINATOR],
        "members": [
            {
                "org": "universitas", "role": ROLE.BACKBONE,
                "commitment": "Menyusun kurikulum bersama industri, menyediakan instruktur dan sertifikasi.",
                "benefits": "Kurikulum kampus lebih dekat dengan industri; pengabdian masyarakat dosen.",
                "benefit_received": "Tiga modul pelatihan diadopsi ke mata kuliah praktik.",
                "pledges": [(EX, "Instruktur dan penyusunan modul", 480, "jam", 240_000_000)],
            },
            {
                "org": "bengkel", "role": ROLE.MEMBER,
                "commitment": "Menyediakan 60 tempat magang dan peralatan praktik otomotif.",
                "benefits": "Mendapat teknisi terlatih yang siap kerja.",
                "benefit_received": "Merekrut 18 lulusan pelatihan sebagai teknisi.",
                "pledges": [(IK, "Peralatan praktik otomotif", 1, "paket", 75_000_000),
                            (FA, "Tempat magang di bengkel", 60, "posisi", 0)],
            },
            {
                "org": "digital", "role": ROLE.FUNDER,
                "commitment": "Mendanai kelas digital dan merekrut lulusan terbaik.",
                "benefits": "Sumber rekrutmen programmer pemula.",
                "benefit_received": "Tujuh lulusan bekerja sebagai programmer junior.",
                "pledges": [(F, "Beasiswa kelas digital", 1, "paket", 200_000_000)],
            },
            {
                "org": "yayasan_karya", "role": ROLE.MEMBER,
                "commitment": "Merekrut peserta, mendampingi selama pelatihan, dan membantu mencari kerja.",
                "benefits": "Pencari kerja dampingan mendapat pekerjaan layak.",
                "benefit_received": "Tingkat putus pelatihan peserta dampingan turun.",
                "pledges": [(VH, "Pendamping peserta", 900, "jam", 22_500_000)],
            },
            {
                "org": "blk", "role": ROLE.MEMBER,
                "commitment": "Menyediakan bengkel dan laboratorium komputer untuk pelatihan.",
                "benefits": "Fasilitas balai termanfaatkan penuh.",
                "benefit_received": "Pemanfaatan fasilitas balai naik menjadi 85%.",
                "pledges": [(FA, "Bengkel dan laboratorium komputer", 120, "hari", 60_000_000)],
            },
            {
                "org": "smk", "role": ROLE.ADVISOR, "reporting_frequency": Frequency.YEARLY,
                "commitment": "Memberi masukan kurikulum dan merujuk alumni yang belum bekerja.",
                "benefits": "Alumni mendapat jalur pelatihan lanjutan.",
                "benefit_received": "Sebelas alumni ikut pelatihan lanjutan.",
                "pledges": [],
            },
            {
                "org": "karang_taruna", "role": ROLE.MEMBER,
                "commitment": "Menjangkau pemuda yang belum bekerja dan menyebarkan informasi pelatihan.",
                "benefits": "Pemuda kelurahan mendapat akses pelatihan.",
                "benefit_received": "Empat puluh pemuda kelurahan mendaftar pelatihan.",
                "pledges": [(VH, "Relawan sosialisasi", 200, "jam", 5_000_000)],
            },
        ],
        "goals": [
            {
                "title": "Lulusan pelatihan mendapat pekerjaan",
                "description": "Peserta menyelesaikan pelatihan dan bekerja dalam enam bulan.",
                "indicators": [
                    {"name": "Lulusan yang bekerja dalam enam bulan", "unit": "%", "baseline": "30",
                     "target": "70", "direction": UP, "values": {"yayasan_karya": [None, 34, 41, 47, 52, 58]}},
                    {"name": "Peserta yang menyelesaikan pelatihan", "unit": "orang", "baseline": "0",
                     "target": "600", "direction": UP, "values": {"universitas": [None, 60, 150, 235, 330, 410]}},
                ],
            },
            {
                "title": "Kurikulum sesuai kebutuhan industri",
                "description": "Modul disusun bersama pelaku usaha dan dilengkapi tempat magang.",
                "indicators": [
                    {"name": "Modul yang disusun bersama industri", "unit": "modul", "baseline": "2",
                     "target": "12", "direction": UP, "values": {"universitas": [None, 3, 5, 6, 8, 9]}},
                    {"name": "Tempat magang dari mitra usaha", "unit": "posisi", "baseline": "0",
                     "target": "120", "direction": UP, "values": {"bengkel": [None, 15, 30, 42, 55, 60]}},
                ],
            },
        ],
        "reports": [
            ("universitas", -2, EX, 120, "jam", 60_000_000,
             "Instruktur kelas otomotif dan digital angkatan 3.", "accepted", [0, 1]),
            ("universitas", -1, FA, 30, "hari", 15_000_000,
             "Laboratorium komputer kampus untuk kelas digital.", "accepted", [0]),
            ("universitas", 0, EX, 60, "jam", 30_000_000,
             "Penyusunan modul kelistrikan kendaraan listrik.", "draft", [1]),
            ("bengkel", -2, IK, 1, "paket", 75_000_000,
             "Peralatan praktik: kunci momen, scanner OBD dan alat uji aki.", "accepted", [1]),
            ("bengkel", -1, FA, 15, "posisi", 0,
             "Lima belas tempat magang di cabang Majapahit dan Banyumanik.", "submitted", [1]),
            ("digital", -2, F, 1, "paket", 100_000_000,
             "Beasiswa kelas digital untuk 40 peserta.", "corrected", [0],
             "Jumlah penerima beasiswa berbeda dengan daftar peserta; mohon cocokkan."),
            ("digital", -1, F, 1, "paket", 100_000_000,
             "Beasiswa kelas digital angkatan 4.", "submitted", [0]),
            ("yayasan_karya", -1, VH, 240, "jam", 6_000_000,
             "Pendampingan peserta dan konseling karier.", "accepted", [0]),
            ("blk", -1, FA, 40, "hari", 20_000_000,
             "Bengkel otomotif balai untuk praktik angkatan 4.", "accepted", [0, 1]),
            ("karang_taruna", -1, VH, 60, "jam", 1_500_000,
             "Sosialisasi pelatihan di lima RW.", "returned", [0],
             "Mohon rinci kegiatan per RW dan lampirkan foto kegiatan."),
        ],
        "cycles": {
            "closed": [
                {"findings": [
                    ("Penyerapan lulusan kelas digital rendah", Principle.MUTUAL_BENEFIT,
                     "Baru sedikit perusahaan digital yang merekrut lulusan.",
                     [("Menambah mitra perekrut dari asosiasi perusahaan digital", "digital", "done", -30)]),
                ]},
                {"findings": [
                    ("Peserta putus di tengah pelatihan", Principle.LONG_TERM_COMMITMENT,
                     "Biaya transport menjadi alasan utama peserta berhenti.",
                     [("Program uang transport peserta", "yayasan_karya", "open", -12),
                      ("Jadwal kelas malam untuk peserta yang bekerja paruh waktu", "universitas", "open", 6)]),
                ]},
            ],
            "open_answered": {"universitas": "submitted"},
        },
        "decisions": [
            {"title": "Membuka kelas akhir pekan di balai latihan kerja",
             "description": "Kelas otomotif dibuka juga pada Sabtu dan Minggu di Balai Latihan Kerja.",
             "proposer": "universitas", "closes_in_days": -20,
             "votes": {"universitas": "agree", "bengkel": "disagree", "digital": "disagree", "blk": "disagree",
                       "yayasan_karya": "agree"}},
        ],
    },
]

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

# --- dates and "as of" ------------------------------------------------------------------


def quarter_of(day: datetime.date) -> Period:
    """The calendar quarter containing ``day`` (the demo's partnerships run on quarters)."""
    return Period.containing(Frequency.QUARTERLY, day)


def moment(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """Return ``day`` at ``hour`` in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@contextmanager
def as_of(when: datetime.datetime, user=None):
    """Run writes as if ``user`` made them at ``when``.

    ``timezone.now`` answers ``when`` (so auto timestamps, the services' ``submitted_at``
    and ``reviewed_at``, and history dates agree), and simple-history records ``user``
    as the author, as the history middleware would during a request. Meant for seeding
    the past only; never use it in request code.
    """
    request = SimpleNamespace(user=user) if user is not None else None
    previous = getattr(HistoricalRecords.context, "request", None)
    with mock.patch("django.utils.timezone.now", return_value=when):
        HistoricalRecords.context.request = request
        try:
            yield
        finally:
            if previous is None:
                if hasattr(HistoricalRecords.context, "request"):
                    del HistoricalRecords.context.request
            else:
                HistoricalRecords.context.request = previous


class Clock:
    """Hand out past moments: ``wanted`` unless it is too recent, and always later than ``after``.

    Moments are kept an hour before the real now, so that a short chain of steps pushed
    past that limit (a report submitted and reviewed early on the first day of a quarter)
    still gets increasing moments, a minute apart, all in the past.
    """

    def __init__(self, now: datetime.datetime):
        self.latest = now - datetime.timedelta(hours=1)

    def at(self, wanted: datetime.datetime, *, after: datetime.datetime | None = None) -> datetime.datetime:
        value = min(wanted, self.latest)
        if after is not None and value <= after:
            value = after + datetime.timedelta(minutes=1)
        return value


def _saved(obj):
    """Validate the fields (choices, lengths) and save; the database checks keys and constraints.

    A full ``full_clean`` would ask the database about every foreign key and check
    constraint first, for rows this module has just made: four thousand queries that
    the constraints on the tables make redundant.
    """
    obj.clean_fields(exclude={f.name for f in obj._meta.concrete_fields if f.is_relation})
    obj.clean()
    obj.save()
    return obj


# --- accounts ---------------------------------------------------------------------------


def ensure_demo_accounts() -> tuple[dict, int]:
    """Create the missing demo accounts; never touch an existing one. Return (users by email, created)."""
    User = get_user_model()
    users, created = {}, 0
    for spec in DEMO_ACCOUNTS:
        user = User.objects.filter(email=spec["email"]).first()
        if user is None:
            user = User(
                email=spec["email"],
                full_name=spec["full_name"],
                preferred_language=spec["language"],
                is_staff=spec["is_superuser"],
                is_superuser=spec["is_superuser"],
            )
            validate_password(DEMO_PASSWORD, user)
            user.set_password(DEMO_PASSWORD)
            user.full_clean()
            user.save()
            created += 1
        users[spec["email"]] = user
    return users, created


def format_accounts() -> str:
    """Return the demo sign-ins as a plain-text table, password included."""
    rows = [("Email", "Password", "Role")] + [(a["email"], a["password"], a["role"]) for a in DEMO_ACCOUNTS]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# --- the demo ---------------------------------------------------------------------------


@dataclass
class DemoResult:
    accounts_created: int = 0
    organisations_created: int = 0
    partnerships_created: list[str] = field(default_factory=list)
    partnerships_present: list[str] = field(default_factory=list)


@transaction.atomic
def build_demo() -> DemoResult:
    """Load the demo partnerships and accounts; what is already there is left as it is.

    Accounts, organisations, partnerships and memberships are found by their natural
    keys (email, name, title, partnership + organisation). A partnership's dated history
    (reports, values, cycles, decisions) is built only when the partnership itself is
    new, so running again on a later day adds no second history. One transaction: a
    failed run leaves nothing half-made.
    """
    result = DemoResult()
    real_now = timezone.now()
    today = timezone.localdate(real_now)
    users, result.accounts_created = ensure_demo_accounts()
    admin = users["admin@kemitraan.local"]

    # Organisations were registered a little before the oldest partnership began.
    oldest_start = first_of_month(quarter_of(today).start, -3 * max(p["start_quarters_ago"] for p in PARTNERSHIPS))
    registered = Clock(real_now).at(moment(oldest_start - datetime.timedelta(days=30)))
    organisations = {}
    for key, spec in ORGANISATIONS.items():
        defaults = {
            **spec,
            "email": f"kontak@{key.replace('_', '-')}.example",
            "phone": f"+62 21 555 0{len(organisations):03d}",
        }
        defaults.pop("name")
        org = Organisation.objects.filter(name=spec["name"]).first()
        if org is None:
            with as_of(registered, admin):
                org = _saved(Organisation(name=spec["name"], **defaults))
            result.organisations_created += 1
        organisations[key] = org
    for spec in DEMO_ACCOUNTS:
        if spec["organisation"]:
            org = next(o for o in organisations.values() if o.name == spec["organisation"])
            org.representatives.add(users[spec["email"]])

    for spec in PARTNERSHIPS:
        builder = _PartnershipBuilder(spec, organisations, users, real_now, today)
        if builder.ensure():
            result.partnerships_created.append(spec["title"])
        else:
            result.partnerships_present.append(spec["title"])
    return result


class _PartnershipBuilder:
    """Build one demo partnership and its dated history from its entry in ``PARTNERSHIPS``."""

    def __init__(self, spec, organisations, users, real_now, today):
        self.spec = spec
        self.orgs = organisations
        self.users = users
        self.now = real_now
        self.today = today
        self.clock = Clock(real_now)
        self.rng = random.Random(spec["title"])
        self.this_quarter = quarter_of(today).start
        self.coordinator = users[spec["coordinators"][0]]
        self.representative = {
            a["organisation"]: users[a["email"]] for a in DEMO_ACCOUNTS if a["organisation"]
        }

    def quarter(self, offset):
        quarter = quarter_of(first_of_month(self.this_quarter, 3 * offset))
        return quarter.start, quarter.end

    def rep(self, org_key):
        return self.representative.get(self.orgs[org_key].name)

    def ensure(self) -> bool:
        """Create the partnership if missing and always ensure its coordinators and members; tell if it was new."""
        spec = self.spec
        start = first_of_month(self.this_quarter, -3 * spec["start_quarters_ago"])
        self.partnership = Partnership.objects.filter(title=spec["title"]).first()
        created = self.partnership is None
        if created:
            with as_of(self.clock.at(moment(start - datetime.timedelta(days=14))), self.coordinator):
                self.partnership = _saved(Partnership(
                    title=spec["title"],
                    problem_statement=spec["problem_statement"],
                    description=spec["description"],
                    type=spec["type"],
                    status=Partnership.Status.ACTIVE,
                    start_date=start,
                    planned_end_date=first_of_month(start, 12 * spec["years"]) - datetime.timedelta(days=1),
                    lead_organisation=self.orgs[spec["lead"]],
                    evaluation_frequency=spec["evaluation_frequency"],
                ))
        self.partnership.coordinators.add(*(self.users[email] for email in spec["coordinators"]))
        self.memberships = {m["org"]: self._ensure_membership(m, start) for m in spec["members"]}
        if created:
            self._build_history()
        return created

    def _ensure_membership(self, m, start):
        org = self.orgs[m["org"]]
        membership = Membership.objects.filter(partnership=self.partnership, organisation=org).first()
        if membership is not None:
            return membership
        joined = first_of_month(start, 3 * m.get("joined_quarters_later", 0))
        end = first_of_month(joined, 12 * self.spec["years"]) - datetime.timedelta(days=1)
        if "commitment_ends_in_days" in m:
            end = self.today + datetime.timedelta(days=m["commitment_ends_in_days"])
        with as_of(self.clock.at(moment(joined - datetime.timedelta(days=7))), self.coordinator):
            membership = _saved(Membership(
                partnership=self.partnership,
                organisation=org,
                role=m["role"],
                joined_on=joined,
                commitment_statement=m["commitment"],
                commitment_start=joined,
                commitment_end=end,
                expected_benefits=m["benefits"],
                reporting_frequency=m.get("reporting_frequency", Frequency.QUARTERLY),
            ))
            for kind, description, quantity, unit, value in m["pledges"]:
                _saved(Pledge(membership=membership, kind=kind, description=description,
                              quantity=Decimal(quantity), unit=unit, value=Decimal(value)))
        return membership

    # --- dated history, built once -------------------------------------------------

    def _build_history(self):
        goals = self._build_goals()
        self._build_reports(goals)
        self._build_cycles()
        self._build_decisions()

    def _build_goals(self):
        goals = []
        target_date = self.partnership.planned_end_date
        for order, g in enumerate(self.spec["goals"], start=1):
            with as_of(self.clock.at(moment(self.partnership.start_date)), self.coordinator):
                goal = _saved(SharedGoal(partnership=self.partnership, title=g["title"],
                                         description=g["description"], order=order))
            goals.append(goal)
            for i in g["indicators"]:
                with as_of(self.clock.at(moment(self.partnership.start_date)), self.coordinator):
                    indicator = _saved(Indicator(
                        goal=goal, name=i["name"], unit=i["unit"], baseline=Decimal(i["baseline"]),
                        target=Decimal(i["target"]), target_date=target_date, direction=i["direction"],
                    ))
                for org_key, values in i["values"].items():
                    membership = self.memberships[org_key]
                    reporter = self.rep(org_key) or self.coordinator
                    for offset, value in zip(range(-len(values), 0), values):
                        if value is None:
                            continue
                        period_start, period_end = self.quarter(offset)
                        when = self.clock.at(moment(period_end + datetime.timedelta(days=6)))
                        with as_of(when, reporter):
                            _saved(IndicatorValue(
                                indicator=indicator, membership=membership, period_start=period_start,
                                period_end=period_end, value=Decimal(str(value)), reported_by=reporter,
                                note="Data dari pencatatan mitra.",
                            ))
        return goals

    def _build_reports(self, goals):
        for entry in self.spec["reports"]:
            org_key, offset, kind, quantity, unit, value, description, path, goal_indexes = entry[:9]
            reason = entry[9] if len(entry) > 9 else ""
            membership = self.memberships[org_key]
            author = self.rep(org_key) or self.coordinator
            period_start, period_end = self.quarter(offset)
            # A report is written after its period ends; the current quarter's are still drafts.
            base = period_end + datetime.timedelta(days=3) if offset < 0 else self.today - datetime.timedelta(days=4)
            created = self.clock.at(moment(base, 9))
            with as_of(created, author):
                report = partner_services.report_create(
                    membership=membership, user=author, goals=[goals[i] for i in goal_indexes],
                    period_start=period_start, period_end=period_end, kind=kind,
                    quantity=Decimal(quantity), unit=unit, value=Decimal(value), description=description,
                )
            steps = {
                "draft": [],
                "submitted": ["submit"],
                "accepted": ["submit", "accept"],
                "returned": ["submit", "return"],
                "resubmitted": ["submit", "return", "resubmit"],
                "corrected": ["submit", "return", "resubmit", "accept"],
            }[path]
            when = created
            for step in steps:
                when = self.clock.at(when + datetime.timedelta(days=self.rng.randint(2, 6), hours=3), after=when)
                actor = author if step in ("submit", "resubmit") else self.coordinator
                with as_of(when, actor):
                    if step == "submit":
                        partner_services.report_submit(report=report, user=actor)
                    elif step == "resubmit":
                        partner_services.report_resubmit(report=report, user=actor)
                    elif step == "accept":
                        partner_services.report_accept(report=report, user=actor)
                    else:
                        partner_services.report_return(report=report, user=actor, reason=reason)

    def _build_cycles(self):
        """Build the cycles on the calendar the daily ``cycles_advance`` job keeps.

        The current period's cycle is open (members answer during the period and until
        its due date); earlier ones were closed the day after their due date. Going back
        from today until the spec's closed cycles are placed gives two closed and one
        open cycle, or two open ones in the first two weeks of a period, when the
        previous period is still being answered.
        """
        frequency = self.partnership.evaluation_frequency
        closed_specs = list(self.spec["cycles"]["closed"])
        periods, closed = [], 0
        deadlines = Deadlines.load()
        period = deadlines.cycle_period(frequency, self.today)
        while closed < len(closed_specs):
            due = deadlines.cycle_due_date(period.end)
            is_open = due >= self.today
            periods.append((period.start, period.end, due, is_open))
            closed += not is_open
            period = period.previous()
        specs = iter(closed_specs)
        for index, (start, end, due, is_open) in enumerate(reversed(periods)):
            self._build_cycle(start, end, due, index=index, closed_spec=None if is_open else next(specs))

    def _build_cycle(self, period_start, period_end, due, *, index, closed_spec):
        opened = self.clock.at(moment(period_start, 7))
        with as_of(opened, self.coordinator):
            cycle = evaluation_services.cycle_create(
                partnership=self.partnership, user=self.coordinator, period_start=period_start,
                period_end=period_end, due_date=due, open_now=True,
            )
        if closed_spec is None:
            # Open: a few members have answered so far, one of them only in part.
            answering = [(key, status == "submitted") for key, status in self.spec["cycles"]["open_answered"].items()]
            until = self.now
        else:
            # Closed: every member asked but one answered before the due date.
            asked = [key for key, m in self.memberships.items() if evaluation_access.is_asked(m, cycle)]
            skipped = self.rng.choice(asked) if len(asked) > 3 else None
            answering = [(key, True) for key in asked if key != skipped]
            until = moment(due, 16)
        step = (min(until, self.now) - opened) / (len(answering) + 1)
        for n, (org_key, submitted) in enumerate(answering, start=1):
            self._response(cycle, org_key, self.clock.at(opened + step * n, after=opened),
                           submitted=submitted, index=index)
        if closed_spec is None:
            return
        closed_at = self.clock.at(moment(due + datetime.timedelta(days=1), 1), after=opened)
        with as_of(closed_at, self.coordinator):
            evaluation_services.cycle_close(cycle=cycle)
        # Findings are noted after closing, or while answers come in when the cycle closed only lately,
        # so that their actions can be overdue already.
        noted = self.clock.at(
            min(closed_at + datetime.timedelta(days=2, hours=8), self.now - datetime.timedelta(days=21)), after=opened
        )
        for title, principle, description, actions in closed_spec["findings"]:
            with as_of(noted, self.coordinator):
                finding = evaluation_services.finding_create(
                    cycle=cycle, user=self.coordinator, title=title, description=description, principle=principle,
                )
            for action_title, owner_key, status, due_in_days in actions:
                self._action(finding, action_title, owner_key, status, due_in_days, noted)

    def _response(self, cycle, org_key, when, *, submitted, index):
        spec = next(m for m in self.spec["members"] if m["org"] == org_key)
        author = self.rep(org_key)
        # Later cycles score a little higher: the partnership is learning.
        fields = {name: min(5, self.rng.choice([2, 3, 3, 4, 4, 5]) + (index >= 1)) for name in SCORE_FIELDS.values()}
        fields.update(benefit_received=spec["benefit_received"], what_works=self.rng.choice(WHAT_WORKS))
        with as_of(when, author or self.coordinator):
            if submitted:
                evaluation_services.response_submit(
                    cycle=cycle, membership=self.memberships[org_key], user=author,
                    what_to_change=self.rng.choice(WHAT_TO_CHANGE), **fields,
                )
            else:  # a draft, half filled in
                for name in list(SCORE_FIELDS.values())[3:]:
                    fields.pop(name)
                evaluation_services.response_save_draft(
                    cycle=cycle, membership=self.memberships[org_key], user=author, **fields
                )

    def _action(self, finding, title, owner_key, status, due_in_days, created):
        # Due dates are relative to today (some overdue, some due soon) but never before the action existed.
        due = max(self.today + datetime.timedelta(days=due_in_days), timezone.localdate(created))
        with as_of(created, self.coordinator):
            action = evaluation_services.action_create(
                partnership=self.partnership, user=self.coordinator, title=title,
                owner_organisation=self.orgs[owner_key], due_date=due, finding=finding,
                description=f"Tindak lanjut dari temuan: {finding.title}.", today=timezone.localdate(created),
            )
        if status == FollowUpAction.Status.OPEN:
            return
        changed = self.clock.at(
            min(moment(due - datetime.timedelta(days=3)), created + datetime.timedelta(days=20)), after=created
        )
        owner = self.rep(owner_key) or self.coordinator
        with as_of(changed, owner):
            evaluation_services.action_set_status(action=action, user=owner, status=status)

    def _build_decisions(self):
        for d in self.spec["decisions"]:
            closes = moment(self.today + datetime.timedelta(days=d["closes_in_days"]), 17)
            proposed = self.clock.at(closes - datetime.timedelta(days=21))
            proposer = self.rep(d["proposer"]) or self.coordinator
            with as_of(proposed, proposer):
                decision = evaluation_services.decision_propose(
                    partnership=self.partnership, user=proposer, title=d["title"], description=d["description"],
                    closes_at=closes, organisation=self.orgs[d["proposer"]], now=proposed,
                )
            when = proposed
            for org_key, choice in d["votes"].items():
                when = self.clock.at(when + datetime.timedelta(days=2, hours=1), after=when)
                voter = self.rep(org_key)
                with as_of(when, voter or self.coordinator):
                    evaluation_services.vote_cast(
                        decision=decision, membership=self.memberships[org_key], user=voter, choice=choice,
                        comment="" if choice == Vote.Choice.AGREE else "Perlu kajian biaya lebih dulu.", now=when,
                    )
            if closes < self.now:  # closed when its time came, as decisions_close_due does
                with as_of(closes, self.coordinator):
                    evaluation_services.decision_close(decision=decision, user=self.coordinator, now=closes)
