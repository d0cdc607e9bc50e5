"""Print set-up for a workbook edited with openpyxl (the submission and the template).

The same page rules as the return (xlscorecard.xlsx.printing): every sheet A4 landscape, one page wide,
the header row on each page, title in the page header, period and page number in the footer, and
rows tall enough for their wrapped text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.utils import get_column_letter

from xlscorecard.xlsx.printing import excel_escape, footer_parts, row_height

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

DEFAULT_COLUMN_WIDTH = 8.43  # Excel's, when a sheet does not say


def make_print_ready(
    wb: Workbook, scorecard_sheet: str, header_row: int, title: str | None, period: str | None, file: str | None
) -> None:
    """Page set-up on every visible sheet; print titles and fitted row heights on the scorecard sheet."""
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        _page_setup(ws, title, period, file)
        fit_row_heights(ws, first_row=1)
    ws = wb[scorecard_sheet]
    ws.print_title_rows = f"{header_row}:{header_row}"


def _page_setup(ws: Worksheet, title: str | None, period: str | None, file: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = None if ws.max_column < 1 else f"A1:{get_column_letter(ws.max_column)}{max(ws.max_row, 1)}"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddHeader.center.text = excel_escape(title or "Scorecard")
    ws.oddHeader.center.font = "Calibri,Bold"
    ws.oddFooter.left.text, ws.oddFooter.center.text, ws.oddFooter.right.text = footer_parts(period, file)


def fit_row_heights(ws: Worksheet, first_row: int = 1) -> None:
    """Each row tall enough for its wrapped text (never shorter than the sheet already had it)."""
    widths = {}
    for c in range(1, ws.max_column + 1):
        dim = ws.column_dimensions.get(get_column_letter(c))
        widths[c] = dim.width if dim is not None and dim.width else DEFAULT_COLUMN_WIDTH
    for row in ws.iter_rows(min_row=first_row):
        wrapped = []
        size = 11.0
        for cell in row:
            if (isinstance(cell.value, str) and cell.value and cell.alignment is not None
                    and (cell.alignment.wrap_text or "\n" in cell.value)):
                wrapped.append((cell.value, widths.get(cell.column, DEFAULT_COLUMN_WIDTH)))
                size = max(size, float(cell.font.sz or 11.0) if cell.font is not None else 11.0)
        if not wrapped:
            continue
        needed = row_height(wrapped, font_size=size)
        dim = ws.row_dimensions[row[0].row]
        if dim.height is None or dim.height < needed:
            dim.height = needed
