"""Hostile and oddly serialised workbooks through the real commands (issue 14).

However a workbook's XML is written (an `x:` namespace prefix as the Open XML SDK writes,
single-quoted attributes, shared or inline strings, saved by LibreOffice) it reads the same
numbers and units. Cells outside Excel's grid, far cells and lying counts are refused in one line
before any reader allocates; rollover edits merged layouts and refuses what it cannot edit.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import EXAMPLE, EXAMPLE_SHEET, run_cli
from hostile import read_parts, reserialised, write_parts
from programs import require_program

from xlscorecard.xlsx.reader import read_grid

SHEET_PART = "xl/worksheets/sheet2.xml"


@pytest.fixture(scope="module")
def libreoffice_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example opened and saved by LibreOffice Calc: shared strings, its own styles and attribute order."""
    soffice = require_program("soffice", "apt-get install libreoffice-calc-nogui")
    out = tmp_path_factory.mktemp("libreoffice")
    subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(EXAMPLE)],
                   check=True, capture_output=True, timeout=180)
    return out / EXAMPLE.name


def _check_json(path: Path) -> dict[str, Any]:
    result = run_cli("check", "--json", path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _numbers_and_units(report: dict[str, Any]) -> dict[tuple[str, str], tuple[Any, Any, Any]]:
    return {
        (ind["ref"], period): (value["number"], value["unit"], value["status"])
        for ind in report["indicators"]
        for period, value in ind["values"].items()
    }


def _ratings(report: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {ind["ref"]: (ind["rag"]["rating"], ind["travel"]["direction"]) for ind in report["indicators"]}


def _edit_sheet(src: Path, out: Path, change: Any, part: str = SHEET_PART) -> Path:
    parts = read_parts(src.read_bytes())
    parts[part] = change(parts[part].decode("utf-8")).encode("utf-8")
    out.write_bytes(write_parts(parts))
    return out


def _far(ref: str) -> Any:
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return lambda xml: xml.replace("</sheetData>", f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>')


# ------------------------------------------------------------------ serialisations


@pytest.mark.parametrize("source", ["openpyxl", "libreoffice"])
def test_prefixed_single_quoted_workbook_reads_the_same_numbers_and_units(
    source: str, libreoffice_copy: Path, tmp_path: Path
) -> None:
    original = EXAMPLE if source == "openpyxl" else libreoffice_copy
    rewritten = tmp_path / "prefixed.xlsx"
    rewritten.write_bytes(reserialised(original.read_bytes()))
    with zipfile.ZipFile(rewritten) as zf:  # the rewrite really is the other serialisation
        sheet = zf.read(SHEET_PART).decode()
    assert "<x:c r='" in sheet and 'r="' not in sheet and "<c " not in sheet

    plain = _check_json(EXAMPLE)
    got = _check_json(rewritten)
    expected = _numbers_and_units(plain)
    assert _numbers_and_units(got) == expected
    assert _ratings(got) == _ratings(plain)
    # Percentages stored as fractions with a percent format come out in percent units.
    assert sum(unit == "%" for _, unit, _ in expected.values()) > 100


def test_libreoffice_saved_example_reads_the_same_numbers_and_units(libreoffice_copy: Path) -> None:
    with zipfile.ZipFile(libreoffice_copy) as zf:
        assert "xl/sharedStrings.xml" in zf.namelist()  # shared strings, unlike openpyxl's inline ones
    plain = _check_json(EXAMPLE)
    got = _check_json(libreoffice_copy)
    assert _numbers_and_units(got) == _numbers_and_units(plain)
    assert _ratings(got) == _ratings(plain)


def test_error_cells_and_formats_in_a_prefixed_sheet(tmp_path: Path) -> None:
    """#DIV/0! (which calamine drops) and a 0.0% format, read from x:-prefixed, single-quoted XML."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb[EXAMPLE_SHEET]
    ws["K8"] = "=1/0"
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    parts = read_parts(plain.read_bytes())
    # openpyxl writes no cached result: give the formula Excel's saved error value.
    parts[SHEET_PART], found = re.subn(rb'<c r="K8"([^>]*)><f>1/0</f>(<v ?/>|<v>\s*</v>)?</c>',
                                       b'<c r="K8" t="e"\\1><f>1/0</f><v>#DIV/0!</v></c>', parts[SHEET_PART])
    assert found == 1
    plain.write_bytes(write_parts(parts))
    prefixed = tmp_path / "prefixed.xlsx"
    prefixed.write_bytes(reserialised(plain.read_bytes()))
    for path in (plain, prefixed):
        grid = read_grid(path, sheet=EXAMPLE_SHEET)
        assert grid.value(7, 10) == "#DIV/0!"
        report = _check_json(path)
        assert any(f["code"] == "excel-error" and f["cell"] == "K8" for f in report["findings"])


def _saved_plain_and_prefixed(wb: openpyxl.Workbook, folder: Path) -> tuple[Path, Path]:
    """The workbook saved by openpyxl, and the same re-serialised with x: prefixes and single quotes."""
    plain = folder / "plain.xlsx"
    wb.save(plain)
    prefixed = folder / "prefixed.xlsx"
    prefixed.write_bytes(reserialised(plain.read_bytes()))
    return plain, prefixed


def test_font_names_reach_the_grid_however_serialised(tmp_path: Path) -> None:
    """A symbol font on a cell (Wingdings arrows) is carried into the Grid; the default font is not."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb[EXAMPLE_SHEET]
    ws["P7"].font = openpyxl.styles.Font(name="Wingdings", size=11)
    ws["P7"] = "\u00e9"
    for path in _saved_plain_and_prefixed(wb, tmp_path):
        grid = read_grid(path, sheet=EXAMPLE_SHEET)
        assert grid.font_name(6, 15) == "Wingdings"
        assert grid.font_name(6, 1) is None  # Calibri, the workbook's default font


def test_solid_fill_colours_reach_the_grid_however_serialised(tmp_path: Path) -> None:
    """A RAG given as a coloured cell with no text: its fill is carried into the Grid."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb[EXAMPLE_SHEET]
    ws["O7"].fill = openpyxl.styles.PatternFill(fill_type="solid", fgColor="FFC00000")
    ws["O8"].fill = openpyxl.styles.PatternFill(fill_type="gray125", fgColor="FF00B050")  # not solid
    for path in _saved_plain_and_prefixed(wb, tmp_path):
        grid = read_grid(path, sheet=EXAMPLE_SHEET)
        assert grid.fill_colour(6, 14) == "C00000"
        assert grid.fill_colour(7, 14) is None
        assert grid.fill_colour(6, 1) is None


# ------------------------------------------------------------------ far cells and lying counts


@pytest.mark.parametrize(
    ("ref", "words"),
    [
        ("XFD1048576", "A3:XFD1048576"),
        ("A1048576", "A3:S1048576"),
        ("XFE1048577", "'1048577' outside Excel's grid"),
        ("A99999999999", "'99999999999' outside Excel's grid"),
        ("XFE20", "'XFE20' outside Excel's grid"),
    ],
)
@pytest.mark.parametrize("command", ["check", "convert", "rollover"])
def test_cells_far_or_outside_the_grid_are_refused_in_one_line(
    tmp_path: Path, ref: str, words: str, command: str
) -> None:
    path = _edit_sheet(EXAMPLE, tmp_path / "far.xlsx", _far(ref))
    extra = {"check": [], "convert": ["-o", f"{tmp_path}/"], "rollover": ["--to", "Qu 3 18-19", "-o", f"{tmp_path}/"]}
    result = run_cli(command, path, *extra[command])
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and words in lines[0], result.stderr
    assert "unexpected" not in lines[0]
    assert not list(tmp_path.glob("*return*")) and not list(tmp_path.glob("*submission*"))


def test_lying_shared_string_count_is_refused(libreoffice_copy: Path, tmp_path: Path) -> None:
    path = _edit_sheet(libreoffice_copy, tmp_path / "lying.xlsx",
                       lambda xml: re.sub(r'uniqueCount="\d+"', 'uniqueCount="4000000000"', xml),
                       part="xl/sharedStrings.xml")
    result = run_cli("check", path)
    assert result.returncode == 2
    assert "says it holds 4,000,000,000 texts but holds 376" in result.stderr


def test_a_smaller_used_range_limit_refuses_with_its_number(tmp_path: Path) -> None:
    from xlscorecard.core.errors import UnsafeWorkbook
    from xlscorecard.xlsx.safety import SafetyLimits

    words = r"A3:S133 \(first to last cell holding a value\) spans 2,489 cells, over the limit of 1,000"
    with pytest.raises(UnsafeWorkbook, match=words):
        read_grid(EXAMPLE, limits=SafetyLimits(max_sheet_cells=1000))


# ------------------------------------------------------------------ rollover


def test_rollover_edits_merged_headers_and_quarter_cells(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb[EXAMPLE_SHEET]
    ws.merge_cells("A3:S3")  # the title across the sheet
    ws["I4"] = "Quarters"
    ws.merge_cells("I4:M4")  # a group label over the quarter columns
    ws.merge_cells("L8:L9")  # next quarter's cells merged across two PIs
    ws.merge_cells("O7:P7")  # RAG and arrow merged
    ws["O7"] = "Red"
    ws.merge_cells("Q10:Q11")
    src = tmp_path / "merged.xlsx"
    wb.save(src)

    result = run_cli("rollover", src, "--to", "Qu 3 18-19", "-o", f"{tmp_path}/")
    assert result.returncode == 0, result.stderr
    out = openpyxl.load_workbook(result.stdout.strip())
    ws = out["Q3 2018-19"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:S3", "I4:M4", "O7:P7", "Q10:Q11"} <= merged and "L8:L9" not in merged
    assert ws["A3"].value == "Children's Services Scorecard - Quarter 3, 2018-19"
    assert ws["L5"].comment is not None and "Qu 3 18-19" in ws["L5"].comment.text
    for cell in ("L8", "L9"):  # each PI's entry cell is its own, filled and validated
        assert ws[cell].fill.fgColor.rgb.endswith("FFF7D1")
        assert any(cell in dv.sqref for dv in ws.data_validations.dataValidation)
    assert ws["O7"].value is None  # the computed RAG is cleared for the new quarter


@pytest.mark.parametrize(
    ("name", "change", "words"),
    [
        ("no-styles", lambda p: p.pop("xl/styles.xml"), "uses cell style 1, but the workbook defines 0"),
        ("huge-style", lambda p: p.__setitem__(SHEET_PART, p[SHEET_PART].replace(b' s="7"', b' s="99999999999"', 1)),
         "uses cell style 99999999999"),
        ("content-types", lambda p: p.__setitem__("[Content_Types].xml", p["[Content_Types].xml"][:120]),
         "([Content_Types].xml) is not valid XML"),
        ("whole-sheet-merge", lambda p: p.__setitem__(SHEET_PART, p[SHEET_PART].replace(
            b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>')),
         "merged ranges cover 17,179,869,184 cells"),
        ("styled-far-cell", lambda p: p.__setitem__(SHEET_PART, p[SHEET_PART].replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>')),
         "its cells span A3:XFD1048576"),
    ],
)
def test_rollover_refuses_what_it_cannot_edit_in_words(tmp_path: Path, name: str, change: Any, words: str) -> None:
    parts = read_parts(EXAMPLE.read_bytes())
    change(parts)
    path = tmp_path / f"{name}.xlsx"
    path.write_bytes(write_parts(parts))
    result = run_cli("rollover", path, "--to", "Qu 3 18-19", "-o", f"{tmp_path}/")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and words in lines[0], result.stderr
    assert "unexpected" not in lines[0]


def test_rollover_shows_the_scorecard_when_every_sheet_is_hidden(tmp_path: Path) -> None:
    parts = read_parts(EXAMPLE.read_bytes())
    parts["xl/workbook.xml"] = re.sub(rb'state="visible"', b'state="veryHidden"', parts["xl/workbook.xml"])
    if b"veryHidden" not in parts["xl/workbook.xml"]:
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"<sheet ", b'<sheet state="veryHidden" ')
    path = tmp_path / "hidden.xlsx"
    path.write_bytes(write_parts(parts))
    result = run_cli("rollover", path, "--to", "Qu 3 18-19", "-o", f"{tmp_path}/")
    assert result.returncode == 0, result.stderr
    out = openpyxl.load_workbook(result.stdout.strip())
    assert out["Q3 2018-19"].sheet_state == "visible"
