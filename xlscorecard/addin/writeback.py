"""Writing values back into the live sheet: one block per column, other cells left as they were.

Per column written (RAG, arrows) the block from the first to the last PI row is written in one
``.value`` call. The rows in between that are not PI rows (headings, repeated headers, notes) get
their own content back: their formula when they hold one (one ``.formula`` read), an Excel error
value as the error itself (one more ``.value`` read tells an error from text that looks like
one), text as text, numbers and dates as they were.
"""

from __future__ import annotations

import re
from typing import Any

from xlscorecard.addin.formats import attempt
from xlscorecard.addin.live import Live

# The error values Excel shows in a cell; typed back as an entry, each becomes the error again.
EXCEL_ERRORS = frozenset(
    {
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
        "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!",
    }
)  # fmt: skip

# Text that Excel would retype when written back as a value: formulas, numbers, dates, booleans.
_RETYPED = re.compile(
    r"""^(?:[=+\-@'\d.(£$€]|\s|(?:true|false)\s*$|\#|[a-z]{3,9}[\s\-/.]+\d)""", re.IGNORECASE | re.VERBOSE
)


def text_entry(text: Any) -> Any:
    """Text written so Excel keeps it as text: a leading apostrophe where it would retype it."""
    if isinstance(text, str) and text and _RETYPED.match(text):
        return "'" + text
    return text


def write_column(live: Live, column: int, new: dict[int, str | None]) -> None:
    """One `.value` write from the first to the last PI row; other rows get their own content back."""
    first, last = min(new), max(new)
    block = live.sheet.range((first, column), (last, column))
    height = last - first + 1
    formulas = _column(attempt(lambda: block.formula, None), height)
    plain: list[Any] | None = None  # the block's values with errors as None, read only when needed
    values: list[list[Any]] = []
    for i, row in enumerate(range(first, last + 1)):
        if row in new:
            values.append([new[row]])
            continue
        formula = formulas[i] if formulas is not None else None
        value = live.raw_value(row, column)
        if isinstance(formula, str) and formula.startswith("="):
            values.append([formula])
        elif isinstance(value, str) and value in EXCEL_ERRORS:
            if plain is None:
                plain = _column(block.options(ndim=2).value, height) or [None] * height
            values.append([value if plain[i] is None else text_entry(value)])
        else:
            values.append([text_entry(value) if isinstance(value, str) else value])
    block.value = values


def _column(read: Any, height: int) -> list[Any] | None:
    """A one-column read as a flat list of its height; None if unreadable."""
    if read is None:
        return None
    if not isinstance(read, list | tuple):
        read = [[read]]
    flat = [row[0] if isinstance(row, list | tuple) else row for row in read]
    return flat if len(flat) == height else None
