"""Assess a scorecard: RAG, direction of travel and rule findings for every indicator (DESIGN 5-7)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from xlscorecard.core.annual_targets import profiled_target
from xlscorecard.core.benchmarks import compare_benchmarks
from xlscorecard.core.findings import Code, Finding, count_codes, finding
from xlscorecard.core.rag import RagBands, RagResult, Rating, not_rated, parse_submitted_rag, rate_value, value_bands
from xlscorecard.core.reading.periods import PERIOD_WORDS, previous_period
from xlscorecard.core.records import Record
from xlscorecard.core.scorecard import Indicator, Scorecard
from xlscorecard.core.settings import Settings
from xlscorecard.core.targets import Polarity, Target, TargetKind, parse_polarity, parse_target
from xlscorecard.core.travel import (
    Direction,
    TravelResult,
    arrow_disagreement,
    direction_of_travel,
    parse_arrow,
    year_on_year,
)
from xlscorecard.core.values import Observation, Status, parse_value


@dataclass(slots=True)
class IndicatorAssessment(Record):
    """One indicator's RAG, arrow and benchmark comparisons (treat as immutable)."""

    ref: str
    row: int
    rag: RagResult
    travel: TravelResult
    benchmarks: dict[str, str]  # "national" -> "better" / "worse" / "same"
    polarity: Polarity | None = None  # the polarity used: forced by the rules, stated, or implied by the target
    # The target rated against: the sheet's, after the per-PI rules and any profiling by quarter.
    target: Target | None = None
    # The rating rule for a value in the reporting period, as bands in the indicator's units (None:
    # such a value is not rated), and how that period's cell stores the unit (0.01: 31% as 0.31).
    # Shells that re-rate edited values (the return's conditional formats) render exactly these.
    bands: RagBands | None = None
    scale: float = 1.0

    def stored_bands(self) -> RagBands | None:
        """The bands in the reporting-period cell's stored units."""
        return None if self.bands is None else self.bands.stored_as(self.scale)


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

    def finding_counts(self) -> dict[str, int]:
        """The findings by code, codes in their declared order."""
        return count_codes(f.code for f in self.findings)

    def counts_by_section(self) -> dict[str, dict[str, int]]:
        """Per section (in order), then "All PIs": RAG counts and travel meanings."""
        groups: dict[str, list[IndicatorAssessment]] = {}
        for ind, result in zip(self.scorecard.indicators, self.results, strict=True):
            groups.setdefault(ind.section or "(no section)", []).append(result)
        out = {section: outcome_counts(results) for section, results in groups.items()}
        out["All PIs"] = outcome_counts(self.results)
        return out

    def glyph(self, result: IndicatorAssessment) -> str:
        d = result.travel.direction
        return self.settings.glyph[d.value] if d else ""


OUTCOMES = ("green", "amber", "red", "not rated", "improving", "worsening", "same", "no polarity", "not comparable")


def outcome_counts(results: list[IndicatorAssessment]) -> dict[str, int]:
    """How many results have each RAG rating and each travel meaning (keys: OUTCOMES)."""
    rag = Counter(r.rag.rating.value if r.rag.rating else "not rated" for r in results)
    meaning = Counter(
        r.travel.meaning.value if r.travel.meaning else ("no polarity" if r.travel.direction else "not comparable")
        for r in results
    )
    return {name: rag[name] + meaning[name] for name in OUTCOMES}


def rate_cells(value: object, target: object, polarity: object = None, settings: Settings | None = None) -> RagResult:
    """Rate one value against one target as cells hold them, without number formats (Excel's
    SCORECARD_RAG function): a fraction (0.79) against a percent target ("85%") is read as 79%."""
    from xlscorecard.core.reading import infer_units  # the reader's unit rule, not loaded for whole sheets twice

    obs = parse_value(value)
    tgt = parse_target(target)
    pol, _ = parse_polarity(polarity)
    _, values, _, _, tgt = infer_units("", {"value": obs}, Observation(), Observation(), tgt, formats_known=False)
    return rate_value(values["value"], tgt, pol or tgt.implied_polarity, settings or Settings())




def assess(scorecard: Scorecard, settings: Settings | None = None) -> Assessment:
    """Rate every indicator, work out its arrow and collect the findings; pure and total."""
    settings = settings or Settings()
    results: list[IndicatorAssessment] = []
    findings: list[Finding] = list(scorecard.findings)
    context = _Context(scorecard)
    for ind in scorecard.indicators:
        result, extra = assess_indicator(scorecard, ind, settings.for_pi(ind.ref), context)
        results.append(result)
        findings.extend(extra)
    return Assessment(scorecard=scorecard, settings=settings, results=results, findings=findings)


class _Context:
    """What every indicator of a scorecard shares: the reporting period, the quarters it may rate
    and the quarter its arrow compares with, worked out once rather than per indicator."""

    __slots__ = (
        "arrows", "by_label", "candidates", "period_word", "previous", "reporting", "texts", "travel", "unknown",
        "year_earlier",
    )

    def __init__(self, scorecard: Scorecard) -> None:
        self.by_label = {p.label: p for p in scorecard.periods}
        # One string per distinct not-rated or not-comparable explanation ("Not rated: no target").
        self.texts: dict[str, str] = {}
        self.arrows: dict[str | None, Direction | None] = {}  # submitted arrow text -> direction
        self.reporting = reporting = scorecard.reporting_period
        # A reporting period that is no column fails each indicator, as Scorecard.period does.
        self.unknown = reporting is not None and reporting not in self.by_label
        if self.unknown:
            reporting = None
        # The quarters a value may be rated from, latest first: up to the reporting period.
        self.candidates: list[str] = []
        if reporting is not None:
            current = self.by_label[reporting]
            key = current.sort_key
            same = [p for p in scorecard.periods if p.kind is current.kind]
            self.candidates = [p.label for p in reversed(same) if p.sort_key <= key]
        # The arrow: the quarter before the reporting one, or why there is no arrow at all.
        self.previous: str | None = None
        self.year_earlier: str | None = None  # the same period a year before, where the sheet has it
        self.travel: str | None = None
        self.period_word = "quarter"  # the reporting period's granularity, in words
        if reporting is None:
            self.travel = "Not comparable: no reporting period"
        else:
            self.period_word = PERIOD_WORDS.get(self.by_label[reporting].kind, "period")
            previous = previous_period(self.by_label[reporting], scorecard.periods)
            self.previous = previous.label if previous else None
            earlier = previous_period(self.by_label[reporting], scorecard.periods, years=1)
            if earlier is not None and earlier is not previous:  # a year's year earlier is its previous
                self.year_earlier = earlier.label


def _inferred_polarity(
    ind: Indicator, target: Target, rules: Settings, context: _Context
) -> tuple[Polarity | None, str | None]:
    """Where the sheet states no polarity (DESIGN 5): the sheet's own RAG where only one polarity
    fits it, else the measure's wording for well-known families; else none."""
    from xlscorecard.core.reading.vocabulary import polarity_from_measure

    submitted = parse_submitted_rag(ind.submitted_rag)
    label = next((lb for lb in context.candidates if ind.values[lb].status is not Status.BLANK), None)
    if submitted is not None and label is not None and target.kind is not None:
        fits = [
            p for p in ("high", "low")
            if rate_value(ind.values[label], target, p, rules, ind.benchmark(target.benchmark)).rating == submitted
        ]  # type: ignore[arg-type]
        if len(fits) == 1:
            return fits[0], "the sheet's own RAG"  # type: ignore[return-value]
    by_words = polarity_from_measure(ind.measure)
    if by_words is not None:
        return by_words, "the measure's wording"  # type: ignore[return-value]
    return None, None


def _effective(obs: Observation, rules: Settings) -> Observation:
    if obs.status is Status.DASH and rules.dash_counts_as == "zero":
        return obs.model_copy(update={"status": Status.NUMBER, "number": 0.0})
    return obs


def assess_indicator(
    scorecard: Scorecard, ind: Indicator, rules: Settings, context: _Context | None = None
) -> tuple[IndicatorAssessment, list[Finding]]:
    """RAG, travel and rule findings for one indicator (rules already carry its overrides)."""
    sheet = scorecard.sheet
    out: list[Finding] = []
    ref = ind.ref
    if context is None:
        context = _Context(scorecard)
    if context.unknown:
        raise KeyError(context.reporting)

    def add(code: Code, cell: str | None, message: str) -> None:
        out.append(finding(code, sheet, cell, ref, message))

    reporting = context.reporting
    if rules.dash_counts_as == "zero":
        values = {label: _effective(obs, rules) for label, obs in ind.values.items()}
    else:
        values = ind.values  # _effective changes nothing: no copy

    # Polarity: stated, else implied by the target's operator; a clash is a finding.
    target = ind.target
    implied = target.implied_polarity
    polarity = rules.polarity or ind.polarity or implied
    inferred_from: str | None = None
    if polarity is None:
        polarity, inferred_from = _inferred_polarity(ind, target, rules, context)
    for_information = polarity == "info"
    if ind.polarity and not for_information and implied and ind.polarity != implied and not rules.polarity:
        add(
            Code.POLARITY_CONFLICT,
            target.cell,
            f"polarity says {ind.polarity} is good but target {target.raw} implies {implied} is good",
        )
    if for_information:
        polarity = None  # for information: no direction is good, so no arrow meaning either

    if reporting is not None:  # DESIGN 7 `missing`: no figure in the reporting period (the one copy)
        current = ind.values[reporting]
        if current.is_blank:
            add(Code.MISSING, current.cell, f"no value for {reporting}")
        elif current.status in (Status.NOT_AVAILABLE, Status.NOT_APPLICABLE) or (
            current.status is Status.DASH and rules.dash_counts_as == "not-available"
        ):
            add(Code.MISSING, current.cell, f"no figure for {reporting} ('{current.raw}': {current.status.value})")

    # The value rated: the latest quarter up to the reporting period that holds anything.
    rated_label: str | None = None
    for label in context.candidates:
        if values[label].status is not Status.BLANK:
            rated_label = label
            break
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
    texts = context.texts
    rated_target: Target | None = target
    if for_information:
        rag = not_rated("for information only (polarity says so)")
        rag.explanation = texts.setdefault(rag.explanation, rag.explanation)
        rag.period = rated_label
    elif rated_label is None:
        rag = not_rated(f"no value up to {reporting}" if reporting else "no quarterly columns")
        rag.explanation = texts.setdefault(rag.explanation, rag.explanation)
    else:
        obs = values[rated_label]
        if rated_label != reporting:
            add(Code.STALE, obs.cell, f"latest value is from {rated_label}; nothing for {reporting}")
        rated_target = target = profiled_target(ind, target, context.by_label[rated_label], rules, add)
        bench = ind.benchmark(target.benchmark)
        rag = rate_value(obs, target, polarity, rules, bench)  # a new RagResult, ours to complete
        rag.period = rated_label
        if inferred_from is not None and rag.rating is not None:
            rag.explanation += f" ({polarity} is good, inferred from {inferred_from})"
        if rag.rating is None:
            rag.explanation = texts.setdefault(rag.explanation, rag.explanation)
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

    travel = _travel(context, values, polarity, rules)
    if travel.direction is None:
        travel.explanation = texts.setdefault(travel.explanation, travel.explanation)
    for submitted, computed in ((ind.submitted_arrow, travel), (ind.submitted_year_arrow, travel.year_on_year)):
        if computed is None or not submitted.raw:
            continue  # no year-earlier period in the sheet: a submitted long trend cannot be checked
        if submitted.raw in context.arrows:
            arrow = context.arrows[submitted.raw]
        else:
            arrow = context.arrows[submitted.raw] = parse_arrow(submitted)
        disagreement = arrow_disagreement(submitted, arrow, computed)
        if disagreement is not None:
            add(Code.ARROW_DISAGREES, submitted.cell, disagreement)

    benchmarks = compare_benchmarks(ind, values.get(rated_label) if rated_label else None, polarity, rules, add)
    bands: RagBands | None = None
    scale = 1.0
    if reporting is not None:
        # The rule for a value in the reporting period's cell (the one a spreadsheet re-rates):
        # the rated target when that period was rated, else the sheet's, profiled for it.
        current = ind.values[reporting]
        if rated_label == reporting:
            for_reporting = rated_target
        else:
            for_reporting = profiled_target(ind, ind.target, context.by_label[reporting], rules, None)
        assert for_reporting is not None
        bands = value_bands(for_reporting, polarity, rules, ind.unit, ind.benchmark(for_reporting.benchmark))
        scale = current.unit_scale
    return IndicatorAssessment(
        ref=ref, row=ind.row, rag=rag, travel=travel, benchmarks=benchmarks, polarity=polarity,
        target=rated_target, bands=bands, scale=scale,
    ), out


def _travel(context: _Context, values: dict[str, Observation], polarity, rules: Settings) -> TravelResult:  # type: ignore[no-untyped-def]
    if context.travel is not None:
        return TravelResult(direction=None, meaning=None, explanation=context.travel)
    reporting, previous = context.reporting, context.previous
    assert reporting is not None
    travel = direction_of_travel(
        values[reporting],
        values[previous] if previous else _BLANK,
        polarity,
        rules.no_change_band,
        reporting,
        previous,
        context.period_word,
    )
    earlier = context.year_earlier
    if earlier is not None:
        travel.year_on_year = year_on_year(
            values[reporting], values[earlier], polarity, rules.no_change_band, reporting, earlier
        )
    return travel


_BLANK = Observation()  # the previous quarter when there is none (read, never changed)
