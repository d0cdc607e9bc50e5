"""The domain model: a scorecard of sections and performance indicators (DESIGN 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from xlscorecard.core.findings import Finding
from xlscorecard.core.reading.periods import Period
from xlscorecard.core.records import Record
from xlscorecard.core.targets import Benchmark, Polarity, Target
from xlscorecard.core.values import Observation

if TYPE_CHECKING:
    import pandas as pd


@dataclass(slots=True, unsafe_hash=True)
class Section(Record):
    """A heading row; `parent` is the heading just above when no PI came between them (immutable)."""

    title: str
    row: int
    parent: str | None = None


@dataclass(slots=True)
class Indicator(Record):
    """One performance indicator row (treat as immutable)."""

    ref: str
    measure: str
    section: str | None
    row: int
    lead: str | None = None
    polarity: Polarity | None = None
    polarity_raw: str | None = None
    unit: str | None = None  # "%" when the indicator is a percentage
    target: Target = field(default_factory=Target)
    values: dict[str, Observation] = field(default_factory=dict)  # period label -> value
    stat_neighbour: Observation = field(default_factory=Observation)
    national: Observation = field(default_factory=Observation)
    submitted_rag: Observation = field(default_factory=Observation)
    submitted_arrow: Observation = field(default_factory=Observation)
    submitted_year_arrow: Observation = field(default_factory=Observation)  # "Long Trend (Last Year)"
    comments: str | None = None
    extra: dict[str, str] = field(default_factory=dict)  # other columns, by header

    def benchmark(self, which: Benchmark | None) -> Observation | None:
        """The national or statistical neighbour figure a benchmark target refers to."""
        if which is Benchmark.NATIONAL:
            return self.national
        if which is Benchmark.STAT_NEIGHBOUR:
            return self.stat_neighbour
        return None


@dataclass(slots=True, kw_only=True)
class Scorecard(Record):
    """A parsed scorecard sheet: everything the rules need, each part with its cell (treat as immutable)."""

    file: str | None = None
    sheet: str
    title: str | None
    header_row: int
    columns: dict[str, str]  # role -> column letter ("ref": "A", "Qu 2 18-19": "K")
    headers: dict[str, str]  # column letter -> header text as written
    periods: list[Period]
    reporting_period: str | None
    sections: list[Section]
    indicators: list[Indicator]
    findings: list[Finding] = field(default_factory=list)  # parse-level findings
    formats_known: bool = True
    repeated_header_rows: list[int] = field(default_factory=list)  # the header printed again, skipped
    _by_label: dict[str, Period] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def period_labels(self) -> list[str]:
        return [p.label for p in self.periods]

    def period(self, label: str) -> Period:
        """The period column with this label."""
        if self._by_label is None:  # built once: asked for per indicator
            self._by_label = {p.label: p for p in self.periods}
        return self._by_label[label]

    def indicator(self, ref: str) -> Indicator:
        """The first indicator with this PI ref."""
        for ind in self.indicators:
            if ind.ref == ref:
                return ind
        raise KeyError(ref)

    def to_frame(self) -> pd.DataFrame:
        """One row per PI with its values by period (numbers; markers as NaN) for notebooks."""
        import pandas as pd

        rows = []
        for ind in self.indicators:
            row: dict[str, object] = {
                "ref": ind.ref,
                "measure": ind.measure,
                "section": ind.section,
                "row": ind.row,
                "lead": ind.lead,
                "polarity": ind.polarity,
                "unit": ind.unit,
                "target": ind.target.raw,
            }
            for label in self.period_labels:
                obs = ind.values.get(label)
                row[label] = obs.number if obs is not None and obs.is_numeric else float("nan")
            rows.append(row)
        frame = pd.DataFrame(rows)
        return frame.set_index("ref", drop=False) if not frame.empty else frame
