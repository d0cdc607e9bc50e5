"""How values become cells of the return: text stays text, numbers are shown in their PI's unit.

Every piece of text is written as a string, never a formula, link or number (the workbook options
below); a figure is written as a number with its unit's format, and a marker ("<5", "n/a") or a
target's wording as grey italic text.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format

from xlscorecard.core.targets import Target, TargetKind
from xlscorecard.core.values import Observation
from xlscorecard.xlsx.rows import Cell

# XlsxWriter options that keep text a string: a cell reading "=1+1" or "http://..." is not turned
# into a formula or link, and "007" keeps its zeros. Not-finite numbers become #NUM! errors.
TEXT_STAYS_TEXT = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


def observation_cell(
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


def target_cell(
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


def in_order(cells: dict[int, tuple[Any, Format | None]]) -> list[Cell]:
    """A row's cells keyed by column, as the row writer takes them: left to right."""
    return [(c, value, cell_format) for c, (value, cell_format) in sorted(cells.items())]


def as_text(value: Any) -> str:
    """A source cell's value as the text it shows (a whole float without its `.0`)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
