"""The buttons on xlwings' remote engine (xlwings Server): a constant number of actions, of kinds its client has.

On the remote engine every change is an action in one JSON response to the client (Office.js), so
what must not grow with the sheet is the number of actions. Two layers of tests:

- Through the stand-in in remote mode (always run): the calls that become actions, counted for the
  example (104 PIs) and a copy grown to 2,000 PIs.
- Through xlwings' real remote engine, ``xw.Book(json=...)``, which needs an xlwings PRO licence
  key: with ``XLWINGS_LICENSE_KEY`` set these count the actions xlwings itself emits; without it
  they skip with that reason.
"""

from __future__ import annotations

import copy
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw
from conftest import EXAMPLE, EXAMPLE_SHEET
from xlwings_standin import Cell, StandinBook, a1

from xlscorecard import addin
from xlscorecard.addin import live as addin_live
from xlscorecard.addin import remote as addin_remote
from xlscorecard.api import load_scorecard

SHEET = EXAMPLE_SHEET
BUTTONS: dict[str, Callable[[], Any]] = {
    "recompute": addin.recompute,
    "flag_cells": addin.flag_cells,
    "clear_flags": addin.clear_flags,
    "check": addin.check,
    "export_return": addin.export_return,
}
# Stand-in calls that the remote engine turns into one action each (reads are free: they come
# with the request).
ACTION_CALLS = {
    "value.set", "set_colors", "color.set", "font.color.set", "font.bold.set", "note.add", "note.delete",
    "note.text.set", "hyperlink.add", "sheets.add", "sheet.delete", "sheet.activate", "sheet.visible.set",
    "app.alert", "app.screen_updating.set",
}  # fmt: skip
# Actions the Office.js client of xlwings Server handles, and the ones the buttons may send.
BUTTON_ACTIONS = {
    "setValues", "setRangeColors", "setFontProperty", "addSheet", "sheetDelete", "activateSheet",
    "setSheetVisibility", "alert", "setScreenUpdating",
}  # fmt: skip


def grown(folder: Path, pis: int) -> StandinBook:
    """The example, its scorecard body repeated (with new PI refs) until it holds at least `pis` PIs."""
    book = StandinBook.from_xlsx(EXAMPLE, fullname=folder / EXAMPLE.name, active=SHEET)
    pi_rows = {ind.row: ind.ref for ind in load_scorecard(EXAMPLE).indicators}
    sheet = book._sheet(SHEET)
    header_row = 5
    last = max(r for r, _ in sheet.cells)
    body = {rc: cell for rc, cell in sheet.cells.items() if rc[0] > header_row}
    height = last - header_row
    cells = {rc: cell for rc, cell in sheet.cells.items() if rc[0] <= header_row}
    copies = 0
    while copies * len(pi_rows) < pis:
        for (r, c), cell in body.items():
            new = copy.copy(cell)
            if c == 1 and r in pi_rows:
                new.value = f"{copies + 1}.{pi_rows[r]}"
            cells[(r + copies * height, c)] = new
        copies += 1
    sheet.cells = cells
    return book


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[int, StandinBook]:
    folder = tmp_path_factory.mktemp("remote")
    return {100: grown(folder, 100), 2000: grown(folder, 2000)}


def test_the_grown_books_have_about_100_and_2000_pis(books: dict[int, StandinBook]) -> None:
    for pis, book in books.items():
        found = len(addin_live.load(copy.deepcopy(book)).scorecard.indicators)
        assert pis <= found < pis + 105


def standin_actions(template: StandinBook, name: str, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    book = copy.deepcopy(template)
    book.app.engine.name = "remote"
    monkeypatch.setattr(xw.Book, "caller", lambda: book)
    if name == "clear_flags":
        addin.flag_cells()
    book.calls.clear()
    monkeypatch.setattr(addin.buttons.return_workbook, "write_return", lambda grid, assessment, path: path)
    BUTTONS[name]()
    assert not book.app.alerts[-1]["prompt"].startswith("xlscorecard:"), book.app.alerts[-1]["prompt"]
    return Counter(call.op for call in book.calls if call.op in ACTION_CALLS)


@pytest.mark.parametrize("name", list(BUTTONS))
def test_each_button_makes_as_many_remote_changes_for_2000_pis_as_for_100(
    name: str, books: dict[int, StandinBook], monkeypatch: pytest.MonkeyPatch
) -> None:
    small = standin_actions(books[100], name, monkeypatch)
    big = standin_actions(books[2000], name, monkeypatch)
    assert small == big
    assert small["app.alert"] == 1
    assert not {"color.set", "font.color.set", "note.add", "hyperlink.add"} & set(small)  # nothing per cell


def test_a_remote_client_without_bulk_fills_is_refused_in_one_line(tmp_path: Path, monkeypatch) -> None:
    book = StandinBook.from_xlsx(EXAMPLE, fullname=tmp_path / EXAMPLE.name, active=SHEET)
    book.app.engine.name = "remote"
    book.client = "VBA"
    before = book.snapshot()
    monkeypatch.setattr(xw.Book, "caller", lambda: book)
    message = addin.recompute()
    assert message.startswith("xlscorecard: ") and "Office.js" in message and "VBA" in message
    assert "\n" not in message and book.snapshot() == before


def test_fills_over_10000_rows_go_in_blocks_xlwings_accepts(tmp_path: Path) -> None:
    book = StandinBook(name="b.xlsx")
    sheet = book.new_sheet("S")
    formats = addin_remote.RemoteFormats(book)
    ops = [addin_remote.Op("fill", f"K{r}", (255, 0, 0)) for r in range(7, 25_007, 2)]
    formats.apply("S", sheet, ops)
    assert book.calls.count("set_colors") == 3
    assert sheet.cells[(7, 11)].color == (255, 0, 0) and (8, 11) not in sheet.cells


# ----------------------------------------------------------------------------- the real remote engine

LICENSED = bool(os.environ.get("XLWINGS_LICENSE_KEY"))
remote = pytest.mark.skipif(
    not LICENSED,
    reason="XLWINGS_LICENSE_KEY not set: xlwings' remote engine (xw.Book(json=...)) needs an xlwings PRO key",
)


def remote_json(book: StandinBook, client: str = "Office.js") -> dict[str, Any]:
    """The JSON an xlwings client sends for a workbook: every sheet's values from A1, and its notes."""
    sheets = []
    for sheet in book._sheets:
        used = [rc for rc, cell in sheet.cells.items() if cell.value is not None]
        height = max((r for r, _ in used), default=0)
        width = max((c for _, c in used), default=0)
        values = [[_json_value(sheet.cells.get((r, c))) for c in range(1, width + 1)] for r in range(1, height + 1)]
        sheets.append(
            {
                "name": sheet._name,
                "values": values or [[]],
                "used_range_address": f"A1:{a1(height, width)}" if used else None,
                "visibility": "Visible" if sheet._visible else "Hidden",
                "notes": [{"address": a1(r, c, True)} for (r, c), cell in sheet.cells.items() if cell.note],
                "notes_supported": True,
                "pictures": [],
                "tables": [],
                "charts": [],
                "shapes": [],
                "pivot_tables": [],
                "show_gridlines": True,
                "print_area": None,
            }
        )
    return {
        "version": xw.__version__,
        "client": client,
        "book": {
            "name": book.name,
            "active_sheet_index": book._sheets.index(book._active),
            "selection": "A1",
            "calculation": "Automatic",
        },
        "sheets": sheets,
        "names": [],
    }


def _json_value(cell: Cell | None) -> Any:
    if cell is None or cell.value is None:
        return ""
    return cell.value.isoformat() if hasattr(cell.value, "isoformat") else cell.value


def actions(book: Any, func: str | None = None) -> list[dict[str, Any]]:
    return [a for a in book.json()["actions"] if func is None or a["func"] == func]


def run_remote(book: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(xw.Book, "caller", lambda: book)
    return BUTTONS[name]()


@remote
@pytest.mark.parametrize("name", list(BUTTONS))
def test_remote_engine_actions_are_the_same_for_100_and_2000_pis(
    name: str, books: dict[int, StandinBook], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    counts = []
    for template in books.values():
        if name == "clear_flags":  # a record left by flag_cells, as the client would send it
            flagged = copy.deepcopy(template)
            monkeypatch.setattr(xw.Book, "caller", lambda flagged=flagged: flagged)
            flagged.app.engine.name = "remote"
            addin.flag_cells()
            flagged.app.engine.name = "excel"
            template = flagged
        book = xw.Book(json=remote_json(template))
        monkeypatch.setattr(addin.buttons.return_workbook, "write_return", lambda grid, assessment, path: path)
        run_remote(book, name, monkeypatch)
        sent = actions(book)
        assert {a["func"] for a in sent} <= BUTTON_ACTIONS, sent
        counts.append(Counter(a["func"] for a in sent))
    assert counts[0] == counts[1]


@remote
def test_remote_recompute_writes_the_rag_and_arrow_columns(tmp_path: Path, monkeypatch) -> None:
    book = xw.Book(json=remote_json(StandinBook.from_xlsx(EXAMPLE, fullname=tmp_path / EXAMPLE.name, active=SHEET)))
    message = run_remote(book, "recompute", monkeypatch)
    writes = actions(book, "setValues")
    assert len(writes) == 2
    rag = next(a for a in writes if a["start_column"] == 14)  # column O, 0-based
    first = rag["start_row"] + 1
    assert rag["values"][50 - first] == ["Amber"] and rag["values"][16 - first] == ["Red"]
    assert rag["values"][17 - first] == ["Green"] and rag["values"][21 - first] == ["RAG"]
    arrows = next(a for a in writes if a["start_column"] == 15)
    assert arrows["values"][25 - first] == ["↑"]
    (fills,) = actions(book, "setRangeColors")
    assert fills["start_column"] == 14
    assert actions(book, "alert")[0]["args"][0] == message


@remote
def test_remote_check_adds_the_findings_sheet_with_links_as_formulas(tmp_path: Path, monkeypatch) -> None:
    plain = StandinBook.from_xlsx(EXAMPLE, fullname=tmp_path / EXAMPLE.name, active=SHEET)
    findings = addin_live.load(copy.deepcopy(plain)).assessment.findings
    book = xw.Book(json=remote_json(plain))
    run_remote(book, "check", monkeypatch)
    assert [a["args"][1] for a in actions(book, "addSheet")] == [addin.FINDINGS_SHEET]
    table = actions(book, "setValues")[0]["values"]
    assert len(table) == len(findings) + 1
    links = [row[0] for row in table[1:] if str(row[0]).startswith("=HYPERLINK(")]
    assert len(links) == sum(1 for f in findings if f.cell)
    assert f'=HYPERLINK("#\'{SHEET}\'!K13","K13")' in links
    assert not actions(book, "addHyperlink")


@remote
def test_remote_errors_are_one_line(tmp_path: Path, monkeypatch) -> None:
    blank = StandinBook(name="Book2")
    blank.new_sheet("Sheet1")
    book = xw.Book(json=remote_json(blank))
    message = run_remote(book, "recompute", monkeypatch)
    assert message.startswith("xlscorecard: Book2: sheet 'Sheet1' has no scorecard header") and "\n" not in message
    assert actions(book, "alert")[0]["args"][0] == message
    unsaved = xw.Book(json=remote_json(StandinBook.from_xlsx(EXAMPLE, fullname="Book1", active=SHEET)))
    assert "not been saved" in run_remote(unsaved, "export_return", monkeypatch)


def test_remote_engine_tests_are_skipped_without_a_key() -> None:
    if LICENSED:
        pytest.skip("XLWINGS_LICENSE_KEY is set: the remote tests run")
    assert re.match(r"XLWINGS_LICENSE_KEY not set: ", remote.kwargs["reason"])
    with pytest.raises(xw.LicenseError):  # the reason is true: the engine refuses to start
        xw.Book(json=remote_json(StandinBook.from_xlsx(EXAMPLE, active=SHEET)))
