"""Read a .xlsx file into a Grid (values, number formats, origin) after the safety checks.

Values come from python-calamine (Rust; about 25x faster than openpyxl's read-only mode on a
20,000-row scorecard, see benchmarks/convert_bench.py). Calamine gives values only, so two things
it does not carry are read from the sheet's XML directly: each cell's number format (a fraction
shown as a percentage must come out as a percentage) and Excel error values (#DIV/0!), which it
drops. Both come from one pass of a regular expression over the cell tags, after the safety
checks have bounded the part's size; a sheet whose cells do not carry addresses (allowed, rare)
is read with openpyxl instead.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from array import array
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from xlscorecard.errors import WorkbookError
from xlscorecard.grid import Grid, column_index
from xlscorecard.reading import find_header
from xlscorecard.safety import (
    DEFAULT_LIMITS,
    SafetyLimits,
    check_workbook_file,
    iter_zip_member_capped,
    open_zip_member_capped,
)

HEADER_SEARCH_ROWS = 60
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Excel's built-in number formats that matter here (ids 0-49 are implicit in styles.xml).
_BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00"}
_ADDRESS_LESS = re.compile(rb"<c(?![^>]*\br=)[\s>/]")
# Five times cheaper, and matches wherever the above does: a cell tag not opening with r="...".
_MAYBE_ADDRESS_LESS = re.compile(rb'<c(?:[>/]|\s(?!r="))')
_ERROR_CELL = re.compile(
    rb'<c\b(?=[^>]*\bt="e")[^>]*?\br="\$?([A-Z]+)\$?([0-9]+)"[^>]*>(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)?<v>([^<]*)</v>'
)


def read_grid(path: str | Path, sheet: str | None = None, limits: SafetyLimits | None = None) -> Grid:
    """The scorecard sheet of a workbook as a Grid: the named sheet, else the first with a header."""
    import python_calamine

    path = Path(path)
    limits = limits or DEFAULT_LIMITS
    check_workbook_file(path, limits)
    # Calamine loads a sheet without holding Python's lock, so each sheet's XML is scanned for
    # number formats and errors meanwhile, in a thread; the scans of sheets passed over are dropped.
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            names = [s.name for s in book.sheets_metadata if str(s.typ).endswith("WorkSheet")]
            if sheet is not None and sheet not in names:
                raise WorkbookError(f"has no sheet '{sheet}' (sheets: {', '.join(names)})", path)
            chosen, scan, data = "", None, None
            for name in [sheet] if sheet is not None else names:
                scan = pool.submit(_scan_sheet_xml, path, name, limits)
                data = book.get_sheet_by_name(name)
                if sheet is not None or _has_header(data):
                    chosen = name
                    break
                scan.cancel()
            if not chosen and names:
                # No sheet has a header this reader knows: read the first, whose refusal names its cells.
                chosen = names[0]
                scan = pool.submit(_scan_sheet_xml, path, chosen, limits)
                data = book.get_sheet_by_name(chosen)
            if scan is None or not chosen:
                raise WorkbookError(
                    "no sheet has a scorecard header row (expected columns such as PI Ref, Measure, "
                    "Target and quarters like 'Qu 2 18-19'); name the sheet with --sheet",
                    path,
                )
            rows = _rows(data)
            # The values are Python's now: let calamine free its copy.
            del data
            book.close()
            formats, errors = scan.result()
        except WorkbookError:
            raise
        except _AddressLess:
            return _read_grid_openpyxl(path, chosen)
        except Exception as exc:  # calamine raises its own error types for damaged parts
            raise WorkbookError(f"is damaged and cannot be read ({_reason(exc)})", path) from None
    for (r, c), text in errors.items():
        _ensure(rows, r, c)
        rows[r][c] = text
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        if len(row) < width:
            row.extend([None] * (width - len(row)))
    return Grid(values=rows, number_formats=_format_rows(len(rows), width, formats), origin="A1", sheet=chosen)


def _rows(sheet: Any) -> list[list[Any]]:
    """The sheet's values from A1, row by row, with one string object per distinct text.

    Calamine hands a fresh string per cell; a scorecard repeats names, markers and notes down
    its rows, so equal texts are shared (the grid of a 20,000-PI sheet is about half the size).
    Rows are taken one at a time rather than as one list of lists, so the two never coexist."""
    start = sheet.start
    pad = [None] * start[1] if start else []  # iter_rows leaves out empty columns on the left
    texts: dict[str, str] = {}
    rows: list[list[Any]] = []
    for raw in sheet.iter_rows():
        row = pad.copy()
        for v in raw:
            if v.__class__ is str:
                row.append(texts.setdefault(v, v) if v else None)  # calamine's '' is an empty cell
            else:
                row.append(_cell(v))
        rows.append(row)
    return rows


_PLAIN_TYPES = (str, float, int, bool)


def _cell(value: Any) -> Any:
    """Calamine's '' is an empty cell; dates and times become their ISO text."""
    if value == "":
        return None
    return value if isinstance(value, _PLAIN_TYPES) else str(value)


@functools.lru_cache(maxsize=4096)
def _column(letters: bytes) -> int:
    return column_index(letters.decode())


class _AddressLess(Exception):
    """The sheet's cells carry no A1 addresses; positions are implicit."""


def _scan_sheet_xml(path: Path, sheet: str, limits: SafetyLimits) -> tuple[_Found, dict[tuple[int, int], str]]:
    with zipfile.ZipFile(path) as zf:
        return _formats_and_errors(zf, sheet, limits)


def _has_header(sheet: Any) -> bool:
    head = sheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
    return find_header(Grid.from_rows([[None if v == "" else v for v in row] for row in head])) is not None


def _ensure(rows: list[list[Any]], r: int, c: int) -> None:
    while len(rows) <= r:
        rows.append([])
    if len(rows[r]) <= c:
        rows[r].extend([None] * (c + 1 - len(rows[r])))


def _sheet_part(zf: zipfile.ZipFile, name: str, cap: int) -> str:
    workbook = ElementTree.fromstring(open_zip_member_capped(zf, "xl/workbook.xml", cap))
    rel_id = next(
        (s.get(f"{_NS_REL}id") for s in workbook.iter(f"{_NS_MAIN}sheet") if s.get("name") == name), None
    )
    rels = ElementTree.fromstring(open_zip_member_capped(zf, "xl/_rels/workbook.xml.rels", cap))
    target = next((r.get("Target") for r in rels.iter(f"{_NS_PKG}Relationship") if r.get("Id") == rel_id), None)
    if target is None:
        raise WorkbookError(f"sheet '{name}' has no part in the workbook")
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _style_formats(zf: zipfile.ZipFile, cap: int) -> dict[int, str]:
    """Style index -> number format code, for styles whose format is not General."""
    if "xl/styles.xml" not in zf.namelist():
        return {}
    styles = ElementTree.fromstring(open_zip_member_capped(zf, "xl/styles.xml", cap))
    codes = dict(_BUILTIN_FORMATS)
    for fmt in styles.iter(f"{_NS_MAIN}numFmt"):
        codes[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "General")
    out: dict[int, str] = {}
    cell_xfs = next(styles.iter(f"{_NS_MAIN}cellXfs"), None)
    for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
        code = codes.get(int(xf.get("numFmtId", "0")))
        if code and code != "General":
            out[index] = code
    return out


_Found = tuple[array, array, array, dict[int, str]]  # rows, columns and style ids of formatted cells; styles


def _formats_and_errors(
    zf: zipfile.ZipFile, sheet: str, limits: SafetyLimits
) -> tuple[_Found, dict[tuple[int, int], str]]:
    """Number formats (as compact arrays) and Excel errors of the sheet's cells, from its XML.

    The XML is inflated and scanned a block of whole rows at a time, so neither it nor a list of
    every match is held at once (on a 20,000-PI sheet the XML alone is about 20 MB)."""
    cap = limits.max_uncompressed_bytes
    style_formats = _style_formats(zf, cap)
    part = _sheet_part(zf, sheet, cap)
    rows, cols, styles = array("l"), array("l"), array("l")
    errors: dict[tuple[int, int], str] = {}
    expected = 0
    # Only cells whose style has a format are visited. Writers put r before s (Excel, openpyxl,
    # XlsxWriter, LibreOffice): a plain scan for that order, and the slower any-order scan only
    # when the counts show some cells were written otherwise.
    ids = b"|".join(str(i).encode() for i in sorted(style_formats))
    r_first = re.compile(rb'<c r="\$?([A-Z]+)\$?([0-9]+)" s="(' + ids + rb')"')
    any_style = re.compile(rb'<c\b[^>]*?\bs="(?:' + ids + rb')"')
    for block in _row_blocks(iter_zip_member_capped(zf, part, cap, _BLOCK)):
        if _MAYBE_ADDRESS_LESS.search(block) and _ADDRESS_LESS.search(block):
            raise _AddressLess
        if style_formats:
            expected += sum(1 for _ in any_style.finditer(block))
            for m in r_first.finditer(block):
                rows.append(int(m.group(2)) - 1)
                cols.append(_column(m.group(1)) - 1)
                styles.append(int(m.group(3)))
        for m in _ERROR_CELL.finditer(block) if b't="e"' in block else ():  # errors are rare: skip the pass
            errors[(int(m.group(2)) - 1, _column(m.group(1)) - 1)] = m.group(3).decode("utf-8", "replace")
    if style_formats and len(rows) < expected:
        any_order = re.compile(rb'<c\b(?=[^>]*?\bs="(' + ids + rb')")[^>]*?\br="\$?([A-Z]+)\$?([0-9]+)"')
        rows, cols, styles = array("l"), array("l"), array("l")
        for block in _row_blocks(iter_zip_member_capped(zf, part, cap, _BLOCK)):
            for m in any_order.finditer(block):
                rows.append(int(m.group(3)) - 1)
                cols.append(_column(m.group(2)) - 1)
                styles.append(int(m.group(1)))
    return (rows, cols, styles, style_formats), errors


_BLOCK = 1 << 20


def _row_blocks(pieces: Iterator[bytes]) -> Iterator[bytes]:
    """The XML again, cut only after a '</row>' so no cell (and no match above) is split."""
    buffer = b""
    for piece in pieces:
        buffer += piece
        if len(buffer) >= _BLOCK:
            end = buffer.rfind(b"</row>")
            if end >= 0:
                yield buffer[: end + 6]
                buffer = buffer[end + 6 :]
    if buffer:
        yield buffer


def _format_rows(height: int, width: int, found: _Found) -> list[tuple[str | None, ...]]:
    """Each grid row's number formats; rows formatted alike share one tuple (most have none)."""
    rows, cols, styles, style_formats = found
    empty: tuple[str | None, ...] = (None,) * width
    out = [empty] * height
    shared = {empty: empty}
    current_r, current = 0, None
    for r, c, style in zip(rows, cols, styles, strict=True):
        if r >= height or c >= width:
            continue
        if current is None or r != current_r:
            if current is not None:
                done = tuple(current)
                out[current_r] = shared.setdefault(done, done)
            current_r, current = r, list(out[r])
        current[c] = style_formats[style]
    if current is not None:
        done = tuple(current)
        out[current_r] = shared.setdefault(done, done)
    return out


def _read_grid_openpyxl(path: Path, sheet: str) -> Grid:
    """Slower path for sheets whose cells carry no addresses: openpyxl read-only mode."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        ws = book[sheet]
        ws.reset_dimensions()  # read_only trusts the declared dimension, which can be wrong
        values: list[list[object]] = []
        formats: list[list[str | None]] = []
        for row in ws.iter_rows():
            values.append([c.value for c in row])
            formats.append([getattr(c, "number_format", None) for c in row])
        return Grid.from_rows(values, formats, origin="A1", sheet=ws.title)
    finally:
        book.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
