"""The Data quality sheet: every finding, with its code and severity, linked to the cell it names."""

from __future__ import annotations

from xlscorecard.core.grid import split_sheet
from xlscorecard.xlsx.printing import row_height
from xlscorecard.xlsx.return_workbook.context import DATA_QUALITY, SCORECARD, ReturnContext
from xlscorecard.xlsx.rows import Cell, FastRowsWorksheet


def write_data_quality_sheet(ctx: ReturnContext) -> None:
    """One row per finding, or a line saying there is none."""
    ws = ctx.wb.add_worksheet(DATA_QUALITY, worksheet_class=FastRowsWorksheet)
    head = ctx.fmt(bold=True, font_color="#FFFFFF", bg_color="#1F4E78", border=1)
    ws.write_cells(0, [(c, h, head) for c, h in enumerate(["Code", "Severity", "PI", "Cell", "Message"])])
    link = ctx.fmt(font_color="#0563C1", underline=1)
    wrap = ctx.fmt(text_wrap=True, valign="top")
    for r, f in enumerate(ctx.a.findings, start=1):
        cells: list[Cell] = [(0, f.code.value, None), (1, f.severity.value, None), (2, f.ref or "", None)]
        if f.cell and split_sheet(f.cell)[0] is not None:
            cells.append((3, f.cell, None))  # a cell of another tab of the source, not in the return
        elif f.cell:
            cells.append((3, f.cell, link))
            ws.link(r, 3, f"'{SCORECARD}'!{f.cell}", f.cell, f"Go to {f.cell} on the {SCORECARD} sheet")
        cells.append((4, f.message, wrap))
        ws.write_cells(r, cells, row_height([(f.message, 100.0)]))
    if not ctx.a.findings:
        ws.write_cells(1, [(0, "No findings.", None)])
    ws.set_column(0, 0, 24)
    ws.set_column(1, 3, 9)
    ws.set_column(4, 4, 100)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(ctx.a.findings), 1), 4)
    ctx.page_setup(ws, 0, 4, max(len(ctx.a.findings), 1))
