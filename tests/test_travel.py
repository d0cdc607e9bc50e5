"""Direction of travel (DESIGN 6): numeric direction, meaning by polarity, submitted arrows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLE, pi, run_cli, small_sheet, write_workbook

from xlscorecard.api import load_scorecard
from xlscorecard.core.assessment import Assessment, assess
from xlscorecard.core.settings import Settings
from xlscorecard.core.travel import Direction, Meaning, direction_of_travel, parse_arrow
from xlscorecard.core.values import parse_value

UP, DOWN, SAME = Direction.UP, Direction.DOWN, Direction.SAME
IMPROVING, WORSENING = Meaning.IMPROVING, Meaning.WORSENING


def travel(previous: object, current: object, polarity: str | None = None, band: float = 2.0):  # type: ignore[no-untyped-def]
    return direction_of_travel(
        parse_value(current),
        parse_value(previous),
        polarity,
        band,
        "Qu 2 18-19",
        "Qu 1 18-19",  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("previous", "current", "polarity", "direction", "meaning"),
    [
        (2374, 2200, None, DOWN, None),  # 1.1: -7.3%, no polarity: no meaning
        ("23%", "24%", "low", UP, WORSENING),  # 2.6: +4.3%
        ("82%", "79%", "high", DOWN, WORSENING),  # 1.6
        ("6%", "10%", "high", UP, IMPROVING),  # 4.1
        (63, 25, "low", DOWN, IMPROVING),  # 6.19
        (496, 495, None, SAME, Meaning.SAME),  # 2.1: -0.2% is within 2%
        (496, 495, "high", SAME, Meaning.SAME),
        (100, 102, "high", SAME, Meaning.SAME),  # exactly 2%
        (100, 103, "high", UP, IMPROVING),
        (100, 97, "high", DOWN, WORSENING),
        (0, 0, "low", SAME, Meaning.SAME),
        (0, 1, "low", UP, WORSENING),  # from zero: no percentage, still up
        ("74%", "74%", "high", SAME, Meaning.SAME),
        ("17% (rolling year)/ 24% just Q1", "20% (rolling yr)/18% just Q2", "low", UP, WORSENING),  # headlines 17 -> 20
        ("123p", "150r", "high", UP, IMPROVING),
    ],
)
def test_direction_and_meaning(
    previous: object, current: object, polarity: str | None, direction: Direction, meaning: Meaning | None
) -> None:
    result = travel(previous, current, polarity)
    assert (result.direction, result.meaning) == (direction, meaning), result.explanation
    assert result.previous_period == "Qu 1 18-19"


@pytest.mark.parametrize(
    ("previous", "current"),
    [
        ("Supressed", 12),
        (9, "Supressed"),
        ("x", 5),
        (5, "-"),
        (None, 5),
        (5, None),
        ("97%-99%", "97%-99%"),  # ranges are not comparable
        (5, "#DIV/0!"),
        ("31%", 31),  # different units
    ],
)
def test_not_comparable(previous: object, current: object) -> None:
    result = travel(previous, current, "high")
    assert (result.direction, result.meaning) == (None, None)
    assert result.explanation.startswith("Not comparable")


def test_no_change_band_is_configurable() -> None:
    assert travel(496, 490, band=2.0).direction is SAME  # -1.2%
    assert travel(496, 490, band=1.0).direction is DOWN


def test_explanation_names_both_values_and_the_previous_quarter() -> None:
    result = travel("23%", "24%", "low")
    assert result.explanation == "Up +4.3%: 23% to 24% since Qu 1 18-19, worsening (low is good)"


@pytest.mark.parametrize(
    ("glyph", "direction"),
    [
        ("↑", UP),
        ("↓", DOWN),
        ("→", SAME),
        ("⬆", UP),
        ("⬇", DOWN),
        ("➡", SAME),
        ("⬆\ufe0f", UP),  # emoji presentation, as pasted from the web
        ("➡️", SAME),
        ("▲", UP),
        ("▼", DOWN),
        ("►", SAME),
        ("é", UP),  # Wingdings 3 letters
        ("ê", DOWN),
        ("è", SAME),
        (" ↑ ", UP),
        ("", None),
        ("?", None),
        ("up and down", None),
    ],
)
def test_parse_submitted_arrows(glyph: str, direction: Direction | None) -> None:
    assert parse_arrow(parse_value(glyph)) == direction


# ------------------------------------------------------------------ the example


def _result(a: Assessment, ref: str):  # type: ignore[no-untyped-def]
    return a.result_for(a.scorecard.indicator(ref))


def test_example_arrow_disagrees_for_1_17_but_not_2_6(example_assessment: Assessment) -> None:
    found = {f.ref: f for f in example_assessment.findings if f.code == "arrow-disagrees"}
    assert "1.17" in found
    assert found["1.17"].cell == "P25"
    assert "➡" in found["1.17"].message
    assert "+4.3%" in found["1.17"].message  # 23 -> 24
    assert "2.6" not in found  # ⬆ for 23% -> 24% is right
    travel_1_17 = _result(example_assessment, "1.17").travel
    assert (travel_1_17.direction, travel_1_17.meaning) == (UP, WORSENING)


def test_example_arrows_in_every_family_are_read(example_assessment: Assessment) -> None:
    sc = example_assessment.scorecard
    submitted = {ind.ref: parse_arrow(ind.submitted_arrow) for ind in sc.indicators}
    assert (submitted["1.1"], submitted["1.3"], submitted["1.10"]) == (DOWN, UP, SAME)  # ↓ ↑ →
    assert (submitted["1.15"], submitted["2.6"], submitted["1.14"]) == (DOWN, UP, SAME)  # ⬇ ⬆ ➡


def test_example_2_1_is_same_within_2_percent(example_assessment: Assessment) -> None:
    t = _result(example_assessment, "2.1").travel
    assert t.direction is SAME
    assert "496 to 495" in t.explanation


def test_example_markers_are_not_comparable(example_assessment: Assessment) -> None:
    assert _result(example_assessment, "1.7").travel.direction is None  # Supressed in both quarters
    assert _result(example_assessment, "5.13").travel.direction is None  # 'suppressed' in Q1
    assert _result(example_assessment, "10.6").travel.direction is None  # a range


def test_q1_compares_with_the_prior_years_q4() -> None:
    a = assess(load_scorecard(EXAMPLE, period="Qu 1 18-19"))
    t = _result(a, "4.6").travel  # TSV row 50: Qu 4 17-18 81, Qu 1 18-19 108
    assert t.previous_period == "Qu 4 17-18"
    assert (t.direction, t.meaning) == (UP, WORSENING)
    assert "81 to 108" in t.explanation


def test_q1_through_the_cli() -> None:
    result = run_cli("check", EXAMPLE, "--json", "--period", "Qu 1 18-19")
    data = {i["ref"]: i for i in json.loads(result.stdout)["indicators"]}
    # 2.1: 477 -> 496 is +4.0%, up; 1.3: 30% -> 31% is +3.3%, up
    assert data["2.1"]["travel"]["direction"] == "up"
    assert data["1.3"]["travel"]["previous_period"] == "Qu 4 17-18"
    assert data["2.1"]["travel"]["arrow"] == "↑"


def test_heavy_glyphs_setting(example_scorecard) -> None:  # type: ignore[no-untyped-def]
    a = assess(example_scorecard, Settings(glyphs="heavy"))
    assert a.glyph(_result(a, "1.1")) == "⬇"
    assert a.glyph(_result(a, "2.1")) == "➡"
    assert a.glyph(_result(a, "1.7")) == ""


@pytest.mark.parametrize(
    ("arrow", "finding"),
    [("↑", True), ("⬆", True), ("→", False), ("➡", False), ("è", False), ("é", True), ("", False)],
)
def test_arrow_disagrees_on_a_crafted_sheet(tmp_path: Path, arrow: str, finding: bool) -> None:
    rows = small_sheet(pi("1.1", "Number of children", q1=496, q2=495, arrow=arrow or None))
    a = assess(load_scorecard(write_workbook(tmp_path / "a.xlsx", rows)))
    found = [(f.ref, f.cell) for f in a.findings if f.code == "arrow-disagrees"]
    assert found == ([("1.1", "L5")] if finding else [])


# ------------------------------------------------------------------ the same period a year earlier


def test_year_on_year_is_none_without_the_period_and_compares_like_the_arrow() -> None:
    from xlscorecard.core.travel import year_on_year

    assert year_on_year(parse_value(5), parse_value(4), "high", 2.0, "Q2 2018/19", None) is None
    got = year_on_year(parse_value("24%"), parse_value("21%"), "low", 2.0, "Q2 2018/19", "Q2 2017/18")
    assert got is not None
    assert (got.direction, got.meaning, got.previous_period) == (UP, WORSENING, "Q2 2017/18")
    assert got.explanation == "year on year: up +14.3%: 21% to 24% since Q2 2017/18, worsening (low is good)"
    same = year_on_year(parse_value(301), parse_value(296), None, 2.0, "Q2 2018/19", "Q2 2017/18")
    assert same is not None and same.direction is SAME


YOY_HEADER = ["Ref", "Measure", "Polarity", "Target", "Q2 2017/18", "Q1 2018/19", "Q2 2018/19", "DoT",
              "Long Trend (Last Year)"]


def _yoy_sheet(tmp_path: Path, *rows: list[object], header: list[str] = YOY_HEADER) -> Path:
    return write_workbook(tmp_path / "yoy.xlsx", [["Year on year"], header, *rows], sheet="Scorecard")


@pytest.mark.parametrize(
    ("year_ago", "previous", "current", "polarity", "direction", "meaning"),
    [
        (20, 30, 25, "low", UP, WORSENING),  # the quarter before says improving; a year ago says worse
        (30, 20, 25, "low", DOWN, IMPROVING),
        ("80%", "90%", "85%", "high", UP, IMPROVING),
        (100, 90, 101, "high", SAME, Meaning.SAME),  # +1% is within the 2% band
    ],
)
def test_assessment_compares_with_the_same_quarter_a_year_earlier(  # type: ignore[no-untyped-def]
    tmp_path: Path, year_ago, previous, current, polarity, direction, meaning
) -> None:
    path = _yoy_sheet(tmp_path, ["1", "A measure", polarity, None, year_ago, previous, current])
    [result] = assess(load_scorecard(path)).results
    assert result.travel.previous_period == "Q1 2018/19"  # the arrow is unchanged
    year = result.travel.year_on_year
    assert year is not None
    assert (year.direction, year.meaning, year.previous_period) == (direction, meaning, "Q2 2017/18")


def test_no_year_on_year_where_the_sheet_lacks_that_period(tmp_path: Path) -> None:
    header = [h if h != "Q2 2017/18" else "Q4 2017/18" for h in YOY_HEADER]
    path = _yoy_sheet(tmp_path, ["1", "A measure", "high", None, 20, 30, 25], header=header)
    [result] = assess(load_scorecard(path)).results
    assert result.travel.year_on_year is None and result.travel.previous_period == "Q1 2018/19"


def test_financial_years_give_no_second_comparison_with_the_same_year(tmp_path: Path) -> None:
    header = ["Ref", "Measure", "Polarity", "Target", "2016/17", "2017/18"]
    path = _yoy_sheet(tmp_path, ["1", "A measure", "high", None, 20, 30], header=header)
    [result] = assess(load_scorecard(path)).results
    assert result.travel.previous_period == "2016/17" and result.travel.year_on_year is None


@pytest.mark.parametrize(
    ("submitted", "disagrees"),
    [("Declining", False), ("Worsened", False), ("↑", False), ("Improving", True), ("↓", True), ("No change", True),
     (None, False)],
)
def test_submitted_long_trend_is_checked_against_a_year_earlier(
    tmp_path: Path, submitted: str | None, disagrees: bool
) -> None:
    # Low is good: 20 a year ago -> 25 now is up and worsening; 30 last quarter -> 25 is down and improving.
    path = _yoy_sheet(tmp_path, ["1", "Re-referrals", "Low", None, 20, 30, 25, "↓", submitted])
    a = assess(load_scorecard(path))
    found = [(f.ref, f.cell) for f in a.findings if f.code == "arrow-disagrees"]
    assert found == ([("1", "I3")] if disagrees else [])


def test_check_json_and_table_show_year_on_year(tmp_path: Path) -> None:
    path = _yoy_sheet(tmp_path, ["1", "Re-referrals", "Low", None, 20, 30, 25, "↓", "Improving"])
    result = run_cli("check", path, "--json")
    assert result.returncode == 0, result.stderr
    [ind] = json.loads(result.stdout)["indicators"]
    assert ind["submitted_year_arrow"] == "Improving"
    assert ind["travel"]["previous_period"] == "Q1 2018/19"
    year = ind["travel"]["year_on_year"]
    assert (year["direction"], year["meaning"], year["previous_period"]) == ("up", "worsening", "Q2 2017/18")
    table = run_cli("check", path)
    assert table.returncode == 0, table.stderr
    text = " ".join(table.stdout.split())
    assert "year on year: up +25.0%: 20 to 25 since Q2 2017/18" in text.replace("│ │", "").replace(" │ ", " ")


def test_example_has_no_year_earlier_quarter_and_keeps_its_arrows(example_assessment: Assessment) -> None:
    assert all(r.travel.year_on_year is None for r in example_assessment.results)


def test_close_fractions_read_apart_in_the_explanation() -> None:
    result = travel(0.108, 0.112, "low")
    assert result.direction is UP and result.meaning is WORSENING
    assert "0.108 to 0.112" in result.explanation
