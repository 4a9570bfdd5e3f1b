"""The seed's three example partnerships, as plain data: members, goals and indicators with their
values, contribution reports and their review, evaluation cycles with findings and actions, decisions
with votes. ``workspace.demo.loader`` builds each through the services, dated relative to the day it runs.

Organisations are named by their keys in ``data.ORGANISATIONS``; offsets count quarters (reports,
indicator values) or days (actions, decisions, commitments) from today.
"""
from evaluations.models import Principle
from partners.models import ContributionKind, Frequency, Indicator, Membership, Partnership

from .data import KOORDINATOR, KOORDINATOR_2

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
