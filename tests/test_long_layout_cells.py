"""Long layouts (one row per indicator per period): every cell a user is pointed at is a real cell
of the sheet they gave, not of the wide grid the reader rebuilds in memory (issue 13, item 3)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import run_cli
from programs import require_program

COUNCILS = Path(__file__).resolve().parent / "councils"

HEADER = ["PI Code", "Indicator", "Quarter", "Value", "Target", "Polarity", "Notes from the lead"]
# Rows deliberately out of order: periods and indicators interleaved, so a cell's place cannot be guessed.
ROWS: list[list[Any]] = [
    ["LX1", "Re-referrals within 12 months", "Q1 2018/19", 21, 20, "Low", "steady"],
    ["LX2", "Assessments within 45 days", "Q2 2018/19", None, 85, "High", "system outage"],  # missing
    ["LX1", "Re-referrals within 12 months", "Q2 2018/19", 23, 20, "Low", "rising"],
    ["LX3", "Care leavers in touch", "Q1 2018/19", "*", 90, "sideways", None],  # suppressed
    ["LX2", "Assessments within 45 days", "Q1 2018/19", 80, 85, "High", None],
    ["LX3", "Care leavers in touch", "Q2 2018/19", "abc", "somewhere near", "sideways", None],
    ["LX4", "Children missing from care", "Q1 2018/19", "n/a", 10, "Low", None],
    ["LX4", "Children missing from care", "Q2 2018/19", None, 10, "Low", None],
]


def _check(path: Path) -> dict[str, Any]:
    result = run_cli("check", path, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module", params=["openpyxl", "libreoffice"])
def long_book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("long")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Long data"
    ws.append(["Quarterly indicators, one row per indicator per quarter"])
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    path = folder / "long.xlsx"
    wb.save(path)
    if request.param == "openpyxl":
        return path
    soffice = require_program("soffice", "apt-get install libreoffice-calc-nogui")
    saved = folder / "saved"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/lo", "--convert-to", "xlsx",
                    "--outdir", str(saved), str(path)], check=True, capture_output=True, timeout=180)
    return saved / "long.xlsx"


def _finding(report: dict[str, Any], code: str, ref: str | None) -> dict[str, Any]:
    found = [f for f in report["findings"] if f["code"] == code and f["ref"] == ref]
    assert len(found) == 1, (code, ref, report["findings"])
    return found[0]


def test_each_finding_names_the_cell_of_the_long_sheet(long_book: Path) -> None:
    report = _check(long_book)
    assert report["reporting_period"] == "Q2 2018/19"
    # Sheet rows: title 1, header 2, then ROWS from row 3.
    assert _finding(report, "missing", "LX2")["cell"] == "D4"  # LX2's Q2 row, Value column
    assert _finding(report, "suppressed", "LX3")["cell"] == "D6"
    assert _finding(report, "unparsed-value", "LX3")["cell"] == "D8"
    assert _finding(report, "unparsed-target", "LX3")["cell"] == "E8"  # the latest row's target
    assert _finding(report, "unparsed-polarity", "LX3")["cell"] == "F8"
    assert _finding(report, "no-values", "LX4")["cell"] == "D10"  # its latest period's value cell
    unrecognised = [f for f in report["findings"] if f["code"] == "unrecognised-column"]
    assert [(f["cell"], "notes from the lead" in f["message"].lower()) for f in unrecognised] == [("G2", True)]
    lx1 = next(i for i in report["indicators"] if i["ref"] == "LX1")
    assert lx1["extra"] == {"Notes from the lead": "rising"}  # carried as text, from the latest row
    assert lx1["row"] == 3  # the indicator's first row


def test_every_cell_in_check_json_holds_what_was_read_from_it(long_book: Path) -> None:
    """Each value's, target's and row's cell, looked up in the workbook itself, is that indicator's
    row for that period and holds the value read."""
    report = _check(long_book)
    wb = openpyxl.load_workbook(long_book)
    ws = wb.worksheets[0]
    try:
        for ind in report["indicators"]:
            assert ws.cell(ind["row"], 1).value == ind["ref"]
            assert all(ws.cell(r, 1).value != ind["ref"] for r in range(1, ind["row"]))
            for label, value in ind["values"].items():
                cell = value["cell"]
                assert cell, (ind["ref"], label)
                row = ws[cell].row
                assert (ws.cell(row, 1).value, ws.cell(row, 3).value) == (ind["ref"], label)
                assert ws[cell].column_letter == "D"
                held = ws[cell].value
                assert (None if held is None else str(held)) == (None if value["raw"] is None else str(value["raw"]))
            target = ws[ind["target"]["cell"]]
            assert target.column_letter == "E" and ws.cell(target.row, 1).value == ind["ref"]
    finally:
        wb.close()


def test_southvale_long_fixture_points_at_its_own_cells() -> None:
    report = _check(COUNCILS / "southvale_long.xlsx")
    sv01 = next(i for i in report["indicators"] if i["ref"] == "SV01")
    assert sv01["row"] == 2
    assert {label: v["cell"] for label, v in sv01["values"].items()} == {
        "Q4 2017/18": "E2", "Q1 2018/19": "E3", "Q2 2018/19": "E4"}
    assert sv01["target"]["cell"] == "F4"
    sv04 = next(i for i in report["indicators"] if i["ref"] == "SV04")
    assert sv04["values"]["Q2 2018/19"]["cell"] == "E13"
