"""`xlscorecard check` through the real console script (DESIGN 9): JSON contract, summary, options."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    EXAMPLE,
    EXAMPLE_SHEET,
    PERIOD_COLUMNS,
    VALUE_COLUMNS,
    expected_cell,
    pi,
    pi_rows,
    run_cli,
    small_sheet,
    write_workbook,
)

Q2 = PERIOD_COLUMNS.start + 3  # the TSV column of "Qu 2 18-19"


def one_error_line(result: subprocess.CompletedProcess[str], path: Path | str) -> str:
    """The contract for unusable input: exit 2, one line on stderr naming the file, no traceback."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip("\n").split("\n")
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0]
    return lines[0]


@pytest.fixture(scope="session")
def example_json() -> dict[str, Any]:
    result = run_cli("check", EXAMPLE, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def by_ref(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {ind["ref"]: ind for ind in data["indicators"]}


def test_json_top_level_keys(example_json: dict[str, Any]) -> None:
    required = {"file", "sheet", "title", "reporting_period", "periods", "sections", "indicators", "findings"}
    assert required <= example_json.keys()
    assert example_json["file"] == str(EXAMPLE)
    assert example_json["sheet"] == EXAMPLE_SHEET
    assert example_json["title"] == "Children's Services Scorecard - Quarter 2, 2018-19"
    assert example_json["reporting_period"] == "Qu 2 18-19"
    assert example_json["periods"] == [
        "Yr. end 17-18",
        "Qu 4 17-18",
        "Qu 1 18-19",
        "Qu 2 18-19",
        "Qu 3 18-19",
        "Qu 4 18-19",
        "Yr. end 18-19",
    ]
    assert len(example_json["sections"]) == 14
    assert example_json["sections"][:2] == ["Safeguarding", "Cared for Children"]
    assert len(example_json["indicators"]) == 104


def test_json_indicator_shape(example_json: dict[str, Any]) -> None:
    for ind in example_json["indicators"]:
        assert {"ref", "measure", "section", "row", "polarity", "target", "values", "rag", "travel"} <= ind.keys()
        assert isinstance(ind["row"], int)
        assert ind["polarity"] in ("high", "low", None)
        assert "raw" in ind["target"]
        assert list(ind["values"]) == example_json["periods"]
        for value in ind["values"].values():
            assert {"raw", "number", "unit", "status"} <= value.keys()
            assert value["unit"] in ("%", None)
            assert isinstance(value["status"], str)
        assert {"rating", "period", "explanation"} <= ind["rag"].keys()
        assert ind["rag"]["rating"] in ("green", "amber", "red", None)
        assert ind["rag"]["explanation"]
        assert {"direction", "meaning", "explanation"} <= ind["travel"].keys()
        assert ind["travel"]["direction"] in ("up", "down", "same", None)
        assert ind["travel"]["meaning"] in ("improving", "worsening", "same", None)


@pytest.mark.parametrize(
    ("ref", "period", "raw", "number", "unit", "status"),
    [
        ("1.1", "Qu 2 18-19", "2200", 2200.0, None, "number"),
        ("1.1", "Yr. end 17-18", "9,536", 9536.0, None, "number"),
        ("1.3", "Qu 2 18-19", None, 32.0, "%", "number"),  # stored as 0.32; in percent units in JSON
        ("1.7", "Qu 2 18-19", "Supressed", None, None, "suppressed"),
        ("2.10", "Qu 2 18-19", None, None, None, "blank"),
        ("1.13", "Qu 2 18-19", "20% (rolling yr)/18% just Q2", 20.0, "%", "composite"),
    ],
)
def test_json_values(
    example_json: dict[str, Any], ref: str, period: str, raw: str | None, number: float | None, unit: str, status: str
) -> None:
    value = by_ref(example_json)[ref]["values"][period]
    if raw is not None:
        assert value["raw"] == raw
    assert (value["number"], value["unit"], value["status"]) == (number, unit, status)


def test_json_findings_shape_and_cells(example_json: dict[str, Any]) -> None:
    for f in example_json["findings"]:
        assert {"code", "severity", "sheet", "cell", "ref", "message"} <= f.keys()
        assert f["severity"] in ("error", "warning", "info")
        assert f["sheet"] == EXAMPLE_SHEET
    pairs = {(f["code"], f["ref"], f["cell"]) for f in example_json["findings"]}
    assert {
        ("suppressed", "1.7", "K13"),
        ("missing", "2.10", "K38"),
        ("arrow-disagrees", "1.17", "P25"),
        ("annual-target-in-year", "4.3", "G47"),
        ("benchmark-not-comparable", "6.8", "F77"),
    } <= pairs


def test_check_changes_nothing(tmp_path: Path) -> None:
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(EXAMPLE.read_bytes())
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    assert run_cli("check", copy).returncode == 0
    assert run_cli("check", copy, "--json").returncode == 0
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.xlsx"], "no stray output files"


def test_readable_summary() -> None:
    result = run_cli("check", EXAMPLE)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines[0] == "Children's Services Scorecard - Quarter 2, 2018-19"
    assert "Reporting period: Qu 2 18-19" in out
    assert "104 PIs in 14 sections" in out
    findings_line = next(line for line in lines if line.startswith("Findings:"))
    suppressed = sum(1 for _, row in pi_rows() for c in VALUE_COLUMNS if expected_cell(row[c]).status == "suppressed")
    missing = sum(1 for _, row in pi_rows() if not row[Q2])
    assert f"suppressed {suppressed}" in findings_line
    assert f"missing {missing}" in findings_line
    assert "arrow-disagrees" in findings_line


def test_readable_and_json_counts_agree(example_json: dict[str, Any]) -> None:
    result = run_cli("check", EXAMPLE)
    findings_line = next(line for line in result.stdout.splitlines() if line.startswith("Findings:"))
    codes: dict[str, int] = {}
    for f in example_json["findings"]:
        codes[f["code"]] = codes.get(f["code"], 0) + 1
    for code, n in codes.items():
        assert f"{code} {n}" in findings_line


def test_period_option_changes_the_reporting_period() -> None:
    result = run_cli("check", EXAMPLE, "--json", "--period", "Qu 1 18-19")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["reporting_period"] == "Qu 1 18-19"
    contacts = by_ref(data)["1.1"]
    assert contacts["rag"]["period"] == "Qu 1 18-19"
    # Q1 is compared with the prior year's Q4: 2,458 -> 2,374 (TSV row 7)
    assert (contacts["travel"]["direction"], contacts["travel"]["previous_period"]) == ("down", "Qu 4 17-18")
    assert "2,458 to 2,374" in contacts["travel"]["explanation"]
    # 4.6 in Q1 was 108 against a ceiling of 121 (low is good): met
    assert by_ref(data)["4.6"]["rag"]["rating"] == "green"


@pytest.mark.parametrize("period", ["Qu 3 19-20", "Qu 9 18-19", "last quarter"])
def test_unknown_period_is_one_line_exit_2(period: str) -> None:
    result = run_cli("check", EXAMPLE, "--period", period)
    line = one_error_line(result, EXAMPLE)
    assert period in line
    assert result.stdout == ""


def _two_sheet_book(tmp_path: Path) -> Path:
    q1 = small_sheet(pi("1.1", "Number of contacts", q4=2458, q1=2374), title="Q1 return")
    q2 = small_sheet(pi("1.1", "Number of contacts", q4=2458, q1=2374, q2=2200), title="Q2 return")
    return write_workbook(tmp_path / "two.xlsx", q1, sheet="Q1", extra_sheets={"Q2": q2})


@pytest.mark.parametrize(
    ("sheet", "title", "period", "q2"),
    [
        (None, "Q1 return", "Qu 1 18-19", None),
        ("Q1", "Q1 return", "Qu 1 18-19", None),
        ("Q2", "Q2 return", "Qu 2 18-19", 2200.0),
    ],
)
def test_sheet_option_picks_a_sheet(
    tmp_path: Path, sheet: str | None, title: str, period: str, q2: float | None
) -> None:
    path = _two_sheet_book(tmp_path)
    result = run_cli("check", path, "--json", *(["--sheet", sheet] if sheet else []))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["sheet"], data["title"], data["reporting_period"]) == (sheet or "Q1", title, period)
    assert by_ref(data)["1.1"]["values"]["Qu 2 18-19"]["number"] == q2


def test_unknown_sheet_is_one_line_exit_2(tmp_path: Path) -> None:
    path = _two_sheet_book(tmp_path)
    line = one_error_line(run_cli("check", path, "--sheet", "Q3"), path)
    assert "Q3" in line


def test_sheet_without_a_scorecard_is_one_line_exit_2() -> None:
    line = one_error_line(run_cli("check", EXAMPLE, "--sheet", "Contents"), EXAMPLE)
    assert "Contents" in line


def test_help_and_version() -> None:
    assert run_cli("check", "--help").returncode == 0
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("xlscorecard ")
