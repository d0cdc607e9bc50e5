"""RAG (DESIGN 5): every target form, tolerance, polarity, markers, stale values and the rule findings.

Ratings in the tables are worked out by hand from the rule "Green: met; Amber: missed by no more than
10% of the target; Red: missed by more" (the miss is given in a comment where it matters).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLE, pi, run_cli, small_sheet, write_workbook

from xlscorecard.api import load_scorecard
from xlscorecard.core.assessment import Assessment, assess
from xlscorecard.core.rag import Rating, rate_value
from xlscorecard.core.scorecard import Scorecard
from xlscorecard.core.settings import Settings
from xlscorecard.core.targets import parse_target
from xlscorecard.core.values import Observation, parse_value

G, A, R = Rating.GREEN, Rating.AMBER, Rating.RED


def rate(value: object, target: object, polarity: str | None = None, benchmark: object = None, **rules: object):
    bench = parse_value(benchmark) if benchmark is not None else None
    return rate_value(parse_value(value), parse_target(target), polarity, Settings(**rules), bench)  # type: ignore[arg-type]


# ------------------------------------------------------------------ target forms


@pytest.mark.parametrize(
    ("value", "target", "polarity", "rating"),
    [
        # a value: meet or beat it in the direction of polarity
        ("110", "121", "low", G),
        ("121", "121", "low", G),
        ("128", "121", "low", A),  # +7 = 5.8% of 121
        ("133", "121", "low", A),  # +12 = 9.9%
        ("134", "121", "low", R),  # +13 = 10.7%
        ("95%", "90%", "high", G),
        ("85%", "85%", "high", G),
        ("79%", "85%", "high", A),  # -6 = 7.1% of 85
        ("74%", "90%", "high", R),  # -16 = 17.8%
        (426, 426, "low", G),
        # strict and non-strict bounds
        ("19%", "<20%", None, G),
        ("20%", "<20%", None, A),  # the bound itself does not meet a strict bound
        ("20%", "<=20%", None, G),
        ("21%", "<=20%", None, A),  # 5%
        ("23%", "<20%", None, R),  # 15%
        ("51%", ">50%", None, G),
        ("50%", ">50%", None, A),
        ("43%", ">50%", None, R),  # 14%
        ("95%", ">=95%", None, G),
        # words
        ("19%", "less than 20%", None, G),
        ("20%", "less than 20%", None, A),
        ("90%", "at least 90%", None, G),
        ("85%", "at least 90%", None, A),  # 5.6%
        ("80%", "at least 90%", None, R),  # 11.1%
        ("4", "fewer than 5", None, G),
        ("5", "fewer than 5", None, A),
        ("6", "fewer than 5", None, R),  # 20%
        ("51%", "above 50%", None, G),
        ("50%", "above 50%", None, A),
        ("9", "below 10", None, G),
        ("11", "below 10", None, A),  # exactly 10%: "no more than the tolerance" is Amber
        ("12", "below 10", None, R),
        ("10", "no more than 10", None, G),
        # ranges: inside is met, polarity not needed; a miss is the distance to the nearer bound
        ("277", "260-300", None, G),
        ("260", "260-300", None, G),
        ("300", "260-300", None, G),
        ("250", "260-300", None, A),  # 10 below 260 = 3.8%
        ("320", "260-300", None, A),  # 20 above 300 = 6.7%
        ("340", "260-300", None, R),  # 40 above 300 = 13.3%
        ("200", "260-300", None, R),  # 60 below 260 = 23.1%
        ("36.5", "35-40", "high", G),
        ("98%", "97%-99%", None, G),
        # a zero target uses an absolute band (default 0)
        ("0", "0", "low", G),
        ("1", "0", "low", R),
        ("0%", "0%", "low", G),
        # flagged numbers are rated by their number
        ("123p", "121", "low", A),
        ("45%r", ">50%", None, A),  # 10% exactly
    ],
)
def test_target_forms(value: object, target: object, polarity: str | None, rating: Rating) -> None:
    result = rate(value, target, polarity)
    assert result.rating is rating, result.explanation
    assert result.explanation.startswith(rating.value.capitalize())


@pytest.mark.parametrize(
    ("value", "band", "rating"),
    [("1", 2.0, A), ("2", 2.0, A), ("3", 2.0, R), ("0", 2.0, G)],
)
def test_zero_target_band(value: str, band: float, rating: Rating) -> None:
    result = rate(value, "0", "low", zero_target_band=band)
    assert result.rating is rating
    if rating is not G:
        assert "zero target" in result.explanation


@pytest.mark.parametrize(
    ("value", "target", "polarity", "rules", "rating"),
    [
        ("79%", "85%", "high", {"tolerance_kind": "points", "tolerance": 5.0}, R),  # 6 points
        ("94%", "96%", "high", {"tolerance_kind": "points", "tolerance": 5.0}, A),  # 2 points
        ("127", "121", "low", {"tolerance_kind": "points", "tolerance": 5.0}, A),  # a count: 5% of 121 = 6.05 >= 6
        ("127", "121", "low", {"tolerance_kind": "absolute", "tolerance": 5.0}, R),  # 6 units > 5
        ("128", "121", "low", {"tolerance_kind": "absolute", "tolerance": 5.0}, R),  # 7 units
        ("125", "121", "low", {"tolerance_kind": "absolute", "tolerance": 5.0}, A),  # 4 units
        ("128", "121", "low", {"tolerance": 5.0}, R),  # 5.8% > 5%
        ("128", "121", "low", {"tolerance": 0.0}, R),
        (1e308, -1e308, "low", {}, R),  # the allowed miss (10% of 1e308) must not overflow to infinity
    ],
)
def test_tolerance_kinds(value: str, target: str, polarity: str, rules: dict[str, object], rating: Rating) -> None:
    assert rate(value, target, polarity, **rules).rating is rating


@pytest.mark.parametrize(
    ("target", "bench", "value", "rating"),
    [
        ("Above Stat Neighbour Average", "50%", "55%", G),
        ("Above Stat Neighbour Average", "50%", "50%", A),  # at the bound of a strict "above"
        ("Above Stat Neighbour Average", "50%", "48%", A),  # 2/50 = 4%
        ("Above Stat Neighbour Average", "50%", "40%", R),  # 10/50 = 20%
        ("Below National Average", "22%", "21%", G),
        ("Below National Average", "22%", "30%", R),
        ("At or above national average", "83%", "83%", G),
    ],
)
def test_benchmark_reference_targets(target: str, bench: str, value: str, rating: Rating) -> None:
    assert rate(value, target, None, benchmark=bench).rating is rating


@pytest.mark.parametrize("bench", [None, "Supressed", "x", ""])
def test_benchmark_target_without_a_figure_is_not_rated(bench: str | None) -> None:
    result = rate("55%", "Above Stat Neighbour Average", "high", benchmark=bench)
    assert result.rating is None
    assert result.explanation.startswith("Not rated")


# ------------------------------------------------------------------ values of every family


@pytest.mark.parametrize(
    ("value", "target", "polarity", "rating"),
    [
        ("17% (rolling year)/ 24% just Q1", "<15%", "low", R),  # headline 17: 13.3% over
        ("14% (rolling year)/ 24% just Q1", "<15%", "low", G),  # the 24% in the note is not rated
        ("57% (63%)", "60%", "high", A),  # headline 57: 5% under
        ("97%-99%", "97%-99%", "high", G),  # a range value inside the target range
        ("96%-99%", ">95%", "high", G),
        ("90%-99%", ">95%", "high", A),  # by its worse end, 90: 5.3% under
        ("80%-99%", ">95%", "high", R),  # worse end 80: 15.8% under
        ("97%-130%", "<=100%", "low", R),  # worse end 130 for a ceiling
    ],
)
def test_composite_and_range_values(value: str, target: str, polarity: str, rating: Rating) -> None:
    result = rate(value, target, polarity)
    assert result.rating is rating, result.explanation


@pytest.mark.parametrize("value", ["Supressed", "c", "<5", "x", "N/A", "z", "k", "-", "#DIV/0!", "about 40", None, ""])
def test_markers_blanks_and_errors_are_not_rated(value: object) -> None:
    result = rate(value, "<20", "low")
    assert result.rating is None
    assert result.explanation.startswith("Not rated")


@pytest.mark.parametrize(
    ("value", "target", "polarity", "reason"),
    [
        ("5", None, "high", "no target"),
        ("5", "Maintain", "high", "not understood"),
        ("7", "5", None, "no polarity"),  # a plain value target needs a polarity
        ("15", "20%", "low", "unit mismatch"),
        ("15%", "20", "low", "unit mismatch"),
    ],
)
def test_not_rated_reasons(value: str, target: str | None, polarity: str | None, reason: str) -> None:
    result = rate(value, target, polarity)
    assert result.rating is None
    assert reason in result.explanation


# ------------------------------------------------------------------ the example: worked checks of DESIGN 5


@pytest.mark.parametrize(
    ("ref", "rating", "explanation"),
    [
        ("4.6", A, "Amber: 128 vs target 121 (+5.8%, tolerance 10%)"),
        ("1.6", A, "Amber: 79% vs target 85%"),
        ("1.10", R, "Red: 74% vs target 90%"),
        ("1.11", G, "Green: 277 inside target 260-300"),
        ("2.7", R, "Red: 7% vs target <5%"),
        ("1.5", A, "Amber: 21% vs target <20%"),  # 1 point over a strict bound: 5%
        ("1.13", R, "Red: 20% vs target <15%"),  # composite "20% (rolling yr)/18% just Q2"
        ("10.6", G, "Green: 97%-99%"),  # a range value inside the target range
    ],
)
def test_example_worked_checks(example_assessment: Assessment, ref: str, rating: Rating, explanation: str) -> None:
    ind = example_assessment.scorecard.indicator(ref)
    rag = example_assessment.result_for(ind).rag
    assert rag.rating is rating
    assert rag.period == "Qu 2 18-19"
    assert rag.explanation.startswith(explanation)


def test_example_2_7_uses_the_polarity_implied_by_its_target(example_assessment: Assessment) -> None:
    ind = example_assessment.scorecard.indicator("2.7")
    assert ind.polarity is None and ind.polarity_raw is None  # the Polarity cell D33 is blank
    assert ind.target.implied_polarity == "low"
    assert example_assessment.result_for(ind).rag.rating is R
    assert not [f for f in example_assessment.findings if f.ref == "2.7" and f.code == "polarity-conflict"]


def test_example_stale_value_is_rated_with_a_finding(example_assessment: Assessment) -> None:
    ind = example_assessment.scorecard.indicator("2.10")  # Qu 2 blank (K38); Qu 1 72% (J38) vs 70%
    rag = example_assessment.result_for(ind).rag
    assert (rag.rating, rag.period) == (G, "Qu 1 18-19")
    stale = [f for f in example_assessment.findings if f.code == "stale" and f.ref == "2.10"]
    assert len(stale) == 1
    assert stale[0].cell == "J38"
    assert "Qu 1 18-19" in stale[0].message


def test_example_annual_target_in_year(example_assessment: Assessment) -> None:
    found = [f for f in example_assessment.findings if f.code == "annual-target-in-year"]
    assert [(f.ref, f.cell) for f in found] == [("4.3", "G47")]


def test_example_annual_target_profiled(example_scorecard: Scorecard) -> None:
    a = assess(example_scorecard, Settings(profile_annual_targets=True))
    finding = next(f for f in a.findings if f.code == "annual-target-in-year")
    assert finding.cell == "G47"
    assert "profiled to 15" in finding.message  # Q2 is half of the annual target 30
    assert a.result_for(example_scorecard.indicator("4.3")).rag.explanation.startswith("Red: 7 vs target")


def test_example_benchmark_in_other_units(example_assessment: Assessment) -> None:
    found = {(f.ref, f.cell) for f in example_assessment.findings if f.code == "benchmark-not-comparable"}
    assert ("6.8", "F77") in found  # national 49,650 fixed term exclusions vs a local 16
    assert ("6.8", "E77") not in found  # the statistical neighbour figure 61 is comparable
    result = example_assessment.result_for(example_assessment.scorecard.indicator("6.8"))
    assert "national" not in result.benchmarks
    assert result.benchmarks.get("stat_neighbour") == "better"  # 16 < 61, low is good


def _ratings(a: Assessment) -> dict[str, Rating | None]:
    return {r.ref: r.rag.rating for r in a.results}


def test_tolerance_5_via_settings_makes_4_6_red(example_scorecard: Scorecard) -> None:
    result = assess(example_scorecard, Settings(tolerance=5.0))
    rag = result.result_for(example_scorecard.indicator("4.6")).rag
    assert rag.rating is R
    assert rag.explanation == "Red: 128 vs target 121 (+5.8%, tolerance 5%)"


def test_per_pi_override_changes_only_that_pi(example_scorecard: Scorecard, example_assessment: Assessment) -> None:
    overridden = assess(example_scorecard, Settings(pi={"4.6": {"tolerance": 5.0}}))
    before, after = _ratings(example_assessment), _ratings(overridden)
    changed = {ref: (before[ref], after[ref]) for ref in before if before[ref] != after[ref]}
    assert changed == {"4.6": (A, R)}


@pytest.mark.parametrize(
    ("toml", "changed_to_red"),
    [
        ("tolerance = 5.0\n", {"4.6", "1.6"}),  # 1.6: 79% vs 85% is 7.1% under
        ('[pi."4.6"]\ntolerance = 5.0\n', {"4.6"}),
    ],
)
def test_rules_file_through_the_cli(tmp_path: Path, toml: str, changed_to_red: set[str]) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(toml, encoding="utf-8")
    plain = json.loads(run_cli("check", EXAMPLE, "--json").stdout)
    result = run_cli("check", EXAMPLE, "--json", "--rules", rules)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    before = {i["ref"]: i["rag"]["rating"] for i in plain["indicators"]}
    after = {i["ref"]: i["rag"]["rating"] for i in data["indicators"]}
    changed = {ref for ref in before if before[ref] != after[ref]}
    assert changed == changed_to_red
    assert all(after[ref] == "red" for ref in changed)
    four_six = next(i for i in data["indicators"] if i["ref"] == "4.6")
    assert four_six["rag"]["explanation"] == "Red: 128 vs target 121 (+5.8%, tolerance 5%)"


# ------------------------------------------------------------------ crafted sheets: findings with cells

# small_sheet layout: header on row 3, PIs from row 5; G target, H Qu 4 17-18, I Qu 1, J Qu 2, K RAG, L arrow


def _assess(tmp_path: Path, *rows: list[object], settings: Settings | None = None) -> Assessment:
    sc = load_scorecard(write_workbook(tmp_path / "crafted.xlsx", small_sheet(*rows)))
    return assess(sc, settings)


def _found(a: Assessment, code: str) -> list[tuple[str | None, str | None]]:
    return [(f.ref, f.cell) for f in a.findings if f.code == code]


def _rag(a: Assessment, ref: str):  # type: ignore[no-untyped-def]
    return a.result_for(a.scorecard.indicator(ref)).rag


def test_stale_value_names_its_period(tmp_path: Path) -> None:
    a = _assess(
        tmp_path,
        pi("1.1", "% repeat referrals", polarity="Low is good", target="<20%", q4="25%", q1="18%"),
        pi("1.2", "Number of referrals", q1=725, q2=695),
    )
    assert a.scorecard.reporting_period == "Qu 2 18-19"
    rag = _rag(a, "1.1")
    assert (rag.rating, rag.period) == (G, "Qu 1 18-19")
    stale = [f for f in a.findings if f.code == "stale"]
    assert [(f.ref, f.cell) for f in stale] == [("1.1", "I5")]
    assert "Qu 1 18-19" in stale[0].message


def test_polarity_conflict(tmp_path: Path) -> None:
    a = _assess(tmp_path, pi("1.1", "% repeat referrals", polarity="High is good", target="<20%", q1="18%", q2="15%"))
    assert _found(a, "polarity-conflict") == [("1.1", "G5")]
    assert _rag(a, "1.1").rating is G, "the bound in the target decides: 15% < 20%"


def test_unit_mismatch(tmp_path: Path) -> None:
    a = _assess(tmp_path, pi("1.1", "Number of referrals", polarity="Low is good", target="20%", q1=17, q2=15))
    assert _found(a, "unit-mismatch") == [("1.1", "G5")]
    rag = _rag(a, "1.1")
    assert rag.rating is None and "unit mismatch" in rag.explanation


def test_benchmark_target_rated_against_the_stat_neighbour_column(tmp_path: Path) -> None:
    a = _assess(
        tmp_path,
        pi("1.1", "% assessments in time", sn="50%", national="30%", target="Above Stat Neighbour Average", q2="40%"),
        pi("1.2", "% assessments in time", sn="50%", national="30%", target="Above National Average", q2="40%"),
    )
    assert _rag(a, "1.1").rating is R  # 40 vs SN 50: 20% under (against national 30 it would be Green)
    assert _rag(a, "1.2").rating is G  # 40 > national 30


def test_benchmark_in_other_units_is_not_compared(tmp_path: Path) -> None:
    a = _assess(tmp_path, pi("1.1", "Number of exclusions", polarity="Low is good", national="3.4%", sn=61, q2=16))
    assert _found(a, "benchmark-not-comparable") == [("1.1", "F5")]
    assert a.results[0].benchmarks == {"stat_neighbour": "better"}


@pytest.mark.parametrize(
    ("submitted", "finding"),
    [("G", True), ("Green", True), ("A", True), ("R", False), ("red", False), ("", False)],
)
def test_rag_disagrees(tmp_path: Path, submitted: str, finding: bool) -> None:
    a = _assess(tmp_path, pi("1.1", "% repeat referrals", target="<20%", q2="30%", rag=submitted or None))
    assert _rag(a, "1.1").rating is R
    assert _found(a, "rag-disagrees") == ([("1.1", "K5")] if finding else [])


def test_rag_disagrees_message(tmp_path: Path) -> None:
    a = _assess(tmp_path, pi("1.1", "% repeat referrals", target="<20%", q2="30%", rag="G"))
    message = next(f.message for f in a.findings if f.code == "rag-disagrees")
    assert "Green" in message and "Red" in message


@pytest.mark.parametrize(
    ("dash_counts_as", "missing", "rating"),
    [("not-available", 1, None), ("zero", 0, G)],
)
def test_dash_in_the_reporting_period(tmp_path: Path, dash_counts_as: str, missing: int, rating: Rating | None) -> None:
    a = _assess(
        tmp_path,
        pi("1.1", "Number of complaints", polarity="Low is good", target="<4", q1=5, q2="-"),
        settings=Settings(dash_counts_as=dash_counts_as),  # type: ignore[arg-type]
    )
    assert _found(a, "missing") == [("1.1", "J5")] * missing, "one finding per cell, and none when a dash is 0"
    assert _rag(a, "1.1").rating is rating


@pytest.mark.parametrize(
    ("value", "code"),
    [("x", "missing"), ("N/A", "missing"), ("Supressed", "suppressed"), ("#DIV/0!", "excel-error")],
)
def test_marker_in_the_reporting_period(tmp_path: Path, value: str, code: str) -> None:
    a = _assess(
        tmp_path,
        pi("1.1", "Number of complaints", polarity="Low is good", target="<4", q1=3, q2=value),
        pi("1.2", "Number of referrals", q1=725, q2=695),
    )
    assert ("1.1", "J5") in _found(a, code)
    rag = _rag(a, "1.1")
    assert rag.rating is None, "a marker is not rated, and Q1's 3 is not rated in its place"
    assert rag.period == "Qu 2 18-19"


def test_blank_reporting_value_falls_back_to_the_previous_quarter(tmp_path: Path) -> None:
    a = _assess(
        tmp_path,
        pi("1.1", "Number of complaints", polarity="Low is good", target="<4", q1=3),
        pi("1.2", "Number of referrals", q1=725, q2=695),
    )
    assert (_rag(a, "1.1").rating, _rag(a, "1.1").period) == (G, "Qu 1 18-19")
    assert ("1.1", "J5") in _found(a, "missing")
    assert ("1.1", "I5") in _found(a, "stale")


def test_observation_without_raw_is_not_rated() -> None:
    assert rate_value(Observation(), parse_target("5"), "high", Settings()).rating is None


@pytest.mark.parametrize("target", ["N/A", "TBC", "-", "n/a"])
def test_a_target_marked_not_available_means_no_target(tmp_path: Path, target: str) -> None:
    a = _assess(tmp_path, pi("1.1", "% repeat referrals", polarity="Low is good", target=target, q1="18%", q2="15%"))
    assert _found(a, "unparsed-target") == []
    rag = _rag(a, "1.1")
    assert rag.rating is None and rag.explanation == "Not rated: no target"
    assert a.scorecard.indicator("1.1").target.raw == target


def test_not_rated_pis_carry_the_reason_as_a_finding(example_assessment: Assessment) -> None:
    """DESIGN 5: not rated, with the reason as a finding (no target named at the target cell)."""
    not_rated = {f.ref: f for f in example_assessment.findings if f.code == "not-rated"}
    assert (not_rated["1.1"].cell, not_rated["1.1"].message) == ("G7", "Not rated: no target")
    assert not_rated["12.3"].cell == "G133"
    # Suppressed or empty values already have findings of their own: no second one.
    assert not {"1.7", "1.15", "5.11"} & set(not_rated)
    rated = {r.ref for r in example_assessment.results if r.rag.rating is not None}
    assert not rated & set(not_rated)
