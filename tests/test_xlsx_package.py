"""The workbook that zips its parts while later ones are written: same package, nothing left behind."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.styles import Styles

from xlscorecard.xlsx_package import OverlappedWorkbook

NOTES: list[tuple[str, dict[str, Any]]] = [
    ("plain note", {}),
    ("  leading and trailing  ", {"visible": True}),
    ("a & b < c > d \"quoted\"", {"author": "Analyst & co", "color": "#CCFFCC"}),
    ("bell\x07, _x0041_ as typed,\nsecond line", {"font_name": "Arial", "font_size": 10, "x_scale": 2}),
    ("émoji 🡅 ↑", {"author": "Another", "y_scale": 1.5, "visible": False, "x_offset": 5}),
]


def _fill(wb: xlsxwriter.Workbook) -> None:
    wb.set_properties({"title": "Parts", "created": datetime(2019, 10, 1)})
    bold = wb.add_format({"bold": True})
    for s in range(3):
        ws = wb.add_worksheet(f"Sheet {s + 1}")
        for r in range(2000):
            ws.write_row(r, 0, [f"row {r} & <text>", r * 1.5, r % 7 == 0], bold if r % 3 else None)
        for r, (text, options) in enumerate(NOTES):
            ws.write_comment(r * 7 + s, 1 + r % 3, text, options)
        ws.add_sparkline(0, 4, {"range": f"'Sheet {s + 1}'!B1:B10"})
    wb.worksheets()[1].insert_button("H3", {"macro": "run", "caption": "Run"})
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({"values": "='Sheet 1'!$B$1:$B$5"})
    wb.worksheets()[0].insert_chart("G2", chart)


def _parts(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        return [(info.filename, z.read(info)) for info in z.infolist()]


@pytest.mark.filterwarnings("ignore:Sparkline Group extension")
def test_the_package_has_xlsxwriters_parts_in_its_order_with_the_same_bytes(tmp_path: Path) -> None:
    theirs, ours = tmp_path / "theirs.xlsx", tmp_path / "ours.xlsx"
    with xlsxwriter.Workbook(str(theirs)) as wb:
        _fill(wb)
    with OverlappedWorkbook(str(ours)) as wb:
        _fill(wb)
    assert _parts(ours) == _parts(theirs)
    assert len(_parts(ours)) > 15
    book = openpyxl.load_workbook(ours)
    assert book["Sheet 3"]["A1999"].value == "row 1998 & <text>"
    assert book["Sheet 2"]["B2000"].value == 1999 * 1.5


def _close_fails_leaving_no_parts(tmp_path: Path, error: type[Exception], message: str) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    wb = OverlappedWorkbook(str(tmp_path / "out.xlsx"), {"tmpdir": str(parts)})
    _fill(wb)
    with pytest.raises(error, match=message):
        wb.close()
    assert list(parts.iterdir()) == []


def test_a_part_that_fails_leaves_no_temporary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Styles come after the sheets, notes and chart: those were handed to the zip thread already."""
    def broken(self: Any) -> None:
        raise RuntimeError("styles could not be written")

    monkeypatch.setattr(Styles, "_assemble_xml_file", broken)
    _close_fails_leaving_no_parts(tmp_path, RuntimeError, "styles could not be written")


def test_a_zip_that_cannot_be_written_fails_the_close(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = zipfile.ZipFile.open

    def disk_full(self: zipfile.ZipFile, name: Any, mode: str = "r", **kwargs: Any) -> Any:
        if mode == "w" and str(name).startswith("xl/worksheets/sheet2"):
            raise OSError(28, "No space left on device")
        return real_open(self, name, mode, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", disk_full)
    _close_fails_leaving_no_parts(tmp_path, FileCreateError, "No space left")


def test_a_workbook_in_memory_is_closed_as_xlsxwriter_closes_it(tmp_path: Path) -> None:
    theirs, ours = tmp_path / "theirs.xlsx", tmp_path / "ours.xlsx"
    with xlsxwriter.Workbook(str(theirs), {"in_memory": True}) as wb:
        _fill(wb)
    with OverlappedWorkbook(str(ours), {"in_memory": True}) as wb:
        _fill(wb)
    assert _parts(ours) == _parts(theirs)
