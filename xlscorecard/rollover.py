"""Next quarter's blank submission workbook, and blank templates, with entry validation (issue 8).

`rollover_file` copies a scorecard forward: same sections, PIs, leads, polarity, benchmarks and
targets, the history kept, the new quarter's column emptied, filled light yellow, given a header
note and a data-validation rule (a number, a percentage or a known marker); RAG, arrows and
comments are cleared. Rolling into a new financial year moves the columns along by a year: each
period header is relabelled in its own style and takes the values of the column that already held
its period (last year's year end and Q4), the rest are emptied.

`template_file` is the same machinery with every value emptied: a blank template for any year.

Which quarter may follow which (the rules `plan_rollover` enforces):
- the new quarter must come after the latest quarter holding any value (the reporting period);
- within the workbook's year, quarters may be skipped: every column after the reporting period is
  empty by definition, so skipping loses nothing and the skipped columns simply stay empty;
- a roll into a later year is refused when it would drop the reporting period's column (rolling
  "Qu 2 18-19" straight into 2019-20 would lose Q2's figures, and a jump of two years would lose
  everything); a blank workbook, with nothing to lose, may be rolled into any year.

The pure rules (which period goes where, new labels, the validation formula) come first and know
nothing of openpyxl; the workbook editing follows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlscorecard.atomic import atomic_path
from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.grid import column_index, column_letter
from xlscorecard.core.reading.periods import QUARTER_MENTION, Period, PeriodKind, parse_period, relabel
from xlscorecard.core.scorecard import Scorecard
from xlscorecard.core.values import MARKERS, SMALL_NUMBER_MARKERS

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "ENTRY_FILL",
    "PeriodColumn",
    "RolloverPlan",
    "entry_rule",
    "latest_reported_quarter",
    "marker_list",
    "parse_quarter",
    "parse_year",
    "plan_rollover",
    "plan_template",
    "retitle",
    "rollover_file",
    "template_file",
]

ENTRY_FILL = "FFF7D1"  # light yellow; also how a later roll recognises the previous entry column
NOTE_AUTHOR = "xlscorecard"
LISTS_SHEET = "Lists"
_FALLBACK_LISTS_SHEET = "xlscorecard lists"
_MAX_RULE = 255  # Excel refuses longer data-validation formulas
_BAD_FILENAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_BAD_SHEETNAME = re.compile(r"[\[\]:*?/\\]")
_YEAR_TEXT = re.compile(r"^(?:fy\s*)?(\d{4}|\d{2})(?:\s*[-/–]\s*(\d{4}|\d{2}))?$", re.I)
_TEMPLATE_CLEARED_ROLES = ("stat_neighbour", "national", "target")
_CLEARED_ROLES = ("rag", "travel", "comments")

# ---------------------------------------------------------------- pure rules


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


def _key(period: Period) -> tuple[PeriodKind, int, int | None]:
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
    first = int(m[1]) if len(m[1]) == 4 else 2000 + int(m[1])
    if m[2] is not None and int(m[2]) % 100 != (first + 1) % 100:
        raise ScorecardError(f"--year '{text}' is not a financial year: the second year must follow the first", file)
    return first


def _next_quarter(period: Period) -> tuple[int, int]:
    assert period.quarter is not None
    return (period.year + 1, 1) if period.quarter == 4 else (period.year, period.quarter + 1)


def shift_years(period: Period, years: int) -> Period:
    """The same period `years` later, labelled in its own style ('Yr. end 17-18' -> 'Yr. end 18-19')."""
    if years == 0:
        return period
    return relabel(period, period.kind, period.year + years, period.quarter, style=period)


def _shifted(columns: Sequence[tuple[str, Period]], years: int, keep_values: bool) -> tuple[PeriodColumn, ...]:
    by_key = {_key(p): letter for letter, p in columns}
    out = []
    for letter, old in columns:
        new = shift_years(old, years)
        out.append(PeriodColumn(letter, old, new, by_key.get(_key(new)) if keep_values else None))
    return tuple(out)


def _entry_column(plan: tuple[PeriodColumn, ...], wanted: Period) -> str | None:
    return next((c.column for c in plan if _key(c.new) == _key(wanted)), None)


def _columns_text(columns: Sequence[tuple[str, Period]]) -> str:
    return ", ".join(p.label for _, p in columns)


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
        latest_column = next((c.column for c in plan if _key(c.old) == _key(latest)), None)
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


def _next_quarter_label(period: Period) -> str:
    """The quarter after `period`, labelled in the workbook's own style."""
    year, quarter = _next_quarter(period)
    return relabel(period, PeriodKind.QUARTER, year, quarter, style=period).label


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


def latest_reported_quarter(scorecard: Scorecard) -> Period | None:
    """The latest quarter holding any value for any PI; None for a blank workbook."""
    for period in reversed(scorecard.periods):
        if period.is_quarter() and any(
            not ind.values[period.label].is_blank for ind in scorecard.indicators if period.label in ind.values
        ):
            return period
    return None


def retitle(text: str, period: Period) -> str:
    """Every quarter named in a title becomes `period`, in that mention's style."""

    def swap(m: re.Match[str]) -> str:
        old = parse_period(m.group(0))
        if old is None or not old.is_quarter():
            return m.group(0)
        return relabel(old, PeriodKind.QUARTER, period.year, period.quarter, style=old).label

    return QUARTER_MENTION.sub(swap, text)


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


# ---------------------------------------------------------------- files


def rollover_file(file: str | Path, to: str, out: str | Path | None = None, sheet: str | None = None) -> Path:
    """Write the submission workbook for quarter `to`; return its path. The input is never modified."""
    from xlscorecard.api import load_scorecard
    from xlscorecard.xlsx.safety import DEFAULT_LIMITS, check_workbook_file
    from xlscorecard.xlsx.scan import check_editable

    src = Path(file)
    check_workbook_file(src)
    check_editable(src, DEFAULT_LIMITS)
    scorecard = load_scorecard(src, sheet=sheet, history=False)  # the sheet's own columns
    plan = plan_rollover(_period_columns(scorecard), latest_reported_quarter(scorecard), to, src)
    target = _output_path(src, out, default_output_name(src.stem, plan.entry))
    wb = _load_for_edit(src)
    _Editor(wb, scorecard, plan, src).rollover()
    _save(wb, target)
    return target


def template_file(
    file: str | Path,
    year: str | int,
    quarter: int = 1,
    out: str | Path | None = None,
    sheet: str | None = None,
) -> Path:
    """Write a blank template for financial year `year` from `file`'s sections and PI identity columns.

    Kept: PI ref, measure, lead, polarity and any other descriptive columns; emptied: benchmarks,
    target, every period value, RAG, arrow and comments. Every value cell is validated; quarter
    `quarter` is marked for entry.
    """
    from xlscorecard.api import load_scorecard
    from xlscorecard.core.reading.periods import year_label
    from xlscorecard.xlsx.safety import DEFAULT_LIMITS, check_workbook_file
    from xlscorecard.xlsx.scan import check_editable

    src = Path(file)
    if quarter not in (1, 2, 3, 4):
        raise ScorecardError(f"--quarter {quarter} is not a quarter (1 to 4)", src)
    first = parse_year(year, src)
    check_workbook_file(src)
    check_editable(src, DEFAULT_LIMITS)
    scorecard = load_scorecard(src, sheet=sheet, history=False)  # the sheet's own columns
    plan = plan_template(_period_columns(scorecard), first, quarter, src)
    name = f"scorecard_template_{year_label(first, '2018-19')}_Q{quarter}.xlsx"
    target = _output_path(src, out, name)
    wb = _load_for_edit(src)
    _Editor(wb, scorecard, plan, src).template()
    _save(wb, target)
    return target


def _period_columns(scorecard: Scorecard) -> list[tuple[str, Period]]:
    cols = [(scorecard.columns[p.label], p) for p in scorecard.periods if p.label in scorecard.columns]
    return sorted(cols, key=lambda c: column_index(c[0]))


def _output_path(src: Path, out: str | Path | None, name: str) -> Path:
    if out is None:
        target = src.with_name(name)
    elif Path(out).is_dir():
        target = Path(out) / name
    else:
        target = Path(out)
    if target.suffix.lower() != ".xlsx":
        raise ScorecardError("output must be a .xlsx file or an existing folder", target)
    if not target.parent.is_dir():
        raise ScorecardError("output folder does not exist", target.parent)
    if target.exists() and os.path.samefile(target, src):
        raise ScorecardError("output would replace the input; choose another name with -o", target)
    return target


def _load_for_edit(src: Path) -> Workbook:
    """The workbook in openpyxl's editing mode; the caller has bounded it first (xlsx_scan.check_editable)."""
    import openpyxl

    from xlscorecard.core.errors import WorkbookError

    try:
        # keep_vba=False: VBA is never copied. Not read-only, so styles, widths and print settings stay.
        return openpyxl.load_workbook(src, keep_vba=False, rich_text=True)
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises whatever its parts' parsers raise on damage
        raise WorkbookError(
            f"workbook is damaged and cannot be opened for editing ({_problem(exc)}); open it in Excel and save"
            " it again",
            src,
        ) from None


def _problem(exc: BaseException) -> str:
    """A library's exception as a short printable phrase for a one-line message."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = "".join(ch if ch.isprintable() else "?" for ch in text[:120])
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _save(wb: Workbook, target: Path) -> None:
    """Write to a temporary file beside `target`, then rename: never a partial file under the final name."""
    try:
        with atomic_path(target, prefix=f".{target.stem}.") as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise ScorecardError(f"cannot write the output ({exc.strerror or exc})", target) from None


def _set_value(cell: Any, value: object, data_type: str | None = None) -> None:
    """Assign without letting text become a formula (openpyxl makes any '=...' string a formula)."""
    cell.value = value
    if value is not None and (data_type == "s" or (isinstance(value, str) and cell.data_type == "f")):
        cell.data_type = "s"


def _is_entry_fill(cell: Any) -> bool:
    fill = cell.fill
    rgb = getattr(fill.fgColor, "rgb", None)
    return fill.fill_type == "solid" and isinstance(rgb, str) and rgb[-6:].upper() == ENTRY_FILL


class _Editor:
    """Applies a RolloverPlan to the loaded workbook, in memory."""

    def __init__(self, wb: Workbook, scorecard: Scorecard, plan: RolloverPlan, src: Path):
        self.wb = wb
        self.ws: Worksheet = wb[scorecard.sheet]
        self.scorecard = scorecard
        self.plan = plan
        self.src = src
        self.pi_rows = sorted({ind.row for ind in scorecard.indicators})
        self.period_columns = [c.column for c in plan.columns]

    def rollover(self) -> None:
        self._split_merges({self.plan.entry_column} | {c.column for c in self.plan.columns if c.moved}
                           | {c.source for c in self.plan.columns if c.moved and c.source})
        self._show_a_sheet()
        self._remove_previous_marks()
        self._relabel_headers()
        self._move_values()
        self._clear(_CLEARED_ROLES)
        self._clear_columns([self.plan.entry_column])
        self._mark_entry([self.plan.entry_column])
        self._retitle()
        self._print_ready()

    def template(self) -> None:
        self._split_merges(set(self.period_columns))
        self._show_a_sheet()
        self._remove_previous_marks()
        self._relabel_headers()
        self._clear(_CLEARED_ROLES + _TEMPLATE_CLEARED_ROLES)
        self._clear_columns(self.period_columns)
        self._mark_entry(self.period_columns)
        self._retitle()
        self._print_ready()

    # -- pieces

    def _split_merges(self, letters: set[str]) -> None:
        """Unmerge ranges over the PI cells of `letters`: each entry or moved cell must hold its own value.

        Merges elsewhere (a title across the sheet, a group label over the quarters, RAG merged with
        the arrow) are kept; cells inside them other than the top-left one are left alone.
        """
        if not self.pi_rows or not letters:
            return
        columns = {column_index(letter) for letter in letters}
        first, last = self.pi_rows[0], self.pi_rows[-1]
        for rng in list(self.ws.merged_cells.ranges):
            if rng.max_row < first or rng.min_row > last:
                continue
            if not any(rng.min_col <= col <= rng.max_col for col in columns):
                continue
            if any(rng.min_row <= r <= rng.max_row for r in self.pi_rows):
                self.ws.unmerge_cells(rng.coord)

    def _show_a_sheet(self) -> None:
        """A workbook must show one sheet; if every sheet is hidden, the scorecard is shown."""
        if all(ws.sheet_state != "visible" for ws in self.wb.worksheets):
            self.ws.sheet_state = "visible"
            self.wb.active = self.wb.worksheets.index(self.ws)

    def _anchor(self, coordinate: str) -> Any:
        """The cell at `coordinate`, or the top-left cell of the merged range holding it."""
        for rng in self.ws.merged_cells.ranges:
            if coordinate in rng:
                return self.ws.cell(rng.min_row, rng.min_col)
        return self.ws[coordinate]

    def _header_rows(self) -> list[int]:
        """The header row and its repeats, as the reader found them (one rule, in reading/header.py)."""
        return [self.scorecard.header_row, *self.scorecard.repeated_header_rows]

    def _relabel_headers(self) -> None:
        for r in self._header_rows():
            for col in self.plan.columns:
                cell = self.ws[f"{col.column}{r}"]
                p = parse_period(cell.value)
                if p is not None and _key(p) == _key(col.old) and col.old.label != col.new.label:
                    _set_value(cell, col.new.label, "s")
        # An Excel table's column names must match its header cells, or Excel repairs the file.
        renamed = {str(c.old.label): c.new.label for c in self.plan.columns}
        for table in self.ws.tables.values():
            for column in table.tableColumns:
                label = parse_period(column.name)
                if label is not None and label.label in renamed:
                    column.name = renamed[label.label]

    def _move_values(self) -> None:
        """New-year roll: each column takes the values of the column that held its period."""
        moving = [c for c in self.plan.columns if c.moved]
        if not moving:
            return
        cached = self._cached_values({c.source for c in moving if c.source is not None})
        snapshot: dict[tuple[int, str], tuple[object, str, Any, Any]] = {}
        for col in moving:
            if col.source is None:
                continue
            for r in self.pi_rows:
                cell = self.ws[f"{col.source}{r}"]
                value, dtype = cell.value, cell.data_type
                if dtype == "f":
                    # A moved formula would point at the wrong quarters: keep its saved result, the
                    # value the core reads (data_only) and so the value the history showed.
                    value = cached.get((r, col.source))
                    dtype = "s" if isinstance(value, str) else "n"
                snapshot[(r, col.source)] = (value, dtype, copy(cell._style), cell.comment)
        for col in moving:
            for r in self.pi_rows:
                cell = self.ws[f"{col.column}{r}"]
                if col.source is None:
                    _set_value(cell, None)
                    cell.comment = None
                    cell.hyperlink = None
                    continue
                value, dtype, style, comment = snapshot[(r, col.source)]
                _set_value(cell, value, dtype)
                cell._style = copy(style)
                cell.comment = None if comment is None else _copy_comment(comment)
                cell.hyperlink = None

    def _cached_values(self, columns: set[str]) -> dict[tuple[int, str], object]:
        """Saved results of formula cells in `columns`, only read when there are formulas to move."""
        has_formula = any(self.ws[f"{c}{r}"].data_type == "f" for c in columns for r in self.pi_rows)
        if not has_formula:
            return {}
        import openpyxl

        book = openpyxl.load_workbook(self.src, data_only=True, keep_links=False)
        try:
            ws = book[self.ws.title]
            return {(r, c): ws[f"{c}{r}"].value for c in columns for r in self.pi_rows}
        finally:
            book.close()

    def _clear(self, roles: Iterable[str]) -> None:
        letters = [self.scorecard.columns[role] for role in roles if role in self.scorecard.columns]
        self._clear_columns(letters)

    def _clear_columns(self, letters: Iterable[str]) -> None:
        from openpyxl.cell.cell import MergedCell

        for letter in letters:
            for r in self.pi_rows:
                cell = self.ws[f"{letter}{r}"]
                if isinstance(cell, MergedCell):
                    continue  # holds nothing; the merged range's top-left cell is cleared by its own column
                _set_value(cell, None)
                cell.comment = None
                cell.hyperlink = None

    def _remove_previous_marks(self) -> None:
        """A workbook rolled before carries last quarter's marks: fill, header note, validation, list."""
        from openpyxl.styles import PatternFill

        header_rows = self._header_rows()
        for letter in self.period_columns:
            for r in self.pi_rows:
                cell = self.ws[f"{letter}{r}"]
                if _is_entry_fill(cell):
                    cell.fill = PatternFill(fill_type=None)
            for r in header_rows:
                cell = self.ws[f"{letter}{r}"]
                if cell.comment is not None and cell.comment.author == NOTE_AUTHOR:
                    cell.comment = None
        for name in (LISTS_SHEET, _FALLBACK_LISTS_SHEET):
            if name in self.wb.sheetnames and self._is_our_list(self.wb[name]):
                refs = (f"{_sheet_ref(name)}!".lower(), f"'{name}'!".lower())
                dvs = self.ws.data_validations.dataValidation
                self.ws.data_validations.dataValidation = [
                    dv for dv in dvs if not any(ref in (dv.formula1 or "").lower() for ref in refs)
                ]
                del self.wb[name]

    def _is_our_list(self, ws: Worksheet) -> bool:
        known = {m.lower() for m in marker_list()}
        values = [row[0] for row in ws.iter_rows(min_col=1, max_col=1, values_only=True)]
        return (
            ws.sheet_state != "visible"
            and bool(values)
            and all(isinstance(v, str) and v.lower() in known for v in values)
        )

    def _lists_sheet(self) -> str:
        """A hidden sheet holding the markers in column A; returns its A1 range reference."""
        name = LISTS_SHEET if LISTS_SHEET not in self.wb.sheetnames else _FALLBACK_LISTS_SHEET
        if name in self.wb.sheetnames:
            raise ScorecardError(f"already has sheets named '{LISTS_SHEET}' and '{name}'", self.src)
        ws = self.wb.create_sheet(name)
        markers = marker_list()
        for i, marker in enumerate(markers, start=1):
            _set_value(ws.cell(i, 1), marker, "s")
        ws.column_dimensions["A"].width = 24
        ws.sheet_state = "hidden"
        return f"{_sheet_ref(name)}!$A$1:$A${len(markers)}"

    def _mark_entry(self, validated: list[str]) -> None:
        """Entry fill and header note on the entry column; one validation rule over `validated` x PI rows."""
        from openpyxl.comments import Comment
        from openpyxl.styles import PatternFill
        from openpyxl.worksheet.datavalidation import DataValidation

        if not self.pi_rows:
            return
        entry, letter = self.plan.entry, self.plan.entry_column
        fill = PatternFill(fill_type="solid", fgColor=ENTRY_FILL, bgColor=ENTRY_FILL)
        for r in self.pi_rows:
            self.ws[f"{letter}{r}"].fill = fill
        note = Comment(
            f"{entry.label}: this quarter's figures go in this column. Enter a number, a percentage (45%) "
            "or a marker such as suppressed, c, <5, x, N/A, TBC, z, k or -; anything else is refused. "
            "Notes go in the comments column.",
            NOTE_AUTHOR,
            height=110,
            width=260,
        )
        self._anchor(f"{letter}{self.scorecard.header_row}").comment = note
        ranges = entry_ranges(validated, self.pi_rows)
        top_left = ranges[0].split(":")[0]
        self._release_cells({(column_index(c), r) for c in validated for r in self.pi_rows})
        dv = DataValidation(
            type="custom",
            formula1=entry_rule(top_left, self._lists_sheet()),
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorStyle="stop",
            errorTitle="Not a figure or a marker",
            error=(
                "Enter a number, a percentage (45%) or a known marker such as suppressed, c, <5, x, N/A, TBC, z, k "
                "or -. Notes such as '57% (63%)' or 'provisional' go in the comments column."
            ),
            promptTitle=f"{entry.label} figure"[:32] if len(validated) == 1 else "Figure",
            prompt=(
                "A number, a percentage (45%) or a marker: suppressed, c, <5, x, N/A, TBC, z, k or -. "
                "Leave blank if not yet known."
            ),
            sqref=" ".join(ranges),
        )
        self.ws.add_data_validation(dv)

    def _release_cells(self, cells: set[tuple[int, int]]) -> None:
        """Older validation rules give up the entry cells; on a protected sheet they are unlocked."""
        from openpyxl.styles import Protection
        from openpyxl.worksheet.cell_range import MultiCellRange

        kept = []
        for dv in self.ws.data_validations.dataValidation:
            rects = [
                part
                for rng in dv.sqref.ranges
                for part in subtract_cells((rng.min_col, rng.min_row, rng.max_col, rng.max_row), cells)
            ]
            if rects:
                dv.sqref = MultiCellRange(
                    " ".join(f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}" for c1, r1, c2, r2 in rects)
                )
                kept.append(dv)
        self.ws.data_validations.dataValidation = kept
        if self.ws.protection.sheet:
            for c, r in cells:
                self.ws.cell(r, c).protection = Protection(locked=False)

    def _retitle(self) -> None:
        """Title lines above the header name the new quarter; the sheet too, when that is safe."""
        entry = self.plan.entry
        for row in self.ws.iter_rows(min_row=1, max_row=self.scorecard.header_row - 1):
            for cell in row:
                if cell.data_type == "s" and isinstance(cell.value, str):
                    new = retitle(cell.value, entry)
                    if new != cell.value:
                        _set_value(cell, new, "s")
        old = parse_period(self.ws.title)
        if old is None or not old.is_quarter():
            return
        name = relabel(old, PeriodKind.QUARTER, entry.year, entry.quarter, style=old).label
        if name == self.ws.title or len(name) > 31 or _BAD_SHEETNAME.search(name) or name in self.wb.sheetnames:
            return
        if self._sheet_is_referenced(self.ws.title):
            return  # formulas or names point at the sheet by name: renaming would break them
        self._rename_in_text(self.ws.title, name)
        self.ws.title = name

    def _rename_in_text(self, old: str, new: str) -> None:
        """Text on other sheets (a Contents sheet) that names the scorecard sheet names its new name."""
        pattern = re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w-])")
        for ws in self.wb.worksheets:
            if ws is self.ws:
                continue
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "s" and isinstance(cell.value, str) and pattern.search(cell.value):
                        _set_value(cell, pattern.sub(new, cell.value), "s")

    def _print_ready(self) -> None:
        from xlscorecard.xlsx.print_setup import make_print_ready

        title = self.scorecard.title and retitle(self.scorecard.title, self.plan.entry)
        make_print_ready(self.wb, self.ws.title, self.scorecard.header_row, title, self.plan.entry.label,
                         str(self.src))

    def _sheet_is_referenced(self, title: str) -> bool:
        needle = title.lower()
        for name in self.wb.defined_names.values():
            if needle in str(name.value or "").lower():
                return True
        for ws in self.wb.worksheets:
            for dn in ws.defined_names.values():
                if needle in str(dn.value or "").lower():
                    return True
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f" and needle in str(cell.value).lower():
                        return True
        return False


def _sheet_ref(name: str) -> str:
    """A sheet name as a formula writes it: quoted only when it must be (Excel saves it that way too)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name):
        return name
    return "'" + name.replace("'", "''") + "'"


def _copy_comment(comment: Any) -> Any:
    from openpyxl.comments import Comment

    return Comment(comment.text, comment.author, height=comment.height, width=comment.width)
