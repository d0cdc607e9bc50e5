"""What the officers' page shows of each return: its findings record and its row in the listing,
both rendered from the run report (xlscorecard.core.run_report), which does all the counting."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from xlscorecard import __version__
from xlscorecard.core.run_report import FindingRow, RagCounts, RunOutcome
from xlscorecard.web.names import display_name


class FindingsRecord(BaseModel):
    """Everything known about one return's findings; stored as JSON beside an uploaded return."""

    model_config = ConfigDict(extra="ignore")

    name: str  # the return, relative to DIR, with "/" separators: the id used in URLs
    file: str  # the workbook as the officer or the batch submitted it
    original: str | None = None  # the kept upload, relative to DIR
    source: str  # "upload" (this record) or "sidecar" (the check --json object beside the return)
    reporting_period: str | None = None
    rag: RagCounts | None = None
    findings_total: int
    findings_by_code: dict[str, int]
    findings: list[FindingRow]
    converted_at: str | None = None
    sha256: str | None = None  # of the original workbook
    owner: str | None = None  # the signed-in user who uploaded it (None on an open page)
    version: str = __version__


class ReturnEntry(BaseModel):
    """One row of the listing."""

    name: str | None  # None when there is nothing to download (a failed batch row)
    file: str
    origin: Literal["batch", "upload", "folder"]
    status: str | None = None
    reporting_period: str | None = None
    rag: RagCounts | None = None
    findings_total: int | None = None
    findings_by_code: dict[str, int] = {}
    converted_at: str | None = None
    modified_at: str | None = None
    size: int | None = None
    error: str | None = None
    owner: str | None = None  # who uploaded it


class Listing(BaseModel):
    returns: list[ReturnEntry]
    failed: list[ReturnEntry]
    notice: str | None = None


def findings_record(outcome: RunOutcome, findings: list[FindingRow], **about: Any) -> FindingsRecord:
    """A findings record rendering the run report's outcome of one return."""
    return FindingsRecord(
        file=outcome.file, reporting_period=outcome.reporting_period, rag=outcome.rag,
        findings_total=outcome.findings_total, findings_by_code=outcome.findings, findings=findings, **about,
    )


def entry_from_report(row: RunOutcome) -> ReturnEntry:
    return ReturnEntry(
        name=None,
        file=display_name(row.file),
        origin="batch",
        status=row.status,
        reporting_period=row.reporting_period,
        rag=None if row.failed else row.rag,
        findings_total=None if row.failed else row.findings_total,
        findings_by_code=dict(row.findings or {}),
        converted_at=getattr(row, "converted_at", None),
        error=row.error,
    )


def entry_from_record(record: FindingsRecord) -> ReturnEntry:
    return ReturnEntry(
        name=record.name,
        file=record.file,
        origin="upload",
        status="converted",
        reporting_period=record.reporting_period,
        rag=record.rag,
        findings_total=record.findings_total,
        findings_by_code=record.findings_by_code,
        converted_at=record.converted_at,
        owner=record.owner,
    )
