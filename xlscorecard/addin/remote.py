"""Formats on xlwings' remote engine (xlwings Server), which runs no VBA.

Every change becomes an action in the one JSON response xlwings sends back to its client, so
what counts is the number of actions. Fills and font colours go one action per colour per
single-area run (the clients address one rectangle per action); notes one per cell (Office.js
only). Links are not made here: the findings table carries them as HYPERLINK formulas in its one
``setValues`` (see ``buttons.check``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from xlscorecard.addin.formats import NOTE_PREFIX, RGB, UNKNOWN, Op, addresses, attempt
from xlscorecard.grid import split_address


class RangeFormats:
    """The same reads and changes as VbaFormats, through xlwings' own range API."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.notes_unsupported = 0

    def read(self, sheet_name: str, sheet: Any, cells: list[str]) -> dict[str, tuple[Any, Any]]:
        return {address: _read_one(sheet.range(address)) for address in cells}

    def apply(self, sheet_name: str, sheet: Any, ops: list[Op]) -> None:
        painted: dict[tuple[str, RGB | None], list[tuple[int, int]]] = defaultdict(list)
        for op in ops:
            if op.kind in ("fill", "font"):
                painted[(op.kind, op.value)].append(split_address(op.address))
        for (kind, colour), cells in painted.items():
            for address in addresses(cells, "single"):
                target = sheet.range(address)
                if kind == "fill":
                    target.color = colour
                else:
                    target.font.color = colour
        for op in ops:
            if op.kind in ("fill", "font"):
                continue
            cell = sheet.range(op.address)
            if op.kind == "note":
                self.notes_unsupported += not _set_note(cell, str(op.value))
            elif op.kind == "clearnote":
                note = attempt(lambda cell=cell: cell.note, None)
                if note is not None:
                    text = attempt(lambda note=note: note.text, NOTE_PREFIX)  # unreadable: trust the record
                    if isinstance(text, str) and text.startswith(NOTE_PREFIX):
                        note.delete()
            elif op.kind == "link":
                cell.add_hyperlink(f"#{op.value}", op.text, op.tip)
            else:
                raise ValueError(f"unknown format change {op.kind!r}")


def _read_one(cell: Any) -> tuple[Any, Any]:
    colour = attempt(lambda: cell.color, UNKNOWN)
    note = attempt(lambda: cell.note, None)
    if note is None:
        return colour, None
    text = attempt(lambda: note.text, UNKNOWN)
    return colour, text if isinstance(text, str) else UNKNOWN


def _set_note(cell: Any, text: str) -> bool:
    """Write our note (the caller checked that any note there is ours); False if the engine cannot."""
    note = attempt(lambda: cell.note, None)
    if note is not None:
        note.text = text
        return True
    add = getattr(cell, "add_note", None)
    if add is None:
        return False
    try:
        add(text)
    except NotImplementedError:
        return False
    return True
