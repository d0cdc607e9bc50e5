"""Table-driven tests of the reader's vocabulary, one family at a time, on in-memory Grids.

Each case builds a small scorecard sheet as a Grid (fonts included, as a reader that knows them
hands it over) and checks what a user would see: the column's role, the period and its dates, the
PI's polarity, RAG and findings.
"""

from __future__ import annotations

import datetime as dt

import pytest

from xlscorecard.core.assessment import assess
from xlscorecard.core.errors import WorkbookError
from xlscorecard.core.findings import Code
from xlscorecard.core.grid import Grid
from xlscorecard.core.reading import read_scorecard
from xlscorecard.core.reading.header import find_header
from xlscorecard.core.reading.periods import parse_period, previous_period
from xlscorecard.core.reading.profile import profile_from_dict
from xlscorecard.core.settings import Settings


def sheet(header: list[object], *rows: list[object], fonts: list[list[str | None]] | None = None) -> Grid:
    return Grid.from_rows([["Council scorecard"], header, *rows], sheet="KPIs", font_names=fonts)


def assessed(grid: Grid, **kw: object):  # type: ignore[no-untyped-def]
    return assess(read_scorecard(grid, **kw), Settings())  # type: ignore[arg-type]


# ------------------------------------------------------------------ periods: every spelling
PERIODS = [
    ("Qu 2 18-19", "quarter", "2018-07-01", "2018-09-30"),
    ("Q2 2018/19", "quarter", "2018-07-01", "2018-09-30"),
    ("2018/19 Q2", "quarter", "2018-07-01", "2018-09-30"),
    ("Q2 18/19", "quarter", "2018-07-01", "2018-09-30"),
    ("Quarter 2 (Jul-Sep) 2018/19", "quarter", "2018-07-01", "2018-09-30"),
    ("Jul-Sep 2018", "quarter", "2018-07-01", "2018-09-30"),
    ("Jan-Mar 2019", "quarter", "2019-01-01", "2019-03-31"),
    ("Q1 2023/24 Value", "quarter", "2023-04-01", "2023-06-30"),
    ("Q3 actual 2018/19", "quarter", "2018-10-01", "2018-12-31"),
    ("2017/18", "financial_year", "2017-04-01", "2018-03-31"),
    ("2017-18 Outturn", "financial_year", "2017-04-01", "2018-03-31"),
    ("Outturn 2017/18", "financial_year", "2017-04-01", "2018-03-31"),
    ("Yr. end 17-18", "financial_year", "2017-04-01", "2018-03-31"),
    ("2015/16 (Year End)", "financial_year", "2015-04-01", "2016-03-31"),
    ("YTD 2018/19", "year_to_date", "2018-04-01", "2019-03-31"),
    ("2018/19 mid-year", "half_year", "2018-04-01", "2018-09-30"),
    ("H1 2018/19", "half_year", "2018-04-01", "2018-09-30"),
    ("H2 2018/19", "half_year", "2018-10-01", "2019-03-31"),
    ("Jan-17", "month", "2017-01-01", "2017-01-31"),
    ("January 2017", "month", "2017-01-01", "2017-01-31"),
    ("AY 2017/18", "academic_year", "2017-09-01", "2018-08-31"),
    ("2017/18 academic year", "academic_year", "2017-09-01", "2018-08-31"),
    ("Autumn term 2018", "term", "2018-09-01", "2018-12-31"),
    ("Spring term 2019", "term", "2019-01-01", "2019-03-31"),
    ("Summer term 2019", "term", "2019-04-01", "2019-08-31"),
]


@pytest.mark.parametrize(("label", "granularity", "start", "end"), PERIODS)
def test_every_period_spelling(label: str, granularity: str, start: str, end: str) -> None:
    period = parse_period(label)
    assert period is not None
    assert period.details() == {"label": label, "granularity": granularity, "start": start, "end": end}


@pytest.mark.parametrize("label", ["Q3 target 2018/19", "Target 2018/19", "England 2017/18", "Q5 18-19", "Notes"])
def test_not_periods(label: str) -> None:
    assert parse_period(label) is None


@pytest.mark.parametrize(
    ("label", "previous", "year_before"),
    [
        ("Q1 2018/19", "Q4 2017/18", "Q1 2017/18"),
        ("Q3 2018/19", "Q2 2018/19", "Q3 2017/18"),
        ("Jan-18", "Dec-17", "Jan-17"),
        ("H1 2018/19", "H2 2017/18", "H1 2017/18"),
        ("Spring term 2019", "Autumn term 2018", "Spring term 2018"),
        ("2018/19", "2017/18", "2017/18"),
    ],
)
def test_previous_period_of_the_same_granularity(label: str, previous: str, year_before: str) -> None:
    periods = [p for p in map(parse_period, [label, previous, year_before]) if p is not None]
    assert previous_period(periods[0], periods) == periods[1]
    assert previous_period(periods[0], periods, years=1) == periods[2]


def test_a_monthly_sheet_with_date_cells_is_rated_for_its_latest_month() -> None:
    grid = sheet(
        ["Ref", "Measure", "Polarity", "Target", "2018-04-01", "2018-05-01", "2018-06-01"],
        ["M1", "% of referrals that were re-referrals", "Low", "20%", "22%", "21%", "19%"],
    )
    a = assessed(grid)
    assert a.scorecard.period_labels == ["Apr 2018", "May 2018", "Jun 2018"]
    assert a.scorecard.reporting_period == "Jun 2018"
    result = a.results[0]
    assert (result.rag.rating, result.travel.previous_period) == ("green", "May 2018")


@pytest.mark.parametrize(
    "labels",
    [["Jun-18", "Sep-18", "Dec-18", "Mar-19", "Jun-19"], ["2018-06-30", "2018-09-30", "2018-12-31", "2019-03-31",
                                                          "2019-06-30"]],
)
def test_quarter_end_months_are_a_quarterly_series(labels: list[str]) -> None:
    grid = sheet(["Ref", "Measure", "Polarity", "Target", *labels],
                 ["Q1", "Visits on time", "High", 90, 80, 84, 86, 88, 92])
    a = assessed(grid)
    assert [p.granularity for p in a.scorecard.periods] == ["quarter"] * 5
    assert [(p.start, p.end) for p in a.scorecard.periods][-1] == (dt.date(2019, 4, 1), dt.date(2019, 6, 30))
    travel = a.results[0].travel
    assert travel.previous_period == a.scorecard.period_labels[3]  # the quarter before, three months back
    assert travel.direction == "up" and travel.year_on_year is not None
    assert travel.year_on_year.previous_period == a.scorecard.period_labels[0]


@pytest.mark.parametrize(
    ("labels", "why"),
    [(["Apr-19", "Jun-19", "Sep-19"], "not every month ends a quarter"),
     (["Jun-19", "Jul-19", "Aug-19", "Sep-19"], "a monthly series through quarter ends")],
)
def test_months_that_are_not_a_quarterly_series_stay_months(labels: list[str], why: str) -> None:
    a = assessed(sheet(["Ref", "Measure", "Polarity", "Target", *labels], ["M1", "Visits", "High", 90, 80, 84, 86, 87]))
    assert "quarter" not in [p.granularity for p in a.scorecard.periods], why


def test_no_earlier_month_is_said_in_months() -> None:
    a = assessed(sheet(["Ref", "Measure", "Polarity", "Target", "Jun-19"], ["M1", "Visits", "High", 90, 92]))
    assert a.results[0].travel.explanation == "Not comparable: no month before Jun-19"


@pytest.mark.parametrize(
    ("title", "sheet_name", "quarters"),
    [("Children's Services Scorecard 2019/20", "KPIs", ["Q1", "Q2", "Q3"]),
     ("Children's Services Scorecard", "KPIs 2019-20", ["Quarter 1", "Quarter 2", "Quarter 3"])],
)
def test_bare_quarters_take_the_one_year_the_title_or_sheet_name_states(
    title: str, sheet_name: str, quarters: list[str]
) -> None:
    grid = Grid.from_rows([[title], [], ["Ref", "Measure", "Polarity", "Target", *quarters],
                           ["A", "Visits on time", "High", 90, 85, 88, 92]], sheet=sheet_name)
    a = assessed(grid)
    assert [(p.kind, p.year, p.quarter) for p in a.scorecard.periods] == [("quarter", 2019, q) for q in (1, 2, 3)]
    assert a.scorecard.reporting_period == f"{quarters[2]} 2019/20"
    assert a.results[0].travel.previous_period == f"{quarters[1]} 2019/20"
    cells = {cell.text: cell.source for cell in find_header(grid).cells}  # type: ignore[union-attr]
    assert cells[quarters[0]] == "inferred"


@pytest.mark.parametrize("title", ["Scorecard", "Scorecard 2018/19 and 2019/20"])
def test_bare_quarters_with_no_single_year_are_refused_saying_so(title: str) -> None:
    grid = Grid.from_rows([[title], ["Ref", "Measure", "Polarity", "Target", "Q1", "Q2"],
                           ["A", "Visits", "High", 9, 8, 9]])
    with pytest.raises(WorkbookError) as refused:
        read_scorecard(grid)
    assert "'Q1', 'Q2' name no year" in str(refused.value)


@pytest.mark.parametrize(("formats", "number", "rating"), [
    ("General", 85.0, "amber"),  # no cell shows a percentage: 0.85 in a % measure is a fraction, 85%
    ("0%", 0.85, "amber"),  # the author formats percentages: an unformatted 0.85 stays 0.85%
])
def test_fractions_in_a_percent_measure_on_a_sheet_with_no_percent_format(
    formats: str, number: float, rating: str
) -> None:
    rows = [["Ref", "Measure", "Polarity", "Target", "Q1 2019/20", "Q2 2019/20"],
            ["A1", "% of visits on time", "High", 0.9, 0.82, 0.85],
            ["A2", "% of plans reviewed", "High", None, None, None]]
    number_formats = [[None] * 6, ["General"] * 6, [None, None, None, formats, None, None]]
    a = assessed(Grid.from_rows(rows, number_formats=number_formats))
    value = a.scorecard.indicators[0].values["Q2 2019/20"]
    assert (value.number, value.unit) == (number, "%")
    assert a.results[0].rag.rating == rating
    if number == 85.0:
        assert a.results[0].rag.explanation.startswith("Amber: 85% vs target 90%")
        assert a.results[0].scale == 0.01  # the cell holds 0.85: the return's colour rule rates it so


# ------------------------------------------------------------------ headers: wording -> role
HEADERS = [
    ("Ref", "ref"), ("No.", "ref"), ("PI No", "ref"), ("KPI Ref", "ref"), ("Code", "ref"),
    ("Measure", "measure"), ("Indicator", "measure"), ("Performance Indicator", "measure"),
    ("Key performance indicator", "measure"), ("KPI", "measure"), ("Description", "measure"),
    ("INDICATORS - EARLY HELP", "measure"),
    ("Polarity", "polarity"), ("Good is", "polarity"), ("Good performance is", "polarity"),
    ("Higher is better?", "polarity"), ("Direction of improvement", "polarity"), ("Aim", "polarity"),
    ("Better", "polarity"), ("High/Low", "polarity"), ("Preferred direction", "polarity"), ("Unit", "unit"),
    ("Unit of measure", "unit"),
    ("Target", "target"), ("Target 2022/23", "target"), ("Annual target", "target"),
    ("Target / threshold", "target"), ("Floor", "floor"), ("Threshold", "floor"),
    ("Red", "band_red"), ("Amber", "band_amber"), ("Green (Target)", "band_green"),
    ("RAG", "rag"), ("Status", "rag"), ("RAG Status", "rag"), ("Rating", "rag"),
    ("DoT", "travel"), ("Trend", "travel"), ("Short Trend (Last Quarter)", "travel"),
    ("Long Trend (Last Year)", "travel_year"), ("Change", "travel"), ("Data Period", "data_period"),
    ("England 2017/18", "national"), ("Stat neighbours 2017/18", "stat_neighbour"), ("Comments", "comments"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "role"), HEADERS)
def test_every_header_wording(text: str, role: str) -> None:
    other = "Ref" if role != "ref" else "Measure"
    grid = sheet([other, text, "Target" if role != "target" else "Polarity", "Q1 2018/19", "Q2 2018/19"],
                 ["X1", "a", "b", 1, 2])
    header = find_header(grid)
    assert header is not None
    [cell] = [c for c in header.cells if c.text == text]
    assert cell.role == role


@pytest.mark.parametrize(("header", "high", "low"), [("Aim", "Maximise", "Minimise"), ("Better", "High", "Low")])
def test_an_aim_column_rates_each_pi_by_its_direction(header: str, high: str, low: str) -> None:
    a = assess(read_scorecard(sheet(["Ref", "Measure", header, "Target", "Q1 2019/20", "Q2 2019/20"],
                                     ["A1", "Placement stability", high, 70, 68, 72],
                                     ["A2", "Missing episodes", low, 100, 120, 110])), Settings())
    assert [ind.polarity for ind in a.scorecard.indicators] == ["high", "low"]
    assert [r.rag.rating for r in a.results] == ["green", "amber"]
    assert not [f for f in a.findings if f.code is Code.UNRECOGNISED_COLUMN]


def test_two_row_header_with_merged_group_over_bare_quarters() -> None:
    grid = Grid.from_rows(
        [
            ["Ref", "Indicator", "Good is", "2017/18", None, "2018/19", None, "Target"],
            [None, None, None, "Q3", "Q4", "Q1", "Q2", None],
            ["A1", "% of plans reviewed within timescale", "High", 80, 81, 84, 88, 85],
        ]
    )
    a = assessed(grid)
    assert a.scorecard.period_labels == ["Q3 2017/18", "Q4 2017/18", "Q1 2018/19", "Q2 2018/19"]
    assert a.results[0].rag.rating == "green"


def test_repeated_header_under_each_section_is_skipped() -> None:
    header = ["Ref", "Measure", "Polarity", "Target", "Q1 2018/19", "Q2 2018/19"]
    grid = sheet(header, ["Early help"], ["E1", "Families", "High", 10, 9, 12], header,
                 ["Care"], ["C1", "Visits", "High", 10, 9, 8])
    sc = read_scorecard(grid)
    assert [i.ref for i in sc.indicators] == ["E1", "C1"]
    assert [s.title for s in sc.sections] == ["Early help", "Care"]


def test_a_header_printed_again_with_the_same_periods_in_other_words_is_skipped() -> None:
    grid = sheet(["Ref", "Measure", "Polarity", "Target", "Q1 2018/19", "Q2 2018/19"],
                 ["E1", "Families", "High", 10, 9, 12],
                 ["Ref", "Measure", "Polarity", "Target", "Qu 1 18-19", "Qu 2 18-19"],
                 ["C1", "Visits", "High", 10, 9, 8])
    sc = read_scorecard(grid)
    assert [i.ref for i in sc.indicators] == ["E1", "C1"]
    assert not [f for f in sc.findings if f.code is Code.OTHER_TABLE]


def test_a_second_table_with_other_periods_is_not_read_as_the_first_ones_periods() -> None:
    rows = [["Quarterly measures"], ["Ref", "Measure", "Polarity", "Target", "Q1 2019/20", "Q2 2019/20"],
            ["Q1", "Visits on time", "High", 90, 85, 92], [],
            ["Annual measures"], ["Ref", "Measure", "Polarity", "Target", "2017/18", "2018/19"],
            ["Y1", "KS2 attainment", "High", 65, 62, 64]]
    sc = read_scorecard(Grid.from_rows(rows, sheet="Scorecard"))
    assert [i.ref for i in sc.indicators] == ["Q1"]  # Y1's 2018/19 is no Q2 2019/20 value
    assert sc.sections == []
    [other] = [f for f in sc.findings if f.code is Code.OTHER_TABLE]
    assert other.cell == "A6" and other.severity == "warning"
    assert "'2017/18', '2018/19'" in other.message and "header_rows = [6]" in other.message
    # The way out it names reads the second table.
    profile = profile_from_dict({"header_rows": [6]}, "second.toml")
    second = read_scorecard(Grid.from_rows(rows, sheet="Scorecard"), profile=profile)
    assert [i.ref for i in second.indicators] == ["Y1"]
    assert second.reporting_period == "2018/19"


def test_unknown_header_is_a_finding_at_its_cell_and_a_profile_names_it() -> None:
    grid = sheet(["Ref", "Measure", "Portfolio holder", "Target", "Q1 2018/19", "Q2 2018/19"],
                 ["X1", "Visits", "Cllr A", 10, 9, 12])
    sc = read_scorecard(grid)
    [f] = [f for f in sc.findings if f.code == "unrecognised-column"]
    assert f.cell == "C2" and "Portfolio holder" in f.message
    profile = profile_from_dict({"columns": {"Portfolio holder": "lead"}}, "p.toml")
    sc = read_scorecard(grid, profile=profile)
    assert not [f for f in sc.findings if f.code == "unrecognised-column"]
    assert sc.indicators[0].lead == "Cllr A"


def test_no_period_column_is_refused_in_one_line_naming_the_cells_and_the_way_out() -> None:
    grid = sheet(["Ref", "Indicator", "Target", "Actual"], ["K1", "Visits", 10, 9])
    with pytest.raises(WorkbookError) as caught:
        read_scorecard(grid, file="k.xlsx")
    message = str(caught.value)
    assert "\n" not in message and "'Actual'" in message
    assert "xlscorecard layout" in message and "--layout" in message


def test_a_pi_with_no_readable_value_in_any_period_is_a_finding() -> None:
    grid = sheet(["Ref", "Measure", "Target", "Q1 2018/19", "Q2 2018/19"], ["X1", "Visits", 10, None, "n/a"],
                 ["X2", "Calls", 10, 3, 4])
    sc = read_scorecard(grid)
    assert [(f.code, f.ref) for f in sc.findings if f.code == "no-values"] == [("no-values", "X1")]


# ------------------------------------------------------------------ polarity: words, codes, glyphs per font
POLARITIES = [
    ("High is good", None, "high"), ("Good is High", None, "high"), ("Higher is better", None, "high"),
    ("Bigger is better", None, "high"), ("H", None, "high"), ("↑", None, "high"), ("▲", None, "high"),
    ("Yes", None, "high"),
    ("Low is good", None, "low"), ("Good is Low", None, "low"), ("Lower is better", None, "low"),
    ("Smaller is better", None, "low"), ("L", None, "low"), ("↓", None, "low"), ("▼", None, "low"),
    ("é", "Wingdings", "high"), ("ê", "Wingdings", "low"), ("h", "Wingdings 3", "high"),
    ("i", "Wingdings 3", "low"), ("p", "Wingdings 3", "high"), ("q", "Wingdings 3", "low"),
    ("Info", None, "info"), ("Data only", None, "info"), ("Monitor only", None, "info"),
    ("For information", None, "info"), ("Context", None, "info"), ("Not applicable", None, "info"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "font", "polarity"), POLARITIES)
def test_every_polarity_wording_and_glyph_in_its_font(text: str, font: str | None, polarity: str) -> None:
    fonts = [[None] * 6, [None] * 6, [None, None, font, None, None, None]]
    grid = sheet(["Ref", "Measure", "Polarity", "Target", "Q1 2018/19", "Q2 2018/19"],
                 ["P1", "Measure P1", text, 50, 46, 48], fonts=fonts)
    a = assessed(grid)
    assert a.scorecard.indicators[0].polarity == polarity
    rating = a.results[0].rag.rating
    if polarity == "info":
        assert rating is None and "information" in a.results[0].rag.explanation
        assert not [f for f in a.findings if f.code in ("not-rated", "polarity-conflict")]
    else:
        assert rating == ("amber" if polarity == "high" else "green")


def test_the_same_letter_means_nothing_without_its_symbol_font() -> None:
    grid = sheet(["Ref", "Measure", "Polarity", "Target", "Q1 2018/19", "Q2 2018/19"], ["P1", "M", "é", 50, 46, 48])
    assert read_scorecard(grid).indicators[0].polarity is None


@pytest.mark.parametrize(
    ("measure", "rating"),
    [("% of re-referrals within 12 months", "red"), ("% of assessments within timescale", "green"),
     ("Number of visits", None)],
)
def test_polarity_inferred_from_the_measure_wording(measure: str, rating: str | None) -> None:
    grid = sheet(["Ref", "Measure", "Target", "Q1 2018/19", "Q2 2018/19"], ["P1", measure, "20%", "21%", "25%"])
    result = assessed(grid).results[0]
    assert result.rag.rating == rating
    if rating:
        assert "inferred" in result.rag.explanation


# ------------------------------------------------------------------ targets
TARGETS = [
    ("No target", None), ("Monitor", None), ("n/a", None),
    ("18% (threshold)", "green"), ("Fewer than 85%", "green"), ("Less than 22%", "green"),
    ("85% or above", "red"), ("At least 90%", "red"), ("800 - 1,000", None),
    ("20 days", "green"), ("16 working days", "red"), ("18 per 10,000", "green"), ("£18", "green"),
]  # fmt: skip


@pytest.mark.parametrize(("target", "rating"), TARGETS)
def test_every_target_wording(target: str, rating: str | None) -> None:
    grid = sheet(["Ref", "Measure", "Polarity", "Target", "Q1 2018/19", "Q2 2018/19"],
                 ["T1", "Measure", "Low is good", target, "17%", "17%"])
    a = assessed(grid)
    assert not [f for f in a.findings if f.code == "unparsed-target"]
    if target == "800 - 1,000":
        assert a.scorecard.indicators[0].target.kind == "range"
    elif "%" not in target and target[0] in "0123456789£":
        assert a.scorecard.indicators[0].target.value == float(target.strip("£").split()[0])
    else:
        assert a.results[0].rag.rating == rating


@pytest.mark.parametrize(("value", "rating"), [("17%", "green"), ("20%", "amber"), ("24%", "red")])
def test_a_floor_column_rates_amber_between_target_and_floor(value: str, rating: str) -> None:
    grid = sheet(["Ref", "Measure", "Polarity", "Target", "Floor", "Q1 2018/19", "Q2 2018/19"],
                 ["C1", "Repeat plans", "L", "18%", "23%", "19%", value])
    assert assessed(grid).results[0].rag.rating == rating


@pytest.mark.parametrize(("value", "rating"), [("19%", "green"), ("22%", "amber"), ("26%", "red")])
def test_explicit_band_columns_rate_by_their_bands(value: str, rating: str) -> None:
    grid = sheet(["Ref", "INDICATORS - EARLY HELP", "Polarity", "Red", "Amber", "Green (Target)", "Q1 2018/19",
                  "Q2 2018/19"], ["H1", "Re-referrals", "Low is good", ">25%", "20%-25%", "<20%", "21%", value])
    result = assessed(grid).results[0]
    assert result.rag.rating == rating, result.rag.explanation


@pytest.mark.parametrize(("unit", "percent"), [("%", True), ("Percentage", True), ("Number", False), (None, False)])
def test_a_unit_column_says_which_indicators_are_percentages(unit: str | None, percent: bool) -> None:
    a = assessed(sheet(["Ref", "Measure", "Unit", "Polarity", "Target", "Q1 2019/20", "Q2 2019/20"],
                       ["U1", "Visits on time", unit, "High", 90, 85, 88]))
    value = a.scorecard.indicators[0].values["Q2 2019/20"]
    assert (value.number, value.unit) == (88, "%" if percent else None)
    assert a.results[0].rag.explanation.startswith("Amber: 88% vs target 90%" if percent else "Amber: 88 vs target 90")
    assert not [f for f in a.findings if f.code is Code.UNRECOGNISED_COLUMN]


def test_a_unit_column_of_percent_with_fractions_and_no_formats_holds_fractions() -> None:
    a = assessed(sheet(["Ref", "Measure", "Unit", "Polarity", "Target", "Q1 2019/20", "Q2 2019/20"],
                       ["U1", "Visits on time", "%", "High", 0.9, 0.85, 0.88]))
    value = a.scorecard.indicators[0].values["Q2 2019/20"]
    assert (value.number, value.unit) == (88, "%")


# ------------------------------------------------------------------ submitted RAG and travel in any form
@pytest.mark.parametrize(
    ("submitted", "disagrees"),
    [("Red", False), ("R", False), ("Not met", False), ("Green", True), ("G", True), ("On target", True),
     ("Met", True), ("Amber", True), ("Blue", True), ("B", True)],  # BRAG blue: exceeding, green here
)
def test_submitted_rag_words(submitted: str, disagrees: bool) -> None:
    grid = sheet(["Ref", "Measure", "Polarity", "Target", "Q1 2018/19", "Q2 2018/19", "RAG"],
                 ["S1", "Measure", "High", 50, 40, 40, submitted])
    codes = [(f.code, f.cell) for f in assessed(grid).findings if f.code == "rag-disagrees"]
    assert codes == ([("rag-disagrees", "G3")] if disagrees else [])


@pytest.mark.parametrize(
    ("colour", "disagrees"), [("FF0000", False), ("FFC000", True), ("00B050", True), ("0070C0", True), (None, False)]
)
def test_submitted_rag_as_a_fill_with_no_text(colour: str | None, disagrees: bool) -> None:
    fills = [[None] * 7, [None] * 7, [None, None, None, None, None, None, colour]]
    grid = Grid.from_rows([["Council scorecard"], ["Ref", "Measure", "Polarity", "Target", "Q1 2018/19",
                                                   "Q2 2018/19", "RAG"], ["S1", "Measure", "High", 50, 40, 40, None]],
                          sheet="KPIs", fill_colours=fills)
    codes = [f.cell for f in assessed(grid).findings if f.code == "rag-disagrees"]
    assert codes == (["G3"] if disagrees else [])


@pytest.mark.parametrize(
    ("shown", "font", "disagrees"),
    [("Improved performance", None, False), ("Improving", None, False), ("Worsened", None, True),
     ("Declining", None, True), ("No change", None, True), ("Stable", None, True), ("↑", None, False),
     ("↓", None, True), ("é", "Wingdings", False), ("ê", "Wingdings", True), ("h", "Wingdings 3", False),
     ("i", "Wingdings 3", True)],
)
def test_travel_words_and_glyphs(shown: str, font: str | None, disagrees: bool) -> None:
    fonts = [[None] * 7, [None] * 7, [None, None, None, None, None, None, font]]
    grid = sheet(["Ref", "Measure", "Polarity", "Target", "Q1 2018/19", "Q2 2018/19", "DoT"],
                 ["S1", "Measure", "High", 50, 40, 48, shown], fonts=fonts)
    codes = [f.cell for f in assessed(grid).findings if f.code == "arrow-disagrees"]
    assert codes == (["G3"] if disagrees else [])


def test_the_reporting_periods_own_target_beside_a_target_column_is_said_and_a_profile_rates_by_it() -> None:
    rows = [["Ref", "Measure", "Polarity", "Target", "Q1 2019/20", "Q2 2019/20", "Q2 2019/20 Target"],
            ["A1", "Timeliness", "High", 90, 85, 88, 80]]
    a = assessed(Grid.from_rows(rows, sheet="KPIs"))
    assert (a.results[0].rag.rating, a.scorecard.indicators[0].target.value) == ("amber", 90)
    assert a.scorecard.indicators[0].extra == {"Q2 2019/20 Target": "80"}  # carried, not dropped
    [said] = [f for f in a.findings if f.code is Code.TARGET_NOT_USED]
    assert said.cell == "G1" and said.severity == "warning" and "'Q2 2019/20 Target'" in said.message
    profile = profile_from_dict({"columns": {"Q2 2019/20 Target": "target", "Target": "ignore"}}, "kpis.toml")
    by_quarter = assess(read_scorecard(Grid.from_rows(rows, sheet="KPIs"), profile=profile), Settings())
    assert (by_quarter.results[0].rag.rating, by_quarter.scorecard.indicators[0].target.value) == ("green", 80)
    assert not [f for f in by_quarter.findings if f.code is Code.TARGET_NOT_USED]


# ------------------------------------------------------------------ long layouts
def test_long_layout_with_dates_on_quarter_ends_reads_quarters() -> None:
    long = Grid.from_rows([
        ["Indicator", "Date", "Actual", "Target", "Good is"],
        ["Visits on time", dt.date(2019, 6, 30), 85, 90, "High"],
        ["Visits on time", "2019-09-30 00:00:00", 88, 90, "High"],  # a date cell as the reader hands it
        ["Visits on time", dt.date(2019, 12, 31), 92, 90, "High"],
    ])
    a = assessed(long)
    assert a.scorecard.period_labels == ["Jun 2019", "Sep 2019", "Dec 2019"]
    assert [p.granularity for p in a.scorecard.periods] == ["quarter"] * 3
    assert (a.results[0].rag.rating, a.results[0].travel.previous_period) == ("green", "Sep 2019")


def test_a_long_row_whose_period_is_not_understood_is_a_finding_at_its_cell() -> None:
    long = Grid.from_rows([
        ["PI", "Measure", "Quarter", "Value", "Target", "Polarity"],
        ["A1", "Visits", "Q1 2019/20", 85, 90, "High"],
        ["A1", "Visits", "Summer", 86, 90, "High"],
        ["A1", "Visits", "Q2 2019/20", 88, 90, "High"],
    ])
    a = assessed(long)
    assert a.scorecard.period_labels == ["Q1 2019/20", "Q2 2019/20"]
    [skipped] = [f for f in a.findings if f.code is Code.UNPARSED_VALUE]
    assert skipped.cell == "C3" and "'Summer'" in skipped.message and "row 3 was not read" in skipped.message


@pytest.mark.parametrize("rows", [
    [["Ref", "Measure", "Polarity", "Target", "Q1 2019/20", "Q2 2019/20"]],  # a header and nothing under it
    [["PI", "Measure", "Quarter", "Value", "Target"], ["A", "Visits", "Summer", 5, 6]],  # no period understood
])
def test_a_header_with_no_pi_read_under_it_is_refused_in_one_line(rows: list[list[object]]) -> None:
    with pytest.raises(WorkbookError) as refused:
        read_scorecard(Grid.from_rows(rows, sheet="KPIs"))
    assert "no PI row under it was read" in str(refused.value) and "\n" not in str(refused.value)


def test_long_layout_becomes_the_same_scorecard_as_the_wide_one() -> None:
    long = Grid.from_rows([
        ["PI Code", "Service Area", "Indicator", "Quarter", "Value", "Target", "Polarity"],
        ["A1", "Care", "Visits on time (%)", "Q1 2018/19", "80%", "85%", "High"],
        ["A1", "Care", "Visits on time (%)", "Q2 2018/19", "88%", "85%", "High"],
        ["B1", "Care", "Repeat referrals (%)", "Q1 2018/19", "20%", "22%", "Low"],
        ["B1", "Care", "Repeat referrals (%)", "Q2 2018/19", "25%", "22%", "Low"],
    ])
    a = assessed(long)
    assert a.scorecard.period_labels == ["Q1 2018/19", "Q2 2018/19"]
    assert [(i.ref, i.section) for i in a.scorecard.indicators] == [("A1", "Care"), ("B1", "Care")]
    assert [r.rag.rating for r in a.results] == ["green", "red"]
