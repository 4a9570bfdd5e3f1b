"""A large synthetic data set for benchmarks: ``manage.py seed_demo --scale N``.

For each synthetic partnership ("Kemitraan Sintetis 000123") it adds 10 organisations,
10 memberships (9 of its own organisations plus one from the previous partnership, so
representatives see several partnerships), 10 pledges, 2 goals with 2 indicators each,
500 contribution reports over the last three years (mostly accepted, some submitted,
returned or draft), 1,000 indicator values (4 indicators x 10 members x 25 months),
7 quarterly evaluation cycles (6 closed and the current one open; in a quarter's first
two weeks the previous one is still open too, as the daily ``cycles_advance`` job keeps
them) with 50 answers, 2 findings, 3 follow-up actions (done, overdue, due soon) and
2 decisions (one closed with its outcome, one open) with 14 votes. Users are few:
one coordinator per 10 partnerships and one representative per 10 organisations, all
with the demo password. Row timestamps (``created_at``) are the time of the run.

Rows go in through ``bulk_create`` in batches generated on the fly, so memory stays
bounded whatever N is; only the ids of partnerships, memberships, indicators, cycles
and the like are kept. No ``full_clean`` per row and no change history (bulk inserts
skip simple-history): the generator keeps the rules the constraints enforce. The whole
run is one transaction, so an interrupted run adds nothing, and a run asking for N when
N synthetic partnerships exist adds nothing.
"""
import datetime
import math
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import reset_queries, transaction
from django.utils import timezone

from evaluations.models import (
    SCORE_FIELDS,
    Decision,
    EvaluationCycle,
    EvaluationResponse,
    Finding,
    FollowUpAction,
    Principle,
    Vote,
)
from evaluations.results import decision_outcome
from partners.deadlines import Deadlines, Period, first_of_month
from partners.models import (
    ContributionKind,
    ContributionReport,
    Frequency,
    Indicator,
    IndicatorValue,
    Membership,
    Organisation,
    Partnership,
    Pledge,
    SharedGoal,
)

from .data import DEMO_PASSWORD

DEFAULT_BATCH_SIZE = 5000
PARTNERSHIP_PREFIX = "Kemitraan Sintetis "
ORGANISATION_PREFIX = "Organisasi Sintetis "
COORDINATOR_EMAIL = "koordinator.sintetis.{:05d}@kemitraan.local"
REPRESENTATIVE_EMAIL = "mitra.sintetis.{:06d}@kemitraan.local"

ORGANISATIONS_PER_PARTNERSHIP = 10
PARTNERSHIPS_PER_COORDINATOR = 10
REPORTS_PER_MEMBER = 50
REPORT_MONTHS = 36
VALUE_MONTHS = 25
CLOSED_CYCLES = 6
ANSWERS_PER_CLOSED_CYCLE = 8

FIRST_NAMES = ["Ahmad", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gilang", "Hana", "Indra", "Joko",
               "Kartika", "Lukman", "Mega", "Nur", "Oki", "Putri", "Rizki", "Sari", "Taufik", "Wulan"]
LAST_NAMES = ["Saputra", "Wijaya", "Lestari", "Hidayat", "Pratama", "Kusuma", "Santoso", "Nugroho",
              "Permata", "Siregar", "Harahap", "Simanjuntak", "Rahman", "Setiawan", "Utami", "Gunawan"]
CITIES = ["Jakarta", "Surabaya", "Bandung", "Medan", "Semarang", "Makassar", "Palembang", "Yogyakarta",
          "Denpasar", "Balikpapan", "Padang", "Manado", "Pontianak", "Kupang", "Jayapura"]
PROBLEMS = [
    "Angka putus sekolah anak dari keluarga prasejahtera masih tinggi.",
    "Layanan kesehatan ibu dan anak belum menjangkau permukiman padat.",
    "Pencemaran sungai oleh limbah rumah tangga dan industri kecil.",
    "Pengangguran pemuda karena keterampilan tidak sesuai kebutuhan kerja.",
    "Kerawanan pangan keluarga nelayan pada musim paceklik.",
    "Sampah plastik menumpuk karena pengelolaan sampah belum terpadu.",
    "Akses air bersih yang terbatas di desa-desa dataran tinggi.",
    "Literasi digital pelaku usaha mikro masih rendah.",
]
GOALS = [
    ("Memperluas jangkauan layanan", [("Penerima manfaat terlayani", "orang", 0, 5000, "increase"),
                                      ("Wilayah yang terjangkau", "kelurahan", 2, 20, "increase")]),
    ("Memperbaiki mutu hasil program", [("Peserta yang puas dengan layanan", "%", 60, 90, "increase"),
                                        ("Keluhan masyarakat", "kasus", 120, 20, "decrease")]),
]
DESCRIPTIONS = {
    ContributionKind.FUNDS: ("Dana operasional kegiatan", "rupiah"),
    ContributionKind.IN_KIND: ("Barang bantuan untuk kegiatan lapangan", "paket"),
    ContributionKind.VOLUNTEER_HOURS: ("Relawan untuk kegiatan bulanan", "jam"),
    ContributionKind.EXPERTISE: ("Pendampingan oleh tenaga ahli", "sesi"),
    ContributionKind.FACILITIES: ("Pemakaian ruang dan peralatan", "hari"),
}
KINDS = list(DESCRIPTIONS)
SECTORS = list(Organisation.Sector.values)
TYPES = list(Partnership.Type.values)
PRINCIPLES = list(Principle.values)
RETURN_REASON = "Bukti pendukung belum dilampirkan; mohon lengkapi dan kirim ulang."


@dataclass
class _Plan:
    """What later stages need to know about one new synthetic partnership."""

    index: int
    start: datetime.date
    planned_end: datetime.date
    coordinator_id: int
    partnership_id: int = 0
    members: list = field(default_factory=list)  # [(membership_id, organisation_id, representative_id)]
    indicators: list = field(default_factory=list)  # [(indicator_id, baseline, target)]
    cycles: list = field(default_factory=list)  # [(cycle_id, opened_at)], oldest first, the last one open


def _batches(rows, size):
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


class _Run:
    def __init__(self, n, batch_size, log):
        self.n = n
        self.batch_size = batch_size
        self.log = log or (lambda line: None)
        self.started = time.monotonic()
        self.now = timezone.now()
        self.latest = self.now - datetime.timedelta(minutes=1)
        self.today = timezone.localdate(self.now)
        self.this_month = self.today.replace(day=1)
        self.rows = 0
        # Month periods counted back from the current month: (start, end, the morning after it ends).
        self.months = []
        for back in range(max(REPORT_MONTHS, VALUE_MONTHS) + 1):
            month = Period.containing(Frequency.MONTHLY, first_of_month(self.this_month, -back))
            self.months.append((month.start, month.end, self._moment(month.end + datetime.timedelta(days=1))))

    def _moment(self, day, hour=9):
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    def _past(self, value):
        return min(value, self.latest)

    # --- bookkeeping ---------------------------------------------------------------

    def _insert(self, model, rows, *, label=None, expected=None, keep=False):
        """Bulk-insert ``rows`` in batches; return the created objects when ``keep`` (ids set), else the count."""
        stage_started = time.monotonic()
        kept, count, next_report = [], 0, 100_000
        for batch in _batches(rows, self.batch_size):
            created = model.objects.bulk_create(batch, batch_size=self.batch_size)
            reset_queries()  # with DEBUG on, Django keeps every statement: megabytes per batch
            count += len(batch)
            if keep:
                kept.extend(created)
            if label and count >= next_report and expected and count < expected:
                self.log(f"    {label}: {count:,} / {expected:,} rows ({time.monotonic() - self.started:.1f} s)")
                next_report += 100_000
        self.rows += count
        if label:
            self.log(
                f"  {label:<26} {count:>10,} rows  {time.monotonic() - stage_started:6.1f} s"
                f"  (total {time.monotonic() - self.started:.1f} s)"
            )
        if keep:
            if any(obj.pk is None for obj in kept):  # a backend that cannot return ids from bulk inserts
                raise RuntimeError(f"{model.__name__}: the database did not return ids from bulk_create.")
            return kept
        return count

    # --- the run -------------------------------------------------------------------

    def run(self):
        synthetic = Partnership.objects.filter(title__startswith=PARTNERSHIP_PREFIX)
        present = synthetic.count()
        if present >= self.n:
            self.log(
                f"Synthetic data: {present:,} synthetic partnerships already present "
                f"(asked for {self.n:,}); nothing added."
            )
            return 0
        first = self._first_free_index(synthetic)
        new = range(first, first + self.n - present)
        self.log(
            f"Synthetic data: adding {len(new):,} partnerships ({PARTNERSHIP_PREFIX}{new[0] + 1:06d} to "
            f"{new[-1] + 1:06d}); {present:,} already present; batches of {self.batch_size:,} rows"
        )
        with transaction.atomic():
            coordinators, representatives = self._users(new)
            organisations = self._organisations(new, representatives)
            plans = self._partnerships(new, coordinators, organisations)
            self._memberships(plans, organisations, representatives)
            self._goals(plans)
            self._reports(plans)
            self._indicator_values(plans)
            self._evaluations(plans)
            self._decisions(plans)
        self.log(
            f"Synthetic data: {self.n:,} synthetic partnerships now present; {self.rows:,} rows added "
            f"in {time.monotonic() - self.started:.1f} s"
        )
        return self.rows

    def _first_free_index(self, synthetic):
        """Number new partnerships after the highest synthetic title or organisation already used."""
        last_title = synthetic.order_by("-title").values_list("title", flat=True).first()
        last_org = (
            Organisation.objects.filter(name__startswith=ORGANISATION_PREFIX)
            .order_by("-name").values_list("name", flat=True).first()
        )
        used_by_titles = int(last_title[len(PARTNERSHIP_PREFIX):]) if last_title else 0
        used_by_orgs = 0
        if last_org:
            used_by_orgs = math.ceil(int(last_org[len(ORGANISATION_PREFIX):]) / ORGANISATIONS_PER_PARTNERSHIP)
        return max(used_by_titles, used_by_orgs)

    @staticmethod
    def _representative_index(org_index):
        """Spread each representative over 10 organisations in 10 different partnerships."""
        block, position = divmod(org_index, ORGANISATIONS_PER_PARTNERSHIP)
        return block - position if block >= position else block

    def _users(self, new):
        User = get_user_model()
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would take minutes
        coordinator_emails = {
            c: COORDINATOR_EMAIL.format(c + 1)
            for c in range(new[0] // PARTNERSHIPS_PER_COORDINATOR, new[-1] // PARTNERSHIPS_PER_COORDINATOR + 1)
        }
        representative_emails = {
            r: REPRESENTATIVE_EMAIL.format(r + 1)
            for r in range(max(0, new[0] - ORGANISATIONS_PER_PARTNERSHIP + 1), new[-1] + 1)
        }
        wanted = list(coordinator_emails.values()) + list(representative_emails.values())
        existing = dict(User.objects.filter(email__in=wanted).values_list("email", "id"))

        def rows():
            for n, email in enumerate(wanted):
                if email not in existing:
                    yield User(
                        email=email, password=password, preferred_language="id",
                        full_name=f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[(n // 7) % len(LAST_NAMES)]}",
                    )

        for user in self._insert(User, rows(), label="users", keep=True):
            existing[user.email] = user.pk
        return (
            {c: existing[email] for c, email in coordinator_emails.items()},
            {r: existing[email] for r, email in representative_emails.items()},
        )

    def _organisations(self, new, representatives):
        per = ORGANISATIONS_PER_PARTNERSHIP

        def rows():
            for i in new:
                for k in range(per):
                    j = i * per + k
                    yield Organisation(
                        name=f"{ORGANISATION_PREFIX}{j + 1:07d}", sector=SECTORS[j % len(SECTORS)],
                        city=CITIES[j % len(CITIES)], email=f"org{j + 1:07d}@sintetis.example",
                        contact_name=f"{FIRST_NAMES[j % len(FIRST_NAMES)]} {LAST_NAMES[j % len(LAST_NAMES)]}",
                    )

        created = self._insert(Organisation, rows(), label="organisations", keep=True)
        ids = {int(org.name[len(ORGANISATION_PREFIX):]) - 1: org.pk for org in created}
        if new[0] > 0:  # the previous partnership's last organisation also joins the first new one
            shared = new[0] * per - 1
            name = f"{ORGANISATION_PREFIX}{shared + 1:07d}"
            found = Organisation.objects.filter(name=name).values_list("id", flat=True).first()
            if found:
                ids[shared] = found
        links = (
            Organisation.representatives.through(
                organisation_id=org_id, user_id=representatives[self._representative_index(j)]
            )
            for j, org_id in ids.items() if j >= new[0] * per
        )
        self._insert(Organisation.representatives.through, links, label="representative links")
        return ids

    def _partnerships(self, new, coordinators, organisations):
        plans = []
        for i in new:
            start = first_of_month(self.this_month, -(REPORT_MONTHS + i % 12))
            plans.append(_Plan(
                index=i, start=start, planned_end=first_of_month(start, 60) - datetime.timedelta(days=1),
                coordinator_id=coordinators[i // PARTNERSHIPS_PER_COORDINATOR],
            ))

        def status(i):
            if i % 25 == 24:
                return Partnership.Status.COMPLETED
            if i % 20 == 19:
                return Partnership.Status.PAUSED
            return Partnership.Status.ACTIVE

        per = ORGANISATIONS_PER_PARTNERSHIP
        created = self._insert(Partnership, (
            Partnership(
                title=f"{PARTNERSHIP_PREFIX}{p.index + 1:06d}",
                problem_statement=PROBLEMS[p.index % len(PROBLEMS)],
                description="Data sintetis untuk uji beban.",
                type=TYPES[p.index % len(TYPES)], status=status(p.index),
                start_date=p.start, planned_end_date=p.planned_end,
                lead_organisation_id=organisations[p.index * per],  # it joins as the backbone member
                evaluation_frequency=Partnership.EvaluationFrequency.QUARTERLY,
            )
            for p in plans
        ), label="partnerships", keep=True)
        for plan, partnership in zip(plans, created):
            plan.partnership_id = partnership.pk
        self._insert(Partnership.coordinators.through, (
            Partnership.coordinators.through(partnership_id=p.partnership_id, user_id=p.coordinator_id) for p in plans
        ), label="coordinator links")
        return plans

    def _memberships(self, plans, organisations, representatives):
        per = ORGANISATIONS_PER_PARTNERSHIP
        roles = {0: Membership.Role.BACKBONE, 1: Membership.Role.FUNDER, per - 2: Membership.Role.ADVISOR}
        orgs_of = {}
        for plan in plans:
            own = [plan.index * per + k for k in range(per - 1)]
            shared = plan.index * per - 1
            orgs_of[plan.index] = own + [shared if shared in organisations else plan.index * per + per - 1]

        def rows():
            for plan in plans:
                for k, j in enumerate(orgs_of[plan.index]):
                    ending_soon = (plan.index * per + k) % 29 == 0
                    yield Membership(
                        partnership_id=plan.partnership_id, organisation_id=organisations[j],
                        role=roles.get(k, Membership.Role.MEMBER), joined_on=plan.start,
                        commitment_statement="Berkomitmen menyumbang dana, tenaga dan keahlian sesuai rencana kerja.",
                        commitment_start=plan.start,
                        commitment_end=(self.today + datetime.timedelta(days=5 + (plan.index + k) % 50))
                        if ending_soon else plan.planned_end,
                        expected_benefits="Jangkauan program lebih luas dan data bersama untuk perencanaan.",
                        reporting_frequency=Frequency.MONTHLY,
                    )

        created = iter(self._insert(Membership, rows(), label="memberships", keep=True))
        for plan in plans:
            for j in orgs_of[plan.index]:
                membership = next(created)
                plan.members.append((membership.pk, organisations[j], representatives[self._representative_index(j)]))
        self._insert(Pledge, (
            Pledge(membership_id=mid, kind=KINDS[k % len(KINDS)], description=DESCRIPTIONS[KINDS[k % len(KINDS)]][0],
                   quantity=Decimal(12), unit=DESCRIPTIONS[KINDS[k % len(KINDS)]][1],
                   value=Decimal(5_000_000 * (1 + (plan.index + k) % 20)))
            for plan in plans for k, (mid, _org, _rep) in enumerate(plan.members)
        ), label="pledges")

    def _goals(self, plans):
        goals = self._insert(SharedGoal, (
            SharedGoal(partnership_id=plan.partnership_id, title=title, order=order,
                       description="Tujuan bersama kemitraan sintetis.")
            for plan in plans for order, (title, _indicators) in enumerate(GOALS, start=1)
        ), label="shared goals", keep=True)
        specs = []
        for plan, start in zip(plans, range(0, len(goals), len(GOALS))):
            for goal, (_title, indicators) in zip(goals[start:start + len(GOALS)], GOALS):
                for name, unit, baseline, target, direction in indicators:
                    specs.append((plan, Indicator(goal_id=goal.pk, name=name, unit=unit, baseline=Decimal(baseline),
                                                  target=Decimal(target), direction=direction,
                                                  target_date=plan.planned_end)))
        created = self._insert(Indicator, (indicator for _plan, indicator in specs), label="indicators", keep=True)
        for (plan, _), indicator in zip(specs, created):
            plan.indicators.append((indicator.pk, float(indicator.baseline), float(indicator.target)))

    def _reports(self, plans):
        def rows():
            for plan in plans:
                rng = random.Random(plan.index)
                for m, (mid, _org, rep) in enumerate(plan.members):
                    for r in range(REPORTS_PER_MEMBER):
                        back = REPORT_MONTHS - 1 - (r * REPORT_MONTHS) // REPORTS_PER_MEMBER
                        start, end, after_end = self.months[back]
                        kind = KINDS[(r + m) % len(KINDS)]
                        description, unit = DESCRIPTIONS[kind]
                        quantity, value = self._amount(kind, rng)
                        status = self._report_status(back, rng.random())
                        report = ContributionReport(
                            membership_id=mid, period_start=start, period_end=end, kind=kind,
                            quantity=quantity, unit=unit, value=value, description=description,
                            status=status, created_by_id=rep,
                        )
                        if status != ContributionReport.Status.DRAFT:
                            submitted = self._past(after_end + datetime.timedelta(days=rng.randint(0, 9)))
                            report.submitted_at = submitted
                            if status != ContributionReport.Status.SUBMITTED:
                                report.reviewed_by_id = plan.coordinator_id
                                report.reviewed_at = self._past(submitted + datetime.timedelta(days=rng.randint(1, 7)))
                                if status == ContributionReport.Status.RETURNED:
                                    report.return_reason = RETURN_REASON
                        yield report

        expected = len(plans) * len(plans[0].members) * REPORTS_PER_MEMBER if plans else 0
        self._insert(ContributionReport, rows(), label="contribution reports", expected=expected)

    @staticmethod
    def _amount(kind, rng):
        if kind == ContributionKind.FUNDS:
            return Decimal(1), Decimal(rng.randint(1, 100) * 1_000_000)
        if kind == ContributionKind.IN_KIND:
            quantity = rng.randint(1, 50)
            return Decimal(quantity), Decimal(quantity * rng.randint(1, 20) * 50_000)
        if kind == ContributionKind.VOLUNTEER_HOURS:
            quantity = rng.randint(10, 200)
            return Decimal(quantity), Decimal(quantity * 25_000)
        if kind == ContributionKind.EXPERTISE:
            quantity = rng.randint(1, 20)
            return Decimal(quantity), Decimal(quantity * 2_000_000)
        quantity = rng.randint(1, 30)
        return Decimal(quantity), Decimal(quantity * 500_000)

    @staticmethod
    def _report_status(months_back, draw):
        """Recent months are still being reported and reviewed; older ones are almost all accepted."""
        S = ContributionReport.Status
        if months_back == 0:
            return S.DRAFT if draw < 0.5 else S.SUBMITTED
        if months_back == 1:
            return S.SUBMITTED if draw < 0.5 else S.RETURNED if draw < 0.65 else S.DRAFT if draw < 0.75 else S.ACCEPTED
        if months_back <= 3:
            return S.ACCEPTED if draw < 0.85 else S.SUBMITTED if draw < 0.95 else S.RETURNED
        return S.ACCEPTED if draw < 0.97 else S.RETURNED

    def _indicator_values(self, plans):
        def rows():
            for plan in plans:
                rng = random.Random(-plan.index - 1)
                for indicator_id, baseline, target in plan.indicators:
                    for mid, _org, rep in plan.members:
                        for step, back in enumerate(range(VALUE_MONTHS - 1, -1, -1)):
                            start, end, _after = self.months[back]
                            progress = step / (VALUE_MONTHS - 1) * rng.uniform(0.6, 1.0)
                            value = baseline + (target - baseline) * progress + rng.uniform(-1, 1)
                            yield IndicatorValue(
                                indicator_id=indicator_id, membership_id=mid, period_start=start, period_end=end,
                                value=Decimal(f"{max(value, 0):.2f}"), reported_by_id=rep,
                            )

        expected = sum(len(p.indicators) * len(p.members) for p in plans) * VALUE_MONTHS
        self._insert(IndicatorValue, rows(), label="indicator values", expected=expected)

    def _evaluations(self, plans):
        # Quarterly cycles on the calendar of the daily cycles_advance job: the current quarter's
        # is open, earlier ones closed the day after their due date (the previous quarter's is
        # still open during the first two weeks of a quarter).
        deadlines = Deadlines.load()
        this_quarter = deadlines.cycle_period(Frequency.QUARTERLY, self.today)
        quarters = []
        for back in range(CLOSED_CYCLES, -1, -1):  # oldest first
            quarter = deadlines.cycle_period(Frequency.QUARTERLY, first_of_month(this_quarter.start, -3 * back))
            start, end = quarter.start, quarter.end
            due = deadlines.cycle_due_date(end)
            closed_at = None if due >= self.today else self._past(self._moment(due + datetime.timedelta(days=1), 1))
            quarters.append((start, end, due, self._past(self._moment(start, 7)), closed_at))
        cycles = []
        for plan in plans:
            for start, end, due, opened, closed_at in quarters:
                cycles.append((plan, opened, EvaluationCycle(
                    partnership_id=plan.partnership_id, period_start=start, period_end=end, due_date=due,
                    status=EvaluationCycle.Status.CLOSED if closed_at else EvaluationCycle.Status.OPEN,
                    opened_at=opened, closed_at=closed_at,
                )))
        created = self._insert(
            EvaluationCycle, (c for _plan, _opened, c in cycles), label="evaluation cycles", keep=True
        )
        for (plan, opened, _), cycle in zip(cycles, created):
            plan.cycles.append((cycle.pk, opened))

        def responses():
            for plan in plans:
                rng = random.Random(plan.index * 7 + 3)
                for c, (cycle_id, opened) in enumerate(plan.cycles):
                    current = c == len(plan.cycles) - 1  # the current quarter: only begun answering
                    answering = plan.members[:2] if current else plan.members[:ANSWERS_PER_CLOSED_CYCLE]
                    for m, (mid, _org, rep) in enumerate(answering):
                        draft = current and m == 1
                        scores = {name: rng.choice((2, 3, 3, 4, 4, 4, 5, 5)) for name in SCORE_FIELDS.values()}
                        if draft:
                            scores = {
                                name: (score if n < 3 else None) for n, (name, score) in enumerate(scores.items())
                            }
                        yield EvaluationResponse(
                            cycle_id=cycle_id, membership_id=mid, **scores,
                            benefit_received="Jaringan kerja bertambah dan program lebih dikenal masyarakat.",
                            what_works="Koordinasi rutin berjalan baik.",
                            what_to_change="" if draft else "Pembagian tugas perlu lebih jelas.",
                            status=EvaluationResponse.Status.DRAFT if draft else EvaluationResponse.Status.SUBMITTED,
                            submitted_at=None if draft else self._past(opened + datetime.timedelta(days=20 + m)),
                            submitted_by_id=None if draft else rep,
                        )

        expected = len(plans) * (CLOSED_CYCLES * ANSWERS_PER_CLOSED_CYCLE + 2)
        self._insert(EvaluationResponse, responses(), label="evaluation responses", expected=expected)

        findings = self._insert(Finding, (
            Finding(cycle_id=plan.cycles[c][0], principle=PRINCIPLES[(plan.index + c) % len(PRINCIPLES)],
                    title="Temuan evaluasi", description="Perlu perbaikan koordinasi antar mitra.",
                    created_by_id=plan.coordinator_id)
            for plan in plans for c in (CLOSED_CYCLES - 2, CLOSED_CYCLES - 1)
        ), label="findings", keep=True)
        S = FollowUpAction.Status

        def actions():
            for plan, (older, newer) in zip(plans, zip(findings[0::2], findings[1::2])):
                members = plan.members
                yield FollowUpAction(
                    partnership_id=plan.partnership_id, finding_id=older.pk, title="Menyusun jadwal koordinasi",
                    owner_organisation_id=members[0][1], due_date=self.today - datetime.timedelta(days=40),
                    status=S.DONE, completed_at=self._past(self._moment(self.today - datetime.timedelta(days=45))),
                )
                yield FollowUpAction(
                    partnership_id=plan.partnership_id, finding_id=newer.pk, title="Melengkapi data laporan",
                    owner_organisation_id=members[2][1],
                    due_date=self.today - datetime.timedelta(days=5 + plan.index % 30), status=S.OPEN,
                )
                yield FollowUpAction(
                    partnership_id=plan.partnership_id, finding_id=newer.pk, title="Pelatihan pelaporan untuk mitra",
                    owner_organisation_id=members[3][1],
                    due_date=self.today + datetime.timedelta(days=1 + plan.index % 14), status=S.IN_PROGRESS,
                )

        self._insert(FollowUpAction, actions(), label="follow-up actions")

    def _decisions(self, plans):
        choices = list(Vote.Choice.values)
        ballots, decisions = [], []
        for plan in plans:
            rng = random.Random(plan.index * 11 + 5)
            closed_votes = [rng.choice(choices) for _member in plan.members]
            open_votes = [rng.choice(choices) for _member in plan.members[:4]]
            closes = self.now - datetime.timedelta(days=30 + plan.index % 60)
            decisions.append(Decision(
                partnership_id=plan.partnership_id, title="Menyetujui rencana kerja tahunan",
                description="Rencana kerja dan anggaran bersama untuk tahun berjalan.",
                proposed_by_id=plan.coordinator_id, proposed_by_organisation_id=plan.members[0][1],
                closes_at=closes, status=Decision.Status.CLOSED,
                outcome=decision_outcome(agree=closed_votes.count(Vote.Choice.AGREE),
                                         disagree=closed_votes.count(Vote.Choice.DISAGREE)),
                closed_at=closes,
            ))
            decisions.append(Decision(
                partnership_id=plan.partnership_id, title="Menambah anggota kemitraan",
                description="Mengundang dua organisasi baru menjadi anggota.",
                proposed_by_id=plan.coordinator_id, proposed_by_organisation_id=plan.members[0][1],
                closes_at=self.now + datetime.timedelta(days=7 + plan.index % 14),
            ))
            ballots.append((closes - datetime.timedelta(days=10), closed_votes))
            ballots.append((self._past(self.now - datetime.timedelta(days=2)), open_votes))
        created = self._insert(Decision, decisions, label="decisions", keep=True)

        def votes():
            for n, (decision, (cast_at, chosen)) in enumerate(zip(created, ballots)):
                plan = plans[n // 2]
                for (mid, _org, rep), choice in zip(plan.members, chosen):
                    yield Vote(
                        decision_id=decision.pk, membership_id=mid, choice=choice, cast_by_id=rep, cast_at=cast_at
                    )

        self._insert(Vote, votes(), label="votes")


def build_synthetic(n: int, *, batch_size: int = DEFAULT_BATCH_SIZE, log=None) -> int:
    """Add synthetic partnerships until ``n`` exist; return the number of rows added (0 if none were needed)."""
    return _Run(n, batch_size, log).run()
