"""Issue 3, point 10: the language switch changes the page; another organisation's report answers 404."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from partners import services
from tests import factories as f
from tests.browser.helpers import PDF_BYTES, goto, sign_in, submit, url

LANGUAGE_BUTTON = "#language-form button[name=language][value={code}]"


def _switch(page, code):
    submit(page, LANGUAGE_BUTTON.format(code=code))
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator(LANGUAGE_BUTTON.format(code=code))).to_have_attribute("aria-current", "true")


@pytest.mark.django_db(transaction=True)
def test_language_switch_changes_the_sign_in_page(live_server, page, console_errors):
    goto(page, url(live_server, "accounts:login"))
    expect(page.locator("html")).to_have_attribute("lang", "id")
    password_label = page.locator("label[for=id_password]")
    indonesian = password_label.inner_text()
    assert "Password" not in indonesian  # Django's own catalogue already says "Sandi"

    _switch(page, "en")
    expect(password_label).to_contain_text("Password")
    _switch(page, "id")
    expect(password_label).to_have_text(indonesian)
    assert console_errors == []


@pytest.mark.django_db(transaction=True)
def test_language_switch_changes_a_signed_in_page_and_follows_the_user(
    live_server, page, snap, console_errors, coordinator, partnership, membership_a
):
    f.PledgeFactory(membership=membership_a, value=12_500_000)
    sign_in(page, live_server, coordinator.email)
    pledges = url(live_server, "partners:pledge_summary", pk=partnership.pk)
    goto(page, pledges)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    main = page.locator("main")
    expect(main).to_contain_text("Rp 12.500.000")  # Indonesian grouping
    indonesian_nav = page.locator("#mainnav").inner_text()

    _switch(page, "en")
    assert page.url == pledges  # the switch comes back to the same page
    expect(main).to_contain_text("Rp 12,500,000")  # English grouping
    expect(page.locator("#mainnav")).to_contain_text("Home")
    assert page.locator("#mainnav").inner_text() != indonesian_nav
    snap(page, "pledge-summary-en")

    # The choice holds on the next page.
    goto(page, url(live_server, "workspace:home"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    _switch(page, "id")
    goto(page, pledges)
    expect(main).to_contain_text("Rp 12.500.000")
    assert page.locator("#mainnav").inner_text() == indonesian_nav
    assert console_errors == []


@pytest.fixture
def report_with_file(report_a, partner_a):
    report_a.description = "Dana rahasia untuk posyandu Melati."
    report_a.save()
    attachment = services.attachment_add(
        report=report_a, user=partner_a,
        uploaded_file=SimpleUploadedFile("kuitansi-melati.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    return report_a, attachment


REPORT_PAGES = ("report_detail", "report_edit", "report_submit", "report_delete", "attachment_add")


@pytest.mark.django_db(transaction=True)
def test_partners_of_other_organisations_get_404_on_the_report(
    live_server, page, report_with_file, partner_b, partner_c
):
    """partner_b is in the same partnership as the report's organisation; partner_c in another one."""
    report, attachment = report_with_file
    for user in (partner_b, partner_c):
        sign_in(page, live_server, user.email)
        for name in REPORT_PAGES:
            response = page.goto(url(live_server, f"partners:{name}", pk=report.pk))
            assert response.status == 404, f"{user.email} {name}: {response.status}"
            expect(page.locator("body")).not_to_contain_text("Melati")
        assert page.goto(url(live_server, "partners:attachment_download", pk=attachment.pk)).status == 404
        # Nor does the report show up in the list they can open.
        goto(page, url(live_server, "partners:report_list"))
        expect(page.locator(f"a[href$='/laporan/{report.pk}/']")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_own_partner_opens_the_report_and_a_stranger_is_sent_to_sign_in(
    live_server, page, report_with_file, partner_a
):
    report, _attachment = report_with_file
    detail = url(live_server, "partners:report_detail", pk=report.pk)
    response = page.goto(detail)
    assert response.status == 200 and "/accounts/login/" in page.url  # anonymous: the sign-in page
    expect(page.locator("body")).not_to_contain_text("Melati")

    sign_in(page, live_server, partner_a.email)
    goto(page, detail)
    expect(page.locator("main")).to_contain_text("Melati")
    expect(page.locator("#attachments")).to_contain_text("kuitansi-melati.pdf")


@pytest.mark.django_db(transaction=True)
def test_report_list_organisation_search_fills_the_select_as_one_types(
    live_server, page, snap, console_errors, coordinator, partnership, monkeypatch
):
    """With more organisations than the select lists at once, typing part of a name offers the matches
    (htmx), and choosing one filters the reports."""
    from partners.models import ContributionReport
    from partners.views import report_list as report_views

    monkeypatch.setattr(report_views, "ORGANISATION_OPTIONS", 3)
    names = ["Yayasan Anggrek", "Yayasan Bakung", "Yayasan Cempaka", "Koperasi Dahlia", "Koperasi Edelweis"]
    members = {name: f.MembershipFactory(partnership=partnership, organisation=f.OrganisationFactory(name=name))
               for name in names}
    for name, member in members.items():
        f.ContributionReportFactory(membership=member, description=f"Laporan {name}",
                                    status=ContributionReport.Status.SUBMITTED)
    sign_in(page, live_server, coordinator.email)
    goto(page, url(live_server, "partners:report_list"))
    select = page.locator("select#id_organisation")
    expect(select.locator("option")).to_have_count(4)
    expect(select).not_to_contain_text("Cempaka")  # the fifth by name

    page.fill("#id_organisation_q", "cempa")
    expect(select.locator("option")).to_have_count(2)
    expect(select).to_contain_text("Yayasan Cempaka")
    snap(page, "report-list-organisation-search")
    select.select_option(label="Yayasan Cempaka")
    submit(page, "main form[role=search] button[type=submit]")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Yayasan Cempaka")
    expect(page.locator("select#id_organisation option:checked")).to_have_text("Yayasan Cempaka")
    assert console_errors == []
