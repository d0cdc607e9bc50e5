"""Reading the analyst's live workbook: which sheet is the scorecard, its cells, its rules.

The scorecard sheet is the active sheet when it holds a scorecard header, else the first other
sheet that does (the add-in's own sheets are skipped). Its used range is read in one
``.value`` call; on desktop Excel its number formats, fonts and fills come in one more call to
the add-in's VBA, so a PI ref shown as 1.10 stays "1.10", a fraction shown as 31% is 31%, and an
arrow in a symbol font or a RAG given as a fill keeps its meaning, as the file reader sees them.
A ``rules.toml`` beside the workbook is loaded when present, and a layout profile (layout.py)
is used as ``--layout`` is on the command line: its sheet, header rows and column names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlscorecard.addin.formats import read_cell_formats
from xlscorecard.addin.layout import layout_profile
from xlscorecard.api import load_settings
from xlscorecard.core.assessment import Assessment, assess
from xlscorecard.core.errors import ScorecardError, WorkbookError
from xlscorecard.core.grid import Grid, cell_address, column_index
from xlscorecard.core.reading import Profile, find_header, read_scorecard
from xlscorecard.core.scorecard import Scorecard
from xlscorecard.core.settings import Settings
from xlscorecard.xlsx.reader import HEADER_SEARCH_ROWS

FINDINGS_SHEET = "Scorecard findings"
RECORD_SHEET = "_xlscorecard"
OUR_SHEETS = (FINDINGS_SHEET.casefold(), RECORD_SHEET.casefold())
RULES_FILE = "rules.toml"
LAYOUT_HINT = (  # the way out from Excel when the reader cannot work a sheet out alone
    "to name its columns for the buttons, put a layout profile in a layout.toml beside the workbook "
    "or run `xlscorecard addin install --layout PROFILE.toml`"
)


@dataclass
class Live:
    """The scorecard sheet as read: the sheet, its raw values, the Grid and the assessment."""

    book: Any
    sheet: Any
    raw: list[list[Any]]  # values as xlwings returned them, padded so raw[r-1][c-1] is cell (r, c)
    grid: Grid
    scorecard: Scorecard
    assessment: Assessment

    def raw_value(self, row: int, column: int) -> Any:
        if 0 < row <= len(self.raw) and 0 < column <= len(self.raw[row - 1]):
            return self.raw[row - 1][column - 1]
        return None


def load(book: Any, source: Path | None = None) -> Live:
    """Find, read and assess the scorecard sheet of the live book."""
    settings = _settings(book, source)
    folder = source.parent if source is not None else folder_of(book)
    profile = layout_profile(book.name, folder)
    sheet, name, raw, box = _scorecard_sheet(book, profile)
    formats = _cell_formats(book, name, box)
    if formats is None:
        grid = Grid.from_rows(raw, None, origin="A1", sheet=name)
    else:
        number_formats, font_names, fill_colours = formats
        grid = Grid.from_rows(
            raw, number_formats, origin="A1", sheet=name, font_names=font_names, fill_colours=fill_colours
        )
    try:
        scorecard = read_scorecard(grid, file=book.name, profile=profile)
    except WorkbookError as exc:  # the way out from Excel, after the command line's
        raise WorkbookError(f"{exc.message}; {LAYOUT_HINT}", exc.path) from None
    return Live(book, sheet, raw, grid, scorecard, assess(scorecard, settings))


def _settings(book: Any, source: Path | None = None) -> Settings:
    folder = source.parent if source is not None else folder_of(book)
    if folder is None:
        return Settings()
    rules = folder / RULES_FILE
    return load_settings(rules) if rules.is_file() else Settings()


def _fullname(book: Any) -> str | None:
    """The workbook's full name; None where xlwings cannot map an online path to a local one."""
    try:
        return str(book.fullname or "")
    except Exception:  # xlwings' OneDrive/SharePoint mapping raises its own errors
        return None


def folder_of(book: Any) -> Path | None:
    """The folder of a workbook saved on a local or network drive; None when unsaved or online."""
    fullname = _fullname(book)
    if fullname is None or "://" in fullname:
        return None
    path = Path(fullname)
    return path.parent if path.is_absolute() else None


def saved_path(book: Any) -> Path:
    """The workbook's path on a local or network drive; a one-line error when it has none."""
    fullname = _fullname(book)
    if fullname is None or "://" in fullname:
        raise ScorecardError(
            "the workbook is stored online (OneDrive or SharePoint); save a copy on a local or network "
            "drive to export its return",
            book.name,
        )
    path = Path(fullname)
    if not path.is_absolute():
        raise ScorecardError("the workbook has not been saved yet; save it first to export its return", book.name)
    return path


def _scorecard_sheet(book: Any, profile: Profile | None = None) -> tuple[Any, str, list[list[Any]], Box]:
    """The profile's sheet; else the active sheet if it holds a scorecard header, else the first other that does."""
    wanted = profile.sheet if profile is not None else None
    if profile is not None and wanted and wanted.casefold() != "all":  # "all": the buttons act on one sheet
        for sheet in book.sheets:
            if sheet.name.casefold() == wanted.casefold():
                return sheet, sheet.name, *read_values(sheet)
        names = ", ".join(f"'{s.name}'" for s in book.sheets)
        raise WorkbookError(
            f"the layout profile {profile.source} names sheet '{wanted}', which this workbook does not "
            f"have (sheets: {names})",
            book.name,
        )
    rows = max([HEADER_SEARCH_ROWS, *(profile.header_rows if profile else [])])
    active = book.sheets.active
    active_name = active.name
    if active_name.casefold() not in OUR_SHEETS:
        raw, box = read_values(active)
        if find_header(Grid.from_rows(raw[:rows] or [[]]), profile) is not None:
            return active, active_name, raw, box
    for sheet in book.sheets:
        name = sheet.name
        if name == active_name or name.casefold() in OUR_SHEETS:
            continue
        head, _ = read_values(sheet, rows)
        if find_header(Grid.from_rows(head or [[]]), profile) is not None:
            return sheet, name, *read_values(sheet)
    raise WorkbookError(
        f"sheet '{active_name}' has no scorecard header row, and no other sheet has one "
        f"(expected columns such as PI Ref, Measure, Target and quarters like 'Qu 2 18-19'); {LAYOUT_HINT}",
        book.name,
    )


Box = tuple[int, int, int, int]  # first row, first column, last row, last column (1-based)


def read_values(sheet: Any, max_rows: int | None = None) -> tuple[list[list[Any]], Box]:
    """The sheet's used range in one read, padded with blanks so that it starts at A1, and its box."""
    used = sheet.used_range
    top, left, bottom, right = bounds(used.address)
    if max_rows is not None:
        if top > max_rows:
            return [], (top, left, top - 1, right)
        bottom = min(bottom, max_rows)
        used = sheet.range((top, left), (bottom, right))
    values = used.options(ndim=2, err_to_str=True).value or [[]]
    padded: list[list[Any]] = [[] for _ in range(top - 1)]
    padded += [[None] * (left - 1) + list(row) for row in values]
    return padded, (top, left, bottom, right)


def _cell_formats(book: Any, name: str, box: Box) -> tuple[list[list[Any]], ...] | None:
    """Number formats, font names and fills of the read block, padded like the values; None if unknown."""
    top, left, bottom, right = box
    address = f"{cell_address(top, left)}:{cell_address(bottom, right)}"
    found = read_cell_formats(book, name, address, bottom - top + 1, right - left + 1)
    if found is None:
        return None

    def padded(rows: list[list[str | None]]) -> list[list[Any]]:
        return [[] for _ in range(top - 1)] + [[None] * (left - 1) + row for row in rows]

    return padded(found.number_formats), padded(found.font_names), padded(found.fill_colours)


_ADDRESS = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$", re.I)


def bounds(address: str) -> tuple[int, int, int, int]:
    """'$A$3:$S$133' -> (3, 1, 133, 19)."""
    m = _ADDRESS.match(address.split("!")[-1])
    if m is None:
        raise WorkbookError(f"unexpected used range address '{address}'")
    top, left = int(m[2]), column_index(m[1])
    if m[3] is None:
        return top, left, top, left
    return top, left, int(m[4]), column_index(m[3])
