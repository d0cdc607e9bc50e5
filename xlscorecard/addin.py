"""The Excel add-in's Python side: the ribbon's buttons, run through xlwings' ``RunPython``.

Each public function takes no arguments, finds the analyst's workbook with ``xw.Book.caller()``
and acts on its scorecard sheet: the active sheet when it holds a scorecard header, else the first
other sheet that does (the add-in's own sheets are skipped). A ``rules.toml`` beside the workbook
is loaded when present. Problems with the content raise a ``ScorecardError`` whose message is one
line; under ``RunPython`` only that line reaches xlwings' message box, not a traceback.

    recompute()      RAG ("Green"/"Amber"/"Red", fill colours) and arrows (glyphs, font colour by
                     meaning) written into the sheet's own RAG and travel columns.
    flag_cells()     fill + note on missing, suppressed, stale and odd cells (FLAG_FILLS); what was
                     changed is recorded in the hidden sheet "_xlscorecard". Earlier flags are
                     cleared first. A note of the analyst's is never changed or deleted: ours
                     start with NOTE_PREFIX.
    clear_flags()    undo flag_cells: previous fills restored, only our notes deleted.
    check()          the findings listed on the sheet "Scorecard findings" (replaced on each run),
                     each with a link to its cell.
    export_return()  the formatted return written beside the workbook; returns its path.

Cost in Excel round trips: every xlwings property access or method call is one on desktop Excel,
and the number each function makes does not depend on the size of the sheet (the tests measure
the same count for the 133-row example and a 20,000-row copy). Only k, the sheets tried or named
in the flag record, can add calls.

- Reading: the scorecard sheet is read with ``used_range`` (address: 1 call) and one
  ``.options(ndim=2, err_to_str=True).value`` read of the whole used range. Values come without
  number formats, so the Grid has ``number_formats=None`` and the core infers percent units.
  Finding the sheet costs 2 calls (active sheet and its name) plus, only when the active sheet is
  not a scorecard, a name, an address and a 60-row header read per other sheet (k, never n).
- Values: per column written (RAG, arrows), one ``.formula`` read and one ``.value`` write of the
  block from the first to the last PI row (non-PI rows inside it get their own values back, or
  their formula when they hold one). The flag record and the findings table: one write each.
- Fills, font colours, notes and links: never one call per cell. On desktop Excel they go to the
  add-in's own VBA (macros/XlScorecard.bas, see ``_Formats``), whose loops over the cells run
  inside Excel: ``XlsReadFormats`` returns the fill and note text of a list of cells in one call,
  ``XlsApplyFormats`` applies a batch of (address, kind, value, text, tip) rows in one call.
  recompute: 1 apply (RAG fills and arrow colours, adjacent rows of one colour merged into runs);
  flag_cells: 1 read (the fills to restore later; the notes, as an analyst's is never replaced)
  and 1 apply (fills and notes); clear_flags: 1 read and 1 apply per sheet in the record (fills
  restored only where still ours, only our notes deleted); check: 1 apply (a link per finding).
  If the add-in or its procedures are missing, the function stops with a one-line ScorecardError.
- Fallback, for xlwings' remote engine only (it runs no VBA and sends all its actions in one
  response anyway): the same changes through xlwings' range API, one colour call per colour per
  multi-area address of at most 255 characters and one call per note and per link.
- export_return: the sheet read above and nothing else in Excel; the file is written by the core.

xlwings itself splits reads of more than 4,000,000 cells and writes of more than 100,000 cells into
chunks; the counts above are the calls this module makes.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import xlwings as xw

from xlscorecard import colours as _colours
from xlscorecard import return_workbook
from xlscorecard.addin_build import ADDIN_NAME
from xlscorecard.api import load_settings
from xlscorecard.assessment import Assessment, IndicatorAssessment, assess, rate_cells
from xlscorecard.errors import ScorecardError, WorkbookError
from xlscorecard.findings import Code, Finding, Severity
from xlscorecard.grid import Grid, column_index, column_letter, split_address
from xlscorecard.layout import find_header, read_scorecard
from xlscorecard.rag import Rating
from xlscorecard.scorecard import Scorecard
from xlscorecard.settings import Settings
from xlscorecard.travel import Meaning
from xlscorecard.xlsx_reader import HEADER_SEARCH_ROWS

__all__ = [
    "FINDINGS_SHEET",
    "NOTE_PREFIX",
    "RECORD_SHEET",
    "SCORECARD_RAG",
    "check",
    "clear_flags",
    "export_return",
    "flag_cells",
    "recompute",
]

NOTE_PREFIX = "xlscorecard: "
FINDINGS_SHEET = "Scorecard findings"
RECORD_SHEET = "_xlscorecard"
RULES_FILE = "rules.toml"
TITLE = "xlscorecard"
MAX_ADDRESS = 255  # Excel refuses a Range address string longer than this
OUR_SHEETS = (FINDINGS_SHEET.casefold(), RECORD_SHEET.casefold())
PLATFORM = sys.platform

RGB = tuple[int, int, int]


def _rgb(hex_colour: str) -> RGB:
    text = hex_colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _hex(colour: RGB) -> str:
    return "#{:02X}{:02X}{:02X}".format(*colour)


# DESIGN 5-6 colours, shared with the formatted return.
RAG_FILLS: dict[Rating, RGB] = {Rating(name): _rgb(fill) for name, (fill, _) in _colours.RAG_COLOURS.items()}
ARROW_FONTS: dict[str, RGB] = {name: _rgb(colour) for name, colour in _colours.MEANING_COLOURS.items()}
_CHECK_FILL = "#F8CBAD"
# Codes flag_cells marks, most important first (a cell with several findings takes the first fill).
# Not flagged: rag-disagrees and arrow-disagrees (their cells are what recompute rewrites) and the
# information-only codes (not-rated, benchmark-not-comparable, annual-target-in-year): check lists them.
FLAG_FILLS: dict[Code, RGB] = {
    code: _rgb(_colours.FLAG_STYLES.get(code, {}).get("bg_color", _CHECK_FILL))
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
# The add-in's VBA (macros/XlScorecard.bas) that reads and applies formats in bulk on desktop Excel.
ADDIN_BOOK = ADDIN_NAME
VBA_MODULE = "XlScorecard"
VBA_APPLY = "XlsApplyFormats"
VBA_READ = "XlsReadFormats"
VBA_PROCEDURES: dict[str, tuple[str, ...]] = {
    VBA_APPLY: ("bookName", "sheetName", "items"),
    VBA_READ: ("bookName", "sheetName", "addresses"),
}
NO_COLOUR = -1  # in VBA's colours: no fill (or the automatic font colour); other negatives: unreadable
RECORD_HEADER = ["sheet", "cell", "codes", "flag fill", "previous fill", "note"]
FINDINGS_HEADER = ["Cell", "PI", "Code", "Severity", "Message"]
_UNKNOWN = "?"  # previous fill that the engine could not tell

T = TypeVar("T")


# --------------------------------------------------------------------------- public functions


def recompute() -> str:
    """Write RAG ratings and arrows into the scorecard's own RAG and travel columns."""
    book = xw.Book.caller()
    live = _load(book)
    sc, a = live.scorecard, live.assessment
    if not a.results:
        return _tell(book, f"No performance indicators found on sheet '{sc.sheet}'; nothing recomputed.")
    results = {r.row: r for r in a.results}
    written, missing = [], []
    formats = _Formats(book)
    with _quiet(book):
        ops: list[_Op] = []
        for role, label, render, colour, paint in (
            ("rag", "RAG", _rag_text, _rag_fill, "fill"),
            ("travel", "arrows", lambda r: a.glyph(r) or None, _arrow_font, "font"),
        ):
            letter = sc.columns.get(role)
            if letter is None:
                missing.append(label)
                continue
            column = column_index(letter)
            _write_column(live, column, {row: render(r) for row, r in results.items()})
            ops += [_Op(paint, f"{letter}{row}", colour(r)) for row, r in results.items()]
            written.append(f"{label} in column {letter}")
        formats.apply(live.scorecard.sheet, live.sheet, ops)
    if not written:
        raise WorkbookError(
            f"sheet '{sc.sheet}' has no RAG or direction-of-travel column (headers such as 'RAG' and 'DoT')",
            book.name,
        )
    counts = a.rag_counts()
    message = (
        f"Recomputed {len(results)} indicators on '{sc.sheet}' for {sc.reporting_period}: "
        f"{counts['green']} Green, {counts['amber']} Amber, {counts['red']} Red, {counts['not rated']} not rated "
        f"({'; '.join(written)})."
    )
    if missing:
        message += f" No {' or '.join(missing)} column found, so none written."
    return _tell(book, message)


def flag_cells() -> str:
    """Fill and annotate the cells that need an analyst's attention; replaces earlier flags."""
    book = xw.Book.caller()
    live = _load(book)
    flags = _flags(live.assessment.findings)
    formats = _Formats(book)
    name = live.scorecard.sheet
    with _quiet(book):
        cleared = _clear(book, formats)
        if not flags:
            return _tell(book, f"No cells on '{name}' need flagging." + _cleared_text(cleared))
        record: list[list[Any]] = [RECORD_HEADER]
        ops: list[_Op] = []
        notes_kept = 0
        before = formats.read(name, live.sheet, list(flags))
        for address, flag in flags.items():
            previous, note = before[address]
            ours = note is None or (isinstance(note, str) and note.startswith(NOTE_PREFIX))
            notes_kept += not ours
            ops.append(_Op("fill", address, flag.fill))
            if ours:  # no note yet, or ours left from an earlier run: (re)written
                ops.append(_Op("note", address, flag.note))
            record.append(
                [
                    name,
                    address,
                    ", ".join(flag.codes),
                    _hex(flag.fill),
                    previous if previous in (None, _UNKNOWN) else _hex(_as_rgb(previous)),
                    "added" if ours else "",
                ]
            )
        formats.apply(name, live.sheet, ops)
        if formats.notes_unsupported:
            record = [row if i == 0 else [*row[:-1], ""] for i, row in enumerate(record)]
        _write_record(book, record)
        live.sheet.activate()
    counts: dict[str, int] = defaultdict(int)
    for flag in flags.values():
        for code in flag.codes:
            counts[code] += 1
    detail = ", ".join(f"{n} {code}" for code, n in counts.items())
    message = f"Flagged {_n(len(flags), 'cell')} on '{live.scorecard.sheet}' ({detail})."
    if notes_kept:
        message += f" {_n(notes_kept, 'cell')} already had a note of the analyst's, left unchanged."
    if formats.notes_unsupported:
        message += " This Excel cannot add notes through xlwings; fills only."
    return _tell(book, message + _cleared_text(cleared))


def clear_flags() -> str:
    """Remove exactly what flag_cells added: its fills (restoring the previous ones) and its notes."""
    book = xw.Book.caller()
    with _quiet(book):
        cleared = _clear(book, _Formats(book))
    if cleared is None:
        return _tell(book, "No flags to clear.")
    return _tell(book, f"Cleared the flags on {_n(cleared.cells, 'cell')}." + _cleared_text(cleared, lead=False))


def check() -> str:
    """List every finding on the sheet 'Scorecard findings', each linked to its cell."""
    book = xw.Book.caller()
    live = _load(book)
    findings = live.assessment.findings
    formats = _Formats(book)
    with _quiet(book):
        for sheet in list(book.sheets):
            if sheet.name.casefold() == FINDINGS_SHEET.casefold():
                sheet.delete()
                break
        out = book.sheets.add(FINDINGS_SHEET, after=live.sheet)
        rows: list[list[Any]] = [FINDINGS_HEADER]
        rows += [
            [f.cell or "", f.ref or "", f.code.value, f.severity.value, f.message] for f in findings
        ]
        rows = [[_text_entry(v) for v in row] for row in rows]
        out.range("A1").value = rows
        out.range((1, 1), (1, len(FINDINGS_HEADER))).font.bold = True
        links = [
            _Op("link", f"A{i}", f"{_sheet_reference(f.sheet)}!{f.cell}", f.cell, f"Go to {f.cell} on {f.sheet}")
            for i, f in enumerate(findings, start=2)
            if f.cell
        ]
        formats.apply(FINDINGS_SHEET, out, links)
        out.activate()
    by_severity = {s: sum(f.severity is s for f in findings) for s in Severity}
    summary = ", ".join(f"{n} {s.value}" for s, n in by_severity.items() if n) or "none"
    return _tell(
        book,
        f"{len(findings)} findings on '{live.scorecard.sheet}' for {live.scorecard.reporting_period} "
        f"({summary}), listed on sheet '{FINDINGS_SHEET}'.",
    )


def export_return() -> Path:
    """Write the formatted quarter-on-quarter return beside the workbook; tell and return its path."""
    book = xw.Book.caller()
    source = _saved_path(book)
    live = _load(book, source)
    target = return_workbook.return_path(source, live.scorecard.reporting_period)
    if target.resolve() == source.resolve():
        raise ScorecardError("the return would overwrite the workbook itself; rename the workbook", source)
    path = return_workbook.write_return(live.grid, live.assessment, target)
    _tell(book, f"Return written to {path}")
    return path


@xw.func
def SCORECARD_RAG(value: object, target: object, polarity: object = None) -> str:
    """Cell function: "Green", "Amber", "Red" or "" (not rated) for one value, target and polarity.

    Excel hands numbers without formats: a fraction (0.79) against a percent target ("85%") is
    read as 79%. Runs in Excel on Windows only (xlwings UDFs); importable everywhere.
    """
    result = rate_cells(value, target, polarity)
    return result.rating.value.capitalize() if result.rating else ""


# --------------------------------------------------------------------------- reading


@dataclass
class _Live:
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


def _load(book: Any, source: Path | None = None) -> _Live:
    settings = _settings(book, source)
    sheet, name, raw = _scorecard_sheet(book)
    grid = Grid.from_rows(raw, None, origin="A1", sheet=name)
    scorecard = read_scorecard(grid, file=book.name)
    return _Live(book, sheet, raw, grid, scorecard, assess(scorecard, settings))


def _settings(book: Any, source: Path | None = None) -> Settings:
    folder = source.parent if source is not None else _folder(book)
    if folder is None:
        return Settings()
    rules = folder / RULES_FILE
    return load_settings(rules) if rules.is_file() else Settings()


def _folder(book: Any) -> Path | None:
    """The folder of a workbook saved on a local or network drive; None when unsaved or online."""
    fullname = str(book.fullname or "")
    if "://" in fullname:
        return None
    path = Path(fullname)
    return path.parent if path.is_absolute() else None


def _saved_path(book: Any) -> Path:
    fullname = str(book.fullname or "")
    if "://" in fullname:
        raise ScorecardError(
            "the workbook is stored online; save a copy on a local or network drive to export its return", book.name
        )
    path = Path(fullname)
    if not path.is_absolute():
        raise ScorecardError("the workbook has not been saved yet; save it first to export its return", book.name)
    return path


def _scorecard_sheet(book: Any) -> tuple[Any, str, list[list[Any]]]:
    """The active sheet if it holds a scorecard header, else the first other sheet that does."""
    active = book.sheets.active
    active_name = active.name
    if active_name.casefold() not in OUR_SHEETS:
        raw = _read(active)
        if find_header(Grid.from_rows(raw[:HEADER_SEARCH_ROWS] or [[]])) is not None:
            return active, active_name, raw
    for sheet in book.sheets:
        name = sheet.name
        if name == active_name or name.casefold() in OUR_SHEETS:
            continue
        head = _read(sheet, HEADER_SEARCH_ROWS)
        if find_header(Grid.from_rows(head or [[]])) is not None:
            return sheet, name, _read(sheet)
    raise WorkbookError(
        f"sheet '{active_name}' has no scorecard header row, and no other sheet has one "
        "(expected columns such as PI Ref, Measure, Target and quarters like 'Qu 2 18-19')",
        book.name,
    )


def _read(sheet: Any, max_rows: int | None = None) -> list[list[Any]]:
    """The sheet's used range in one read, padded with blanks so that it starts at A1."""
    used = sheet.used_range
    top, left, bottom, right = _bounds(used.address)
    if max_rows is not None:
        if top > max_rows:
            return []
        bottom = min(bottom, max_rows)
        used = sheet.range((top, left), (bottom, right))
    values = used.options(ndim=2, err_to_str=True).value or [[]]
    padded: list[list[Any]] = [[] for _ in range(top - 1)]
    padded += [[None] * (left - 1) + list(row) for row in values]
    return padded


_ADDRESS = re.compile(r"^\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$", re.I)


def _bounds(address: str) -> tuple[int, int, int, int]:
    """'$A$3:$S$133' -> (3, 1, 133, 19)."""
    m = _ADDRESS.match(address.split("!")[-1])
    if m is None:
        raise WorkbookError(f"unexpected used range address '{address}'")
    top, left = int(m[2]), column_index(m[1])
    if m[3] is None:
        return top, left, top, left
    return top, left, int(m[4]), column_index(m[3])


# --------------------------------------------------------------------------- recompute helpers


def _rag_text(result: IndicatorAssessment) -> str | None:
    return result.rag.rating.value.capitalize() if result.rag.rating else None


def _rag_fill(result: IndicatorAssessment) -> RGB | None:
    return RAG_FILLS[result.rag.rating] if result.rag.rating else None


def _arrow_font(result: IndicatorAssessment) -> RGB:
    meaning = result.travel.meaning
    if meaning is Meaning.IMPROVING:
        return ARROW_FONTS["improving"]
    if meaning is Meaning.WORSENING:
        return ARROW_FONTS["worsening"]
    return ARROW_FONTS["other"]


def _write_column(live: _Live, column: int, new: dict[int, str | None]) -> None:
    """One `.value` write from the first to the last PI row; other rows get their own content back."""
    first, last = min(new), max(new)
    block = live.sheet.range((first, column), (last, column))
    formulas = _formulas(block, last - first + 1)
    values: list[list[Any]] = []
    for i, row in enumerate(range(first, last + 1)):
        if row in new:
            values.append([new[row]])
        elif formulas is not None and isinstance(formulas[i], str) and formulas[i].startswith("="):
            values.append([formulas[i]])
        else:
            value = live.raw_value(row, column)
            values.append([_text_entry(value) if isinstance(value, str) else value])
    block.value = values


def _formulas(block: Any, height: int) -> list[Any] | None:
    """The block's formulas (one read), to give formula cells of non-PI rows back; None if unreadable."""
    formulas = _attempt(lambda: block.formula, None)
    if formulas is None:
        return None
    if isinstance(formulas, str):
        formulas = [[formulas]]
    flat = [row[0] if isinstance(row, list | tuple) else row for row in formulas]
    return flat if len(flat) == height else None


# Text that Excel would retype when written back as a value: formulas, numbers, dates, booleans.
_RETYPED = re.compile(
    r"""^(?:[=+\-@'\d.(£$€]|\s|(?:true|false)\s*$|\#|[a-z]{3,9}[\s\-/.]+\d)""", re.IGNORECASE | re.VERBOSE
)


def _text_entry(text: Any) -> Any:
    """Text written so Excel keeps it as text: a leading apostrophe where it would retype it."""
    if isinstance(text, str) and text and _RETYPED.match(text):
        return "'" + text
    return text


# --------------------------------------------------------------------------- colours


def _address_style(book: Any) -> str:
    """How several areas go into one call: 'ranges' (K7:K9,K13), 'cells' (K7,K8,K9,K13), 'single'.

    xlwings on macOS splits a string address at ':' and so mangles multi-area ranges with more
    than one run; its remote engine takes single areas only.
    """
    engine = _attempt(lambda: book.app.engine.name, "excel")
    if engine == "remote":
        return "single"
    if PLATFORM == "darwin":
        return "cells"
    return "ranges"


def _runs(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(row, column) cells -> (column, first row, last row) runs of adjacent rows."""
    runs: list[tuple[int, int, int]] = []
    for row, column in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        if runs and runs[-1][0] == column and runs[-1][2] == row - 1:
            runs[-1] = (column, runs[-1][1], row)
        else:
            runs.append((column, row, row))
    return runs


def _addresses(cells: Iterable[tuple[int, int]], style: str) -> list[str]:
    """Address strings covering the cells, each at most MAX_ADDRESS characters."""
    parts: list[str] = []
    for column, first, last in _runs(cells):
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


def _paint(sheet: Any, groups: dict[RGB | None, list[tuple[int, int]]], what: str, style: str) -> None:
    """Set fill (what='fill') or font colour (what='font') for each colour's cells in few calls."""
    for colour, cells in groups.items():
        for address in _addresses(cells, style):
            target = sheet.range(address)
            if what == "fill":
                target.color = colour
            else:
                target.font.color = colour


def _as_rgb(colour: Any) -> RGB:
    if isinstance(colour, str):
        return _rgb(colour)
    if isinstance(colour, int):  # Excel's BGR integer
        return colour & 0xFF, (colour >> 8) & 0xFF, (colour >> 16) & 0xFF
    return tuple(int(c) for c in colour)[:3]  # type: ignore[return-value]


# --------------------------------------------------------------------------- flags


@dataclass
class _Flag:
    codes: list[str]
    fill: RGB
    note: str


def _flags(findings: Iterable[Finding]) -> dict[str, _Flag]:
    """Flagged cell address -> its codes, fill (of its most important code) and note text."""
    by_cell: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.cell and f.code in FLAG_FILLS:
            by_cell[f.cell].append(f)
    order = list(FLAG_FILLS)
    flags: dict[str, _Flag] = {}
    for cell, found in sorted(by_cell.items(), key=lambda item: (split_address(item[0])[1], split_address(item[0])[0])):
        found.sort(key=lambda f: order.index(f.code))
        codes = list(dict.fromkeys(f.code.value for f in found))
        note = NOTE_PREFIX + "\n".join(f"{f.code.value}: {f.message}" for f in found)
        flags[cell] = _Flag(codes=codes, fill=FLAG_FILLS[found[0].code], note=note)
    return flags


@dataclass
class _Cleared:
    cells: int = 0
    notes: int = 0
    fills: int = 0
    changed_since: int = 0  # fills left alone because the analyst changed them after flagging
    missing_sheet: int = 0


def _cleared_text(cleared: _Cleared | None, lead: bool = True) -> str:
    if cleared is None:
        return ""
    parts = [] if not lead else [f" Earlier flags on {_n(cleared.cells, 'cell')} were cleared first."]
    if cleared.changed_since:
        parts.append(f" {_n(cleared.changed_since, 'cell')} recoloured since flagging kept the new fill.")
    if cleared.missing_sheet:
        parts.append(f" {_n(cleared.missing_sheet, 'flagged cell')} on a sheet that no longer exists left alone.")
    return "".join(parts)


def _record_sheet(book: Any) -> Any | None:
    for sheet in book.sheets:
        if sheet.name.casefold() == RECORD_SHEET.casefold():
            return sheet
    return None


def _write_record(book: Any, rows: list[list[Any]]) -> None:
    active = book.sheets.active
    record = book.sheets.add(RECORD_SHEET, after=active)
    record.range("A1").value = [[_text_entry(v) for v in row] for row in rows]
    record.visible = False


def _clear(book: Any, formats: _Formats) -> _Cleared | None:
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
    cleared = _Cleared()
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
        ops: list[_Op] = []
        for address, flag_fill, previous, note in cells:
            current, text = now[address]
            if current == _UNKNOWN or (flag_fill and current is not None and _as_rgb(current) == _rgb(str(flag_fill))):
                before = None if previous in (None, "", _UNKNOWN) else _rgb(str(previous))
                ops.append(_Op("fill", address, before))
                cleared.fills += 1
            else:
                cleared.changed_since += 1
            # An engine that cannot read note text (_UNKNOWN): trust the record.
            if note == "added" and (text == _UNKNOWN or (isinstance(text, str) and text.startswith(NOTE_PREFIX))):
                ops.append(_Op("clearnote", address))
                cleared.notes += 1
        formats.apply(sheet_name, sheet, ops)
    record.delete()
    return cleared


# --------------------------------------------------------------------------- formats in bulk


@dataclass
class _Op:
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


class _Formats:
    """Reads and writes of fills, font colours, notes and links: one Excel call per batch.

    Desktop Excel (Windows, macOS): the loops over cells run in VBA inside Excel, in the add-in's
    XlScorecard module (macros/XlScorecard.bas), called through ``App.macro``: XlsReadFormats
    reads every cell's fill and note in one call, XlsApplyFormats applies a whole batch in one
    call. ``Book.macro`` is not used because it looks in the analyst's workbook, not the add-in.

    The fallback, for xlwings' remote engine only (it runs no VBA, and batches every action into
    its one JSON response anyway): the same changes made through xlwings' own range API, with
    fills and fonts merged into multi-area addresses and one call per note and link.
    """

    def __init__(self, book: Any) -> None:
        self.book = book
        self.vba = _use_vba(book)
        self.notes_unsupported = 0

    # -- the two operations ------------------------------------------------------------------
    def read(self, sheet_name: str, sheet: Any, addresses: list[str]) -> dict[str, tuple[Any, Any]]:
        """address -> (fill: RGB, None or _UNKNOWN; note text: str, None for no note, or _UNKNOWN)."""
        if not addresses:
            return {}
        if not self.vba:
            return {address: self._read_one(sheet.range(address)) for address in addresses}
        result = self._run(VBA_READ, self.book.name, sheet_name, [[address] for address in addresses])
        rows = [list(row) if isinstance(row, list | tuple) else [row] for row in (result or [])]
        if len(rows) != len(addresses):
            raise ScorecardError(f"{VBA_MODULE}.{VBA_READ} returned {len(rows)} rows for {len(addresses)} cells")
        out: dict[str, tuple[Any, Any]] = {}
        for address, row in zip(addresses, rows, strict=True):
            colour, note = ([*row, None, None])[:2]
            out[address] = (_from_bgr(colour), note if isinstance(note, str) else None)
        return out

    def apply(self, sheet_name: str, sheet: Any, ops: list[_Op]) -> None:
        """Apply the changes; fills and font colours of adjacent cells merged into runs ("K7:K9")."""
        painted: dict[tuple[str, RGB | None], list[tuple[int, int]]] = defaultdict(list)
        others: list[_Op] = []
        for op in ops:
            if op.kind in ("fill", "font"):
                painted[(op.kind, op.value)].append(split_address(op.address))
            else:
                others.append(op)
        if not self.vba:
            self._apply_fallback(sheet, painted, others)
            return
        rows: list[list[Any]] = []
        for (kind, colour), cells in painted.items():
            rows += [[address, kind, _to_bgr(colour), "", ""] for address in _addresses(cells, "single")]
        rows += [[op.address, op.kind, op.value if op.value is not None else "", op.text, op.tip] for op in others]
        if rows:
            self._run(VBA_APPLY, self.book.name, sheet_name, rows)

    # -- desktop Excel: the add-in's VBA -------------------------------------------------------
    def _run(self, procedure: str, *args: Any) -> Any:
        macro = self.book.app.macro(f"'{ADDIN_BOOK}'!{VBA_MODULE}.{procedure}")
        try:
            return macro(*args)
        except Exception as exc:  # a COM (Windows) or AppleScript (macOS) error
            detail = " ".join(str(exc).split())
            raise ScorecardError(
                f"Excel could not run {VBA_MODULE}.{procedure} of the add-in {ADDIN_BOOK} ({detail}); "
                "rebuild and reinstall it with `xlscorecard addin install`"
            ) from exc

    # -- the fallback: xlwings' range API, per range ---------------------------------------------
    @staticmethod
    def _read_one(cell: Any) -> tuple[Any, Any]:
        colour = _attempt(lambda: cell.color, _UNKNOWN)
        note = _attempt(lambda: cell.note, None)
        if note is None:
            return colour, None
        text = _attempt(lambda: note.text, _UNKNOWN)
        return colour, text if isinstance(text, str) else _UNKNOWN

    def _apply_fallback(
        self, sheet: Any, painted: dict[tuple[str, RGB | None], list[tuple[int, int]]], others: list[_Op]
    ) -> None:
        style = _address_style(self.book)
        for (kind, colour), cells in painted.items():
            _paint(sheet, {colour: cells}, kind, style)
        for op in others:
            cell = sheet.range(op.address)
            if op.kind == "note":
                self.notes_unsupported += not _set_note(cell, str(op.value))
            elif op.kind == "clearnote":
                note = _attempt(lambda cell=cell: cell.note, None)
                if note is not None:
                    text = _attempt(lambda note=note: note.text, NOTE_PREFIX)  # unreadable: trust the record
                    if isinstance(text, str) and text.startswith(NOTE_PREFIX):
                        note.delete()
            elif op.kind == "link":
                cell.add_hyperlink(f"#{op.value}", op.text, op.tip)
            else:
                raise ValueError(f"unknown format change {op.kind!r}")


def _use_vba(book: Any) -> bool:
    """Whether formats go through the add-in's VBA: on desktop Excel, not on the remote engine."""
    return _attempt(lambda: book.app.engine.name, "excel") != "remote"


def _set_note(cell: Any, text: str) -> bool:
    """Write our note (the caller checked that any note there is ours); False if the engine cannot."""
    note = _attempt(lambda: cell.note, None)
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


def _to_bgr(colour: RGB | None) -> int:
    """An RGB colour as Excel's BGR Long; NO_COLOUR for none."""
    if colour is None:
        return NO_COLOUR
    r, g, b = colour
    return r + (g << 8) + (b << 16)


def _from_bgr(value: Any) -> Any:
    """XlsReadFormats' colour: an RGB tuple, None for no fill, _UNKNOWN when Excel could not tell."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _UNKNOWN
    value = int(value)
    if value == NO_COLOUR:
        return None
    if value < 0:
        return _UNKNOWN
    return _as_rgb(value)


# --------------------------------------------------------------------------- small helpers


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _sheet_reference(name: str) -> str:
    """A sheet name as Excel writes it in a reference: 'Q2 2018-19' with quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


def _attempt(get: Callable[[], T], default: T) -> T:
    """A read that some xlwings engines do not support (remote: colours, note text)."""
    try:
        return get()
    except NotImplementedError:
        return default


class _quiet:
    """Screen updating off while writing many cells (one call each way)."""

    def __init__(self, book: Any) -> None:
        self.app = _attempt(lambda: book.app, None)

    def __enter__(self) -> None:
        if self.app is not None:
            _attempt(lambda: setattr(self.app, "screen_updating", False), None)

    def __exit__(self, *exc: object) -> None:
        if self.app is not None:
            _attempt(lambda: setattr(self.app, "screen_updating", True), None)


def _tell(book: Any, message: str) -> str:
    """Show a message box in Excel (xlwings App.alert) and return the message."""
    book.app.alert(message, title=TITLE)
    return message


def _one_line_errors(kind: type[BaseException], error: BaseException, tb: Any) -> None:
    """Under RunPython, a ScorecardError reaches xlwings' message box as its one line, no traceback."""
    if isinstance(error, ScorecardError):
        print(f"{TITLE}: {' '.join(str(error).split())}", file=sys.stderr)
    else:
        _previous_hook(kind, error, tb)


_previous_hook = sys.excepthook
if any(arg.startswith("--from_xl") for arg in sys.argv):  # started by RunPython
    sys.excepthook = _one_line_errors
