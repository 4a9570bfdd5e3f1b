"""Issue 3, point 10: the coordinator-and-partner journey of a contribution report, in the browser.

The coordinator creates a partnership, a goal with an indicator, adds an existing and a
new organisation and invites a partner representative; the partner sets a password,
reports an indicator value and a contribution with a PDF attached, and submits it; the
coordinator returns it with a reason; the partner reads the reason, fixes the report and
resubmits; the coordinator accepts; the partnership pages then show the delivered amount.
A representative of another organisation of the same partnership gets 404 on that report.
Every main page on the way is photographed at desktop and 360 px width, with no sideways
scroll and no console error (a CSP violation shows up as one).
"""
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import ContributionReport, Membership, Organisation, SharedGoal
from tests import factories as f
from tests.browser.helpers import (
    PDF_BYTES,
    SAVE,
    Pages,
    accept_dialogs,
    charts_drawn,
    goto,
    path_id,
    previous_quarter,
    quarter_of,
    sign_in,
    submit,
    url,
)

PARTNER_EMAIL = "bidan.sari@puskesmas-harapan.example.org"
PARTNER_PASSWORD = "Posyandu-Ceria-2026"
RETURN_REASON = "Lampirkan kuitansi yang ditandatangani dan perbaiki nilainya."


def _iso(day):
    return day.strftime("%Y-%m-%d")


@pytest.mark.django_db(transaction=True)
def test_coordinator_and_partner_take_a_report_from_draft_to_accepted(
    live_server, page, snap, console_errors, coordinator, partnership, mailoutbox, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    pages = Pages(page, snap, console_errors)
    accept_dialogs(page)
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    existing = f.OrganisationFactory(name="Yayasan Peduli Anak Nusantara", sector="nonprofit")

    # --- the coordinator starts a partnership ---
    sign_in(page, live_server, coordinator.email)
    goto(page, url(live_server, "partners:partnership_create"))
    page.fill("input[name=title]", "Posyandu Sehat Kampung Kota")
    page.fill("textarea[name=problem_statement]", "Banyak balita di kampung kota belum mendapat imunisasi lengkap.")
    page.fill("textarea[name=description]", "Puskesmas, sekolah dan yayasan bekerja sama untuk layanan kesehatan anak.")
    page.select_option("select[name=type]", "service")
    page.select_option("select[name=status]", "active")
    page.fill("input[name=start_date]", _iso(year_start))
    page.fill("input[name=planned_end_date]", _iso(year_start.replace(year=year_start.year + 3)))
    page.select_option("select[name=evaluation_frequency]", "quarterly")
    pages.take("partnership-form")
    submit(page, SAVE, expect_path=r"^/kemitraan/\d+/$")
    partnership_pk = path_id(page, r"/kemitraan/(\d+)/")

    # --- a shared goal and its indicator ---
    goto(page, url(live_server, "partners:goal_create", pk=partnership_pk))
    page.fill("input[name=title]", "Cakupan imunisasi balita meningkat")
    page.fill("textarea[name=description]", "Semua balita di wilayah kerja mendapat imunisasi dasar lengkap.")
    pages.take("goal-form")
    submit(page, SAVE, expect_path=rf"^/kemitraan/{partnership_pk}/$")
    goal = SharedGoal.objects.get(partnership_id=partnership_pk)
    goto(page, url(live_server, "partners:indicator_create", pk=goal.pk))
    page.fill("input[name=name]", "Balita dengan imunisasi lengkap")
    page.fill("input[name=unit]", "anak")
    page.fill("input[name=baseline]", "120")
    page.fill("input[name=target]", "400")
    page.fill("input[name=target_date]", _iso(year_start.replace(year=year_start.year + 2)))
    page.select_option("select[name=direction]", "increase")
    pages.take("indicator-form")
    submit(page, SAVE, expect_path=r"^/kemitraan/indicators/\d+/$")
    indicator_pk = path_id(page, r"/indicators/(\d+)/")

    # --- two members: an organisation that already exists, and a new one ---
    goto(page, url(live_server, "partners:membership_add", pk=partnership_pk))
    page.check("input[name=source][value=existing]")
    # An organisation outside the coordinator's partnerships is not listed: it is found by its exact name.
    expect(page.locator("select[name=organisation] option", has_text=existing.name)).to_have_count(0)
    expect(page.locator("input[name=new_name]")).to_be_hidden()
    page.fill("input[name=organisation_name]", existing.name)
    page.select_option("select[name=role]", "funder")
    page.fill("input[name=joined_on]", _iso(year_start))
    page.fill("textarea[name=commitment_statement]", "Mendanai kegiatan posyandu selama tiga tahun.")
    page.fill("textarea[name=expected_benefits]", "Program yayasan menjangkau lebih banyak keluarga.")
    page.select_option("select[name=pledges-0-kind]", "funds")
    page.fill("input[name=pledges-0-value]", "30000000")
    pages.take("membership-form")
    submit(page, SAVE, expect_path=rf"^/kemitraan/{partnership_pk}/$")

    goto(page, url(live_server, "partners:membership_add", pk=partnership_pk))
    page.check("input[name=source][value=new]")
    # Choosing "a new organisation" shows its fields and hides the search for an existing one.
    expect(page.locator("input[name=organisation_name]")).to_be_hidden()
    page.fill("input[name=new_name]", "Puskesmas Harapan Baru")
    page.select_option("select[name=new_sector]", "health")
    page.fill("input[name=new_city]", "Bandung")
    page.fill("input[name=joined_on]", _iso(year_start))
    page.select_option("select[name=reporting_frequency]", "quarterly")
    page.select_option("select[name=pledges-0-kind]", "funds")
    page.fill("input[name=pledges-0-value]", "10000000")
    submit(page, SAVE, expect_path=rf"^/kemitraan/{partnership_pk}/$")
    new_org = Organisation.objects.get(name="Puskesmas Harapan Baru")
    new_membership = Membership.objects.get(partnership_id=partnership_pk, organisation=new_org)
    assert Membership.objects.filter(partnership_id=partnership_pk).count() == 2
    expect(page.locator("#members tbody tr")).to_have_count(2)

    # --- and invites the new organisation's representative ---
    goto(page, url(live_server, "accounts:invitation_create") + f"?organisation={new_org.pk}")
    page.fill("input[name=email]", PARTNER_EMAIL)
    page.fill("input[name=full_name]", "Sari Wulandari")
    page.select_option("select[name=organisation]", label=new_org.name)
    page.select_option("select[name=language]", "id")
    pages.take("invitation-form")
    submit(page, SAVE, expect_path=r"^/accounts/invitations/$")
    pages.take("invitation-list")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [PARTNER_EMAIL]
    invite_path = re.search(r"/accounts/invite/[^/\s]+/", mailoutbox[0].body).group(0)

    # --- the partner follows the link and sets a password ---
    page.context.clear_cookies()
    goto(page, live_server.url + invite_path)
    page.fill("input[name=full_name]", "Sari Wulandari")
    page.fill("input[name=password1]", PARTNER_PASSWORD)
    page.fill("input[name=password2]", PARTNER_PASSWORD)
    pages.take("invitation-accept")
    submit(page, SAVE, expect_path=r"^/mitra/$")
    expect(page.locator("main")).to_contain_text("Posyandu Sehat Kampung Kota")
    pages.take("partner-home")

    # The same link cannot be used twice.
    page.context.clear_cookies()
    assert page.goto(live_server.url + invite_path).status == 410
    pages.forget_console()  # the browser logs the 410 itself
    sign_in(page, live_server, PARTNER_EMAIL, PARTNER_PASSWORD)

    # --- the partner reports indicator values for two periods (the chart gets a line) ---
    last_start, last_end = previous_quarter(quarter_of(today)[0])
    earlier_start, earlier_end = previous_quarter(last_start)
    for (start, end), value in (((earlier_start, earlier_end), "150"), ((last_start, last_end), "210")):
        goto(page, url(live_server, "partners:indicatorvalue_entry", pk=new_membership.pk)
             + f"?period_start={_iso(start)}&period_end={_iso(end)}")
        page.fill("input[name=period_start]", _iso(start))
        page.fill("input[name=period_end]", _iso(end))
        page.fill(f"input[name=i{indicator_pk}-value]", value)
        if value == "210":
            pages.take("indicator-values")
        submit(page, SAVE, expect_path=r"^/mitra/members/\d+/indicator-values/")

    # --- writes a draft report, attaches a PDF and submits it ---
    goto(page, url(live_server, "partners:report_create") + f"?membership={new_membership.pk}")
    page.select_option("select[name=membership]", str(new_membership.pk))
    page.fill("input[name=period_start]", _iso(last_start))
    page.fill("input[name=period_end]", _iso(last_end))
    page.select_option("select[name=kind]", "funds")
    page.fill("input[name=quantity]", "1")
    page.fill("input[name=unit]", "paket")
    page.fill("input[name=value]", "7500000")
    page.fill("textarea[name=description]", "Dana operasional posyandu dan vaksin untuk tiga kelurahan.")
    page.check(f"input[name=goals][value='{goal.pk}']")
    pages.take("report-form")
    submit(page, SAVE, expect_path=r"^/laporan/\d+/$")
    report_pk = path_id(page, r"/laporan/(\d+)/")

    receipt = tmp_path / "kuitansi-posyandu.pdf"
    receipt.write_bytes(PDF_BYTES)
    page.set_input_files("input[name=file]", str(receipt))
    submit(page, "form[action$='/attachments/new/'] button[type=submit]", expect_path=rf"^/laporan/{report_pk}/$")
    expect(page.locator("#attachments")).to_contain_text("kuitansi-posyandu.pdf")
    pages.take("report-detail-draft")
    submit(page, "form[action$='/submit/'] button[type=submit]", expect_path=rf"^/laporan/{report_pk}/$")
    assert ContributionReport.objects.get(pk=report_pk).status == ContributionReport.Status.SUBMITTED

    # --- the coordinator returns it with a reason ---
    sign_in(page, live_server, coordinator.email)
    goto(page, url(live_server, "partners:review_queue"))
    expect(page.locator(f"main a[href*='/laporan/{report_pk}/']").first).to_be_visible()
    pages.take("review-queue")
    goto(page, url(live_server, "partners:report_detail", pk=report_pk))
    submit(page, f"main a[href*='/reports/{report_pk}/return/']", expect_path=rf"/reports/{report_pk}/return/")
    page.fill("textarea[name=reason]", RETURN_REASON)
    pages.take("review-return")
    submit(page, SAVE, expect_path=rf"^/laporan/{report_pk}/$")
    assert ContributionReport.objects.get(pk=report_pk).status == ContributionReport.Status.RETURNED

    # --- the partner reads the reason, fixes the report and resubmits ---
    sign_in(page, live_server, PARTNER_EMAIL, PARTNER_PASSWORD)
    goto(page, url(live_server, "partners:report_list"))
    pages.take("report-list")
    goto(page, url(live_server, "partners:report_detail", pk=report_pk))
    expect(page.locator("main .alert-warning")).to_contain_text(RETURN_REASON)
    pages.take("report-detail-returned")
    submit(page, f"main a[href$='/laporan/{report_pk}/edit/']", expect_path=rf"^/laporan/{report_pk}/edit/$")
    expect(page.locator("main")).to_contain_text(RETURN_REASON)
    page.fill("input[name=value]", "8000000")
    page.fill("textarea[name=description]", "Dana operasional posyandu dan vaksin; kuitansi bertanda tangan terlampir.")
    submit(page, SAVE, expect_path=rf"^/laporan/{report_pk}/$")
    submit(page, "form[action$='/resubmit/'] button[type=submit]", expect_path=rf"^/laporan/{report_pk}/$")
    assert ContributionReport.objects.get(pk=report_pk).status == ContributionReport.Status.SUBMITTED

    # --- the coordinator accepts ---
    sign_in(page, live_server, coordinator.email)
    goto(page, url(live_server, "partners:report_detail", pk=report_pk))
    submit(page, f"main a[href*='/reports/{report_pk}/accept/']", expect_path=rf"/reports/{report_pk}/accept/")
    pages.take("review-accept")
    submit(page, "main form button.btn-success[type=submit]", expect_path=rf"^/laporan/{report_pk}/$")
    report = ContributionReport.objects.get(pk=report_pk)
    assert report.status == ContributionReport.Status.ACCEPTED
    expect(page.locator("main .alert-success:not(.alert-dismissible)")).to_be_visible()
    pages.take("report-detail-accepted")

    # --- and the partnership pages show the accepted contribution ---
    goto(page, url(live_server, "workspace:partnership_detail", pk=partnership_pk))
    member_row = page.locator("#members tbody tr", has_text=new_org.name)
    expect(member_row).to_contain_text("Rp 8.000.000")  # delivered (accepted reports only), id locale
    expect(member_row).to_contain_text("Rp 10.000.000")  # pledged
    pages.take("partnership-detail")
    goto(page, url(live_server, "partners:pledge_summary", pk=partnership_pk))
    expect(page.locator("main .card-stat").nth(1)).to_contain_text("Rp 8.000.000")
    pages.take("pledge-summary")
    goto(page, url(live_server, "workspace:home"))
    card = page.locator(f"article[data-partnership='{partnership_pk}']")
    expect(card.locator("[data-figure=members]")).to_have_text("2")
    expect(card.locator("[data-figure=waiting]")).to_have_text("0")
    pages.take("dashboard")
    goto(page, url(live_server, "partners:indicator_detail", pk=indicator_pk))
    chart = page.locator("canvas#indicator-chart")
    expect(chart).to_be_visible()
    assert charts_drawn(page) == {"indicator-chart": True}
    pages.take("indicator-detail")
    goto(page, url(live_server, "partners:partnership_list"))
    pages.take("partnership-list")
    goto(page, url(live_server, "accounts:profile"))
    pages.take("profile")
    pages.check()

    # --- a representative of the other member organisation may not open the report ---
    stranger = f.UserFactory(email="staf@yayasan-peduli.example.org")
    existing.representatives.add(stranger)
    sign_in(page, live_server, stranger.email)
    for name in ("report_detail", "report_edit", "report_submit", "report_resubmit"):
        response = page.goto(url(live_server, f"partners:{name}", pk=report_pk))
        assert response.status == 404, f"{name}: {response.status}"
    attachment_pk = report.attachments.get().pk
    assert page.goto(url(live_server, "partners:attachment_download", pk=attachment_pk)).status == 404
    expect(page.locator("body")).not_to_contain_text("kuitansi-posyandu.pdf")
