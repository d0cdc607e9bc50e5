"""The Scorecard sheet's colours: conditional formats that render the assessment, and the key.

Rendering only: the RAG bands and each PI's polarity come from the core (written into hidden helper
columns beside each PI), and these rules colour the cells from them, so the colour follows an
analyst's edits to a value, a RAG letter or an arrow.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.worksheet import Worksheet

from xlscorecard.core.colours import FLAG_STYLES, MEANING_COLOURS, RAG_COLOURS
from xlscorecard.core.findings import Code
from xlscorecard.core.grid import cell_address, column_letter
from xlscorecard.xlsx.return_workbook.context import ReturnContext
from xlscorecard.xlsx.rows import FastRowsWorksheet


def write_colour_rules(
    ctx: ReturnContext, ws: Worksheet, first: int, last: int, rag_c: int, travel_c: int, helper_c: int,
    col: dict[str, int],
) -> None:
    """RAG cells by their letter, arrows by direction and polarity, values by their PI's bands."""
    if last < first:
        return
    rag_cell = cell_address(first + 1, rag_c + 1)
    rag_range = f"{rag_cell}:{cell_address(last + 1, rag_c + 1)}"
    for name, (bg, fg) in RAG_COLOURS.items():
        ws.conditional_format(rag_range, {
            "type": "formula",
            "criteria": f'=OR(UPPER({rag_cell})="{name.upper()}",UPPER({rag_cell})="{name[0].upper()}")',
            "format": ctx.fmt(bg_color=bg, font_color=fg, bold=True),
        })
    glyphs = ctx.a.settings.glyph
    arrow = cell_address(first + 1, travel_c + 1)
    pol = f"${column_letter(helper_c + 1)}{first + 1}"
    up = f'OR({arrow}="{glyphs["up"]}",{arrow}="↑",{arrow}="⬆")'
    down = f'OR({arrow}="{glyphs["down"]}",{arrow}="↓",{arrow}="⬇")'
    arrow_range = f"{arrow}:{cell_address(last + 1, travel_c + 1)}"
    ws.conditional_format(arrow_range, {
        "type": "formula", "criteria": f'=OR(AND({up},{pol}="high"),AND({down},{pol}="low"))',
        "format": ctx.fmt(font_color=MEANING_COLOURS["improving"], bold=True),
    })
    ws.conditional_format(arrow_range, {
        "type": "formula", "criteria": f'=OR(AND({up},{pol}="low"),AND({down},{pol}="high"))',
        "format": ctx.fmt(font_color=MEANING_COLOURS["worsening"], bold=True),
    })
    ws.conditional_format(arrow_range, {
        "type": "formula", "criteria": f'=LEN({arrow})>0',
        "format": ctx.fmt(font_color=MEANING_COLOURS["other"]),
    })
    period = ctx.sc.reporting_period
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
            "type": "formula", "criteria": criteria, "format": ctx.fmt(bg_color=bg, font_color=fg),
            "stop_if_true": True,
        })


def write_key(ctx: ReturnContext, ws: FastRowsWorksheet, r: int) -> None:
    """The key below the PIs, from row `r`: what each colour, arrow and flagged-cell style means."""
    g = ctx.a.settings.glyph
    tol = ctx.a.settings
    bold = ctx.fmt(bold=True)
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
        ws.write_cells(r + i, [(0, label, ctx.fmt(**style, align="center", border=1)), (1, meaning, None)])
