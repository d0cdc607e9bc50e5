"""Reading a scorecard (DESIGN 3): the example workbook, the same sheet stored other ways, crafted sheets.

Expected figures come from the TSV export the example was made from (see conftest.expected_cell),
not from the reader's own output.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import (
    EXAMPLE,
    EXAMPLE_SHEET,
    FIRST_PI_ROW,
    HEADER,
    NUMERIC_COLUMNS,
    PERIOD_COLUMNS,
    TARGET_COLUMN,
    VALUE_COLUMNS,
    cell_as_fraction,
    cell_as_text,
    expected_cell,
    is_header,
    pi,
    pi_rows,
    row_is_percent,
    small_sheet,
    tsv_rows,
    write_tsv_workbook,
    write_workbook,
)

from xlscorecard.api import load_scorecard
from xlscorecard.core.assessment import Assessment
from xlscorecard.core.grid import Grid, column_letter
from xlscorecard.core.reading import read_scorecard
from xlscorecard.core.scorecard import Indicator, Scorecard
from xlscorecard.core.targets import TargetKind
from xlscorecard.core.values import Observation, Status

TSV_PERIODS = ["Yr. end 17-18", "Qu 4 17-18", "Qu 1 18-19", "Qu 2 18-19", "Qu 3 18-19", "Qu 4 18-19", "Yr. end 18-19"]


def tsv_sections() -> list[str]:
    """Headings: rows under the first header with only their first cell filled."""
    rows = tsv_rows()
    first_header = next(i for i, r in enumerate(rows) if is_header(r))
    return [r[0] for r in rows[first_header + 1 :] if r and r[0] and not any(r[1:]) and not is_header(r)]


# ------------------------------------------------------------------ the example workbook


def test_example_counts_title_and_reporting_period(example_scorecard: Scorecard) -> None:
    sc = example_scorecard
    assert len(sc.indicators) == 104 == len(pi_rows())
    assert sc.title == "Children's Services Scorecard - Quarter 2, 2018-19"
    assert sc.sheet == EXAMPLE_SHEET, "the Contents sheet has no header: the scorecard sheet is found"
    assert sc.reporting_period == "Qu 2 18-19"
    assert sc.period_labels == TSV_PERIODS
    assert sc.header_row == 5


def test_example_sections_in_order(example_scorecard: Scorecard) -> None:
    titles = [s.title for s in example_scorecard.sections]
    assert titles == tsv_sections()
    assert len(titles) == 14
    expected_starts = [
        "Safeguarding",
        "Cared for Children",
        "Care Leavers",
        "Adoption",
        "Education and 14-19 Skills",
        "Virtual School",
        "Schools",
        "Medical Needs Team",
        "Cheshire East Life Long Learning",
        "Safeguarding Children in Education Service (SCiES)",
        "Prevention and Support",
        "Prevention and Early Intervention",
        "Youth Support",
        "Special Educational Need (SEN)",
    ]
    assert [t[: len(s)] for t, s in zip(titles, expected_starts, strict=True)] == expected_starts


@pytest.mark.parametrize(
    ("ref", "section", "parent"),
    [
        ("1.1", "Safeguarding", None),
        ("1.14", "Safeguarding", None),  # after a repeated header row, still in the same section
        ("2.10", "Cared for Children", None),
        ("5.1", "Virtual School", "Education and 14-19 Skills"),  # a sub-section under its heading
        ("10.1", "Prevention and Early Intervention", "Prevention and Support"),
        ("12.3", "Special Educational Need (SEN)", None),
    ],
)
def test_example_pi_sections(example_scorecard: Scorecard, ref: str, section: str, parent: str | None) -> None:
    ind = example_scorecard.indicator(ref)
    assert ind.section is not None and ind.section.startswith(section)
    heading = next(s for s in example_scorecard.sections if s.title == ind.section)
    assert heading.parent == parent


def test_repeated_header_rows_are_not_pis(example_scorecard: Scorecard) -> None:
    header_rows = [i for i, r in enumerate(tsv_rows(), start=1) if is_header(r)]
    assert len(header_rows) == 6, "the printed sheet repeats its header at each page"
    assert not {ind.row for ind in example_scorecard.indicators} & set(header_rows)
    assert "PI Ref" not in {ind.ref for ind in example_scorecard.indicators}


@pytest.mark.parametrize(
    ("ref", "period", "number", "unit", "cell"),
    [
        ("1.1", "Qu 2 18-19", 2200.0, None, "K7"),
        ("1.1", "Yr. end 17-18", 9536.0, None, "H7"),  # stored as the text "9,536"
        ("1.1", "Qu 1 18-19", 2374.0, None, "J7"),  # stored as the text "2,374"
        ("1.3", "Qu 2 18-19", 32.0, "%", "K9"),  # stored as 0.32 with a percent format
        ("1.9", "Qu 2 18-19", 278.1, None, "K15"),
        ("1.13", "Qu 4 17-18", 17.7, "%", "I19"),
        ("4.6", "Qu 2 18-19", 128.0, None, "K50"),
        ("11.3", "Qu 2 18-19", 1.0, "%", "K129"),
    ],
)
def test_example_values_with_units_and_cells(
    example_scorecard: Scorecard, ref: str, period: str, number: float, unit: str | None, cell: str
) -> None:
    obs = example_scorecard.indicator(ref).values[period]
    assert (obs.number, obs.unit, obs.cell) == (number, unit, cell)
    assert obs.is_numeric


def test_example_suppressed_value_keeps_its_raw_text(example_scorecard: Scorecard) -> None:
    ind = example_scorecard.indicator("1.7")
    obs = ind.values["Qu 2 18-19"]
    assert (obs.status, obs.raw, obs.number, obs.cell) == (Status.SUPPRESSED, "Supressed", None, "K13")
    assert ind.values["Qu 4 17-18"].raw == "supressed"
    assert ind.values["Yr. end 17-18"].number == 21


def test_example_pis_keep_their_rows(example_scorecard: Scorecard) -> None:
    assert [(ind.row, ind.ref) for ind in example_scorecard.indicators] == [(r, row[0]) for r, row in pi_rows()]
    assert example_scorecard.indicator("1.10").ref == "1.10", "1.10 is not 1.1"


@pytest.mark.parametrize(
    ("ref", "kind", "operator", "value", "low", "high", "unit", "cell"),
    [
        ("1.5", TargetKind.BOUND, "<", 20.0, None, None, "%", "G11"),
        ("1.6", TargetKind.VALUE, None, 85.0, None, None, "%", "G12"),
        ("1.11", TargetKind.RANGE, None, None, 260.0, 300.0, None, "G17"),
        ("1.12", TargetKind.RANGE, None, None, 35.0, 40.0, None, "G18"),
        ("1.17", TargetKind.BOUND, "<", 20.0, None, None, None, "G25"),
        ("4.6", TargetKind.VALUE, None, 121.0, None, None, None, "G50"),
        ("10.6", TargetKind.RANGE, None, None, 97.0, 99.0, "%", "G124"),
        ("1.1", None, None, None, None, None, None, "G7"),
    ],
)
def test_example_targets(
    example_scorecard: Scorecard,
    ref: str,
    kind: TargetKind | None,
    operator: str | None,
    value: float | None,
    low: float | None,
    high: float | None,
    unit: str | None,
    cell: str,
) -> None:
    t = example_scorecard.indicator(ref).target
    assert (t.kind, t.operator, t.value, t.low, t.high, t.unit, t.cell) == (
        kind,
        operator,
        value,
        low,
        high,
        unit,
        cell,
    )


def test_example_columns_found_by_name(example_scorecard: Scorecard) -> None:
    cols = example_scorecard.columns
    assert {k: cols[k] for k in ("ref", "measure", "lead", "polarity", "stat_neighbour", "national", "target")} == {
        "ref": "A",
        "measure": "B",
        "lead": "C",
        "polarity": "D",
        "stat_neighbour": "E",
        "national": "F",
        "target": "G",
    }
    assert [cols[p] for p in TSV_PERIODS] == list("HIJKLMN")
    assert (cols["rag"], cols["travel"], cols["comments"]) == ("O", "P", "Q")


# ------------------------------------------------------------------ against the TSV, every way it is stored


def _observation(ind: Indicator, sc: Scorecard, column: int) -> Observation:
    if column == 4:
        return ind.stat_neighbour
    if column == 5:
        return ind.national
    return ind.values[sc.period_labels[column - PERIOD_COLUMNS.start]]


def assert_matches_tsv(sc: Scorecard) -> None:
    """Every PI's benchmarks, target and period values agree with the TSV text read by hand."""
    problems = []
    assert len(sc.indicators) == len(pi_rows())
    for (row_no, row), ind in zip(pi_rows(), sc.indicators, strict=True):
        assert (ind.ref, ind.row) == (row[0], row_no)
        unit = "%" if row_is_percent(row) else None
        assert ind.unit == unit, f"PI {ind.ref}: indicator unit"
        for c in NUMERIC_COLUMNS:
            text = row[c] if c < len(row) else ""
            if c == TARGET_COLUMN:  # target: numbers and ranges here, bounds and words in test_rag
                if text and not text.startswith("<") and not text.startswith(">"):
                    exp = expected_cell(text)
                    t = ind.target
                    got = (t.value, t.low, t.high, t.unit)
                    if got != (exp.number, exp.low, exp.high, unit):
                        problems.append(f"{ind.ref} target {text!r}: {got}")
                continue
            exp = expected_cell(text)
            obs = _observation(ind, sc, c)
            address = f"{column_letter(c + 1)}{row_no}"
            if exp.status in ("number", "composite"):
                got = (obs.status.value if exp.status == "composite" else "number", obs.number, obs.unit)
                want = (exp.status, exp.number, unit)
                if obs.status not in (Status.NUMBER, Status.COMPOSITE) or got != want:
                    problems.append(f"{ind.ref} {address} {text!r}: {obs.status.value} {obs.number} {obs.unit}")
            elif exp.status == "range":
                if (obs.status, obs.low, obs.high, obs.unit) != (Status.RANGE, exp.low, exp.high, unit):
                    problems.append(f"{ind.ref} {address} {text!r}: {obs}")
            elif exp.status == "suppressed":
                if (obs.status, obs.raw) != (Status.SUPPRESSED, text):
                    problems.append(f"{ind.ref} {address} {text!r}: {obs.status.value} {obs.raw}")
            elif not obs.is_blank:
                problems.append(f"{ind.ref} {address} blank in the TSV, read as {obs.raw!r}")
            if exp.status != "blank" and obs.cell != address:
                problems.append(f"{ind.ref} {text!r} at {obs.cell}, expected {address}")
    assert not problems, "\n".join(problems)


def test_example_matches_the_tsv(example_scorecard: Scorecard) -> None:
    assert_matches_tsv(example_scorecard)


@pytest.mark.parametrize("style", ["plain", "text", "fraction"])
def test_same_sheet_stored_three_ways_matches_the_tsv(three_ways: dict[str, Path], style: str) -> None:
    assert_matches_tsv(load_scorecard(three_ways[style]))


def figures(sc: Scorecard) -> list[tuple[object, ...]]:
    """What a user compares across storages: per PI, each period's number, unit, status and range."""
    out = []
    for ind in sc.indicators:
        per_period = tuple(
            (o.number, o.unit, o.status.value, o.low, o.high, o.cell) for o in (ind.values[p] for p in sc.period_labels)
        )
        t = ind.target
        out.append(
            (
                ind.ref,
                ind.row,
                ind.unit,
                ind.polarity,
                (t.kind, t.operator, t.value, t.low, t.high, t.unit),
                (ind.stat_neighbour.number, ind.stat_neighbour.unit, ind.stat_neighbour.status.value),
                (ind.national.number, ind.national.unit, ind.national.status.value),
                per_period,
            )
        )
    return out


def test_three_storages_parse_identically(three_ways: dict[str, Path], example_scorecard: Scorecard) -> None:
    plain, text, fraction = (figures(load_scorecard(three_ways[s])) for s in ("plain", "text", "fraction"))
    assert plain == text == fraction == figures(example_scorecard)


@pytest.mark.parametrize(
    ("renames", "expected_periods"),
    [
        (
            {
                "Stat Neigh Av": "Statistical Neighbour Average",
                "National Av": "England Average",
                "Yr. end 17-18": "Year End 2017/18",
                "Qu 4 17-18": "Q4 2017/18",
                "Qu 1 18-19": "Q1 2018/19",
                "Qu 2 18-19": "Q2 2018/19",
                "Qu 3 18-19": "Q3 2018/19",
                "Qu 4 18-19": "Q4 2018/19",
                "Yr. end 18-19": "Year End 2018/19",
                "Quarterly dir of travel": "Direction of Travel",
                "Lead for comments": "Lead Officer",
            },
            [
                "Year End 2017/18",
                "Q4 2017/18",
                "Q1 2018/19",
                "Q2 2018/19",
                "Q3 2018/19",
                "Q4 2018/19",
                "Year End 2018/19",
            ],
        ),
        (
            {
                "Stat Neigh Av": "Statistical Neighbour Average",
                "National Av": "National Average",
                "Qu 4 17-18": "Quarter 4 2017-18",
                "Qu 1 18-19": "Quarter 1 2018-19",
                "Qu 2 18-19": "Quarter 2 2018-19",
                "Qu 3 18-19": "Quarter 3 2018-19",
                "Qu 4 18-19": "Quarter 4 2018-19",
                "Quarterly dir of travel": "DoT",
                "Lead for comments": "Lead Officer",
            },
            [
                "Yr. end 17-18",
                "Quarter 4 2017-18",
                "Quarter 1 2018-19",
                "Quarter 2 2018-19",
                "Quarter 3 2018-19",
                "Quarter 4 2018-19",
                "Yr. end 18-19",
            ],
        ),
    ],
    ids=["slashes-and-long-names", "quarter-words"],
)
def test_other_header_wordings_parse_identically(
    tmp_path: Path, example_scorecard: Scorecard, renames: dict[str, str], expected_periods: list[str]
) -> None:
    path = write_tsv_workbook(
        tmp_path / "reworded.xlsx", cell_as_fraction, header=lambda row: [renames.get(h, h) for h in row]
    )
    sc = load_scorecard(path)
    assert sc.period_labels == expected_periods, "period labels are kept as written"
    assert sc.reporting_period == expected_periods[3]
    assert [s.title for s in sc.sections] == [s.title for s in example_scorecard.sections]
    assert figures(sc) == figures(example_scorecard)
    assert [i.lead for i in sc.indicators] == [i.lead for i in example_scorecard.indicators]
    assert [i.submitted_arrow.raw for i in sc.indicators] == [
        i.submitted_arrow.raw for i in example_scorecard.indicators
    ]
    assert sc.indicator("1.1").lead == "Naomi Banks"
    assert sc.indicator("1.1").submitted_arrow.raw == "↓"
    assert sc.indicator("1.5").stat_neighbour.number == 27.0
    assert sc.indicator("1.5").national.number == 22.0


def _live_grid(path: Path, sheet: str, as_floats: bool = True) -> Grid:
    """What xlwings hands over: values only (fractions for percentages, floats for whole numbers)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    rows = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    if as_floats:
        rows = [[float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in r] for r in rows]
    return Grid.from_rows(rows, sheet=sheet)


def test_live_excel_grid_without_formats_matches_the_file(example_scorecard: Scorecard) -> None:
    grid = _live_grid(EXAMPLE, EXAMPLE_SHEET)
    assert grid.number_formats is None
    assert grid.value(8, 10) == pytest.approx(0.32), "Excel hands 32% over as the fraction 0.32"
    sc = read_scorecard(grid)
    assert not sc.formats_known
    assert figures(sc) == figures(example_scorecard)
    assert_matches_tsv(sc)


@pytest.mark.parametrize("style", ["plain", "text"])
def test_live_grid_of_other_storages(three_ways: dict[str, Path], example_scorecard: Scorecard, style: str) -> None:
    sc = read_scorecard(_live_grid(three_ways[style], EXAMPLE_SHEET))
    assert figures(sc) == figures(example_scorecard)


def test_grid_with_origin_names_cells_in_sheet_coordinates() -> None:
    """A block read from C3 (a live selection) still names the cells of the worksheet."""
    rows = small_sheet(pi("1.1", "Number of contacts", q4=10, q1=11, q2=12))
    sc = read_scorecard(Grid.from_rows(rows, origin="C3", sheet="Live"))
    ind = sc.indicator("1.1")
    assert ind.row == FIRST_PI_ROW + 2
    assert ind.values["Qu 2 18-19"].cell == "L7"  # column J shifted two to the right, row 5 two down
    assert sc.columns["ref"] == "C"


def test_to_frame_has_one_row_per_pi(example_scorecard: Scorecard) -> None:
    frame = example_scorecard.to_frame()
    assert len(frame) == 104
    assert list(frame["ref"]) == [r[0] for _, r in pi_rows()]
    assert frame.loc["1.1", "Qu 2 18-19"] == 2200
    assert frame.loc["1.3", "Qu 2 18-19"] == 32
    assert math.isnan(frame.loc["1.7", "Qu 2 18-19"]), "a marker is NaN, never 0"
    assert frame.loc["1.1", "row"] == 7


def test_to_frame_period_columns_are_numeric(example_scorecard: Scorecard) -> None:
    import pandas as pd

    frame = example_scorecard.to_frame()
    for label in example_scorecard.period_labels:
        assert pd.api.types.is_float_dtype(frame[label]), f"{label} is {frame[label].dtype}"
    assert frame["Qu 3 18-19"].sum() == 0  # summing an empty quarter works like any other


# ------------------------------------------------------------------ parse-level findings


def _findings(sc: Scorecard, code: str) -> set[tuple[str | None, str | None]]:
    return {(f.ref, f.cell) for f in sc.findings if f.code == code}


def test_example_suppressed_findings_match_the_tsv(example_scorecard: Scorecard) -> None:
    expected = {
        (row[0], f"{column_letter(c + 1)}{r}")
        for r, row in pi_rows()
        for c in VALUE_COLUMNS
        if c < len(row) and expected_cell(row[c]).status == "suppressed"
    }
    assert {("1.7", "K13"), ("1.7", "J13"), ("1.7", "I13"), ("1.14", "E22")} <= expected
    assert _findings(example_scorecard, "suppressed") == expected


def test_example_missing_findings_match_the_tsv(example_assessment: Assessment) -> None:
    q2 = PERIOD_COLUMNS.start + TSV_PERIODS.index("Qu 2 18-19")
    expected = {(row[0], f"K{r}") for r, row in pi_rows() if not (row[q2] if q2 < len(row) else "")}
    assert ("2.10", "K38") in expected
    assert {(f.ref, f.cell) for f in example_assessment.findings if f.code == "missing"} == expected


def test_example_has_no_unreadable_cells(example_scorecard: Scorecard) -> None:
    codes = {f.code.value for f in example_scorecard.findings}
    assert not codes & {"unparsed-value", "unparsed-target", "duplicate-pi", "excel-error", "looks-like-formula"}


HYPERLINK = '=HYPERLINK("http://intranet/pi/1.2","see the dashboard")'


@pytest.fixture
def crafted(tmp_path: Path) -> Scorecard:
    rows = small_sheet(
        pi("1.1", "Number of contacts", q4=2458, q1=2374, q2="about 2,200"),  # row 5
        pi("1.2", "Number of referrals", target="Maintain", q1=725, q2=695, comments=HYPERLINK),  # row 6
        pi("1.2", "Number of referrals (again)", q1=1, q2=2),  # row 7
        pi("1.3", "% contacts to referrals", q1="#DIV/0!", q2="#REF!"),  # row 8
        pi("1.4", "Number of repeat referrals", lead="@naomi", q2=144),  # row 9
    )
    return load_scorecard(write_workbook(tmp_path / "crafted.xlsx", rows))


@pytest.mark.parametrize(
    ("code", "ref", "cell", "words"),
    [
        ("unparsed-value", "1.1", "J5", "about 2,200"),
        ("unparsed-target", "1.2", "G6", "Maintain"),
        ("duplicate-pi", "1.2", "A7", "row 6"),
        ("excel-error", "1.3", "I8", "#DIV/0!"),
        ("excel-error", "1.3", "J8", "#REF!"),
        ("looks-like-formula", "1.2", "M6", "formula"),
        ("looks-like-formula", "1.4", "C9", "formula"),
    ],
)
def test_crafted_parse_findings(crafted: Scorecard, code: str, ref: str, cell: str, words: str) -> None:
    matches = [f for f in crafted.findings if f.code == code and f.cell == cell]
    assert len(matches) == 1, [(f.code.value, f.cell) for f in crafted.findings]
    assert matches[0].ref == ref
    assert matches[0].sheet == "Scorecard"
    assert words in matches[0].message


def test_crafted_formula_text_is_kept_as_text(crafted: Scorecard) -> None:
    assert crafted.indicator("1.2").comments == HYPERLINK
    errors = crafted.indicator("1.3").values
    assert (errors["Qu 2 18-19"].status, errors["Qu 2 18-19"].number) == (Status.EXCEL_ERROR, None)


def test_duplicate_pi_keeps_both_rows(crafted: Scorecard) -> None:
    rows = [ind.row for ind in crafted.indicators if ind.ref == "1.2"]
    assert rows == [6, 7]
    assert crafted.indicator("1.2").row == 6


def test_no_header_is_an_error_naming_the_sheet() -> None:
    from xlscorecard.core.errors import WorkbookError

    with pytest.raises(WorkbookError, match="'Notes' has no scorecard header"):
        read_scorecard(Grid.from_rows([["just"], ["some", "notes"]], sheet="Notes"))


@pytest.mark.parametrize(
    ("builder", "name"),
    [(cell_as_text, "text"), (cell_as_fraction, "fraction")],
)
def test_header_search_skips_a_contents_sheet(
    tmp_path: Path, builder: Callable[[str, int], tuple[object, str | None]], name: str
) -> None:
    path = write_tsv_workbook(tmp_path / f"{name}.xlsx", builder, sheet="Data")
    wb = openpyxl.load_workbook(path)
    contents = wb.create_sheet("Contents", 0)
    contents["A1"] = "Contents: see the sheet Data"
    wb.save(path)
    sc = load_scorecard(path)
    assert sc.sheet == "Data"
    assert len(sc.indicators) == 104


def test_a_heading_with_a_stray_arrow_or_rag_is_still_a_heading(tmp_path: Path) -> None:
    heading = ["Section B"] + [None] * (len(HEADER) - 1)
    heading[HEADER.index("Quarterly dir of travel")] = "→"
    heading[HEADER.index("RAG")] = "G"
    rows = small_sheet(pi("1.1", "Number of contacts", q1=3, q2=4), heading, pi("2.1", "Number of things", q2=5))
    sc = load_scorecard(write_workbook(tmp_path / "stray.xlsx", rows))
    assert [s.title for s in sc.sections] == ["Section A", "Section B"]
    assert [i.ref for i in sc.indicators] == ["1.1", "2.1"]
    assert sc.indicator("2.1").section == "Section B"
