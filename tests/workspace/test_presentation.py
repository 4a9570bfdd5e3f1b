"""Issue 21, point 8: one name for each thing, one way of writing a date, filters that say "All",
evaluation answers that name who gave them."""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import SCORE_FIELDS, EvaluationCycle, EvaluationResponse
from partners.models import ContributionReport
from tests import factories as f

pytestmark = pytest.mark.django_db


def _html(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs or None))
    assert response.status_code == 200, name
    return response.content.decode()


def _empty_choices(html):
    """The text of the first option of every select of the page's filter forms."""
    return {name: re.sub(r"<.*?>", "", first).strip()
            for name, first in re.findall(r'<select[^>]* name="([a-z_]+)"[^>]*>\s*(<option.*?</option>)', html, re.S)}


@pytest.mark.parametrize(("language", "everything"), [("id", "Semua"), ("en", "All")])
def test_empty_filter_choices_read_all_instead_of_dashes(client, coordinator, partnership, membership_a,
                                                         language, everything):
    coordinator.preferred_language = language
    coordinator.save()
    client.force_login(coordinator)
    for name, fields in (("partners:partnership_list", {"status", "type"}),
                         ("partners:review_queue", {"partnership", "kind"}),
                         ("partners:report_list", {"partnership", "organisation", "status", "kind"})):
        html = _html(client, name)
        assert "---------" not in html, name
        choices = _empty_choices(html)
        assert {field: choices[field] for field in fields} == dict.fromkeys(fields, everything), name


def test_the_excel_export_has_one_name(client, coordinator, partnership, membership_a):
    f.ContributionReportFactory(membership=membership_a, status=ContributionReport.Status.SUBMITTED,
                                submitted_at=timezone.now())
    client.force_login(coordinator)
    for name in ("partners:report_list", "partners:review_queue"):
        html = _html(client, name)
        assert "Ekspor Excel" in html, name
        assert "XLSX" not in html, name


@pytest.mark.parametrize(("language", "start", "end"), [("id", "1 Mei 2026", "31 Agu 2026"),
                                                         ("en", "1 May 2026", "31 Aug 2026")])
def test_dates_read_the_same_on_every_page(client, coordinator, partnership, membership_a, language, start, end):
    coordinator.preferred_language = language
    coordinator.save()
    report = f.ContributionReportFactory(
        membership=membership_a, status=ContributionReport.Status.SUBMITTED, submitted_at=timezone.now(),
        period_start=datetime.date(2026, 5, 1), period_end=datetime.date(2026, 8, 31),
    )
    client.force_login(coordinator)
    period = f"{start} – {end}"
    for name, kwargs in (("partners:report_list", {}), ("partners:review_queue", {}),
                         ("partners:report_detail", {"pk": report.pk}),
                         ("workspace:partnership_detail", {"pk": partnership.pk})):
        html = _html(client, name, **kwargs)
        assert period in html, name
        assert "01-05-2026" not in html and "05/01/2026" not in html and "Mei." not in html, name


def _answered(cycle, membership, *, by):
    return f.EvaluationResponseFactory(
        cycle=cycle, membership=membership, status=EvaluationResponse.Status.SUBMITTED,
        submitted_at=timezone.now(), submitted_by=by, **dict.fromkeys(SCORE_FIELDS.values(), 4),
    )


def test_every_evaluation_answer_names_who_gave_it(client, coordinator, partnership, membership_a, membership_b,
                                                   partner_a):
    cycle = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN,
                                     opened_at=timezone.now())
    _answered(cycle, membership_a, by=partner_a)
    _answered(cycle, membership_b, by=None)  # answered before its person's account was removed
    client.force_login(coordinator)
    html = _html(client, "evaluations:cycle_detail", pk=cycle.pk)
    answers = html[html.index('id="answers-title"'):]
    answers = answers[:answers.index("</section>")]
    assert f"oleh {partner_a.full_name} ·" in answers
    assert f"oleh perwakilan {membership_b.organisation.name} ·" in answers
    assert not re.search(r'<div class="small text-muted">\s*·', answers)  # never a date with no name before it

    client.force_login(partner_a)
    html = _html(client, "evaluations:cycle_respond", pk=cycle.pk, membership_pk=membership_a.pk)
    assert f"oleh {partner_a.full_name} ·" in html


def test_a_form_sent_back_with_errors_lists_them_at_the_top_with_links(client, partner_a, membership_a):
    client.force_login(partner_a)
    response = client.post(reverse("partners:report_create"), {"membership": membership_a.pk})
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    wrong = [field for field in response.context["form"] if field.errors]
    assert wrong
    for field in wrong:
        assert f'href="#{field.auto_id}"' in summary or f'href="#{field.auto_id}_0"' in summary, field.name
    assert html.index('id="error-summary"') < html.index('id="report-form"')  # above the form


def test_a_valid_form_shows_no_error_summary(client, partner_a, membership_a):
    client.force_login(partner_a)
    assert 'id="error-summary"' not in client.get(reverse("partners:report_create")).content.decode()
