"""The Quarter on quarter sheet: each PI's previous and current value, change, arrow, RAG and trend.

The explanation column says in words why each PI got its RAG and arrow; a sparkline draws the PI's
trend from hidden, grouped columns of its values in every period.
"""

from __future__ import annotations

from xlscorecard.core.colours import MEANING_COLOURS, RAG_COLOURS
from xlscorecard.core.grid import cell_address, split_sheet
from xlscorecard.xlsx.printing import row_height
from xlscorecard.xlsx.return_workbook.cells import observation_cell
from xlscorecard.xlsx.return_workbook.context import QOQ, ReturnContext
from xlscorecard.xlsx.rows import Cell, FastRowsWorksheet

QOQ_WIDTHS = (7.0, 45.0, 20.0, 11.0, 11.0, 10.0, 10.0, 7.0, 14.0, 10.0, 70.0, 16.0)


def write_quarter_on_quarter_sheet(ctx: ReturnContext) -> None:
    """One row per PI, in the scorecard's order."""
    ws = ctx.wb.add_worksheet(QOQ, worksheet_class=FastRowsWorksheet)
    sc = ctx.sc
    cur = sc.reporting_period or ""
    prev = next((r.travel.previous_period for r in ctx.a.results if r.travel.previous_period), "Previous")
    headers = ["PI", "Measure", "Section", f"{prev}", f"{cur}", "Change", "% change", "Arrow",
               "Improving / worsening", "RAG", "Explanation", "Trend"]
    trend_c = len(headers)
    labels = sc.period_labels
    head = ctx.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", text_wrap=True, valign="vcenter", border=1)
    ws.write_cells(0, [(c, h, head) for c, h in enumerate(headers + [f"Trend data: {label}" for label in labels])],
                 row_height((h, QOQ_WIDTHS[c]) for c, h in enumerate(headers)))
    wrap = ctx.fmt(text_wrap=True, valign="top")
    top = ctx.fmt(valign="top")
    change_fmt = {unit: ctx.fmt(num_format=nf, valign="top")
                  for unit, nf in (("%", '+0.0" pts";-0.0" pts";0" pts"'), (None, "+#,##0.##;-#,##0.##;0"))}
    percent_fmt = ctx.fmt(num_format="+0.0%;-0.0%;0.0%", valign="top")
    arrow_fmt = ctx.fmt(align="center", valign="top", font_size=14)
    rag_fmt = ctx.fmt(align="center", valign="top", bold=True)
    value_formats = ctx.value_formats()
    marker_fmt = ctx.fmt(italic=True, font_color="#595959", valign="top")
    spark_cells: list[str] = []
    spark_ranges: list[str] = []
    for i, (ind, result) in enumerate(zip(sc.indicators, ctx.a.results, strict=True), start=1):
        t = result.travel
        cells: list[Cell] = [(0, ind.ref, top), (1, ind.measure, wrap), (2, ind.section or "", wrap)]
        p_obs = ind.values.get(prev) if prev in ind.values else None
        c_obs = ind.values.get(cur)
        cells += observation_cell(3, p_obs, value_formats, marker_fmt)
        cells += observation_cell(4, c_obs, value_formats, marker_fmt)
        for c, obs in ((3, p_obs), (4, c_obs)):
            if obs is not None and obs.cell and (sheet := split_sheet(obs.cell)[0]) is not None:
                ws.write_comment(i, c, f"From sheet '{sheet}', cell {split_sheet(obs.cell)[1]}: "
                                       f"sheet '{sc.sheet}' has no value for this period")
        if t.change is not None:
            cells.append((5, t.change, change_fmt["%" if ind.unit == "%" else None]))
        if t.percent_change is not None:
            cells.append((6, t.percent_change / 100, percent_fmt))
        cells += [
            (7, ctx.a.glyph(result), arrow_fmt),
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
        band = ctx.a.settings.no_change_band / 100
        ws.conditional_format(1, 6, n, 6, {
            "type": "icon_set", "icon_style": "3_arrows",
            "icons": [{"criteria": ">", "type": "number", "value": band},
                      {"criteria": ">=", "type": "number", "value": -band}],
        })
        for name, (bg, fg) in RAG_COLOURS.items():
            ws.conditional_format(1, 9, n, 9, {"type": "cell", "criteria": "==", "value": f'"{name.capitalize()}"',
                                               "format": ctx.fmt(bg_color=bg, font_color=fg)})
        for meaning, colour in (("improving", MEANING_COLOURS["improving"]),
                                ("worsening", MEANING_COLOURS["worsening"])):
            fmt = ctx.fmt(font_color=colour, bold=True)
            ws.conditional_format(1, 8, n, 8, {"type": "cell", "criteria": "==", "value": f'"{meaning}"',
                                               "format": fmt})
            ws.conditional_format(1, 7, n, 7, {"type": "formula", "criteria": f'=$I2="{meaning}"',
                                               "format": fmt})
    for c, w in enumerate(QOQ_WIDTHS):
        ws.set_column(c, c, w)
    ws.set_column(trend_c, trend_c + len(labels) - 1, 10, None, {"level": 1, "hidden": True})
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, max(n, 1), len(headers) - 2)
    ctx.page_setup(ws, 0, len(headers) - 1, max(n, 1))
