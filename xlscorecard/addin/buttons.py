"""The ribbon's buttons: what each does to the analyst's workbook, run through xlwings' ``RunPython``.

Each public function takes no arguments, finds the analyst's workbook with ``xw.Book.caller()``
and acts on its scorecard sheet (see ``live.py``). A problem with the workbook, its rules or
Excel is shown in Excel as one line, never a traceback (see ``oneline.py``).

    recompute()      RAG ("Green"/"Amber"/"Red", fill colours) and arrows (glyphs, font colour by
                     meaning) written into the sheet's own RAG and travel columns.
    flag_cells()     fill + note on missing, suppressed, stale and odd cells (flags.FLAG_FILLS); what
                     was changed is recorded in the hidden sheet "_xlscorecard". Earlier flags are
                     cleared first. A note of the analyst's is never changed or deleted.
    clear_flags()    undo flag_cells: previous fills restored, only our notes deleted.
    check()          the findings listed on the sheet "Scorecard findings" (replaced on each run),
                     each with a link to its cell.
    export_return()  the formatted return written beside the workbook; returns its path.

Cost in Excel calls does not depend on the size of the sheet: one read of the used range (and,
on desktop Excel, one of its number formats), one write per column block, and one call to the
add-in's VBA per batch of fills, font colours, notes and links (formats.py). On xlwings' remote
engine (remote.py) the count of actions is what is constant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import xlwings as xw

from xlscorecard.addin.flags import (
    RECORD_HEADER,
    Formats,
    clear,
    cleared_text,
    flags_of,
    n,
    write_record,
)
from xlscorecard.addin.formats import (
    NOTE_PREFIX,
    RGB,
    UNKNOWN,
    Op,
    VbaFormats,
    as_rgb,
    attempt,
    hex_colour,
    is_remote,
    rgb,
)
from xlscorecard.addin.live import FINDINGS_SHEET, load, saved_path
from xlscorecard.addin.oneline import TITLE, install_hook, is_excel_error, message_for
from xlscorecard.addin.remote import RemoteFormats, check_client
from xlscorecard.addin.writeback import text_entry, write_column
from xlscorecard.core import colours as _colours
from xlscorecard.core.assessment import IndicatorAssessment, rate_cells
from xlscorecard.core.errors import ScorecardError, WorkbookError
from xlscorecard.core.findings import Finding, Severity
from xlscorecard.core.grid import column_index, sheet_reference, split_sheet
from xlscorecard.core.rag import Rating
from xlscorecard.core.travel import Meaning
from xlscorecard.xlsx import return_workbook

R = TypeVar("R")

# DESIGN 5-6 colours, shared with the formatted return.
RAG_FILLS: dict[Rating, RGB] = {Rating(name): rgb(fill) for name, (fill, _) in _colours.RAG_COLOURS.items()}
ARROW_FONTS: dict[str, RGB] = {name: rgb(colour) for name, colour in _colours.MEANING_COLOURS.items()}
FINDINGS_HEADER = ["Cell", "PI", "Code", "Severity", "Message"]


# --------------------------------------------------------------------------- the buttons


def recompute() -> str:
    """Write RAG ratings and arrows into the scorecard's own RAG and travel columns."""
    return _press(_recompute)


def flag_cells() -> str:
    """Fill and annotate the cells that need an analyst's attention; replaces earlier flags."""
    return _press(_flag_cells)


def clear_flags() -> str:
    """Remove exactly what flag_cells added: its fills (restoring the previous ones) and its notes."""
    return _press(_clear_flags)


def check() -> str:
    """List every finding on the sheet 'Scorecard findings', each linked to its cell."""
    return _press(_check)


def export_return() -> Path | str:
    """Write the formatted quarter-on-quarter return beside the workbook; its path (or the error shown)."""
    return _press(_export_return)


def _press(action: Callable[[Any], R]) -> R | str:
    """Run a button on the calling workbook; a problem is shown in Excel as one line and returned."""
    install_hook()
    try:
        book = xw.Book.caller()
    except Exception as exc:
        if isinstance(exc, ScorecardError) or is_excel_error(exc):
            raise ScorecardError(f"xlwings could not reach the workbook: {message_for(exc)}") from exc
        raise
    try:
        check_client(book)
        return action(book)
    except Exception as exc:
        if not (isinstance(exc, ScorecardError) or is_excel_error(exc)):
            raise  # our own bug: the traceback is what to report
        message = message_for(exc)
        book.app.alert(message, title=TITLE)
        return message


# --------------------------------------------------------------------------- what they do


def _formats(book: Any) -> Formats:
    return RemoteFormats(book) if is_remote(book) else VbaFormats(book)


def _recompute(book: Any) -> str:
    live = load(book)
    sc, a = live.scorecard, live.assessment
    if not a.results:
        return _tell(book, f"No performance indicators found on sheet '{sc.sheet}'; nothing recomputed.")
    results = {r.row: r for r in a.results}
    written, missing = [], []
    formats = _formats(book)
    with _quiet(book):
        ops: list[Op] = []
        for role, label, render, colour, paint in (
            ("rag", "RAG", _rag_text, _rag_fill, "fill"),
            ("travel", "arrows", lambda r: a.glyph(r) or None, _arrow_font, "font"),
        ):
            letter = sc.columns.get(role)
            if letter is None:
                missing.append(label)
                continue
            write_column(live, column_index(letter), {row: render(r) for row, r in results.items()})
            ops += [Op(paint, f"{letter}{row}", colour(r)) for row, r in results.items()]
            written.append(f"{label} in column {letter}")
        formats.apply(sc.sheet, live.sheet, ops)
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
    if getattr(formats, "fonts_unsupported", 0):
        message += " Arrow colours are not set on xlwings Server (no bulk font colour there)."
    return _tell(book, message)


def _flag_cells(book: Any) -> str:
    live = load(book)
    flags = flags_of(live.assessment.findings)
    formats = _formats(book)
    name = live.scorecard.sheet
    with _quiet(book):
        cleared = clear(book, formats)
        if not flags:
            return _tell(book, f"No cells on '{name}' need flagging." + cleared_text(cleared))
        record: list[list[Any]] = [RECORD_HEADER]
        ops: list[Op] = []
        notes_kept = 0
        before = formats.read(name, live.sheet, list(flags))
        for address, flag in flags.items():
            previous, note = before[address]
            ours = note is None or (isinstance(note, str) and note.startswith(NOTE_PREFIX))
            notes_kept += not ours
            ops.append(Op("fill", address, flag.fill))
            if ours:  # no note yet, or ours left from an earlier run: (re)written
                ops.append(Op("note", address, flag.note))
            record.append(
                [
                    name,
                    address,
                    ", ".join(flag.codes),
                    hex_colour(flag.fill),
                    previous if previous in (None, UNKNOWN) else hex_colour(as_rgb(previous)),
                    "added" if ours else "",
                ]
            )
        formats.apply(name, live.sheet, ops)
        if formats.notes_unsupported:
            record = [row if i == 0 else [*row[:-1], ""] for i, row in enumerate(record)]
        write_record(book, record)
        live.sheet.activate()
    counts: dict[str, int] = defaultdict(int)
    for flag in flags.values():
        for code in flag.codes:
            counts[code] += 1
    detail = ", ".join(f"{k} {code}" for code, k in counts.items())
    message = f"Flagged {n(len(flags), 'cell')} on '{name}' ({detail})."
    if notes_kept:
        message += f" {n(notes_kept, 'cell')} already had a note of the analyst's, left unchanged."
    if formats.notes_unsupported:
        message += " No notes are added on xlwings Server, fills only: Check lists every reason."
    return _tell(book, message + cleared_text(cleared))


def _clear_flags(book: Any) -> str:
    with _quiet(book):
        cleared = clear(book, _formats(book))
    if cleared is None:
        return _tell(book, "No flags to clear.")
    return _tell(book, f"Cleared the flags on {n(cleared.cells, 'cell')}." + cleared_text(cleared, lead=False))


def _check(book: Any) -> str:
    live = load(book)
    findings = live.assessment.findings
    formats = _formats(book)
    with _quiet(book):
        for sheet in list(book.sheets):
            if sheet.name.casefold() == FINDINGS_SHEET.casefold():
                sheet.delete()
                break
        out = book.sheets.add(FINDINGS_SHEET, after=live.sheet)
        rows: list[list[Any]] = [FINDINGS_HEADER]
        rows += [[f.cell or "", f.ref or "", f.code.value, f.severity.value, f.message] for f in findings]
        rows = [[text_entry(v) for v in row] for row in rows]
        remote = is_remote(book)
        if remote:  # links in the table's one write: no per-link action
            for row, f in zip(rows[1:], findings, strict=True):
                if f.cell:
                    row[0] = hyperlink_formula(_place(f), f.cell)
        out.range("A1").value = rows
        out.range((1, 1), (1, len(FINDINGS_HEADER))).font.bold = True
        links = [
            Op("link", f"A{i}", _place(f), f.cell, "Go to {1} on {0}".format(*_on(f)))
            for i, f in enumerate(findings, start=2)
            if f.cell and not remote
        ]
        formats.apply(FINDINGS_SHEET, out, links)
        out.activate()
    by_severity = {s: sum(f.severity is s for f in findings) for s in Severity}
    summary = ", ".join(f"{k} {s.value}" for s, k in by_severity.items() if k) or "none"
    return _tell(
        book,
        f"{len(findings)} findings on '{live.scorecard.sheet}' for {live.scorecard.reporting_period} "
        f"({summary}), listed on sheet '{FINDINGS_SHEET}'.",
    )


def _export_return(book: Any) -> Path:
    source = saved_path(book)
    live = load(book, source)
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


# --------------------------------------------------------------------------- small helpers


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


def _on(f: Finding) -> tuple[str, str]:
    """(sheet, cell) a finding names: its own tab for a value taken from another tab."""
    assert f.cell is not None
    sheet, address = split_sheet(f.cell)
    return sheet or f.sheet, address


def _place(f: Finding) -> str:
    """Where a finding's link goes: its cell on the scorecard's sheet, or on the other tab it names."""
    assert f.cell is not None
    return f.cell if split_sheet(f.cell)[0] is not None else f"{sheet_reference(f.sheet)}!{f.cell}"


def hyperlink_formula(target: str, shown: str) -> str:
    """=HYPERLINK("#'Sheet'!K13","K13"): a link to a place in this workbook, as a formula we build."""

    def literal(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    return f"=HYPERLINK({literal('#' + target)},{literal(shown)})"


class _quiet:
    """Screen updating off while writing many cells (one call each way)."""

    def __init__(self, book: Any) -> None:
        self.app = attempt(lambda: book.app, None)

    def __enter__(self) -> None:
        if self.app is not None:
            attempt(lambda: setattr(self.app, "screen_updating", False), None)

    def __exit__(self, *exc: object) -> None:
        if self.app is not None:
            attempt(lambda: setattr(self.app, "screen_updating", True), None)


def _tell(book: Any, message: str) -> str:
    """Show a message box in Excel (xlwings App.alert) and return the message."""
    book.app.alert(message, title=TITLE)
    return message
