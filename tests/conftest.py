"""Shared fixtures: the example workbook, the TSV it came from, and workbook builders.

The TSV export of the real Q2 2018-19 scorecard is the oracle: `expected_cell` reads a cell's text
with a few plain regular expressions (independently of xlscorecard.core.values), so tests compare what
the reader produced with what the source data says, not with the code's own output.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xlscorecard.api import load_scorecard
from xlscorecard.core.assessment import Assessment, assess
from xlscorecard.core.scorecard import Scorecard

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE = EXAMPLES / "scorecard_q2_2018-19.xlsx"
TSV = EXAMPLES / "childrens_services_scorecard_q2_2018-19.tsv"
EXAMPLE_SHEET = "Q2 2018-19"

# Columns of the TSV (0-based): A ref, B measure, C lead, D polarity, E SN, F national, G target,
# H..N periods, O RAG, P arrow, Q comments.
NUMERIC_COLUMNS = range(4, 14)  # E..N: benchmarks, target and the seven periods
PERIOD_COLUMNS = range(7, 14)  # H..N
TARGET_COLUMN = 6  # G
VALUE_COLUMNS = [c for c in NUMERIC_COLUMNS if c != TARGET_COLUMN]  # benchmarks and periods
HEADER_FIRST_CELL = "PI Ref"


def tsv_rows() -> list[list[str]]:
    with TSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter="\t"))


def is_header(row: Sequence[str]) -> bool:
    return bool(row) and row[0] == HEADER_FIRST_CELL


def is_pi_row(row: Sequence[str]) -> bool:
    return len(row) > 1 and bool(row[0]) and not is_header(row) and any(row[1:])


def pi_rows() -> list[tuple[int, list[str]]]:
    """(1-based sheet row, cells) for every PI row of the TSV (the example keeps the TSV's rows)."""
    return [(i, row) for i, row in enumerate(tsv_rows(), start=1) if is_pi_row(row)]


# ------------------------------------------------------------------ the oracle

_PCT_OR_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ORACLE_NUMBER = re.compile(rf"^({_PCT_OR_NUM})(%?)$")
_ORACLE_RANGE = re.compile(rf"^({_PCT_OR_NUM})(%?)-({_PCT_OR_NUM})(%?)$")
_ORACLE_LEADING = re.compile(rf"^({_PCT_OR_NUM})(%?)\s*[(/].*$")
_ORACLE_SUPPRESSED = {"supressed", "suppressed"}


@dataclass(frozen=True)
class Expected:
    """What a cell means, read from the TSV text by hand-written rules."""

    status: str  # number, composite, range, suppressed, blank
    number: float | None = None
    low: float | None = None
    high: float | None = None
    percent_written: bool = False


def expected_cell(text: str) -> Expected:
    text = text.strip()
    if not text:
        return Expected("blank")
    if text.lower() in _ORACLE_SUPPRESSED:
        return Expected("suppressed")
    if m := _ORACLE_NUMBER.match(text):
        return Expected("number", number=float(m[1].replace(",", "")), percent_written=bool(m[2]))
    if m := _ORACLE_RANGE.match(text):
        return Expected(
            "range",
            low=float(m[1].replace(",", "")),
            high=float(m[3].replace(",", "")),
            percent_written=bool(m[2] or m[4]),
        )
    if m := _ORACLE_LEADING.match(text):
        return Expected("composite", number=float(m[1].replace(",", "")), percent_written=bool(m[2]))
    raise AssertionError(f"the oracle does not know the TSV text {text!r}")


def row_is_percent(row: Sequence[str]) -> bool:
    """A PI is a percentage when any of its figures is written with % or its measure says so."""
    measure = row[1].strip().lower()
    return measure.startswith(("%", "percentage")) or any("%" in row[c] for c in NUMERIC_COLUMNS if c < len(row))


# ------------------------------------------------------------------ workbook builders

CellBuilder = Callable[[str, int], tuple[Any, str | None]]

_PCT = re.compile(r"^(\d+(?:\.(\d+))?)%$")
_NUM = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.(\d+))?$")


def cell_as_text(text: str, column: int) -> tuple[Any, str | None]:
    """Style (b): everything stored as the text shown ("31%", "9,536")."""
    return text, None


def cell_as_plain_number(text: str, column: int) -> tuple[Any, str | None]:
    """Style (a): percentages as plain numbers (31% -> 31), no number format."""
    if column in NUMERIC_COLUMNS:
        if m := _PCT.match(text):
            return float(m[1]), None
        if _NUM.match(text):
            return float(text.replace(",", "")), None
    return text, None


def cell_as_fraction(text: str, column: int) -> tuple[Any, str | None]:
    """Style (c): percentages as fractions with a percent format (31% -> 0.31 shown with '0%')."""
    if column in NUMERIC_COLUMNS:
        if m := _PCT.match(text):
            places = len(m[2] or "")
            fmt = "0" + ("." + "0" * places if places else "") + "%"
            return round(float(m[1]) / 100, places + 2), fmt
        if _NUM.match(text):
            return float(text.replace(",", "")), "#,##0.0" if "." in text else "#,##0"
    return text, None


STYLES: dict[str, CellBuilder] = {
    "plain": cell_as_plain_number,
    "text": cell_as_text,
    "fraction": cell_as_fraction,
}


def write_tsv_workbook(
    path: Path,
    cell: CellBuilder,
    header: Callable[[list[str]], list[str]] | None = None,
    sheet: str = EXAMPLE_SHEET,
) -> Path:
    """The TSV written row for row (so sheet rows match the TSV's line numbers) in a given style."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    for r, row in enumerate(tsv_rows(), start=1):
        if is_header(row) and header is not None:
            row = header(list(row))
        for c, text in enumerate(row):
            if not text:
                continue
            value, fmt = (text, None) if is_header(row) else cell(text, c)
            target = ws.cell(r, c + 1, value)
            if fmt:
                target.number_format = fmt
    wb.save(path)
    return path


def write_workbook(
    path: Path,
    rows: Sequence[Sequence[Any]],
    formats: dict[str, str] | None = None,
    sheet: str = "Scorecard",
    extra_sheets: dict[str, Sequence[Sequence[Any]]] | None = None,
) -> Path:
    """A workbook from a 2-D list; `formats` maps A1 addresses to number formats.

    Strings are stored as strings even when they start with '=' (openpyxl would otherwise write
    a formula), so a crafted comment can hold the text of a formula.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    _fill(ws, rows)
    for address, fmt in (formats or {}).items():
        ws[address].number_format = fmt
    for name, other in (extra_sheets or {}).items():
        _fill(wb.create_sheet(name), other)
    wb.save(path)
    return path


def _fill(ws: Any, rows: Sequence[Sequence[Any]]) -> None:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(r, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"


HEADER = [
    "PI Ref",
    "Measure",
    "Lead for comments",
    "Polarity",
    "Stat Neigh Av",
    "National Av",
    "Target",
    "Qu 4 17-18",
    "Qu 1 18-19",
    "Qu 2 18-19",
    "RAG",
    "Quarterly dir of travel",
    "Comments",
]
COL = {name: openpyxl.utils.get_column_letter(i) for i, name in enumerate(HEADER, start=1)}


def pi(ref: str, measure: str, **cells: Any) -> list[Any]:
    """One PI row in HEADER's layout: pi("1.1", "Number of contacts", target=5, q2=4, q1=3)."""
    keys = {
        "lead": 2,
        "polarity": 3,
        "sn": 4,
        "national": 5,
        "target": 6,
        "q4": 7,
        "q1": 8,
        "q2": 9,
        "rag": 10,
        "arrow": 11,
        "comments": 12,
    }
    row: list[Any] = [ref, measure] + [None] * (len(HEADER) - 2)
    for key, value in cells.items():
        row[keys[key]] = value
    return row


def small_sheet(*pi_rows: list[Any], title: str = "Test scorecard") -> list[list[Any]]:
    """Title, blank, header (row 3), a section heading (row 4), then the PI rows from row 5."""
    return [[title], [], HEADER, ["Section A"], *pi_rows]


FIRST_PI_ROW = 5


# ------------------------------------------------------------------ the CLI


def cli_command() -> list[str]:
    exe = shutil.which("xlscorecard")
    if exe is None:  # pragma: no cover - the package is installed editable in the test env
        pytest.skip("the xlscorecard console script is not installed")
    return [exe]


def run_cli(
    *args: str | Path, cwd: Path | None = None, module: bool = False, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """The command line as a user runs it: the console script, or `python -m xlscorecard` with `module`."""
    command = [sys.executable, "-m", "xlscorecard"] if module else cli_command()
    return subprocess.run(
        [*command, *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        check=False,
        env=_cli_env(),
        timeout=timeout,
    )


def _cli_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("XLSCORECARD_DEBUG", None)
    env["PYTHONIOENCODING"] = "utf-8"
    env["COLUMNS"] = "200"
    return env


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def example_scorecard() -> Scorecard:
    return load_scorecard(EXAMPLE)


@pytest.fixture(scope="session")
def example_assessment(example_scorecard: Scorecard) -> Assessment:
    return assess(example_scorecard)


@pytest.fixture(scope="session")
def three_ways(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The TSV stored three ways: plain numbers, text, and fractions with percent formats."""
    folder = tmp_path_factory.mktemp("three_ways")
    return {name: write_tsv_workbook(folder / f"{name}.xlsx", builder) for name, builder in STYLES.items()}
