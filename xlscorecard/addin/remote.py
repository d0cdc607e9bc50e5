"""Formats on xlwings' remote engine (xlwings Server), which runs no VBA.

Every change becomes an action in the one JSON response xlwings sends back to its client, so the
number of actions is what must not grow with the sheet. Fills go through ``Range.set_colors``:
one ``setRangeColors`` action per column block of at most SET_COLORS_MAX rows, the cells that
are not ours left as they were (``...``). The clients have no bulk action for font colours or
notes, so on this engine the arrows keep their font colour and flagged cells get no note (the
button's message says so, and Check lists every reason); links are HYPERLINK formulas written
with the findings table's one ``setValues`` (see ``buttons``).

Supported client: the Office.js add-in of xlwings Server, the one client with ``setRangeColors``.
xlwings' VBA (RunRemotePython), Office Scripts and Google Sheets clients are refused in one line.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from xlscorecard.addin.formats import RGB, UNKNOWN, Op, attempt, is_remote
from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.grid import split_address

SUPPORTED_CLIENT = "Office.js"
SET_COLORS_MAX = 10_000  # xlwings' Range.set_colors takes at most this many cells per call


def check_client(book: Any) -> None:
    """Refuse, in one line, a remote client that lacks the actions the buttons send."""
    if not is_remote(book):
        return
    api = attempt(lambda: book.api, None)
    client = api.get("client") if isinstance(api, dict) else None
    if client != SUPPORTED_CLIENT:
        raise ScorecardError(
            f"on xlwings Server the add-in's buttons need its {SUPPORTED_CLIENT} add-in; this workbook "
            f"called from the {client or 'unknown'} client, which cannot set many fills in one action",
            book.name,
        )


class RemoteFormats:
    """Fills in one action per column block; font colours and notes counted as not supported."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.notes_unsupported = 0
        self.fonts_unsupported = 0

    def read(self, sheet_name: str, sheet: Any, cells: list[str]) -> dict[str, tuple[Any, Any]]:
        """Fills cannot be read synchronously here (UNKNOWN); notes come with the request."""
        return {address: (UNKNOWN, _note_text(sheet.range(address))) for address in cells}

    def apply(self, sheet_name: str, sheet: Any, ops: list[Op]) -> None:
        fills: dict[int, dict[int, RGB | None]] = defaultdict(dict)  # column -> row -> colour
        for op in ops:
            if op.kind == "fill":
                row, column = split_address(op.address)
                fills[column][row] = op.value
            elif op.kind == "font":
                self.fonts_unsupported += 1
            elif op.kind == "note":
                self.notes_unsupported += 1
            elif op.kind == "clearnote":
                pass  # notes are never added on this engine, so there are none of ours to clear
            else:
                raise ValueError(f"no bulk action for {op.kind!r} on xlwings' remote engine")
        for column, colours in sorted(fills.items()):
            first, last = min(colours), max(colours)
            for top in range(first, last + 1, SET_COLORS_MAX):
                bottom = min(top + SET_COLORS_MAX - 1, last)
                matrix = [[colours.get(row, ...)] for row in range(top, bottom + 1)]
                sheet.range((top, column), (bottom, column)).set_colors(matrix)


def _note_text(cell: Any) -> Any:
    note = attempt(lambda: cell.note, None)
    if note is None:
        return None
    text = attempt(lambda: note.text, UNKNOWN)
    return text if isinstance(text, str) else UNKNOWN
