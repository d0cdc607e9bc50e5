"""Findings: typed, addressable data about a scorecard's cells (DESIGN 2 and 7).

Codes are public: tests, the batch report and the web page rely on them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from xlscorecard.core.records import Record


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Code(StrEnum):
    MISSING = "missing"
    SUPPRESSED = "suppressed"
    STALE = "stale"
    UNPARSED_VALUE = "unparsed-value"
    UNPARSED_TARGET = "unparsed-target"
    POLARITY_CONFLICT = "polarity-conflict"
    UNIT_MISMATCH = "unit-mismatch"
    ANNUAL_TARGET_IN_YEAR = "annual-target-in-year"
    BENCHMARK_NOT_COMPARABLE = "benchmark-not-comparable"
    RAG_DISAGREES = "rag-disagrees"
    ARROW_DISAGREES = "arrow-disagrees"
    DUPLICATE_PI = "duplicate-pi"
    EXCEL_ERROR = "excel-error"
    LOOKS_LIKE_FORMULA = "looks-like-formula"
    UNPARSED_POLARITY = "unparsed-polarity"
    NOT_RATED = "not-rated"
    UNRECOGNISED_COLUMN = "unrecognised-column"
    NO_VALUES = "no-values"
    OTHER_SCORECARDS = "other-scorecards"
    HISTORY_FROM_SHEET = "history-from-sheet"
    HISTORY_UNREAD = "history-unread"
    FORMULA_WITHOUT_VALUE = "formula-without-value"
    OTHER_TABLE = "other-table"
    TARGET_NOT_USED = "target-not-used"


SEVERITY: dict[Code, Severity] = {
    Code.MISSING: Severity.WARNING,
    Code.SUPPRESSED: Severity.INFO,
    Code.STALE: Severity.WARNING,
    Code.UNPARSED_VALUE: Severity.ERROR,
    Code.UNPARSED_TARGET: Severity.ERROR,
    Code.POLARITY_CONFLICT: Severity.WARNING,
    Code.UNIT_MISMATCH: Severity.WARNING,
    Code.ANNUAL_TARGET_IN_YEAR: Severity.INFO,
    Code.BENCHMARK_NOT_COMPARABLE: Severity.INFO,
    Code.RAG_DISAGREES: Severity.WARNING,
    Code.ARROW_DISAGREES: Severity.WARNING,
    Code.DUPLICATE_PI: Severity.ERROR,
    Code.EXCEL_ERROR: Severity.ERROR,
    Code.LOOKS_LIKE_FORMULA: Severity.WARNING,
    Code.UNPARSED_POLARITY: Severity.WARNING,
    Code.NOT_RATED: Severity.INFO,
    Code.UNRECOGNISED_COLUMN: Severity.WARNING,
    Code.NO_VALUES: Severity.WARNING,
    Code.OTHER_SCORECARDS: Severity.INFO,
    Code.HISTORY_FROM_SHEET: Severity.INFO,
    Code.HISTORY_UNREAD: Severity.WARNING,
    Code.FORMULA_WITHOUT_VALUE: Severity.WARNING,
    Code.OTHER_TABLE: Severity.WARNING,
    Code.TARGET_NOT_USED: Severity.WARNING,
}


@dataclass(slots=True, unsafe_hash=True)
class Finding(Record):
    """One thing an analyst should look at, with the cell it concerns (treat as immutable)."""

    code: Code
    severity: Severity
    sheet: str
    cell: str | None
    ref: str | None
    message: str


def finding(code: Code, sheet: str, cell: str | None, ref: str | None, message: str) -> Finding:
    """Make a Finding with the severity its code carries."""
    return Finding(code=code, severity=SEVERITY[code], sheet=sheet, cell=cell, ref=ref, message=message)


def count_codes(codes: Iterable[str]) -> dict[str, int]:
    """Counts by code, known codes in their declared order, then any others (from older reports)."""
    counts = Counter(str(code) for code in codes)
    known = [code.value for code in Code]
    return {code: counts[code] for code in known + sorted(set(counts) - set(known)) if counts[code]}
