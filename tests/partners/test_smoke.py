from partners.access import reports_visible_to


def test_partner_sees_own_draft_but_coordinator_does_not(report_a, partner_a, partner_b, coordinator):
    assert list(reports_visible_to(partner_a)) == [report_a]
    assert list(reports_visible_to(partner_b)) == []
    assert list(reports_visible_to(coordinator)) == []
