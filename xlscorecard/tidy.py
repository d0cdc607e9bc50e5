"""Tidy data for dashboards (Power BI, pandas): one row per PI per period that holds a value.

Built from the `check --json` object (xlscorecard.report.to_json), so a tidy file says exactly what
`check --json` says: the same numbers, units and statuses. The same function serves `export` (one
workbook) and `batch` (every return of an inbox, from their sidecars).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xlscorecard.periods import PeriodKind, parse_period

COLUMNS = (
    "file", "title", "ref", "measure", "section", "period", "granularity", "start", "end", "reporting_period",
    "value", "unit", "status", "raw", "cell", "target", "target_value", "polarity", "rag", "travel", "travel_meaning",
    "arrow",
)


def period_details(label: str) -> tuple[str | None, date | None, date | None]:
    """A period label's granularity ("quarter", "year") and first and last day (financial year from April).

    The one place that knows what a label covers: when the reader reports `period_details` itself,
    this is the function to switch over.
    """
    period = parse_period(label)
    if period is None:
        return None, None, None
    if period.kind is PeriodKind.YEAR_END or period.quarter is None:
        return "year", date(period.year, 4, 1), date(period.year + 1, 3, 31)
    first_month = 4 + 3 * (period.quarter - 1)  # Q1 April-June ... Q4 January-March
    year = period.year + (first_month - 1) // 12
    month = (first_month - 1) % 12 + 1
    end_month = month + 2
    end_year = year
    next_start = date(end_year + (end_month // 12), end_month % 12 + 1, 1)
    return "quarter", date(year, month, 1), date.fromordinal(next_start.toordinal() - 1)


def tidy_rows(check: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one `check --json` object: one per PI and period whose cell holds something.

    RAG is on the row of the period it rates, and travel (with its arrow) on the reporting
    period's row; other rows leave them empty.
    """
    rows: list[dict[str, Any]] = []
    reporting = check.get("reporting_period")
    details = {label: period_details(label) for label in check.get("periods", [])}
    for ind in check.get("indicators", []):
        target = ind.get("target") or {}
        rag = ind.get("rag") or {}
        travel = ind.get("travel") or {}
        for label, value in (ind.get("values") or {}).items():
            if value.get("raw") is None and value.get("number") is None:
                continue  # an empty cell: no row
            granularity, start, end = details.get(label) or period_details(label)
            rows.append({
                "file": check.get("file"),
                "title": check.get("title"),
                "ref": ind.get("ref"),
                "measure": ind.get("measure"),
                "section": ind.get("section"),
                "period": label,
                "granularity": granularity,
                "start": start,
                "end": end,
                "reporting_period": label == reporting,
                "value": value.get("number"),
                "unit": value.get("unit"),
                "status": value.get("status"),
                "raw": None if value.get("raw") is None else str(value.get("raw")),
                "cell": value.get("cell"),
                "target": target.get("raw"),
                "target_value": target.get("value"),
                "polarity": ind.get("polarity_used"),
                "rag": rag.get("rating") if rag.get("period") == label else None,
                "travel": travel.get("direction") if label == reporting else None,
                "travel_meaning": travel.get("meaning") if label == reporting else None,
                "arrow": travel.get("arrow") if label == reporting else None,
            })
    return rows
