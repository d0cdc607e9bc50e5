"""Assess a scorecard: RAG, direction of travel and rule findings for every indicator (DESIGN 5-7)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from xlscorecard.findings import Code, Finding, finding
from xlscorecard.periods import Period, previous_quarter
from xlscorecard.rag import RagResult, Rating, not_rated, parse_submitted_rag, rate_value
from xlscorecard.records import Record
from xlscorecard.scorecard import Indicator, Scorecard
from xlscorecard.settings import Settings
from xlscorecard.targets import Polarity, TargetKind
from xlscorecard.travel import TravelResult, direction_of_travel, parse_arrow
from xlscorecard.values import Observation, Status, format_number


@dataclass(slots=True)
class IndicatorAssessment(Record):
    """One indicator's RAG, arrow and benchmark comparisons (treat as immutable)."""

    ref: str
    row: int
    rag: RagResult
    travel: TravelResult
    benchmarks: dict[str, str]  # "national" -> "better" / "worse" / "same"
    polarity: Polarity | None = None  # the polarity used: forced by the rules, stated, or implied by the target


@dataclass(slots=True)
class Assessment(Record):
    """The scorecard with a RAG and travel result per indicator and every finding (treat as immutable)."""

    scorecard: Scorecard
    settings: Settings
    results: list[IndicatorAssessment]  # same order as scorecard.indicators
    findings: list[Finding]

    def result_for(self, indicator: Indicator) -> IndicatorAssessment:
        return next(r for r in self.results if r.row == indicator.row)

    def rag_counts(self) -> dict[str, int]:
        counts = Counter(r.rag.rating for r in self.results)
        return {
            "green": counts[Rating.GREEN],
            "amber": counts[Rating.AMBER],
            "red": counts[Rating.RED],
            "not rated": counts[None],
        }

    def glyph(self, result: IndicatorAssessment) -> str:
        d = result.travel.direction
        return self.settings.glyph[d.value] if d else ""


_YEAR_TO_DATE = re.compile(r"\b(?:ytd|year to date|cumulative|accumulative|running total)\b", re.I)
_COUNT = re.compile(r"^\s*(?:number|no\.|total|count)\b", re.I)


def assess(scorecard: Scorecard, settings: Settings | None = None) -> Assessment:
    """Rate every indicator, work out its arrow and collect the findings; pure and total."""
    settings = settings or Settings()
    results: list[IndicatorAssessment] = []
    findings: list[Finding] = list(scorecard.findings)
    for ind in scorecard.indicators:
        result, extra = assess_indicator(scorecard, ind, settings.for_pi(ind.ref))
        results.append(result)
        findings.extend(extra)
    return Assessment(scorecard=scorecard, settings=settings, results=results, findings=findings)


def _effective(obs: Observation, rules: Settings) -> Observation:
    if obs.status is Status.DASH and rules.dash_counts_as == "zero":
        return obs.model_copy(update={"status": Status.NUMBER, "number": 0.0})
    return obs


def _quarters(scorecard: Scorecard) -> list[Period]:
    return [p for p in scorecard.periods if p.is_quarter()]


def assess_indicator(
    scorecard: Scorecard, ind: Indicator, rules: Settings
) -> tuple[IndicatorAssessment, list[Finding]]:
    """RAG, travel and rule findings for one indicator (rules already carry its overrides)."""
    sheet = scorecard.sheet
    out: list[Finding] = []

    def add(code: Code, cell: str | None, message: str) -> None:
        out.append(finding(code, sheet, cell, ind.ref, message))

    reporting = scorecard.reporting_period
    quarters = _quarters(scorecard)
    values = {label: _effective(obs, rules) for label, obs in ind.values.items()}

    # Polarity: stated, else implied by the target's operator; a clash is a finding.
    implied = ind.target.implied_polarity
    polarity = rules.polarity or ind.polarity or implied
    if ind.polarity and implied and ind.polarity != implied and not rules.polarity:
        add(
            Code.POLARITY_CONFLICT,
            ind.target.cell,
            f"polarity says {ind.polarity} is good but target {ind.target.raw} implies {implied} is good",
        )

    if (
        reporting is not None
        and ind.values[reporting].status is Status.DASH
        and rules.dash_counts_as == "not-available"
    ):
        add(
            Code.MISSING, ind.values[reporting].cell, f"no figure for {reporting} ('{ind.values[reporting].raw}': dash)"
        )

    # The value rated: the latest quarter up to the reporting period that holds anything.
    rated_label: str | None = None
    if reporting is not None:
        reporting_period = scorecard.period(reporting)
        for p in reversed(quarters):
            if p.sort_key <= reporting_period.sort_key and not values[p.label].is_blank:
                rated_label = p.label
                break
    target = ind.target
    if (
        target.unit is not None
        and ind.unit != target.unit
        and target.kind in (TargetKind.VALUE, TargetKind.BOUND, TargetKind.RANGE)
    ):
        add(
            Code.UNIT_MISMATCH,
            target.cell,
            f"target {target.raw} is in {target.unit} but the indicator is "
            f"{'a count' if ind.unit is None else ind.unit}",
        )
    if rated_label is None:
        rag = not_rated(f"no value up to {reporting}" if reporting else "no quarterly columns")
    else:
        obs = values[rated_label]
        if rated_label != reporting:
            add(Code.STALE, obs.cell, f"latest value is from {rated_label}; nothing for {reporting}")
        target = _profiled(ind, target, scorecard.period(rated_label), rules, add)
        bench = ind.benchmark(target.benchmark)
        rag = rate_value(obs, target, polarity, rules, bench).model_copy(update={"period": rated_label})
        # DESIGN 5: not rated, with the reason as a finding. Markers, blanks and unreadable
        # targets already have findings of their own; a missing target is named at its cell.
        if rag.rating is None and obs.is_numeric and target.kind is not TargetKind.UNPARSED:
            add(Code.NOT_RATED, target.cell if target.kind is None else obs.cell, rag.explanation)

    submitted = parse_submitted_rag(ind.submitted_rag)
    if submitted is not None and submitted != rag.rating:
        computed = rag.rating.value.capitalize() if rag.rating else "not rated"
        add(
            Code.RAG_DISAGREES,
            ind.submitted_rag.cell,
            f"sheet says {submitted.value.capitalize()}, computed {computed} ({rag.explanation})",
        )

    travel = _travel(scorecard, ind, values, polarity, rules)
    arrow = parse_arrow(ind.submitted_arrow)
    if arrow is not None and arrow != travel.direction:
        computed = travel.direction.value if travel.direction else "not comparable"
        add(
            Code.ARROW_DISAGREES,
            ind.submitted_arrow.cell,
            f"sheet shows {ind.submitted_arrow.raw} ({arrow.value}), data says {computed}: {travel.explanation}",
        )

    benchmarks = _compare_benchmarks(ind, values.get(rated_label) if rated_label else None, polarity, rules, add)
    return IndicatorAssessment(
        ref=ind.ref, row=ind.row, rag=rag, travel=travel, benchmarks=benchmarks, polarity=polarity
    ), out


def _profiled(ind: Indicator, target, period: Period, rules: Settings, add):  # type: ignore[no-untyped-def]
    """Year-to-date counts against an annual target: flag it, and scale the target if asked."""
    if not (_YEAR_TO_DATE.search(ind.measure) and _COUNT.search(ind.measure) and ind.unit is None):
        return target
    if target.kind not in (TargetKind.VALUE, TargetKind.BOUND) or target.value is None or period.quarter in (None, 4):
        return target
    assert period.quarter is not None
    share = period.quarter / 4
    if rules.profile_annual_targets:
        profiled = target.value * share
        add(
            Code.ANNUAL_TARGET_IN_YEAR,
            target.cell,
            f"annual target {target.raw} profiled to {format_number(profiled)} for {period.label} "
            f"({period.quarter}/4 of the year)",
        )
        return target.model_copy(
            update={"value": profiled, "raw": f"{target.raw} (profiled {format_number(profiled)})"}
        )
    add(
        Code.ANNUAL_TARGET_IN_YEAR,
        target.cell,
        f"year-to-date count rated against annual target {target.raw} at {period.label}; "
        "set profile_annual_targets to scale it",
    )
    return target


def _travel(
    scorecard: Scorecard, ind: Indicator, values: dict[str, Observation], polarity, rules: Settings
) -> TravelResult:  # type: ignore[no-untyped-def]
    reporting = scorecard.reporting_period
    if reporting is None:
        return TravelResult(direction=None, meaning=None, explanation="Not comparable: no reporting period")
    current = scorecard.period(reporting)
    if current.quarter is None:
        return TravelResult(direction=None, meaning=None, explanation=f"Not comparable: {reporting} is not a quarter")
    year, quarter = previous_quarter(current)
    previous = next((p for p in scorecard.periods if p.is_quarter() and (p.year, p.quarter) == (year, quarter)), None)
    return direction_of_travel(
        values[reporting],
        values[previous.label] if previous else Observation(),
        polarity,
        rules.no_change_band,
        reporting,
        previous.label if previous else None,
    )


def _compare_benchmarks(ind: Indicator, obs: Observation | None, polarity, rules: Settings, add) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Benchmarks are reported beside the RAG, never folded into it."""
    out: dict[str, str] = {}
    local = [o.number for o in ind.values.values() if o.is_numeric and o.number is not None]
    for name, label, bench, enabled in (
        ("national", "national average", ind.national, rules.benchmarks.national),
        ("stat_neighbour", "statistical neighbour average", ind.stat_neighbour, rules.benchmarks.stat_neighbour),
    ):
        if not enabled or not bench.is_numeric or bench.number is None:
            continue
        if ind.unit != bench.unit:
            add(
                Code.BENCHMARK_NOT_COMPARABLE,
                bench.cell,
                f"{label} {bench.display()} is in other units than the indicator; not compared",
            )
            continue
        if ind.unit is None and local and bench.number > rules.benchmarks.total_ratio * max(max(local), 1):
            add(
                Code.BENCHMARK_NOT_COMPARABLE,
                bench.cell,
                f"{label} {bench.display()} looks like a total, not comparable with local values "
                f"up to {format_number(max(local))}; not compared",
            )
            continue
        if obs is None or not obs.is_numeric or obs.number is None or obs.unit != bench.unit:
            continue
        if obs.number == bench.number:
            out[name] = "same"
        elif polarity is None:
            out[name] = "above" if obs.number > bench.number else "below"
        else:
            better = (obs.number > bench.number) == (polarity == "high")
            out[name] = "better" if better else "worse"
    return out
