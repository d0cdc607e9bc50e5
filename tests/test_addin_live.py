"""The add-in against live workbooks as analysts keep them: numeric PI refs, error values, the error hook.

The workbooks here are saved by LibreOffice, a real spreadsheet program, and handed to the add-in
through tests/xlwings_standin.py, which gives values as desktop Excel does (numbers as floats, no
formats) and runs the add-in's VBA Functions as Excel would.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from conftest import EXAMPLE, EXAMPLE_SHEET
from programs import require_program
from xlwings_standin import Cell, ExcelError, StandinBook

from xlscorecard import addin
from xlscorecard.addin import live as addin_live
from xlscorecard.addin import oneline
from xlscorecard.api import load_scorecard
from xlscorecard.core.assessment import assess
from xlscorecard.core.findings import Code
from xlscorecard.core.settings import Settings

SHEET = EXAMPLE_SHEET
_REF = re.compile(r"^(\d+)\.(\d+)$")


def _numeric_ref(ref: str) -> tuple[float, str] | None:
    """'1.10' -> (1.1, '0.00'), '1.1' -> (1.1, '0.0'): a ref as a number and the format that shows it."""
    m = _REF.match(ref)
    return None if m is None else (float(ref), "0." + "0" * len(m[2]))


def libreoffice_save(source: Path, out_dir: Path) -> Path:
    """The workbook as LibreOffice Calc saves it (.xlsx)."""
    soffice = require_program("soffice", "apt-get install libreoffice-calc-nogui")
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{out_dir}/lo", "--convert-to", "xlsx",
         "--outdir", str(out_dir), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    saved = out_dir / source.name
    assert saved.is_file()
    return saved


@pytest.fixture(scope="module")
def numeric_refs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The example with every PI ref stored as a number, shown by its format: 1.10 is 1.1 formatted 0.00."""
    folder = tmp_path_factory.mktemp("numeric-refs")
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb[SHEET]
    refs = []
    for cell in ws["A"]:
        numeric = _numeric_ref(str(cell.value)) if isinstance(cell.value, str) else None
        if numeric is not None:
            refs.append(cell.value)
            cell.value, cell.number_format = numeric
    assert len(refs) > 100 and sum(ref.endswith("0") for ref in refs) >= 6  # 1.10, 2.10, ...
    ws["P8"].font = openpyxl.styles.Font(name="Wingdings")  # an arrow typed as a symbol-font letter
    ws["P8"].value = "\u00e9"
    ws["O9"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFC000")  # a RAG given as a fill
    written = folder / "openpyxl" / "numeric refs.xlsx"
    written.parent.mkdir()
    wb.save(written)
    return libreoffice_save(written, folder / "libreoffice"), refs


def test_numeric_refs_formatted_0_00_read_live_give_the_file_readers_pis_and_findings(
    numeric_refs: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, refs = numeric_refs
    book = StandinBook.from_xlsx(path, active=SHEET)
    assert book.cell(SHEET, "A16").value == book.cell(SHEET, "A7").value == 1.1  # 1.10 and 1.1, as Excel holds them
    file_scorecard = load_scorecard(path)
    file_assessment = assess(file_scorecard, Settings())
    assert [i.ref for i in file_scorecard.indicators] == refs  # the file reader sees "1.10"
    live = addin_live.load(book)
    assert [i.ref for i in live.scorecard.indicators] == refs
    assert [f.model_dump() for f in live.assessment.findings] == [f.model_dump() for f in file_assessment.findings]
    assert not [f for f in live.assessment.findings if f.code is Code.DUPLICATE_PI]
    # And through a button: no duplicate-pi flag on any ref cell.
    monkeypatch.setattr(xw.Book, "caller", lambda: book)
    addin.flag_cells()
    assert not any(str(a).startswith("A") for a in _flagged(book))


def test_fonts_and_fills_read_live_are_what_the_file_holds(numeric_refs: tuple[Path, list[str]]) -> None:
    path, _ = numeric_refs
    saved = openpyxl.load_workbook(path)[SHEET]
    assert saved["P8"].font.name == "Wingdings" and saved["O9"].fill.fgColor.rgb.endswith("FFC000")
    book = StandinBook.from_xlsx(path, active=SHEET)
    grid = addin_live.load(book).grid
    assert grid.font_name(8 - 1, 16 - 1) == "Wingdings" and grid.font_name(7 - 1, 2 - 1) == saved["B7"].font.name
    assert grid.fill_colour(9 - 1, 15 - 1) == "FFC000" and grid.fill_colour(10 - 1, 15 - 1) is None
    assert grid.number_format(16 - 1, 1 - 1) == "0.00" and grid.number_format(7 - 1, 1 - 1) == "0.0"


def test_without_number_formats_the_same_refs_would_collide(numeric_refs: tuple[Path, list[str]]) -> None:
    # What reading the formats prevents: without them 1.10 arrives as 1.1, a duplicate of 1.1.
    path, _ = numeric_refs
    book = StandinBook.from_xlsx(path, active=SHEET)
    book.app.engine.name = "remote"
    live = addin_live.load(book)
    assert live.grid.number_formats is None
    assert [f for f in live.assessment.findings if f.code is Code.DUPLICATE_PI]


def _flagged(book: StandinBook) -> list[str]:
    record = book._sheet(addin.RECORD_SHEET)
    return [cell.value for (r, c), cell in record.cells.items() if c == 2 and r > 1]


# ----------------------------------------------------------------------------- cells not ours


def test_error_values_and_lookalike_text_in_non_pi_rows_stay_as_they_were(tmp_path: Path, monkeypatch) -> None:
    book = StandinBook.from_xlsx(EXAMPLE, fullname=tmp_path / EXAMPLE.name, active=SHEET)
    sheet = book._sheet(SHEET)
    # Rows 26 and 40 are section headings and row 21 a repeated header, inside the block of PI
    # rows: the RAG column (O) and the arrows (P) there are the analyst's.
    sheet.cells[(26, 15)] = Cell(value=ExcelError("#N/A"))
    sheet.cells[(26, 16)] = Cell(value="#N/A")  # typed as text ('#N/A)
    sheet.cells[(40, 15)] = Cell(value=ExcelError("#REF!"))
    sheet.cells[(40, 16)] = Cell(value="-", formula="=IFERROR(1/0,\"-\")")
    sheet.cells[(6, 15)] = Cell(value=ExcelError("#DIV/0!"))  # before the first PI row: not written
    before = copy.deepcopy(book)
    monkeypatch.setattr(xw.Book, "caller", lambda: book)
    addin.recompute()
    assert book.app.alerts[-1]["prompt"].startswith("Recomputed 104 indicators")
    for address in ("O26", "P26", "O40", "P40", "O6", "O21", "P21"):
        assert book.cell(SHEET, address).state() == before.cell(SHEET, address).state(), address
    assert all(isinstance(book.cell(SHEET, address).value, ExcelError) for address in ("O26", "O40"))
    assert not isinstance(book.cell(SHEET, "P26").value, ExcelError)
    pi_rows = {ind.row for ind in load_scorecard(EXAMPLE).indicators}
    changed = {
        key for key, state in book.snapshot().items() if before.snapshot().get(key) != state and key[0] == SHEET
    }
    assert changed and all(int(a[1:]) in pi_rows and a[0] in "OP" for _, a in changed)


# ----------------------------------------------------------------------------- the error hook


def test_importing_the_addin_installs_no_exception_hook() -> None:
    code = (
        "import sys; before = sys.excepthook; import xlscorecard.addin; "
        "assert sys.excepthook is before, sys.excepthook; print('unchanged')"
    )
    # As RunPython starts Python (its --from_xl argument), and as any other program would.
    for argv in (["--from_xl=1", "--wb=Book1.xlsx"], []):
        done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, check=False)
        assert done.returncode == 0 and done.stdout.strip() == "unchanged", done.stderr


def test_a_button_installs_the_one_line_hook_in_every_mode(tmp_path: Path, monkeypatch) -> None:
    for engine in ("excel", "remote"):
        monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)
        book = StandinBook.from_xlsx(EXAMPLE, fullname=tmp_path / EXAMPLE.name, active=SHEET)
        book.app.engine.name = engine
        monkeypatch.setattr(xw.Book, "caller", lambda book=book: book)
        addin.check()
        assert sys.excepthook is oneline.one_line_errors, engine


def test_the_hook_prints_xlwings_errors_as_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    error = xw.XlwingsError("Couldn't find your local OneDrive file,\nsee: xlwings.org/error")
    oneline.one_line_errors(type(error), error, None)
    assert capsys.readouterr().err == (
        "xlscorecard: Excel did not do what the add-in asked (Couldn't find your local OneDrive file, "
        "see: xlwings.org/error)\n"
    )


def test_an_error_from_excel_itself_is_one_line_in_excel(tmp_path: Path, monkeypatch) -> None:
    class com_error(Exception):
        pass

    com_error.__module__ = "pywintypes"
    book = StandinBook.from_xlsx(EXAMPLE, fullname=tmp_path / EXAMPLE.name, active=SHEET)

    def busy(*args: Any, **kwargs: Any) -> None:
        raise com_error(-2147418111, "Call was rejected by callee.", None, None)

    monkeypatch.setattr(type(book._sheet(SHEET)), "activate", busy)
    monkeypatch.setattr(xw.Book, "caller", lambda: book)
    message = addin.flag_cells()
    assert message.startswith("xlscorecard: Excel did not do what the add-in asked") and "\n" not in message
    assert book.app.alerts[-1]["prompt"] == message


def test_a_bug_of_ours_keeps_its_traceback(tmp_path: Path, monkeypatch) -> None:
    book = StandinBook.from_xlsx(EXAMPLE, fullname=tmp_path / EXAMPLE.name, active=SHEET)
    monkeypatch.setattr(xw.Book, "caller", lambda: book)
    monkeypatch.setattr(addin_live, "read_scorecard", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        addin.check()
