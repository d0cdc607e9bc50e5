"""Finding the header: one row, or a group header merged over a row of sub-headers (DESIGN 3).

Each header cell is understood as a role (by the vocabulary, or a layout profile) or a period;
what is neither is kept as an unrecognised column, to be reported, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from xlscorecard.core.grid import CellValue, Grid
from xlscorecard.core.reading.periods import (
    Granularity,
    Period,
    date_period,
    parse_period,
    quarters_by_last_month,
    start_year,
)
from xlscorecard.core.reading.vocabulary import normalise_header, role_of

if TYPE_CHECKING:
    from xlscorecard.core.reading.profile import Profile

_YEARS_IN = re.compile(r"(?:\d{4}|\d{2})\s*[-/–]\s*(?:\d{4}|\d{2})")
_YEAR_PARTS = re.compile(r"\s*[-/–]\s*")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_PERIOD_TARGET = re.compile(r"\btargets?\b", re.I)


@dataclass
class HeaderCell:
    """One understood (or not) header cell: 0-based grid row and column."""

    r: int
    c: int
    text: str
    role: str | None = None
    period: Period | None = None
    source: str = "vocabulary"  # "vocabulary", "profile" or "inferred"


@dataclass
class Header:
    """Where each role and period sits (0-based grid columns)."""

    row: int  # the last header row: data starts below it
    roles: dict[str, int]
    periods: list[tuple[int, Period]]
    others: dict[int, str] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)  # every header row, first to last
    cells: list[HeaderCell] = field(default_factory=list)
    groups: list[tuple[int, int]] = field(default_factory=list)  # (r, c) of group headers over sub-headers
    ignored: set[int] = field(default_factory=set)
    raw_rows: list[dict[int, str]] = field(default_factory=list)  # each header row's text, by column

    @property
    def first_column(self) -> int:
        return min([*self.roles.values(), *(c for c, _ in self.periods), *self.others])

    @property
    def unrecognised(self) -> list[HeaderCell]:
        return [cell for cell in self.cells if cell.role is None and cell.period is None and cell.c in self.others]

    def is_long(self) -> bool:
        """One row per indicator per period: a period column and a value column, no period headers."""
        return not self.periods and "period" in self.roles and "value" in self.roles


def classify(value: CellValue, column: str, profile: Profile | None = None) -> tuple[str | None, Period | None, str]:
    """(role, period, source) of one header cell's value in the sheet column `column`."""
    if profile is not None:
        mapped = profile.lookup(value, column)
        if mapped is not None:
            if mapped.startswith("period:"):
                label = mapped.split(":", 1)[1].strip()
                period = parse_period(label)
                if period is not None:
                    return None, period, "profile"
                return None, None, "profile"
            return mapped, None, "profile"
    if not isinstance(value, str | dt.date):
        return None, None, "vocabulary"
    period = period_of(value)
    if period is not None:
        return None, period, "vocabulary"
    role = role_of(value)
    if role is None and _PERIOD_TARGET.search(value) and parse_period(_PERIOD_TARGET.sub(" ", value)) is not None:
        role = "target"  # "Q3 target": the target for that period, not a value
    return role, None, "vocabulary"


def period_of(value: CellValue) -> Period | None:
    """The period a cell names: its label ("Q2 2018/19"), or a date cell as the month it falls in."""
    if isinstance(value, dt.date):
        return date_period(value)
    if not isinstance(value, str):
        return None
    if (m := _ISO_DATE.match(value.strip())) is not None:  # a date cell, as the reader hands it
        return date_period(dt.date(int(m[1]), int(m[2]), int(m[3])))
    return parse_period(value)


def period_target(text: str) -> Period | None:
    """'Q3 2018/19 target' -> the period it is the target of; 'Target 2018/19' -> the year."""
    if not _PERIOD_TARGET.search(text):
        return None
    return parse_period(" ".join(_PERIOD_TARGET.sub(" ", text).split()))


def _text(value: CellValue) -> str:
    if isinstance(value, dt.date):
        return date_period(value).label
    if isinstance(value, str) and (m := _ISO_DATE.match(value.strip())) is not None:
        return date_period(dt.date(int(m[1]), int(m[2]), int(m[3]))).label
    if isinstance(value, str):
        return " ".join(value.split())
    return "" if value is None else str(value)


def find_header(grid: Grid, profile: Profile | None = None) -> Header | None:
    """The first row (or pair of rows) naming a measure and at least two other scorecard columns."""
    rows = grid.values
    if profile is not None and profile.header_rows:
        wanted = [r - grid.sheet_row(0) for r in profile.header_rows]
        if all(0 <= r < len(rows) for r in wanted):
            return _header(grid, wanted, profile, force=True)
    for r in range(len(rows)):
        row = rows[r]
        if sum(1 for v in row if v is not None) < 2:
            continue
        if r + 1 < len(rows) and _looks_like_sub_headers(rows[r], rows[r + 1]):
            header = _header(grid, [r, r + 1], profile)
            if header is not None:
                return header
        header = _header(grid, [r], profile)
        if header is not None:
            return header
    return None


def _looks_like_sub_headers(above: list[CellValue], row: list[CellValue]) -> bool:
    """A row of text under a header row, its name columns empty, some cells under a merged group."""
    filled = [c for c, v in enumerate(row) if v is not None and (not isinstance(v, str) or v.strip())]
    if not filled or any(not isinstance(row[c], str | dt.date) for c in filled):
        return False
    names = [c for c, v in enumerate(above) if role_of(v) in ("ref", "measure")]
    if not names or any(c < len(row) and row[c] is not None for c in names):
        return False
    return any(c < len(above) and above[c] is None for c in filled) or any(
        role_of(row[c]) is not None or parse_period(row[c]) is not None for c in filled
    )


def _header(grid: Grid, rows: list[int], profile: Profile | None, force: bool = False) -> Header | None:
    roles: dict[str, int] = {}
    periods: list[tuple[int, Period]] = []
    others: dict[int, str] = {}
    cells: list[HeaderCell] = []
    groups: list[tuple[int, int]] = []
    ignored: set[int] = set()
    targets: list[tuple[int, Period]] = []  # "Q3 target": the target for that period
    top = grid.values[rows[0]]
    bottom = grid.values[rows[-1]]
    width = max(len(top), len(bottom))
    stated: list[str | None] = []  # the one financial year the title rows or sheet name state, read when needed
    for c in range(width):
        column = grid.address(0, c).rstrip("0123456789")
        sub = bottom[c] if len(rows) > 1 and c < len(bottom) else None
        if sub is not None and _text(sub):
            r, value = rows[-1], sub
            group_c = _group_column(top, c)
            group = top[group_c] if group_c is not None else None
            if group_c is not None and (rows[0], group_c) not in groups:
                groups.append((rows[0], group_c))
            role, period, source = classify(value, column, profile)
            if role is None and period is None and group is not None and isinstance(value, str):
                period = _under_group(value, _text(group))
                source = "inferred" if period is not None else source
        else:
            r, value = rows[0], top[c] if c < len(top) else None
            if value is None or not _text(value):
                continue
            role, period, source = classify(value, column, profile)
            if role is None and period is None and isinstance(value, str):
                if not stated:
                    stated.append(_stated_year(grid, rows[0]))
                year = stated[0]
                if year is not None and (period := _under_group(value, year)) is not None:
                    if period.kind in _WITHIN_A_YEAR:  # "Q1" under a title saying "2019/20"
                        source = "inferred"
                    else:
                        period = None
        text = _text(value)
        cells.append(HeaderCell(r=r, c=c, text=text, role=role, period=period, source=source))
        target_of = period_target(text) if role == "target" else None
        if period is not None:
            periods.append((c, period))
        elif target_of is not None:
            targets.append((c, target_of))
        elif role == "ignore":
            ignored.add(c)
        elif role is not None and role not in roles:
            roles[role] = c
        else:
            others[c] = text
    named = any(cell.source == "profile" and cell.period is not None for cell in cells)  # the profile's word stands
    if not named and (quarterly := quarters_by_last_month([p for _, p in periods])):
        periods = [(c, quarterly.get(p, p)) for c, p in periods]
        cells = [replace(cell, period=quarterly[cell.period], source="inferred") if cell.period in quarterly else cell
                 for cell in cells]
    if targets and "target" not in roles:
        # The target of the latest period that has a column of its own (else the latest target).
        steps = {(p.kind, p.step) for _, p in periods}
        matching = [(c, p) for c, p in targets if (p.kind, p.step) in steps] or targets
        roles["target"] = max(matching, key=lambda cp: cp[1].sort_key)[0]
        for c, _ in targets:
            if c != roles["target"]:
                ignored.add(c)
    elif targets:  # a plain Target column rates; the periods' own targets are carried as text
        for c, _ in targets:
            others[c] = next(cell.text for cell in cells if cell.c == c)
    # A group header is no column of its own.
    cells = [cell for cell in cells if (cell.r, cell.c) not in groups or len(rows) == 1]
    has_name = "measure" in roles or "ref" in roles
    long_layout = "period" in roles and "value" in roles
    if force or (has_name and len(roles) + min(len(periods), 1) >= 3 and (periods or "target" in roles or long_layout)):
        return Header(
            row=rows[-1], roles=roles, periods=periods, others=others, rows=rows, cells=cells, groups=groups,
            ignored=ignored, raw_rows=[_raw(grid.values[r]) for r in rows],
        )
    return None


def _raw(row: list[CellValue]) -> dict[int, str]:
    return {c: normalise_header(_text(v)) for c, v in enumerate(row) if v is not None and _text(v)}


def _group_column(top: list[CellValue], c: int) -> int | None:
    """The group header over column c: its own cell, else the nearest filled cell to its left."""
    for k in range(min(c, len(top) - 1), -1, -1):
        if top[k] is not None and _text(top[k]):
            return k
    return None


_WITHIN_A_YEAR = (Granularity.QUARTER, Granularity.HALF_YEAR, Granularity.TERM, Granularity.MONTH)
TITLE_ROWS = 10  # rows above a header searched for the year its bare "Q1".."Q4" belong to


def _stated_year(grid: Grid, header_row: int) -> str | None:
    """The one financial year ("2019/20") the rows above the header or the sheet's name state, else None."""
    texts = [v for row in grid.values[max(0, header_row - TITLE_ROWS):header_row] for v in row if isinstance(v, str)]
    found = {start_year(*_YEAR_PARTS.split(m.group(0))) for text in [*texts, grid.sheet or ""]
             for m in _YEARS_IN.finditer(text)}
    found.discard(None)
    if len(found) != 1:
        return None
    first = found.pop()
    assert first is not None
    return f"{first}/{(first + 1) % 100:02d}"


def _under_group(sub: str, group: str) -> Period | None:
    """A bare 'Q3' under '2017/18' is 'Q3 2017/18'; under 'Quarters 2018/19' it takes the year."""
    period = parse_period(f"{sub} {group}")
    if period is not None:
        return period
    years = _YEARS_IN.search(group)
    if years is not None and (period := parse_period(f"{sub} {years.group(0)}")) is not None:
        return period.model_copy(update={"label": f"{' '.join(sub.split())} {years.group(0)}"})
    return None


_NUMBER_TYPES = (int, float)


def other_periods(header: Header, row: list[CellValue]) -> list[str]:
    """The texts a header-like row holds in the header's period columns where they name other periods.

    Empty for a header printed again; for a second table's header ("2016/17" where the first said
    "Q1 2019/20"), the texts that differ: its rows are not values of the first header's periods."""
    differ = []
    for c, period in header.periods:
        text = _text(row[c]) if c < len(row) else None
        if not text or any(raw.get(c) == normalise_header(text) for raw in header.raw_rows):
            continue
        other = period_of(row[c])  # read as the header's own cells are (a date cell is its month)
        if other is None or (other.kind, other.step) != (period.kind, period.step):
            differ.append(text)
    return differ


def is_repeat_header(header: Header, row: list[CellValue]) -> bool:
    """A header printed again (under each section or page), either of its rows, is recognised and skipped."""
    # Cheap test first: a header row is all text.
    for v in row:
        if isinstance(v, _NUMBER_TYPES):
            return False
    filled = {c: normalise_header(_text(v)) for c, v in enumerate(row) if v is not None and _text(v)}
    if len(filled) < 2:
        return False
    for raw in header.raw_rows:
        same = sum(1 for c, text in filled.items() if raw.get(c) == text)
        if same >= max(2, (len(filled) + 1) // 2) and same >= min(len(raw), 2):
            return True
    return False
