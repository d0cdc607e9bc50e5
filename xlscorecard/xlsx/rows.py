"""An XlsxWriter worksheet that takes a whole row of cells per call (the return writer's bulk path).

XlsxWriter spends about 14 µs on every cell: `write_*()` checks and stores a cell object, and its
XML writer then formats each attribute separately. A 20,000-PI return has some 800,000 cells, so
that alone is about 12 s. `FastRowsWorksheet.write_cells()` formats a row's XML in one pass into a
temporary file, and the sheet data is copied from it when the workbook closes. Everything that
is not a cell value (formats, notes, links, conditional formats, sparklines, print set-up) still
goes through XlsxWriter's public API, on the same worksheet object.

The XML is what XlsxWriter writes in its constant-memory mode (in-line strings), with three
differences: numbers keep every digit (the shortest text that reads back as the same float, where
XlsxWriter rounds to 16 significant digits); every string is escaped (XlsxWriter passes text shaped
like "<r>...</r>" through unescaped as rich text, which a hostile cell could use to break the file);
and numbers that are not finite become #NUM! error values without a formula.
"""

from __future__ import annotations

import codecs
import math
import re
import shutil
import tempfile
from collections.abc import Iterable
from typing import IO, Any

import xlsxwriter
import xlsxwriter.utility
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from xlscorecard.core.errors import InstallationError

# What this module relies on beyond XlsxWriter's public API (measured worth it: benchmarks/rows_bench.py).
RELIES_ON = {
    Worksheet: ("_write_sheet_data", "_write_hyperlinks", "_write_sparklines", "_prepare_formula",
                "_check_dimensions", "_xml_start_tag", "_xml_end_tag"),
    Format: ("_get_xf_index",),
    xlsxwriter.utility: ("_utf16_len", "_utf16_truncate"),
}


def require_xlsxwriter() -> None:
    """Refuse, in one line, an installed XlsxWriter that lacks what the fast row writer overrides or calls."""
    missing = [f"{getattr(owner, '__name__', owner)}.{name}"
               for owner, names in RELIES_ON.items() for name in names if not hasattr(owner, name)]
    if missing:
        raise InstallationError(
            f"the installed XlsxWriter {getattr(xlsxwriter, '__version__', '?')} lacks {', '.join(missing)}, "
            "which xlscorecard's row writer needs; install a version from 3.3.1 to 3.x"
        )


require_xlsxwriter()
_utf16_len = xlsxwriter.utility._utf16_len
_utf16_truncate = xlsxwriter.utility._utf16_truncate

SPOOL_BYTES = 1 << 20  # row XML kept in memory up to this size per sheet
ROWS_PER_WRITE = 200  # rows encoded and spooled together (about 250 KB on a scorecard)
MAX_STRING = 32767  # Excel's limit, in UTF-16 code units
MAX_LINKS = 65530  # Excel's limit of hyperlinks on one sheet
_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")

_FUNCTION = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")
CLASSIC_FUNCTIONS = frozenset({"AND", "OR", "NOT", "IF", "UPPER", "LOWER", "LEN", "ISNUMBER", "ISBLANK", "ABS"})

Cell = tuple[int, Any, Format | None]  # (column, value, format); value None = a formatted blank


def escape_text(text: str) -> str:
    """Text as cell XML data: & < > escaped, control characters as Excel's _xHHHH_ escapes."""
    # Most text needs nothing: four character searches and isprintable() (false for every control
    # character and for U+FFFE/U+FFFF) tell so in about half the time of one character-class regex.
    # "_" alone is only a maybe.
    if not ("&" in text or "<" in text or ">" in text or "_" in text) and text.isprintable():
        return text
    if "_x" in text:
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)  # a literal "_x0041_" must not read as "A"
    if _CONTROL.search(text):  # rare: the substitution alone costs more than this test
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    """Text as an XML attribute value (double-quoted), control characters as Excel escapes."""
    text = escape_text(text).replace('"', "&quot;")
    return text.replace("\n", "&#xA;")


class FastRowsWorksheet(Worksheet):
    """A worksheet whose cells are written a row at a time with `write_cells`, in increasing row order.

    Do not mix in XlsxWriter's own `write_*()` cell methods on the same sheet: those cells would be
    lost, so closing the workbook refuses.
    """

    def __init__(self) -> None:
        super().__init__()
        self._rows: IO[bytes] | None = None
        self._pending: list[str] = []  # rows not yet in the spool: written ROWS_PER_WRITE at a time
        self._last_row = -1
        self._letters: list[str] = []  # column letters by index
        self._xf: dict[Format, str] = {}  # format -> ' s="n"' (formats hash by identity)
        self._links: list[tuple[int, int, str, str, str | None]] = []  # (row, col, location, text, tooltip)

    def _rows_file(self) -> IO[bytes]:
        if self._rows is None:  # in memory while small, then on disk: memory stays flat on a big sheet
            self._rows = tempfile.SpooledTemporaryFile(SPOOL_BYTES, dir=self.tmpdir or None)  # noqa: SIM115
        return self._rows  # type: ignore[return-value]

    def _style(self, cell_format: Format) -> str:
        index = cell_format._get_xf_index()  # registers the format with the workbook, as write_*() does
        found = self._xf[cell_format] = f' s="{index}"' if index else ""
        return found

    def _grow(self, c: int) -> None:
        letters = self._letters
        while len(letters) <= c:
            letters.append(xl_col_to_name(len(letters)))

    def write_cells(self, row: int, cells: Iterable[Cell], height: float | None = None) -> None:
        """Write one row's cells (column order, no repeats): None or "" a blank, bool, number or text."""
        if row <= self._last_row:
            raise ValueError(f"rows must be written in increasing order: {row + 1} after {self._last_row + 1}")
        if height is not None and not height > 0:
            raise ValueError(f"row {row + 1}: a height must be positive, not {height}")
        if row >= self.xls_rowmax:
            return  # past Excel's last row: left out, as XlsxWriter's write_*() do
        n = str(row + 1)
        letters, styles = self._letters, self._xf
        parts: list[str] = []
        append = parts.append
        first = last = -1
        for c, value, cell_format in cells:  # the inner loop of every big sheet: keep it lean
            if first < 0:
                first = c
            last = c
            if c >= len(letters):
                if c >= self.xls_colmax:
                    break  # past column XFD: left out, as XlsxWriter's write_*() do
                self._grow(c)
            if cell_format is None:
                s = ""
            else:
                s = styles.get(cell_format)
                if s is None:
                    s = self._style(cell_format)
            kind = value.__class__
            if kind is str and value:
                if len(value) > MAX_STRING // 2 and _utf16_len(value) > MAX_STRING:  # XlsxWriter's own test
                    value = _utf16_truncate(value, MAX_STRING)
                value = escape_text(value)
                if value[:1].isspace() or value[-1:].isspace():
                    append(f'<c r="{letters[c]}{n}"{s} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>')
                else:
                    append(f'<c r="{letters[c]}{n}"{s} t="inlineStr"><is><t>{value}</t></is></c>')
            elif kind is float or kind is int:
                if value - value == 0:  # finite (inf - inf and nan - nan are nan)
                    append(f'<c r="{letters[c]}{n}"{s}><v>{value!r}</v></c>')  # shortest exact form
                else:
                    append(f'<c r="{letters[c]}{n}"{s} t="e"><v>#NUM!</v></c>')
            elif value is None or kind is str:  # a blank; written only to carry a format
                if s:
                    append(f'<c r="{letters[c]}{n}"{s}/>')
            elif kind is bool:
                append(f'<c r="{letters[c]}{n}"{s} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                if math.isfinite(value):
                    append(f'<c r="{letters[c]}{n}"{s}><v>{float(value)!r}</v></c>')
                else:
                    append(f'<c r="{letters[c]}{n}"{s} t="e"><v>#NUM!</v></c>')
            else:
                append(f'<c r="{letters[c]}{n}"{s} t="inlineStr"><is><t>{escape_text(str(value))}</t></is></c>')
        if first < 0 and height is None:
            return
        self._last_row = row
        row_attrs = f'<row r="{n}"'
        if height is not None:
            # Recorded where XlsxWriter's set_row() records it, for placing notes and drawings,
            # without set_row()'s checks and record objects (a sixth of writing a big sheet's rows).
            pixels = max(int(height * 4.0 / 3.0 + 0.5), 1)
            self.row_sizes[row] = [pixels, False]
            row_attrs += f' ht="{pixels * 0.75:.16g}" customHeight="1"'
        if first >= 0:
            self._check_dimensions(row, first)
            self._check_dimensions(row, last)
        self._pending.append(f'{row_attrs}>{"".join(parts)}</row>')
        if len(self._pending) >= ROWS_PER_WRITE:
            self._spool_pending()

    def _spool_pending(self) -> None:
        if self._pending:
            self._rows_file().write("".join(self._pending).encode())
            self._pending.clear()

    def link(self, row: int, col: int, location: str, text: str, tip: str | None = None) -> None:
        """Make a cell written by `write_cells` (showing `text`) a link to a place in this workbook ("'Scorecard'!K13").

        Kept as a plain tuple and written at close: XlsxWriter's `write_url` builds and parses a Url
        object per link, which on a sheet with 20,000 links costs about 1 s and 15 MB. Excel allows
        65,530 links a sheet; later ones are left out, as XlsxWriter does.
        """
        if len(self._links) < MAX_LINKS:
            self._check_dimensions(row, col)
            self._links.append((row, col, location, text, tip))

    def _write_hyperlinks(self) -> None:
        if not self._links:
            super()._write_hyperlinks()
            return
        if self.hyperlinks:
            raise RuntimeError(f"sheet {self.name!r}: links were added both by link() and by write_url()")
        self._grow(max(link[1] for link in self._links))
        letters = self._letters
        out = ["<hyperlinks>"]
        for row, col, location, text, tip in sorted(self._links):
            tooltip = f' tooltip="{_attribute(tip)}"' if tip else ""
            out.append(f'<hyperlink ref="{letters[col]}{row + 1}" location="{_attribute(location)}"{tooltip}'
                       f' display="{_attribute(text)}"/>')
        out.append("</hyperlinks>")
        self.fh.write("".join(out))

    def _write_sparklines(self, sparkline: dict[str, Any]) -> None:
        """A sparkline group's members, as XlsxWriter writes them, in one string.

        XlsxWriter writes each member's range and cell through its general element writer, two
        escaping passes per text: about 0.4 s for a group of 20,000 rows.
        """
        out = ["<x14:sparklines>"]
        for spark_range, location in zip(sparkline["ranges"], sparkline["locations"], strict=True):
            out.append(f"<x14:sparkline><xm:f>{escape_text(spark_range)}</xm:f>"
                       f"<xm:sqref>{escape_text(location)}</xm:sqref></x14:sparkline>")
        out.append("</x14:sparklines>")
        self.fh.write("".join(out))

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        """XlsxWriter's formula preparation, without its 150 rewrites when only classic functions are used.

        It prefixes functions newer than Excel 2007 with "_xlfn." by running a regex substitution
        per function name on every formula (the conditional formats' included), and compiling them
        costs about a tenth of converting a 100-PI scorecard. Formulas that call only functions
        every Excel version knows are returned as they are, minus the leading "=".
        """
        names = _FUNCTION.findall(formula)
        if all(name.upper() in CLASSIC_FUNCTIONS for name in names) and not formula.startswith("{"):
            return formula[1:] if formula.startswith("=") else formula
        return super()._prepare_formula(formula, expand_future_functions)

    def _write_sheet_data(self) -> None:
        self._spool_pending()
        if self._rows is None:
            super()._write_sheet_data()
            return
        if any(self.table.values()):
            raise RuntimeError(f"sheet {self.name!r}: cells were written both by write_cells and by write_*()")
        self._xml_start_tag("sheetData")
        self._rows.seek(0)
        if hasattr(self.fh, "buffer"):  # a file: its bytes go straight in, without decoding and encoding again
            self.fh.flush()
            shutil.copyfileobj(self._rows, self.fh.buffer, 1 << 20)
        else:  # a workbook assembled in memory writes its parts to text buffers
            shutil.copyfileobj(codecs.getreader("utf-8")(self._rows), self.fh, 1 << 20)
        self._rows.close()
        self._rows = None
        self._xml_end_tag("sheetData")
