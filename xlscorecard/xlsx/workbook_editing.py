"""Editing a council's own workbook with openpyxl: open it for editing, set cells safely, save atomically.

Used by the rollover (the submission and the template); the return is written by XlsxWriter instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.comments import Comment

from xlscorecard.atomic import atomic_path
from xlscorecard.core.errors import ScorecardError, WorkbookError, printable

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["copy_comment", "load_for_edit", "merged_anchor", "save_workbook", "set_value"]


def load_for_edit(src: Path) -> Workbook:
    """The workbook in openpyxl's editing mode; the caller has bounded it first (xlsx_scan.check_editable)."""
    try:
        # keep_vba=False: VBA is never copied. Not read-only, so styles, widths and print settings stay.
        return openpyxl.load_workbook(src, keep_vba=False, rich_text=True)
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises whatever its parts' parsers raise on damage
        raise WorkbookError(
            f"workbook is damaged and cannot be opened for editing ({_problem(exc)}); open it in Excel and save"
            " it again",
            src,
        ) from None


def _problem(exc: BaseException) -> str:
    """A library's exception as a short printable phrase for a one-line message."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = printable(text[:120])
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def save_workbook(wb: Workbook, target: Path) -> None:
    """Write to a temporary file beside `target`, then rename: never a partial file under the final name."""
    try:
        with atomic_path(target, prefix=f".{target.stem}.") as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise ScorecardError(f"cannot write the output ({exc.strerror or exc})", target) from None


def set_value(cell: Any, value: object, data_type: str | None = None) -> None:
    """Assign without letting text become a formula (openpyxl makes any '=...' string a formula)."""
    cell.value = value
    if value is not None and (data_type == "s" or (isinstance(value, str) and cell.data_type == "f")):
        cell.data_type = "s"


def copy_comment(comment: Any) -> Any:
    """A new note with the same text, author and size (openpyxl binds a note to one cell)."""
    return Comment(comment.text, comment.author, height=comment.height, width=comment.width)


def merged_anchor(ws: Worksheet, coordinate: str) -> Any:
    """The cell at `coordinate`, or the top-left cell of the merged range holding it."""
    for rng in ws.merged_cells.ranges:
        if coordinate in rng:
            return ws.cell(rng.min_row, rng.min_col)
    return ws[coordinate]
