"""Regenerate the example workbook from the real Q2 2018-19 scorecard export.

The workbook is stored the way an analyst's workbook stores it: title row, header repeated at each
printed page, section rows, numbers as numbers, percentages as fractions with a percent format, a
few numbers left as text ("9,536"), three spellings of "suppressed", comments wrapped.

    python examples/make_example.py
"""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "childrens_services_scorecard_q2_2018-19.tsv"
EXAMPLE = HERE / "scorecard_q2_2018-19.xlsx"

TEXT_NUMBERS = {"9,536", "2,374"}  # kept as text, as they arrived in the real sheet
PERCENT = re.compile(r"^(-?\d+(?:\.(\d+))?)%$")
NUMBER = re.compile(r"^-?\d+(?:\.(\d+))?$")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
SECTION_FILL = PatternFill("solid", fgColor="D9E1F2")
THIN = Side(style="thin", color="A6A6A6")
WIDTHS = {"A": 7, "B": 48, "C": 18, "D": 12, "P": 10, "Q": 80, "R": 18, "S": 14}


def load_rows() -> list[list[str]]:
    with SOURCE.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter="\t"))


def typed(text: str, column: int) -> tuple[object, str | None]:
    """The cell value and number format an analyst's workbook would hold for this text."""
    if column < 5 or text in TEXT_NUMBERS:  # ref, measure, lead, polarity stay text
        return text, None
    if m := PERCENT.match(text):
        places = len(m.group(2) or "")
        return round(float(m.group(1)) / 100, places + 2), "0" + ("." + "0" * places if places else "") + "%"
    if m := NUMBER.match(text):
        places = len(m.group(1) or "")
        number = float(text) if places else int(text)
        return number, ("0." + "0" * places) if places else None
    return text, None


def is_header(row: list[str]) -> bool:
    return bool(row) and row[0] == "PI Ref"


def is_section(row: list[str]) -> bool:
    return bool(row) and bool(row[0]) and not any(row[1:]) and not is_header(row)


def style_sheet(ws: Worksheet, width: int) -> None:
    for letter, w in WIDTHS.items():
        ws.column_dimensions[letter].width = w
    for col in "EFGHIJKLMNO":
        ws.column_dimensions[col].width = 10
    ws.freeze_panes = "C6"
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "5:5"


def write_row(ws: Worksheet, r: int, row: list[str], values: bool = True) -> None:
    if is_header(row):
        for c, text in enumerate(row, start=1):
            cell = ws.cell(r, c, text)
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
        return
    if is_section(row):
        cell = ws.cell(r, 1, row[0])
        cell.font = Font(bold=True)
        for c in range(1, 20):
            ws.cell(r, c).fill = SECTION_FILL
        return
    for c, text in enumerate(row, start=1):
        if not text or (not values and c > 7):
            continue
        value, fmt = typed(text, c) if 8 <= c <= 14 or 5 <= c <= 7 else (text, None)
        cell = ws.cell(r, c, value)
        if fmt:
            cell.number_format = fmt
        cell.alignment = Alignment(wrap_text=c in (2, 17), vertical="top")
        cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)


def build_example(path: Path = EXAMPLE) -> Path:
    rows = load_rows()
    wb = Workbook()
    contents = wb.active
    contents.title = "Contents"
    contents["A1"] = "Children's Services Scorecard"
    contents["A3"] = "The scorecard is on the sheet 'Q2 2018-19'."
    ws = wb.create_sheet("Q2 2018-19")
    for r, row in enumerate(rows, start=1):
        if row:
            if len(row) == 1:
                ws.cell(r, 1, row[0]).font = Font(bold=True, size=14)
            else:
                write_row(ws, r, row)
    style_sheet(ws, 19)
    _fix_times(wb)
    wb.save(path)
    return path


def _fix_times(wb: Workbook) -> None:
    stamp = datetime(2018, 11, 1, 9, 0, 0)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "xlscorecard example"


if __name__ == "__main__":
    print(build_example())
