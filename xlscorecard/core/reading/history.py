"""History from other tabs: a workbook with a tab per quarter, where the latest tab lacks history.

Pure: Scorecards in, a Scorecard out (the file shell reads the tabs). Each PI of the chosen tab
takes, for every period the chosen tab lacks or leaves blank, the value another tab holds for
that PI and period. PIs match by ref (by the measure's wording where a sheet has no ref column);
periods match by granularity and dates, never by label text ("Qu 2 18-19" is "Q2 2018/19"). The
chosen tab wins wherever it has a value (a marker such as "suppressed" is a value); nothing ending
after the chosen tab's reporting period is brought in. A value taken keeps its own cell, qualified by
its sheet ("'Q2 2018-19'!G6"), and each tab that supplied values gets one info finding.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from xlscorecard.core.findings import Code, Finding, finding
from xlscorecard.core.grid import on_sheet
from xlscorecard.core.reading.periods import Period, order_periods
from xlscorecard.core.scorecard import Indicator, Scorecard
from xlscorecard.core.values import Observation

PeriodKey = tuple[str, dt.date | None, dt.date | None]


def fill_history(chosen: Scorecard, earlier: list[Scorecard]) -> Scorecard:
    """`chosen` with the history the other tabs hold for its PIs (the chosen tab's own values win).

    Tabs are tried newest first, so a figure revised on a later tab is the one taken. Tabs of
    other PIs (a tab per service) match no PI and change nothing. Returns `chosen` itself when no
    tab supplies anything.
    """
    if not chosen.periods or not chosen.indicators:
        return chosen
    # The chosen tab's latest period is its reporting period: a blank column for a later quarter
    # (a Q1 return with an empty Q2 column) is not filled from a later tab.
    reporting = chosen.period(chosen.reporting_period) if chosen.reporting_period in chosen.period_labels else None
    latest_end = reporting.end if reporting is not None else max(p.end for p in chosen.periods if p.end is not None)
    labels = {_key(p): p.label for p in chosen.periods}
    taken = {p.label for p in chosen.periods}
    new_periods: list[Period] = []
    values = {id(ind): dict(ind.values) for ind in chosen.indicators}
    supplied: list[_Supply] = []
    own = _index(chosen)
    for tab in sorted(earlier, key=_newest_first):
        if tab.sheet == chosen.sheet:
            continue
        supply = _Supply(tab.sheet)
        by_ref = "ref" in chosen.columns and "ref" in tab.columns
        for ind in tab.indicators:
            target = own.get(_pi_key(ind, by_ref))
            if target is None:
                continue
            for period in tab.periods:
                obs = ind.values.get(period.label)
                if obs is None or obs.is_blank or period.end is None or period.end > latest_end:
                    continue
                label = labels.get(_key(period))
                if label is None:  # a period only other tabs hold: it joins the scorecard
                    label = period.label if period.label not in taken else f"{period.label} ({tab.sheet})"
                    labels[_key(period)] = label
                    taken.add(label)
                    new_periods.append(replace(period, label=label))
                mine = values[id(target)]
                current = mine.get(label)
                if current is not None and not current.is_blank:
                    continue  # the chosen tab (or a newer tab) has a value here
                mine[label] = _from_sheet(obs, tab.sheet)
                supply.add(target.ref, label)
        if supply.values:
            supplied.append(supply)
    if not supplied:
        return chosen
    periods = order_periods([*chosen.periods, *new_periods])
    indicators = [
        replace(ind, values={p.label: values[id(ind)].get(p.label) or Observation() for p in periods})
        for ind in chosen.indicators
    ]
    filled = {ref for s in supplied for ref in s.refs}
    findings = [f for f in chosen.findings if not (f.code is Code.NO_VALUES and f.ref in filled
                                                    and _has_number(indicators, f.ref))]
    findings += [s.finding(chosen.sheet, periods) for s in supplied]
    return replace(chosen, periods=periods, indicators=indicators, findings=findings)


@dataclass
class _Supply:
    """What one tab gave: how many values, for which PIs and periods."""

    sheet: str
    values: int = 0
    refs: dict[str, None] = field(default_factory=dict)
    labels: set[str] = field(default_factory=set)

    def add(self, ref: str, label: str) -> None:
        self.values += 1
        self.refs[ref] = None
        self.labels.add(label)

    def finding(self, sheet: str, periods: list[Period]) -> Finding:
        named = [p.label for p in periods if p.label in self.labels]
        values = f"{self.values} value{'s' if self.values != 1 else ''}"
        pis = f"{len(self.refs)} PI{'s' if len(self.refs) != 1 else ''}"
        return finding(
            Code.HISTORY_FROM_SHEET,
            sheet,
            None,
            None,
            f"sheet '{self.sheet}' supplied {values} for {pis} that sheet '{sheet}' lacks "
            f"(periods: {', '.join(named)}); each keeps its own cell on '{self.sheet}'",
        )


def _key(period: Period) -> PeriodKey:
    return (period.kind.value, period.start, period.end)


def _newest_first(tab: Scorecard) -> tuple[int, int]:
    latest = max((p.sort_key for p in tab.periods), default=(0, 0))
    return (-latest[0], -latest[1])


def _pi_key(ind: Indicator, by_ref: bool) -> str:
    if by_ref:
        return "ref:" + " ".join(ind.ref.split()).casefold()
    return "measure:" + " ".join(ind.measure.split()).casefold()


def _index(scorecard: Scorecard) -> dict[str, Indicator]:
    """The chosen tab's PIs by ref and by wording (the first of duplicates: a duplicate-pi finding says so)."""
    index: dict[str, Indicator] = {}
    for ind in scorecard.indicators:
        if "ref" in scorecard.columns:
            index.setdefault(_pi_key(ind, True), ind)
        index.setdefault(_pi_key(ind, False), ind)
    return index


def _from_sheet(obs: Observation, sheet: str) -> Observation:
    return obs.model_copy(update={"cell": on_sheet(sheet, obs.cell)} if obs.cell else None)


def _has_number(indicators: list[Indicator], ref: str | None) -> bool:
    return any(
        obs.number is not None or obs.low is not None
        for ind in indicators
        if ind.ref == ref
        for obs in ind.values.values()
    )
