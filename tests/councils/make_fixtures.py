"""Build the council fixture workbooks: scorecards laid out the way other English councils publish them.

Run from anywhere: `python3 tests/councils/make_fixtures.py`. Deterministic (no clock, no random).
Each fixture is one function writing one workbook with openpyxl. Those named in LIBREOFFICE_SAVED
are then re-saved by LibreOffice (`soffice --headless --convert-to xlsx`), so the committed file
holds a real spreadsheet program's XML; without soffice that step is skipped with a message and
the openpyxl file is kept. The expected results in expected/<fixture>.toml are worked out by hand
from the data below and DESIGN section 5, never by running xlscorecard.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
LIBREOFFICE_SAVED = {"northshire_two_row", "westcity_monthly", "wolds_wingdings", "southvale_long",
                     "tabs_own_quarter", "harbourside_quarter_ends", "bayford_bare_quarters"}

RED, AMBER, GREEN = "FF0000", "FFC000", "00B050"


@dataclass(frozen=True)
class Styled:
    """A cell value with the formatting a council gave it."""

    value: Any
    number_format: str | None = None
    font: str | None = None
    fill: str | None = None


def pct(*fractions: float | None, fmt: str = "0%") -> list[Any]:
    """Percentages stored as fractions with a percent format, as Excel stores a typed '31%'."""
    return [None if f is None else Styled(f, fmt) for f in fractions]


def pct1(*fractions: float | None) -> list[Any]:
    return pct(*fractions, fmt="0.0%")


def wingdings(letter: str) -> Styled:
    return Styled(letter, font="Wingdings")


def wingdings3(letter: str) -> Styled:
    return Styled(letter, font="Wingdings 3")


def fill(colour: str) -> Styled:
    """A RAG cell with no text: the rating is the fill."""
    return Styled(None, fill=colour)


def put(ws: Worksheet, row: int, column: int, value: Any) -> None:
    if isinstance(value, Styled):
        cell = ws.cell(row, column)
        if value.value is not None:
            cell.value = value.value
        if value.number_format:
            cell.number_format = value.number_format
        if value.font:
            cell.font = Font(name=value.font)
        if value.fill:
            cell.fill = PatternFill("solid", start_color=value.fill, end_color=value.fill)
    elif value is not None:
        ws.cell(row, column, value)


def write_rows(ws: Worksheet, first_row: int, rows: Sequence[Sequence[Any]]) -> None:
    """Rows from `first_row` down; a row is a list of plain values, Styled values and None."""
    for r, row in enumerate(rows, start=first_row):
        for c, value in enumerate(row, start=1):
            put(ws, r, c, value)


def bold_row(ws: Worksheet, row: int) -> None:
    for cell in ws[row]:
        if cell.value is not None:
            cell.font = Font(bold=True)


def new_book(title: str) -> tuple[openpyxl.Workbook, Worksheet]:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    return wb, ws


def months(first: dt.date, count: int) -> list[Styled]:
    """Real date cells on the first of each month, shown as 'Apr-18'."""
    out = []
    year, month = first.year, first.month
    for _ in range(count):
        out.append(Styled(dt.datetime(year, month, 1), "mmm-yy"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# ------------------------------------------------------------------ the fixtures


def northshire_two_row() -> openpyxl.Workbook:
    """Two-row header: merged year groups over bare quarters, single headers merged down two rows."""
    wb, ws = new_book("Scorecard")
    ws["A1"] = "Northshire County Council - Children's Services Performance Scorecard 2018/19"
    top = ["Ref", "Indicator", "Good is", "Yr. end 17-18", "2017/18", None, "2018/19", None, None, None,
           "Target 2018/19", "RAG", "DoT", "Comments"]
    sub = [None, None, None, None, "Q3", "Q4", "Q1", "Q2", "Q3", "Q4"]
    write_rows(ws, 3, [top, sub])
    for col in "ABCDKLMN":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("E3:F3")
    ws.merge_cells("G3:J3")
    bold_row(ws, 3)
    bold_row(ws, 4)
    write_rows(ws, 5, [
        ["Early Help"],
        ["EH1", "Number of Early Help Assessments completed", "Higher is better", 1620, 398, 405, 430, 412,
         None, None, 450, "Amber", "Worsened", "Fewer assessments over the summer holidays."],
        ["Children in Need and Child Protection"],
        ["CIN1", "% of referrals that were re-referrals within 12 months", "Low is good",
         *pct1(0.232, 0.228, 0.236, 0.241, 0.253), None, None, *pct(0.22), "Red", "Worsened",
         "Audit of re-referrals under way."],
        ["CIN2", "% of single assessments completed within 45 working days", "High is good",
         "85%", "83%", "86%", "85%", "88%", None, None, "85%", "Green", "Improved", None],
        ["CP1", "% of children becoming subject to a CP plan for a second or subsequent time",
         "Smaller is better", *pct1(0.201, 0.19, 0.205, 0.198, 0.215), None, None, *pct(0.2), "Amber",
         "Worsened", None],
        ["CP2", "Rate of children subject to a CP plan per 10,000 children", None,
         42.8, 41.3, 42.8, 40.2, 42.1, None, None, None, None, None, "Contextual measure."],
        ["Children Looked After"],
        ["CLA1", "Number of children looked after", "Info", 498, 505, 498, 510, 512, None, None, None, None,
         None, None],
        ["CLA2", "% of care leavers aged 19-21 in education, employment or training", "High is good",
         *pct(0.57, 0.55, 0.57, 0.54, 0.52), None, None, *pct(0.6), "Red", "Worsened", None],
    ])
    return wb


def eastborough_year_first() -> openpyxl.Workbook:
    """Year-first quarters, a financial-year column and a mid-year (half-year) column."""
    wb, ws = new_book("CYPS Scorecard")
    ws["A1"] = "Eastborough Council - Children and Young People's Services Scorecard"
    ws["A2"] = "Reporting period: Quarter 2 2018/19"
    write_rows(ws, 4, [
        ["PI No", "Performance Indicator", "Higher is better?", "Annual target", "2017/18", "2018/19 Q1",
         "2018/19 Q2", "2018/19 mid-year", "RAG Status", "Trend", "Lead Officer", "Commentary"],
        ["SEND and Inclusion"],
        ["1.1", "% of EHC plans issued within 20 weeks (excluding exceptions)", "Yes",
         *pct(0.6, 0.55, 0.64, 0.58, 0.61), "A", "Declining", "Head of SEND", "Two late plans in August."],
        ["1.2", "Number of permanent exclusions in the quarter", "No", 10, 38, 12, 9, 21, "G", "Improving",
         "Head of Inclusion", None],
        ["1.3", "% of 16-17 year olds NEET or whose activity is not known", "No",
         *pct1(0.055, 0.061, 0.058, 0.062, 0.062), "R", "Declining", "Head of Inclusion", None],
        ["Children's Social Care"],
        ["2.1", "Average number of days between a child entering care and moving in with its adoptive family",
         "No", 426, 441, 470, 455, 462, "A", "Improving", "Head of Children in Care", None],
        ["2.2", "Number of children missing education", None, "Monitor", None, 64, 71, None, None, None,
         "Head of Inclusion", "Monitored monthly by the CME officer."],
        ["2.3", "% of children in care with up to date health assessments", "Yes",
         *pct(0.9, 0.91, 0.93, 0.95, 0.94), "G", "Improving", "Head of Children in Care", None],
    ])
    bold_row(ws, 4)
    return wb


def westcity_monthly() -> openpyxl.Workbook:
    """A monthly scorecard whose period headers are real date cells formatted 'mmm-yy'."""
    wb, ws = new_book("Monthly KPIs")
    ws["A1"] = "West City Council - Children's Social Care monthly performance report"
    write_rows(ws, 3, [
        ["KPI Ref", "Key performance indicator", "Good performance is", "Target",
         *months(dt.date(2018, 4, 1), 6), "Trend", "Comments"],
        ["Front door and assessment"],
        ["M1", "% of referrals that are re-referrals within 12 months", "Low", *pct(0.2),
         *pct1(0.22, 0.215, 0.208, 0.21, 0.19), None, "Improving", None],
        ["M2", "% of Child and Family assessments authorised within 45 working days", "High", *pct(0.9),
         *pct(0.86, 0.84, 0.83, 0.82, 0.8), None, "Declining", "Two teams carrying vacancies."],
        ["M3", "% of Initial Child Protection Conferences held within 15 working days of the strategy discussion",
         "High", *pct(0.85), *pct(0.8, 0.79, 0.88, 0.81, 0.77), None, "Declining", None],
        ["Children in care"],
        ["M4", "Number of children in care", "For information", None, 382, 385, 389, 391, 394, None, None, None],
        ["M5", "% of children in care visited within timescale", "High", *pct(0.95),
         *pct(0.93, 0.96, 0.97, 0.94, 0.95), None, "Stable", None],
        ["M6", "Number of care leavers in unsuitable accommodation", "Low", 5, 6, 4, 5, 7, 6, None, "Improving",
         None],
    ])
    bold_row(ws, 3)
    return wb


def southvale_long() -> openpyxl.Workbook:
    """The long layout: one row per indicator per quarter."""
    wb, ws = new_book("Data")
    rows: list[list[Any]] = [["PI Code", "Service Area", "Indicator", "Quarter", "Value", "Target", "Polarity"]]
    series: list[tuple[str, str, str, list[Any], Any, str]] = [
        ("SV01", "Social Care", "Children with a CP plan lasting 2 years or more (%)",
         pct1(0.039, 0.036, 0.042), pct(0.04)[0], "Low"),
        ("SV02", "Social Care", "Care leavers in suitable accommodation (%)",
         pct(0.91, 0.89, 0.93), pct(0.9)[0], "High"),
        ("SV03", "Workforce", "Average caseload per social worker", [19, 20, 21], 18, "Low"),
        ("SV04", "Youth Justice", "First time entrants to the youth justice system", [34, 28, 31], 30, "Low"),
    ]
    for code, area, indicator, values, target, polarity in series:
        for quarter, value in zip(["Q4 2017/18", "Q1 2018/19", "Q2 2018/19"], values, strict=True):
            rows.append([code, area, indicator, quarter, value, target, polarity])
    write_rows(ws, 1, rows)
    bold_row(ws, 1)
    return wb


def midland_hlt_floor() -> openpyxl.Workbook:
    """H/L/T polarity codes, a floor column, range targets, and a Status column rated by fill alone."""
    wb, ws = new_book("Performance")
    ws["A1"] = "Midland Borough Council - Children's Services Quarterly Performance"
    write_rows(ws, 2, [
        ["Code", "Measure", "Polarity", "Target", "Floor", "Q4 17/18", "Q1 18/19", "Q2 18/19", "Q3 18/19",
         "Q4 18/19", "Status", "Responsible Officer"],
        ["Child Protection"],
        ["C01", "% of children becoming subject to a CP plan for a second or subsequent time", "L",
         *pct(0.18, 0.23, 0.19, 0.21, 0.22, 0.2), None, fill(AMBER), "Head of Safeguarding"],
        ["C02", "% of assessments completed within 45 working days", "H",
         *pct(0.85, 0.8, 0.82, 0.8, 0.81, 0.78), None, fill(RED), "Head of Assessment"],
        ["C03", "Children subject to a CP plan per 10,000", "T", "35 - 45", None, 46.2, 44.1, 40.3, 38.9,
         None, fill(GREEN), "Head of Safeguarding"],
        ["Children Looked After"],
        ["C04", "% of children looked after in family-based placements", "H",
         *pct(0.85, 0.75, 0.84, 0.85, 0.83, 0.86), None, fill(GREEN), "Head of Children in Care"],
        ["C05", "% of children looked after with 3 or more placements in the year", "L",
         *pct1(0.1, 0.12, 0.11, 0.105, 0.098, 0.095), None, fill(AMBER), "Head of Children in Care"],
        ["C06", "% of care leavers in education, employment or training", "H",
         *pct(0.55, 0.45, 0.48, 0.5, 0.49, 0.5), None, fill(AMBER), "Leaving Care Manager"],
        ["C07", "Number of children placed more than 20 miles from home", "L", 30, 40, 36, 41, 39, 38, None,
         fill(AMBER), "Head of Children in Care"],
    ])
    bold_row(ws, 2)
    return wb


def wolds_wingdings() -> openpyxl.Workbook:
    """Polarity and direction of travel drawn with Wingdings and Wingdings 3 letters."""
    wb, ws = new_book("Q2 2018-19")
    ws["A1"] = "Wolds District - Children's Scorecard, Quarter 2 2018-19"
    write_rows(ws, 3, [
        ["Ref", "Measure", "Polarity", "Target", "Qu 4 17-18", "Qu 1 18-19", "Qu 2 18-19", "DoT", "Comments"],
        ["Safeguarding"],
        # Wingdings: é up, ê down, è right. Wingdings 3: h up, i down, g right, p filled triangle up.
        ["W1", "% of re-referrals within 12 months", wingdings("ê"), *pct(0.2, 0.24, 0.22, 0.21),
         wingdings("ê"), None],
        ["W2", "% of single assessments completed within 45 working days", wingdings3("h"),
         *pct(0.85, 0.8, 0.83, 0.88), wingdings3("h"), None],
        ["W3", "% of child protection plans reviewed within timescales", wingdings("é"),
         *pct(0.95, 0.97, 0.96, 0.96), wingdings("è"), None],
        ["W4", "Number of children missing from care", wingdings3("i"), 40, 37, 35, 48, wingdings3("i"),
         "Arrow typed before the September figures arrived."],
        ["Looked after children"],
        ["W5", "% of children looked after placed within 20 miles of home", wingdings("é"),
         *pct(0.75, 0.71, 0.7, 0.69), wingdings3("g"), None],
        ["W6", "% of care leavers in education, employment or training", wingdings3("h"),
         *pct(0.6, 0.5, 0.52, 0.55), wingdings3("p"), None],
    ])
    bold_row(ws, 3)
    return wb


def performance_export() -> openpyxl.Workbook:
    """A performance-management system's export: suffixed periods, Status and two trend columns."""
    wb, ws = new_book("Export")
    write_rows(ws, 1, [
        ["Code", "Short Name", "Q1 2023/24 Value", "Target", "Status", "Short Trend (Last Quarter)",
         "Long Trend (Last Year)", "Q4 2022/23 Value", "Q1 2022/23 Value", "Latest Note"],
        ["CSC 01", "Percentage of re-referrals to children's social care within 12 months", 24.5, 20, "Red",
         "Declining", "Declining", 22.0, 21.0, "Rise linked to domestic abuse notifications."],
        ["CSC 02", "Percentage of Child and Family Assessments completed within timescale", 86, 90, "Amber",
         "Improving", "Declining", 84, 88, None],
        ["CSC 03", "Percentage of 16-17 year olds who are NEET", 2.8, "Less than 3%", "Green", "Improving",
         "Improving", 3.1, 3.4, None],
        ["CSC 04", "Number of children subject to a child protection plan", 296, "No target", None, "Declining",
         "Improving", 288, 301, None],
        ["CSC 05", "Percentage of children in care with an up-to-date health assessment", 92, 90, "Green",
         "Improving", "Improving", 90, 89, None],
        ["CSC 06", "Number of first time entrants to the youth justice system", 14, 10, "Red", "Declining",
         "Declining", 9, 12, None],
    ])
    bold_row(ws, 1)
    return wb


def outturns() -> openpyxl.Workbook:
    """Financial-year outturn columns in three spellings beside quarters, and year-labelled benchmarks."""
    wb, ws = new_book("LAC Scorecard")
    ws["A1"] = "Shireton Council - Children Looked After Performance Scorecard"
    write_rows(ws, 3, [
        ["Ref", "Measure", "Direction of improvement", "England 2017/18", "Stat neighbours 2017/18",
         "2015/16 (Year End)", "2016-17 Outturn", "Outturn 2017/18", "Qu 1 18-19", "Qu 2 18-19",
         "Quarter 3 (Oct-Dec) 2018/19", "Jan-Mar 2019", "Target 2018/19", "Rating", "Change", "Comments"],
        ["Children looked after"],
        ["A1", "Rate of referrals per 10,000 children", "Data only", 552.5, 530.1, 610, 588, 571, 148.0, 139.5,
         142.3, None, None, None, None, None],
        ["A2", "% of children in care with 3 or more placements in the year", "↓", *pct(0.1, 0.1, 0.12, 0.11),
         *pct1(0.105, 0.11, 0.098, 0.09), None, *pct(0.1), "Green", "Improved performance", None],
        ["A3", "% of children in care in the same placement for 2+ years (long-term stability)", "↑",
         *pct(0.7, 0.69, 0.64, 0.66, 0.68, 0.67, 0.65, 0.66), None, *pct(0.7), "Amber", "No change", None],
        ["A4", "% of care leavers in touch with the local authority", "↑", *pct(0.9, 0.91, 0.88, 0.9, 0.87,
         0.86, 0.85, 0.84), None, *pct(0.95), "Red", "No change", "New personal advisers start in January."],
        ["A5", "Average number of days between entering care and placement with adoptive family", "↓", 486,
         470, 512, 498, 455, 430, 421, 410, None, 426, "Green", "Improved performance", None],
    ])
    bold_row(ws, 3)
    return wb


QUARTER_TABS = ["Qu 4 17-18", "Qu 1 18-19", "Qu 2 18-19", "Qu 3 18-19"]
QUARTER_PIS: list[tuple[str, str, str, Any, list[Any]]] = [
    ("T1", "Number of contacts to the front door", "Info", None, [2210, 2105, 1980, 2240]),
    ("T2", "% of referrals that are re-referrals within 12 months", "Low is good", pct(0.22)[0],
     pct1(0.25, 0.24, 0.23, 0.225)),
    ("T3", "% of assessments completed within 45 working days", "High is good", pct(0.85)[0],
     pct(0.8, 0.82, 0.84, 0.9)),
    ("T4", "Number of children subject to a child protection plan", "Low is good", 250, [262, 265, 270, 290]),
    ("T5", "% of children looked after with an up to date review", "High is good", pct(0.95)[0],
     pct(0.97, 0.94, 0.96, 0.93)),
]


def tabs_per_quarter() -> openpyxl.Workbook:
    """A tab per quarter, oldest first; each tab carries the quarters up to its own."""
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    for upto, title in [(2, "Q1 2018-19"), (3, "Q2 2018-19"), (4, "Q3 2018-19")]:
        ws = wb.create_sheet(title)
        ws["A1"] = f"Ashdown Council - Children's Services Scorecard {title}"
        rows: list[list[Any]] = [["Ref", "Measure", "Polarity", "Target", *QUARTER_TABS[:upto], "RAG", "DoT",
                                  "Comments"], ["Children's Social Care"]]
        for ref, measure, polarity, target, values in QUARTER_PIS:
            rows.append([ref, measure, polarity, target, *values[:upto], None, None, None])
        write_rows(ws, 3, rows)
        bold_row(ws, 3)
    notes = wb.create_sheet("Notes")
    write_rows(notes, 1, [["Definitions and notes"],
                          ["Re-referrals: a referral within 12 months of a previous referral."],
                          ["Assessments: single assessments authorised within 45 working days."]])
    return wb


# Kingsbridge: a tab per quarter, each holding only its own quarter (the latest also a revised Q2
# column with blanks). The Q1 tab has no ref column; the Q2 tab lists its PIs in another order.
OWN_QUARTER_PIS: list[tuple[str, str, str, Any, Any, Any, Any, Any]] = [
    # ref, measure, polarity, target, Q1 tab, Q2 tab, Q3 tab's Q2 column, Q3 tab's Q3 column
    ("K1", "Number of contacts to the front door", "Info", None, 2100, 2050, None, 2240),
    ("K2", "% of referrals that are re-referrals within 12 months", "Low is good", *pct(0.22, 0.24, 0.23),
     None, *pct1(0.225)),
    ("K3", "% of assessments completed within 45 working days", "High is good", *pct(0.85, 0.82, 0.84, 0.91, 0.9)),
    ("K4", "Number of children subject to a child protection plan", "Low is good", 250, 265, 270, None, 290),
    ("K5", "% of children looked after with an up to date review", "High is good", *pct(0.95, 0.94, 0.96),
     None, *pct(0.93)),
    ("K6", "Number of in-house foster carers", "High is good", 40, None, None, None, 50),
    ("K8", "% of care leavers in education, employment or training", "High is good", *pct(0.6, 0.55, 0.58),
     None, None),
]
DROPPED_PI = ("K7", "Number of children missing from education", "Low is good", 30, 28, 26)


def tabs_own_quarter() -> openpyxl.Workbook:
    """A tab per quarter, oldest first, each holding only its own quarter; the latest leaves Q2 blank."""
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    q1 = wb.create_sheet("Q1 2018-19")
    q1["A1"] = "Kingsbridge Council - Children's Services Scorecard, Quarter 1 2018/19"
    rows: list[list[Any]] = [["Measure", "Good is", "Target", "Q1 2018/19"], ["Children's Social Care"]]
    for i, (_, measure, polarity, target, first, *_rest) in enumerate(OWN_QUARTER_PIS):
        if first is None:
            continue
        # Another hand typed this tab: the wording's case and spacing differ, the meaning does not.
        rows.append([measure.upper() if i == 3 else measure.replace(" ", "  ", 1), polarity, target, first])
    rows.append([DROPPED_PI[1], DROPPED_PI[2], DROPPED_PI[3], DROPPED_PI[4]])
    write_rows(q1, 3, rows)
    bold_row(q1, 3)
    q2 = wb.create_sheet("Q2 2018-19")
    q2["A1"] = "Kingsbridge Council - Children's Services Scorecard, Quarter 2 2018/19"
    rows = [["Ref", "Measure", "Polarity", "Target", "Quarter 2 (Jul-Sep) 2018/19", "Comments"],
            ["Children's Social Care"]]
    for ref, measure, polarity, target, _, second, *_rest in reversed(OWN_QUARTER_PIS):
        if second is None:
            continue
        rows.append([ref, measure, polarity, target, second, None])
    rows.append([DROPPED_PI[0], DROPPED_PI[1], DROPPED_PI[2], DROPPED_PI[3], DROPPED_PI[5], "No longer reported"])
    write_rows(q2, 3, rows)
    bold_row(q2, 3)
    q3 = wb.create_sheet("Q3 2018-19")
    q3["A1"] = "Kingsbridge Council - Children's Services Scorecard, Quarter 3 2018/19"
    rows = [["Ref", "Measure", "Polarity", "Target", "Qu 2 18-19", "Qu 3 18-19", "RAG", "DoT", "Comments"],
            ["Children's Social Care"]]
    for ref, measure, polarity, target, _, _, revised, third in OWN_QUARTER_PIS:
        rows.append([ref, measure, polarity, target, revised, third, None, None, None])
    write_rows(q3, 3, rows)
    bold_row(q3, 3)
    return wb


SERVICE_TABS: dict[str, list[list[Any]]] = {
    "Early Help": [
        ["EH1", "Number of families supported by Early Help", "High", 600, 580, 615],
        ["EH2", "% of Early Help cases closed with outcomes achieved", "High", *pct(0.75, 0.7, 0.69)],
        ["EH3", "% of Early Help cases stepped up to social care", "Low", *pct(0.1, 0.12, 0.13)],
    ],
    "Social Care": [
        ["SC1", "% of re-referrals within 12 months", "Low", *pct(0.22, 0.2, 0.21)],
        ["SC2", "% of assessments completed within 45 working days", "High", *pct(0.85, 0.8, 0.78)],
        ["SC3", "% of CP plans lasting 2 years or more", "Low", *pct(0.04, 0.05, 0.06)],
        ["SC4", "% of children looked after with 3 or more placements", "Low", *pct(0.1, 0.09, 0.1)],
    ],
    "Education": [
        ["ED1", "% of EHC plans issued within 20 weeks", "High", *pct(0.6, 0.45, 0.52)],
        ["ED2", "Number of permanent exclusions", "Low", 8, 6, 7],
    ],
}


def tabs_per_service() -> openpyxl.Workbook:
    """A contents tab, then one scorecard tab per service, all for the same quarter."""
    wb, contents = new_book("Contents")
    write_rows(contents, 1, [["Northbay Council - Children's Services Scorecards, Quarter 2 2018/19"],
                             *[[name] for name in SERVICE_TABS]])
    for name, pis in SERVICE_TABS.items():
        ws = wb.create_sheet(name)
        ws["A1"] = f"{name} scorecard - Quarter 2 2018/19"
        write_rows(ws, 2, [["No.", "Description", "Good performance is", "Target", "Q1 2018/19", "Q2 2018/19",
                            "RAG", "Comments"], *pis])
        bold_row(ws, 2)
    return wb


def riverside_extras() -> openpyxl.Workbook:
    """Word polarities, bound targets, no-target wordings, a Data Period column, text percentages,
    suppressed markers, a header repeated under each section and an unknown 'Portfolio holder'."""
    wb, ws = new_book("Scorecard")
    ws["A1"] = "Riverside City Council - Children, Families and Education Scorecard"
    header = ["Ref", "Measure", "Portfolio holder", "Good performance is", "Data Period", "Target",
              "Jan-Mar 2018", "Apr-Jun 2018", "Jul-Sep 2018", "RAG", "Comments"]
    write_rows(ws, 3, [
        header,
        ["Safeguarding"],
        ["R1", "Number of children subject to a child protection plan", "Cllr A. Patel", "Lower", "MST",
         "Fewer than 300", 296, 305, 310, "Amber", None],
        ["R2", "Number of first time entrants to the youth justice system", "Cllr A. Patel", "Lower", "R12M",
         "Fewer than 85", 90, 88, 85, "Amber", None],
        ["R3", "Children missing from care (episodes)", "Cllr A. Patel", "For information", "MST", "No target",
         38, 44, 41, None, None],
        ["Education and Inclusion"],
        header,
        ["R4", "% of EHC plans issued within 20 weeks", "Cllr J. Okafor", "Higher", "YTD", "At least 90%",
         "88%", "91%", "92%", "Green", None],
        ["R5", "% attendance of pupils in care", "Cllr J. Okafor", "Higher", "YTD", "95%", "93.0%", "92.1%",
         "91.5%", "Amber", None],
        ["R6", "% of children in need with a current plan", "Cllr J. Okafor", "Higher", "MST", "Monitor",
         "77%", "80%", "79%", None, None],
        ["R7", "Number of children privately fostered", "Cllr J. Okafor", "Higher", "MST", "n/a", "<5", "<5",
         "<5", None, "Small numbers suppressed."],
        ["Early Years"],
        header,
        ["R8", "% take-up of funded early education by eligible 2 year olds", "Cllr S. Hughes", None, "YTD",
         *pct(0.75, 0.7, 0.72, 0.74), None, None],
        ["R9", "% of families with under-5s registered with a children's centre", "Cllr S. Hughes", "Higher",
         "R12M", "85% or above", *pct(0.83, 0.86, 0.88), "Green", None],
        ["R10", "Number of young carers assessed", "Cllr S. Hughes", "Higher", "YTD", 40, None, None, None, None,
         "New measure: data collection starts in Q3."],
    ])
    for row in (3, 9, 15):
        bold_row(ws, row)
    return wb


def westshire_unknown() -> openpyxl.Workbook:
    """Headers no vocabulary knows ('Aim', 'Ambition', 'This quarter'): read only with a layout profile."""
    wb, ws = new_book("KPIs")
    ws["A1"] = "Westshire Council - Children's Services KPIs"
    write_rows(ws, 2, [
        ["Ref", "Indicator", "Aim", "Portfolio holder", "Ambition", "Last quarter", "This quarter", "Commentary"],
        ["Children's Social Care"],
        ["WS1", "% re-referrals within 12 months", "Low is good", "Cllr B. Moss", *pct(0.2, 0.21, 0.23), None],
        ["WS2", "% assessments within 45 working days", "High is good", "Cllr B. Moss", *pct(0.85, 0.86, 0.87),
         None],
        ["WS3", "% CP plans for a second or subsequent time", "Low is good", "Cllr B. Moss",
         *pct(0.18, 0.19, 0.19), None],
        ["WS4", "Number of children looked after", "Info", "Cllr B. Moss", None, 402, 411, None],
        ["WS5", "% care leavers in education, employment or training", "High is good", "Cllr B. Moss",
         *pct(0.6, 0.5, 0.5), None],
        ["WS6", "Average days from entering care to placement for adoption", "Low is good", "Cllr B. Moss", 426,
         401, 399, None],
    ])
    bold_row(ws, 2)
    return wb


def no_periods() -> openpyxl.Workbook:
    """A sheet with indicators but no period column at all."""
    wb, ws = new_book("Summary")
    ws["A1"] = "Kingsmere Council - Children's Services Summary"
    write_rows(ws, 3, [
        ["Ref", "Indicator", "Lead Officer", "Target", "Actual", "Comments"],
        ["K1", "% of re-referrals within 12 months", "Head of Service", "22%", "24%", None],
        ["K2", "% of assessments within 45 working days", "Head of Service", "85%", "81%", None],
    ])
    return wb


# ------------------------------------------------------------------ one wording per cell: the vocabulary tables

PERIOD_SPELLINGS = [
    "Yr. end 14-15", "2015-16 Outturn", "Outturn 2016/17", "Qu 1 17-18", "Q2 2017/18", "2017/18 Q3",
    "Q4 17/18", "Quarter 1 (Apr-Jun) 2018/19", "Jul-Sep 2018", "H1 2017/18", "2018/19 mid-year",
    "Jan-17", "February 2017", "AY 2016/17", "2017/18 academic year", "Autumn term 2018",
]

HEADER_SETS = {  # each sheet names the same kinds of column in other words
    "Headers A": ["Ref", "Measure", "Polarity", "Stat Neigh Av", "National Av", "Target", "Q1 2018/19",
                  "Q2 2018/19", "RAG", "DoT", "Lead for comments", "Comments"],
    "Headers B": ["No.", "Indicator", "Good is", "Statistical Neighbour Average", "England Average",
                  "Target 2018/19", "Q1 2018/19", "Q2 2018/19", "RAG Status", "Trend", "Lead Officer", "Commentary"],
    "Headers C": ["PI No", "Performance Indicator", "Good performance is", "SN Avg", "Floor", "Annual target",
                  "Q1 2018/19", "Q2 2018/19", "Status", "Change", "Responsible Officer", "Comment"],
    "Headers D": ["KPI Ref", "Key performance indicator", "Higher is better?", "Regional", "Benchmark",
                  "Target / threshold", "Q1 2018/19", "Q2 2018/19", "Rating", "Short Trend (Last Quarter)",
                  "Long Trend (Last Year)", "Data Period"],
    "Headers E": ["Code", "KPI", "Direction of improvement", "Threshold", "Target", "Q1 2018/19", "Q2 2018/19"],
    "Headers F": ["Ref", "INDICATORS - EARLY HELP", "Polarity", "Red", "Amber", "Green (Target)", "Q1 2018/19",
                  "Q2 2018/19"],
    "Headers G": ["No.", "Description", "Good is", "Target", "Q1 2018/19", "Q2 2018/19"],
}
HEADER_ROWS = {  # one PI under each header set, the same figures in each layout
    "Headers A": ["H1", "% of re-referrals within 12 months", "Low is good", 0.23, 0.22, 0.2, 0.21, 0.24, "Red",
                  "↑", "Head of Service", "Rising."],
    "Headers B": ["H1", "% of re-referrals within 12 months", "Low is good", 0.23, 0.22, 0.2, 0.21, 0.24, "Red",
                  "↑", "Head of Service", "Rising."],
    "Headers C": ["H1", "% of re-referrals within 12 months", "Low is good", 0.23, 0.26, 0.2, 0.21, 0.24, "Amber",
                  "↑", "Head of Service", "Rising."],
    "Headers D": ["H1", "% of re-referrals within 12 months", "No", 0.23, 0.22, 0.2, 0.21, 0.24, "Red", "↑", "↑",
                  "R12M"],
    "Headers E": ["H1", "% of re-referrals within 12 months", "↓", 0.26, 0.2, 0.21, 0.24],
    "Headers F": ["H1", "% of re-referrals within 12 months", "Low is good", ">25%", "20%-25%", "<20%", "21%", "24%"],
    "Headers G": ["H1", "% of re-referrals within 12 months", "Low is good", 0.2, 0.21, 0.24],
}

POLARITY_WORDINGS: list[Any] = [
    "High is good", "Good is High", "Higher is better", "Bigger is better", "H", "↑", "▲",
    wingdings("é"), wingdings3("h"), wingdings3("p"),
    "Low is good", "Good is Low", "Lower is better", "Smaller is better", "L", "↓", "▼",
    wingdings("ê"), wingdings3("i"), wingdings3("q"),
    "Info", "Data only", "Monitor only", "For information", "Context", "Not applicable",
]

TARGET_WORDINGS: list[tuple[Any, Any, Any]] = [  # (polarity, target, latest value)
    ("Low is good", "18% (threshold)", "17%"),
    (None, "Fewer than 85", 90),
    (None, "Less than 22%", "25%"),
    (None, "85% or above", "80%"),
    (None, "At least 90%", "91%"),
    (None, "800 - 1,000", 1050),
    (None, "<5%", "7%"),
    (None, ">=60%", "58%"),
    (None, "no more than 10", 10),
    (None, "260-300", 277),
    ("High is good", "No target", 40),
    ("High is good", "Monitor", 40),
    ("High is good", "n/a", 40),
]

TRAVEL_WORDINGS: list[Any] = [  # every PI went up 50 -> 60, high is good: improving
    "↑", "▲", "⬆", "Improved performance", "Improving", wingdings("é"), wingdings3("h"), wingdings3("p"),
    "↓", "▼", "Worsened", "Declining", wingdings("ê"), wingdings3("i"), wingdings3("q"),
    "No change", "Stable", "→", "►", wingdings("è"), wingdings3("g"),
]

SUBMITTED_RAGS: list[tuple[int, Any]] = [  # (latest value against a target of 50, high is good; the sheet's RAG)
    (48, "Amber"), (48, "A"), (48, "Red"), (48, "R"), (48, "Green"), (48, "G"), (48, "On target"),
    (48, "Met"), (48, fill(AMBER)), (48, fill(RED)),
    (52, "Met"), (52, "On target"), (52, "Not met"), (52, fill(GREEN)),
]


def wordings() -> openpyxl.Workbook:
    """A sheet per vocabulary family, a wording (or glyph in its font) per column or row."""
    wb, ws = new_book("Periods")
    write_rows(ws, 1, [["Ref", "Measure", "Polarity", "Target", *PERIOD_SPELLINGS],
                       ["P1", "Number of contacts", "Info", None, *range(100, 100 + len(PERIOD_SPELLINGS))]])
    for name, header in HEADER_SETS.items():
        row = [pct(v)[0] if isinstance(v, float) else v for v in HEADER_ROWS[name]]
        write_rows(wb.create_sheet(name), 1, [header, row])
    rows: list[list[Any]] = [[f"P{n:02}", f"Measure P{n:02}", polarity, 50, 46, 48]
                             for n, polarity in enumerate(POLARITY_WORDINGS, start=1)]
    write_rows(wb.create_sheet("Polarity"), 1, [["Ref", "Measure", "Polarity", "Target", "Q1 2018/19",
                                                 "Q2 2018/19"], *rows])
    rows = [[f"T{n:02}", f"Measure T{n:02}", polarity, target, None, value]
            for n, (polarity, target, value) in enumerate(TARGET_WORDINGS, start=1)]
    write_rows(wb.create_sheet("Targets"), 1, [["Ref", "Measure", "Polarity", "Target", "Q1 2018/19",
                                                "Q2 2018/19"], *rows])
    rows = [[f"D{n:02}", f"Measure D{n:02}", "High is good", 70, 50, 60, arrow]
            for n, arrow in enumerate(TRAVEL_WORDINGS, start=1)]
    write_rows(wb.create_sheet("Travel"), 1, [["Ref", "Measure", "Polarity", "Target", "Q1 2018/19",
                                               "Q2 2018/19", "DoT"], *rows])
    rows = [[f"S{n:02}", f"Measure S{n:02}", "High is good", 50, 49, value, rag]
            for n, (value, rag) in enumerate(SUBMITTED_RAGS, start=1)]
    write_rows(wb.create_sheet("Submitted RAG"), 1, [["Ref", "Measure", "Polarity", "Target", "Q1 2018/19",
                                                      "Q2 2018/19", "RAG"], *rows])
    rows = [["Q01", "Measure Q01", "High is good", 40, 42, 50, 46],
            ["Q02", "Measure Q02", "Low is good", 20, 19, 15, 18]]
    write_rows(wb.create_sheet("Quarter targets"), 1, [["Ref", "Measure", "Polarity", "Q1 2018/19 target",
                                                        "Q1 2018/19 actual", "Q2 2018/19 target",
                                                        "Q2 2018/19 actual"], *rows])
    return wb


def harbourside_quarter_ends() -> openpyxl.Workbook:
    """Quarters named by their last month (date cells shown 'mmm-yy'), an 'Aim' column, money and unit words."""
    wb, ws = new_book("Scorecard")
    ws["A1"] = "Harbourside Council - Children's Services Quarterly Performance"
    ends = [Styled(dt.datetime(y, m, d), "mmm-yy") for y, m, d in ((2019, 6, 30), (2019, 9, 30), (2019, 12, 31),
                                                                    (2020, 3, 31))]
    write_rows(ws, 3, [
        ["PI", "Description", "Aim", "Target", *ends, "RAG", "Commentary"],
        ["Early help and safeguarding"],
        ["HB1", "% of contacts progressed within 1 working day", "Maximise", *pct(0.9), *pct(0.86, 0.88, 0.91),
         None, None, None],
        ["HB2", "Average days from entering care to adoption", "Minimise", "426 days", "450 days", "430 days",
         "410 days", None, None, "Two adoptions delayed by court dates."],
        ["HB3", "Average weekly cost of a residential placement", "Minimise", "£4,000", "£4,250", "£4,180", "£4,390",
         None, None, None],
        ["Children in care"],
        ["HB4", "Rate of children in care per 10,000", "Minimise", "60 per 10,000", 62.1, 61.0, 58.3, None, None,
         None],
        ["HB5", "Number of children placed more than 20 miles from home", "Minimise", 25, 31, 28, "c", None, None,
         "Suppressed: fewer than 5 children moved."],
    ])
    bold_row(ws, 3)
    return wb


def bayford_bare_quarters() -> openpyxl.Workbook:
    """Bare Q1..Q4 headers whose year is stated once, in the title; a 'Better' column of High/Low."""
    wb, ws = new_book("KPIs")
    ws["A1"] = "Bayford Borough Council - Children's Scorecard 2019/20"
    ws["A2"] = "Reported to Cabinet, January 2020"
    write_rows(ws, 4, [
        ["Ref", "Measure", "Better", "Target", "Q1", "Q2", "Q3", "Q4", "Comments"],
        ["B1", "Number of early help assessments completed", "High", 400, 350, 380, 410, None, None],
        ["B2", "% of re-referrals within 12 months", "Low", *pct(0.2), *pct(0.24, 0.21, 0.23), None, None],
        ["B3", "Average caseload per social worker", "Low", 18, 20, 19, 19.5, None, "Two posts filled in January."],
    ])
    bold_row(ws, 4)
    return wb


FIXTURES: dict[str, Callable[[], openpyxl.Workbook]] = {
    f.__name__: f
    for f in [
        northshire_two_row,
        eastborough_year_first,
        westcity_monthly,
        southvale_long,
        midland_hlt_floor,
        wolds_wingdings,
        performance_export,
        outturns,
        tabs_per_quarter,
        tabs_per_service,
        tabs_own_quarter,
        riverside_extras,
        westshire_unknown,
        no_periods,
        wordings,
        harbourside_quarter_ends,
        bayford_bare_quarters,
    ]
}


def resave_with_libreoffice(source: Path, out_dir: Path) -> bool:
    """Re-save `source` through LibreOffice into `out_dir` (same name); False when soffice is absent."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return False
    with tempfile.TemporaryDirectory() as profile, tempfile.TemporaryDirectory() as converted:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
             "--outdir", converted, str(source)],
            check=True, capture_output=True, timeout=180,
        )
        shutil.move(str(Path(converted) / source.name), out_dir / source.name)
    return True


def main(out_dir: Path = HERE, names: Sequence[str] = ()) -> None:
    """Write every fixture, or only those named (`make_fixtures.py NAME...`)."""
    with tempfile.TemporaryDirectory() as scratch:
        for name, build in FIXTURES.items():
            if names and name not in names:
                continue
            target = out_dir / f"{name}.xlsx"
            if name in LIBREOFFICE_SAVED:
                staged = Path(scratch) / target.name
                build().save(staged)
                if resave_with_libreoffice(staged, out_dir):
                    print(f"{target.name}: written, re-saved by LibreOffice")
                    continue
                print(f"{target.name}: soffice not found, keeping the openpyxl file", file=sys.stderr)
                shutil.copyfile(staged, target)
            else:
                build().save(target)
                print(f"{target.name}: written")


if __name__ == "__main__":
    unknown = [n for n in sys.argv[1:] if n not in FIXTURES]
    if unknown:
        sys.exit(f"no such fixture: {', '.join(unknown)} (fixtures: {', '.join(FIXTURES)})")
    main(names=sys.argv[1:])
