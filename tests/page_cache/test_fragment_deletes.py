"""A deletion refreshes every cached page that showed what it removed (issue 19, F5).

Deleting a person or a record also removes or empties the rows that point at it: CASCADEs (link
rows of coordinators and representatives, a cycle's answers, ...) and SET_NULLs (the reviewer of a
report, who answered, who voted, ...), the latter in one UPDATE that sends no signal. Each kind of
deletion runs here through the path an administrator takes (the admin's delete page, or the
``.delete()`` its inlines call), between two visits of a cached page that showed it.
"""
import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from evaluations.models import EvaluationCycle, EvaluationResponse
from partners.models import Attachment, Organisation, Partnership
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.timezone.utc)
TODAY = NOW.date()
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fixed_day():
    with time_machine.travel(NOW, tick=False):
        yield


def main_of(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('<main id="main"'):html.index("</main>")]


def admin_delete(admin_client, obj):
    """Delete ``obj`` on its admin delete page, as an administrator does."""
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not type(obj).objects.filter(pk=obj.pk).exists()


@pytest.fixture
def users(coordinator, partner_a, partner_b, membership_a, membership_b, partnership, report_a):
    return {"coordinator": coordinator, "partner_a": partner_a, "partner_b": partner_b,
            "membership_a": membership_a, "membership_b": membership_b, "partnership": partnership,
            "report_a": report_a}


def _open_cycle(u, **fields):
    return f.EvaluationCycleFactory(partnership=u["partnership"], status=EvaluationCycle.Status.OPEN,
                                    period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 3, 31),
                                    due_date=TODAY + datetime.timedelta(days=5), **fields)


def _answer(u, cycle, membership, **fields):
    return f.EvaluationResponseFactory(cycle=cycle, membership=membership, status=EvaluationResponse.Status.SUBMITTED,
                                       submitted_at=timezone.now(), **fields)


def _detail(u, w):
    return reverse("workspace:partnership_detail", args=[u["partnership"].pk])


def _cycle_page(u, w):
    return reverse("evaluations:cycle_detail", args=[w["cycle"].pk])


def _partner_home(u, w):
    return reverse("workspace:partner_home")


# --- what each case sets up: (the thing to delete, what else the page needs) -------------------------------


def coordinator_user(u):
    leaving = f.UserFactory(full_name="Koordinator Pergi")
    u["partnership"].coordinators.add(leaving)
    return leaving, {}


def person_named_on_an_answer_only(u):
    """Someone who answered for org A and has since stopped representing it: only the answer names them."""
    former = f.UserFactory(full_name="Penjawab Lama")
    cycle = _open_cycle(u)
    _answer(u, cycle, u["membership_a"], submitted_by=former)
    return former, {"cycle": cycle}


def organisation(u):
    org = f.OrganisationFactory(name="Yayasan Akan Bubar")
    f.MembershipFactory(partnership=u["partnership"], organisation=org)
    return org, {}


def membership(u):
    return f.MembershipFactory(partnership=u["partnership"], organisation=f.OrganisationFactory(name="Mitra Keluar")), {}


def report(u):
    return u["report_a"], {}


def goal(u):
    return f.SharedGoalFactory(partnership=u["partnership"], title="Tujuan Dihapus"), {}


def indicator(u):
    goal = f.SharedGoalFactory(partnership=u["partnership"], title="Tujuan Tetap")
    return f.IndicatorFactory(goal=goal, name="Indikator Dihapus"), {}


def indicator_value(u):
    goal = f.SharedGoalFactory(partnership=u["partnership"], title="Tujuan Terukur")
    measured = f.IndicatorFactory(goal=goal, name="Indikator Terukur", baseline=Decimal("0"), target=Decimal("100"))
    return f.IndicatorValueFactory(indicator=measured, membership=u["membership_a"], value=Decimal("43.21")), {}


def cycle(u):
    return _open_cycle(u, title="Siklus Dihapus"), {}


def response(u):
    cycle = _open_cycle(u)
    return _answer(u, cycle, u["membership_a"], what_works="Rapat bulanan berjalan baik"), {"cycle": cycle}


def finding(u):
    cycle = _open_cycle(u)
    found = f.FindingFactory(cycle=cycle, title="Temuan Dihapus")
    f.FollowUpActionFactory(partnership=u["partnership"], finding=found, title="Tindakan Temuan",
                            owner_organisation=u["membership_a"].organisation)
    return found, {"cycle": cycle}


def follow_up_action(u):
    return f.FollowUpActionFactory(partnership=u["partnership"], owner_organisation=u["membership_a"].organisation,
                                   title="Tindakan Dihapus", due_date=TODAY + datetime.timedelta(days=3)), {}


def coordinator_link_row(u):
    leaving = f.UserFactory(full_name="Koordinator Dilepas")
    u["partnership"].coordinators.add(leaving)
    return Partnership.coordinators.through.objects.get(partnership=u["partnership"], user=leaving), {}


def representative_link_row(u):
    u["membership_b"].organisation.representatives.add(u["coordinator"])
    return Organisation.representatives.through.objects.get(organisation=u["membership_b"].organisation,
                                                            user=u["coordinator"]), {}


LINK_PREFIXES = {Partnership.coordinators.through: "Partnership_coordinators-",
                 Organisation.representatives.through: "Organisation_representatives-"}


def admin_unlink(admin_client, row):
    """Remove a link row on the person's admin page (its inline's delete box), as an administrator does.

    Django sends no save or delete signal for the rows of an auto-created link table."""
    person = row.user
    data = {"email": person.email, "full_name": person.full_name, "preferred_language": "id", "is_active": "on",
            "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00"}
    for through, prefix in LINK_PREFIXES.items():
        rows = list(through.objects.filter(user=person).order_by("pk"))
        data.update({f"{prefix}TOTAL_FORMS": len(rows), f"{prefix}INITIAL_FORMS": len(rows)})
        for i, link in enumerate(rows):
            other = "partnership" if through is Partnership.coordinators.through else "organisation"
            data.update({f"{prefix}{i}-id": link.pk, f"{prefix}{i}-user": person.pk,
                         f"{prefix}{i}-{other}": getattr(link, f"{other}_id")})
            if link.pk == row.pk:
                data[f"{prefix}{i}-DELETE"] = "on"
    response = admin_client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not type(row).objects.filter(pk=row.pk).exists()


def unlink_from_the_persons_side(row):
    """``user.coordinated_partnerships.clear()`` / ``user.organisations.remove(org)``: the m2m API, reversed."""
    if isinstance(row, Partnership.coordinators.through):
        row.user.coordinated_partnerships.clear()
    else:
        row.user.organisations.remove(row.organisation)


# (case, who looks, page, text shown before and gone after, how it is deleted)
RENDERED = [
    (coordinator_user, "coordinator", _detail, "Koordinator Pergi", "admin"),
    (person_named_on_an_answer_only, "coordinator", _cycle_page, "Penjawab Lama", "admin"),
    (organisation, "coordinator", _detail, "Yayasan Akan Bubar", "admin"),
    (membership, "coordinator", _detail, "Mitra Keluar", "admin"),
    (report, "partner_a", _partner_home, "-report link-", "admin"),
    (goal, "coordinator", _detail, "Tujuan Dihapus", "admin"),
    (indicator, "coordinator", _detail, "Indikator Dihapus", "admin"),
    (indicator_value, "coordinator", _detail, "43,21", "admin"),
    (cycle, "partner_a", _partner_home, "Siklus Dihapus", "admin"),
    (response, "coordinator", _cycle_page, "Rapat bulanan berjalan baik", "admin"),
    (finding, "coordinator", _cycle_page, "Temuan Dihapus", "admin"),
    (follow_up_action, "partner_a", _partner_home, "Tindakan Dihapus", "admin"),
    # link rows: on the person's admin page, and through the m2m API from the person's side
    (coordinator_link_row, "coordinator", _detail, "Koordinator Dilepas", "admin inline"),
    (representative_link_row, "coordinator", lambda u, w: reverse("workspace:home"), 'href="/mitra/"', "admin inline"),
    (coordinator_link_row, "coordinator", _detail, "Koordinator Dilepas", "m2m"),
    (representative_link_row, "coordinator", lambda u, w: reverse("workspace:home"), 'href="/mitra/"', "m2m"),
]


@pytest.mark.parametrize("case,who,page,text,how", RENDERED, ids=[f"{c[0].__name__} ({c[4]})" for c in RENDERED])
def test_a_deletion_shows_on_the_next_visit(client, admin_client, users, case, who, page, text, how):
    target, world = case(users)
    client.force_login(users[who])
    url = page(users, world)
    client.get(url)
    before = main_of(client.get(url))
    assert not client.get(url).templates  # cached
    if text == "-report link-":
        text = f'href="{target.get_absolute_url()}"'
    assert text in before
    if how == "admin":
        admin_delete(admin_client, target)
    elif how == "admin inline":
        admin_unlink(admin_client, target)
    else:
        unlink_from_the_persons_side(target)
    after = main_of(client.get(url))
    assert text not in after


# --- deletions whose traces no cached page shows today: their partnership's token changes all the same -----


def _token(partnership):
    return Partnership.objects.values_list("cache_token", flat=True).get(pk=partnership.pk)


def _attachment(u):
    attachment = Attachment(report=u["report_a"], original_name="kuitansi.pdf", content_type="application/pdf",
                            size=len(PDF), uploaded_by=u["partner_a"])
    attachment.file.save("kuitansi.pdf", ContentFile(PDF), save=True)
    return attachment


def _decision(u, **fields):
    return f.DecisionFactory(partnership=u["partnership"], **fields)


NOT_SHOWN_YET = {
    "attachment": lambda u: _attachment(u),
    "decision": lambda u: _decision(u),
    "vote": lambda u: f.VoteFactory(decision=_decision(u), membership=u["membership_a"]),
}


@pytest.mark.parametrize("kind", NOT_SHOWN_YET)
def test_deleting_any_record_of_a_partnership_changes_its_token(admin_client, users, kind):
    target = NOT_SHOWN_YET[kind](users)
    before = _token(users["partnership"])
    if kind == "attachment":  # the admin removes files on the report's page: the service its inline calls
        from partners import services

        services.attachment_delete(attachment=target, user=users["coordinator"])
    else:
        admin_delete(admin_client, target)
    assert _token(users["partnership"]) != before


# Every field that names a person on a record of a partnership (SET_NULL when the person is deleted).
NAMED_BY = {
    "report created_by": lambda u, p: f.ContributionReportFactory(membership=u["membership_b"], created_by=p),
    "report reviewed_by": lambda u, p: f.ContributionReportFactory(membership=u["membership_b"], reviewed_by=p),
    "indicator value reported_by": lambda u, p: f.IndicatorValueFactory(
        indicator=f.IndicatorFactory(goal=f.SharedGoalFactory(partnership=u["partnership"])),
        membership=u["membership_b"], reported_by=p),
    "attachment uploaded_by": lambda u, p: Attachment.objects.filter(pk=_attachment(u).pk).update(uploaded_by=p),
    "response submitted_by": lambda u, p: _answer(u, _open_cycle(u), u["membership_b"], submitted_by=p),
    "finding created_by": lambda u, p: f.FindingFactory(cycle=_open_cycle(u), created_by=p),
    "decision proposed_by": lambda u, p: _decision(u, proposed_by=p),
    "vote cast_by": lambda u, p: f.VoteFactory(decision=_decision(u), membership=u["membership_b"], cast_by=p),
}


@pytest.mark.parametrize("field", NAMED_BY)
def test_deleting_a_person_changes_the_token_of_every_partnership_whose_records_name_them(admin_client, users,
                                                                                         field):
    """The person neither coordinates nor represents anyone there any more: only the record names them."""
    former = f.UserFactory(full_name="Orang Lama")
    NAMED_BY[field](users, former)
    other = f.PartnershipFactory(title="Kemitraan Lain")
    before, other_before = _token(users["partnership"]), _token(other)
    admin_delete(admin_client, former)
    assert _token(users["partnership"]) != before
    assert _token(other) == other_before  # only the partnerships that showed them


def test_deleting_a_person_in_nothing_touches_no_partnership(admin_client, users):
    loner = f.UserFactory(full_name="Tidak Di Mana-mana")
    before = _token(users["partnership"])
    admin_delete(admin_client, loner)
    assert _token(users["partnership"]) == before


def test_a_link_added_on_the_persons_admin_page_shows_on_the_next_visit(client, admin_client, users):
    """Adding is the other half of the inline: its new rows send no signal either."""
    newcomer = f.UserFactory(full_name="Koordinator Baru Masuk")
    client.force_login(users["coordinator"])
    url = _detail(users, {})
    client.get(url)
    assert "Koordinator Baru Masuk" not in main_of(client.get(url))
    prefix = LINK_PREFIXES[Partnership.coordinators.through]
    data = {"email": newcomer.email, "full_name": newcomer.full_name, "preferred_language": "id", "is_active": "on",
            "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
            "Organisation_representatives-TOTAL_FORMS": 0, "Organisation_representatives-INITIAL_FORMS": 0,
            f"{prefix}TOTAL_FORMS": 1, f"{prefix}INITIAL_FORMS": 0,
            f"{prefix}0-user": newcomer.pk, f"{prefix}0-partnership": users["partnership"].pk}
    response = admin_client.post(reverse("admin:accounts_user_change", args=[newcomer.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Koordinator Baru Masuk" in main_of(client.get(url))


def test_a_person_named_only_on_a_record_is_renamed_on_the_next_visit(client, users):
    """The rule deletions follow holds for changes too: a record naming someone shows their new name."""
    former, world = person_named_on_an_answer_only(users)
    client.force_login(users["coordinator"])
    url = _cycle_page(users, world)
    client.get(url)
    assert "Penjawab Lama" in main_of(client.get(url))
    former.full_name = "Penjawab Berganti Nama"
    former.save()
    assert "Penjawab Berganti Nama" in main_of(client.get(url))
