"""The report submit's cheap write path writes what the ORM would: ``kemitraan.rows.insert``,
``kemitraan.history.history_row``, ``partners.signals.touch`` and ``selectors.membership_of_user``."""
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from kemitraan import rows
from kemitraan.history import history_row
from partners import services
from partners.models import ContributionReport, Partnership
from partners.selectors import membership_of_user, memberships_for_user
from partners.signals import touch
from tests import factories as f

pytestmark = pytest.mark.django_db

FIELDS = {"period_start": datetime.date(2026, 1, 1), "period_end": datetime.date(2026, 1, 31), "kind": "funds",
          "quantity": Decimal("2.50"), "unit": "paket", "value": Decimal("125000.00"), "description": "Bantuan"}
SET_BY_THE_DATABASE_OR_CLOCK = {"id", "created_at", "updated_at", "history_id", "history_date"}


def _values(obj):
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields
            if field.attname not in SET_BY_THE_DATABASE_OR_CLOCK}


def _saved(model, pk):
    return model.objects.get(pk=pk)


def test_insert_writes_the_row_save_writes(membership_a, partner_a):
    by_save = ContributionReport(membership=membership_a, created_by=partner_a, **FIELDS)
    by_save.save()
    by_insert = rows.insert(ContributionReport(membership=membership_a, created_by=partner_a, **FIELDS))
    assert by_insert.pk and by_insert.pk != by_save.pk
    assert not by_insert._state.adding and by_insert._state.db == "default"
    assert by_insert.created_at is not None and by_insert.updated_at is not None  # auto_now(_add) filled in
    assert _values(_saved(ContributionReport, by_insert.pk)) == _values(_saved(ContributionReport, by_save.pk))
    assert _saved(ContributionReport, by_insert.pk).created_at == by_insert.created_at


def test_insert_refuses_a_saved_instance(report_a):
    with pytest.raises(ValueError):
        rows.insert(report_a)


def test_history_row_is_the_row_simple_history_writes(membership_a, partner_a):
    by_save = ContributionReport(membership=membership_a, created_by=partner_a, **FIELDS)
    by_save._history_user = partner_a
    by_save.save()
    expected = by_save.history.get()
    report = rows.insert(ContributionReport(membership=membership_a, created_by=partner_a, **FIELDS))
    written = rows.insert(history_row(report, "+", partner_a))
    saved = type(expected).objects.get(pk=written.pk)
    assert saved.id == report.pk and saved.history_user == partner_a and saved.history_type == "+"
    assert _values(saved) == _values(expected)  # every tracked field, the type, the user, the reason
    assert report.history.get() == saved


def test_history_row_keeps_a_change_reason_and_no_user(membership_a):
    report = rows.insert(ContributionReport(membership=membership_a, **FIELDS))
    report._change_reason = "impor"
    row = rows.insert(history_row(report, "~"))
    assert (row.history_change_reason, row.history_user_id, row.history_type) == ("impor", None, "~")


def test_the_receivers_report_create_stands_in_for_are_the_only_ones():
    """report_create writes without save(), doing the work of these receivers itself (the history row and
    the partnership's new cache token). A new receiver of a report's post_save must be added there too."""
    receivers = [receiver for receiver in post_save._live_receivers(ContributionReport)[0]]
    names = sorted(getattr(r, "__qualname__", type(r).__qualname__) for r in receivers)
    assert names == ["HistoricalRecords.post_save", "saved"], names


def test_report_create_writes_report_history_links_and_one_new_token(membership_a, partner_a, partnership):
    goals = [f.SharedGoalFactory(partnership=partnership) for _ in range(2)]
    untouched = f.PartnershipFactory()
    before = {p.pk: p.cache_token for p in Partnership.objects.all()}
    with CaptureQueriesContext(connection) as ctx:
        report = services.report_create(membership=membership_a, user=partner_a, goals=[*goals, goals[0]], **FIELDS)
    report = ContributionReport.objects.get(pk=report.pk)
    assert {name: getattr(report, name) for name in FIELDS} == FIELDS
    assert report.status == "draft" and report.created_by == partner_a and report.membership == membership_a
    assert set(report.goals.all()) == set(goals)
    history = report.history.get()
    assert history.history_type == "+" and history.history_user == partner_a and history.description == "Bantuan"
    by_save = ContributionReport(membership=membership_a, created_by=partner_a, **FIELDS)
    by_save._history_user = partner_a
    by_save.save()
    assert _values(report) == _values(by_save)  # on PostgreSQL written by one statement, elsewhere by insert()
    assert _values(history) == _values(by_save.history.get())
    after = {p.pk: p.cache_token for p in Partnership.objects.all()}
    assert after[partnership.pk] != before[partnership.pk]
    assert after[untouched.pk] == before[untouched.pk]
    written = "\n".join(rows.Statement.source(q["sql"]) for q in ctx.captured_queries)
    assert written.count('UPDATE "partners_partnership"') == 1, written  # one new token, also with goals


@pytest.mark.parametrize("with_goals", [False, True], ids=["no goals", "goals"])
def test_report_create_for_representative_writes_what_report_create_writes(membership_a, partner_a, partnership,
                                                                           with_goals):
    goals = [f.SharedGoalFactory(partnership=partnership) for _ in range(2)] if with_goals else []
    untouched = f.PartnershipFactory()
    before = {p.pk: p.cache_token for p in Partnership.objects.all()}
    with CaptureQueriesContext(connection) as ctx:
        report = services.report_create_for_representative(membership_id=membership_a.pk, user=partner_a,
                                                            goals=goals, **FIELDS)
    expected = services.report_create(membership=membership_a, user=partner_a, goals=goals, **FIELDS)
    saved, expected = ContributionReport.objects.get(pk=report.pk), ContributionReport.objects.get(pk=expected.pk)
    assert not report._state.adding and report.membership_id == membership_a.pk
    assert _values(saved) == _values(expected)
    assert _values(saved.history.get()) == _values(expected.history.get())
    assert set(saved.goals.all()) == set(expected.goals.all()) == set(goals)
    after = {p.pk: p.cache_token for p in Partnership.objects.all()}
    assert after[partnership.pk] != before[partnership.pk] and after[untouched.pk] == before[untouched.pk]
    sent = [rows.Statement.source(q["sql"]) for q in ctx.captured_queries]
    if connection.vendor == "postgresql":  # the member checked inside the one statement that writes
        assert len(sent) == 1 and sent[0].startswith("WITH member AS"), sent


@pytest.mark.parametrize("member", ["other organisation's", "unknown"])
def test_report_create_for_representative_refuses_a_member_not_the_user_s(membership_a, membership_b, partner_a,
                                                                          partnership, member):
    from django.core.exceptions import ValidationError

    goal = f.SharedGoalFactory(partnership=membership_b.partnership)
    before = {p.pk: p.cache_token for p in Partnership.objects.all()}
    membership_id = membership_b.pk if member == "other organisation's" else membership_b.pk + 1000
    with pytest.raises(ValidationError) as refused:
        services.report_create_for_representative(membership_id=membership_id, user=partner_a, goals=[goal], **FIELDS)
    assert set(refused.value.error_dict) == {"membership"}
    assert refused.value.error_dict["membership"][0].code == "invalid_choice"
    assert not ContributionReport.objects.exists() and not ContributionReport.history.exists()
    assert not ContributionReport.goals.through.objects.exists()
    assert {p.pk: p.cache_token for p in Partnership.objects.all()} == before


def test_report_create_refuses_bad_values_and_writes_nothing(membership_a, partner_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.report_create(membership=membership_a, user=partner_a, **{**FIELDS, "quantity": Decimal("-1")})
    assert not ContributionReport.objects.exists()
    assert not ContributionReport.history.exists()


def test_touch_gives_the_listed_partnerships_new_tokens_only(partnership, other_partnership):
    third = f.PartnershipFactory()
    before = {p.pk: p.cache_token for p in Partnership.objects.all()}
    touch([partnership.pk, str(other_partnership.pk), None, 0, partnership.pk])
    after = {p.pk: p.cache_token for p in Partnership.objects.all()}
    assert after[partnership.pk] != before[partnership.pk] and after[other_partnership.pk] != before[other_partnership.pk]
    assert after[third.pk] == before[third.pk]
    touch([])
    assert {p.pk: p.cache_token for p in Partnership.objects.all()} == after


def test_membership_of_user_is_the_row_of_memberships_for_user(partner_a, membership_a, membership_b, outsider):
    found = membership_of_user(partner_a, membership_a.pk)
    assert found == memberships_for_user(partner_a).get(pk=membership_a.pk)
    assert _values(found) == _values(membership_a) and found.created_at == membership_a.created_at
    assert found.created_at.tzinfo is not None  # converted as the ORM converts (aware, on SQLite too)
    assert membership_of_user(partner_a, str(membership_a.pk)) == membership_a
    assert membership_of_user(partner_a, membership_b.pk) is None  # another organisation's member
    assert membership_of_user(outsider, membership_a.pk) is None


@pytest.mark.parametrize("value", ["abc", "-1", "1.0", "", " ", "99999999999999999999", "１", "1e3", "0x1"])
def test_membership_of_user_finds_nothing_for_what_is_no_id(partner_a, membership_a, value):
    assert membership_of_user(partner_a, value) is None
    assert ContributionReport.objects.count() == 0  # the connection still works after it


def test_membership_of_user_of_an_anonymous_visitor_is_none(membership_a):
    from django.contrib.auth.models import AnonymousUser

    assert membership_of_user(AnonymousUser(), membership_a.pk) is None


def test_report_form_submit_makes_no_choice_queryset_until_choices_are_needed(partner_a, membership_a, partnership):
    from partners.forms.reports import ReportForm

    goal = f.SharedGoalFactory(partnership=partnership, title="Air bersih")
    data = {"membership": membership_a.pk, **{k: str(v) for k, v in FIELDS.items()}}
    form = ReportForm(data, user=partner_a)
    assert form.is_valid(), form.errors
    # a new report's member without goals: its id, which the write checks (services.report_create_for_representative)
    assert form.cleaned_data["membership"] == membership_a.pk and form.cleaned_data["goals"] == []
    assert form.fields["membership"]._queryset is None and form.fields["goals"]._queryset is None
    # shown again, the choices are the user's memberships and their partnerships' goals
    assert f'value="{membership_a.pk}"' in str(form["membership"]) and "Air bersih" in str(form["goals"])
    ticked = ReportForm({**data, "goals": [goal.pk]}, user=partner_a)
    assert ticked.is_valid(), ticked.errors
    assert list(ticked.cleaned_data["goals"]) == [goal]
    assert ticked.cleaned_data["membership"] == membership_a  # read, to check the goals against its partnership


def test_fetch_one_reads_the_instance_get_reads(partner_a):
    from accounts.backends import USER_STATEMENT
    from django.contrib.auth import get_user_model

    fetched = rows.fetch_one(get_user_model(), USER_STATEMENT, [partner_a.pk])
    expected = get_user_model().objects.get(pk=partner_a.pk)
    assert _values(fetched) == _values(expected) and fetched.date_joined == expected.date_joined
    assert fetched.date_joined.tzinfo is not None and not fetched._state.adding and fetched._state.db == "default"
    assert rows.fetch_one(get_user_model(), USER_STATEMENT, [partner_a.pk + 1000]) is None


def test_statement_source_gives_the_sql_an_execute_runs():
    statement = rows.Statement(lambda: "SELECT 1 WHERE 1 = %s", name="kemitraan_test_source")
    assert rows.Statement.source("EXECUTE kemitraan_test_source(1)") == "SELECT 1 WHERE 1 = %s"
    assert rows.Statement.source("SELECT 2") == "SELECT 2"
    assert rows.Statement.source("EXECUTE unknown_statement(1)") == "EXECUTE unknown_statement(1)"
    assert statement.sql == "SELECT 1 WHERE 1 = %s"
    with pytest.raises(ValueError):  # a connection keeps one prepared statement per name
        rows.Statement(lambda: "SELECT 2", name="kemitraan_test_source")


def test_statement_runs_and_on_postgresql_is_prepared_once_per_connection(partner_a):
    statement = rows.Statement(lambda: "SELECT %s + 1, 'text with $ and {}'", name="kemitraan_test_prepared")
    for _ in range(3):
        with connection.cursor() as cursor:
            statement.execute(cursor, [41])
            assert cursor.fetchone() == (42, "text with $ and {}")
    if connection.vendor != "postgresql":
        return  # SQLite is sent the SQL itself
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements WHERE name = %s", [statement.name])
        assert cursor.fetchone() == (1,)
    with CaptureQueriesContext(connection) as ctx, connection.cursor() as cursor:
        statement.execute(cursor, [1])
    assert [q["sql"] for q in ctx.captured_queries] == ["EXECUTE kemitraan_test_prepared(1)"]
    # a new connection (after a restart of the database, say) prepares it again
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection._kemitraan_prepared = (object(), set())  # as if connection.connection were another one
    with connection.cursor() as cursor:
        statement.execute(cursor, [2])
        assert cursor.fetchone()[0] == 3


@pytest.mark.parametrize("view", ["report_create", "report_edit"])
def test_report_forms_show_the_models_own_errors_from_the_service(client, partner_a, membership_a, report_a,
                                                                  monkeypatch, view):
    """The report form leaves the model's validation to the service (no second full_clean() in the form);
    an error only the model finds still shows next to its field, and nothing is written."""
    from django.core.exceptions import ValidationError
    from django.urls import reverse

    def refuse(self):
        raise ValidationError({"unit": "Satuan ini tidak dikenal."})

    monkeypatch.setattr(ContributionReport, "clean", refuse)
    client.force_login(partner_a)
    url = reverse(f"partners:{view}", **({"kwargs": {"pk": report_a.pk}} if view == "report_edit" else {}))
    before = list(ContributionReport.objects.values_list("pk", "unit"))
    data = {"membership": membership_a.pk, **{k: str(v) for k, v in FIELDS.items()}, "unit": "ember"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == ["Satuan ini tidak dikenal."]
    assert "Satuan ini tidak dikenal." in response.content.decode()
    assert list(ContributionReport.objects.values_list("pk", "unit")) == before
