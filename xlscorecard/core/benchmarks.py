"""Benchmarks (national and statistical-neighbour averages) compared with the rated value.

Benchmarks are reported beside the RAG, never folded into it: "better"/"worse" where the
indicator's polarity is known, "above"/"below" where it is not, "same" when equal. A benchmark in
other units, or one that looks like a total rather than a rate, is not compared, with a
`benchmark-not-comparable` finding at its cell.
"""

from __future__ import annotations

from xlscorecard.core.findings import Code
from xlscorecard.core.scorecard import Indicator
from xlscorecard.core.settings import Settings
from xlscorecard.core.values import Observation, Status, format_number


def compare_benchmarks(ind: Indicator, obs: Observation | None, polarity, rules: Settings, add) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Benchmarks are reported beside the RAG, never folded into it."""
    out: dict[str, str] = {}
    if ind.national.status is Status.BLANK and ind.stat_neighbour.status is Status.BLANK:
        return out  # the common case: no benchmark figures at all
    local: list[float] | None = None  # the indicator's own numbers, listed only when a count needs them
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
        if ind.unit is None and local is None:
            local = [o.number for o in ind.values.values() if o.is_numeric and o.number is not None]
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
