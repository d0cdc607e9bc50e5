"""The Summary sheet: RAG and direction-of-travel counts by section, with a stacked bar chart.

It prints on one page and is the sheet the return opens on.
"""

from __future__ import annotations

import textwrap

from xlscorecard.core.assessment import OUTCOMES
from xlscorecard.core.colours import RAG_COLOURS
from xlscorecard.xlsx.printing import row_height
from xlscorecard.xlsx.return_workbook.context import SUMMARY, ReturnContext
from xlscorecard.xlsx.rows import Cell, FastRowsWorksheet

SUMMARY_LABEL_CHARS = 28  # a chart's category label longer than this is wrapped onto two lines


def write_summary_sheet(ctx: ReturnContext) -> None:
    """The counts table and chart, then make this the sheet the workbook opens on."""
    ws = ctx.wb.add_worksheet(SUMMARY, worksheet_class=FastRowsWorksheet)
    bold = ctx.fmt(bold=True)
    head = ctx.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", text_wrap=True, border=1)
    wrap = ctx.fmt(text_wrap=True, valign="top")
    ws.write_cells(0, [(0, ctx.sc.title or "Scorecard", ctx.fmt(bold=True, font_size=14))])
    ws.write_cells(1, [(0, f"Reporting period: {ctx.sc.reporting_period or ''}", None)])
    columns = ["Section", *(name.capitalize() for name in OUTCOMES)]
    heads: list[Cell] = []
    for c, h in enumerate(columns):
        colours = RAG_COLOURS.get(h.lower())
        heads.append((c, h, ctx.fmt(bold=True, bg_color=colours[0], font_color=colours[1], border=1)
                      if colours else head))
    label_c = len(columns) + 1  # chart labels, outside the printed table
    ws.write_cells(3, [*heads, (label_c, "Chart label", None)],
                 row_height((h, 45.0 if c == 0 else 11.0) for c, h in enumerate(columns)))
    counts = ctx.a.counts_by_section()
    total = counts.pop("All PIs")
    r = 3
    for section, numbers in counts.items():
        r += 1
        ws.write_cells(r, [(0, section, wrap), *((c, n, None) for c, n in enumerate(numbers.values(), start=1)),
                         (label_c, chart_label(section), None)], row_height([(section, 45.0)]))
    total_r = r + 1
    ws.write_cells(total_r, [(0, "All PIs", bold),
                           *((c, n, bold) for c, n in enumerate(total.values(), start=1))])
    last_row = total_r
    if r > 3:
        chart = ctx.wb.add_chart({"type": "bar", "subtype": "stacked"})
        for name, c in (("green", 1), ("amber", 2), ("red", 3)):
            chart.add_series({
                "name": [SUMMARY, 3, c],
                "categories": [SUMMARY, 4, label_c, r, label_c],
                "values": [SUMMARY, 4, c, r, c],
                "fill": {"color": {"green": "#00B050", "amber": "#FFC000", "red": "#C00000"}[name]},
                "gap": 60,
            })
        chart.set_title({"name": f"RAG by section, {ctx.sc.reporting_period or ''}",
                         "name_font": {"size": 12}})
        # Every section named (interval 1), in a small font: labels are wrapped by chart_label.
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
    ctx.page_setup(ws, None, len(columns) - 1, last_row, pages_tall=1)
    ws.activate()
    ws.set_first_sheet()
    ctx.wb.worksheets()[0].activate()


def chart_label(section: str) -> str:
    """A section name short enough for a chart axis: wrapped onto two lines, then shortened."""
    lines = textwrap.wrap(section, SUMMARY_LABEL_CHARS) or [section]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), SUMMARY_LABEL_CHARS, placeholder="…")]
    return "\n".join(lines)
