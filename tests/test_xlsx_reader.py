"""Reading a sheet however its writer laid out the cell tags: formats, errors and values all arrive."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import pi, run_cli, small_sheet, write_workbook
from programs import require_program

from xlscorecard.xlsx.reader import read_grid

ROWS = small_sheet(
    pi("1.1", "Number of contacts", q1=2374, q2=2200),  # row 5
    pi("1.2", "% contacts to referrals", q1=0.3, q2=0.31),  # row 6: fractions shown as percentages
    pi("1.3", "Re-referrals", q1="#DIV/0!", q2=14),  # row 7: an Excel error value
)
FORMATS = {"I6": "0%", "J6": "0.0%"}


def _rewrite_cells(path: Path, out: Path, rewrite: Callable[[re.Match[str]], str]) -> Path:
    """The same workbook with every <c ...> tag of the sheet rewritten (as another writer might lay it out)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(r"<c( [^>]*?)(/?)>", rewrite, data.decode()).encode()
            dst.writestr(info, data)
    return out


def _attributes(match: re.Match[str]) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))


def _reordered(match: re.Match[str]) -> str:
    """Attributes back to front: s (and t) before r."""
    attrs = _attributes(match)
    return "<c" + "".join(f' {k}="{v}"' for k, v in reversed(attrs.items())) + match.group(2) + ">"


def _address_less(match: re.Match[str]) -> str:
    """No r: cells are placed by their order (allowed when no cell is skipped)."""
    attrs = _attributes(match)
    attrs.pop("r")
    return "<c" + "".join(f' {k}="{v}"' for k, v in attrs.items()) + match.group(2) + ">"


def _trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows without trailing empty cells (how wide the blank margin reads differs between readers)."""
    out = [list(row) for row in rows]
    for row in out:
        while row and row[-1] is None:
            row.pop()
    return out


@pytest.fixture
def original(tmp_path: Path) -> Path:
    dense = [[("" if v is None else v) for v in row] + [""] * (14 - len(row)) for row in ROWS]  # no gaps
    return write_workbook(tmp_path / "original.xlsx", dense, FORMATS)


@pytest.mark.parametrize("rewrite", [_reordered, _address_less], ids=["s-before-r", "no-addresses"])
def test_any_cell_tag_layout_reads_the_same(original: Path, tmp_path: Path, rewrite: Callable) -> None:  # type: ignore[type-arg]
    expected = read_grid(original)
    got = read_grid(_rewrite_cells(original, tmp_path / "rewritten.xlsx", rewrite))
    assert _trimmed(got.values) == _trimmed(expected.values)
    assert got.number_format(5, 9) == "0.0%"  # J6
    assert got.value(6, 8) == "#DIV/0!"  # I7, dropped by calamine, read from the XML


def test_builtin_number_formats_are_openpyxls() -> None:
    # The reader carries its own table of built-in formats (no openpyxl import to read a file); the
    # strings reach the return as written, so they must stay openpyxl's, string for string.
    from openpyxl.styles import numbers

    from xlscorecard.xlsx import styles

    assert dict(numbers.BUILTIN_FORMATS) == styles.BUILTIN_FORMATS


def test_builtin_format_of_a_cell_is_read(tmp_path: Path) -> None:
    rows = [[("" if v is None else v) for v in row] + [""] * (14 - len(row)) for row in ROWS]
    got = read_grid(write_workbook(tmp_path / "builtin.xlsx", rows, {"I5": "#,##0", "J5": "0.00%"}))
    assert (got.number_format(4, 8), got.number_format(4, 9)) == ("#,##0", "0.00%")  # ids 3 and 10, not written out


# ------------------------------------------------------------------ formulas whose results the file does not store


@pytest.fixture(scope="module")
def formula_books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A scorecard whose Q2 column is formulas, as openpyxl writes them (no results stored), and as
    LibreOffice saves the same workbook (results calculated and stored)."""
    folder = tmp_path_factory.mktemp("formulas")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "KPIs"
    ws.append(["Ref", "Measure", "Polarity", "Target", "Q1 2019/20", "Q2 2019/20", "Numerator", "Denominator"])
    ws.append(["A1", "Visits on time", "High", 90, 85, "=G2/H2*100", 46, 50])
    ws.append(["A2", "Caseload", "Low", 18, 20, "=G3", 19, None])
    written = folder / "formulas.xlsx"
    wb.save(written)
    soffice = require_program("soffice", "apt-get install libreoffice-calc-nogui")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/lo", "--convert-to", "xlsx",
                    "--outdir", str(folder / "saved"), str(written)], check=True, capture_output=True, timeout=180)
    return written, folder / "saved" / "formulas.xlsx"


def test_a_formula_with_no_stored_result_is_a_finding_at_its_cell(formula_books: tuple[Path, Path]) -> None:
    written, _ = formula_books
    report = check_json(written)
    found = {(f["cell"], f["ref"]) for f in report["findings"] if f["code"] == "formula-without-value"}
    assert found == {("F2", "A1"), ("F3", "A2")}
    assert all(f["severity"] == "warning" for f in report["findings"] if f["code"] == "formula-without-value")


def test_the_same_formulas_saved_by_libreoffice_are_read_as_their_results(formula_books: tuple[Path, Path]) -> None:
    _, saved = formula_books
    report = check_json(saved)
    assert not [f for f in report["findings"] if f["code"] == "formula-without-value"]
    assert report["reporting_period"] == "Q2 2019/20"
    [a1, a2] = report["indicators"]
    assert a1["values"]["Q2 2019/20"]["number"] == pytest.approx(92) and a1["rag"]["rating"] == "green"
    assert a2["values"]["Q2 2019/20"]["number"] == 19 and a2["rag"]["rating"] == "amber"


def check_json(path: Path) -> dict[str, Any]:
    result = run_cli("check", path, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
