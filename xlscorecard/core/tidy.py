"""Tidy data for dashboards (Power BI, pandas): one row per PI per period that holds a value.

Built from the `check --json` object (xlscorecard.report.to_json), so a tidy file says exactly what
`check --json` says: the same numbers, units and statuses. The same function serves `export` (one
workbook) and `batch` (every return of an inbox, from their sidecars).
"""

from __future__ import annotations

from datetime import date
from typing import Any

COLUMNS = (
    "file", "title", "ref", "measure", "section", "period", "granularity", "start", "end", "reporting_period",
    "value", "unit", "status", "raw", "cell", "target", "target_value", "polarity", "rag", "travel", "travel_meaning",
    "arrow",
)

_NO_DETAILS: tuple[str | None, date | None, date | None] = (None, None, None)


def period_details(check: dict[str, Any]) -> dict[str, tuple[str | None, date | None, date | None]]:
    """Each period label's granularity and first and last day, as the reader reported them."""
    return {
        d["label"]: (d["granularity"], date.fromisoformat(d["start"]), date.fromisoformat(d["end"]))
        for d in check.get("period_details", [])
    }


def tidy_rows(check: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one `check --json` object: one per PI and period whose cell holds something.

    RAG is on the row of the period it rates, and travel (with its arrow) on the reporting
    period's row; other rows leave them empty.
    """
    rows: list[dict[str, Any]] = []
    reporting = check.get("reporting_period")
    details = period_details(check)
    for ind in check.get("indicators", []):
        target = ind.get("target") or {}
        rag = ind.get("rag") or {}
        travel = ind.get("travel") or {}
        for label, value in (ind.get("values") or {}).items():
            if value.get("raw") is None and value.get("number") is None:
                continue  # an empty cell: no row
            granularity, start, end = details.get(label, _NO_DETAILS)
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
