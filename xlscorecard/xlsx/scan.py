"""The streaming bounds pass: what a sheet's XML really holds, read before any reader allocates.

python-calamine allocates a dense grid for a sheet's whole used range, and openpyxl's editing mode
materialises every merged cell, before either lets our checks look: one cell at XFD1048576 or a
merge over A1:XFD1048576 in a 27 KB file asks for hundreds of gigabytes. So each sheet part is
read here first, streamed through the byte-capped inflation of `safety`, by expat with namespaces
on (an `x:`-prefixed sheet, single-quoted attributes and any attribute order read the same):

- cell and row references are checked against Excel's grid, and the box they span is measured
  (cells holding a value, and all cells, styled empty ones included) along with merged ranges;
- each cell whose style has a number format, a font name other than the default or a solid fill
  (`xlsx.styles`) is noted, and Excel error values, which calamine drops, are kept;
- sharedStrings.xml's declared count is checked against the items it really holds.

The workbook's small parts (sheet list, relationships) are read by `xlsx.parts`. Sizes are bounded
by `SafetyLimits.max_sheet_cells`; a refusal says what is wrong in words.
"""

from __future__ import annotations

import zipfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlscorecard.core.errors import UnsafeWorkbook, WorkbookError
from xlscorecard.core.grid import cell_address, column_index
from xlscorecard.xlsx.parts import parse_int, parse_part, sheet_parts, shown
from xlscorecard.xlsx.safety import SafetyLimits
from xlscorecard.xlsx.stream import new_parser, stream_part, tag
from xlscorecard.xlsx.styles import Styles, read_styles

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "SheetScan",
    "check_editable",
    "check_shared_strings",
    "scan_sheet",
]

MAX_ROWS = 1_048_576  # Excel's grid: A1:XFD1048576
MAX_COLUMNS = 16_384
# The sheet walk's elements, told apart by identity (see xlsx.stream).
_CELL, _ROW, _MERGE, _VALUE, _FORMULA, _SI, _SST = (
    tag(name) for name in ("c", "row", "mergeCell", "v", "f", "si", "sst")
)
_CONTENT = frozenset(tag(name) for name in ("v", "is", "f"))


@dataclass
class SheetScan:
    """What one sheet part holds. Boxes are 0-based (first row, first column, last row, last column)."""

    # Cells whose style has a number format or a non-default font, as parallel arrays (compact).
    rows: array = field(default_factory=lambda: array("l"))
    columns: array = field(default_factory=lambda: array("l"))
    styles: array = field(default_factory=lambda: array("l"))
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    # Cells holding a formula, as parallel arrays (row, column; 0-based): the reader checks their results.
    formula_rows: array = field(default_factory=lambda: array("l"))
    formula_columns: array = field(default_factory=lambda: array("l"))
    content_box: tuple[int, int, int, int] | None = None  # cells holding a value or formula
    cell_box: tuple[int, int, int, int] | None = None  # every cell tag, styled empty ones included
    merged_cells: int = 0
    address_less: bool = False  # some cells are placed by their order rather than an r="A1"
    undefined_style: tuple[str, str] | None = None  # (cell, s) of the first cell naming a style not defined

    def used_cells(self) -> int:
        return _area(self.content_box)

    def all_cells(self) -> int:
        return _area(self.cell_box) + self.merged_cells


def _area(box: tuple[int, int, int, int] | None) -> int:
    if box is None:
        return 0
    return (box[2] - box[0] + 1) * (box[3] - box[1] + 1)


def _box_text(box: tuple[int, int, int, int]) -> str:
    return f"{cell_address(box[0] + 1, box[1] + 1)}:{cell_address(box[2] + 1, box[3] + 1)}"


# ------------------------------------------------------------------ shared strings


def check_shared_strings(zf: zipfile.ZipFile, limits: SafetyLimits) -> None:
    """Refuse a shared-strings part that declares more strings than it holds (readers allocate for the count)."""
    name = next((n for n in zf.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return
    declared: list[int | None] = []
    items = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal items
        if tag is _SI:
            items += 1
        elif tag is _SST:
            declared.append(parse_int(attrs.get("uniqueCount")))

    stream_part(zf, name, limits, start, "the shared strings")
    claimed = declared[0] if declared else None
    if claimed is not None and claimed > items:
        raise UnsafeWorkbook(
            f"workbook is damaged: its shared-strings part says it holds {claimed:,} texts but holds {items:,};"
            " open it in Excel and save it again",
            zf.filename or "workbook",
        )


# ------------------------------------------------------------------ one sheet


def scan_sheet(zf: zipfile.ZipFile, sheet: str, part: str, styles: Styles, limits: SafetyLimits) -> SheetScan:
    """Stream sheet `part`: bounds, noted styles and error values; refuse references outside Excel's grid."""
    path = zf.filename or "workbook"
    what = f"sheet '{shown(sheet)}'"
    scan = SheetScan()
    # Style index as written in s="..." -> itself when noted, else -1 (skips int() on every cell).
    known = {str(i): -1 for i in range(styles.count)}
    known.update({str(i): i for i in styles.noted})
    rows, columns, style_ids, errors = scan.rows, scan.columns, scan.styles, scan.errors
    formula_rows, formula_columns = scan.formula_rows, scan.formula_columns
    # The walk's state: one start handler call per element of a sheet of some million elements, so
    # it is all plain locals and identity tests on tag names the parser interns to these objects.
    row_at = -1
    r = c = -1
    cmin = rmin = cell_cmin = cell_rmin = MAX_COLUMNS + MAX_ROWS
    cmax = rmax = cell_cmax = cell_rmax = -1
    error_pending = False
    error_text: list[str] = []
    cell_tag, row_tag, merge_tag, content_tags, value_tag, formula_tag = _CELL, _ROW, _MERGE, _CONTENT, _VALUE, _FORMULA

    def outside(ref: str, kind: str = "cell reference") -> WorkbookError:
        return WorkbookError(
            f"{what} has a {kind} {shown(ref)!r} outside Excel's grid (A1 to XFD1048576);"
            " the file was not saved by a spreadsheet program - open it in Excel and save it again",
            path,
        )

    def start(tag: str, attrs: list[str]) -> None:
        nonlocal row_at, r, c, cmin, cmax, rmin, rmax, cell_cmin, cell_cmax, cell_rmin, cell_rmax, error_pending
        if tag is cell_tag:
            ref = s = t = None
            for i in range(0, len(attrs), 2):
                key = attrs[i]
                if key == "r":
                    ref = attrs[i + 1]
                elif key == "s":
                    s = attrs[i + 1]
                elif key == "t":
                    t = attrs[i + 1]
            if ref is None:
                scan.address_less = True
                c += 1
                r = row_at
                if c >= MAX_COLUMNS or r < 0:
                    raise outside(f"row {r + 1}, column {c + 1}", "cell without an address at")
            else:
                letters = ref.rstrip(_DIGITS)
                c = _COLUMNS.get(letters, -2)
                if c == -2:
                    c = _column_number(letters)
                try:
                    r = int(ref[len(letters):]) - 1
                except ValueError:
                    raise outside(ref) from None
                if c < 0 or not 0 <= r < MAX_ROWS:
                    raise outside(ref)
            if r < cell_rmin:
                cell_rmin = r
            if r > cell_rmax:
                cell_rmax = r
            if c < cell_cmin:
                cell_cmin = c
            if c > cell_cmax:
                cell_cmax = c
            if s is not None:
                style = known.get(s)
                if style is None:  # written another way (s="07"), or not defined at all
                    number = parse_int(s)
                    style = known.get(str(number)) if number is not None else None
                    if style is None:
                        style = -1
                        if scan.undefined_style is None:
                            scan.undefined_style = (cell_address(r + 1, c + 1), s)
                if style >= 0:
                    rows.append(r)
                    columns.append(c)
                    style_ids.append(style)
            error_pending = t == "e"
        elif tag in content_tags:
            if r < rmin:
                rmin = r
            if r > rmax:
                rmax = r
            if c < cmin:
                cmin = c
            if c > cmax:
                cmax = c
            if tag is formula_tag:  # the reader checks that its result was saved
                formula_rows.append(r)
                formula_columns.append(c)
            elif error_pending and tag is value_tag:  # this cell's error value, such as #DIV/0!
                error_pending = False
                error_text.clear()
                parser.CharacterDataHandler = error_text.append
                parser.EndElementHandler = end_error
        elif tag is row_tag:
            ref = next((attrs[i + 1] for i in range(0, len(attrs), 2) if attrs[i] == "r"), None)
            if ref is None:
                row_at += 1
            else:
                number = parse_int(ref)
                if number is None or not 1 <= number <= MAX_ROWS:
                    raise outside(ref, "row number")
                row_at = number - 1
            c = -1
        elif tag is merge_tag:
            ref = next((attrs[i + 1] for i in range(0, len(attrs), 2) if attrs[i] == "ref"), "")
            scan.merged_cells += _merge_area(ref, outside)

    def end_error(tag: str) -> None:
        errors[(r, c)] = "".join(error_text)
        parser.CharacterDataHandler = None
        parser.EndElementHandler = None

    parser = new_parser(start, what, part, path)
    parser.ordered_attributes = True
    stream_part(zf, part, limits, start, what, parser)
    if cell_rmax >= 0:
        scan.cell_box = (cell_rmin, cell_cmin, cell_rmax, cell_cmax)
    if rmax >= 0:
        scan.content_box = (rmin, cmin, rmax, cmax)
    if scan.used_cells() > limits.max_sheet_cells and scan.content_box is not None:
        raise UnsafeWorkbook(
            f"{what} is too large to read: its used range {_box_text(scan.content_box)} (first to last cell"
            f" holding a value) spans {scan.used_cells():,} cells, over the limit of {limits.max_sheet_cells:,};"
            " delete stray values far from the scorecard (Ctrl+End finds the last one) and save it again",
            path,
        )
    return scan


_DIGITS = "0123456789"
_COLUMNS: dict[str, int] = {}  # letters as written (A, $AB) -> 0-based column, -1 when not a column


def _column_number(letters: str) -> int:
    """0-based column of `letters` ('A', 'xfd', '$C'), -1 if not a column of Excel's grid; remembered."""
    plain = letters[1:] if letters[:1] == "$" else letters
    plain = plain[:-1] if plain[-1:] == "$" else plain
    ok = 1 <= len(plain) <= 3 and plain.isascii() and plain.isalpha()
    column = column_index(plain) - 1 if ok else -1
    if column >= MAX_COLUMNS:
        column = -1
    if len(_COLUMNS) < 20_000:
        _COLUMNS[letters] = column
    return column


def _address(ref: str) -> tuple[int, int]:
    """'C7' -> (6, 2), 0-based; (-1, -1) if it is not an address or is outside Excel's grid."""
    letters = ref.rstrip(_DIGITS)
    column = _column_number(letters) if letters else -1
    try:
        row = int(ref[len(letters):]) - 1
    except ValueError:
        return -1, -1
    if column < 0 or not 0 <= row < MAX_ROWS:
        return -1, -1
    return row, column


def _merge_area(ref: str, outside: Any) -> int:
    ends = ref.split(":")
    if len(ends) > 2 or not ends[0]:
        raise outside(ref)
    corners = [_address(end) for end in ends]
    if any(r < 0 for r, _ in corners):
        raise outside(ref)
    (r1, c1), (r2, c2) = corners[0], corners[-1]
    return (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)


# ------------------------------------------------------------------ the editing path


def check_editable(path: str | Path, limits: SafetyLimits) -> None:
    """Refuse, in words, a workbook that openpyxl's editing mode cannot load in bounded memory or at all.

    Every worksheet is streamed: far cells (styled empty ones count: openpyxl creates them) and
    merged ranges (each merged cell becomes an object) must stay within `max_sheet_cells`, and
    every cell's style must be one the workbook defines.
    """
    cap = limits.max_uncompressed_bytes
    try:
        with zipfile.ZipFile(path) as zf:
            parse_part(zf, "[Content_Types].xml", cap, "the list of the workbook's part types")
            check_shared_strings(zf, limits)
            styles = read_styles(zf, cap)
            names = set(zf.namelist())
            for name, part in sheet_parts(zf, cap):
                if part not in names:
                    raise WorkbookError(f"workbook is damaged: sheet '{shown(name)}' has no part in it;"
                                        " open it in Excel and save it again", path)
                scan = scan_sheet(zf, name, part, styles, limits)
                if scan.merged_cells > limits.max_merged_cells:
                    raise UnsafeWorkbook(
                        f"sheet '{shown(name)}' is too large to edit: its merged ranges cover {scan.merged_cells:,}"
                        f" cells, over the limit of {limits.max_merged_cells:,}; unmerge the large ranges (a whole"
                        " row or column merged), then save it again",
                        path,
                    )
                if scan.all_cells() > limits.max_sheet_cells:
                    spans = [f"its cells span {_box_text(scan.cell_box)}"] if scan.cell_box else []
                    if scan.merged_cells:
                        spans.append(f"its merged ranges cover {scan.merged_cells:,} cells")
                    raise UnsafeWorkbook(
                        f"sheet '{shown(name)}' is too large to edit: {' and '.join(spans)}, {scan.all_cells():,}"
                        f" cells in all, over the limit of {limits.max_sheet_cells:,}; delete stray cells far from"
                        " the scorecard and unmerge huge ranges, then save it again",
                        path,
                    )
                if scan.undefined_style is not None:
                    where, style = scan.undefined_style
                    raise WorkbookError(
                        f"workbook is damaged: cell {where} on sheet '{shown(name)}' uses cell style"
                        f" {shown(style)}, but the workbook defines {styles.count} (its styles part is damaged"
                        " or missing); open it in Excel and save it again",
                        path,
                    )
    except zipfile.BadZipFile as exc:
        raise WorkbookError(f"workbook is damaged or truncated ({exc})", path) from None
