"""Score maths, checked against numbers worked out by hand."""
from decimal import Decimal
from fractions import Fraction

from evaluations import results
from evaluations.models import Decision, Principle

PRINCIPLES = list(Principle)


def member(pk, name, *scores):
    return results.MemberScores(membership_id=pk, organisation=name, scores=dict(zip([p.value for p in PRINCIPLES], scores)))


# Three members; columns are the six principles in order.
#            goals benefit commit leader account evaluation
A = member(1, "A", 4, 4, 4, 3, 4, 3)
B = member(2, "B", 5, 4, 3, 4, 5, 4)
C = member(3, "C", 2, 4, 5, 1, 4, 4)


def test_average_per_principle_is_the_mean_rounded_to_two_places():
    result = results.cycle_result(cycle_id=7, members=[A, B, C], asked=4)
    averages = {row.principle: row.average for row in result.principles}
    assert averages == {
        Principle.SHARED_GOALS: Decimal("3.67"),        # 11 / 3
        Principle.MUTUAL_BENEFIT: Decimal("4.00"),      # 12 / 3
        Principle.LONG_TERM_COMMITMENT: Decimal("4.00"),  # 12 / 3
        Principle.SHARED_LEADERSHIP: Decimal("2.67"),   # 8 / 3
        Principle.ACCOUNTABILITY: Decimal("4.33"),      # 13 / 3
        Principle.CONTINUOUS_EVALUATION: Decimal("3.67"),  # 11 / 3
    }


def test_health_index_maps_mean_of_principle_averages_onto_0_to_100():
    result = results.cycle_result(cycle_id=7, members=[A, B, C], asked=4)
    # M = (11 + 12 + 12 + 8 + 13 + 11) / 3 / 6 = 67/18 = 3.7222…; 100 × (M − 1) / 4 = 68.06 → 68
    assert result.health_index == 68
    assert result.overall_average == Decimal("3.72")


def test_health_index_ends_and_middle():
    assert results.health_index([Fraction(1)] * 6) == 0
    assert results.health_index([Fraction(3)] * 6) == 50
    assert results.health_index([Fraction(5)] * 6) == 100
    assert results.health_index([None] * 6) is None


def test_health_index_rounds_half_up_not_to_even():
    # One principle averages 1.6 (scores 1,1,1,3,2), the other five average 1:
    # M = 1 + 0.6 / 6 = 1.1 → 100 × 0.1 / 4 = 2.5 → 3 (Python's round() would say 2).
    members = [member(i, str(i), s, 1, 1, 1, 1, 1) for i, s in enumerate([1, 1, 1, 3, 2])]
    assert results.cycle_result(cycle_id=None, members=members, asked=5).health_index == 3


def test_spread_shows_lowest_and_highest_score():
    result = results.cycle_result(cycle_id=7, members=[A, B, C], asked=3)
    leadership = result.principles[PRINCIPLES.index(Principle.SHARED_LEADERSHIP)]
    assert (leadership.minimum, leadership.maximum, leadership.spread) == (1, 4, 3)


def test_member_two_or_more_below_the_others_average_is_flagged():
    result = results.cycle_result(cycle_id=7, members=[A, B, C], asked=3)
    flagged = {(item.principle, item.organisation): (item.score, item.others_average, item.gap) for item in result.imbalances}
    assert flagged == {
        # C gave 2 on shared goals; A and B averaged (4 + 5) / 2 = 4.5; gap 2.5
        (Principle.SHARED_GOALS, "C"): (2, Decimal("4.50"), Decimal("2.50")),
        # C gave 1 on shared leadership; A and B averaged (3 + 4) / 2 = 3.5; gap 2.5
        (Principle.SHARED_LEADERSHIP, "C"): (1, Decimal("3.50"), Decimal("2.50")),
    }
    # B gave 3 on commitment while the others averaged 4.5: a gap of 1.5 is not an imbalance.
    commitment = result.principles[PRINCIPLES.index(Principle.LONG_TERM_COMMITMENT)]
    assert not commitment.is_imbalanced


def test_a_gap_of_exactly_two_is_flagged_and_one_and_a_half_is_not():
    exactly_two = [member(1, "A", 3, 3, 3, 3, 3, 3), member(2, "B", 5, 3, 3, 3, 3, 3), member(3, "C", 5, 3, 3, 3, 3, 3)]
    assert [i.organisation for i in results.imbalances_for(Principle.SHARED_GOALS, exactly_two)] == ["A"]
    below = [member(1, "A", 3, 3, 3, 3, 3, 3), member(2, "B", 5, 3, 3, 3, 3, 3), member(3, "C", 4, 3, 3, 3, 3, 3)]
    assert results.imbalances_for(Principle.SHARED_GOALS, below) == []


def test_imbalance_compares_with_the_others_not_with_everyone():
    # Scores 1, 3, 3: the overall mean is 2.33 (gap 1.33) but the others average 3 (gap 2) → flagged.
    members = [member(1, "A", 1, 3, 3, 3, 3, 3), member(2, "B", 3, 3, 3, 3, 3, 3), member(3, "C", 3, 3, 3, 3, 3, 3)]
    assert [i.organisation for i in results.imbalances_for(Principle.SHARED_GOALS, members)] == ["A"]


def test_a_single_answer_cannot_be_imbalanced():
    assert results.imbalances_for(Principle.SHARED_GOALS, [member(1, "A", 1, 1, 1, 1, 1, 1)]) == []


def test_response_rate_is_submitted_over_asked():
    result = results.cycle_result(cycle_id=7, members=[A, B, C], asked=4)
    assert result.response_rate == Decimal("0.7500")
    assert result.response_percent == 75
    assert results.response_rate(1, 3) == Decimal("0.3333")
    assert results.response_rate(0, 0) is None
    assert results.response_rate(2, 1) == Decimal("1.0000")  # never above 100 %


def test_cycle_without_answers_has_no_averages_or_index():
    result = results.cycle_result(cycle_id=1, members=[], asked=3)
    assert result.health_index is None
    assert result.response_rate == Decimal(0)
    assert all(row.average is None for row in result.principles)
    assert not result.has_answers


def test_trend_lists_cycles_oldest_first_with_plain_numbers():
    first = results.cycle_result(cycle_id=1, members=[A, B, C], asked=4)
    second = results.cycle_result(cycle_id=2, members=[member(1, "A", 5, 5, 5, 5, 5, 5)], asked=2)
    data = results.trend([("Q1 2026", first), ("Q2 2026", second)])
    assert data["labels"] == ["Q1 2026", "Q2 2026"]
    assert data["health"] == [68, 100]
    assert data["response"] == [75, 50]
    goals = data["principles"][0]
    assert goals["key"] == "shared_goals"
    assert goals["averages"] == [3.67, 5.0]


def test_decision_outcome_counts_agree_against_disagree_only():
    assert results.decision_outcome(agree=3, disagree=1) == Decision.Outcome.APPROVED
    assert results.decision_outcome(agree=1, disagree=2) == Decision.Outcome.REJECTED
    assert results.decision_outcome(agree=2, disagree=2) == Decision.Outcome.TIED
    assert results.decision_outcome(agree=0, disagree=0) == Decision.Outcome.NO_VOTES
