"""`xlscorecard export`: tidy data, one row per PI per period that holds a value (issue 18)."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLE, PERIOD_COLUMNS, pi, pi_rows, run_cli, small_sheet, tsv_rows, write_workbook

TIDY_COLUMNS = ["ref", "measure", "section", "period", "granularity", "start", "end", "value", "unit", "status",
                "raw", "target", "polarity", "rag", "travel"]


@pytest.fixture(scope="module")
def check_json() -> dict:  # type: ignore[type-arg]
    done = run_cli("check", EXAMPLE, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("export")
    paths = {}
    for fmt in ("csv", "parquet", "json"):
        done = run_cli("export", EXAMPLE, "--format", fmt, "-o", out)
        assert done.returncode == 0, done.stderr
        paths[fmt] = Path(done.stdout.strip())
        assert paths[fmt] == out / f"scorecard_q2_2018-19 tidy.{fmt}"
    return paths


def test_one_row_per_pi_and_period_that_holds_a_value(exported: dict[str, Path]) -> None:
    frame = pd.read_parquet(exported["parquet"])
    assert set(TIDY_COLUMNS) <= set(frame.columns)
    # The oracle: the TSV the example was built from, cell by cell.
    header = next(r for r in tsv_rows() if r and r[0] == "PI Ref")
    expected = {(row[0], header[c]) for _, row in pi_rows() for c in PERIOD_COLUMNS if c < len(row) and row[c].strip()}
    got = set(zip(frame["ref"], frame["period"], strict=True))
    assert len(got) == len(frame), "no PI and period twice"
    assert got == expected


def test_values_units_and_statuses_equal_check_json(exported: dict[str, Path], check_json: dict) -> None:  # type: ignore[type-arg]
    frame = pd.read_parquet(exported["parquet"])
    by_key = {(r.ref, r.period): r for r in frame.itertuples()}
    compared = 0
    for ind in check_json["indicators"]:
        for label, value in ind["values"].items():
            if value["raw"] is None:
                assert (ind["ref"], label) not in by_key
                continue
            row = by_key[ind["ref"], label]
            if value["number"] is None:
                assert pd.isna(row.value)
            else:
                assert row.value == value["number"]
            assert (row.unit if isinstance(row.unit, str) else None) == value["unit"]
            assert row.status == value["status"] and row.raw == value["raw"]
            assert row.measure == ind["measure"] and row.section == ind["section"]
            compared += 1
    assert compared == len(frame) > 300
    red = frame[(frame.ref == "1.10") & (frame.period == "Qu 2 18-19")].iloc[0]
    assert (red.value, red.unit, red.rag, red.travel, red.target, red.polarity) == (74.0, "%", "red", "same", "0.9",
                                                                                    "high")
    assert (red.granularity, red.start, red.end) == ("quarter", date(2018, 7, 1), date(2018, 9, 30))
    year = frame[(frame.ref == "1.10") & (frame.period == "Yr. end 17-18")].iloc[0]
    assert (year.granularity, year.start, year.end) == ("financial_year", date(2017, 4, 1), date(2018, 3, 31))
    assert pd.isna(year.rag), "RAG sits on the row of the period it rates"


def test_parquet_csv_and_json_read_back_as_the_same_frame(exported: dict[str, Path]) -> None:
    parquet = pd.read_parquet(exported["parquet"])
    as_json = pd.DataFrame(json.loads(exported["json"].read_text(encoding="utf-8")))
    as_csv = pd.read_csv(exported["csv"], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(parquet.columns) == list(as_json.columns) == list(as_csv.columns)
    for name in ("start", "end"):
        parquet[name] = parquet[name].map(lambda d: d.isoformat() if isinstance(d, date) else None)
    pd.testing.assert_frame_equal(parquet, as_json, check_dtype=False)
    assert list(as_csv["ref"]) == list(parquet["ref"])
    assert [float(v) if v else None for v in as_csv["value"]] == \
           [None if pd.isna(v) else v for v in parquet["value"]]


def test_format_comes_from_the_file_name_and_text_never_becomes_a_formula(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "in.xlsx", small_sheet(
        pi("1.1", "=HYPERLINK(\"http://x\",\"click\")", q1=3, q2="@SUM(A1)", comments="+1 call me")))
    done = run_cli("export", book, "-o", tmp_path / "tidy.json")
    assert done.returncode == 0, done.stderr
    rows = json.loads((tmp_path / "tidy.json").read_text(encoding="utf-8"))
    assert rows[0]["measure"] == "=HYPERLINK(\"http://x\",\"click\")", "JSON keeps the text as it is"
    done = run_cli("export", book, "-o", tmp_path / "tidy.csv")
    assert done.returncode == 0, done.stderr
    with (tmp_path / "tidy.csv").open(encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert not any(c.startswith(("=", "+", "@")) for c in cells), "a spreadsheet would run these"
    assert "'=HYPERLINK(\"http://x\",\"click\")" in cells


def test_export_bad_input_and_bad_format_exit_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    for args in (("export", bad, "-o", tmp_path), ("export", EXAMPLE, "--format", "xml", "-o", tmp_path)):
        done = run_cli(*args)
        assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "bad.xlsx" in run_cli("export", bad, "-o", tmp_path).stderr
    assert list(tmp_path.iterdir()) == [bad], "nothing written"


def test_a_fourth_quarter_runs_january_to_march_of_the_next_calendar_year(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "in.xlsx", small_sheet(pi("1.1", "Number of contacts", q4=5, q1=6, q2=None)))
    done = run_cli("export", book, "--format", "json", "-o", tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {r["period"]: r for r in json.loads((tmp_path / "in tidy.json").read_text(encoding="utf-8"))}
    assert set(rows) == {"Qu 4 17-18", "Qu 1 18-19"}, "an empty cell gives no row"
    assert (rows["Qu 4 17-18"]["start"], rows["Qu 4 17-18"]["end"]) == ("2018-01-01", "2018-03-31")
    assert (rows["Qu 1 18-19"]["start"], rows["Qu 1 18-19"]["end"]) == ("2018-04-01", "2018-06-30")
    assert rows["Qu 1 18-19"]["reporting_period"] is True and rows["Qu 1 18-19"]["value"] == 6
