"""Tests for xlscorecard.addin, the Python side of the Excel ribbon.

There is no Excel here, so every function runs against `xlwings_standin`, a recording stand-in for
the part of the xlwings API the add-in uses, loaded from the example workbook with values only
(no number formats), as Excel hands them to xlwings. `xlwings.Book.caller` is monkeypatched to
return it. With XLWINGS_LICENSE_KEY set, the last tests run the same functions on xlwings' own
remote engine (`xw.Book(json=...)`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from conftest import EXAMPLE, EXAMPLE_SHEET
from xlwings_standin import (
    BAS_PATH,
    Cell,
    StandinBook,
    StandinError,
    a1,
    parse_address,
    typed_entry,
    vba_procedures,
)

from xlscorecard import addin
from xlscorecard.addin import buttons, formats, oneline, writeback
from xlscorecard.addin import live as addin_live
from xlscorecard.api import convert_file, load_scorecard
from xlscorecard.core.assessment import Assessment
from xlscorecard.core.errors import WorkbookError
from xlscorecard.core.findings import Code
from xlscorecard.core.rag import Rating

SHEET = EXAMPLE_SHEET
FUNCTIONS: dict[str, Callable[[], Any]] = {
    "recompute": addin.recompute,
    "flag_cells": addin.flag_cells,
    "clear_flags": addin.clear_flags,
    "check": addin.check,
    "export_return": addin.export_return,
}
EMPTY = Cell().state()
VALUE_OPS = ("value.get", "value.set", "formula.get", "used_range")
AMBER, RED, GREEN = (addin.RAG_FILLS[r] for r in (Rating.AMBER, Rating.RED, Rating.GREEN))


# ----------------------------------------------------------------------------- fixtures


def example_book(folder: Path, active: str = SHEET, mac: bool = False) -> StandinBook:
    return StandinBook.from_xlsx(EXAMPLE, fullname=folder / EXAMPLE.name, active=active, mac=mac)


@pytest.fixture(params=["vba", "remote"])
def book(tmp_path: Path, request: pytest.FixtureRequest) -> StandinBook:
    """The example; formats through the add-in's VBA (desktop Excel) or as on xlwings' remote engine."""
    book = example_book(tmp_path)
    if request.param == "remote":
        book.app.engine.name = "remote"
    return book


def is_remote(book: StandinBook) -> bool:
    """xlwings Server: fills in bulk, but no bulk font colours or notes, and fills cannot be read back."""
    return book.app.engine.name == "remote"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Callable[[Any, Callable[[], Any]], Any]:
    """Run an add-in function with `xw.Book.caller()` returning the given book."""

    def run(book: Any, function: Callable[[], Any]) -> Any:
        monkeypatch.setattr(xw.Book, "caller", lambda: book)
        return function()

    return run


@pytest.fixture(scope="module")
def pi_rows() -> dict[int, str]:
    """Sheet row -> PI ref of the example, from the file path of the core (with number formats)."""
    return {ind.row: ind.ref for ind in load_scorecard(EXAMPLE).indicators}


@pytest.fixture(scope="module")
def big_template(tmp_path_factory: pytest.TempPathFactory, pi_rows: dict[int, str]) -> StandinBook:
    """The example's scorecard sheet grown past 20,000 rows by repeating its body with new PI refs."""
    folder = tmp_path_factory.mktemp("big")
    source = example_book(folder)
    sheet = source._sheet(SHEET)
    header_row = 5
    last = max(r for r, _ in sheet.cells)
    body = {rc: cell for rc, cell in sheet.cells.items() if rc[0] > header_row}
    height = last - header_row
    cells = {rc: cell for rc, cell in sheet.cells.items() if rc[0] <= header_row}
    copies = 0
    while header_row + copies * height < 20_000:
        for (r, c), cell in body.items():
            new = copy.copy(cell)
            if c == 1 and r in pi_rows:
                new.value = f"{copies + 1}.{pi_rows[r]}"
            cells[(r + copies * height, c)] = new
        copies += 1
    sheet.cells = cells
    source.name = "big.xlsx"
    source.fullname = str(folder / "big.xlsx")
    return source


def fresh(template: StandinBook, folder: Path) -> StandinBook:
    book = copy.deepcopy(template)
    book.fullname = str(folder / Path(template.fullname).name)
    book.calls.clear()
    book.app.alerts.clear()
    return book


def changed(before: dict, after: dict) -> set[tuple[str, str]]:
    return {key for key in before.keys() | after.keys() if before.get(key, EMPTY) != after.get(key, EMPTY)}


def state(book: StandinBook, address: str, sheet: str = SHEET) -> Cell:
    return book.cell(sheet, address)


# ----------------------------------------------------------------------------- reading


def test_addin_defines_the_five_ribbon_functions_without_arguments() -> None:
    import inspect

    for name, function in FUNCTIONS.items():
        assert getattr(addin, name) is function
        assert not inspect.signature(function).parameters, name


def test_live_values_give_the_same_scorecard_as_the_file(
    book: StandinBook, example_assessment: Assessment
) -> None:
    live = addin_live.load(book)
    # Desktop Excel hands number formats over through the add-in's VBA; the remote engine none.
    assert (live.grid.number_formats is None) == (book.app.engine.name == "remote")
    assert live.sheet.name == SHEET
    sc = live.scorecard
    # A percentage indicator's fractions come out in percent: K9 holds 0.32, shown as 32%.
    assert book.cell(SHEET, "K9").value == 0.32
    obs = sc.indicator("1.3").values["Qu 2 18-19"]
    assert (obs.number, obs.unit, obs.cell) == (32.0, "%", "K9")
    assert sc.indicator("1.6").target.value == 85.0 and sc.indicator("1.6").target.unit == "%"
    assert sc.indicator("1.10").values["Qu 2 18-19"].number == 74.0
    assert sc.indicator("4.6").values["Qu 2 18-19"].number == 128.0  # counts stay counts
    # Every rating, arrow and finding equals the file path's, which knows the number formats.
    assert [f.model_dump() for f in live.assessment.findings] == [f.model_dump() for f in example_assessment.findings]
    file_results = {r.row: r for r in example_assessment.results}
    assert len(live.assessment.results) == len(file_results) == 104
    for r in live.assessment.results:
        f = file_results[r.row]
        assert (r.rag.rating, r.travel.direction, r.travel.meaning) == (
            f.rag.rating, f.travel.direction, f.travel.meaning
        )


def shown(book: Any) -> str:
    """The one message the last button showed in Excel: one line, starting "xlscorecard: "."""
    message = book.app.alerts[-1]["prompt"]
    assert "\n" not in message and "Traceback" not in message
    return message


def test_a_sheet_without_a_scorecard_header_is_one_line_in_excel(tmp_path: Path, run) -> None:
    blank = StandinBook(name="Book2", fullname=tmp_path / "Book2.xlsx")
    blank.new_sheet("Sheet1")
    notes = blank.new_sheet("Notes")
    notes.cells[(1, 1)] = Cell(value="Some notes, no scorecard")
    for name, function in FUNCTIONS.items():
        if name == "clear_flags":
            continue  # needs no scorecard: nothing to clear
        before = blank.snapshot()
        returned = run(blank, function)
        message = shown(blank)
        assert returned == message
        assert message.startswith("xlscorecard: Book2: sheet 'Sheet1' has no scorecard header"), name
        assert blank.snapshot() == before and blank.sheet_names == ["Sheet1", "Notes"]
    assert run(blank, addin.clear_flags) == "No flags to clear."


def test_the_scorecard_sheet_is_found_when_another_sheet_is_active(tmp_path: Path, run) -> None:
    book = example_book(tmp_path, active="Contents")
    run(book, addin.recompute)
    assert state(book, "O50").value == "Amber"
    assert state(book, "A1", "Contents").value == "Children's Services Scorecard"


def test_run_python_errors_reach_the_message_box_as_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        raise WorkbookError("sheet 'Sheet1' has no scorecard header row\n(expected ...)", "Book2")
    except WorkbookError as exc:
        oneline.one_line_errors(type(exc), exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert err == "xlscorecard: Book2: sheet 'Sheet1' has no scorecard header row (expected ...)\n"


# ----------------------------------------------------------------------------- recompute


def test_recompute_writes_rag_text_fills_and_arrow_colours(book: StandinBook, run) -> None:
    fonts_before = [state(book, f"P{r}").font_color for r in range(7, 134)]
    message = run(book, addin.recompute)
    assert state(book, "O50").value == "Amber" and state(book, "O50").color == AMBER  # 4.6: 128 vs 121, low
    assert state(book, "O16").value == "Red" and state(book, "O16").color == RED  # 1.10: 74% vs 90%
    assert state(book, "O17").value == "Green" and state(book, "O17").color == GREEN  # 1.11: 277 in 260-300
    assert state(book, "O12").value == "Amber"  # 1.6: 79% vs 85%
    assert state(book, "O33").value == "Red"  # 2.7: 7% vs <5%, polarity inferred
    assert state(book, "O9").value is None and state(book, "O9").color is None  # 1.3: no target
    assert state(book, "P25").value == "↑" and state(book, "P9").value == "↑"
    assert state(book, "P16").value == "→"  # 1.10: 74% both quarters
    assert state(book, "P13").value is None  # 1.7: suppressed, not comparable
    assert message.startswith("Recomputed 104 indicators") and book.app.alerts[-1]["prompt"] == message
    if is_remote(book):
        assert [state(book, f"P{r}").font_color for r in range(7, 134)] == fonts_before
        assert "Arrow colours are not set on xlwings Server" in message
        return
    # 1.17: 23 -> 24, low is good: up and worsening
    assert state(book, "P25").font_color == addin.ARROW_FONTS["worsening"]
    assert state(book, "P9").font_color == addin.ARROW_FONTS["other"]
    improving = [r for r in range(7, 134) if state(book, f"P{r}").font_color == addin.ARROW_FONTS["improving"]]
    assert improving and all(state(book, f"P{r}").value in ("↑", "↓") for r in improving)


def test_recompute_changes_only_the_rag_and_arrow_cells_of_pi_rows(
    book: StandinBook, run, pi_rows: dict[int, str], example_assessment: Assessment
) -> None:
    before = book.snapshot()
    run(book, addin.recompute)
    after = book.snapshot()
    expected = dict(before)
    glyphs = {"up": "↑", "down": "↓", "same": "→"}
    for result in example_assessment.results:
        rag = (result.rag.rating.value.capitalize(), addin.RAG_FILLS[result.rag.rating]) if result.rag.rating else (
            None, None)
        meaning = result.travel.meaning.value if result.travel.meaning else None
        font = addin.ARROW_FONTS[meaning if meaning in ("improving", "worsening") else "other"]
        arrow = glyphs[result.travel.direction.value] if result.travel.direction else None
        for column, value, fill, font_colour in (("O", rag[0], rag[1], None), ("P", arrow, None, font)):
            key = (SHEET, f"{column}{result.row}")
            old = list(before.get(key, EMPTY))
            old[0], old[1] = value, None
            if column == "O":
                old[2] = fill
            elif not is_remote(book):
                old[3] = font_colour
            expected[key] = tuple(old)
    expected = {k: v for k, v in expected.items() if v != EMPTY}
    assert after == expected
    assert {cell for _, cell in changed(before, after)} <= {f"{c}{r}" for r in pi_rows for c in "OP"}
    assert book.sheet_names == ["Contents", SHEET]


def test_recompute_gives_other_rows_of_the_block_their_own_content_back(book: StandinBook, run) -> None:
    # Inside the block from the first to the last PI row, the only other rows with anything in the RAG
    # and arrow columns are the repeated header rows (the core reads any other such row as a PI).
    sheet = book._sheet(SHEET)
    sheet.cells[(21, 15)].formula = '="RAG"'  # O21: a repeated header written as a formula
    sheet.cells[(37, 16)].value = "DoT"  # P37
    before = book.snapshot()
    run(book, addin.recompute)
    after = book.snapshot()
    for address in ("O21", "P21", "O37", "P37", "O53", "P53", "O60", "P60"):
        assert after.get((SHEET, address)) == before.get((SHEET, address)), address
    assert state(book, "O21").formula == '="RAG"' and state(book, "O37").value == "RAG"
    written = [c for c in book.calls if c.op == "value.set"]
    assert [c.address for c in written] == ["$O$7:$O$133", "$P$7:$P$133"]


def test_recompute_twice_changes_nothing_more(book: StandinBook, run) -> None:
    run(book, addin.recompute)
    once = book.snapshot()
    run(book, addin.recompute)
    assert book.snapshot() == once


def test_rules_toml_beside_the_workbook_is_loaded(book: StandinBook, run, tmp_path: Path) -> None:
    (tmp_path / "rules.toml").write_text("tolerance = 1.0\n", encoding="utf-8")
    run(book, addin.recompute)
    assert state(book, "O50").value == "Red"  # 128 vs 121 misses by 5.8%: beyond a 1% tolerance
    (tmp_path / "rules.toml").write_text("tolerance = -3\n", encoding="utf-8")
    before = book.snapshot()
    run(book, addin.recompute)
    assert shown(book).startswith("xlscorecard: ") and "rules.toml" in shown(book)
    assert book.snapshot() == before


# ----------------------------------------------------------------------------- flags


FLAGGED_CODES = {c.value for c in addin.FLAG_FILLS}


def expected_flags(book: StandinBook) -> dict[str, list[str]]:
    live = addin_live.load(copy.deepcopy(book))
    out: dict[str, list[str]] = {}
    for f in live.assessment.findings:
        if f.cell and f.code.value in FLAGGED_CODES:
            out.setdefault(f.cell, []).append(f.code.value)
    return out


def test_flag_cells_fills_and_annotates_the_cells_with_findings(book: StandinBook, run) -> None:
    sheet = book._sheet(SHEET)
    sheet.cells[(23, 11)].note = "Checked with the team: suppressed on purpose"  # K23 (1.15), an analyst's note
    before = book.snapshot()
    flagged = expected_flags(book)
    message = run(book, addin.flag_cells)
    after = book.snapshot()

    k13 = state(book, "K13")  # 1.7 Q2: 'Supressed'
    k38 = state(book, "K38")  # 2.10 Q2: blank
    assert k13.color == addin.FLAG_FILLS[Code.SUPPRESSED] and k38.color == addin.FLAG_FILLS[Code.MISSING]
    if is_remote(book):
        assert k13.note is None and k38.note is None and "No notes are added on xlwings Server" in message
    else:
        assert k13.note.startswith(addin.NOTE_PREFIX) and "suppressed" in k13.note
        assert k38.note.startswith(addin.NOTE_PREFIX + "missing")
    assert state(book, "J38").color == addin.FLAG_FILLS[Code.STALE]  # 2.10 rated on its Q1 value
    assert state(book, "K23").note == "Checked with the team: suppressed on purpose"
    assert state(book, "K23").color == addin.FLAG_FILLS[Code.SUPPRESSED]
    assert {"K13", "K38", "J38", "K23", "K64", "K65", "K66"} <= set(flagged)

    scorecard_changes = {cell for sheet_name, cell in changed(before, after) if sheet_name == SHEET}
    assert scorecard_changes == set(flagged)
    for cell in flagged:
        b, a = before.get((SHEET, cell), EMPTY), after[(SHEET, cell)]
        assert a[:2] == b[:2] and a[3:5] == b[3:5] and a[6] == b[6]  # value, formula, font, link kept
    assert book.sheet_names == ["Contents", SHEET, addin.RECORD_SHEET]
    assert not book._sheet(addin.RECORD_SHEET)._visible
    assert book._active is book._sheet(SHEET)
    assert message.startswith(f"Flagged {len(flagged)} cells") and "1 cell already had a note" in message


def test_clear_flags_restores_fills_and_removes_only_our_notes(book: StandinBook, run) -> None:
    sheet = book._sheet(SHEET)
    sheet.cells[(23, 11)].note = "Checked with the team"  # K23: the analyst's note on a flagged cell
    sheet.cells[(38, 11)] = Cell(color=(255, 255, 0))  # K38: the analyst's own fill on a flagged cell
    sheet.cells[(9, 2)].note = "Measure defined by DfE"  # B9: a note elsewhere
    before = book.snapshot()
    run(book, addin.flag_cells)
    assert state(book, "K38").color == addin.FLAG_FILLS[Code.MISSING]
    message = run(book, addin.clear_flags)
    if is_remote(book):  # the remote engine cannot read a fill, so the analyst's yellow is not known
        assert state(book, "K38").color is None
        sheet.cells[(38, 11)].color = (255, 255, 0)
    assert book.snapshot() == before
    assert state(book, "K38").color == (255, 255, 0) and state(book, "K23").note == "Checked with the team"
    assert state(book, "K13").note is None and state(book, "K13").color is None
    assert book.sheet_names == ["Contents", SHEET]
    assert message.startswith("Cleared ")


def test_flagging_again_replaces_the_earlier_flags(book: StandinBook, run) -> None:
    before = book.snapshot()
    run(book, addin.flag_cells)
    once = book.snapshot()
    message = run(book, addin.flag_cells)
    assert book.snapshot() == once
    assert book.sheet_names.count(addin.RECORD_SHEET) == 1
    assert "Earlier flags on" in message
    run(book, addin.clear_flags)
    assert book.snapshot() == before


def test_clear_flags_keeps_what_the_analyst_changed_after_flagging(book: StandinBook, run) -> None:
    if is_remote(book):
        pytest.skip("xlwings' remote engine cannot read a fill back, so a recoloured cell is not told apart")
    run(book, addin.flag_cells)
    book._sheet(SHEET).cells[(13, 11)].color = (0, 176, 240)  # K13 recoloured by hand
    book._sheet(SHEET).cells[(38, 11)].note = "Figure due on Friday"  # our note on K38 rewritten
    message = run(book, addin.clear_flags)
    assert state(book, "K13").color == (0, 176, 240)
    assert state(book, "K38").note == "Figure due on Friday" and state(book, "K38").color is None
    assert "1 cell recoloured since flagging" in message


def test_clear_flags_with_nothing_flagged_changes_nothing(book: StandinBook, run) -> None:
    before = book.snapshot()
    assert run(book, addin.clear_flags) == "No flags to clear."
    assert book.snapshot() == before


def test_flags_on_macos_use_addresses_without_colons(tmp_path: Path, run) -> None:
    # xlwings on macOS cuts "K38:K39,K64:K66" at its colons; the stand-in does the same. The VBA
    # path hands addresses to Excel's own Range(), which xlwings does not parse: no trap there.
    mac = example_book(tmp_path, mac=True)
    flagged = expected_flags(mac)
    run(mac, addin.flag_cells)
    assert all(state(mac, cell).color is not None for cell in flagged)
    assert mac.calls.count("color.set") == 0 and mac.calls.count("macro") == 3


def test_formats_go_through_the_addins_vba_in_one_call_per_batch(tmp_path: Path, run) -> None:
    book = example_book(tmp_path)
    run(book, addin.flag_cells)
    macros = [c for c in book.calls if c.op == "macro"]
    prefix = f"'{addin.ADDIN_BOOK}'!{addin.VBA_MODULE}."
    assert [c.address for c in macros] == [
        prefix + addin.VBA_READ_CELL_FORMATS, prefix + addin.VBA_READ, prefix + addin.VBA_APPLY
    ]
    flagged = len(expected_flags(example_book(tmp_path)))
    assert macros[1].items == flagged and macros[2].items > flagged  # fills (runs) and notes
    # No per-cell call of any kind: no colour or note calls, one range lookup (the record's A1).
    ops = book.calls.ops()
    assert not {"color.get", "color.set", "note.get", "note.add", "note.text.get"} & set(ops)
    assert ops["range"] == 1


def test_a_missing_addin_procedure_is_a_one_line_error(tmp_path: Path, run) -> None:
    book = example_book(tmp_path)
    book.app.addins.clear()  # the workbook runs with an older add-in, or none
    before = book.snapshot()
    run(book, addin.recompute)
    message = shown(book)
    assert "XlScorecard.XlsReadCellFormats" in message and "addin install" in message
    assert book.snapshot() == before


def test_book_macro_would_look_in_the_analysts_workbook(tmp_path: Path) -> None:
    # xlwings' Book.macro prefixes the workbook's own name; the VBA is in the add-in.
    book = example_book(tmp_path)
    with pytest.raises(StandinError, match="Cannot run the macro"):
        book.macro(f"{addin.VBA_MODULE}.{addin.VBA_READ}")(book.name, SHEET, [["K13"]])
    read = book.app.macro(f"'{addin.ADDIN_BOOK}'!{addin.VBA_MODULE}.{addin.VBA_READ}")
    assert read(book.name, SHEET, [["K13"], ["B9"]]) == ((-1, None), (-1, None))


def test_vba_procedures_python_calls_exist_in_the_bas_with_their_parameters() -> None:
    source = BAS_PATH.read_text("ascii")
    declared = vba_procedures(source)
    assert re.search(rf'^Attribute VB_Name = "{addin.VBA_MODULE}"', source, re.M)
    assert addin.ADDIN_BOOK == "xlscorecard.xlam"
    for name, params in addin.VBA_PROCEDURES.items():
        assert name in declared, name
        assert declared[name] == list(params), name
        assert re.search(rf"^Public Function {name}\(", source.replace(" _\r\n", " ").replace(" _\n", " "), re.M)
    # Python's note prefix is the one the VBA checks before touching a note.
    assert f'Private Const NOTE_PREFIX As String = "{addin.NOTE_PREFIX}"' in source
    assert re.search(rf"Private Const NO_COLOUR As Long = {addin.NO_COLOUR}\b", source)
    # Every kind of change Python sends is one the VBA handles.
    kinds = set(re.findall(r'^\s*Case "(\w+)"', source, re.M))
    assert {"fill", "font", "note", "clearnote", "link"} <= kinds
    sent = set(re.findall(r'\bOp\(\s*"(\w+)"', Path(buttons.__file__).read_text("utf-8")))
    assert sent and sent | {"font"} <= kinds


# ----------------------------------------------------------------------------- check


def test_check_lists_every_finding_with_a_link_to_its_cell(book: StandinBook, run) -> None:
    scorecard_before = {k: v for k, v in book.snapshot().items() if k[0] == SHEET}
    findings = addin_live.load(copy.deepcopy(book)).assessment.findings
    message = run(book, addin.check)
    assert book.sheet_names == ["Contents", SHEET, addin.FINDINGS_SHEET]
    out = book._sheet(addin.FINDINGS_SHEET)
    rows = max(r for r, _ in out.cells)
    assert rows == len(findings) + 1  # a header row, then one row per finding
    assert [out.cells[(1, c)].value for c in range(1, 6)] == addin.FINDINGS_HEADER
    for i, f in enumerate(findings, start=2):
        cell = out.cells[(i, 1)]
        assert out.cells[(i, 3)].value == f.code.value and out.cells[(i, 5)].value == f.message
        assert (out.cells.get((i, 2)) or Cell()).value == f.ref
        if f.cell and is_remote(book):  # the link is a formula in the table's one write
            assert cell.formula == f'=HYPERLINK("#\'{SHEET}\'!{f.cell}","{f.cell}")' and cell.hyperlink is None
        elif f.cell:
            assert cell.value == f.cell and cell.hyperlink == f"#'{SHEET}'!{f.cell}"
            target = parse_address(cell.hyperlink.split("!")[1])[0]
            assert a1(target[0], target[1]) == f.cell
    assert {k: v for k, v in book.snapshot().items() if k[0] == SHEET} == scorecard_before
    assert book._active is out
    assert message.startswith(f"{len(findings)} findings")
    formulas = [c.formula for (_, column), c in out.cells.items() if c.formula]
    assert len(formulas) == (sum(1 for f in findings if f.cell) if is_remote(book) else 0)
    assert all(f.startswith('=HYPERLINK("#') for f in formulas)


def test_check_again_replaces_the_findings_sheet(book: StandinBook, run) -> None:
    run(book, addin.check)
    first = book._sheet(addin.FINDINGS_SHEET).cells
    rows = max(r for r, _ in first)
    run(book, addin.check)
    assert book.sheet_names == ["Contents", SHEET, addin.FINDINGS_SHEET]
    second = book._sheet(addin.FINDINGS_SHEET).cells
    assert max(r for r, _ in second) == rows
    assert {k: c.state() for k, c in second.items()} == {k: c.state() for k, c in first.items()}
    run(book, addin.recompute)  # works with the findings sheet active
    assert state(book, "O50").value == "Amber"


def test_findings_text_is_written_as_text(book: StandinBook, run) -> None:
    book._sheet(SHEET).cells[(7, 17)] = Cell(value="=HYPERLINK(\"http://x\")")  # Q7, a comment that looks
    findings = addin_live.load(copy.deepcopy(book)).assessment.findings
    assert any(f.code is Code.LOOKS_LIKE_FORMULA for f in findings)
    run(book, addin.check)
    out = book._sheet(addin.FINDINGS_SHEET)
    assert not any(c.formula for (_, column), c in out.cells.items() if column > 1)
    assert all(c.formula.startswith('=HYPERLINK("#') for c in out.cells.values() if c.formula)
    refs = [(out.cells.get((i, 2)) or Cell()).value for i in range(2, len(findings) + 2)]
    assert refs == [f.ref for f in findings]  # PI refs such as "1.7" stay text, not numbers
    assert "1.7" in refs


# ----------------------------------------------------------------------------- export


def test_export_return_writes_the_return_beside_the_workbook(book: StandinBook, run, tmp_path: Path) -> None:
    before = book.snapshot()
    path = run(book, addin.export_return)
    assert path == tmp_path / "scorecard_q2_2018-19 - Qu 2 18-19 return.xlsx"
    assert path.is_file() and path.parent == Path(book.fullname).parent
    wb = openpyxl.load_workbook(path)
    assert "Scorecard" in wb.sheetnames
    assert str(path) in book.app.alerts[-1]["prompt"]
    assert book.snapshot() == before
    # The same ratings and arrows as the command line's convert of the file.
    reference = openpyxl.load_workbook(convert_file(EXAMPLE, tmp_path / "from-file.xlsx"))["Scorecard"]
    ours = wb["Scorecard"]
    assert [[c.value for c in row[14:16]] for row in ours.iter_rows()] == [
        [c.value for c in row[14:16]] for row in reference.iter_rows()
    ]


def test_export_return_needs_a_saved_workbook(run) -> None:
    unsaved = StandinBook.from_xlsx(EXAMPLE, fullname="Book1", active=SHEET)
    run(unsaved, addin.export_return)
    assert "not been saved" in shown(unsaved)
    online = StandinBook.from_xlsx(EXAMPLE, fullname="https://x.sharepoint.com/s/Book1.xlsx", active=SHEET)
    run(online, addin.export_return)
    assert "stored online" in shown(online)


def test_a_workbook_on_onedrive_gives_one_line_not_xlwings_traceback(tmp_path: Path, run) -> None:
    # On Windows xlwings maps an online workbook's URL to its synced folder when it reads the full
    # name, and raises its own error when it cannot: the buttons still work, or say why in one line.
    book = example_book(tmp_path)
    book.fullname = "https://d.docs.live.net/abc123/Documents/scorecard_q2_2018-19.xlsx"
    book.fullname_error = xw.XlwingsError("Couldn't find your local OneDrive file, see: xlwings.org/error")
    assert run(book, addin.recompute).startswith("Recomputed 104 indicators")
    assert state(book, "O50").value == "Amber"
    run(book, addin.export_return)
    assert shown(book).startswith("xlscorecard: scorecard_q2_2018-19.xlsx: the workbook is stored online")
    assert not list(tmp_path.glob("*return*"))


# ----------------------------------------------------------------------------- call counts


def measure(template: StandinBook, folder: Path) -> dict[str, Any]:
    """Run every add-in function on a fresh copy of the book; the calls each made, and what it did."""
    out: dict[str, Any] = {"rows": max(r for r, _ in template._sheet(SHEET).cells)}
    with pytest.MonkeyPatch.context() as mp:
        # Writing the return file is no Excel call; skip it (seconds for 20,000 rows).
        mp.setattr(buttons.return_workbook, "write_return", lambda grid, assessment, path: path)

        def go(book: StandinBook, name: str) -> None:
            mp.setattr(xw.Book, "caller", lambda: book)
            book.calls.clear()
            FUNCTIONS[name]()
            out[name] = book.calls.ops()
            out[name + " calls"] = len(book.calls)
            out[name + " items"] = [c.items for c in book.calls if c.op == "macro" and c.items is not None]

        book = fresh(template, folder)
        go(book, "recompute")
        out["pis"] = int(re.match(r"Recomputed (\d+) indicators", book.app.alerts[-1]["prompt"])[1])
        book = fresh(template, folder)
        go(book, "flag_cells")
        out["flagged"] = max(r for r, _ in book._sheet(addin.RECORD_SHEET).cells) - 1
        out["flag_cells state"] = book.snapshot()
        go(book, "clear_flags")
        out["clear_flags state"] = book.snapshot()
        book = fresh(template, folder)
        go(book, "check")
        out["linked"] = sum(1 for c in book._sheet(addin.FINDINGS_SHEET).cells.values() if c.hyperlink)
        go(fresh(template, folder), "export_return")
        out["template state"] = template.snapshot()
    return out


@pytest.fixture(scope="module")
def measured(big_template: StandinBook, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("measured")
    small = example_book(folder)
    return {"example": measure(small, folder), "big": measure(big_template, folder)}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_excel_calls_are_the_same_for_100_and_20000_rows(name: str, measured: dict[str, dict[str, Any]]) -> None:
    small, big = measured["example"], measured["big"]
    assert small["rows"] == 133 and big["rows"] >= 20_000
    # Every recorded call of every kind: the same total, and the same number of each kind.
    assert small[name + " calls"] == big[name + " calls"]
    assert small[name] == big[name]
    assert small[name]["value.get"] == 1  # the sheet (or, for clear_flags, the record) in one read
    # The number formats of the sheet (one read), then one apply per batch of formats.
    assert small[name]["macro"] == {"recompute": 2, "flag_cells": 3, "clear_flags": 2, "check": 2}.get(name, 1)


def test_the_big_sheet_has_many_more_cells_to_format(measured: dict[str, dict[str, Any]]) -> None:
    # The calls stay the same while the work inside them grows with the sheet: a real test of scale.
    small, big = measured["example"], measured["big"]
    assert big["pis"] > 100 * small["pis"] and big["flagged"] > 100 * small["flagged"] / 2
    assert big["linked"] > 100 * small["linked"] / 2
    for m in (small, big):
        read, apply = m["flag_cells items"]
        assert read == m["flagged"] and apply > m["flagged"]  # a fill run per cell or run, and the notes
        read, apply = m["clear_flags items"]
        assert read == m["flagged"] and apply > m["flagged"]
        assert m["check items"] == [m["linked"]]
        assert m["recompute items"][0] <= 2 * m["pis"]  # runs of adjacent PI rows of one colour
    # clear_flags put back every cell of the 20,000-row sheet that flag_cells changed.
    assert big["clear_flags state"] == big["template state"]
    assert big["flag_cells state"] != big["template state"]


def test_address_strings_merge_runs_and_stay_within_excels_limit() -> None:
    cells = [(r, 11) for r in (*range(7, 10), 13, *range(20, 4000, 2), 5000, 5001)]
    chunks = formats.addresses(cells, "ranges")
    assert chunks[0].startswith("K7:K9,K13,K20,K22")
    assert all(len(chunk) <= addin.MAX_ADDRESS for chunk in chunks)
    covered = {(r, c) for chunk in chunks for r1, c, r2, _ in parse_address(chunk) for r in range(r1, r2 + 1)}
    assert covered == set(cells)
    assert chunks[-1].endswith("K5000:K5001")
    cell_chunks = formats.addresses(cells, "cells")
    assert all(":" not in chunk and len(chunk) <= addin.MAX_ADDRESS for chunk in cell_chunks)
    assert formats.addresses([(7, 11), (8, 11), (10, 12)], "single") == ["K7:K8", "L10"]
    with pytest.raises(StandinError):
        parse_address(",".join(f"K{r}" for r in range(1000, 1100)))


def test_text_that_excel_would_retype_gets_an_apostrophe() -> None:
    for text in ("=SUM(A1)", "+1", "-x", "@x", "1.10", "31%", "9,536", "TRUE", "Sep-18", "'quoted", "#N/A"):
        entry = writeback.text_entry(text)
        assert typed_entry(entry) == (text, None), text
    for text in ("Green", "↑", "Quarterly dir of travel", "K13"):
        assert writeback.text_entry(text) == text


# ----------------------------------------------------------------------------- cell function


def test_scorecard_rag_cell_function() -> None:
    assert addin.SCORECARD_RAG(128, 121, "Low is good") == "Amber"
    assert addin.SCORECARD_RAG(0.79, "85%", "High is good") == "Amber"  # a fraction, as Excel hands it
    assert addin.SCORECARD_RAG(0.74, 0.9, "High is good") == "Red"
    assert addin.SCORECARD_RAG(277, "260-300", None) == "Green"
    assert addin.SCORECARD_RAG(0.07, "<5%", None) == "Red"  # polarity from the target
    assert addin.SCORECARD_RAG("Supressed", 5, "Low is good") == ""
    assert addin.SCORECARD_RAG(5, None, "Low is good") == ""
