"""The Scorecard sheet: the source's own layout, with the recomputed RAG and arrow on every PI row.

Flagged cells are styled and carry a note saying what is wrong there; hidden helper columns hold
each PI's polarity and bands, which the colour rules (scorecard_colours) read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from xlscorecard.core.colours import FLAG_STYLES
from xlscorecard.core.findings import Code, Finding
from xlscorecard.core.grid import Grid, column_index, split_address, split_sheet
from xlscorecard.core.scorecard import Indicator
from xlscorecard.xlsx.printing import row_height
from xlscorecard.xlsx.return_workbook.cells import as_text, in_order
from xlscorecard.xlsx.return_workbook.context import SCORECARD, ReturnContext
from xlscorecard.xlsx.return_workbook.scorecard_colours import write_colour_rules, write_key
from xlscorecard.xlsx.rows import Cell, FastRowsWorksheet

WIDTH_SAMPLE_ROWS = 2000
HELPERS = ("xlscorecard polarity", "green from", "green to", "amber from", "amber to")


class ScorecardSheet:
    """Writes the Scorecard sheet from the source grid and the assessment."""

    def __init__(self, context: ReturnContext, grid: Grid) -> None:
        self.ctx = context
        self.grid = grid
        self.sc = context.sc
        period = self.sc.reporting_period
        letter = self.sc.columns.get(period) if period else None
        self.period_col = None if letter is None else self._col(letter)  # the reporting period's values

    def write(self) -> None:
        ctx = self.ctx
        ws = ctx.wb.add_worksheet(SCORECARD, worksheet_class=FastRowsWorksheet)
        grid, sc = self.grid, self.sc
        header_r = sc.header_row - grid.sheet_row(0)
        header_values = [v for v in grid.values[header_r]]
        section_rows = {s.row for s in sc.sections}
        pi_rows = {ind.row: ind for ind in sc.indicators}
        col = {role: self._col(letter) for role, letter in sc.columns.items()}
        last_col = grid.width - 1
        rag_c = col.get("rag")
        if rag_c is None:
            last_col += 1
            rag_c = last_col
        travel_c = col.get("travel")
        if travel_c is None:
            last_col += 1
            travel_c = last_col
        helper_c = last_col + 1
        widths = self._column_widths(col, last_col)
        col_widths = [widths.get(c, 8.0) for c in range(grid.width)]
        border = {"border": 1, "border_color": "#A6A6A6", "valign": "top"}
        header_fmt = ctx.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", text_wrap=True,
                             align="center", valign="vcenter", border=1)
        section_fmt = ctx.fmt(bold=True, bg_color="#D9E1F2", font_color="#1F3864")
        title_fmt = ctx.fmt(bold=True, font_size=14)

        findings_by_cell: dict[str, list[Finding]] = defaultdict(list)
        for f in ctx.a.findings:
            if f.cell and split_sheet(f.cell)[0] is None:  # a cell of another tab is not on this sheet
                findings_by_cell[f.cell].append(f)
        flags_by_row = self._flags_by_row(findings_by_cell)
        cell_formats: dict[tuple[bool, str | None, tuple[Code, ...]], Format] = {}
        pi_formats: dict[str | None, Format] = {}  # number format -> format of an unflagged PI cell
        rating_formats = (ctx.fmt(**border, align="center", bold=True),
                          ctx.fmt(**border, align="center", font_size=14))

        def cell_format(is_pi: bool, nf: str | None, codes: tuple[Code, ...]) -> Format:
            # A handful of distinct formats serve 400,000 cells: look them up, build each once.
            key = (is_pi, nf if nf != "General" else None, codes)
            found = cell_formats.get(key)
            if found is None:
                props: dict[str, Any] = {**(border if is_pi else {}), "text_wrap": True}
                for code in codes:
                    props.update(FLAG_STYLES[code])
                if key[1]:
                    props["num_format"] = key[1]
                found = cell_formats[key] = ctx.fmt(**props)
                if is_pi and not codes:
                    pi_formats[nf] = found
            return found

        repeats_header = header_repeat(header_values)
        rag_header = as_text(header_values[rag_c]) if rag_c < grid.width else "RAG"
        travel_header = as_text(header_values[travel_c]) if travel_c < grid.width else "Direction of travel"
        for r, row in enumerate(grid.values):
            sheet_row = grid.sheet_row(r)
            is_header = r == header_r or (r > header_r and repeats_header(row))
            if is_header:
                cells = {c: (as_text(v) or None, header_fmt) for c, v in enumerate(row)}
                cells[rag_c] = (as_text(row[rag_c]) if rag_c < grid.width else rag_header, header_fmt)
                cells[travel_c] = (as_text(row[travel_c]) if travel_c < grid.width else travel_header, header_fmt)
                if r == header_r:
                    cells.update((helper_c + i, (name, header_fmt)) for i, name in enumerate(HELPERS))
                header_widths = [*col_widths, *[10.0] * (len(HELPERS) + 2)]
                ws.write_cells(r, in_order(cells), max(30.0, row_height(
                    (value, header_widths[c]) for c, (value, _) in cells.items() if c < len(header_widths))))
                continue
            if sheet_row in section_rows:
                heading = as_text(next(v for v in row if as_text(v)))
                ws.write_cells(r, [(0, heading, section_fmt),
                                   *((c, None, section_fmt) for c in range(1, last_col + 1))])
                continue
            ind = pi_rows.get(sheet_row)
            formats_row = grid.number_formats[r] if grid.number_formats is not None else None
            if ind is None:
                cells = {}
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if r < header_r and c == 0 and value == sc.title:
                        cells[c] = (as_text(value), title_fmt)
                        continue
                    nf = formats_row[c] if formats_row is not None and isinstance(value, int | float) else None
                    codes = flags_by_row[sheet_row].get(c, ()) if sheet_row in flags_by_row else ()
                    cells[c] = (value, cell_format(False, nf, codes))
                ws.write_cells(r, in_order(cells))
                continue
            row_flags = flags_by_row.get(sheet_row) or {}
            rating = self._rating_cells(ind, rag_c, travel_c, helper_c, rating_formats)
            pi_cells: list[Cell] = []
            for c, value in enumerate(row):  # the hot loop: 20 cells a row, 20,000 rows
                if c in rating:
                    pi_cells.append((c, *rating.pop(c)))
                    continue
                kind = value.__class__
                nf = formats_row[c] if formats_row is not None and (kind is float or kind is int) else None
                found = None if c in row_flags else pi_formats.get(nf)
                pi_cells.append((c, value, found or cell_format(True, nf, row_flags.get(c, ()))))
            pi_cells += in_order(rating)  # the columns added after the source's own
            ws.write_cells(r, pi_cells, row_height(zip(row, col_widths, strict=False)))

        self._notes(ws, findings_by_cell)
        first_pi = min((ind.row for ind in sc.indicators), default=sc.header_row + 1) - grid.sheet_row(0)
        last_pi = max((ind.row for ind in sc.indicators), default=sc.header_row + 1) - grid.sheet_row(0)
        write_colour_rules(ctx, ws, first_pi, last_pi, rag_c, travel_c, helper_c, col)

        for c in range(last_col + 1):
            ws.set_column(c, c, widths.get(c, 8.0))
        ws.set_column(rag_c, rag_c, 9)
        ws.set_column(travel_c, travel_c, 10)
        ws.set_column(helper_c, helper_c + len(HELPERS) - 1, 10, None, {"hidden": True})
        ws.freeze_panes(header_r + 1, min(2, last_col))
        ws.autofilter(header_r, 0, max(last_pi, header_r), last_col)
        key_r = max(grid.height, last_pi + 1) + 2
        write_key(ctx, ws, key_r)
        ctx.page_setup(ws, header_r, last_col, key_r + 10)

    def _flags_by_row(self, findings_by_cell: dict[str, list[Finding]]) -> dict[int, dict[int, tuple[Code, ...]]]:
        """Sheet row -> grid column -> the styled finding codes on that cell."""
        out: dict[int, dict[int, tuple[Code, ...]]] = defaultdict(dict)
        for address, found in findings_by_cell.items():
            codes = tuple(sorted({f.code for f in found if f.code in FLAG_STYLES}))
            if codes:
                row, column = split_address(address)
                out[row][column - self.grid.sheet_column(0)] = codes
        return out

    def _column_widths(self, col: dict[str, int], last_col: int) -> dict[int, float]:
        """Widths that fit the content, capped so the sheet prints one page wide."""
        caps = {col.get("measure"): 42.0, col.get("comments"): 60.0, col.get("lead"): 16.0}
        first_pi = min((ind.row for ind in self.sc.indicators), default=self.sc.header_row) - self.grid.sheet_row(0)
        longest = [0] * (last_col + 1)
        for row in self.grid.values[first_pi : first_pi + WIDTH_SAMPLE_ROWS]:  # enough to see the content
            for c, value in enumerate(row):
                if value is not None:
                    n = len(value) if value.__class__ is str else len(as_text(value))
                    if n > longest[c]:
                        longest[c] = n
        return {c: max(7.0, min(n * 1.1 + 1, caps.get(c, 12.0))) for c, n in enumerate(longest)}

    def _col(self, letter: str) -> int:
        return column_index(letter) - self.grid.sheet_column(0)

    def _rating_cells(
        self, ind: Indicator, rag_c: int, travel_c: int, helper_c: int, formats: tuple[Format, Format]
    ) -> dict[int, tuple[Any, Format | None]]:
        """The recomputed RAG and arrow, and the hidden polarity and band cells the colour rules read."""
        result = self.ctx.results[ind.row]
        rating = result.rag.rating
        cells: dict[int, tuple[Any, Format | None]] = {
            rag_c: (rating.value.capitalize() if rating else None, formats[0]),
            travel_c: (self.ctx.a.glyph(result) or None, formats[1]),
            helper_c: (result.polarity or "", None),
        }
        bands = result.stored_bands()
        if bands is not None and self.period_col is not None:
            for i, bound in enumerate(bands.as_tuple()):
                cells[helper_c + 1 + i] = (bound, None)
        return cells

    def _notes(self, ws: Worksheet, findings_by_cell: dict[str, list[Finding]]) -> None:
        """A note on every cell a finding names, saying what is wrong there.

        Not-rated reasons are left out: most PIs have one, and they are in the Quarter on quarter
        explanation and on the Data quality sheet.
        """
        origin_row, origin_col = self.grid.sheet_row(0), self.grid.sheet_column(0)
        for address, found in findings_by_cell.items():
            messages = [f.message for f in found if f.code is not Code.NOT_RATED]
            if messages:
                row, column = split_address(address)
                ws.write_comment(row - origin_row, column - origin_col, "\n".join(messages),
                                 {"x_scale": 2, "y_scale": 1.5})


def header_repeat(header: list[Any]) -> Callable[[list[Any]], bool]:
    """A test for rows that repeat the header row (some scorecards repeat it under each section)."""
    k = next((i for i, v in enumerate(header) if v is not None), 0)
    first = as_text(header[k]).strip().lower() if k < len(header) else ""
    texts = [as_text(v).strip().lower() for v in header]

    def repeats(row: list[Any]) -> bool:
        if k >= len(row) or not isinstance(row[k], str) or row[k].strip().lower() != first:
            return False  # cheap test first: most rows are indicators
        return any(texts) and [as_text(v).strip().lower() for v in row] == texts

    return repeats
