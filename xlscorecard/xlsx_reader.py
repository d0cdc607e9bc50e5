"""Read a .xlsx file into a Grid (values, number formats, origin) after the safety checks."""

from __future__ import annotations

import zipfile
from pathlib import Path

from xlscorecard.errors import WorkbookError
from xlscorecard.grid import Grid
from xlscorecard.layout import find_header
from xlscorecard.safety import SafetyLimits, check_workbook_file

HEADER_SEARCH_ROWS = 60


def read_grid(path: str | Path, sheet: str | None = None, limits: SafetyLimits | None = None) -> Grid:
    """The scorecard sheet of a workbook as a Grid: the named sheet, else the first with a header."""
    import openpyxl

    path = Path(path)
    check_workbook_file(path, limits or SafetyLimits())
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise WorkbookError(f"cannot be read as a workbook ({_reason(exc)})", path) from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise WorkbookError(f"has no sheet '{sheet}' (sheets: {', '.join(book.sheetnames)})", path)
            return _sheet_grid(book[sheet])
        for name in book.sheetnames:
            ws = book[name]
            if not hasattr(ws, "iter_rows"):
                continue  # chartsheets
            head = _sheet_grid(ws, max_row=HEADER_SEARCH_ROWS)
            if find_header(head) is not None:
                return _sheet_grid(ws)
        raise WorkbookError(
            "no sheet has a scorecard header row (expected columns such as PI Ref, Measure, "
            "Target and quarters like 'Qu 2 18-19'); name the sheet with --sheet",
            path,
        )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise WorkbookError(f"is damaged and cannot be read ({_reason(exc)})", path) from None
    finally:
        book.close()


def _sheet_grid(ws, max_row: int | None = None) -> Grid:  # type: ignore[no-untyped-def]
    ws.reset_dimensions()  # read_only trusts the declared dimension, which can be wrong
    values: list[list[object]] = []
    formats: list[list[str | None]] = []
    for row in ws.iter_rows(min_row=1, max_row=max_row):
        values.append([c.value for c in row])
        formats.append([getattr(c, "number_format", None) for c in row])
    return Grid.from_rows(values, formats, origin="A1", sheet=ws.title)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
