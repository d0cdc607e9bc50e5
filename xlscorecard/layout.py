"""From a Grid of cells to a Scorecard: header, periods, sections and PI rows (DESIGN 3)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xlscorecard.errors import WorkbookError
from xlscorecard.findings import Code, Finding, finding
from xlscorecard.grid import CellValue, Grid, column_letter
from xlscorecard.periods import Period, PeriodKind, order_periods, parse_period
from xlscorecard.scorecard import Indicator, Scorecard, Section
from xlscorecard.targets import Polarity, Target, TargetKind, parse_polarity, parse_target
from xlscorecard.values import Observation, Status, parse_value, parse_value_at, tidy_number

# Column roles, recognised by their header wording (normalised: lower case, single spaces).
_AV = r"(?:\s+av(?:g|e|erage)?\.?)?"
ROLE_PATTERNS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        "ref": r"^(?:pi|kpi)?\s*(?:ref(?:erence)?\.?|no\.?|number|id|code)$|^(?:pi|kpi)$|^indicator (?:ref|no|id)\.?$",
        "measure": r"^(?:measure|indicator|performance indicator|(?:pi |kpi |measure |indicator )?description|indicator name|measure name|kpi|title)$",  # noqa: E501
        "lead": r"^(?:lead(?: for comments| officer| manager| contact| person)?|responsible officer|(?:pi )?owner|accountable officer|officer)$",  # noqa: E501
        "polarity": r"^(?:polarity|good is|direction of improvement|is (?:high|higher|low|lower) good\??)$",
        "stat_neighbour": rf"^(?:stat(?:istical)?\.? ?neigh(?:bour|bor)?s?\.?{_AV}|sn{_AV}|statistical neighbour average|stat neighbour average)$",  # noqa: E501
        "national": rf"^(?:national{_AV}|england{_AV}|eng{_AV}|national average|england average)$",
        "target": r"^target\b.*$",
        "rag": r"^(?:rag|rag rating|rag status|rating|status)$",
        "travel": r"^(?:(?:quarterly )?dir(?:ection)?\.? of travel|dot|d\.o\.t\.?|trend|travel|direction)$",
        "comments": r"^(?:comments?|commentary|narrative|notes?|analysis)$",
    }.items()
}
TEXT_ROLES = ("ref", "measure", "lead", "polarity", "comments")
_REF_LIKE = re.compile(r"^[A-Za-z]{0,4}\s*\d+(?:\.\d+)*[a-z]?$")
_FORMULA_START = ("=", "+", "-", "@")
_SIGNS = "".join(_FORMULA_START)


def normalise_header(value: CellValue) -> str:
    """'Stat  Neigh Av ' -> 'stat neigh av'."""
    if not isinstance(value, str):
        return ""
    return " ".join(value.replace("\u00a0", " ").replace("&", " and ").split()).lower().strip(" :")


def _role_of(value: CellValue) -> str | None:
    text = normalise_header(value)
    if not text:
        return None
    for role, pattern in ROLE_PATTERNS.items():
        if pattern.match(text):
            return role
    return None


@dataclass
class Header:
    """Where each role and period sits (0-based grid columns)."""

    row: int
    roles: dict[str, int]
    periods: list[tuple[int, Period]]
    others: dict[int, str] = field(default_factory=dict)

    @property
    def first_column(self) -> int:
        return min([*self.roles.values(), *(c for c, _ in self.periods), *self.others])


def find_header(grid: Grid) -> Header | None:
    """The first row whose cells name a measure and at least two other scorecard columns."""
    for r, row in enumerate(grid.values):
        header = _header_from_row(r, row)
        if header is not None:
            return header
    return None


def _header_from_row(r: int, row: list[CellValue]) -> Header | None:
    roles: dict[str, int] = {}
    periods: list[tuple[int, Period]] = []
    others: dict[int, str] = {}
    for c, value in enumerate(row):
        period = parse_period(value) if isinstance(value, str) else None
        if period is not None:
            periods.append((c, period))
            continue
        role = _role_of(value)
        if role is not None and role not in roles:
            roles[role] = c
        elif isinstance(value, str) and value.strip():
            others[c] = value.strip()
    has_name = "measure" in roles or "ref" in roles
    if has_name and len(roles) + min(len(periods), 1) >= 3 and (periods or "target" in roles):
        return Header(row=r, roles=roles, periods=periods, others=others)
    return None


_NUMBER_TYPES = (int, float)


def _is_repeat_header(header: Header, row: list[CellValue]) -> bool:
    """A header printed again (at each page) is recognised and skipped."""
    # Cheap test first: a header row is all text, and its name column holds a column name.
    for v in row:
        if isinstance(v, _NUMBER_TYPES):
            return False
    name_col = header.roles.get("measure", header.roles.get("ref"))
    if name_col is not None and name_col < len(row) and _role_of(row[name_col]) is None:
        return False
    if _header_from_row(header.row, row) is not None:
        return True
    return bool(header.periods) and all(
        c < len(row) and isinstance(row[c], str) and normalise_header(row[c]) == p.label.lower()
        for c, p in header.periods
    )


def _text(value: CellValue) -> str | None:
    if value is None:
        return None
    text = str(value).strip() if not isinstance(value, float) or not value.is_integer() else str(int(value))
    return text or None


def _ref_text(value: CellValue, number_format: str | None) -> str | None:
    """PI refs like 1.10 must stay '1.10' even when Excel stored them as the number 1.1."""
    if isinstance(value, float) and not value.is_integer() and number_format:
        m = re.search(r"0\.(0+)", number_format)
        if m:
            return f"{value:.{len(m.group(1))}f}"
    return _text(value)


def read_scorecard(grid: Grid, period: str | None = None, file: str | None = None) -> Scorecard:
    """Parse a Grid into a Scorecard; raises WorkbookError when no scorecard header is found."""
    return _read_scorecard(grid, period, file)


def _read_scorecard(grid: Grid, period: str | None, file: str | None) -> Scorecard:
    header = find_header(grid)
    if header is None:
        raise WorkbookError(
            f"sheet '{grid.sheet}' has no scorecard header row "
            "(expected columns such as PI Ref, Measure, Target and quarters like 'Qu 2 18-19')",
            file,
        )
    ordered = order_periods([p for _, p in header.periods])
    period_col = {p.label: c for c, p in header.periods}
    builder = _Builder(grid, header, ordered, period_col)
    for r in range(header.row + 1, grid.height):
        builder.add_row(r)
    reporting = _reporting_period(builder.indicators, ordered, period, file)
    findings = builder.findings + _value_findings(grid.sheet, builder.indicators, ordered, reporting)
    columns = {role: column_letter(grid.sheet_column(c)) for role, c in header.roles.items()}
    columns.update({label: column_letter(grid.sheet_column(c)) for label, c in period_col.items()})
    headers = {
        column_letter(grid.sheet_column(c)): str(v).strip()
        for c, v in enumerate(grid.values[header.row])
        if isinstance(v, str) and v.strip()
    }
    return Scorecard(
        file=file,
        sheet=grid.sheet,
        title=_title(grid, header),
        header_row=grid.sheet_row(header.row),
        columns=columns,
        headers=headers,
        periods=ordered,
        reporting_period=reporting,
        sections=builder.sections,
        indicators=builder.indicators,
        findings=findings,
        formats_known=grid.number_formats is not None,
    )


def _title(grid: Grid, header: Header) -> str | None:
    for row in grid.values[: header.row]:
        for value in row:
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


_NO_ROW: tuple[CellValue, ...] = ()


class _SharedKeys:
    """Builds plain dicts that share one table of keys (CPython's key-sharing instance dicts).

    Every PI's values dict maps the same period labels, in the same order, so the labels and
    their hashes are stored once rather than per PI: about 130 bytes less per PI. The dicts are
    ordinary dicts (type, equality, order and JSON are those of any dict); an interpreter without
    key sharing simply gives unshared ones. Each builder has its own class, so one sheet's labels
    never fill another's table.
    """

    def __init__(self) -> None:
        self._holder = type("_Keys", (), {})

    def new(self) -> dict[str, Any]:
        """An empty dict whose string keys, set in the usual order, go to the shared table."""
        return self._holder().__dict__  # type: ignore[no-any-return]


class _Builder:
    """Walks the rows under the header, collecting sections, indicators and parse findings.

    A sheet can hold tens of thousands of PI rows, so each row is read straight from the grid's
    row lists: every column's letters are worked out once, each row's number once.
    """

    def __init__(self, grid: Grid, header: Header, periods: list[Period], period_col: dict[str, int]):
        self.grid = grid
        self.header = header
        self.periods = periods
        self.period_col = period_col
        self.first = header.first_column
        self.columns = sorted({*header.roles.values(), *period_col.values(), *header.others})
        self.sections: list[Section] = []
        self.indicators: list[Indicator] = []
        self.findings: list[Finding] = []
        self._section: str | None = None
        self._pis_since_heading = True
        self._seen_refs: dict[str, int] = {}
        roles = header.roles
        self._decoration = {roles.get(role) for role in ("rag", "travel", "comments")}
        self._content_cols = [c for c in self.columns if c not in self._decoration and c != self.first]
        # Every column the rows are read at, and its letters (as grid.address gives them).
        self._letters = {c: column_letter(grid.sheet_column(c)) for c in self.columns}
        self._span = (max(self.columns) + 1) if self.columns else 0
        self._period_cells = [(p.label, period_col[p.label], self._letters[period_col[p.label]]) for p in periods]
        self._role = {role: roles.get(role) for role in (*ROLE_PATTERNS, *TEXT_ROLES)}
        self._others = list(header.others.items())
        # The text columns checked for formula-like text, by role or header name.
        self._text_columns = [(role, c) for role in TEXT_ROLES if (c := roles.get(role)) is not None]
        self._text_columns += [(name, c) for c, name in self._others]
        self._formats_known = grid.number_formats is not None
        # Parsed once per distinct cell content: markers, arrows, polarities and targets repeat.
        self._texts: dict[str, Observation] = {}
        self._polarities: dict[str, tuple[Polarity | None, bool]] = {}
        self._targets: dict[tuple[type, CellValue, str | None], Target] = {}
        self._values_dicts = _SharedKeys()  # every PI's values dict has the same keys, in the same order
        self._extra_dicts = _SharedKeys()

    def _target(self, value: CellValue, number_format: str | None, cell: str | None) -> Target:
        """parse_target, each distinct (value, format) parsed once."""
        if value is None:
            return Target(cell=cell)
        key = (value.__class__, value, number_format)
        t = self._targets.get(key)
        if t is None:
            t = parse_target(value, number_format)
            if len(self._targets) < 4096:
                self._targets[key] = t
        return Target(t.raw, t.kind, t.operator, t.value, t.low, t.high, t.unit, t.benchmark, cell)

    def _polarity(self, value: CellValue) -> tuple[Polarity | None, bool]:
        """parse_polarity, each distinct text parsed once."""
        if not isinstance(value, str):
            return parse_polarity(value)
        known = self._polarities.get(value)
        if known is None:
            known = self._polarities[value] = parse_polarity(value)
        return known

    def _row(self, r: int) -> tuple[list[CellValue], Sequence[str | None]]:
        """Row r's values and number formats, at least as wide as the columns read."""
        span = self._span
        values = self.grid.values[r]
        formats = self.grid.number_formats
        if formats is not None and len(values) >= span and r < len(formats) and len(formats[r]) >= span:
            return values, formats[r]  # the usual case: a full grid
        if len(values) < span:
            values = [*values, *([None] * (span - len(values)))]
        fmts: Sequence[str | None]
        if formats is None or r >= len(formats):
            fmts = (None,) * span
        else:
            fmts = formats[r]
            if len(fmts) < span:
                fmts = [*fmts, *([None] * (span - len(fmts)))]
        return values, fmts

    def add_row(self, r: int) -> None:
        row = self.grid.values[r]
        n = len(row)
        # Most rows are PIs: a filled column other than the first and the decorations says so at once.
        for c in self._content_cols:
            if c < n and (v := row[c]) is not None and (not isinstance(v, str) or v.strip()):
                if not _is_repeat_header(self.header, row):
                    self._add_indicator(r)
                return
        filled = [c for c in self.columns if c < n and _text(row[c]) is not None]
        if not filled:
            return
        if _is_repeat_header(self.header, row):
            return
        first_text = _text(row[self.first]) if self.first < n else None
        # A heading holds only its title; a stray arrow, RAG or note beside it does not make a PI.
        decoration = self._decoration
        content = [c for c in filled if c not in decoration]
        if content == [self.first] and first_text and not _REF_LIKE.match(first_text):
            parent = self._section if not self._pis_since_heading else None
            self.sections.append(Section(title=first_text, row=self.grid.sheet_row(r), parent=parent))
            self._section = first_text
            self._pis_since_heading = False
            return
        self._add_indicator(r)

    def _add_indicator(self, r: int) -> None:
        grid, sheet = self.grid, self.grid.sheet
        row, fmts = self._row(r)
        letters = self._letters
        role = self._role
        row_no = grid.sheet_row(r)
        digits = str(row_no)

        def at(c: int | None) -> tuple[CellValue, str | None, str]:
            if c is None:
                return None, None, ""
            return row[c], fmts[c], letters[c] + digits

        texts = self._texts

        def observed(c: int | None) -> Observation:
            if c is None:
                return parse_value(None, None, "")
            return parse_value_at(row[c], fmts[c], letters[c], row_no, texts)

        ref_value, ref_format, ref_cell = at(role["ref"])
        ref = _ref_text(ref_value, ref_format) or f"row {row_no}"
        c = role["measure"]
        measure = (_text(row[c]) if c is not None else None) or ""
        self._pis_since_heading = True
        if ref in self._seen_refs:
            self.findings.append(
                finding(
                    Code.DUPLICATE_PI,
                    sheet,
                    ref_cell or None,
                    ref,
                    f"PI {ref} appears again (first on row {self._seen_refs[ref]})",
                )
            )
        else:
            self._seen_refs[ref] = row_no

        # Each value's cell as its column's letters and the row's number, shared (see Observation).
        values = self._values_dicts.new()
        for label, c, column in self._period_cells:
            values[label] = parse_value_at(row[c], fmts[c], column, row_no, texts)
        target_value, target_format, target_cell = at(role["target"])
        target = self._target(target_value, target_format, target_cell or None)
        polarity_value, _, polarity_cell = at(role["polarity"])
        polarity, understood = self._polarity(polarity_value)
        if not understood:
            self.findings.append(
                finding(
                    Code.UNPARSED_POLARITY,
                    sheet,
                    polarity_cell,
                    ref,
                    f"polarity '{polarity_value}' is not understood (use 'High is good' or 'Low is good')",
                )
            )
        sn = observed(role["stat_neighbour"])
        national = observed(role["national"])
        # The values, figures and target were made here, for this row alone: given units in place.
        unit, values, sn, national, target = _infer_units(
            measure, values, sn, national, target, self._formats_known, in_place=True
        )
        if target.kind is TargetKind.UNPARSED:
            self.findings.append(
                finding(
                    Code.UNPARSED_TARGET,
                    sheet,
                    target.cell,
                    ref,
                    f"target '{target.raw}' is not a value, bound, range or benchmark",
                )
            )
        extra = self._extra_dicts.new()
        for c, name in self._others:
            if (text := _text(row[c])) is not None:
                extra[name] = text
        # Text that could run as a formula; the cheap test first: a sign, or white space, comes first.
        for name, c in self._text_columns:
            v = row[c]
            if isinstance(v, str) and v and (v[0] in _SIGNS or v[0].isspace()) and _formula_like(v):
                self._formula_finding(v, letters[c] + digits, ref, name)
        lead, comments = role["lead"], role["comments"]
        self.indicators.append(
            Indicator(
                ref=ref,
                measure=measure,
                section=self._section,
                row=row_no,
                lead=_text(row[lead]) if lead is not None else None,
                polarity=polarity,
                polarity_raw=_text(polarity_value),
                unit=unit,
                target=target,
                values=values,
                stat_neighbour=sn,
                national=national,
                submitted_rag=observed(role["rag"]),
                submitted_arrow=observed(role["travel"]),
                comments=_text(row[comments]) if comments is not None else None,
                extra=extra,
            )
        )

    def _formula_finding(self, value: str, address: str, ref: str, field_name: str) -> None:
        text = value.strip()
        self.findings.append(
            finding(
                Code.LOOKS_LIKE_FORMULA,
                self.grid.sheet,
                address,
                ref,
                f"{field_name} text starts with '{text[0]}' and would run as a formula "
                "if pasted into Excel; it is kept as text",
            )
        )


def _formula_like(value: CellValue) -> bool:
    """Text that would run as a formula if pasted into Excel ("=SUM(A1)", " -5 days")."""
    if not isinstance(value, str) or not value or not (value[0] in _SIGNS or value[0].isspace()):
        return False  # the cheap test first: a sign, or white space before one, comes first
    text = value.strip()
    return len(text) > 1 and text.startswith(_FORMULA_START)


_PERCENT_MEASURE = re.compile(r"^\s*(?:%|percent(?:age)?\b|proportion\b)|\(%\)|\bpercentage of\b", re.I)
_COUNT_MEASURE = re.compile(r"^\s*(?:number|no\.|count|total|average|avg|rate|mean|median)\b", re.I)


def infer_units(
    measure: str,
    values: dict[str, Observation],
    stat_neighbour: Observation,
    national: Observation,
    target: Target,
    formats_known: bool = True,
) -> tuple[str | None, dict[str, Observation], Observation, Observation, Target]:
    """Decide whether an indicator is a percentage and give its bare numbers the unit.

    Without number formats (the live-Excel path), a percentage indicator whose bare numbers all
    lie within 0..1 holds fractions (Excel stores 31% as 0.31): those are scaled to percent.
    The arguments are not changed: what changes is returned as copies.
    """
    return _infer_units(measure, values, stat_neighbour, national, target, formats_known, in_place=False)


def _bare_numbers(obs: Observation) -> list[float]:
    if obs.unit is not None:
        return []
    if obs.status is Status.RANGE:
        return [n for n in (obs.low, obs.high) if n is not None]
    return [obs.number] if obs.number is not None else []


def _as_percent(obs: Observation, scale: bool, in_place: bool) -> Observation:
    if obs.unit is not None or not (obs.number is not None or obs.status is Status.RANGE):
        return obs
    k = 100.0 if scale else 1.0
    number = None if obs.number is None else tidy_number(obs.number * k)
    low, high = obs.low, obs.high
    if low is not None:
        low = tidy_number(low * k)
    if high is not None:
        high = tidy_number(high * k)
    if not in_place:
        return obs.model_copy(update={"unit": "%", "number": number, "low": low, "high": high})
    obs.unit = "%"
    obs.number = number
    if low is not None or high is not None:  # None stays None
        obs.low, obs.high = low, high
    return obs


def _infer_units(
    measure: str,
    values: dict[str, Observation],
    stat_neighbour: Observation,
    national: Observation,
    target: Target,
    formats_known: bool,
    in_place: bool,
) -> tuple[str | None, dict[str, Observation], Observation, Observation, Target]:
    """infer_units; with `in_place` (objects nobody else holds yet) it changes them, not copies."""
    # Said by the measure's name, else by a value in %, else by another figure in % (not for counts).
    is_percent = _PERCENT_MEASURE.search(measure) is not None
    if not is_percent:
        for o in values.values():
            if o.unit == "%":
                is_percent = True
                break
        else:
            explicit_other = "%" in (stat_neighbour.unit, national.unit, target.unit)
            is_percent = explicit_other and not _COUNT_MEASURE.search(measure)
    if not is_percent:
        return None, values, stat_neighbour, national, target

    scale_values = False
    if not formats_known:
        value_numbers = [n for o in values.values() for n in _bare_numbers(o)]
        scale_values = bool(value_numbers) and all(abs(n) <= 1 for n in value_numbers)

    def single_scale(obs: Observation) -> bool:
        return not formats_known and all(abs(n) <= 1 for n in _bare_numbers(obs)) and bool(_bare_numbers(obs))

    if in_place:
        for o in values.values():
            _as_percent(o, scale_values, True)
    else:
        values = {label: _as_percent(o, scale_values, False) for label, o in values.items()}
    stat_neighbour = _as_percent(stat_neighbour, single_scale(stat_neighbour), in_place)
    national = _as_percent(national, single_scale(national), in_place)
    if target.unit is None and target.kind in (TargetKind.VALUE, TargetKind.BOUND, TargetKind.RANGE):
        nums = [n for n in (target.value, target.low, target.high) if n is not None]
        k = 100.0 if not formats_known and nums and all(abs(n) <= 1 for n in nums) else 1.0
        update = {
            "unit": "%",
            "value": None if target.value is None else tidy_number(target.value * k),
            "low": None if target.low is None else tidy_number(target.low * k),
            "high": None if target.high is None else tidy_number(target.high * k),
        }
        if in_place:
            for name, value in update.items():
                setattr(target, name, value)
        else:
            target = target.model_copy(update=update)
    return "%", values, stat_neighbour, national, target


def _reporting_period(
    indicators: list[Indicator], periods: list[Period], wanted: str | None, file: str | None
) -> str | None:
    quarters = [p for p in periods if p.kind is PeriodKind.QUARTER]
    if wanted is not None:
        target = parse_period(wanted)
        for p in periods:
            if p.label.lower() == wanted.strip().lower() or (
                target is not None and (p.kind, p.year, p.quarter) == (target.kind, target.year, target.quarter)
            ):
                return p.label
        raise WorkbookError(
            f"period '{wanted}' is not a column of this scorecard (columns: {', '.join(p.label for p in periods)})",
            file,
        )
    for p in reversed(quarters):
        if any(not ind.values[p.label].is_blank for ind in indicators):
            return p.label
    return quarters[-1].label if quarters else (periods[-1].label if periods else None)


_CELL_FINDING_STATUSES = frozenset({Status.SUPPRESSED, Status.EXCEL_ERROR, Status.UNPARSED})


def _value_findings(
    sheet: str, indicators: list[Indicator], periods: list[Period], reporting: str | None
) -> list[Finding]:
    """Findings about individual value cells: missing, suppressed, errors, unreadable text."""
    out: list[Finding] = []
    labels = [p.label for p in periods]
    for ind in indicators:
        values = ind.values
        cells = [(label, values[label]) for label in labels]
        cells += [("statistical neighbour average", ind.stat_neighbour), ("national average", ind.national)]
        for label, obs in cells:
            if obs.status not in _CELL_FINDING_STATUSES:
                continue
            if obs.status is Status.SUPPRESSED:
                out.append(
                    finding(Code.SUPPRESSED, sheet, obs.cell, ind.ref, f"{label} value is suppressed ('{obs.raw}')")
                )
            elif obs.status is Status.EXCEL_ERROR:
                out.append(
                    finding(Code.EXCEL_ERROR, sheet, obs.cell, ind.ref, f"{label} cell holds the Excel error {obs.raw}")
                )
            elif obs.status is Status.UNPARSED:
                out.append(
                    finding(
                        Code.UNPARSED_VALUE,
                        sheet,
                        obs.cell,
                        ind.ref,
                        f"{label} value '{obs.raw}' is not a number or a known marker",
                    )
                )
    return out  # `missing` (nothing in the reporting period) is the assessment's: a dash depends on the rules
