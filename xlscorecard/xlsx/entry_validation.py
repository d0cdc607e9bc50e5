"""The entry column's marks in a submission or template: fill, header note and data validation (issue 8).

The entry cells are filled light yellow, the header gets a note saying what may be entered, and one
data-validation rule accepts a number, a percentage or a known marker, listed on a hidden sheet.
A workbook rolled before carries the previous quarter's marks; they are removed first. The
formula and the ranges are decided in xlscorecard/core/rollover_plan.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl.comments import Comment
from openpyxl.styles import PatternFill, Protection
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.grid import column_index, column_letter
from xlscorecard.core.reading.periods import Period
from xlscorecard.core.rollover_plan import entry_ranges, entry_rule, marker_list, subtract_cells
from xlscorecard.xlsx.workbook_editing import merged_anchor, set_value

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["ENTRY_FILL", "LISTS_SHEET", "NOTE_AUTHOR", "is_entry_fill", "mark_entry", "remove_previous_marks"]

ENTRY_FILL = "FFF7D1"  # light yellow; also how a later roll recognises the previous entry column
NOTE_AUTHOR = "xlscorecard"
LISTS_SHEET = "Lists"
_FALLBACK_LISTS_SHEET = "xlscorecard lists"


def is_entry_fill(cell: Any) -> bool:
    """Whether `cell` carries the entry fill."""
    fill = cell.fill
    rgb = getattr(fill.fgColor, "rgb", None)
    return fill.fill_type == "solid" and isinstance(rgb, str) and rgb[-6:].upper() == ENTRY_FILL


def remove_previous_marks(
    wb: Workbook, ws: Worksheet, period_columns: Iterable[str], pi_rows: list[int], header_rows: list[int]
) -> None:
    """A workbook rolled before carries last quarter's marks: fill, header note, validation, list."""
    for letter in period_columns:
        for r in pi_rows:
            cell = ws[f"{letter}{r}"]
            if is_entry_fill(cell):
                cell.fill = PatternFill(fill_type=None)
        for r in header_rows:
            cell = ws[f"{letter}{r}"]
            if cell.comment is not None and cell.comment.author == NOTE_AUTHOR:
                cell.comment = None
    for name in (LISTS_SHEET, _FALLBACK_LISTS_SHEET):
        if name in wb.sheetnames and _is_our_list(wb[name]):
            refs = (f"{_sheet_ref(name)}!".lower(), f"'{name}'!".lower())
            dvs = ws.data_validations.dataValidation
            ws.data_validations.dataValidation = [
                dv for dv in dvs if not any(ref in (dv.formula1 or "").lower() for ref in refs)
            ]
            del wb[name]


def mark_entry(
    wb: Workbook,
    ws: Worksheet,
    *,
    entry: Period,
    entry_column: str,
    header_row: int,
    validated: list[str],
    pi_rows: list[int],
    src: Path,
) -> None:
    """Entry fill and header note on the entry column; one validation rule over `validated` x PI rows."""
    if not pi_rows:
        return
    fill = PatternFill(fill_type="solid", fgColor=ENTRY_FILL, bgColor=ENTRY_FILL)
    for r in pi_rows:
        ws[f"{entry_column}{r}"].fill = fill
    note = Comment(
        f"{entry.label}: this quarter's figures go in this column. Enter a number, a percentage (45%) "
        "or a marker such as suppressed, c, <5, x, N/A, TBC, z, k or -; anything else is refused. "
        "Notes go in the comments column.",
        NOTE_AUTHOR,
        height=110,
        width=260,
    )
    merged_anchor(ws, f"{entry_column}{header_row}").comment = note
    ranges = entry_ranges(validated, pi_rows)
    top_left = ranges[0].split(":")[0]
    _release_cells(ws, {(column_index(c), r) for c in validated for r in pi_rows})
    dv = DataValidation(
        type="custom",
        formula1=entry_rule(top_left, _lists_sheet(wb, src)),
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle="Not a figure or a marker",
        error=(
            "Enter a number, a percentage (45%) or a known marker such as suppressed, c, <5, x, N/A, TBC, z, k "
            "or -. Notes such as '57% (63%)' or 'provisional' go in the comments column."
        ),
        promptTitle=f"{entry.label} figure"[:32] if len(validated) == 1 else "Figure",
        prompt=(
            "A number, a percentage (45%) or a marker: suppressed, c, <5, x, N/A, TBC, z, k or -. "
            "Leave blank if not yet known."
        ),
        sqref=" ".join(ranges),
    )
    ws.add_data_validation(dv)


def _is_our_list(ws: Worksheet) -> bool:
    known = {m.lower() for m in marker_list()}
    values = [row[0] for row in ws.iter_rows(min_col=1, max_col=1, values_only=True)]
    return (
        ws.sheet_state != "visible" and bool(values) and all(isinstance(v, str) and v.lower() in known for v in values)
    )


def _lists_sheet(wb: Workbook, src: Path) -> str:
    """A hidden sheet holding the markers in column A; returns its A1 range reference."""
    name = LISTS_SHEET if LISTS_SHEET not in wb.sheetnames else _FALLBACK_LISTS_SHEET
    if name in wb.sheetnames:
        raise ScorecardError(f"already has sheets named '{LISTS_SHEET}' and '{name}'", src)
    ws = wb.create_sheet(name)
    markers = marker_list()
    for i, marker in enumerate(markers, start=1):
        set_value(ws.cell(i, 1), marker, "s")
    ws.column_dimensions["A"].width = 24
    ws.sheet_state = "hidden"
    return f"{_sheet_ref(name)}!$A$1:$A${len(markers)}"


def _release_cells(ws: Worksheet, cells: set[tuple[int, int]]) -> None:
    """Older validation rules give up the entry cells; on a protected sheet they are unlocked."""
    kept = []
    for dv in ws.data_validations.dataValidation:
        rects = [
            part
            for rng in dv.sqref.ranges
            for part in subtract_cells((rng.min_col, rng.min_row, rng.max_col, rng.max_row), cells)
        ]
        if rects:
            dv.sqref = MultiCellRange(
                " ".join(f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}" for c1, r1, c2, r2 in rects)
            )
            kept.append(dv)
    ws.data_validations.dataValidation = kept
    if ws.protection.sheet:
        for c, r in cells:
            ws.cell(r, c).protection = Protection(locked=False)


def _sheet_ref(name: str) -> str:
    """A sheet name as a formula writes it: quoted only when it must be (Excel saves it that way too)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name):
        return name
    return "'" + name.replace("'", "''") + "'"
