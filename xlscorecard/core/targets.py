"""Targets and polarity: what good looks like for an indicator (DESIGN 5)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from xlscorecard.core.records import Record
from xlscorecard.core.values import NUMBER_PATTERN, parse_value, to_number

Polarity = Literal["high", "low", "info"]  # "info": for information, not rated


class TargetKind(StrEnum):
    VALUE = "value"  # meet or beat it, in the direction of polarity
    BOUND = "bound"  # <20%, at least 90%
    RANGE = "range"  # inside 260-300 is met
    BENCHMARK = "benchmark"  # above the statistical neighbour average
    UNPARSED = "unparsed"


class Benchmark(StrEnum):
    NATIONAL = "national"
    STAT_NEIGHBOUR = "stat_neighbour"


@dataclass(slots=True, unsafe_hash=True)
class Target(Record):
    """A parsed target cell (treat as immutable)."""

    raw: str | None = None
    kind: TargetKind | None = None  # None: no target
    operator: Literal["<", "<=", ">", ">=", "better"] | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    benchmark: Benchmark | None = None
    cell: str | None = None
    floor: float | None = None  # a floor (threshold) beyond the target: Amber up to it, Red beyond
    bands: tuple[tuple[str, Target], ...] = ()  # explicit band columns: ("red", >25%), ("amber", 20%-25%), ...

    def band_holding(self, value: float) -> str | None:
        """The rating whose band column holds `value` ("red", "amber", "green"), or None."""
        for rating, band in self.bands:
            if band.kind is TargetKind.RANGE and band.low is not None and band.high is not None:
                if band.low <= value <= band.high:
                    return rating
            elif band.kind is TargetKind.BOUND and band.value is not None:
                op, bound = band.operator, band.value
                if (op == "<" and value < bound) or (op == "<=" and value <= bound) or (
                    op == ">" and value > bound) or (op == ">=" and value >= bound):
                    return rating
            elif band.kind is TargetKind.VALUE and band.value is not None and value == band.value:
                return rating
        return None

    @property
    def implied_polarity(self) -> Polarity | None:
        """`<20%` means low is good; `at least 90%` means high is good."""
        if self.operator in ("<", "<="):
            return "low"
        if self.operator in (">", ">="):
            return "high"
        return None

    def describe(self) -> str:
        """Short wording used in explanations ("<20%", "121", "260-300")."""
        from xlscorecard.core.values import format_number

        if self.kind is TargetKind.RANGE and self.low is not None and self.high is not None:
            return f"{format_number(self.low, self.unit)}-{format_number(self.high, self.unit)}"
        if self.kind in (TargetKind.VALUE, TargetKind.BOUND) and self.value is not None:
            op = "" if self.kind is TargetKind.VALUE else self.operator or ""
            return f"{op}{format_number(self.value, self.unit)}"
        return self.raw or ""


_WORD_OPERATORS: list[tuple[str, str]] = [
    (r"(?:no|not)\s+more\s+than|at\s+most|maximum(?:\s+of)?|max\.?|up\s+to|≤|=<|<=", "<="),
    (r"(?:no|not)\s+(?:less|fewer)\s+than|at\s+least|minimum(?:\s+of)?|min\.?|≥|=>|>=", ">="),
    (r"less\s+than|fewer\s+than|below|under|lower\s+than|<", "<"),
    (r"more\s+than|greater\s+than|above|over|higher\s+than|exceed(?:s|ing)?|>", ">"),
]
_BOUND = re.compile(
    rf"^(?P<op>{'|'.join(f'(?:{w})' for w, _ in _WORD_OPERATORS)})\s*(?P<num>{NUMBER_PATTERN})\s*(?P<pct>%)?$",
    re.I,
)
_OPERATOR_WORDS = [(re.compile(w, re.I), op) for w, op in _WORD_OPERATORS]  # compiled once, at import
_BENCH_OPERATOR = [
    (re.compile(w, re.I), op)
    for w, op in (
        (r"at\s+or\s+above|in\s+line\s+with\s+or\s+above|equal\s+to\s+or\s+above", ">="),
        (r"at\s+or\s+below|in\s+line\s+with\s+or\s+below|equal\s+to\s+or\s+below", "<="),
        (r"above|higher\s+than|more\s+than|greater\s+than|exceed", ">"),
        (r"below|lower\s+than|less\s+than|fewer\s+than|under", "<"),
        (r"better\s+than|in\s+line\s+with|at|match|equal\s+to", "better"),
    )
]
_NO_TARGET = re.compile(
    r"^(?:no target(?: set)?|monitor(?:ing)?(?: only)?|not set|none set|n/?a|tbc|tbd|none|-|–|data only|"
    r"for information|info|context(?:ual)?|no target - monitor)$",
    re.I,
)
_NOTE = re.compile(r"\s*\((?:threshold|target|annual|stretch|provisional|floor)\)\s*$", re.I)
_OR_WORDS = {"above": ">=", "more": ">=", "over": ">=", "higher": ">=", "greater": ">=",
             "below": "<=", "less": "<=", "fewer": "<=", "under": "<=", "lower": "<="}  # fmt: skip
_OR_BOUND = re.compile(
    rf"^(?P<num>{NUMBER_PATTERN})\s*(?P<pct>%)?\s+or\s+(?P<word>{'|'.join(_OR_WORDS)})$",
    re.I,
)
_NATIONAL = re.compile(r"national|england", re.I)
_STAT_NEIGHBOUR = re.compile(r"stat(?:istical)?\.?\s*neigh|\bsn\b|comparator", re.I)


def parse_target(value: object, number_format: str | None = None, cell: str | None = None) -> Target:
    """Parse a target cell: a value, a bound, a range or a benchmark reference; never raises."""
    if value is None:
        return Target(cell=cell)
    obs = parse_value(value, number_format)
    if obs.is_blank:
        return Target(cell=cell)
    raw = obs.raw
    if obs.status in ("not-available", "not-applicable", "dash"):
        return Target(raw=raw, cell=cell)  # "N/A", "TBC", "-": no target set, not an unreadable one
    if obs.status == "number":
        return Target(raw=raw, kind=TargetKind.VALUE, value=obs.number, unit=obs.unit, cell=cell)
    if obs.status == "range":
        return Target(raw=raw, kind=TargetKind.RANGE, low=obs.low, high=obs.high, unit=obs.unit, cell=cell)
    text = " ".join(str(value).split())
    if _NO_TARGET.match(text):
        return Target(raw=raw, cell=cell)  # "No target", "Monitor": no target set, not an unreadable one
    bare = _NOTE.sub("", text).strip()
    if bare != text and bare:  # "18% (threshold)": the figure, its note aside
        inner = parse_target(bare, number_format, cell)
        return inner.model_copy(update={"raw": raw})
    if (m := _OR_BOUND.match(text)) and math.isfinite(to_number(m["num"])):  # "85% or above"
        return Target(
            raw=raw, kind=TargetKind.BOUND, operator=_OR_WORDS[m["word"].lower()],  # type: ignore[arg-type]
            value=to_number(m["num"]), unit="%" if m["pct"] else None, cell=cell,
        )
    if (m := _BOUND.match(text)) and math.isfinite(to_number(m["num"])):
        op = next(o for w, o in _OPERATOR_WORDS if w.fullmatch(m["op"]))
        return Target(
            raw=raw,
            kind=TargetKind.BOUND,
            operator=op,  # type: ignore[arg-type]
            value=to_number(m["num"]),
            unit="%" if m["pct"] else None,
            cell=cell,
        )
    bench = (
        Benchmark.STAT_NEIGHBOUR
        if _STAT_NEIGHBOUR.search(text)
        else Benchmark.NATIONAL
        if _NATIONAL.search(text)
        else None
    )
    if bench is not None:
        op = next((o for w, o in _BENCH_OPERATOR if w.search(text)), "better")
        return Target(raw=raw, kind=TargetKind.BENCHMARK, operator=op, benchmark=bench, cell=cell)  # type: ignore[arg-type]
    if obs.status == "composite" and obs.number is not None and _UNIT_NOTE.match(obs.note or ""):
        return Target(raw=raw, kind=TargetKind.VALUE, value=obs.number, unit=obs.unit, cell=cell)  # "426 days"
    return Target(raw=raw, kind=TargetKind.UNPARSED, cell=cell)


# What may follow a target figure as its unit ("426 days", "60 per 10,000"): nothing that changes its meaning.
_UNIT_NOTE = re.compile(
    r"^(?:(?:working |calendar )?(?:days?|weeks?|months?|years?|hours?|hrs|mins?|minutes?)"
    r"|(?:per|/)\s*(?:100|1,?000|10,?000|100,?000|1k|10k|100k)(?:\s+[a-z][a-z ]*)?"
    r"|children|young people|pupils|cases|families|visits|referrals|placements|people|adults|households)$",
    re.I,
)


_HIGH = re.compile(
    r"^(?:high(?:er)?|big(?:ger)?|more|increase|up|↑|⬆|▲)(?:\s+(?:is|=)\s+(?:good|better))?$|"
    r"^(?:high|higher|bigger|more)\s+(?:is\s+)?(?:good|better)$|^maximi[sz]e$",
    re.I,
)
_LOW = re.compile(
    r"^(?:low(?:er)?|small(?:er)?|less|fewer|decrease|down|↓|⬇|▼)(?:\s+(?:is|=)\s+(?:good|better))?$|"
    r"^(?:low|lower|smaller|less|fewer)\s+(?:is\s+)?(?:good|better)$|^minimi[sz]e$",
    re.I,
)
_NO_POLARITY = re.compile(r"^(?:n/?a|none|neutral|contextual|context|no polarity|-|–|tbc)?$", re.I)


def parse_polarity(value: object) -> tuple[Polarity | None, bool]:
    """(polarity, understood). "High is good" -> ("high", True); "N/A" -> (None, True)."""
    if value is None:
        return None, True
    text = " ".join(str(value).split()).rstrip(".")
    if _HIGH.match(text):
        return "high", True
    if _LOW.match(text):
        return "low", True
    return None, bool(_NO_POLARITY.match(text))
