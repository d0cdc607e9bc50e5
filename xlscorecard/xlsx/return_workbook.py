"""The formatted quarter-on-quarter return: the workbook officers circulate (issue 4).

Written with XlsxWriter into a temporary file that is renamed into place. Every piece of text is
written as a string (never a formula or a link), and colour comes from conditional formatting so
it follows an analyst's edits.
"""

from __future__ import annotations

import functools
import tempfile
import textwrap
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from xlscorecard.atomic import atomic_path
from xlscorecard.core.assessment import OUTCOMES, Assessment
from xlscorecard.core.colours import FLAG_STYLES, MEANING_COLOURS, RAG_COLOURS
from xlscorecard.core.findings import Code, Finding
from xlscorecard.core.grid import Grid, cell_address, column_index, column_letter, split_address, split_sheet
from xlscorecard.core.rag import Rating
from xlscorecard.core.scorecard import Indicator
from xlscorecard.core.targets import Target, TargetKind
from xlscorecard.core.values import Observation
from xlscorecard.xlsx.printing import page_footer, page_header, row_height
from xlscorecard.xlsx.rows import Cell, FastRowsWorksheet

SCORECARD = "Scorecard"
QOQ = "Quarter on quarter"
EXCEPTIONS = "Exceptions"
DATA_QUALITY = "Data quality"
SUMMARY = "Summary"

WIDTH_SAMPLE_ROWS = 2000
IN_MEMORY_CELLS = 20_000  # about 1,000 rows: above that, parts go to temporary files and memory stays flat
HELPERS = ("xlscorecard polarity", "green from", "green to", "amber from", "amber to")
QOQ_WIDTHS = (7.0, 45.0, 20.0, 11.0, 11.0, 10.0, 10.0, 7.0, 14.0, 10.0, 70.0, 16.0)
EXCEPTION_WIDTHS = (7.0, 40.0, 18.0, 16.0, 10.0, 10.0, 10.0, 10.0, 7.0, 40.0, 60.0)
SUMMARY_LABEL_CHARS = 28  # a chart's category label longer than this is wrapped onto two lines


def return_path(source: Path, reporting_period: str | None, out: str | Path | None = None) -> Path:
    """`<stem> - Qu 2 18-19 return.xlsx` beside the source, in folder `out`, or `out` itself.

    `out` names the return itself when it ends with `.xlsx` (any case); anything else is a folder,
    made when missing (`-o r1` writes `r1/<stem> - Qu 2 18-19 return.xlsx`, never a file `r1`).
    """
    period = f" - {reporting_period}" if reporting_period else ""  # never "... return return.xlsx"
    name = f"{source.stem}{period} return.xlsx".replace("/", "-")
    if out is None:
        return source.with_name(name)
    if str(out).lower().endswith(".xlsx") and not Path(out).is_dir():
        return Path(out)
    return Path(out) / name


def write_return(grid: Grid, assessment: Assessment, path: Path) -> Path:
    """Write the return atomically: a temporary file beside `path`, renamed into place when complete."""
    return ReturnWriter(grid, assessment).write(path)


class ReturnWriter:
    """Writes the return for one assessed scorecard.

    The source grid is needed only for the Scorecard sheet, and the writer lets go of it as soon as
    that sheet is written. A caller that hands over its only reference (`ReturnWriter(grid, a)`, then
    `del grid`) frees that memory for the other sheets: about 15 MB at peak on a 20,000-PI file.
    """

    wb: xlsxwriter.Workbook  # made by write()

    def __init__(self, grid: Grid, assessment: Assessment) -> None:
        self._grid: Grid | None = grid
        self.a = assessment
        self.sc = assessment.scorecard
        self.in_memory = grid.height * grid.width <= IN_MEMORY_CELLS
        self._formats: dict[tuple[Any, ...], Format] = {}
        self.results = {r.row: r for r in assessment.results}

    @property
    def grid(self) -> Grid:
        if self._grid is None:
            raise RuntimeError("the source grid was released after the Scorecard sheet was written")
        return self._grid

    def write(self, path: Path) -> Path:
        """Write the return to `path` via a temporary file beside it, renamed into place when complete."""
        # Big returns are assembled from temporary part files: in a folder of their own, removed
        # whatever happens (XlsxWriter leaves its parts behind when a write fails part-way).
        with atomic_path(path, prefix=f".{path.stem}.", suffix=".xlsx.tmp") as tmp, \
                tempfile.TemporaryDirectory(prefix="xlscorecard-parts-") as parts:
            self.wb = xlsxwriter.Workbook(
                str(tmp),
                {
                    "strings_to_formulas": False,
                    "strings_to_urls": False,
                    "strings_to_numbers": False,
                    "nan_inf_to_errors": True,
                    # Small returns are assembled in memory (no temporary file per part); big ones on disk.
                    "in_memory": self.in_memory,
                    "tmpdir": parts,
                },
            )
            self.wb.set_properties({"title": self.sc.title or "Scorecard return", "comments": "Written by xlscorecard"})
            self.scorecard_sheet()
            self._grid = None
            self.quarter_on_quarter_sheet()
            self.exceptions_sheet()
            self.data_quality_sheet()
            self.summary_sheet()
            self.wb.close()
        return path

    # --- formats -------------------------------------------------------------------------
    def fmt(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    # --- Scorecard -----------------------------------------------------------------------
    def scorecard_sheet(self) -> None:
        ws = self.wb.add_worksheet(SCORECARD, worksheet_class=FastRowsWorksheet)
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
        header_fmt = self.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", text_wrap=True,
                              align="center", valign="vcenter", border=1)
        section_fmt = self.fmt(bold=True, bg_color="#D9E1F2", font_color="#1F3864")
        title_fmt = self.fmt(bold=True, font_size=14)

        findings_by_cell: dict[str, list[Finding]] = defaultdict(list)
        for f in self.a.findings:
            if f.cell and split_sheet(f.cell)[0] is None:  # a cell of another tab is not on this sheet
                findings_by_cell[f.cell].append(f)
        flags_by_row = self._flags_by_row(findings_by_cell)
        cell_formats: dict[tuple[bool, str | None, tuple[Code, ...]], Format] = {}
        pi_formats: dict[str | None, Format] = {}  # number format -> format of an unflagged PI cell
        rating_formats = (self.fmt(**border, align="center", bold=True),
                          self.fmt(**border, align="center", font_size=14))

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
                found = cell_formats[key] = self.fmt(**props)
                if is_pi and not codes:
                    pi_formats[nf] = found
            return found

        repeats_header = _header_repeat(header_values)
        rag_header = _as_text(header_values[rag_c]) if rag_c < grid.width else "RAG"
        travel_header = _as_text(header_values[travel_c]) if travel_c < grid.width else "Direction of travel"
        for r, row in enumerate(grid.values):
            sheet_row = grid.sheet_row(r)
            is_header = r == header_r or (r > header_r and repeats_header(row))
            if is_header:
                cells = {c: (_as_text(v) or None, header_fmt) for c, v in enumerate(row)}
                cells[rag_c] = (_as_text(row[rag_c]) if rag_c < grid.width else rag_header, header_fmt)
                cells[travel_c] = (_as_text(row[travel_c]) if travel_c < grid.width else travel_header, header_fmt)
                if r == header_r:
                    cells.update((helper_c + i, (name, header_fmt)) for i, name in enumerate(HELPERS))
                header_widths = [*col_widths, *[10.0] * (len(HELPERS) + 2)]
                ws.write_cells(r, _in_order(cells), max(30.0, row_height(
                    (value, header_widths[c]) for c, (value, _) in cells.items() if c < len(header_widths))))
                continue
            if sheet_row in section_rows:
                heading = _as_text(next(v for v in row if _as_text(v)))
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
                        cells[c] = (_as_text(value), title_fmt)
                        continue
                    nf = formats_row[c] if formats_row is not None and isinstance(value, int | float) else None
                    codes = flags_by_row[sheet_row].get(c, ()) if sheet_row in flags_by_row else ()
                    cells[c] = (value, cell_format(False, nf, codes))
                ws.write_cells(r, _in_order(cells))
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
            pi_cells += _in_order(rating)  # the columns added after the source's own
            ws.write_cells(r, pi_cells, row_height(zip(row, col_widths, strict=False)))

        self._notes(ws, findings_by_cell)
        first_pi = min((ind.row for ind in sc.indicators), default=sc.header_row + 1) - grid.sheet_row(0)
        last_pi = max((ind.row for ind in sc.indicators), default=sc.header_row + 1) - grid.sheet_row(0)
        self._conditional_formats(ws, first_pi, last_pi, rag_c, travel_c, helper_c, col)

        for c in range(last_col + 1):
            ws.set_column(c, c, widths.get(c, 8.0))
        ws.set_column(rag_c, rag_c, 9)
        ws.set_column(travel_c, travel_c, 10)
        ws.set_column(helper_c, helper_c + len(HELPERS) - 1, 10, None, {"hidden": True})
        ws.freeze_panes(header_r + 1, min(2, last_col))
        ws.autofilter(header_r, 0, max(last_pi, header_r), last_col)
        key_r = max(grid.height, last_pi + 1) + 2
        self._key(ws, key_r)
        self._page_setup(ws, header_r, last_col, key_r + 10)

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
                    n = len(value) if value.__class__ is str else len(_as_text(value))
                    if n > longest[c]:
                        longest[c] = n
        return {c: max(7.0, min(n * 1.1 + 1, caps.get(c, 12.0))) for c, n in enumerate(longest)}

    def _col(self, letter: str) -> int:
        return column_index(letter) - self.grid.sheet_column(0)

    def _rating_cells(
        self, ind: Indicator, rag_c: int, travel_c: int, helper_c: int, formats: tuple[Format, Format]
    ) -> dict[int, tuple[Any, Format | None]]:
        """The recomputed RAG and arrow, and the hidden polarity and band cells the colour rules read."""
        result = self.results[ind.row]
        rating = result.rag.rating
        cells: dict[int, tuple[Any, Format | None]] = {
            rag_c: (rating.value.capitalize() if rating else None, formats[0]),
            travel_c: (self.a.glyph(result) or None, formats[1]),
            helper_c: (result.polarity or "", None),
        }
        bands = result.stored_bands()
        if bands is not None and self._period_col is not None:
            for i, bound in enumerate(bands.as_tuple()):
                cells[helper_c + 1 + i] = (bound, None)
        return cells

    @functools.cached_property
    def _period_col(self) -> int | None:
        """The grid column of the reporting period's values, if the sheet has one."""
        period = self.sc.reporting_period
        letter = self.sc.columns.get(period) if period else None
        return None if letter is None else self._col(letter)

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

    def _conditional_formats(
        self, ws: Worksheet, first: int, last: int, rag_c: int, travel_c: int, helper_c: int, col: dict[str, int]
    ) -> None:
        if last < first:
            return
        rag_cell = cell_address(first + 1, rag_c + 1)
        rag_range = f"{rag_cell}:{cell_address(last + 1, rag_c + 1)}"
        for name, (bg, fg) in RAG_COLOURS.items():
            ws.conditional_format(rag_range, {
                "type": "formula",
                "criteria": f'=OR(UPPER({rag_cell})="{name.upper()}",UPPER({rag_cell})="{name[0].upper()}")',
                "format": self.fmt(bg_color=bg, font_color=fg, bold=True),
            })
        glyphs = self.a.settings.glyph
        arrow = cell_address(first + 1, travel_c + 1)
        pol = f"${column_letter(helper_c + 1)}{first + 1}"
        up = f'OR({arrow}="{glyphs["up"]}",{arrow}="↑",{arrow}="⬆")'
        down = f'OR({arrow}="{glyphs["down"]}",{arrow}="↓",{arrow}="⬇")'
        arrow_range = f"{arrow}:{cell_address(last + 1, travel_c + 1)}"
        ws.conditional_format(arrow_range, {
            "type": "formula", "criteria": f'=OR(AND({up},{pol}="high"),AND({down},{pol}="low"))',
            "format": self.fmt(font_color=MEANING_COLOURS["improving"], bold=True),
        })
        ws.conditional_format(arrow_range, {
            "type": "formula", "criteria": f'=OR(AND({up},{pol}="low"),AND({down},{pol}="high"))',
            "format": self.fmt(font_color=MEANING_COLOURS["worsening"], bold=True),
        })
        ws.conditional_format(arrow_range, {
            "type": "formula", "criteria": f'=LEN({arrow})>0',
            "format": self.fmt(font_color=MEANING_COLOURS["other"]),
        })
        period = self.sc.reporting_period
        if period is None or period not in col:
            return
        value = cell_address(first + 1, col[period] + 1)
        value_range = f"{value}:{cell_address(last + 1, col[period] + 1)}"
        g_lo, g_hi, a_lo, a_hi = (f"${column_letter(helper_c + 2 + i)}{first + 1}" for i in range(4))
        has = f'ISNUMBER({value}),ISNUMBER({g_lo})'
        for name, criteria in (
            ("green", f"=AND({has},{value}>={g_lo},{value}<={g_hi})"),
            ("amber", f"=AND({has},{value}>={a_lo},{value}<={a_hi})"),
            ("red", f"=AND({has})"),
        ):
            bg, fg = RAG_COLOURS[name]
            ws.conditional_format(value_range, {
                "type": "formula", "criteria": criteria, "format": self.fmt(bg_color=bg, font_color=fg),
                "stop_if_true": True,
            })

    def _page_setup(self, ws: Worksheet, header_r: int | None, last_col: int, last_row: int,
                    pages_tall: int = 0) -> None:
        """Every sheet: A4 landscape, one page wide, header row on each page, title and page footer."""
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, pages_tall)
        if header_r is not None:
            ws.repeat_rows(header_r)
        ws.print_area(0, 0, max(last_row, header_r or 0), last_col)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        ws.set_header(page_header(self.sc.title))
        ws.set_footer(page_footer(self.sc.reporting_period, self.sc.file))

    def _key(self, ws: FastRowsWorksheet, r: int) -> None:
        g = self.a.settings.glyph
        tol = self.a.settings
        bold = self.fmt(bold=True)
        ws.write_cells(r, [(0, "Key", bold)])
        rows: list[tuple[str, str, dict[str, Any]]] = [
            ("Green", "Target met", {"bg_color": RAG_COLOURS["green"][0]}),
            ("Amber", f"Target missed by no more than the tolerance ({tol.tolerance:g}, {tol.tolerance_kind.value})",
             {"bg_color": RAG_COLOURS["amber"][0]}),
            ("Red", "Target missed by more than the tolerance", {"bg_color": RAG_COLOURS["red"][0]}),
            (g["up"], "Up on the previous quarter", {"font_color": MEANING_COLOURS["improving"]}),
            (g["down"], "Down on the previous quarter", {"font_color": MEANING_COLOURS["worsening"]}),
            (g["same"], f"Same: within {tol.no_change_band:g}% of the previous quarter",
             {"font_color": MEANING_COLOURS["other"]}),
            ("", "Arrow colour: green improving, red worsening, grey same or no polarity", {}),
            ("suppressed", "Suppressed figure (small number hidden on purpose)", FLAG_STYLES[Code.SUPPRESSED]),
            ("missing", "No figure for the reporting period (see the cell note)", FLAG_STYLES[Code.MISSING]),
            ("stale", "Latest figure is older than the reporting period", FLAG_STYLES[Code.STALE]),
        ]
        for i, (label, meaning, style) in enumerate(rows, start=1):
            ws.write_cells(r + i, [(0, label, self.fmt(**style, align="center", border=1)), (1, meaning, None)])

    # --- Quarter on quarter --------------------------------------------------------------
    def quarter_on_quarter_sheet(self) -> None:
        ws = self.wb.add_worksheet(QOQ, worksheet_class=FastRowsWorksheet)
        sc = self.sc
        cur = sc.reporting_period or ""
        prev = next((r.travel.previous_period for r in self.a.results if r.travel.previous_period), "Previous")
        headers = ["PI", "Measure", "Section", f"{prev}", f"{cur}", "Change", "% change", "Arrow",
                   "Improving / worsening", "RAG", "Explanation", "Trend"]
        trend_c = len(headers)
        labels = sc.period_labels
        head = self.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", text_wrap=True, valign="vcenter", border=1)
        ws.write_cells(0, [(c, h, head) for c, h in enumerate(headers + [f"Trend data: {label}" for label in labels])],
                     row_height((h, QOQ_WIDTHS[c]) for c, h in enumerate(headers)))
        wrap = self.fmt(text_wrap=True, valign="top")
        top = self.fmt(valign="top")
        change_fmt = {unit: self.fmt(num_format=nf, valign="top")
                      for unit, nf in (("%", '+0.0" pts";-0.0" pts";0" pts"'), (None, "+#,##0.##;-#,##0.##;0"))}
        percent_fmt = self.fmt(num_format="+0.0%;-0.0%;0.0%", valign="top")
        arrow_fmt = self.fmt(align="center", valign="top", font_size=14)
        rag_fmt = self.fmt(align="center", valign="top", bold=True)
        value_formats = self._value_formats()
        marker_fmt = self.fmt(italic=True, font_color="#595959", valign="top")
        spark_cells: list[str] = []
        spark_ranges: list[str] = []
        for i, (ind, result) in enumerate(zip(sc.indicators, self.a.results, strict=True), start=1):
            t = result.travel
            cells: list[Cell] = [(0, ind.ref, top), (1, ind.measure, wrap), (2, ind.section or "", wrap)]
            p_obs = ind.values.get(prev) if prev in ind.values else None
            c_obs = ind.values.get(cur)
            cells += _observation_cell(3, p_obs, value_formats, marker_fmt)
            cells += _observation_cell(4, c_obs, value_formats, marker_fmt)
            for c, obs in ((3, p_obs), (4, c_obs)):
                if obs is not None and obs.cell and (sheet := split_sheet(obs.cell)[0]) is not None:
                    ws.write_comment(i, c, f"From sheet '{sheet}', cell {split_sheet(obs.cell)[1]}: "
                                           f"sheet '{sc.sheet}' has no value for this period")
            if t.change is not None:
                cells.append((5, t.change, change_fmt["%" if ind.unit == "%" else None]))
            if t.percent_change is not None:
                cells.append((6, t.percent_change / 100, percent_fmt))
            cells += [
                (7, self.a.glyph(result), arrow_fmt),
                (8, t.meaning.value if t.meaning else "not comparable" if t.direction is None else "", top),
                (9, result.rag.rating.value.capitalize() if result.rag.rating else "Not rated", rag_fmt),
                (10, f"{result.rag.explanation}. {t.explanation}", wrap),
            ]
            for j, label in enumerate(labels):
                obs = ind.values[label]
                if obs.is_numeric and obs.number is not None:
                    cells.append((trend_c + j, obs.number, None))
            explanation = f"{result.rag.explanation}. {t.explanation}"
            ws.write_cells(i, cells, row_height(
                [(ind.measure, QOQ_WIDTHS[1]), (ind.section or "", QOQ_WIDTHS[2]), (explanation, QOQ_WIDTHS[10])]))
            spark_cells.append(cell_address(i + 1, 12))
            first, last = cell_address(i + 1, trend_c + 1), cell_address(i + 1, trend_c + len(labels))
            spark_ranges.append(f"'{QOQ}'!{first}:{last}")
        n = len(sc.indicators)
        if n:
            # One sparkline group for all rows: XlsxWriter builds a group's style once.
            ws.add_sparkline(1, 11, {"location": spark_cells, "range": spark_ranges, "markers": True,
                                     "show_hidden": True})
            band = self.a.settings.no_change_band / 100
            ws.conditional_format(1, 6, n, 6, {
                "type": "icon_set", "icon_style": "3_arrows",
                "icons": [{"criteria": ">", "type": "number", "value": band},
                          {"criteria": ">=", "type": "number", "value": -band}],
            })
            for name, (bg, fg) in RAG_COLOURS.items():
                ws.conditional_format(1, 9, n, 9, {"type": "cell", "criteria": "==", "value": f'"{name.capitalize()}"',
                                                   "format": self.fmt(bg_color=bg, font_color=fg)})
            for meaning, colour in (("improving", MEANING_COLOURS["improving"]),
                                    ("worsening", MEANING_COLOURS["worsening"])):
                fmt = self.fmt(font_color=colour, bold=True)
                ws.conditional_format(1, 8, n, 8, {"type": "cell", "criteria": "==", "value": f'"{meaning}"',
                                                   "format": fmt})
                ws.conditional_format(1, 7, n, 7, {"type": "formula", "criteria": f'=$I2="{meaning}"',
                                                   "format": fmt})
        for c, w in enumerate(QOQ_WIDTHS):
            ws.set_column(c, c, w)
        ws.set_column(trend_c, trend_c + len(labels) - 1, 10, None, {"level": 1, "hidden": True})
        ws.freeze_panes(1, 2)
        ws.autofilter(0, 0, max(n, 1), len(headers) - 2)
        self._page_setup(ws, 0, len(headers) - 1, max(n, 1))

    # --- Exceptions ------------------------------------------------------------------------
    def exceptions_sheet(self) -> None:
        ws = self.wb.add_worksheet(EXCEPTIONS, worksheet_class=FastRowsWorksheet)
        head = self.fmt(bold=True, font_color="#FFFFFF", bg_color="#9C0006", text_wrap=True, border=1)
        headers = ["PI", "Measure", "Section", "Lead officer", "Value", "Target", "Stat neighbour", "National",
                   "RAG", "Explanation", "Comment"]
        ws.write_cells(0, [(c, h, head) for c, h in enumerate(headers)],
                     row_height((h, EXCEPTION_WIDTHS[c]) for c, h in enumerate(headers)))
        wrap = self.fmt(text_wrap=True, valign="top")
        value_formats = self._value_formats()
        marker_fmt = self.fmt(italic=True, font_color="#595959", valign="top", text_wrap=True)
        r = 0
        for ind, result in zip(self.sc.indicators, self.a.results, strict=True):
            if result.rag.rating is not Rating.RED:
                continue
            r += 1
            obs = ind.values.get(result.rag.period or "", Observation())
            texts = {0: ind.ref, 1: ind.measure, 2: ind.section or "", 3: ind.lead or "", 8: "Red",
                     9: result.rag.explanation, 10: ind.comments or ""}
            cells: list[Cell] = [(c, text, wrap) for c, text in texts.items()]
            cells += _observation_cell(4, obs, value_formats, marker_fmt)
            cells += _target_cell(5, ind.target, value_formats, marker_fmt)
            cells += _observation_cell(6, ind.stat_neighbour, value_formats, marker_fmt)
            cells += _observation_cell(7, ind.national, value_formats, marker_fmt)
            cells.sort(key=lambda cell: cell[0])
            ws.write_cells(r, cells, row_height(
                [(text, EXCEPTION_WIDTHS[c]) for c, text in texts.items()]
                + [(cell[1], EXCEPTION_WIDTHS[cell[0]]) for cell in cells if cell[0] in (4, 5, 6, 7)]))
        if r == 0:
            ws.write_cells(1, [(0, "No PI is rated Red.", None)])
        for c, w in enumerate(EXCEPTION_WIDTHS):
            ws.set_column(c, c, w)
        ws.freeze_panes(1, 0)
        self._page_setup(ws, 0, len(headers) - 1, max(r, 1))

    def _value_formats(self) -> dict[tuple[str | None, bool], Format]:
        """Number formats for a value in its PI's unit: whole or not, percent or not."""
        return {
            (unit, whole): self.fmt(num_format=nf, valign="top")
            for (unit, whole), nf in {("%", True): "0%", ("%", False): "0.0%", (None, True): "#,##0",
                                      (None, False): "#,##0.0##"}.items()
        }

    # --- Data quality ----------------------------------------------------------------------
    def data_quality_sheet(self) -> None:
        ws = self.wb.add_worksheet(DATA_QUALITY, worksheet_class=FastRowsWorksheet)
        head = self.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", border=1)
        ws.write_cells(0, [(c, h, head) for c, h in enumerate(["Code", "Severity", "PI", "Cell", "Message"])])
        link = self.fmt(font_color="#0563C1", underline=1)
        wrap = self.fmt(text_wrap=True, valign="top")
        for r, f in enumerate(self.a.findings, start=1):
            cells: list[Cell] = [(0, f.code.value, None), (1, f.severity.value, None), (2, f.ref or "", None)]
            if f.cell and split_sheet(f.cell)[0] is not None:
                cells.append((3, f.cell, None))  # a cell of another tab of the source, not in the return
            elif f.cell:
                cells.append((3, f.cell, link))
                ws.link(r, 3, f"'{SCORECARD}'!{f.cell}", f.cell, f"Go to {f.cell} on the {SCORECARD} sheet")
            cells.append((4, f.message, wrap))
            ws.write_cells(r, cells, row_height([(f.message, 100.0)]))
        if not self.a.findings:
            ws.write_cells(1, [(0, "No findings.", None)])
        ws.set_column(0, 0, 24)
        ws.set_column(1, 3, 9)
        ws.set_column(4, 4, 100)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(self.a.findings), 1), 4)
        self._page_setup(ws, 0, 4, max(len(self.a.findings), 1))

    # --- Summary ---------------------------------------------------------------------------
    def summary_sheet(self) -> None:
        ws = self.wb.add_worksheet(SUMMARY, worksheet_class=FastRowsWorksheet)
        bold = self.fmt(bold=True)
        head = self.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", text_wrap=True, border=1)
        wrap = self.fmt(text_wrap=True, valign="top")
        ws.write_cells(0, [(0, self.sc.title or "Scorecard", self.fmt(bold=True, font_size=14))])
        ws.write_cells(1, [(0, f"Reporting period: {self.sc.reporting_period or ''}", None)])
        columns = ["Section", *(name.capitalize() for name in OUTCOMES)]
        heads: list[Cell] = []
        for c, h in enumerate(columns):
            colours = RAG_COLOURS.get(h.lower())
            heads.append((c, h, self.fmt(bold=True, bg_color=colours[0], font_color=colours[1], border=1)
                          if colours else head))
        label_c = len(columns) + 1  # chart labels, outside the printed table
        ws.write_cells(3, [*heads, (label_c, "Chart label", None)],
                     row_height((h, 45.0 if c == 0 else 11.0) for c, h in enumerate(columns)))
        counts = self.a.counts_by_section()
        total = counts.pop("All PIs")
        r = 3
        for section, numbers in counts.items():
            r += 1
            ws.write_cells(r, [(0, section, wrap), *((c, n, None) for c, n in enumerate(numbers.values(), start=1)),
                             (label_c, _chart_label(section), None)], row_height([(section, 45.0)]))
        total_r = r + 1
        ws.write_cells(total_r, [(0, "All PIs", bold),
                               *((c, n, bold) for c, n in enumerate(total.values(), start=1))])
        last_row = total_r
        if r > 3:
            chart = self.wb.add_chart({"type": "bar", "subtype": "stacked"})
            for name, c in (("green", 1), ("amber", 2), ("red", 3)):
                chart.add_series({
                    "name": [SUMMARY, 3, c],
                    "categories": [SUMMARY, 4, label_c, r, label_c],
                    "values": [SUMMARY, 4, c, r, c],
                    "fill": {"color": {"green": "#00B050", "amber": "#FFC000", "red": "#C00000"}[name]},
                    "gap": 60,
                })
            chart.set_title({"name": f"RAG by section, {self.sc.reporting_period or ''}",
                             "name_font": {"size": 12}})
            # Every section named (interval 1), in a small font: labels are wrapped by _chart_label.
            # In XlsxWriter's bar chart the y axis holds the categories (drawn vertically).
            chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 8}})
            chart.set_x_axis({"num_font": {"size": 8}})
            chart.set_legend({"position": "bottom"})
            height = max(300, 30 * (r - 3) + 140)
            chart.set_size({"width": 900, "height": height})
            ws.insert_chart(total_r + 2, 0, chart, {"object_position": 3})
            last_row = total_r + 2 + -(-height // 20) + 1
        ws.set_column(0, 0, 45)
        ws.set_column(1, len(columns) - 1, 11)
        ws.set_column(label_c, label_c, 30)
        self._page_setup(ws, None, len(columns) - 1, last_row, pages_tall=1)
        ws.activate()
        ws.set_first_sheet()
        self.wb.worksheets()[0].activate()


def _observation_cell(
    c: int, obs: Observation | None, value_formats: dict[tuple[str | None, bool], Format], marker_fmt: Format
) -> list[Cell]:
    """A value as a number in its unit's format, or its marker text in grey italics."""
    if obs is None:
        return []
    if obs.is_numeric and obs.number is not None:
        whole = float(obs.number).is_integer()
        if obs.unit == "%":
            return [(c, obs.number / 100, value_formats["%", whole])]
        return [(c, obs.number, value_formats[None, whole])]
    if obs.raw:
        return [(c, obs.raw, marker_fmt)]
    return []


def _chart_label(section: str) -> str:
    """A section name short enough for a chart axis: wrapped onto two lines, then shortened."""
    lines = textwrap.wrap(section, SUMMARY_LABEL_CHARS) or [section]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), SUMMARY_LABEL_CHARS, placeholder="…")]
    return "\n".join(lines)


def _target_cell(
    c: int, target: Target, value_formats: dict[tuple[str | None, bool], Format], marker_fmt: Format
) -> list[Cell]:
    """A single-figure target as a number in its unit's format (90% not 0.9); others as their wording."""
    if target.kind is TargetKind.VALUE and target.value is not None:
        whole = float(target.value).is_integer()
        if target.unit == "%":
            return [(c, target.value / 100, value_formats["%", whole])]
        return [(c, target.value, value_formats[None, whole])]
    text = target.describe() if target.kind not in (None, TargetKind.UNPARSED) else target.raw
    return [(c, text, marker_fmt)] if text else []


def _in_order(cells: dict[int, tuple[Any, Format | None]]) -> list[Cell]:
    return [(c, value, cell_format) for c, (value, cell_format) in sorted(cells.items())]


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header_repeat(header: list[Any]) -> Callable[[list[Any]], bool]:
    """A test for rows that repeat the header row (some scorecards repeat it under each section)."""
    k = next((i for i, v in enumerate(header) if v is not None), 0)
    first = _as_text(header[k]).strip().lower() if k < len(header) else ""
    texts = [_as_text(v).strip().lower() for v in header]

    def repeats(row: list[Any]) -> bool:
        if k >= len(row) or not isinstance(row[k], str) or row[k].strip().lower() != first:
            return False  # cheap test first: most rows are indicators
        return any(texts) and [_as_text(v).strip().lower() for v in row] == texts

    return repeats


