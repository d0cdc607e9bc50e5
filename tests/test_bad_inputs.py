"""Unusable inputs through the real `xlscorecard check` (DESIGN 8-9): exit 2, one line naming the file.

Each case runs the installed console script in a subprocess, so "no traceback" is what a user sees,
and the input file must be byte-identical afterwards.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLE, run_cli

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole2(stream_name: str) -> bytes:
    """An OLE2 compound-file header followed by a directory entry naming one stream (UTF-16LE)."""
    header = OLE2_MAGIC + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\x00" * (512 - 32)
    entry = stream_name.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64
    return header + entry + b"\x00" * 1024


def not_a_zip(path: Path) -> None:
    path.write_text("PI Ref\tMeasure\n1.1\tNumber of contacts\n", encoding="utf-8")


def truncated(path: Path) -> None:
    data = EXAMPLE.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def empty(path: Path) -> None:
    path.write_bytes(b"")


def no_header(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Budget", "Spend", "Variance"])
    ws.append([100, 90, 10])
    wb.save(path)


def old_xls(path: Path) -> None:
    path.write_bytes(_ole2("Workbook"))


def encrypted(path: Path) -> None:
    path.write_bytes(_ole2("EncryptionInfo") + _ole2("EncryptedPackage")[512:])


def xlsb(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
        z.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")


def ods(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')


def word_document(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", "<w:document/>")


CASES: list[tuple[str, str, Callable[[Path], None], str]] = [
    ("not-a-zip", "scorecard.xlsx", not_a_zip, "zip"),
    ("truncated", "scorecard.xlsx", truncated, "truncated"),
    ("empty", "scorecard.xlsx", empty, "empty"),
    ("no-header", "budget.xlsx", no_header, "header"),
    ("xls", "scorecard.xls", old_xls, ".xls"),
    ("xls-named-xlsx", "scorecard.xlsx", old_xls, ".xls"),
    ("xlsb", "scorecard.xlsb", xlsb, ".xlsb"),
    ("ods", "scorecard.ods", ods, ".ods"),
    ("password", "Q2 return (protected).xlsx", encrypted, "password"),
    ("docx", "report.xlsx", word_document, "not an Excel workbook"),
]


@pytest.mark.parametrize(("name", "builder", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_and_untouched(
    tmp_path: Path, name: str, builder: Callable[[Path], None], words: str
) -> None:
    path = tmp_path / name
    builder(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    result = run_cli("check", path, "--json")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip("\n").split("\n")
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0], "the error names the file"
    assert words.lower() in lines[0].lower()
    assert result.stdout == "", "no half-written JSON on stdout"

    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "the input must not be modified"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name], "nothing else was written beside it"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "no such file.xlsx"
    result = run_cli("check", path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip("\n").split("\n")
    assert len(lines) == 1 and str(path) in lines[0]
    assert "not found" in lines[0]
    assert not path.exists()


def test_folder_instead_of_a_file(tmp_path: Path) -> None:
    result = run_cli("check", tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip("\n").split("\n")
    assert len(lines) == 1 and str(tmp_path) in lines[0]
