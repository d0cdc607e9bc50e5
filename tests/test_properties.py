"""Property tests: parsing and rating are total, meeting a target is Green, better is never rated worse."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from xlscorecard.core.rag import Rating, rate_value
from xlscorecard.core.settings import Settings, ToleranceKind
from xlscorecard.core.targets import Target, TargetKind, parse_polarity, parse_target
from xlscorecard.core.travel import parse_arrow
from xlscorecard.core.values import Observation, Status, parse_value

WORSENESS = {Rating.GREEN: 0, Rating.AMBER: 1, Rating.RED: 2}

# Text that looks like what analysts type: digits, separators, markers, operators, brackets.
SCORECARD_ALPHABET = "0123456789.,%-–<>=≤≥ ()/[]#!?*~:prekcxzPREKCXZ"
scorecard_text = st.text(alphabet=SCORECARD_ALPHABET, max_size=16)
word_text = st.sampled_from(
    ["less than", "at least", "fewer than", "above", "below", "Stat Neighbour", "national", "N/A", "TBC", "low"]
)
cells = st.one_of(
    st.none(),
    st.text(),
    scorecard_text,
    st.builds(lambda w, t: f"{w} {t}", word_text, scorecard_text),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.booleans(),
)
formats = st.one_of(st.none(), st.sampled_from(["0%", "0.0%", '0"%"', "General", "#,##0", "0.00"]), st.text(max_size=8))
polarities = st.sampled_from(["high", "low", None])
rule_sets = st.builds(
    Settings,
    tolerance_kind=st.sampled_from(list(ToleranceKind)),
    tolerance=st.floats(0, 50),
    zero_target_band=st.floats(0, 10),
    dash_counts_as=st.sampled_from(["not-available", "zero"]),
)

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cells, formats)
@example("9" * 400, None)
@example(float("nan"), "0%")
@example(float("inf"), None)
@example(True, "0%")
def test_parse_value_never_raises(value: object, number_format: str | None) -> None:
    obs = parse_value(value, number_format, cell="K7")
    assert isinstance(obs.status, Status)
    assert obs.cell == "K7"
    if value is not None and not (isinstance(value, str) and not value.strip()):
        assert obs.raw is not None, "the raw text of every cell is kept"
    if obs.is_marker:
        assert obs.number is None
    obs.display()  # rendering a value never raises either


@PROPERTY
@given(cells, formats)
@example("<" + "9" * 400, None)
@example("Above Stat Neighbour Average", None)
def test_parse_target_never_raises(value: object, number_format: str | None) -> None:
    target = parse_target(value, number_format, cell="G7")
    target.describe()
    assert target.implied_polarity in ("high", "low", None)


@PROPERTY
@given(cells)
def test_polarity_and_arrow_parsing_never_raise(value: object) -> None:
    polarity, understood = parse_polarity(value)
    assert polarity in ("high", "low", None)
    assert isinstance(understood, bool)
    parse_arrow(parse_value(value))


@PROPERTY
@given(cells, cells, polarities, rule_sets, st.one_of(st.none(), cells))
@example("9" * 400, "50", "high", Settings(), None)
@example(1e308, -1e308, "low", Settings(), None)
@example("97%-99%", ">95%", "high", Settings(), None)
@example("55%", "Above Stat Neighbour Average", None, Settings(), "50%")
def test_rate_value_never_raises(
    value: object, target: object, polarity: str | None, rules: Settings, benchmark: object
) -> None:
    bench = parse_value(benchmark) if benchmark is not None else None
    result = rate_value(parse_value(value), parse_target(target), polarity, rules, bench)  # type: ignore[arg-type]
    assert result.rating in (Rating.GREEN, Rating.AMBER, Rating.RED, None)
    assert result.explanation
    if result.rating is None:
        assert result.explanation.startswith("Not rated")
    else:
        assert result.explanation.startswith(result.rating.value.capitalize())


# ------------------------------------------------------------------ meeting a target is Green

finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
units = st.sampled_from([None, "%"])


def number(value: float, unit: str | None) -> Observation:
    return Observation(raw=str(value), number=value, unit=unit, status=Status.NUMBER)


@st.composite
def met_targets(draw: st.DrawFn) -> tuple[Observation, Target, str | None]:
    """A target of any form and a value that meets it, with the polarity the target goes with."""
    unit = draw(units)
    kind = draw(st.sampled_from(["value", "bound", "range"]))
    t = draw(finite)
    if kind == "value":
        polarity = draw(st.sampled_from(["high", "low"]))
        v = draw(st.floats(min_value=t, max_value=2e9)) if polarity == "high" else draw(st.floats(-2e9, t))
        return number(v, unit), Target(raw=str(t), kind=TargetKind.VALUE, value=t, unit=unit), polarity
    if kind == "bound":
        op = draw(st.sampled_from(["<", "<=", ">", ">="]))
        if op in (">", ">="):
            v = draw(st.floats(min_value=t, max_value=2e9, exclude_min=op == ">"))
        else:
            v = draw(st.floats(min_value=-2e9, max_value=t, exclude_max=op == "<"))
        target = Target(raw=f"{op}{t}", kind=TargetKind.BOUND, operator=op, value=t, unit=unit)  # type: ignore[arg-type]
        return number(v, unit), target, draw(st.sampled_from([target.implied_polarity, None]))
    high = draw(st.floats(min_value=t, max_value=2e9))
    v = draw(st.floats(min_value=t, max_value=high))
    target = Target(raw=f"{t}-{high}", kind=TargetKind.RANGE, low=t, high=high, unit=unit)
    return number(v, unit), target, draw(polarities)


@PROPERTY
@given(met_targets(), rule_sets)
def test_a_value_that_meets_its_target_is_green(case: tuple[Observation, Target, str | None], rules: Settings) -> None:
    obs, target, polarity = case
    result = rate_value(obs, target, polarity, rules)  # type: ignore[arg-type]
    assert result.rating is not Rating.RED
    assert result.rating is Rating.GREEN, result.explanation


@PROPERTY
@given(
    st.integers(min_value=0, max_value=10**7),
    st.integers(min_value=0, max_value=99),
)
def test_three_storages_of_a_number_agree(whole: int, hundredths: int) -> None:
    """'9,536' as text, 9536 as a number; '31.25%' as text, 0.3125 with '0.00%', 31.25 with '0.00\"%\"'."""
    assert parse_value(f"{whole:,}").number == parse_value(whole).number == whole
    written = f"{whole % 1000}.{hundredths:02d}"  # what the cell shows, e.g. 31.25%
    pct = float(written)
    text = parse_value(f"{written}%")
    fraction = parse_value(pct / 100, "0.00%")
    literal = parse_value(pct, '0.00"%"')
    assert text.number == fraction.number == literal.number == pct
    assert text.unit == fraction.unit == literal.unit == "%"


# ------------------------------------------------------------------ better is never rated worse


@st.composite
def directed_targets(draw: st.DrawFn) -> tuple[Target, str]:
    """A value or bound target with the polarity it is rated by."""
    unit = draw(units)
    t = draw(finite)
    if draw(st.booleans()):
        return Target(raw=str(t), kind=TargetKind.VALUE, value=t, unit=unit), draw(st.sampled_from(["high", "low"]))
    op = draw(st.sampled_from(["<", "<=", ">", ">="]))
    target = Target(raw=f"{op}{t}", kind=TargetKind.BOUND, operator=op, value=t, unit=unit)  # type: ignore[arg-type]
    assert target.implied_polarity is not None
    return target, target.implied_polarity


@PROPERTY
@given(directed_targets(), finite, finite, rule_sets)
@example((Target(raw="<20", kind=TargetKind.BOUND, operator="<", value=20.0), "low"), 20.0, 19.0, Settings())
@example((Target(raw="0", kind=TargetKind.VALUE, value=0.0), "high"), -1.0, 0.0, Settings())
def test_moving_in_the_good_direction_never_rates_worse(
    case: tuple[Target, str], a: float, b: float, rules: Settings
) -> None:
    target, polarity = case
    assume(a != b)
    worse, better = (min(a, b), max(a, b)) if polarity == "high" else (max(a, b), min(a, b))
    r_worse = rate_value(number(worse, target.unit), target, polarity, rules)  # type: ignore[arg-type]
    r_better = rate_value(number(better, target.unit), target, polarity, rules)  # type: ignore[arg-type]
    assert r_worse.rating is not None and r_better.rating is not None
    assert WORSENESS[r_better.rating] <= WORSENESS[r_worse.rating], (r_worse.explanation, r_better.explanation)


@PROPERTY
@given(
    st.floats(min_value=0, max_value=1e6),
    st.floats(min_value=0, max_value=1e6),
    st.floats(min_value=-1e6, max_value=1e6),
    st.floats(min_value=0, max_value=1e6),
    rule_sets,
)
def test_range_targets_closer_is_never_worse(
    low: float, width: float, value: float, step: float, rules: Settings
) -> None:
    """For a range target, moving a value toward the range never makes the rating worse."""
    target = Target(raw="range", kind=TargetKind.RANGE, low=low, high=low + width)
    closer = min(value + step, low) if value < low else max(value - step, low + width) if value > low + width else value
    r_far = rate_value(number(value, None), target, None, rules)
    r_near = rate_value(number(closer, None), target, None, rules)
    assert r_far.rating is not None and r_near.rating is not None
    assert WORSENESS[r_near.rating] <= WORSENESS[r_far.rating]
