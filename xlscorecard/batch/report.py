"""The run's report: report.json (ReportRow, Report), report.csv, tidy.csv, and the log line per input."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from xlscorecard import __version__
from xlscorecard.batch.lines import now, one_line
from xlscorecard.batch.outbox import atomic_write
from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.findings import Code
from xlscorecard.core.run_report import RunOutcome

REPORT_JSON = "report.json"
REPORT_CSV = "report.csv"
TIDY_CSV = "tidy.csv"  # every return's figures in one table (xlscorecard.core.tidy), from their sidecars

Status = Literal["converted", "skipped", "failed"]


class ReportRow(RunOutcome):
    """One input of a batch run, as report.json and report.csv show it: the run report's outcome
    (xlscorecard.core.run_report) plus when the return was written and the input's hash."""

    model_config = ConfigDict(extra="ignore")

    status: Status
    converted_at: str | None = None  # ISO-8601, when the return was written
    sha256: str = ""  # of the input's bytes; empty when they could not be read


class Report(BaseModel):
    """The whole of report.json."""

    model_config = ConfigDict(extra="ignore")

    generated_at: str
    version: str
    rules: str | None
    rows: list[ReportRow]


def load_report(outbox: str | Path) -> list[ReportRow]:
    """The rows of OUTBOX/report.json; [] when no batch has written one yet."""
    path = Path(outbox) / REPORT_JSON
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ScorecardError(f"cannot read the batch report ({exc.strerror or exc})", path) from None
    try:
        return Report.model_validate_json(text).rows
    except ValidationError as exc:
        raise ScorecardError(f"batch report is damaged ({exc.errors()[0]['msg']})", path) from None


def write_reports(outbox: Path, rules: str | None, rows: list[ReportRow], note: Callable[[str], None]) -> list[str]:
    """Write report.json, report.csv and tidy.csv; each that cannot be replaced (open in Excel) is a
    problem, returned and told to `note` as it happens."""
    report = Report(generated_at=now(), version=__version__, rules=rules, rows=rows)
    text = json.dumps(report.model_dump(mode="json"), indent=1, ensure_ascii=False) + "\n"
    problems = []
    for name, data in (
        (REPORT_JSON, text.encode("utf-8", "backslashreplace")),
        (REPORT_CSV, report_csv(rows).encode("utf-8-sig", "backslashreplace")),
    ):
        try:
            atomic_write(outbox / name, data)
        except OSError as exc:
            problems.append(f"cannot write {outbox / name} ({exc.strerror or exc}); is it open in Excel?")
            note(problems[-1])
    try:
        write_tidy_csv(outbox, rows)
    except OSError as exc:
        problems.append(f"cannot write {outbox / TIDY_CSV} ({exc.strerror or exc}); is it open in Excel?")
        note(problems[-1])
    return problems


def write_tidy_csv(outbox: Path, rows: list[ReportRow]) -> None:
    """tidy.csv: the tidy rows of every return in the report (all councils and quarters), from their sidecars."""
    from xlscorecard.core.tidy import tidy_rows
    from xlscorecard.export import TidyFormat, write_tidy
    from xlscorecard.sidecar import read_sidecar

    tidy: list[dict[str, Any]] = []
    for row in rows:
        if row.output and (check := read_sidecar(outbox / row.output)) is not None:
            for line in tidy_rows(check):
                line["file"] = row.file  # the inbox's name for it, not the worker's path
                tidy.append(line)
    write_tidy(tidy, outbox / TIDY_CSV, TidyFormat.CSV)


CSV_FIXED = ["file", "status", "reporting_period", "green", "amber", "red", "not_rated", "findings_total"]
CSV_TAIL = ["output", "error", "converted_at", "sha256"]


def report_csv(rows: list[ReportRow]) -> str:
    """report.csv: one row per input, one column per finding code (so the columns never move)."""
    codes = [code.value for code in Code]
    codes += sorted({code for row in rows for code in row.findings} - set(codes))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIXED + codes + CSV_TAIL)
    for row in rows:
        data = row.model_dump()
        values = [data[name] for name in CSV_FIXED] + [row.findings.get(code, 0) for code in codes]
        values += [data[name] for name in CSV_TAIL]
        writer.writerow([_csv_cell(value) for value in values])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    """Text that Excel would run as a formula (a file named '=HYPERLINK(...).xlsx') gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def describe(row: ReportRow) -> str:
    """The log line for one input."""
    if row.status == "failed":
        return f"FAILED {one_line(row.file)}: {one_line(row.error or 'unknown problem')}"
    verb = "converted" if row.status == "converted" else "unchanged"
    plural = "" if row.findings_total == 1 else "s"
    return (
        f"{verb} {one_line(row.file)} -> {one_line(row.output or '')}"
        f" (G {row.green} A {row.amber} R {row.red}, {row.findings_total} finding{plural})"
    )
