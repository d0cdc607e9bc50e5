"""Reading the rows under the header: section headings and PI rows (DESIGN 3)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from xlscorecard.core.errors import shortened
from xlscorecard.core.findings import Code, Finding, finding
from xlscorecard.core.grid import CellValue, Grid, column_letter
from xlscorecard.core.reading.header import Header, is_repeat_header, other_periods
from xlscorecard.core.reading.periods import Period
from xlscorecard.core.reading.units import infer_units
from xlscorecard.core.reading.vocabulary import (
    GLYPHS,
    PERCENT_UNITS,
    RAG_FILLS,
    ROLES,
    TEXT_ROLES,
    normalise_header,
    polarity_of,
)
from xlscorecard.core.scorecard import Indicator, Section
from xlscorecard.core.targets import Polarity, Target, TargetKind, parse_target
from xlscorecard.core.travel import parse_arrow
from xlscorecard.core.values import Observation, parse_value, parse_value_at

_ARROW_TEXT = {"up": "↑", "down": "↓", "right": "→", "left": "←"}
_ARROW_DIRECTION = {"up": "up", "down": "down", "right": "same", "left": "same"}
_REF_LIKE = re.compile(r"^[A-Za-z]{0,4}\s*\d+(?:\.\d+)*[a-z]?$")
_FORMULA_START = ("=", "+", "-", "@")
_SIGNS = "".join(_FORMULA_START)


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



_NO_ROW: tuple[CellValue, ...] = ()
_NO_ARROW = parse_value(None, None, "")  # no long-trend column: one blank shared by every PI (read, never changed)


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


class Builder:
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
        self.repeated_headers: list[int] = []  # sheet rows of the header printed again (skipped)
        self.other_table: int | None = None  # sheet row of another table's header: reading stopped there
        self._section: str | None = None
        self._pis_since_heading = True
        self._seen_refs: dict[str, int] = {}
        roles = header.roles
        self._decoration = {roles.get(role) for role in ("rag", "travel", "travel_year", "comments")}
        self._content_cols = [c for c in self.columns if c not in self._decoration and c != self.first]
        # Every column the rows are read at, and its letters (as grid.address gives them).
        self._letters = {c: column_letter(grid.sheet_column(c)) for c in self.columns}
        self._span = (max(self.columns) + 1) if self.columns else 0
        self._period_cells = [(p.label, period_col[p.label], self._letters[period_col[p.label]]) for p in periods]
        self._role = {role: roles.get(role) for role in ROLES}
        self._others = list(header.others.items())
        # The text columns checked for formula-like text, by role or header name.
        self._text_columns = [(role, c) for role in TEXT_ROLES if (c := roles.get(role)) is not None]
        self._text_columns += [(name, c) for c, name in self._others]
        self._formats_known = grid.shows_percentages()  # else bare fractions in a % measure are scaled
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

    def _polarity(self, value: CellValue, font: str | None) -> tuple[Polarity | None, bool]:
        """The polarity a cell states (words, codes, arrows, symbol-font glyphs), each distinct text read once."""
        if font is not None or not isinstance(value, str):
            return polarity_of(value, font)  # type: ignore[return-value]
        known = self._polarities.get(value)
        if known is None:
            known = self._polarities[value] = polarity_of(value, None)  # type: ignore[assignment]
        return known  # type: ignore[return-value]

    def _rag(self, r: int, obs: Observation) -> Observation:
        """A RAG cell with no text but a fill: the rating its colour says ('Red' for FF0000)."""
        c = self._role["rag"]
        if c is None or not obs.is_blank:
            return obs
        colour = self.grid.fill_colour(r, c)
        rating = RAG_FILLS.get(colour.upper()[-6:]) if colour else None
        if rating is None:
            return obs
        return obs.model_copy(update={"raw": rating.capitalize()})

    def _arrow(self, r: int, obs: Observation, role: str = "travel") -> Observation:
        """A symbol-font glyph ('i' in Wingdings 3) is given as the arrow it draws ('↓')."""
        c = self._role[role]
        font = self.grid.font_name(r, c) if c is not None else None
        if font is None or obs.raw is None:
            return obs
        arrow = GLYPHS.get((font.strip().lower(), obs.raw.strip()))  # a symbol-font letter only: '⬇' stays '⬇'
        if arrow is None or ((known := parse_arrow(obs)) is not None and known.value == _ARROW_DIRECTION[arrow]):
            return obs  # read alike without its font ('é' is an up arrow either way): kept as written
        return obs.model_copy(update={"raw": _ARROW_TEXT[arrow]})

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
        """Read grid row `r`: a PI, a section heading, the header again, or nothing; after another
        table's header (`other_table`), nothing more."""
        if self.other_table is not None:
            return
        row = self.grid.values[r]
        n = len(row)
        # Most rows are PIs: a filled column other than the first and the decorations says so at once.
        for c in self._content_cols:
            if c < n and (v := row[c]) is not None and (not isinstance(v, str) or v.strip()):
                if not is_repeat_header(self.header, row):
                    self._add_indicator(r)
                else:
                    self._header_again(r, row)
                return
        filled = [c for c in self.columns if c < n and _text(row[c]) is not None]
        if not filled:
            return
        if is_repeat_header(self.header, row):
            self._header_again(r, row)
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

    def _header_again(self, r: int, row: list[CellValue]) -> None:
        """The header printed again is skipped; another table's header (other periods) ends the reading, said so."""
        sheet_row = self.grid.sheet_row(r)
        differ = other_periods(self.header, row)
        if not differ:
            self.repeated_headers.append(sheet_row)
            return
        self.other_table = sheet_row
        if self.sections and not self._pis_since_heading:  # the other table's title ("Annual measures")
            self.sections.pop()
        shown = ", ".join(f"'{shortened(t, 40)}'" for t in differ[:4])
        self.findings.append(finding(
            Code.OTHER_TABLE, self.grid.sheet, self.grid.address(r, self.first), None,
            f"row {sheet_row} starts another table, with other periods ({shown}); it and the rows below it"
            f" were not read as this header's periods: read them with a layout profile whose header_rows ="
            f" [{sheet_row}]",
        ))

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
        bands = tuple(
            (name[5:], parse_target(row[c], fmts[c]))
            for name in ("band_red", "band_amber", "band_green")
            if (c := role[name]) is not None and row[c] is not None
        )
        if bands:
            bands = tuple((rating, band) for rating, band in bands if band.kind is not None)
            if target.kind is None:  # the green band is the target ("Green (Target)")
                green = dict(bands).get("green")
                target = green.model_copy(update={"cell": target.cell}) if green is not None else target
            target.bands = bands
        if role["floor"] is not None:
            floor = observed(role["floor"])
            if floor.number is not None and target.kind is not None:
                target.floor = floor.number  # scaled with the target's units below
        polarity_value, _, polarity_cell = at(role["polarity"])
        polarity_col = role["polarity"]
        font = self.grid.font_name(r, polarity_col) if polarity_col is not None else None
        polarity, understood = self._polarity(polarity_value, font)
        if polarity == "target":
            polarity = None  # on target (or inside the range) is best: the target's kind says how to rate
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
        floor_unit = target.unit
        unit, values, sn, national, target = infer_units(
            measure, values, sn, national, target, self._formats_known, in_place=True,
            stated_percent=normalise_header(at(role["unit"])[0]) in PERCENT_UNITS,
        )
        if target.floor is not None and floor_unit is None and target.unit == "%" and abs(target.floor) <= 1:
            target.floor = target.floor * 100  # a fraction beside a percent target
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
                submitted_rag=self._rag(r, observed(role["rag"])),
                submitted_arrow=self._arrow(r, observed(role["travel"])),
                submitted_year_arrow=(
                    self._arrow(r, observed(c), "travel_year") if (c := role["travel_year"]) is not None else _NO_ARROW
                ),
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


