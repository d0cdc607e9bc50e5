"""Evaluate a written workbook's conditional formats for one cell, as Excel does.

The rules covering the cell are taken in priority order; each formula is moved from the top-left
cell of its range to the cell (relative references shift, `$` ones stay) with openpyxl's
Translator, and computed by the `formulas` engine over the sheet's stored values. The first rule
that holds and sets a fill gives the cell its colour (a higher-priority rule wins a conflict, and
`stop_if_true` ends the search either way).
"""

from __future__ import annotations

from typing import Any

import formulas
import numpy
import schedula
from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from xlscorecard.core.colours import RAG_COLOURS

_COMPILED: dict[str, Any] = {}


def _compiled(formula: str) -> Any:
    if formula not in _COMPILED:
        _COMPILED[formula] = formulas.Parser().ast(formula)[1].compile()
    return _COMPILED[formula]


def _value(ws: Worksheet, ref: str) -> Any:
    value = ws[ref.replace("$", "")].value
    return schedula.EMPTY if value is None else value


def _holds(ws: Worksheet, formula: str) -> bool:
    function = _compiled(formula)
    result = function(*(_value(ws, name) for name in function.inputs))
    result = numpy.asarray(result).ravel()[0].item()  # formulas answers 1x1 arrays and numpy scalars
    return result is True or (isinstance(result, int | float) and not isinstance(result, str) and bool(result))


def fill_colour(ws: Worksheet, address: str) -> str | None:
    """The fill colour ("FFC7CE") the sheet's conditional formats give `address`, or None."""
    column, row = _column_row(address)
    rules = []
    for cf in ws.conditional_formatting:
        for cell_range in cf.sqref.ranges:
            min_col, min_row, max_col, max_row = range_boundaries(cell_range.coord)
            if min_col <= column <= max_col and min_row <= row <= max_row:
                origin = cell_range.coord.split(":")[0]
                rules += [(rule.priority, origin, rule) for rule in cf.rules]
    for _, origin, rule in sorted(rules, key=lambda item: item[0]):
        if rule.type != "expression":
            raise AssertionError(f"rule type {rule.type} on {address} is not evaluated here")
        formula = Translator(f"={rule.formula[0]}", origin=origin).translate_formula(address)
        if not _holds(ws, formula):
            continue
        fill = rule.dxf.fill if rule.dxf is not None else None
        colour = None
        if fill is not None:
            colour = (fill.bgColor.rgb if fill.bgColor is not None else None) or (
                fill.fgColor.rgb if fill.fgColor is not None else None
            )
        if colour or rule.stopIfTrue:
            return str(colour)[-6:].upper() if colour else None
    return None


def rating_of_fill(colour: str | None) -> str | None:
    """'green' / 'amber' / 'red' for a RAG fill colour; None for no fill."""
    if colour is None:
        return None
    for name, (fill, _) in RAG_COLOURS.items():
        if fill.lstrip("#").upper() == colour:
            return name
    raise AssertionError(f"fill {colour} is no RAG colour")


def _column_row(address: str) -> tuple[int, int]:
    min_col, min_row, _, _ = range_boundaries(address)
    return int(min_col), int(min_row)  # type: ignore[arg-type]
