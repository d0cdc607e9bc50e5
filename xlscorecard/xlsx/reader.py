"""Read a .xlsx file into a Grid (values, number formats, fonts, fills, origin) after the safety checks.

Values come from python-calamine (Rust; about 25x faster than openpyxl's read-only mode on a
20,000-row scorecard, see benchmarks/convert_bench.py). Before calamine allocates anything, each
sheet it is about to load is streamed through `xlsx.scan` (a namespace-aware XML parser): cell
references outside Excel's grid and used ranges over `SafetyLimits.max_sheet_cells` are refused
there, since calamine allocates a dense grid for the whole used range. The same pass gives what
calamine does not carry: each cell's number format (a fraction shown as a percentage must come out
as a percentage), its font name (symbol fonts give letters other meanings), its solid fill colour
(a RAG given as a coloured cell) and Excel error values
(#DIV/0!), which calamine drops. A sheet whose cells do not carry addresses (allowed, rare) has its
values read with openpyxl instead.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from xlscorecard.core.errors import WorkbookError, printable
from xlscorecard.core.grid import Grid
from xlscorecard.core.reading import find_header
from xlscorecard.xlsx.parts import sheet_parts
from xlscorecard.xlsx.safety import DEFAULT_LIMITS, SafetyLimits, check_workbook_file
from xlscorecard.xlsx.scan import SheetScan, check_shared_strings, scan_sheet
from xlscorecard.xlsx.styles import Styles, read_styles

HEADER_SEARCH_ROWS = 60


class OpenWorkbook:
    """One .xlsx checked and opened once for a command's reads: every sheet's head, then one grid.

    `api` reads the heads to choose a sheet and then that sheet's grid: with one OpenWorkbook the
    safety checks, the package's parts and styles and calamine's book are made once, and the
    chosen sheet's bounds scan is not streamed a second time. Opened at its first read; the grid
    read closes it (calamine frees its copy before the Grid is built), and `close()` (or a `with`
    block) releases whatever a failed read left open.
    """

    def __init__(self, path: str | Path, limits: SafetyLimits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or DEFAULT_LIMITS
        self._checked = False
        self._zip: zipfile.ZipFile | None = None
        self._contents: tuple[Styles, dict[str, str], Any, list[str]] | None = None
        self._scans: dict[str, SheetScan] = {}

    def __enter__(self) -> OpenWorkbook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def check(self) -> None:
        """The whole-file safety checks (safety.check_workbook_file), once."""
        if not self._checked:
            check_workbook_file(self.path, self.limits)
            self._checked = True

    def contents(self) -> tuple[zipfile.ZipFile, Styles, dict[str, str], Any, list[str]]:
        """(zip, styles, sheet parts, calamine's book, worksheet names), opened at the first call.

        calamine reads the shared strings and styles when it opens the book: they are checked first.
        """
        if self._zip is None:
            self._zip = zipfile.ZipFile(self.path)
        if self._contents is None:
            import python_calamine

            zf, limits = self._zip, self.limits
            check_shared_strings(zf, limits)
            styles = read_styles(zf, limits.max_uncompressed_bytes)
            parts = dict(sheet_parts(zf, limits.max_uncompressed_bytes))
            book = python_calamine.CalamineWorkbook.from_path(str(self.path))
            names = [s.name for s in book.sheets_metadata if str(s.typ).endswith("WorkSheet")]
            self._contents = (styles, parts, book, names)
        return (self._zip, *self._contents)

    def scan(self, name: str, part: str) -> SheetScan:
        """Sheet `name`'s bounds scan (xlsx.scan), streamed once however often it is asked for."""
        scan = self._scans.get(name)
        if scan is None:
            zf, styles, *_ = self.contents()
            scan = self._scans[name] = scan_sheet(zf, name, part, styles, self.limits)
        return scan

    def close(self) -> None:
        """Let go of calamine's book, the zip and the scans; a later read opens them again."""
        if self._contents is not None:
            self._contents[2].close()
            self._contents = None
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        self._scans.clear()


def read_grid(
    path: str | Path, sheet: str | None = None, limits: SafetyLimits | None = None,
    opened: OpenWorkbook | None = None,
) -> Grid:
    """The scorecard sheet of a workbook as a Grid: the named sheet, else the first with a header.

    `opened`: the same workbook as an OpenWorkbook whose heads were read (its checks and scans are reused).
    """
    book_file = opened if opened is not None else OpenWorkbook(path, limits)
    path = book_file.path
    book_file.check()
    try:
        with book_file:  # closed on the way out, whatever happens
            _, styles, parts, book, names = book_file.contents()
            if sheet is not None and sheet not in names:
                raise WorkbookError(f"has no sheet '{sheet}' (sheets: {', '.join(names)})", path)
            chosen, scan, data = "", SheetScan(), None
            first: tuple[str, SheetScan, Any] | None = None
            for name in [sheet] if sheet is not None else names:
                if name not in parts:
                    raise WorkbookError(f"workbook is damaged: sheet '{name}' has no part in it;"
                                        " open it in Excel and save it again", path)
                # Bounds first: calamine allocates the sheet's whole used range as it loads it.
                scan = book_file.scan(name, parts[name])
                if scan.address_less:
                    chosen = name
                    break
                data = book.get_sheet_by_name(name)
                if sheet is not None or _has_header(data):
                    chosen = name
                    break
                if first is None:
                    first = (name, scan, data)
            if not chosen and first is not None:
                # No sheet has a header this reader knows: read the first, whose refusal names its cells.
                chosen, scan, data = first
            if not chosen:
                raise WorkbookError(
                    "no sheet has a scorecard header row (expected columns such as PI Ref, Measure, "
                    "Target and quarters like 'Qu 2 18-19'); name the sheet with --sheet",
                    path,
                )
            if scan.address_less:
                book_file.close()
                rows = _rows_openpyxl(path, chosen)
            else:
                rows = _rows(data)
                # The values are Python's now: let calamine free its copy.
                del data, first
                book_file.close()
    except (WorkbookError, MemoryError):  # a worker's memory limit is not damage to the file
        raise
    except Exception as exc:  # calamine and zipfile raise their own error types for damaged parts
        raise WorkbookError(f"workbook is damaged and cannot be read ({_reason(exc)});"
                            " open it in Excel and save it again", path) from None
    for (r, c), text in scan.errors.items():
        _ensure(rows, r, c)
        rows[r][c] = text
    unsaved = [(r, c) for r, c in zip(scan.formula_rows, scan.formula_columns, strict=True)
               if r >= len(rows) or c >= len(rows[r]) or rows[r][c] is None]
    width = max((len(r) for r in rows), default=0)
    for row in rows:
        if len(row) < width:
            row.extend([None] * (width - len(row)))
    return Grid(
        values=rows,
        number_formats=_block(len(rows), width, scan, styles.formats),
        origin="A1",
        sheet=chosen,
        font_names=_block(len(rows), width, scan, styles.fonts),
        fill_colours=_block(len(rows), width, scan, styles.fills),
        unsaved_formulas=unsaved,
    )


def worksheet_count(path: str | Path) -> int:
    """How many worksheet parts the package holds; 1 when it cannot tell (read_grid then says why)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return sum(1 for n in zf.namelist() if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
    except Exception:  # any damage (bad zip, undecodable names...): the safety checks name it in one line
        return 1


def read_sheet_heads(
    path: str | Path, limits: SafetyLimits | None = None, rows: int = 40, opened: OpenWorkbook | None = None
) -> list[Grid]:
    """The first `rows` rows of every worksheet (enough to find each header), in workbook order.

    Each sheet is bounded by the same streaming pass as read_grid before calamine loads it: even
    its first rows cost calamine the whole used range. [] when the parts cannot be read at all
    (read_grid then gives the one-line reason); refusals of hostile sheets are raised. `opened`:
    the workbook as an OpenWorkbook, left open for the read_grid that follows.
    """
    book_file = opened if opened is not None else OpenWorkbook(path, limits)
    book_file.check()
    try:
        _, _, parts, book, names = book_file.contents()
        heads = []
        for name in names:
            if name not in parts or book_file.scan(name, parts[name]).address_less:
                continue  # read_grid reads such a sheet (or refuses it) if it is the one chosen
            head = book.get_sheet_by_name(name).to_python(nrows=rows)
            heads.append(Grid.from_rows([[None if v == "" else v for v in row] for row in head], sheet=name))
    except (WorkbookError, MemoryError):
        book_file.close()
        raise
    except Exception:  # damaged parts: read_grid opens the file afresh and gives the one-line reason
        book_file.close()
        return []
    if opened is None:
        book_file.close()
    return heads


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


def _has_header(sheet: Any) -> bool:
    head = sheet.to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
    return find_header(Grid.from_rows([[None if v == "" else v for v in row] for row in head])) is not None


def _ensure(rows: list[list[Any]], r: int, c: int) -> None:
    while len(rows) <= r:
        rows.append([])
    if len(rows[r]) <= c:
        rows[r].extend([None] * (c + 1 - len(rows[r])))


def _block(height: int, width: int, scan: SheetScan, table: dict[int, str]) -> list[tuple[str | None, ...]]:
    """Each grid row's entries of `table` (formats or fonts) by cell style; rows alike share one tuple."""
    empty: tuple[str | None, ...] = (None,) * width
    out = [empty] * height
    if not table:
        return out
    shared = {empty: empty}
    current_r, current = 0, None
    for r, c, style in zip(scan.rows, scan.columns, scan.styles, strict=True):
        entry = table.get(style)
        if entry is None or r >= height or c >= width:
            continue
        if current is None or r != current_r:
            if current is not None:
                done = tuple(current)
                out[current_r] = shared.setdefault(done, done)
            current_r, current = r, list(out[r])
        current[c] = entry
    if current is not None:
        done = tuple(current)
        out[current_r] = shared.setdefault(done, done)
    return out


def _rows_openpyxl(path: Path, sheet: str) -> list[list[Any]]:
    """Values of a sheet whose cells carry no addresses, with openpyxl's read-only mode (bounded first)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        ws = book[sheet]
        ws.reset_dimensions()  # read_only trusts the declared dimension, which can be wrong
        return [[_cell(v) if v is not None else None for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        book.close()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return printable(text[:160])
