"""Annual targets met part-way through the year: a year-to-date count rated against its annual target.

A measure that counts ("Number of ...") and accumulates ("... year to date", "cumulative") is
compared, at Q1-Q3, with a target set for the whole year. The assessment flags it
(`annual-target-in-year`) and, when the rules ask (`profile_annual_targets`), scales the target to
the share of the year gone (Q2: 2/4). This is the one place that rule lives: the assessment
records the effective target, and the return, add-in and reports render it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from xlscorecard.core.findings import Code
from xlscorecard.core.reading.periods import Period
from xlscorecard.core.scorecard import Indicator
from xlscorecard.core.settings import Settings
from xlscorecard.core.targets import Target, TargetKind
from xlscorecard.core.values import format_number

YEAR_TO_DATE = re.compile(r"\b(?:ytd|year to date|cumulative|accumulative|running total)\b", re.I)
COUNT_MEASURE = re.compile(r"^\s*(?:number|no\.|total|count)\b", re.I)


def profiled_target(
    ind: Indicator, target: Target, period: Period, rules: Settings, add: Callable[[Code, str | None, str], None] | None
) -> Target:
    """Year-to-date counts against an annual target (cheapest test first): flag it (when `add` is
    given), and scale the target if asked."""
    if not (ind.unit is None and COUNT_MEASURE.search(ind.measure) and YEAR_TO_DATE.search(ind.measure)):
        return target
    if target.kind not in (TargetKind.VALUE, TargetKind.BOUND) or target.value is None or period.quarter in (None, 4):
        return target
    assert period.quarter is not None
    share = period.quarter / 4
    if rules.profile_annual_targets:
        profiled = target.value * share
        if add is not None:
            add(
                Code.ANNUAL_TARGET_IN_YEAR,
                target.cell,
                    f"annual target {target.raw} profiled to {format_number(profiled)} for {period.label} "
                f"({period.quarter}/4 of the year)",
            )
        return target.model_copy(
            update={"value": profiled, "raw": f"{target.raw} (profiled {format_number(profiled)})"}
        )
    if add is not None:
        add(
            Code.ANNUAL_TARGET_IN_YEAR,
            target.cell,
            f"year-to-date count rated against annual target {target.raw} at {period.label}; "
            "set profile_annual_targets to scale it",
        )
    return target
