"""Score maths for evaluation cycles: pure functions over already-fetched aggregates.

Nothing here touches the database. ``evaluations.selectors.cycle_results`` fetches the
submitted scores of any number of cycles in a constant number of queries and hands them
to :func:`cycle_result`; the pages and the tests call these functions directly.

Arithmetic is exact (``fractions.Fraction``) and only rounded for display, so a result
never depends on the order in which scores arrive.

The rules, as written on the results page:

- **Average per principle**: the mean of the submitted answers' scores (1-5).
- **Imbalance**: a member's score on a principle is flagged when it is 2 or more points
  below the average of the *other* members' scores on that principle (needs at least two
  answers). It is a sign that the partnership works for some members and not for others.
- **Response rate**: submitted answers ÷ member organisations asked (never above 100 %).
- **Health index (0-100)**: ``100 × (M − 1) ÷ 4`` where ``M`` is the mean of the six
  principle averages, so an all-1 cycle scores 0, an all-3 cycle 50 and an all-5 cycle 100.
  The response rate is shown next to it, not multiplied in: mixing the two would make a
  drop in scores look the same as a drop in answers, and the coordinator acts on them
  differently (discuss the partnership vs. chase the members).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .models import Decision, Principle

IMBALANCE_GAP = 2
SCORE_MIN = 1
SCORE_MAX = 5
TWO_PLACES = Decimal("0.01")


def _to_decimal(value: Fraction | None, places: Decimal = TWO_PLACES) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


def _round_int(value: Fraction) -> int:
    """Round half up to an integer (Python's round() would round half to even)."""
    return int((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def mean(values: Iterable[int | Fraction]) -> Fraction | None:
    """Return the exact mean of ``values``, or None when there are none."""
    items = [Fraction(v) for v in values]
    if not items:
        return None
    return sum(items, Fraction(0)) / len(items)


@dataclass(frozen=True)
class MemberScores:
    """The six scores of one member's submitted answer (``scores`` keyed by principle value)."""

    membership_id: int
    organisation: str
    scores: Mapping[str, int]


@dataclass(frozen=True)
class Imbalance:
    """One member scoring a principle ``IMBALANCE_GAP`` or more below the others' average."""

    principle: Principle
    membership_id: int
    organisation: str
    score: int
    others_average: Decimal
    gap: Decimal


@dataclass
class PrincipleResult:
    principle: Principle
    average: Decimal | None
    minimum: int | None
    maximum: int | None
    imbalances: list[Imbalance] = field(default_factory=list)

    @property
    def label(self):
        return self.principle.label

    @property
    def spread(self) -> int | None:
        """The gap between the highest and the lowest member score."""
        if self.minimum is None:
            return None
        return self.maximum - self.minimum

    @property
    def is_imbalanced(self) -> bool:
        return bool(self.imbalances)


@dataclass
class CycleResult:
    cycle_id: int | None
    submitted: int
    asked: int
    principles: list[PrincipleResult]
    response_rate: Decimal | None
    health_index: int | None
    overall_average: Decimal | None

    @property
    def imbalances(self) -> list[Imbalance]:
        return [item for result in self.principles for item in result.imbalances]

    @property
    def response_percent(self) -> int | None:
        if self.response_rate is None:
            return None
        return int((self.response_rate * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def has_answers(self) -> bool:
        return self.submitted > 0


def imbalances_for(principle: Principle, members: Sequence[MemberScores], gap: int = IMBALANCE_GAP) -> list[Imbalance]:
    """Flag each member whose score is ``gap`` or more below the mean of the other members' scores."""
    answered = [m for m in members if m.scores.get(principle.value) is not None]
    flagged = []
    if len(answered) < 2:
        return flagged
    total = sum(m.scores[principle.value] for m in answered)
    for member in answered:
        score = member.scores[principle.value]
        others_average = Fraction(total - score, len(answered) - 1)
        if others_average - score >= gap:
            flagged.append(
                Imbalance(
                    principle=principle,
                    membership_id=member.membership_id,
                    organisation=member.organisation,
                    score=score,
                    others_average=_to_decimal(others_average),
                    gap=_to_decimal(others_average - score),
                )
            )
    return flagged


def response_rate(submitted: int, asked: int) -> Decimal | None:
    """Return submitted ÷ asked as a fraction 0-1 (4 places), capped at 1; None when nobody was asked."""
    asked = max(asked, submitted)
    if asked == 0:
        return None
    return _to_decimal(Fraction(submitted, asked), Decimal("0.0001"))


def health_index(principle_averages: Iterable[Fraction | None]) -> int | None:
    """Map the mean of the principle averages from 1..5 onto 0..100 (rounded half up); None without scores."""
    averages = [a for a in principle_averages if a is not None]
    overall = mean(averages)
    if overall is None:
        return None
    return _round_int((overall - SCORE_MIN) * 100 / (SCORE_MAX - SCORE_MIN))


def cycle_result(*, cycle_id: int | None, members: Sequence[MemberScores], asked: int) -> CycleResult:
    """Compute every figure of one cycle from its submitted answers and the number of members asked."""
    principles = []
    exact_averages = []
    for principle in Principle:
        scores = [m.scores[principle.value] for m in members if m.scores.get(principle.value) is not None]
        exact = mean(scores)
        exact_averages.append(exact)
        principles.append(
            PrincipleResult(
                principle=principle,
                average=_to_decimal(exact),
                minimum=min(scores) if scores else None,
                maximum=max(scores) if scores else None,
                imbalances=imbalances_for(principle, members),
            )
        )
    present = [a for a in exact_averages if a is not None]
    return CycleResult(
        cycle_id=cycle_id,
        submitted=len(members),
        asked=max(asked, len(members)),
        principles=principles,
        response_rate=response_rate(len(members), asked),
        health_index=health_index(exact_averages),
        overall_average=_to_decimal(mean(present)) if present else None,
    )


def trend(points: Sequence[tuple[str, CycleResult]]) -> dict:
    """Shape a series of (label, result), oldest first, for the trend charts (plain JSON types)."""

    def num(value):
        return None if value is None else float(value)

    return {
        "labels": [label for label, _ in points],
        "health": [result.health_index for _, result in points],
        "response": [result.response_percent for _, result in points],
        "principles": [
            {
                "key": principle.value,
                "label": str(principle.label),
                "averages": [num(result.principles[index].average) for _, result in points],
            }
            for index, principle in enumerate(Principle)
        ],
    }


def decision_outcome(*, agree: int, disagree: int) -> str:
    """Return the outcome of a vote: more agree → approved, more disagree → rejected; abstentions don't count."""
    if agree == 0 and disagree == 0:
        return Decision.Outcome.NO_VOTES
    if agree > disagree:
        return Decision.Outcome.APPROVED
    if disagree > agree:
        return Decision.Outcome.REJECTED
    return Decision.Outcome.TIED
