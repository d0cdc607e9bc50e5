"""The bulk row writer behind the return's big sheets: what it writes reads back exactly, hostile text included."""

from __future__ import annotations

import html
import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from conftest import EXAMPLE
from xlsxwriter.worksheet import Worksheet

from xlscorecard.api import convert_file
from xlscorecard.xlsx.rows import MAX_LINKS, MAX_STRING, FastRowsWorksheet

HOSTILE = [
    "<r><t>rich?</t></r>",  # XlsxWriter's constant-memory writer passes this through as raw XML
    "a & b < c > d",
    "bell\x07 and tab\t",
    "_x0041_ stays as typed",
    "  leading and trailing  ",
    "=HYPERLINK(\"http://x\")",
    "+1",
    "@SUM(A1)",
    "line one\nline two",
    "émoji 🡅 ↑",
]


def _book(tmp_path: Path) -> tuple[xlsxwriter.Workbook, FastRowsWorksheet, Path]:
    path = tmp_path / "rows.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S", worksheet_class=FastRowsWorksheet)
    assert isinstance(ws, FastRowsWorksheet)
    return wb, ws, path


def test_text_reads_back_as_xlsxwriters_own_cells_and_never_as_a_formula(tmp_path: Path) -> None:
    """Oracle: the same text written by XlsxWriter's `write_string` (Excel's _xHHHH_ escapes included)."""
    wb, ws, path = _book(tmp_path)
    for r, text in enumerate(HOSTILE):
        ws.write_cells(r, [(0, text, None)])
    wb.close()
    oracle_path = tmp_path / "oracle.xlsx"
    with xlsxwriter.Workbook(str(oracle_path), {"constant_memory": True}) as oracle:
        plain = oracle.add_worksheet("S")
        for r, text in enumerate(HOSTILE[1:], start=1):  # not the "<r>" text: XlsxWriter would break the file
            plain.write_string(r, 0, text)
    ours, theirs = openpyxl.load_workbook(path)["S"], openpyxl.load_workbook(oracle_path)["S"]
    assert ours["A1"].value == HOSTILE[0]
    for r in range(2, len(HOSTILE) + 1):
        assert ours.cell(r, 1).value == theirs.cell(r, 1).value
        assert ours.cell(r, 1).data_type == "s"
    assert [ours.cell(r, 1).value for r in (2, 5, 6, 7, 8, 9, 10)] == [HOSTILE[i] for i in (1, 4, 5, 6, 7, 8, 9)]


def test_numbers_booleans_blanks_and_non_finite_values(tmp_path: Path) -> None:
    wb, ws, path = _book(tmp_path)
    fill = wb.add_format({"bg_color": "#FFC7CE", "num_format": "0.0%"})
    ws.write_cells(0, [(0, 0.1 + 0.2, None), (1, 12, fill), (2, True, None), (3, None, fill), (4, -1.5e-300, None),
                     (5, "", None), (6, "", fill)])
    ws.write_cells(2, [(0, math.nan, None), (1, math.inf, None)])
    wb.close()
    sheet = openpyxl.load_workbook(path)["S"]
    assert sheet["A1"].value == 0.1 + 0.2  # full precision
    assert sheet["B1"].value == 12 and sheet["B1"].number_format == "0.0%"
    assert sheet["C1"].value is True
    assert sheet["D1"].value is None and sheet["D1"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["E1"].value == -1.5e-300
    assert sheet["F1"].value is None and sheet["G1"].value is None and sheet["G1"].number_format == "0.0%"
    assert sheet["A3"].value == sheet["B3"].value == "#NUM!" and sheet["A3"].data_type == "e"
    assert sheet.max_row == 3 and sheet.max_column == 7


def test_over_long_text_is_cut_to_excels_limit(tmp_path: Path) -> None:
    wb, ws, path = _book(tmp_path)
    ws.write_cells(0, [(0, "x" * (MAX_STRING + 100), None), (1, "🡅" * MAX_STRING, None)])
    wb.close()
    sheet = openpyxl.load_workbook(path)["S"]
    assert len(sheet["A1"].value) == MAX_STRING
    assert len(sheet["B1"].value.encode("utf-16-le")) // 2 <= MAX_STRING  # counted in UTF-16 units, as Excel does


def test_row_heights_links_and_notes_sit_on_the_written_cells(tmp_path: Path) -> None:
    wb, ws, path = _book(tmp_path)
    ws.write_cells(1, [(1, "B2", None)], height=45)
    ws.write_cells(3, [(0, "go", None)])
    ws.link(3, 0, "'S'!B2", "go", 'Go to "B2" & <back>')
    ws.write_comment(1, 1, "a note")
    wb.close()
    sheet = openpyxl.load_workbook(path)["S"]
    assert sheet.row_dimensions[2].height == 45
    assert sheet["A4"].hyperlink.location == "'S'!B2"
    assert sheet["A4"].hyperlink.tooltip == 'Go to "B2" & <back>'
    assert sheet["A4"].value == "go"
    assert sheet["B2"].comment.text == "a note"


def test_cells_past_excels_last_row_or_column_are_left_out(tmp_path: Path) -> None:
    wb, ws, path = _book(tmp_path)
    ws.write_cells(0, [(0, "A1", None), (16383, "XFD1", None), (16384, "beyond", None), (16385, "beyond", None)])
    ws.write_cells(1_048_576, [(0, "beyond", None)])
    wb.close()
    sheet = openpyxl.load_workbook(path)["S"]
    assert sheet["A1"].value == "A1" and sheet["XFD1"].value == "XFD1"
    assert sheet.max_row == 1 and sheet.max_column == 16384


def test_a_row_height_that_is_not_positive_is_refused(tmp_path: Path) -> None:
    _, ws, _ = _book(tmp_path)
    for height in (0, -3, math.nan):
        with pytest.raises(ValueError, match="height must be positive"):
            ws.write_cells(1, [(0, "x", None)], height=height)


def test_rows_out_of_order_are_refused(tmp_path: Path) -> None:
    wb, ws, _ = _book(tmp_path)
    ws.write_cells(4, [(0, "five", None)])
    with pytest.raises(ValueError, match="increasing order"):
        ws.write_cells(2, [(0, "three", None)])
    wb.close()


def test_cells_written_both_ways_are_refused_not_lost(tmp_path: Path) -> None:
    wb, ws, _ = _book(tmp_path)
    ws.write_cells(0, [(0, "bulk", None)])
    ws.write_string(5, 0, "per cell")
    with pytest.raises(RuntimeError, match="both"):
        wb.close()


def test_links_past_excels_limit_are_left_out(tmp_path: Path) -> None:
    wb, ws, path = _book(tmp_path)
    for r in range(MAX_LINKS + 5):
        ws.link(r, 0, "'S'!B1", "B1")
    ws.write_cells(0, [(0, "B1", None)])
    wb.close()
    with zipfile.ZipFile(path) as z:
        assert z.read("xl/worksheets/sheet1.xml").count(b"<hyperlink ") == MAX_LINKS


def test_links_of_both_kinds_on_one_sheet_are_refused(tmp_path: Path) -> None:
    wb, ws, _ = _book(tmp_path)
    ws.link(0, 0, "'S'!B1", "B1")
    ws.write_url(1, 0, "internal:'S'!B2")
    with pytest.raises(RuntimeError, match="both"):
        wb.close()


def test_formulas_skip_xlsxwriters_rewrites_only_when_they_would_change_nothing(tmp_path: Path) -> None:
    ours = FastRowsWorksheet()
    for formula in ['=OR(UPPER(K7)="GREEN",UPPER(K7)="G")', "=AND(ISNUMBER(K7),K7>=$U7)", '=LEN(P7)>0',
                    "=XLOOKUP(A1,B:B,C:C)", "=FILTER(A1:A9,B1:B9>0)", '=IF(A1="SINGLE(",1,0)', "{=SUM(A1:A3)}"]:
        assert ours._prepare_formula(formula, True) == Worksheet()._prepare_formula(formula, True)


def test_every_formula_in_the_example_return_is_as_xlsxwriter_would_write_it(tmp_path: Path) -> None:
    plain = Worksheet()
    with zipfile.ZipFile(convert_file(EXAMPLE, tmp_path / "return.xlsx")) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    formulas = [html.unescape(f) for xml in sheets for f in re.findall(r"<formula>(.*?)</formula>", xml)]
    assert len(formulas) >= 10
    for formula in formulas:
        assert plain._prepare_formula("=" + formula, True) == formula


def test_a_sparkline_group_is_written_as_xlsxwriter_writes_it(tmp_path: Path) -> None:
    """Oracle: the same group on a plain XlsxWriter sheet, byte for byte (a name needing escapes included)."""
    def group_xml(worksheet_class: type[Worksheet] | None, path: Path) -> str:
        with xlsxwriter.Workbook(str(path)) as wb:
            ws = wb.add_worksheet("Q & <A>", worksheet_class=worksheet_class)
            ws.add_sparkline(0, 0, {"location": ["A1", "A2", "A3"], "markers": True,
                                    "range": ["'Q & <A>'!B1:E1", "B2:E2", "$B$3:$E$3"]})
        with zipfile.ZipFile(path) as z:
            xml = z.read("xl/worksheets/sheet1.xml").decode()
        return xml[xml.index("<x14:sparklineGroups"):xml.index("</x14:sparklineGroups>")]

    ours = group_xml(FastRowsWorksheet, tmp_path / "ours.xlsx")
    assert ours == group_xml(None, tmp_path / "theirs.xlsx")
    assert ours.count("<x14:sparkline>") == 3 and "&amp; &lt;A&gt;" in ours


def test_notes_below_tall_rows_are_placed_as_xlsxwriter_places_them(tmp_path: Path) -> None:
    """Oracle: the same rows sized with XlsxWriter's set_row() on a plain sheet; the notes' VML must match."""
    def vml(rows_class: bool, path: Path) -> str:
        with xlsxwriter.Workbook(str(path)) as wb:
            if rows_class:
                ws = wb.add_worksheet("S", worksheet_class=FastRowsWorksheet)
                for r in range(1, 30):
                    ws.write_cells(r, [(0, f"row {r}", None)], height=15 + 7 * (r % 5))
            else:
                ws = wb.add_worksheet("S")
                for r in range(1, 30):
                    ws.set_row(r, 15 + 7 * (r % 5))
                    ws.write_string(r, 0, f"row {r}")
            for r in (2, 11, 27):
                ws.write_comment(r, 1, f"note on row {r + 1}", {"x_scale": 2, "y_scale": 1.5})
        with zipfile.ZipFile(path) as z:
            return z.read("xl/drawings/vmlDrawing1.vml").decode()

    ours = vml(True, tmp_path / "ours.xlsx")
    assert ours == vml(False, tmp_path / "theirs.xlsx")
    assert ours.count("<x:Anchor>") == 3


def test_an_xlsxwriter_without_what_the_row_writer_needs_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from xlsxwriter.worksheet import Worksheet

    from xlscorecard.core.errors import InstallationError
    from xlscorecard.xlsx.rows import require_xlsxwriter

    require_xlsxwriter()  # the installed one has it all
    monkeypatch.delattr(Worksheet, "_write_sparklines")
    with pytest.raises(InstallationError) as caught:
        require_xlsxwriter()
    message = str(caught.value)
    assert "\n" not in message
    assert "Worksheet._write_sparklines" in message and "XlsxWriter" in message


def test_characters_xml_cannot_hold_read_back_as_typed(tmp_path: Path) -> None:
    """Control characters and the non-characters U+FFFE/U+FFFF go out as Excel's _xHHHH_ escapes."""
    texts = ["unit\x1fseparator", "not a character \ufffe here", "\uffff", "plain, printable text"]
    wb, ws, path = _book(tmp_path)
    for r, text in enumerate(texts):
        ws.write_cells(r, [(0, text, None)])
    wb.close()
    sheet = openpyxl.load_workbook(path)["S"]  # openpyxl shows the escapes; Excel turns them back
    assert [sheet.cell(r + 1, 1).value for r in range(len(texts))] == [
        "unit_x001F_separator", "not a character _xFFFE_ here", "_xFFFF_", "plain, printable text"]
