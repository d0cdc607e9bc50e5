"""What every sheet of the return shares: the workbook, its formats, the assessment and the print set-up."""

from __future__ import annotations

from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from xlscorecard.core.assessment import Assessment, IndicatorAssessment
from xlscorecard.xlsx.printing import page_footer, page_header

SCORECARD = "Scorecard"
QOQ = "Quarter on quarter"
EXCEPTIONS = "Exceptions"
DATA_QUALITY = "Data quality"
SUMMARY = "Summary"

# A value in its PI's unit: (unit, whole number) -> number format.
VALUE_NUMBER_FORMATS = {("%", True): "0%", ("%", False): "0.0%", (None, True): "#,##0", (None, False): "#,##0.0##"}


class ReturnContext:
    """The workbook being written and the assessed scorecard it renders, with one cache of formats."""

    def __init__(self, wb: xlsxwriter.Workbook, assessment: Assessment) -> None:
        self.wb = wb
        self.a = assessment
        self.sc = assessment.scorecard
        self.results: dict[int, IndicatorAssessment] = {r.row: r for r in assessment.results}
        self._formats: dict[tuple[Any, ...], Format] = {}

    def fmt(self, **props: Any) -> Format:
        """The workbook's one format with these properties, made on first use."""
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def value_formats(self) -> dict[tuple[str | None, bool], Format]:
        """Number formats for a value in its PI's unit: whole or not, percent or not."""
        return {
            (unit, whole): self.fmt(num_format=nf, valign="top") for (unit, whole), nf in VALUE_NUMBER_FORMATS.items()
        }

    def page_setup(
        self, ws: Worksheet, header_r: int | None, last_col: int, last_row: int, pages_tall: int = 0
    ) -> None:
        """Every sheet: A4 landscape, one page wide, header row on each page, title and page footer."""
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, pages_tall)
        if header_r is not None:
            ws.repeat_rows(header_r)
        ws.print_area(0, 0, max(last_row, header_r or 0), last_col)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        ws.set_header(page_header(self.sc.title))
        ws.set_footer(page_footer(self.sc.reporting_period, self.sc.file))
