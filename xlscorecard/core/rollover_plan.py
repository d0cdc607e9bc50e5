"""Rolling a scorecard on to the next quarter, decided without touching a file (issue 8).

A roll copies a scorecard forward: the new quarter's column is emptied and opened for entry; RAG,
arrows and comments are cleared. Rolling into a new financial year moves the columns along by a
year: each period header is relabelled in its own style and takes the values of the column that
already held its period (last year's year end and Q4), the rest are emptied. A template is the
same plan with every period column emptied.

Which quarter may follow which (the rules `plan_rollover` enforces):
- the new quarter must come after the latest quarter holding any value (the reporting period);
- within the workbook's year, quarters may be skipped: every column after the reporting period is
  empty by definition, so skipping loses nothing and the skipped columns simply stay empty;
- a roll into a later year is refused when it would drop the reporting period's column (rolling
  "Qu 2 18-19" straight into 2019-20 would lose Q2's figures, and a jump of two years would lose
  everything); a blank workbook, with nothing to lose, may be rolled into any year.

Also here, as plain values: the new titles and sheet name, the markers an entry cell accepts, the
entry cells' validation formula and ranges, and the output file names. The workbook editing that
applies a plan is xlscorecard/xlsx/rollover_editor.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.grid import column_index, column_letter
from xlscorecard.core.reading.periods import (
    QUARTER_MENTION,
    Period,
    PeriodKind,
    full_year,
    next_quarter,
    parse_period,
    relabel,
    start_year,
    year_label,
)
from xlscorecard.core.scorecard import Scorecard
from xlscorecard.core.values import MARKERS, SMALL_NUMBER_MARKERS

__all__ = [
    "CLEARED_ROLES",
    "TEMPLATE_CLEARED_ROLES",
    "PeriodColumn",
    "RolloverPlan",
    "column_runs",
    "default_output_name",
    "entry_ranges",
    "entry_rule",
    "latest_reported_quarter",
    "marker_list",
    "parse_quarter",
    "parse_year",
    "period_columns",
    "period_key",
    "plan_rollover",
    "plan_template",
    "retitle",
    "retitled_sheet_name",
    "row_runs",
    "shift_years",
    "subtract_cells",
    "template_output_name",
]

CLEARED_ROLES = ("rag", "travel", "comments")  # emptied by every roll
TEMPLATE_CLEARED_ROLES = ("stat_neighbour", "national", "target")  # emptied as well in a template
_MAX_RULE = 255  # Excel refuses longer data-validation formulas
_BAD_FILENAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_BAD_SHEETNAME = re.compile(r"[\[\]:*?/\\]")
_MAX_SHEETNAME = 31
_YEAR_TEXT = re.compile(r"^(?:fy\s*)?(\d{4}|\d{2})(?:\s*[-/–]\s*(\d{4}|\d{2}))?$", re.I)


@dataclass(frozen=True)
class PeriodColumn:
    """One period column before and after the roll."""

    column: str  # letter
    old: Period
    new: Period
    source: str | None  # column whose values it holds afterwards (itself when unchanged); None: emptied

    @property
    def moved(self) -> bool:
        return self.source != self.column


@dataclass(frozen=True)
class RolloverPlan:
    """Where each period goes and which column is open for entry."""

    columns: tuple[PeriodColumn, ...]
    entry_column: str

    @property
    def entry(self) -> Period:
        """The entry quarter, labelled as the output workbook labels it."""
        return next(c.new for c in self.columns if c.column == self.entry_column)


def period_key(period: Period) -> tuple[PeriodKind, int, int | None]:
    """What makes two labels the same period ('Qu 2 18-19' and 'Q2 2018/19')."""
    return (period.kind, period.year, period.quarter)


def parse_quarter(text: str, file: str | Path | None = None) -> Period:
    """'Qu 3 18-19' -> Period; anything that is not a quarter is a one-line ScorecardError."""
    period = parse_period(text)
    if period is None:
        raise ScorecardError(f"--to '{text}' is not a quarter (write it like 'Qu 3 18-19' or 'Q3 2018/19')", file)
    if not period.is_quarter():
        raise ScorecardError(f"--to '{text}' is a year end, not a quarter (write it like 'Qu 3 18-19')", file)
    return period


def parse_year(text: str | int, file: str | Path | None = None) -> int:
    """'2019-20', '2019/20', '19-20', '2019-2020' or '2019' -> 2019 (the year the financial year starts)."""
    m = _YEAR_TEXT.match(str(text).strip())
    if m is None:
        raise ScorecardError(f"--year '{text}' is not a financial year (write it like '2019-20')", file)
    first = full_year(m[1])
    if m[2] is not None and start_year(m[1], m[2]) is None:
        raise ScorecardError(f"--year '{text}' is not a financial year: the second year must follow the first", file)
    return first


def _next_quarter_label(period: Period) -> str:
    """The quarter after `period`, labelled in the workbook's own style."""
    year, quarter = next_quarter(period)
    return relabel(period, PeriodKind.QUARTER, year, quarter, style=period).label


def shift_years(period: Period, years: int) -> Period:
    """The same period `years` later, labelled in its own style ('Yr. end 17-18' -> 'Yr. end 18-19')."""
    if years == 0:
        return period
    return relabel(period, period.kind, period.year + years, period.quarter, style=period)


def _shifted(columns: Sequence[tuple[str, Period]], years: int, keep_values: bool) -> tuple[PeriodColumn, ...]:
    by_key = {period_key(p): letter for letter, p in columns}
    out = []
    for letter, old in columns:
        new = shift_years(old, years)
        out.append(PeriodColumn(letter, old, new, by_key.get(period_key(new)) if keep_values else None))
    return tuple(out)


def _entry_column(plan: tuple[PeriodColumn, ...], wanted: Period) -> str | None:
    return next((c.column for c in plan if period_key(c.new) == period_key(wanted)), None)


def _columns_text(columns: Sequence[tuple[str, Period]]) -> str:
    return ", ".join(p.label for _, p in columns)


def period_columns(scorecard: Scorecard) -> list[tuple[str, Period]]:
    """The sheet's period columns as (letter, period), left to right."""
    cols = [(scorecard.columns[p.label], p) for p in scorecard.periods if p.label in scorecard.columns]
    return sorted(cols, key=lambda c: column_index(c[0]))


def latest_reported_quarter(scorecard: Scorecard) -> Period | None:
    """The latest quarter holding any value for any PI; None for a blank workbook."""
    for period in reversed(scorecard.periods):
        if period.is_quarter() and any(
            not ind.values[period.label].is_blank for ind in scorecard.indicators if period.label in ind.values
        ):
            return period
    return None


def plan_rollover(
    columns: Sequence[tuple[str, Period]],
    latest: Period | None,
    to: str,
    file: str | Path | None = None,
) -> RolloverPlan:
    """Decide where each period goes when the workbook (period columns, latest reported quarter) rolls to `to`.

    Raises ScorecardError for a `to` that is not a quarter, not after `latest`, has no column, or
    would drop the latest reported figures by jumping into a later year (see the module doc).
    """
    target = parse_quarter(to, file)
    quarters = [p for _, p in columns if p.is_quarter()]
    if not quarters:
        raise ScorecardError("has no quarter columns to roll over", file)
    if latest is not None:
        assert latest.quarter_index is not None and target.quarter_index is not None
        if target.quarter_index <= latest.quarter_index:
            suggestion = _next_quarter_label(latest)
            raise ScorecardError(
                f"--to '{to}' is not after the workbook's reporting period {latest.label}; "
                f"the next quarter is {suggestion}",
                file,
            )
    years = max(target.year - max(p.year for p in quarters), 0)
    plan = _shifted(columns, years, keep_values=True)
    entry = _entry_column(plan, target)
    if entry is None:
        raise ScorecardError(f"has no column for {target.label} (period columns: {_columns_text(columns)})", file)
    if latest is not None and years:
        latest_column = next((c.column for c in plan if period_key(c.old) == period_key(latest)), None)
        if not any(c.source is not None and c.source == latest_column for c in plan):
            kept = " and ".join(c.new.label for c in plan if c.source is not None)
            keeps = f"keeps only {kept}" if kept else "keeps none of its columns"
            suggestion = _next_quarter_label(latest)
            raise ScorecardError(
                f"rolling to {target.label} would drop the {latest.label} figures, the latest reported "
                f"(the new year {keeps}); roll over to {suggestion} first",
                file,
            )
    return RolloverPlan(plan, entry)


def plan_template(
    columns: Sequence[tuple[str, Period]], year: int, quarter: int, file: str | Path | None = None
) -> RolloverPlan:
    """All period columns moved to financial year `year` (labels in their own style), all emptied."""
    quarters = [p for _, p in columns if p.is_quarter()]
    if not quarters:
        raise ScorecardError("has no quarter columns to base a template on", file)
    plan = _shifted(columns, year - max(p.year for p in quarters), keep_values=False)
    wanted = Period(label=f"Q{quarter}", kind=PeriodKind.QUARTER, year=year, quarter=quarter)
    entry = _entry_column(plan, wanted)
    if entry is None:
        raise ScorecardError(f"has no column for quarter {quarter} (period columns: {_columns_text(columns)})", file)
    return RolloverPlan(plan, entry)


def retitle(text: str, period: Period) -> str:
    """Every quarter named in a title becomes `period`, in that mention's style."""

    def swap(m: re.Match[str]) -> str:
        old = parse_period(m.group(0))
        if old is None or not old.is_quarter():
            return m.group(0)
        return relabel(old, PeriodKind.QUARTER, period.year, period.quarter, style=old).label

    return QUARTER_MENTION.sub(swap, text)


def retitled_sheet_name(title: str, period: Period) -> str | None:
    """A sheet named after a quarter ('Q2 2018-19'), renamed for `period`; None to keep the name.

    None as well when the new name is no different or is not a name Excel allows.
    """
    old = parse_period(title)
    if old is None or not old.is_quarter():
        return None
    name = relabel(old, PeriodKind.QUARTER, period.year, period.quarter, style=old).label
    if name == title or len(name) > _MAX_SHEETNAME or _BAD_SHEETNAME.search(name):
        return None
    return name


def marker_list() -> list[str]:
    """Every marker an entry cell accepts (DESIGN 4), plain and in [ ]; matched case-insensitively."""
    plain = [*MARKERS, *SMALL_NUMBER_MARKERS]
    return plain + [f"[{m}]" for m in plain]


def entry_rule(cell: str, lists: str) -> str:
    """The data-validation formula for `cell` (the range's top-left): a number, or a marker listed in `lists`.

    MATCH treats * ? ~ in the looked-up text as wildcards; they are escaped so that '?' or 'n*' are
    refused while the markers '*' and '~' still match themselves.
    """
    text = f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(TRIM({cell}),"~","~~"),"*","~*"),"?","~?")'
    rule = f"OR(ISNUMBER({cell}),ISNUMBER(MATCH({text},{lists},0)))"
    assert len(rule) <= _MAX_RULE, rule
    return rule


def row_runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """[7, 8, 9, 12] -> [(7, 9), (12, 12)]."""
    runs: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if runs and r == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


def column_runs(columns: Iterable[str]) -> list[tuple[str, str]]:
    """['H', 'I', 'K'] -> [('H', 'I'), ('K', 'K')]."""
    return [(column_letter(a), column_letter(b)) for a, b in row_runs(column_index(c) for c in columns)]


def entry_ranges(columns: Iterable[str], rows: Iterable[int]) -> list[str]:
    """A1 ranges covering `columns` x `rows`, the one holding the top-left cell first."""
    rr = row_runs(rows)
    return [f"{c1}{r1}:{c2}{r2}" for r1, r2 in rr for c1, c2 in column_runs(columns)]


def subtract_cells(rect: tuple[int, int, int, int], cells: set[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """A (min_col, min_row, max_col, max_row) rectangle less some (column, row) cells, as rectangles.

    Excel allows one validation per cell: an older rule over the entry cells must give them up.
    """
    c1, r1, c2, r2 = rect
    hit: dict[int, list[int]] = {}
    for c, r in cells:
        if c1 <= c <= c2 and r1 <= r <= r2:
            hit.setdefault(c, []).append(r)
    if not hit:
        return [rect]
    out: list[tuple[int, int, int, int]] = []
    untouched = [c for c in range(c1, c2 + 1) if c not in hit]
    out += [(a, r1, b, r2) for a, b in row_runs(untouched)]
    for c in sorted(hit):
        start = r1
        for r in sorted(hit[c]):
            if r > start:
                out.append((c, start, c, r - 1))
            start = r + 1
        if start <= r2:
            out.append((c, start, c, r2))
    return out


def default_output_name(stem: str, entry: Period) -> str:
    """'<stem> - <P> submission.xlsx', with characters a file name cannot hold replaced."""
    return _BAD_FILENAME.sub("-", f"{stem} - {entry.label} submission.xlsx")


def template_output_name(year: int, quarter: int) -> str:
    """'scorecard_template_2019-20_Q1.xlsx'."""
    return f"scorecard_template_{year_label(year, '2018-19')}_Q{quarter}.xlsx"
