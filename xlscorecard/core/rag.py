"""RAG: rate an indicator's latest value against its target (DESIGN 5)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from xlscorecard.core.records import Record
from xlscorecard.core.settings import Settings, ToleranceKind
from xlscorecard.core.targets import Polarity, Target, TargetKind
from xlscorecard.core.values import Observation, Status, format_number


class Rating(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


_WORSENESS = {Rating.GREEN: 0, Rating.AMBER: 1, Rating.RED: 2}


@dataclass(slots=True, unsafe_hash=True)
class RagResult(Record):
    """A rating (or None: not rated) with the period rated and a one-line explanation (immutable)."""

    rating: Rating | None
    period: str | None
    explanation: str

    @property
    def letter(self) -> str:
        return self.rating.value[0].upper() if self.rating else ""


def not_rated(reason: str, period: str | None = None) -> RagResult:
    return RagResult(rating=None, period=period, explanation=f"Not rated: {reason}")


from xlscorecard.core.reading.vocabulary import RAG_WORDS  # noqa: E402  (wording tables live with the reader)


def parse_submitted_rag(obs: Observation) -> Rating | None:
    """'R', 'Amber', 'green' -> Rating; anything else -> None."""
    if not obs.raw:
        return None
    text = " ".join(obs.raw.split()).lower().rstrip(".")
    rating = _SUBMITTED.get(text)
    if rating is None and (word := RAG_WORDS.get(text)) is not None:
        rating = Rating(word)
    return rating


_SUBMITTED = {
    "r": Rating.RED,
    "red": Rating.RED,
    "a": Rating.AMBER,
    "amber": Rating.AMBER,
    "g": Rating.GREEN,
    "green": Rating.GREEN,
}


def rate_value(
    obs: Observation,
    target: Target,
    polarity: Polarity | None,
    rules: Settings,
    benchmark: Observation | None = None,
) -> RagResult:
    """Rate one value against a target; never raises. `benchmark` resolves a benchmark target."""
    if obs.status is Status.RANGE and obs.low is not None and obs.high is not None:
        low = rate_value(
            obs.model_copy(update={"status": Status.NUMBER, "number": obs.low}), target, polarity, rules, benchmark
        )
        high = rate_value(
            obs.model_copy(update={"status": Status.NUMBER, "number": obs.high}), target, polarity, rules, benchmark
        )
        if low.rating is None or high.rating is None:
            return low if low.rating is None else high
        worse = max(low, high, key=lambda r: _WORSENESS[r.rating])  # type: ignore[index]
        if worse.rating is Rating.GREEN:
            return RagResult(
                rating=Rating.GREEN,
                period=None,
                explanation=f"Green: {obs.display()} lies inside target {target.describe()}",
            )
        return worse
    if not obs.is_numeric or obs.number is None:
        return not_rated(f"value is {obs.status.value.replace('-', ' ')}" + (f" ('{obs.raw}')" if obs.raw else ""))
    if target.kind is None:
        return not_rated("no target")
    if target.kind is TargetKind.UNPARSED:
        return not_rated(f"target '{target.raw}' not understood")
    value = obs.number
    if target.kind is TargetKind.BENCHMARK:
        target = _benchmark_as_target(target, polarity, benchmark)
        if target.kind is None:
            return not_rated(f"benchmark for target '{target.raw}' has no comparable figure")
    if target.unit != obs.unit:
        return not_rated(f"unit mismatch: value {obs.display()} vs target {target.describe()}")

    if (explicit := band_columns(target)) is not None:  # explicit band columns decide
        rating = explicit.rating(value)
        band = dict(target.bands).get(rating.value)
        held = target.band_holding(value) == rating.value
        where = f"in the {rating.value} band" if held else f"between the bands, nearest the {rating.value} band"
        return RagResult(rating=rating, period=None, explanation=f"{rating.value.capitalize()}: {obs.display()} is "
                         f"{where if band is not None else 'outside the green and amber bands'}"
                         f"{f' {band.describe()}' if band is not None else ''}")
    bands = rag_bands(target, polarity, rules)
    if bands is None:  # a value or bound with no operator: only polarity says which way is good
        return not_rated(f"no polarity to tell whether {target.describe()} is a floor or a ceiling")
    rating = bands.rating(value)
    if target.kind is TargetKind.RANGE:
        assert target.low is not None and target.high is not None
        if rating is Rating.GREEN:
            return _result(Rating.GREEN, obs, target, value, 0.0, None, rules)
        nearer = target.low if value < target.low else target.high
        return _result(rating, obs, target, value, abs(value - nearer), nearer, rules)
    assert target.value is not None
    bound = target.value
    if rating is Rating.GREEN:
        return _result(Rating.GREEN, obs, target, value, 0.0, bound, rules)
    if target.floor is not None and rating is not Rating.GREEN:  # DESIGN 5: Amber up to the floor, Red beyond
        limit = format_number(target.floor, target.unit)
        where = "and is beyond" if rating is Rating.RED else "but not"
        shown = f"{rating.value.capitalize()}: {obs.display()} misses target {target.describe()}"
        text = f"{shown} {where} the floor {limit}"
        return RagResult(rating=rating, period=None, explanation=text)
    return _result(rating, obs, target, value, abs(value - bound), bound, rules)


def _benchmark_as_target(target: Target, polarity: Polarity | None, benchmark: Observation | None) -> Target:
    if benchmark is None or not benchmark.is_numeric or benchmark.number is None:
        return target.model_copy(update={"kind": None})
    op = target.operator
    if op == "better":
        if polarity is None:
            return target.model_copy(update={"kind": None})
        op = ">=" if polarity == "high" else "<="
    return target.model_copy(
        update={
            "kind": TargetKind.BOUND,
            "operator": op,
            "value": benchmark.number,
            "unit": benchmark.unit,
        }
    )


def allowed_miss(bound: float, unit: str | None, rules: Settings) -> float:
    """How far a value may miss `bound` and still be Amber."""
    if rules.tolerance_kind is ToleranceKind.ABSOLUTE:
        return rules.tolerance
    if rules.tolerance_kind is ToleranceKind.POINTS and unit == "%":
        return rules.tolerance
    if bound == 0:
        return rules.zero_target_band
    return abs(bound) / 100 * rules.tolerance  # divide first: abs(bound) * tolerance can overflow


def _tolerance_text(bound: float | None, unit: str | None, rules: Settings) -> str:
    if bound == 0 and rules.tolerance_kind is ToleranceKind.RELATIVE:
        return f"zero target, band {format_number(rules.zero_target_band, unit)}"
    if rules.tolerance_kind is ToleranceKind.ABSOLUTE:
        return f"tolerance {format_number(rules.tolerance, unit)}"
    if rules.tolerance_kind is ToleranceKind.POINTS and unit == "%":
        return f"tolerance {format_number(rules.tolerance)} points"
    return f"tolerance {format_number(rules.tolerance)}%"


def _result(
    rating: Rating, obs: Observation, target: Target, value: float, miss: float, bound: float | None, rules: Settings
) -> RagResult:
    shown = obs.display()
    if rating is Rating.GREEN:
        verb = "inside" if target.kind is TargetKind.RANGE else "meets"
        return RagResult(rating=rating, period=None, explanation=f"Green: {shown} {verb} target {target.describe()}")
    assert bound is not None
    if miss == 0:
        gap = "at the bound, which the target excludes"
    elif bound:
        gap = f"{(value - bound) / abs(bound) * 100:+.1f}%"
        if obs.unit == "%":
            gap += f", {value - bound:+.1f} points"
    else:
        gap = f"{value - bound:+g}"
    name = rating.value.capitalize()
    return RagResult(
        rating=rating,
        period=None,
        explanation=f"{name}: {shown} vs target {target.describe()} ({gap}, {_tolerance_text(bound, obs.unit, rules)})",
    )


NO_LIMIT = 1e307  # Excel's largest comfortable number stands in for infinity in formulas
SLACK = 1e-9  # a miss equal to the tolerance is Amber, whatever float noise the sum carries


@dataclass(slots=True, unsafe_hash=True)
class RagBands(Record):
    """Value ranges that are Green and Amber (anything else numeric is Red), for formulas in Excel."""

    green_low: float
    green_high: float
    amber_low: float
    amber_high: float
    # A strict bound ("<20%", ">50") excludes the bound itself: its green end is then the next
    # float beyond the bound, and "low" or "high" says which end that is.
    strict: str | None = None

    def rating(self, value: float) -> Rating:
        """The one rating rule: Green inside the green band, Amber inside the amber band, else Red."""
        if self.green_low <= value <= self.green_high:
            return Rating.GREEN
        if self.amber_low <= value <= self.amber_high:
            return Rating.AMBER
        return Rating.RED

    def stored_as(self, scale: float) -> RagBands:
        """The bands in a cell's stored units (scale 0.01: 31% kept as 0.31); no-limit ends stay put.

        Divides by the reciprocal, so 31% becomes exactly the 0.31 a spreadsheet stores."""
        if scale == 1.0:
            return self
        per = 1 / scale

        def one(bound: float) -> float:
            return bound if abs(bound) >= NO_LIMIT else bound / per

        green_low, green_high = one(self.green_low), one(self.green_high)
        if self.strict == "low":  # the next float beyond the bound in the stored units, not a scaled step
            green_low = math.nextafter(one(math.nextafter(self.green_low, -math.inf)), math.inf)
        elif self.strict == "high":
            green_high = math.nextafter(one(math.nextafter(self.green_high, math.inf)), -math.inf)
        return RagBands(green_low, green_high, one(self.amber_low), one(self.amber_high), self.strict)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return self.green_low, self.green_high, self.amber_low, self.amber_high


def rag_bands(
    target: Target, polarity: Polarity | None, rules: Settings, benchmark: Observation | None = None
) -> RagBands | None:
    """The rating rule as value ranges: rate_value rates by them, and a spreadsheet's conditional
    formats re-rate edited values with them. None when the target cannot rate a number."""
    if target.kind is TargetKind.BENCHMARK:
        target = _benchmark_as_target(target, polarity, benchmark)
    if (explicit := band_columns(target)) is not None:
        return explicit
    if target.kind is TargetKind.RANGE and target.low is not None and target.high is not None:
        return RagBands(
            green_low=target.low,
            green_high=target.high,
            amber_low=target.low - allowed_miss(target.low, target.unit, rules) - SLACK,
            amber_high=target.high + allowed_miss(target.high, target.unit, rules) + SLACK,
        )
    if target.kind not in (TargetKind.VALUE, TargetKind.BOUND) or target.value is None:
        return None
    op = target.operator if target.kind is TargetKind.BOUND else None
    if op is None:
        if polarity is None:
            return None
        op = ">=" if polarity == "high" else "<="
    bound = target.value
    allowed = allowed_miss(bound, target.unit, rules)
    if target.floor is not None:  # a floor column: Amber reaches the floor exactly, Red beyond it
        allowed = abs(target.floor - bound) - SLACK
    if op in ("<", "<="):
        green_high = math.nextafter(bound, -math.inf) if op == "<" else bound
        return RagBands(
            green_low=-NO_LIMIT, green_high=green_high, amber_low=-NO_LIMIT, amber_high=bound + allowed + SLACK,
            strict="high" if op == "<" else None,
        )
    green_low = math.nextafter(bound, math.inf) if op == ">" else bound
    return RagBands(
        green_low=green_low, green_high=NO_LIMIT, amber_low=bound - allowed - SLACK, amber_high=NO_LIMIT,
        strict="low" if op == ">" else None,
    )


def _interval(band: Target) -> tuple[float, float] | None:
    """The values a band column's cell holds, as a closed interval (strict bounds: the next float)."""
    if band.kind is TargetKind.RANGE and band.low is not None and band.high is not None:
        return band.low, band.high
    if band.kind is not TargetKind.BOUND or band.value is None:
        return None
    v = band.value
    return {
        "<": (-NO_LIMIT, math.nextafter(v, -math.inf)),
        "<=": (-NO_LIMIT, v),
        ">": (math.nextafter(v, math.inf), NO_LIMIT),
        ">=": (v, NO_LIMIT),
    }.get(band.operator or "")


def band_columns(target: Target) -> RagBands | None:
    """Explicit band columns (Red / Amber / Green (Target)) as the one rating rule: Green inside the
    green band; Amber inside the amber band or the gap between it and green (89.5% between "80%-89%"
    and "90% or above"), or, with no amber column, the gap between the green and red bands; Red
    otherwise. None when the bands do not give a green band and a side (then the target rates)."""
    if not target.bands:
        return None
    by_rating = dict(target.bands)
    amber = _interval(by_rating["amber"]) if "amber" in by_rating else None
    red = _interval(by_rating["red"]) if "red" in by_rating else None
    green_band = by_rating.get("green")
    if green_band is None:
        return None
    green = _interval(green_band)
    if green is None and green_band.kind is TargetKind.VALUE and green_band.value is not None:
        other = amber or red  # "Green 90%" with Amber "80%-89%": 90% or above
        if other is None:
            return None
        v = green_band.value
        green = (v, NO_LIMIT) if other[1] <= v else (-NO_LIMIT, v)
    if green is None:
        return None
    strict = "high" if green_band.operator == "<" else "low" if green_band.operator == ">" else None
    if amber is None and red is not None:  # the gap between green and red is Amber
        if red[1] <= green[0]:
            amber = (math.nextafter(red[1], math.inf), green[0])
        elif red[0] >= green[1]:
            amber = (green[1], math.nextafter(red[0], -math.inf))
    if amber is None:
        return None
    if amber[1] <= green[0]:  # amber below green: it reaches up to green
        amber = (amber[0], green[0])
    elif amber[0] >= green[1]:
        amber = (green[1], amber[1])
    return RagBands(green_low=green[0], green_high=green[1], amber_low=amber[0], amber_high=amber[1], strict=strict)


def value_bands(
    target: Target, polarity: Polarity | None, rules: Settings, unit: str | None, benchmark: Observation | None = None
) -> RagBands | None:
    """The bands that rate a value in `unit`, or None when such a value is not rated by this target
    (no target, a benchmark without a figure, or a target in other units)."""
    if target.kind is TargetKind.BENCHMARK:
        target = _benchmark_as_target(target, polarity, benchmark)
    if target.kind is None or target.unit != unit:
        return None
    return rag_bands(target, polarity, rules)

