"""Flag cells and clear flags: which cells get a fill and a note, and the record that undoes them.

What flag_cells changed is recorded on the hidden sheet RECORD_SHEET (cell, codes, our fill, the
fill before, whether we added the note), so clear_flags restores exactly that: fills only where
they are still ours, notes only where they start with NOTE_PREFIX. A note of the analyst's is
never changed or deleted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from xlscorecard.addin.formats import NOTE_PREFIX, RGB, UNKNOWN, Op, as_rgb, rgb
from xlscorecard.addin.live import RECORD_SHEET
from xlscorecard.addin.writeback import text_entry
from xlscorecard.core import colours as _colours
from xlscorecard.core.findings import Code, Finding
from xlscorecard.core.grid import split_address, split_sheet

RECORD_HEADER = ["sheet", "cell", "codes", "flag fill", "previous fill", "note"]
_CHECK_FILL = "#F8CBAD"
# Codes flag_cells marks, most important first (a cell with several findings takes the first fill).
# Not flagged: rag-disagrees and arrow-disagrees (their cells are what recompute rewrites) and the
# information-only codes (not-rated, benchmark-not-comparable, annual-target-in-year): check lists them.
FLAG_FILLS: dict[Code, RGB] = {
    code: rgb(_colours.FLAG_STYLES.get(code, {}).get("bg_color", _CHECK_FILL))
    for code in (
        Code.EXCEL_ERROR,
        Code.UNPARSED_VALUE,
        Code.LOOKS_LIKE_FORMULA,
        Code.DUPLICATE_PI,
        Code.UNPARSED_TARGET,
        Code.UNPARSED_POLARITY,
        Code.POLARITY_CONFLICT,
        Code.UNIT_MISMATCH,
        Code.MISSING,
        Code.STALE,
        Code.SUPPRESSED,
    )
}


class Formats(Protocol):
    notes_unsupported: int

    def read(self, sheet_name: str, sheet: Any, cells: list[str]) -> dict[str, tuple[Any, Any]]: ...

    def apply(self, sheet_name: str, sheet: Any, ops: list[Op]) -> None: ...


@dataclass
class Flag:
    codes: list[str]
    fill: RGB
    note: str


def flags_of(findings: Iterable[Finding]) -> dict[str, Flag]:
    """Flagged cell address -> its codes, fill (of its most important code) and note text."""
    by_cell: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.cell and f.code in FLAG_FILLS and split_sheet(f.cell)[0] is None:  # cells of the scorecard's sheet
            by_cell[f.cell].append(f)
    order = list(FLAG_FILLS)
    flags: dict[str, Flag] = {}
    for cell, found in sorted(by_cell.items(), key=lambda item: (split_address(item[0])[1], split_address(item[0])[0])):
        found.sort(key=lambda f: order.index(f.code))
        codes = list(dict.fromkeys(f.code.value for f in found))
        note = NOTE_PREFIX + "\n".join(f"{f.code.value}: {f.message}" for f in found)
        flags[cell] = Flag(codes=codes, fill=FLAG_FILLS[found[0].code], note=note)
    return flags


@dataclass
class Cleared:
    cells: int = 0
    notes: int = 0
    fills: int = 0
    changed_since: int = 0  # fills left alone because the analyst changed them after flagging
    missing_sheet: int = 0


def n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def cleared_text(cleared: Cleared | None, lead: bool = True) -> str:
    if cleared is None:
        return ""
    parts = [] if not lead else [f" Earlier flags on {n(cleared.cells, 'cell')} were cleared first."]
    if cleared.changed_since:
        parts.append(f" {n(cleared.changed_since, 'cell')} recoloured since flagging kept the new fill.")
    if cleared.missing_sheet:
        parts.append(f" {n(cleared.missing_sheet, 'flagged cell')} on a sheet that no longer exists left alone.")
    return "".join(parts)


def _record_sheet(book: Any) -> Any | None:
    for sheet in book.sheets:
        if sheet.name.casefold() == RECORD_SHEET.casefold():
            return sheet
    return None


def write_record(book: Any, rows: list[list[Any]], hide: bool = True) -> None:
    active = book.sheets.active
    record = book.sheets.add(RECORD_SHEET, after=active)
    record.range("A1").value = [[text_entry(v) for v in row] for row in rows]
    if hide:
        record.visible = False


def clear(book: Any, formats: Formats) -> Cleared | None:
    """Undo the flags in the record sheet and delete it; None when there is no record.

    Per sheet named in the record (the scorecard's, in practice): one read of the recorded cells'
    fills and notes, then one batch that restores the fills still ours and deletes our notes.
    """
    record = _record_sheet(book)
    if record is None:
        return None
    rows = record.used_range.options(ndim=2).value or []
    if rows and rows[0][: len(RECORD_HEADER)] == RECORD_HEADER:
        rows = rows[1:]
    sheets = {sheet.name: sheet for sheet in book.sheets}
    cleared = Cleared()
    recorded: dict[str, list[tuple[str, Any, Any, Any]]] = defaultdict(list)
    for row in rows:
        row = [*list(row), *[None] * len(RECORD_HEADER)][: len(RECORD_HEADER)]
        sheet_name, address, _, flag_fill, previous, note = row
        if not sheet_name or not address:
            continue
        if str(sheet_name) not in sheets:
            cleared.missing_sheet += 1
            continue
        cleared.cells += 1
        recorded[str(sheet_name)].append((str(address), flag_fill, previous, note))
    for sheet_name, cells in recorded.items():
        sheet = sheets[sheet_name]
        now = formats.read(sheet_name, sheet, [address for address, *_ in cells])
        ops: list[Op] = []
        for address, flag_fill, previous, note in cells:
            current, text = now[address]
            if current == UNKNOWN or (flag_fill and current is not None and as_rgb(current) == rgb(str(flag_fill))):
                before = None if previous in (None, "", UNKNOWN) else rgb(str(previous))
                ops.append(Op("fill", address, before))
                cleared.fills += 1
            else:
                cleared.changed_since += 1
            # An engine that cannot read note text (UNKNOWN): trust the record.
            if note == "added" and (text == UNKNOWN or (isinstance(text, str) and text.startswith(NOTE_PREFIX))):
                ops.append(Op("clearnote", address))
                cleared.notes += 1
        formats.apply(sheet_name, sheet, ops)
    record.delete()
    return cleared
