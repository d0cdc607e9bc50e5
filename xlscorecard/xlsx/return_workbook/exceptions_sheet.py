"""The Exceptions sheet: every PI rated Red, with its value, target, benchmarks and comment."""

from __future__ import annotations

from xlscorecard.core.rag import Rating
from xlscorecard.core.values import Observation
from xlscorecard.xlsx.printing import row_height
from xlscorecard.xlsx.return_workbook.cells import observation_cell, target_cell
from xlscorecard.xlsx.return_workbook.context import EXCEPTIONS, ReturnContext
from xlscorecard.xlsx.rows import Cell, FastRowsWorksheet

EXCEPTION_WIDTHS = (7.0, 40.0, 18.0, 16.0, 10.0, 10.0, 10.0, 10.0, 7.0, 40.0, 60.0)


def write_exceptions_sheet(ctx: ReturnContext) -> None:
    """One row per Red PI, or a line saying there is none."""
    ws = ctx.wb.add_worksheet(EXCEPTIONS, worksheet_class=FastRowsWorksheet)
    head = ctx.fmt(bold=True, font_color="#FFFFFF", bg_color="#9C0006", text_wrap=True, border=1)
    headers = ["PI", "Measure", "Section", "Lead officer", "Value", "Target", "Stat neighbour", "National",
               "RAG", "Explanation", "Comment"]
    ws.write_cells(0, [(c, h, head) for c, h in enumerate(headers)],
                 row_height((h, EXCEPTION_WIDTHS[c]) for c, h in enumerate(headers)))
    wrap = ctx.fmt(text_wrap=True, valign="top")
    value_formats = ctx.value_formats()
    marker_fmt = ctx.fmt(italic=True, font_color="#595959", valign="top", text_wrap=True)
    r = 0
    for ind, result in zip(ctx.sc.indicators, ctx.a.results, strict=True):
        if result.rag.rating is not Rating.RED:
            continue
        r += 1
        obs = ind.values.get(result.rag.period or "", Observation())
        texts = {0: ind.ref, 1: ind.measure, 2: ind.section or "", 3: ind.lead or "", 8: "Red",
                 9: result.rag.explanation, 10: ind.comments or ""}
        cells: list[Cell] = [(c, text, wrap) for c, text in texts.items()]
        cells += observation_cell(4, obs, value_formats, marker_fmt)
        cells += target_cell(5, ind.target, value_formats, marker_fmt)
        cells += observation_cell(6, ind.stat_neighbour, value_formats, marker_fmt)
        cells += observation_cell(7, ind.national, value_formats, marker_fmt)
        cells.sort(key=lambda cell: cell[0])
        ws.write_cells(r, cells, row_height(
            [(text, EXCEPTION_WIDTHS[c]) for c, text in texts.items()]
            + [(cell[1], EXCEPTION_WIDTHS[cell[0]]) for cell in cells if cell[0] in (4, 5, 6, 7)]))
    if r == 0:
        ws.write_cells(1, [(0, "No PI is rated Red.", None)])
    for c, w in enumerate(EXCEPTION_WIDTHS):
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)
    ctx.page_setup(ws, 0, len(headers) - 1, max(r, 1))
