"""The page view of a return, built from its sidecar (the `check --json` object): what the template shows.

Nothing is re-rated here: RAG, arrows and findings are read as the assessment wrote them. This
module only arranges them by section, words them and draws each PI's trend as a small SVG path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from xlscorecard.core.targets import Target, TargetKind
from xlscorecard.core.values import format_number

SPARK_WIDTH = 120
SPARK_HEIGHT = 28
SPARK_PAD = 4

_DIRECTION_WORDS = {"up": "up", "down": "down", "same": "no change"}


@dataclass
class Sparkline:
    """An inline SVG trend: the points of a polyline, and its wording for screen readers."""

    points: str
    last: tuple[float, float]
    label: str
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


@dataclass
class PiView:
    ref: str
    anchor: str
    measure: str
    value: str
    target: str
    rag: str | None  # "green" / "amber" / "red"
    rag_word: str
    arrow: str
    travel_words: str
    explanation: str
    trend: Sparkline | None
    findings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SectionView:
    title: str
    anchor: str
    indicators: list[PiView]


@dataclass
class ScorecardView:
    title: str
    file: str
    reporting_period: str
    rag_counts: dict[str, int]
    sections: list[SectionView]
    findings: list[dict[str, Any]]  # each with "index" (its id) and "anchor": its PI's row, or None


def pi_anchor(row: object) -> str:
    """The id of a PI's row on the page (rows are unique; refs need not be)."""
    return f"pi-row-{row}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower())[:40].strip("-") or "section"


def _target_words(target: dict[str, Any] | None) -> str:
    """The target in the PI's unit ("90%", "<15%", "260-300"), worded as the explanations word it."""
    if not target:
        return ""
    kind = target.get("kind")
    fields = {k: target.get(k) for k in ("raw", "operator", "value", "low", "high", "unit", "cell")}
    try:
        return Target(**fields, kind=TargetKind(kind) if kind else None).describe()
    except (TypeError, ValueError):
        return str(target.get("raw") or "")


def _shown(value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    number = value.get("number")
    if number is not None and value.get("status") in ("number", "flagged", "composite"):
        return format_number(float(number), value.get("unit"))
    raw = value.get("raw")
    return "" if raw is None else str(raw)


def sparkline(labels: list[str], values: dict[str, Any], unit: str | None) -> Sparkline | None:
    """The trend over the sheet's periods in order; None with fewer than two figures."""
    series = [(label, float(v["number"])) for label in labels
              if (v := values.get(label)) and v.get("number") is not None
              and v.get("status") in ("number", "flagged", "composite")]
    if len(series) < 2:
        return None
    numbers = [n for _, n in series]
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(series) - 1)
    coords = [(SPARK_PAD + i * step,
               SPARK_HEIGHT - SPARK_PAD - (n - low) / span * (SPARK_HEIGHT - 2 * SPARK_PAD) if high != low
               else SPARK_HEIGHT / 2)
              for i, n in enumerate(numbers)]
    words = ", ".join(f"{label} {format_number(n, unit)}" for label, n in series)
    return Sparkline(
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
        last=(round(coords[-1][0], 1), round(coords[-1][1], 1)),
        label=f"Trend: {words}",
    )


def scorecard_view(check: dict[str, Any]) -> ScorecardView:
    """Arrange a `check --json` object for the page."""
    labels: list[str] = list(check.get("periods") or [])
    period = check.get("reporting_period") or ""
    anchors_by_row: dict[Any, str] = {}
    findings_by_row: dict[Any, list[dict[str, Any]]] = {}
    row_by_ref: dict[str, Any] = {}
    for ind in check.get("indicators", []):
        anchors_by_row[ind.get("row")] = pi_anchor(ind.get("row"))
        row_by_ref.setdefault(str(ind.get("ref")), ind.get("row"))
    findings = []
    for index, f in enumerate(check.get("findings", []), start=1):
        row = row_by_ref.get(str(f.get("ref"))) if f.get("ref") is not None else None
        finding = {**f, "anchor": anchors_by_row.get(row), "index": index}
        findings.append(finding)
        if row is not None:
            findings_by_row.setdefault(row, []).append(finding)

    sections: dict[str, SectionView] = {}
    for ind in check.get("indicators", []):
        title = ind.get("section") or "No section"
        section = sections.get(title)
        if section is None:
            section = sections[title] = SectionView(title, f"section-{len(sections) + 1}-{_slug(title)}", [])
        rag = (ind.get("rag") or {}).get("rating")
        travel = ind.get("travel") or {}
        direction = travel.get("direction")
        meaning = travel.get("meaning")
        words = _DIRECTION_WORDS.get(direction or "", "not comparable")
        if direction and meaning and meaning != "same":
            words = f"{words}, {meaning}"
        elif direction and not meaning:
            words = f"{words}, no polarity"
        values = ind.get("values") or {}
        section.indicators.append(PiView(
            ref=str(ind.get("ref")),
            anchor=pi_anchor(ind.get("row")),
            measure=str(ind.get("measure") or ""),
            value=_shown(values.get((ind.get("rag") or {}).get("period") or period)),
            target=_target_words(ind.get("target")),
            rag=rag,
            rag_word=rag.capitalize() if rag else "Not rated",
            arrow=travel.get("arrow") or "",
            travel_words=words,
            explanation="; ".join(x for x in ((ind.get("rag") or {}).get("explanation"), travel.get("explanation"))
                                  if x),
            trend=sparkline(labels, values, ind.get("unit")),
            findings=findings_by_row.get(ind.get("row"), []),
        ))
    counts = (check.get("counts") or {}).get("rag") or {}
    return ScorecardView(
        title=str(check.get("title") or "Scorecard"),
        file=str(check.get("file") or ""),
        reporting_period=period,
        rag_counts={k: int(v) for k, v in counts.items()},
        sections=list(sections.values()),
        findings=findings,
    )
