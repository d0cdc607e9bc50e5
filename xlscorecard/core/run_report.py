"""The run report: one model of a conversion's outcome, rendered by the CLI, batch and the web page.

Built from an Assessment by `outcome_of` (or, for a return converted earlier, from the `check --json`
object saved beside it by `outcome_from_check_json`). The RAG counts and the findings by code are
the Assessment's (`rag_counts`, `finding_counts`), as are the `check --json` object's. No I/O.

The field names are report.json's and report.csv's public columns (`findings` is the count by code).
Loading is tolerant: fields an older version did not write take their defaults, unknown ones are
ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from xlscorecard.core.findings import count_codes

if TYPE_CHECKING:  # only typing: the batch parent and the web page import this without the core's rules
    from xlscorecard.core.assessment import Assessment
    from xlscorecard.core.findings import Finding


class RagCounts(BaseModel):
    """How many PIs were rated green, amber and red, and how many were not rated."""

    green: int = 0
    amber: int = 0
    red: int = 0
    not_rated: int = 0


class FindingRow(BaseModel):
    """A finding as reports and pages show it."""

    # Built at its first use (batch and the web page), not at import: convert and check never use it.
    model_config = ConfigDict(extra="ignore", defer_build=True)

    code: str
    severity: str
    sheet: str | None = None
    cell: str | None = None
    ref: str | None = None
    message: str = ""


class RunOutcome(BaseModel):
    """One input's conversion: what happened, the period, RAG counts and findings by code."""

    model_config = ConfigDict(extra="ignore")

    file: str  # the input as submitted (relative to INBOX for batch)
    status: str = "converted"  # converted, skipped (unchanged) or failed
    reporting_period: str | None = None
    green: int = 0
    amber: int = 0
    red: int = 0
    not_rated: int = 0
    findings: dict[str, int] = {}  # count by finding code, codes in their declared order
    findings_total: int = 0
    output: str | None = None  # the return's name
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def rag(self) -> RagCounts:
        return RagCounts(green=self.green, amber=self.amber, red=self.red, not_rated=self.not_rated)


def finding_rows(findings: Iterable[Finding]) -> list[FindingRow]:
    return [FindingRow(**f.model_dump(mode="json")) for f in findings]


def outcome_of(assessment: Assessment, file: str | None = None, output: str | None = None) -> RunOutcome:
    """The outcome of converting (or checking) a scorecard: the one place counts are made."""
    counts = assessment.rag_counts()
    return RunOutcome(
        file=file if file is not None else assessment.scorecard.file,
        status="converted",
        reporting_period=assessment.scorecard.reporting_period,
        green=counts["green"],
        amber=counts["amber"],
        red=counts["red"],
        not_rated=counts["not rated"],
        findings=assessment.finding_counts(),
        findings_total=len(assessment.findings),
        output=output,
    )


def outcome_from_check_json(data: dict[str, Any], file: str | None = None,
                            output: str | None = None) -> tuple[RunOutcome, list[FindingRow]]:
    """The outcome and findings recorded in a `check --json` object (a return's sidecar)."""
    findings = [FindingRow.model_validate(f) for f in data.get("findings") or [] if isinstance(f, dict)]
    rag = (data.get("counts") or {}).get("rag") or {}
    outcome = RunOutcome(
        file=file if file is not None else str(data.get("file") or ""),
        status="converted",
        reporting_period=data.get("reporting_period"),
        green=int(rag.get("green", 0)),
        amber=int(rag.get("amber", 0)),
        red=int(rag.get("red", 0)),
        not_rated=int(rag.get("not rated", rag.get("not_rated", 0))),
        findings=count_codes(f.code for f in findings),
        findings_total=len(findings),
        output=output,
    )
    return outcome, findings
