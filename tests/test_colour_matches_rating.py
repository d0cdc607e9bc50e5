"""Property: the colour the return's conditional formats give a value cell is the PI's rating.

For random PIs (percent and count, every target kind, any polarity, year-to-date counts), values
and rules (tolerance kinds, profiling, per-PI polarity overrides), the written workbook is read
back and its rules evaluated for the reporting period's cell as Excel would (conditional_formats).
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import openpyxl
import openpyxl.utils
import pytest
from conditional_formats import fill_colour, rating_of_fill
from conftest import COL, FIRST_PI_ROW, pi, small_sheet, write_workbook
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from xlscorecard.api import convert_and_assess
from xlscorecard.core.settings import Settings, ToleranceKind

PERCENT_TARGETS = ["85%", "90%", "<20%", "<=5%", "at least 50%", ">60%", "35%-40%", "97%-99%", "0%",
                   "Above Stat Neighbour Average", "In line with national", None, "TBC"]
COUNT_TARGETS = [121, 30, 0, "<20", "fewer than 10", ">=12", "260-300", "35-40", 426,
                 "Below Stat Neighbour Average", None, "12%"]

# Values on the edges of those targets' bands at the tolerances drawn below, and their neighbours.
PERCENT_EDGES = [0.85, 0.765, 0.9, 0.81, 0.2, 0.22, 0.05, 0.055, 0.5, 0.45, 0.6, 0.54, 0.35, 0.4, 0.44, 0.315,
                 0.97, 0.99, 0.873, 0.8075, 0.875, 0.1, 0.0, 0.175, 0.3]
COUNT_EDGES = [121, 133.1, 108.9, 15, 16, 14, 13.5, 30, 20, 22, 10, 11, 12, 10.8, 260, 300, 234, 330, 35, 40, 44,
               426, 383.4, 0, 6, 7, 7.5, 22.5, 27]


@st.composite
def indicators(draw: st.DrawFn, ref: str) -> tuple[list[Any], dict[str, str]]:
    """One PI row and the number formats of its cells."""
    percent = draw(st.booleans())
    formats: dict[str, str] = {}
    row_cells: dict[str, Any] = {"polarity": draw(st.sampled_from(["High", "Low", "High is good", None]))}
    if percent:
        measure = draw(st.sampled_from(["% of assessments on time", "Percentage of children seen"]))
        row_cells["target"] = draw(st.sampled_from(PERCENT_TARGETS))
        for key in ("q4", "q1", "q2", "sn", "national"):
            # A fraction shown with a percent format; often on a target's edge (85%, 76.5%, 20%...).
            row_cells[key] = draw(st.one_of(st.integers(0, 1000).map(lambda n: n / 1000),
                                            st.sampled_from(PERCENT_EDGES)))
            formats[key] = draw(st.sampled_from(["0%", "0.0%"]))
    else:
        measure = draw(st.sampled_from(["Number of contacts", "Number of adoptions (year to date)",
                                        "Rate per 10,000 children", "Total starts (cumulative)"]))
        row_cells["target"] = draw(st.sampled_from(COUNT_TARGETS))
        for key in ("q4", "q1", "q2", "sn", "national"):
            row_cells[key] = draw(st.one_of(st.integers(0, 4000).map(lambda n: n / 10), st.sampled_from(COUNT_EDGES)))
    return pi(ref, measure, **row_cells), formats


@st.composite
def scorecards(draw: st.DrawFn) -> tuple[list[list[Any]], dict[str, str], Settings]:
    count = draw(st.integers(1, 6))
    rows, formats = [], {}
    for i in range(count):
        row, row_formats = draw(indicators(f"1.{i + 1}"))
        rows.append(row)
        formats.update({f"{COL[_HEADER_OF[key]]}{FIRST_PI_ROW + i}": nf for key, nf in row_formats.items()})
    overrides = {f"1.{i + 1}": {"polarity": draw(st.sampled_from(["high", "low"]))}
                 for i in range(count) if draw(st.integers(0, 4)) == 0}
    rules = Settings(
        tolerance_kind=draw(st.sampled_from(list(ToleranceKind))),
        tolerance=draw(st.sampled_from([0.0, 2.5, 5.0, 10.0, 12.5])),
        profile_annual_targets=draw(st.booleans()),
        pi=overrides,
    )
    return small_sheet(*rows), formats, rules


_HEADER_OF = {"q4": "Qu 4 17-18", "q1": "Qu 1 18-19", "q2": "Qu 2 18-19", "sn": "Stat Neigh Av",
              "national": "National Av"}


@example(([["T"], [], list(COL), ["Section A"],
           pi("4.3", "Number of adoptions (year to date)", polarity="High", target=30, q4=31, q1=7, q2=16)],
          {}, Settings(profile_annual_targets=True)))  # issue 15's bug: coloured Red, rated Green
@example(([["T"], [], list(COL), ["Section A"], pi("1.6", "% seen", polarity="High", target="31%", q2=0.31)],
          {f"{COL['Qu 2 18-19']}{FIRST_PI_ROW}": "0%"}, Settings()))  # 31% stored as 0.31 meets 31%
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scorecards())
def test_value_cell_colour_is_the_assessed_rating(case: tuple[list[list[Any]], dict[str, str], Settings]) -> None:
    rows, formats, rules = case
    with TemporaryDirectory() as tmp:
        source = write_workbook(Path(tmp) / "in.xlsx", rows, formats)
        out, assessment = convert_and_assess(source, Path(tmp) / "out.xlsx", rules)
        ws = openpyxl.load_workbook(out)["Scorecard"]
        q2 = COL["Qu 2 18-19"]
        for result in assessment.results:
            assert result.rag.period == "Qu 2 18-19"  # every PI has a Q2 number: nothing is stale
            cell = f"{q2}{result.row}"
            rating = result.rag.rating.value if result.rag.rating else None
            assert rating_of_fill(fill_colour(ws, cell)) == rating, (cell, result.rag.explanation, result.bands)
            assert ws[f"{COL['RAG']}{result.row}"].value == (rating.capitalize() if rating else None)


# ------------------------------------------------------------------ band and floor columns

BAND_HEADER = ["Ref", "Measure", "Polarity", "Target", "Floor", "Red", "Amber", "Green (Target)",
               "Q1 2018/19", "Q2 2018/19", "RAG"]
# (polarity, red, amber, green): explicit band columns as councils write them; gaps between bands
# (89.5% between "80%-89%" and "90% or above") included.
BANDS = [
    ("Low", ">25%", "20%-25%", "<20%"),
    ("Low", ">25%", "20%-25%", None),
    ("High", "<80%", "80%-89%", "90% or above"),
    ("High", "<80%", "80%-89%", ">=90%"),
    (None, "<80%", "80%-89%", "at least 90%"),
    ("Low", "more than 30", "21-30", "20 or fewer"),
    ("Low", ">30", "21-30", "<=20"),
    ("High", "<10", "10-14", ">=15"),
    ("High", None, "10-14", ">=15"),
]
BAND_EDGES = [0.19, 0.2, 0.199, 0.25, 0.251, 0.26, 0.79, 0.8, 0.89, 0.895, 0.9, 0.91, 9, 9.5, 10, 14, 14.5, 15,
              20, 20.5, 21, 30, 30.5, 31]
# (polarity, target, floor): a floor column beyond the target.
FLOORS = [("High", 0.85, 0.8), ("Low", 0.18, 0.23), ("High", 55, 45), ("Low", 30, 40), ("H", 0.9, 0.75),
          ("L", 12, 15)]
FLOOR_EDGES = [0.85, 0.8, 0.79, 0.84, 0.18, 0.23, 0.24, 0.2, 55, 45, 44, 50, 30, 40, 41, 35, 0.9, 0.75, 0.74,
               12, 15, 16, 13]


@st.composite
def band_rows(draw: st.DrawFn, ref: str) -> tuple[list[Any], dict[str, str]]:
    """One PI rated by band columns or by a target and floor; its number formats by header."""
    formats: dict[str, str] = {}
    if draw(st.booleans()):
        polarity, red, amber, green = draw(st.sampled_from(BANDS))
        percent = "%" in (amber or "")
        target, floor = None, None
    else:
        polarity, target, floor = draw(st.sampled_from(FLOORS))
        red = amber = green = None
        percent = target < 1
        if percent:
            formats["Target"] = formats["Floor"] = "0%"
    values = []
    for key in ("Q1 2018/19", "Q2 2018/19"):
        edges = [e for e in (BAND_EDGES + FLOOR_EDGES) if (e < 1) == percent]
        if percent:
            values.append(draw(st.one_of(st.integers(0, 1000).map(lambda n: n / 1000), st.sampled_from(edges))))
            formats[key] = draw(st.sampled_from(["0%", "0.0%"]))
        else:
            values.append(draw(st.one_of(st.integers(0, 600).map(lambda n: n / 10), st.sampled_from(edges))))
    measure = "% of cases on time" if percent else "Number of cases"
    return [ref, measure, polarity, target, floor, red, amber, green, *values, None], formats


@st.composite
def band_scorecards(draw: st.DrawFn) -> tuple[list[list[Any]], dict[str, str], Settings]:
    rows: list[list[Any]] = []
    formats: dict[str, str] = {}
    for i in range(draw(st.integers(1, 5))):
        row, row_formats = draw(band_rows(f"B{i + 1}"))
        rows.append(row)
        letters = {name: openpyxl.utils.get_column_letter(c + 1) for c, name in enumerate(BAND_HEADER)}
        formats.update({f"{letters[name]}{3 + i}": nf for name, nf in row_formats.items()})
    rules = Settings(tolerance=draw(st.sampled_from([0.0, 5.0, 10.0])))
    return [["Band columns"], BAND_HEADER, *rows], formats, rules


def _assert_colours_are_ratings(rows: list[list[Any]], formats: dict[str, str], rules: Settings) -> None:
    with TemporaryDirectory() as tmp:
        source = write_workbook(Path(tmp) / "in.xlsx", rows, formats)
        out, assessment = convert_and_assess(source, Path(tmp) / "out.xlsx", rules)
        ws = openpyxl.load_workbook(out)["Scorecard"]
        for ind, result in zip(assessment.scorecard.indicators, assessment.results, strict=True):
            assert result.rag.period == "Q2 2018/19"
            cell = ind.values["Q2 2018/19"].cell
            assert cell is not None and cell.startswith("J")
            rating = result.rag.rating.value if result.rag.rating else None
            assert rating_of_fill(fill_colour(ws, cell)) == rating, (cell, ws[cell].value, result.rag.explanation,
                                                                     result.bands)


@pytest.mark.parametrize(
    ("bands", "value", "rating"),
    [
        (("Low", ">25%", "20%-25%", "<20%"), 0.24, "amber"),  # 24% is Amber by the bands (tolerance alone: Red)
        (("Low", ">25%", "20%-25%", "<20%"), 0.251, "red"),
        (("Low", ">25%", "20%-25%", "<20%"), 0.19, "green"),
        (("High", "<80%", "80%-89%", "90% or above"), 0.81, "amber"),
        (("High", "<80%", "80%-89%", "90% or above"), 0.895, "amber"),  # between the amber and green bands
        (("High", "<80%", "80%-89%", "90% or above"), 0.79, "red"),
        (("Low", ">30", "21-30", "<=20"), 29, "amber"),
        (("Low", ">30", "21-30", "<=20"), 20.5, "amber"),
        (("High", "<10", "10-14", ">=15"), 9.5, "red"),
    ],
)
def test_band_columns_colour_the_value_as_rated(bands: tuple[Any, ...], value: float, rating: str) -> None:
    polarity, red, amber, green = bands
    formats = {"I3": "0%", "J3": "0%"} if value < 1 else {}
    rows = [["Band columns"], BAND_HEADER, ["B1", "Measure", polarity, None, None, red, amber, green, value, value]]
    with TemporaryDirectory() as tmp:
        source = write_workbook(Path(tmp) / "in.xlsx", rows, formats)
        out, assessment = convert_and_assess(source, Path(tmp) / "out.xlsx", Settings())
        [result] = assessment.results
        assert result.rag.rating is not None and result.rag.rating.value == rating, result.rag.explanation
        ws = openpyxl.load_workbook(out)["Scorecard"]
        assert rating_of_fill(fill_colour(ws, "J3")) == rating


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(band_scorecards())
def test_band_and_floor_columns_colour_the_value_as_rated(
    case: tuple[list[list[Any]], dict[str, str], Settings],
) -> None:
    _assert_colours_are_ratings(*case)
