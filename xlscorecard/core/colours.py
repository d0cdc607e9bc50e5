"""The colours of DESIGN 5-6, shared by every shell that paints a scorecard (return, add-in)."""

from __future__ import annotations

from typing import Any

from xlscorecard.core.findings import Code

# rating -> (fill, font)
RAG_COLOURS = {"green": ("#C6EFCE", "#006100"), "amber": ("#FFEB9C", "#9C5700"), "red": ("#FFC7CE", "#9C0006")}
# arrow font by meaning: improving green, worsening red, else grey
MEANING_COLOURS = {"improving": "#00B050", "worsening": "#C00000", "other": "#808080"}
# how a flagged cell looks (XlsxWriter format properties)
FLAG_STYLES: dict[Code, dict[str, Any]] = {
    Code.SUPPRESSED: {"bg_color": "#E7E6E6", "italic": True, "font_color": "#595959"},
    Code.MISSING: {"bg_color": "#FFF2CC", "pattern": 1},
    Code.STALE: {"bg_color": "#FCE4D6"},
    Code.EXCEL_ERROR: {"bg_color": "#F4B084", "bold": True},
    Code.UNPARSED_VALUE: {"bg_color": "#F4B084"},
}
