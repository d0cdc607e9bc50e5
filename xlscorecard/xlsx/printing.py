"""Print layout shared by every workbook the product writes: row heights and page set-up wording.

No program can be relied on to grow a row for wrapped text it did not lay out itself (LibreOffice
keeps a writer's fixed height), so heights are computed here from each text's length and its
column's width. One helper, used by the return's sheet writers and by rollover and template.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

LINE_POINTS = 15.0  # one line of 11 pt Calibri/Carlito, with leading
PADDING_POINTS = 3.0
MAX_ROW_POINTS = 409.0  # Excel's largest row height
CHARS_PER_WIDTH_UNIT = 1.0  # a column width is counted in '0' digits; text averages a little narrower


_PER_LINE: dict[tuple[float, float], int] = {}  # a workbook has a few dozen column widths


def characters_per_line(width: float, font_size: float = 11.0) -> int:
    """How many characters of `font_size` text fit on one line of a column `width` characters wide."""
    key = (width, font_size)
    found = _PER_LINE.get(key)
    if found is None:
        found = max(int(width * CHARS_PER_WIDTH_UNIT * 11.0 / font_size) - 1, 1)
        if len(_PER_LINE) < 1024:
            _PER_LINE[key] = found
    return found


def wrapped_lines(text: str, width: float, font_size: float = 11.0) -> int:
    """How many lines `text` takes when wrapped at word boundaries in a column `width` characters wide."""
    return _lines(text, characters_per_line(width, font_size))


def _lines(text: str, per_line: int) -> int:
    if len(text) <= per_line and "\n" not in text:
        return 1  # the common case, without looking at the words
    return sum(_greedy_lines(paragraph, per_line) for paragraph in text.split("\n"))


def _greedy_lines(paragraph: str, per_line: int) -> int:
    """Lines of one paragraph filled word by word, as a spreadsheet wraps it (a word too long is broken).

    Words are one space apart once laid out, so each line is the longest stretch of at most
    `per_line` characters that ends at a space, found by one search per line, not per word; a
    line without a space in it is a piece of a word too long for a line.
    """
    if len(paragraph) <= per_line:
        return 1
    text = " ".join(paragraph.split())
    end_of_text = len(text)
    lines, start = 0, 0
    while True:
        lines += 1
        end = start + per_line
        if end >= end_of_text:
            return lines
        if text[end] == " ":  # the line is full to the last character of a word
            start = end + 1
            continue
        space = text.rfind(" ", start, end)
        start = end if space < 0 else space + 1  # no space in it: a long word breaks at the line's end


def row_height(cells: Iterable[tuple[object, float]], font_size: float = 11.0) -> float:
    """Points for a row whose wrapped cells are (value, column width) pairs; numbers never wrap."""
    lines = 1
    for value, width in cells:
        if isinstance(value, str) and value:
            per_line = characters_per_line(width, font_size)
            if len(value) > per_line or "\n" in value:  # else one line: _lines' own first test, without the call
                lines = max(lines, _lines(value, per_line))
    return min(LINE_POINTS * font_size / 11.0 * lines + PADDING_POINTS, MAX_ROW_POINTS)


def excel_escape(text: str) -> str:
    """Text for a page header or footer, where '&' starts a control code."""
    return text.replace("&", "&&")


def footer_parts(period: str | None, file: str | None) -> tuple[str, str, str]:
    """Reporting period on the left, 'Page n of m' in the centre, the source file on the right."""
    return (f"Reporting period: {excel_escape(period or '')}", "Page &P of &N", excel_escape(Path(file or "").name))


def page_header(title: str | None) -> str:
    """The centred, bold title at the top of every printed page."""
    return f"&C&\"Calibri,Bold\"{excel_escape(title or 'Scorecard')}"


def page_footer(period: str | None, file: str | None) -> str:
    """The footer as one Excel header/footer string (XlsxWriter's set_footer)."""
    left, centre, right = footer_parts(period, file)
    return f"&L{left}&C{centre}&R{right}"
