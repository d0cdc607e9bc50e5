"""Reading a sheet however its writer laid out the cell tags: formats, errors and values all arrive."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import pi, small_sheet, write_workbook

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
