"""A recording stand-in for the part of the xlwings API that `xlscorecard.addin` uses.

There is no Excel on Linux, so the add-in's tests run against these objects instead. They behave
like desktop Excel driven through xlwings wherever the add-in depends on it:

- `.value` reads return numbers as floats, empty cells as None and Excel errors as None (as text
  with `options(err_to_str=True)`); one cell is a scalar, one row or column a flat list, unless
  `options(ndim=2)`. Number formats are never handed over.
- `.value` writes are typed as Excel types an entry: "=..." (and "+x", "-x", "@x") becomes a
  formula, a leading apostrophe keeps the rest as text, and text that reads as a number, a
  percentage or TRUE/FALSE becomes one. A list of lists is written from the range's first cell.
- A string address may have several areas ("K7:K9,K13"), at most 255 characters (Excel refuses
  longer ones); `.value` and `.color` reads of a multi-area range are refused, and reading the
  fill of cells that differ raises, as Excel gives no single answer there.
- `used_range` is the box around every cell with content or formatting, so it need not start at A1.
- `mac=True` mimics xlwings on macOS, which cuts a string address at its colons
  ("K7:K9,K13:K14" becomes "K7").
- `app.macro("'xlscorecard.xlam'!XlScorecard.<Function>")` runs the add-in's VBA as Excel's
  `Application.Run` would: the Functions of macros/XlScorecard.bas are emulated on the cells
  (`VBA_EMULATIONS`), a name or argument count that the .bas does not declare is refused, and
  arguments are marshalled as COM does (a list of lists becomes a 2-D array, which must be
  rectangular, of strings, numbers, booleans and empties; a 2-D result comes back as a tuple of
  tuples). `book.macro(name)` looks in the workbook itself, as xlwings' does, where there is none.
  One run is one call, however many cells it covers.

Every call that would be one round trip to Excel is appended to `book.calls` as a `Call`.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

RGB = tuple[int, int, int]
MAX_ADDRESS = 255
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384


class StandinError(Exception):
    """What Excel would refuse (a COM error on Windows)."""


class ExcelError(str):
    """An error value held by a cell, e.g. ExcelError('#DIV/0!')."""


@dataclass(frozen=True)
class Call:
    op: str
    sheet: str | None = None
    address: str | None = None  # for "macro": the procedure's name
    items: int | None = None  # for "macro": the rows of the array handed over


class Calls(list[Call]):
    """Every recorded call, in order."""

    def count(self, *ops: str) -> int:  # type: ignore[override]
        return sum(call.op in ops for call in self)

    def ops(self) -> Counter[str]:
        return Counter(call.op for call in self)


@dataclass
class Cell:
    value: Any = None
    formula: str | None = None
    color: RGB | None = None
    font_color: RGB | None = None
    bold: bool = False
    note: str | None = None
    hyperlink: str | None = None
    number_format: str = "General"
    font_name: str = "Calibri"

    def used(self) -> bool:
        return any(
            (self.value is not None, self.formula, self.color, self.font_color, self.bold, self.note, self.hyperlink)
        )

    def state(self) -> tuple[Any, ...]:
        return (self.value, self.formula, self.color, self.font_color, self.bold, self.note, self.hyperlink)


# ----------------------------------------------------------------------------- addresses


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_name(n: int) -> str:
    name = ""
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


def a1(row: int, column: int, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    return f"{d}{column_name(column)}{d}{row}"


_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$", re.I)
_COLUMNS = re.compile(r"^\$?([A-Z]{1,3}):\$?([A-Z]{1,3})$", re.I)

Area = tuple[int, int, int, int]  # first row, first column, last row, last column


def parse_address(address: str) -> list[Area]:
    """'K7:K9,K13' -> [(7, 11, 9, 11), (13, 11, 13, 11)]; raises StandinError like Excel would."""
    if len(address) > MAX_ADDRESS:
        raise StandinError(f"Range address of {len(address)} characters: Excel allows {MAX_ADDRESS}")
    areas: list[Area] = []
    for part in address.split(","):
        part = part.strip()
        if m := _COLUMNS.match(part):
            c1, c2 = sorted((column_number(m[1]), column_number(m[2])))
            areas.append((1, c1, MAX_ROWS, c2))
            continue
        ends = part.split(":")
        cells = [_CELL.match(e) for e in ends]
        if not 1 <= len(ends) <= 2 or not all(cells):
            raise StandinError(f"not a range address: {address!r}")
        coords = [(int(m[2]), column_number(m[1])) for m in cells if m]
        rows = sorted(r for r, _ in coords)
        cols = sorted(c for _, c in coords)
        areas.append((rows[0], cols[0], rows[-1], cols[-1]))
    return areas


def area_address(area: Area, absolute: bool = True) -> str:
    r1, c1, r2, c2 = area
    first = a1(r1, c1, absolute)
    return first if (r1, c1) == (r2, c2) else f"{first}:{a1(r2, c2, absolute)}"


# ----------------------------------------------------------------------------- typing an entry

EXCEL_ERROR_VALUES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
_NUMBER_TEXT = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?%?$|^[-+]?\.\d+%?$")


def typed_entry(value: Any) -> tuple[Any, str | None]:
    """(value, formula) that a cell holds after Excel is handed `value` as an entry."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int | float):
        return float(value), None
    if isinstance(value, dt.datetime | dt.date):
        return value, None
    if not isinstance(value, str):
        raise StandinError(f"Excel cannot take a {type(value).__name__}")
    if value.startswith("'"):
        return value[1:], None
    if value == "":
        return None, None
    text = value.strip()
    if _NUMBER_TEXT.match(text):
        number = float(text.rstrip("%").replace(",", ""))
        return (number / 100 if text.endswith("%") else number), None
    if text.upper() in ("TRUE", "FALSE"):
        return text.upper() == "TRUE", None
    if text.upper() in EXCEL_ERROR_VALUES:
        return ExcelError(text.upper()), None
    if value[0] in "=+-@" and len(value) > 1:
        return None, value if value.startswith("=") else "=" + value
    return value, None


def colour_of(value: Any) -> RGB | None:
    """xlwings accepts an RGB tuple, '#rrggbb' or Excel's BGR integer."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.lstrip("#")
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    if isinstance(value, int):
        return value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF
    r, g, b = value
    return int(r), int(g), int(b)


# ----------------------------------------------------------------------------- book, sheets


class StandinApp:
    def __init__(self, book: StandinBook) -> None:
        self._book = book
        self.alerts: list[dict[str, Any]] = []
        self._screen_updating = True
        self.engine = SimpleNamespace(name="excel")
        self.addins = {ADDIN_BOOK}  # open add-ins whose VBA Application.Run can reach

    def macro(self, name: str) -> StandinMacro:
        return StandinMacro(self._book, name)

    def alert(
        self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None, callback: Any = None
    ) -> str:
        self._book.calls.append(Call("app.alert"))
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return "ok"

    @property
    def screen_updating(self) -> bool:
        self._book.calls.append(Call("app.screen_updating.get"))
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._book.calls.append(Call("app.screen_updating.set"))
        self._screen_updating = bool(value)


class StandinBook:
    """A workbook: sheets of cells, an app with alerts, and the record of calls."""

    def __init__(self, name: str = "Book1", fullname: str | Path | None = None, mac: bool = False) -> None:
        self.name = name
        self.fullname = str(fullname) if fullname is not None else name
        # What xlwings raises when it reads the full name (on Windows, an online path it cannot map
        # to a local OneDrive or SharePoint folder raises an XlwingsError), or None.
        self.fullname_error: Exception | None = None
        self.client = "Office.js"  # which xlwings Server client calls, when app.engine.name is "remote"
        self.mac = mac
        self.calls = Calls()
        self.app = StandinApp(self)
        self._sheets: list[StandinSheet] = []
        self._active: StandinSheet | None = None

    # -- building (not recorded) ---------------------------------------------------------
    def new_sheet(self, name: str) -> StandinSheet:
        sheet = StandinSheet(self, name)
        self._sheets.append(sheet)
        if self._active is None:
            self._active = sheet
        return sheet

    def set_active(self, name: str) -> None:
        self._active = self._sheet(name)

    def _sheet(self, name: str) -> StandinSheet:
        for sheet in self._sheets:
            if sheet._name.casefold() == name.casefold():
                return sheet
        raise KeyError(name)

    @property
    def sheet_names(self) -> list[str]:
        return [s._name for s in self._sheets]

    @classmethod
    def from_xlsx(
        cls, path: str | Path, fullname: str | Path | None = None, active: str | None = None, mac: bool = False
    ) -> StandinBook:
        """Values as Excel holds them (cached results, numbers as floats), fills, fonts and notes."""
        import openpyxl

        path = Path(path)
        book = cls(name=path.name, fullname=fullname or path.resolve(), mac=mac)
        wb = openpyxl.load_workbook(path, data_only=True)
        for ws in wb.worksheets:
            sheet = book.new_sheet(ws.title)
            for row in ws.iter_rows():
                for c in row:
                    cell = Cell()
                    if c.value is not None:
                        cell.value = ExcelError(c.value) if c.data_type == "e" else typed_entry_raw(c.value)
                    fill = c.fill
                    if fill is not None and fill.fill_type == "solid" and fill.fgColor.type == "rgb":
                        cell.color = colour_of(fill.fgColor.rgb[-6:])
                    if c.font is not None and c.font.color is not None and c.font.color.type == "rgb":
                        cell.font_color = colour_of(c.font.color.rgb[-6:])
                    cell.bold = bool(c.font is not None and c.font.b)
                    if c.comment is not None:
                        cell.note = c.comment.text
                    if c.number_format and c.number_format != "General":
                        cell.number_format = c.number_format
                    if c.font is not None and c.font.name:
                        cell.font_name = c.font.name
                    if cell.used():
                        sheet.cells[(c.row, c.column)] = cell
        book._active = book._sheet(active or wb.active.title)
        return book

    # -- inspection (not recorded) -------------------------------------------------------
    def snapshot(self) -> dict[tuple[str, str], tuple[Any, ...]]:
        """Every used cell's (value, formula, fill, font colour, bold, note, hyperlink) by (sheet, A1)."""
        return {
            (sheet._name, a1(r, c)): cell.state()
            for sheet in self._sheets
            for (r, c), cell in sheet.cells.items()
            if cell.used()
        }

    def cell(self, sheet: str, address: str) -> Cell:
        r, c, _, _ = parse_address(address)[0]
        return self._sheet(sheet).cells.get((r, c), Cell())

    # -- xlwings API ---------------------------------------------------------------------
    def __getattribute__(self, name: str) -> Any:
        if name == "fullname":
            error = object.__getattribute__(self, "__dict__").get("fullname_error")
            if error is not None:
                raise error
        return object.__getattribute__(self, name)

    @property
    def api(self) -> Any:
        """The remote engine's request JSON (its client's name); a COM object's place elsewhere."""
        if self.app.engine.name == "remote":
            return {"client": self.client, "version": "stand-in"}
        return SimpleNamespace(Name=self.name)

    @property
    def sheets(self) -> StandinSheets:
        return StandinSheets(self)

    def macro(self, name: str) -> StandinMacro:
        """As xlwings' Book.macro: a macro of this workbook (the add-in's VBA is not in it)."""
        return self.app.macro(f"'{self.name}'!{name}")

    def __repr__(self) -> str:
        return f"<StandinBook {self.name}>"


def typed_entry_raw(value: Any) -> Any:
    """A stored value as Excel holds it: ints are doubles."""
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


class StandinSheets:
    def __init__(self, book: StandinBook) -> None:
        self._book = book

    def __iter__(self) -> Iterator[StandinSheet]:
        self._book.calls.append(Call("sheets.iter"))
        return iter(list(self._book._sheets))

    def __len__(self) -> int:
        return len(self._book._sheets)

    def __getitem__(self, key: int | str) -> StandinSheet:
        if isinstance(key, int):
            return self._book._sheets[key]
        return self._book._sheet(key)

    def __call__(self, name_or_index: int | str) -> StandinSheet:
        key = name_or_index
        return self._book._sheets[key - 1] if isinstance(key, int) else self._book._sheet(key)

    @property
    def active(self) -> StandinSheet:
        self._book.calls.append(Call("sheets.active"))
        assert self._book._active is not None
        return self._book._active

    def add(
        self, name: str | None = None, before: StandinSheet | None = None, after: StandinSheet | None = None
    ) -> StandinSheet:
        book = self._book
        book.calls.append(Call("sheets.add", name))
        if name is None:
            n = 1
            while f"Sheet{n}".casefold() in (s.casefold() for s in book.sheet_names):
                n += 1
            name = f"Sheet{n}"
        if name.casefold() in (s.casefold() for s in book.sheet_names):
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        sheet = StandinSheet(book, name)
        if after is not None:
            book._sheets.insert(book._sheets.index(after) + 1, sheet)
        elif before is not None:
            book._sheets.insert(book._sheets.index(before), sheet)
        else:  # desktop Excel adds before the active sheet
            at = book._sheets.index(book._active) if book._active in book._sheets else 0
            book._sheets.insert(at, sheet)
        book._active = sheet
        return sheet


class StandinSheet:
    def __init__(self, book: StandinBook, name: str) -> None:
        self.book = book
        self._name = name
        self.cells: dict[tuple[int, int], Cell] = {}
        self._visible = True

    def _call(self, op: str, address: str | None = None) -> None:
        self.book.calls.append(Call(op, self._name, address))

    @property
    def name(self) -> str:
        self._call("sheet.name")
        return self._name

    @property
    def index(self) -> int:
        return self.book._sheets.index(self) + 1

    @property
    def visible(self) -> bool:
        self._call("sheet.visible.get")
        return self._visible

    @visible.setter
    def visible(self, value: bool) -> None:
        self._call("sheet.visible.set")
        if not value and sum(s._visible for s in self.book._sheets) <= 1:
            raise StandinError("a workbook must keep at least one visible sheet")
        self._visible = bool(value)
        if not value and self.book._active is self:
            self.book._active = next(s for s in self.book._sheets if s._visible)

    def activate(self) -> None:
        self._call("sheet.activate")
        if not self._visible:
            raise StandinError("a hidden sheet cannot be activated")
        self.book._active = self

    def delete(self) -> None:
        self._call("sheet.delete")
        if self not in self.book._sheets:
            raise StandinError("sheet already deleted")
        if len([s for s in self.book._sheets if s._visible]) == 1 and self._visible:
            raise StandinError("a workbook must keep at least one visible sheet")
        i = self.book._sheets.index(self)
        self.book._sheets.remove(self)
        if self.book._active is self:
            visible = [s for s in self.book._sheets if s._visible]
            self.book._active = visible[min(i, len(visible) - 1)]

    def range(self, cell1: Any, cell2: Any = None) -> StandinRange:
        if isinstance(cell1, StandinRange):
            cell1 = (cell1.areas[0][0], cell1.areas[0][1])
        if isinstance(cell2, StandinRange):
            cell2 = (cell2.areas[0][2], cell2.areas[0][3])
        if isinstance(cell1, str):
            address = cell1
            if self.book.mac:
                parts = address.split(":")
                if len(parts) > 2:  # xlwings on macOS keeps the part before the first colon
                    address = parts[0]
            areas = parse_address(address)
            if cell2 is not None:
                end = parse_address(cell2)[0] if isinstance(cell2, str) else (*cell2, *cell2)
                areas = [(areas[0][0], areas[0][1], end[2], end[3])]
        else:
            r1, c1 = cell1
            r2, c2 = cell2 if cell2 is not None else cell1
            if min(r1, c1, r2, c2) < 1:
                raise IndexError("Attempted to access 0-based Range. xlwings/Excel Ranges are 1-based.")
            areas = [(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))]
        rng = StandinRange(self, areas)
        self._call("range", rng._address())
        return rng

    def __getitem__(self, item: str) -> StandinRange:
        return self.range(item)

    @property
    def used_range(self) -> StandinRange:
        self._call("used_range")
        used = [rc for rc, cell in self.cells.items() if cell.used()]
        if not used:
            return StandinRange(self, [(1, 1, 1, 1)])
        rows = [r for r, _ in used]
        cols = [c for _, c in used]
        return StandinRange(self, [(min(rows), min(cols), max(rows), max(cols))])

    @property
    def cells_range(self) -> StandinRange:
        return StandinRange(self, [(1, 1, MAX_ROWS, MAX_COLUMNS)])

    def clear_contents(self) -> None:
        self._call("sheet.clear_contents")
        for cell in self.cells.values():
            cell.value = cell.formula = None

    def clear(self) -> None:
        self._call("sheet.clear")
        self.cells.clear()

    def __repr__(self) -> str:
        return f"<StandinSheet {self._name}>"


# ----------------------------------------------------------------------------- ranges


class StandinNote:
    def __init__(self, rng: StandinRange, cell: Cell) -> None:
        self._range = rng
        self._cell = cell

    @property
    def text(self) -> str:
        self._range._call("note.text.get")
        if self._cell.note is None:
            raise StandinError("the note was deleted")
        return self._cell.note

    @text.setter
    def text(self, value: str) -> None:
        self._range._call("note.text.set")
        self._cell.note = value

    def delete(self) -> None:
        self._range._call("note.delete")
        self._cell.note = None


class StandinFont:
    def __init__(self, rng: StandinRange) -> None:
        self._range = rng

    @property
    def color(self) -> RGB | None:
        self._range._call("font.color.get")
        return self._range._uniform(lambda c: c.font_color)

    @color.setter
    def color(self, value: Any) -> None:
        self._range._call("font.color.set")
        colour = colour_of(value)
        for cell in self._range._cells(create=True):
            cell.font_color = colour

    @property
    def bold(self) -> bool:
        self._range._call("font.bold.get")
        return bool(self._range._uniform(lambda c: c.bold))

    @bold.setter
    def bold(self, value: bool) -> None:
        self._range._call("font.bold.set")
        for cell in self._range._cells(create=True):
            cell.bold = bool(value)


@dataclass
class StandinRange:
    sheet: StandinSheet
    areas: list[Area]
    _options: dict[str, Any] = field(default_factory=dict)

    def _call(self, op: str) -> None:
        self.sheet.book.calls.append(Call(op, self.sheet._name, self._address()))

    def _address(self, absolute: bool = True) -> str:
        return ",".join(area_address(a, absolute) for a in self.areas)

    def _single_area(self, what: str) -> Area:
        if len(self.areas) != 1:
            raise StandinError(f"{what} of a multi-area range")
        return self.areas[0]

    def _coords(self) -> Iterator[tuple[int, int]]:
        for r1, c1, r2, c2 in self.areas:
            if (r2 - r1 + 1) * (c2 - c1 + 1) > 5_000_000:
                raise StandinError("the stand-in does not address whole columns cell by cell")
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    yield r, c

    def _cells(self, create: bool = False) -> Iterator[Cell]:
        for rc in self._coords():
            cell = self.sheet.cells.get(rc)
            if cell is None:
                if not create:
                    yield Cell()
                    continue
                cell = self.sheet.cells[rc] = Cell()
            yield cell

    def _uniform(self, get: Any) -> Any:
        values = {get(cell) for cell in self._cells()}
        if len(values) > 1:
            raise StandinError("the cells differ: Excel gives no single answer")
        return values.pop()

    # -- geometry ---------------------------------------------------------------------------
    @property
    def address(self) -> str:
        self._call("address")
        return self._address()

    def get_address(
        self, row_absolute: bool = True, column_absolute: bool = True, include_sheetname: bool = False,
        external: bool = False,
    ) -> str:
        self._call("address")
        address = self._address(row_absolute and column_absolute)
        return f"'{self.sheet._name}'!{address}" if include_sheetname or external else address

    @property
    def row(self) -> int:
        self._call("row")
        return self.areas[0][0]

    @property
    def column(self) -> int:
        self._call("column")
        return self.areas[0][1]

    @property
    def shape(self) -> tuple[int, int]:
        self._call("shape")
        r1, c1, r2, c2 = self.areas[0]
        return r2 - r1 + 1, c2 - c1 + 1

    @property
    def last_cell(self) -> StandinRange:
        _, _, r2, c2 = self.areas[0]
        return StandinRange(self.sheet, [(r2, c2, r2, c2)])

    def resize(self, row_size: int | None = None, column_size: int | None = None) -> StandinRange:
        r1, c1, r2, c2 = self._single_area("resize")
        rows = row_size or r2 - r1 + 1
        cols = column_size or c2 - c1 + 1
        return StandinRange(self.sheet, [(r1, c1, r1 + rows - 1, c1 + cols - 1)], dict(self._options))

    def options(self, convert: Any = None, **options: Any) -> StandinRange:
        if convert is not None:
            raise StandinError("the stand-in has no converters")
        return StandinRange(self.sheet, self.areas, {**self._options, **options})

    def __call__(self, row: int, column: int) -> StandinRange:
        r1, c1, _, _ = self.areas[0]
        return StandinRange(self.sheet, [(r1 + row - 1, c1 + column - 1, r1 + row - 1, c1 + column - 1)])

    # -- values ----------------------------------------------------------------------------
    @property
    def value(self) -> Any:
        self._call("value.get")
        r1, c1, r2, c2 = self._single_area("value")
        err_to_str = self._options.get("err_to_str", False)

        def out(cell: Cell | None) -> Any:
            if cell is None:
                return None
            if isinstance(cell.value, ExcelError):
                return str(cell.value) if err_to_str else None
            return cell.value

        rows = [[out(self.sheet.cells.get((r, c))) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        if self._options.get("ndim") == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if all(len(row) == 1 for row in rows):
            return [row[0] for row in rows]
        return rows

    @value.setter
    def value(self, data: Any) -> None:
        self._call("value.set")
        r1, c1, r2, c2 = self._single_area("value")
        if isinstance(data, list | tuple) and data and all(isinstance(row, list | tuple) for row in data):
            block = [list(row) for row in data]
        elif isinstance(data, list | tuple):
            block = [list(data)]
        else:  # a scalar goes into every cell of the range
            block = [[data] * (c2 - c1 + 1) for _ in range(r2 - r1 + 1)]
        for i, row in enumerate(block):
            for j, item in enumerate(row):
                value, formula = typed_entry(item)
                key = (r1 + i, c1 + j)
                cell = self.sheet.cells.setdefault(key, Cell())
                if formula is not None and formula == cell.formula:
                    continue  # the same formula again: Excel computes the same value
                cell.value, cell.formula = value, formula  # a new formula is left uncomputed (None)

    @property
    def raw_value(self) -> Any:
        return self.value

    @property
    def formula(self) -> Any:
        self._call("formula.get")
        r1, c1, r2, c2 = self._single_area("formula")

        def text(cell: Cell | None) -> str:
            if cell is None:
                return ""
            if cell.formula:
                return cell.formula
            if cell.value is None:
                return ""
            if isinstance(cell.value, bool):
                return "TRUE" if cell.value else "FALSE"
            if isinstance(cell.value, float):
                return f"{cell.value:.15g}"
            return str(cell.value)

        rows = tuple(tuple(text(self.sheet.cells.get((r, c))) for c in range(c1, c2 + 1)) for r in range(r1, r2 + 1))
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    def clear_contents(self) -> None:
        self._call("clear_contents")
        for cell in self._cells():
            cell.value = cell.formula = None

    # -- formats ---------------------------------------------------------------------------
    @property
    def color(self) -> RGB | None:
        self._call("color.get")
        self._single_area("color")
        return self._uniform(lambda c: c.color)

    @color.setter
    def color(self, value: Any) -> None:
        self._call("color.set")
        colour = colour_of(value)
        for cell in self._cells(create=True):
            cell.color = colour

    def set_colors(self, colors: Any) -> None:
        """Fills cell by cell in one call: a matrix of the range's shape; `...` keeps a cell's fill."""
        self._call("set_colors")
        r1, c1, r2, c2 = self._single_area("set_colors")
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 10_000:
            raise ValueError("Range.set_colors() supports at most 10,000 cells per call")
        if len(colors) != r2 - r1 + 1 or any(len(row) != c2 - c1 + 1 for row in colors):
            raise ValueError("the colours do not match the range's shape")
        for i, row in enumerate(colors):
            for j, colour in enumerate(row):
                if colour is not ...:
                    self.sheet.cells.setdefault((r1 + i, c1 + j), Cell()).color = colour_of(colour)

    @property
    def font(self) -> StandinFont:
        return StandinFont(self)

    # -- notes and links ---------------------------------------------------------------------
    def _one_cell(self, what: str) -> Cell:
        r1, c1, r2, c2 = self._single_area(what)
        if (r1, c1) != (r2, c2):
            raise StandinError(f"{what} of more than one cell")
        return self.sheet.cells.setdefault((r1, c1), Cell())

    @property
    def note(self) -> StandinNote | None:
        self._call("note.get")
        cell = self._one_cell("note")
        return StandinNote(self, cell) if cell.note is not None else None

    def add_note(self, text: str) -> StandinNote:
        self._call("note.add")
        cell = self._one_cell("add_note")
        if cell.note is not None:
            raise ValueError("This cell already has a note")
        if not isinstance(text, str) or not text:
            raise ValueError("Note text must be a non-empty string")
        cell.note = text
        return StandinNote(self, cell)

    def add_hyperlink(self, address: str, text_to_display: str | None = None, screen_tip: str | None = None) -> None:
        self._call("hyperlink.add")
        cell = self._one_cell("add_hyperlink")
        cell.hyperlink = address
        cell.value, cell.formula = typed_entry(text_to_display if text_to_display is not None else address)

    @property
    def hyperlink(self) -> str:
        self._call("hyperlink.get")
        cell = self._one_cell("hyperlink")
        if cell.hyperlink is None:
            raise StandinError("The cell doesn't seem to contain a hyperlink!")
        return cell.hyperlink

    def __repr__(self) -> str:
        return f"<StandinRange {self.sheet._name}!{self._address()}>"


def copy_cell(cell: Cell) -> Cell:
    return copy.copy(cell)


# ----------------------------------------------------------------------------- the add-in's VBA

REPO = Path(__file__).resolve().parent.parent
BAS_PATH = REPO / "xlscorecard" / "addin" / "macros" / "XlScorecard.bas"
ADDIN_BOOK = "xlscorecard.xlam"
VBA_MODULE = "XlScorecard"
VBA_NOTE_PREFIX = "xlscorecard: "
NO_COLOUR, MIXED_COLOUR = -1, -2
_PROCEDURE = re.compile(r"^Public (?:Sub|Function) (\w+)\((.*?)\)", re.MULTILINE)


def vba_procedures(source: str | None = None) -> dict[str, list[str]]:
    """Public Subs and Functions of the .bas (line continuations joined) -> their parameter names."""
    text = re.sub(r" _\r?\n\s*", " ", source if source is not None else BAS_PATH.read_text("ascii"))
    out: dict[str, list[str]] = {}
    for name, params in _PROCEDURE.findall(text):
        names = []
        for param in filter(None, (p.strip() for p in params.split(","))):
            words = [w for w in param.split() if w not in ("ByVal", "ByRef", "Optional")]
            names.append(words[0])
        out[name] = names
    return out


def com_argument(value: Any) -> Any:
    """A Python argument as Application.Run receives it through COM; StandinError if it cannot."""
    if value is None or isinstance(value, bool | str | float):
        return value
    if isinstance(value, int):
        if not -(2**31) <= value < 2**31:
            raise StandinError(f"{value} does not fit a VBA Long")
        return value
    if isinstance(value, list | tuple):
        if value and all(isinstance(row, list | tuple) for row in value):
            widths = {len(row) for row in value}
            if len(widths) != 1:
                raise StandinError("a 2-D array must be rectangular")
            return tuple(tuple(com_argument(item) for item in row) for row in value)
        if any(isinstance(item, list | tuple) for item in value):
            raise StandinError("a list mixing lists and values is no array COM can pass")
        return tuple(com_argument(item) for item in value)
    raise StandinError(f"COM cannot pass a {type(value).__name__} to VBA")


def _vba_rows(array: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    if not isinstance(array, tuple) or not array:
        raise StandinError("Type mismatch: not an array")  # LBound of a non-array
    return [row if isinstance(row, tuple) else (row,) for row in array]


def _vba_sheet(book: StandinBook, book_name: Any, sheet_name: Any) -> StandinSheet:
    if str(book_name) != book.name:
        raise StandinError(f"Workbooks({book_name!r}): subscript out of range")
    try:
        return book._sheet(str(sheet_name))
    except KeyError:
        raise StandinError(f"Worksheets({sheet_name!r}): subscript out of range") from None


def _bgr(colour: RGB | None) -> int:
    if colour is None:
        return NO_COLOUR
    r, g, b = colour
    return r + (g << 8) + (b << 16)


def _vba_apply_one(sheet: StandinSheet, address: str, kind: str, value: Any, shown: Any, tip: Any) -> bool:
    rng = StandinRange(sheet, parse_address(address))
    if kind in ("fill", "font"):
        colour = None if int(value) < 0 else colour_of(int(value))
        for cell in rng._cells(create=True):
            if kind == "fill":
                cell.color = colour
            else:
                cell.font_color = colour
        return True
    cell = rng._one_cell(kind)
    ours = cell.note is None or cell.note.startswith(VBA_NOTE_PREFIX)
    if kind == "note":
        if not ours:
            return False
        cell.note = str(value)
        return True
    if kind == "clearnote":
        if cell.note is None or not ours:
            return False
        cell.note = None
        return True
    if kind == "link":
        cell.hyperlink = "#" + str(value)  # Address "" and a SubAddress: a place in this workbook
        cell.value, cell.formula = typed_entry(str(shown))
        return True
    return False


def vba_apply_formats(book: StandinBook, book_name: Any, sheet_name: Any, items: Any) -> int:
    """XlScorecard.XlsApplyFormats: rows of (address, kind, value, text, tip); the count applied."""
    sheet = _vba_sheet(book, book_name, sheet_name)
    applied = 0
    for row in _vba_rows(items):
        if len(row) < 5:
            raise StandinError("Subscript out of range: an item has fewer than 5 fields")
        address, kind, value, shown, tip = row[:5]
        with contextlib.suppress(StandinError, ValueError, TypeError):  # On Error GoTo Failed: skipped
            applied += _vba_apply_one(sheet, str(address), str(kind), value, shown, tip)
    return applied


def vba_read_formats(book: StandinBook, book_name: Any, sheet_name: Any, addresses: Any) -> tuple[tuple[Any, ...], ...]:
    """XlScorecard.XlsReadFormats: per address (fill as BGR, NO_COLOUR or MIXED_COLOUR; note text or None)."""
    sheet = _vba_sheet(book, book_name, sheet_name)
    out = []
    for row in _vba_rows(addresses):
        try:
            rng = StandinRange(sheet, parse_address(str(row[0])))
            colours = {cell.color for cell in rng._cells()}
            colour = _bgr(colours.pop()) if len(colours) == 1 else MIXED_COLOUR
            first = rng.areas[0]
            note = sheet.cells.get((first[0], first[1]), Cell()).note
        except StandinError:
            colour, note = MIXED_COLOUR, None
        out.append((colour, note))
    return tuple(out)


def vba_read_cell_formats(
    book: StandinBook, book_name: Any, sheet_name: Any, address: Any
) -> tuple[tuple[Any, ...], ...]:
    """XlScorecard.XlsReadCellFormats: per cell of one block, its number format, font name and fill."""
    sheet = _vba_sheet(book, book_name, sheet_name)
    areas = parse_address(str(address))
    if len(areas) != 1:
        raise StandinError("Range of more than one area")
    r1, c1, r2, c2 = areas[0]
    out = []
    for r in range(r1, r2 + 1):
        row: list[Any] = []
        for c in range(c1, c2 + 1):
            cell = sheet.cells.get((r, c), Cell())
            row += [cell.number_format, cell.font_name, _bgr(cell.color)]
        out.append(tuple(row))
    return tuple(out)


VBA_EMULATIONS: dict[str, Any] = {
    "XlsApplyFormats": vba_apply_formats,
    "XlsReadFormats": vba_read_formats,
    "XlsReadCellFormats": vba_read_cell_formats,
}


class StandinMacro:
    """xlwings' Macro: calling it is one Application.Run."""

    def __init__(self, book: StandinBook, name: str) -> None:
        self._book = book
        self.macro = name

    def run(self, *args: Any) -> Any:
        book = self._book
        m = re.fullmatch(r"(?:'([^']+)'!)?(?:(\w+)\.)?(\w+)", self.macro)
        if m is None:
            raise StandinError(f"not a macro name: {self.macro!r}")
        owner, module, procedure = m.groups()
        sheet = str(args[1]) if len(args) > 1 else None
        rows = len(args[2]) if len(args) > 2 and isinstance(args[2], list | tuple) else None
        book.calls.append(Call("macro", sheet, self.macro, rows))
        if len(args) > 30:
            raise StandinError("Application.Run takes at most 30 arguments")
        marshalled = [com_argument(arg) for arg in args]
        declared = vba_procedures()
        if owner not in book.app.addins or module not in (None, VBA_MODULE) or procedure not in declared:
            raise StandinError(
                f"Cannot run the macro '{self.macro}'. The macro may not be available in this workbook "
                "or all macros may be disabled."
            )
        if len(marshalled) != len(declared[procedure]):
            raise StandinError(f"Wrong number of arguments for {procedure}: {len(marshalled)}")
        if procedure not in VBA_EMULATIONS:
            raise StandinError(f"the stand-in does not emulate {procedure}")
        return VBA_EMULATIONS[procedure](book, *marshalled)

    __call__ = run
