"""Fills, font colours, notes, links and number formats in Excel: a whole batch per call.

Desktop Excel (Windows, macOS): the loops over cells run in VBA inside Excel, in the add-in's
XlScorecard module (macros/XlScorecard.bas), called through ``App.macro``: XlsReadFormats reads
every cell's fill and note in one call, XlsApplyFormats applies a whole batch in one call and
XlsReadCellFormats reads a block's number formats, fonts and fills in one call. ``Book.macro`` is not used
because it looks in the analyst's workbook, not the add-in.

xlwings' remote engine (xlwings Server) runs no VBA: see ``remote.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from xlscorecard.addin.build import ADDIN_NAME
from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.grid import column_letter, split_address

RGB = tuple[int, int, int]
T = TypeVar("T")

ADDIN_BOOK = ADDIN_NAME
VBA_MODULE = "XlScorecard"
VBA_APPLY = "XlsApplyFormats"
VBA_READ = "XlsReadFormats"
VBA_READ_CELL_FORMATS = "XlsReadCellFormats"
VBA_PROCEDURES: dict[str, tuple[str, ...]] = {
    VBA_APPLY: ("bookName", "sheetName", "items"),
    VBA_READ: ("bookName", "sheetName", "addresses"),
    VBA_READ_CELL_FORMATS: ("bookName", "sheetName", "address"),
}
NO_COLOUR = -1  # in VBA's colours: no fill (or the automatic font colour); other negatives: unreadable
UNKNOWN = "?"  # a fill or note text that the engine could not tell
MAX_ADDRESS = 255  # Excel refuses a Range address string longer than this
# Our notes start with this; a note that does not is the analyst's and is never changed.
# NOTE_PREFIX in macros/XlScorecard.bas must be the same.
NOTE_PREFIX = "xlscorecard: "


def rgb(hex_colour: str) -> RGB:
    text = hex_colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def hex_colour(colour: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*colour)


def as_rgb(colour: Any) -> RGB:
    if isinstance(colour, str):
        return rgb(colour)
    if isinstance(colour, int):  # Excel's BGR integer
        return colour & 0xFF, (colour >> 8) & 0xFF, (colour >> 16) & 0xFF
    return tuple(int(c) for c in colour)[:3]  # type: ignore[return-value]


def to_bgr(colour: RGB | None) -> int:
    """An RGB colour as Excel's BGR Long; NO_COLOUR for none."""
    if colour is None:
        return NO_COLOUR
    r, g, b = colour
    return r + (g << 8) + (b << 16)


def from_bgr(value: Any) -> Any:
    """XlsReadFormats' colour: an RGB tuple, None for no fill, UNKNOWN when Excel could not tell."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return UNKNOWN
    value = int(value)
    if value == NO_COLOUR:
        return None
    if value < 0:
        return UNKNOWN
    return as_rgb(value)


def attempt(get: Callable[[], T], default: T) -> T:
    """A read or write that some xlwings engines do not support (remote: colours, note text)."""
    try:
        return get()
    except NotImplementedError:
        return default


def is_remote(book: Any) -> bool:
    """Whether the book is xlwings' remote engine (xlwings Server), which runs no VBA."""
    return attempt(lambda: book.app.engine.name, "excel") == "remote"


@dataclass
class Op:
    """One change of format: a row of the batch XlsApplyFormats applies (see macros/XlScorecard.bas).

    kind "fill"/"font": value is the colour (None: no fill, automatic font colour); "note": value
    is the note's text; "clearnote": delete the note if ours; "link": value is the target in the
    workbook ("'Sheet'!K13"), text is shown in the cell and tip is the screen tip.
    """

    kind: str
    address: str
    value: Any = None
    text: str = ""
    tip: str = ""


def runs(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(row, column) cells -> (column, first row, last row) runs of adjacent rows."""
    found: list[tuple[int, int, int]] = []
    for row, column in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        if found and found[-1][0] == column and found[-1][2] == row - 1:
            found[-1] = (column, found[-1][1], row)
        else:
            found.append((column, row, row))
    return found


def addresses(cells: Iterable[tuple[int, int]], style: str) -> list[str]:
    """Address strings covering the cells: 'single' areas, or 'ranges'/'cells' joined up to MAX_ADDRESS."""
    parts: list[str] = []
    for column, first, last in runs(cells):
        letter = column_letter(column)
        if style == "cells":
            parts += [f"{letter}{row}" for row in range(first, last + 1)]
        else:
            parts.append(f"{letter}{first}" if first == last else f"{letter}{first}:{letter}{last}")
    if style == "single":
        return parts
    chunks: list[str] = []
    current = ""
    for part in parts:
        if current and len(current) + 1 + len(part) > MAX_ADDRESS:
            chunks.append(current)
            current = part
        else:
            current = f"{current},{part}" if current else part
    if current:
        chunks.append(current)
    return chunks


class VbaFormats:
    """Reads and writes of fills, font colours, notes and links through the add-in's VBA."""

    notes_unsupported = 0

    def __init__(self, book: Any) -> None:
        self.book = book

    def read(self, sheet_name: str, sheet: Any, cells: list[str]) -> dict[str, tuple[Any, Any]]:
        """address -> (fill: RGB, None or UNKNOWN; note text: str, None for no note, or UNKNOWN)."""
        if not cells:
            return {}
        result = run_vba(self.book, VBA_READ, self.book.name, sheet_name, [[address] for address in cells])
        rows = [list(row) if isinstance(row, list | tuple) else [row] for row in (result or [])]
        if len(rows) != len(cells):
            raise ScorecardError(f"{VBA_MODULE}.{VBA_READ} returned {len(rows)} rows for {len(cells)} cells")
        out: dict[str, tuple[Any, Any]] = {}
        for address, row in zip(cells, rows, strict=True):
            colour, note = ([*row, None, None])[:2]
            out[address] = (from_bgr(colour), note if isinstance(note, str) else None)
        return out

    def apply(self, sheet_name: str, sheet: Any, ops: list[Op]) -> None:
        """Apply the changes in one call; fills and font colours of adjacent cells merged into runs."""
        painted: dict[tuple[str, RGB | None], list[tuple[int, int]]] = defaultdict(list)
        rows: list[list[Any]] = []
        others: list[list[Any]] = []
        for op in ops:
            if op.kind in ("fill", "font"):
                painted[(op.kind, op.value)].append(split_address(op.address))
            else:
                others.append([op.address, op.kind, op.value if op.value is not None else "", op.text, op.tip])
        for (kind, colour), cells in painted.items():
            rows += [[address, kind, to_bgr(colour), "", ""] for address in addresses(cells, "single")]
        rows += others
        if rows:
            run_vba(self.book, VBA_APPLY, self.book.name, sheet_name, rows)


@dataclass
class CellFormats:
    """What Excel shows beyond a cell's value, per cell of a block: number format, font, fill ('RRGGBB')."""

    number_formats: list[list[str | None]]
    font_names: list[list[str | None]]
    fill_colours: list[list[str | None]]


def read_cell_formats(book: Any, sheet_name: str, address: str, height: int, width: int) -> CellFormats | None:
    """Number formats, font names and fills of every cell of a block, in one call to the add-in's VBA.

    None on the remote engine, which runs no VBA.
    """
    if is_remote(book):
        return None
    result = run_vba(book, VBA_READ_CELL_FORMATS, book.name, sheet_name, address)
    rows = [list(row) if isinstance(row, list | tuple) else [row] for row in (result or [])]
    if len(rows) != height or any(len(row) != 3 * width for row in rows):
        raise ScorecardError(f"{VBA_MODULE}.{VBA_READ_CELL_FORMATS} returned a block of another size than {address}")

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) and value else None

    def fill(value: Any) -> str | None:
        colour = from_bgr(value)
        return None if colour in (None, UNKNOWN) else hex_colour(colour).lstrip("#")

    return CellFormats(
        number_formats=[[text(v) for v in row[0::3]] for row in rows],
        font_names=[[text(v) for v in row[1::3]] for row in rows],
        fill_colours=[[fill(v) for v in row[2::3]] for row in rows],
    )


def run_vba(book: Any, procedure: str, *args: Any) -> Any:
    """Run one of the add-in's VBA Functions (one Excel call); a one-line error if Excel cannot."""
    macro = book.app.macro(f"'{ADDIN_BOOK}'!{VBA_MODULE}.{procedure}")
    try:
        return macro(*args)
    except Exception as exc:  # a COM (Windows) or AppleScript (macOS) error
        detail = " ".join(str(exc).split())
        raise ScorecardError(
            f"Excel could not run {VBA_MODULE}.{procedure} of the add-in {ADDIN_BOOK} ({detail}); "
            "rebuild and reinstall it with `xlscorecard addin install`"
        ) from exc
