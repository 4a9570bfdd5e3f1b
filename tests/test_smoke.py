from partners.selectors import reports_for_user


def test_partner_sees_own_draft_but_coordinator_does_not(report_a, partner_a, partner_b, coordinator):
    assert list(reports_for_user(partner_a)) == [report_a]
    assert list(reports_for_user(partner_b)) == []
    assert list(reports_for_user(coordinator)) == []
