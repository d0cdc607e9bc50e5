"""The reader: from a Grid of cells to a Scorecard, whatever the council's layout (DESIGN 3-4).

vocabulary (wording -> role, words and glyphs -> meaning), periods (the Period model), header
(one- or two-row headers), rows (sections and PI rows), units, long (one row per indicator per
period), profile (layout profiles), sheets (choosing sheets) and scorecard_reader (the whole).
The model (xlscorecard.core.scorecard) imports the periods, so the rest is imported when first asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

from xlscorecard.core.reading.periods import Granularity, Period, PeriodKind, parse_period

_LAZY = {
    "Header": "header", "find_header": "header", "read_scorecard": "scorecard_reader", "infer_units": "units",
    "Profile": "profile", "load_profile": "profile",
}  # fmt: skip

__all__ = ["Granularity", "Period", "PeriodKind", "parse_period", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"xlscorecard.core.reading.{_LAZY[name]}"), name)
    raise AttributeError(name)
