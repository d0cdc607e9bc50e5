"""RolloverEditor: applies a rollover plan to the council's workbook, loaded with openpyxl (issue 8).

What goes where is decided in xlscorecard/core/rollover_plan.py; this module only edits cells,
headers, titles and the sheet name to match, keeping every style, merge, note and print setting it
has no reason to touch. The entry column's fill, note and validation are in entry_validation.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from copy import copy
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.cell.cell import MergedCell

from xlscorecard.core.grid import column_index
from xlscorecard.core.reading.periods import parse_period
from xlscorecard.core.rollover_plan import (
    CLEARED_ROLES,
    TEMPLATE_CLEARED_ROLES,
    RolloverPlan,
    period_key,
    retitle,
    retitled_sheet_name,
)
from xlscorecard.core.scorecard import Scorecard
from xlscorecard.xlsx.entry_validation import mark_entry, remove_previous_marks
from xlscorecard.xlsx.print_setup import make_print_ready
from xlscorecard.xlsx.workbook_editing import copy_comment, set_value

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["RolloverEditor"]


class RolloverEditor:
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
        """Next quarter's submission: history kept (moved along a year if need be), the entry column empty."""
        moved = {c.column for c in self.plan.columns if c.moved}
        sources = {c.source for c in self.plan.columns if c.moved and c.source}
        self._split_merges({self.plan.entry_column} | moved | sources)
        self._show_a_sheet()
        self._remove_previous_marks()
        self._relabel_headers()
        self._move_values()
        self._clear(CLEARED_ROLES)
        self._clear_columns([self.plan.entry_column])
        self._mark_entry([self.plan.entry_column])
        self._retitle()
        self._print_ready()

    def template(self) -> None:
        """A blank template: every period column, benchmark and target emptied and validated."""
        self._split_merges(set(self.period_columns))
        self._show_a_sheet()
        self._remove_previous_marks()
        self._relabel_headers()
        self._clear(CLEARED_ROLES + TEMPLATE_CLEARED_ROLES)
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

    def _header_rows(self) -> list[int]:
        """The header row and its repeats, as the reader found them (one rule, in reading/header.py)."""
        return [self.scorecard.header_row, *self.scorecard.repeated_header_rows]

    def _remove_previous_marks(self) -> None:
        remove_previous_marks(self.wb, self.ws, self.period_columns, self.pi_rows, self._header_rows())

    def _relabel_headers(self) -> None:
        for r in self._header_rows():
            for col in self.plan.columns:
                cell = self.ws[f"{col.column}{r}"]
                p = parse_period(cell.value)
                if p is not None and period_key(p) == period_key(col.old) and col.old.label != col.new.label:
                    set_value(cell, col.new.label, "s")
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
                snapshot[(r, col.source)] = (value, dtype, style_of(cell), cell.comment)
        for col in moving:
            for r in self.pi_rows:
                cell = self.ws[f"{col.column}{r}"]
                if col.source is None:
                    set_value(cell, None)
                    cell.comment = None
                    cell.hyperlink = None
                    continue
                value, dtype, style, comment = snapshot[(r, col.source)]
                set_value(cell, value, dtype)
                give_style(cell, style)
                cell.comment = None if comment is None else copy_comment(comment)
                cell.hyperlink = None

    def _cached_values(self, columns: set[str]) -> dict[tuple[int, str], object]:
        """Saved results of formula cells in `columns`, only read when there are formulas to move."""
        has_formula = any(self.ws[f"{c}{r}"].data_type == "f" for c in columns for r in self.pi_rows)
        if not has_formula:
            return {}
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
        for letter in letters:
            for r in self.pi_rows:
                cell = self.ws[f"{letter}{r}"]
                if isinstance(cell, MergedCell):
                    continue  # holds nothing; the merged range's top-left cell is cleared by its own column
                set_value(cell, None)
                cell.comment = None
                cell.hyperlink = None

    def _mark_entry(self, validated: list[str]) -> None:
        mark_entry(
            self.wb,
            self.ws,
            entry=self.plan.entry,
            entry_column=self.plan.entry_column,
            header_row=self.scorecard.header_row,
            validated=validated,
            pi_rows=self.pi_rows,
            src=self.src,
        )

    def _retitle(self) -> None:
        """Title lines above the header name the new quarter; the sheet too, when that is safe."""
        entry = self.plan.entry
        for row in self.ws.iter_rows(min_row=1, max_row=self.scorecard.header_row - 1):
            for cell in row:
                if cell.data_type == "s" and isinstance(cell.value, str):
                    new = retitle(cell.value, entry)
                    if new != cell.value:
                        set_value(cell, new, "s")
        name = retitled_sheet_name(self.ws.title, entry)
        if name is None or name in self.wb.sheetnames:
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
                        set_value(cell, pattern.sub(new, cell.value), "s")

    def _print_ready(self) -> None:
        title = self.scorecard.title and retitle(self.scorecard.title, self.plan.entry)
        make_print_ready(self.wb, self.ws.title, self.scorecard.header_row, title, self.plan.entry.label, str(self.src))

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


# A cell's look, as openpyxl's public attributes give it (the named style first: setting it resets the rest).
STYLE_PARTS = ("style", "font", "fill", "border", "alignment", "number_format", "protection")


def style_of(cell: Any) -> dict[str, Any]:
    """A copy of `cell`'s look: its named style, font, fill, border, alignment, number format and protection."""
    return {name: copy(getattr(cell, name)) for name in STYLE_PARTS}


def give_style(cell: Any, style: dict[str, Any]) -> None:
    """Give `cell` a look taken with style_of."""
    for name in STYLE_PARTS:
        setattr(cell, name, copy(style[name]))
