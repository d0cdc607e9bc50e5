"""Grid: the 2-D block of cells every reader returns, with number formats where the source has them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CellValue = str | float | int | bool | None


def column_letter(index: int) -> str:
    """1-based column index to letters (1 -> A, 28 -> AB)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Column letters to a 1-based index (A -> 1, AB -> 28)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - 64)
    return index


def sheet_reference(name: str) -> str:
    """A sheet name as Excel writes it in a reference: 'Q2 2018-19', quotes inside doubled."""
    return "'" + name.replace("'", "''") + "'"


def on_sheet(sheet: str, address: str) -> str:
    """A cell of another sheet, as Excel writes it: ('Q2 2018-19', 'G6') -> "'Q2 2018-19'!G6"."""
    return f"{sheet_reference(sheet)}!{address}"


def split_sheet(cell: str) -> tuple[str | None, str]:
    """"'Q2 2018-19'!G6" -> ('Q2 2018-19', 'G6'); a plain 'G6' (a cell of the scorecard's own sheet) -> (None, 'G6')."""
    sheet, bang, address = cell.rpartition("!")
    if not bang:
        return None, cell
    if len(sheet) >= 2 and sheet[0] == sheet[-1] == "'":
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, address


def split_address(address: str) -> tuple[int, int]:
    """'C7' -> (row 7, column 3)."""
    letters = address.rstrip("0123456789")
    return int(address[len(letters) :]), column_index(letters.lstrip("$"))


def cell_address(row: int, column: int) -> str:
    """(row 7, column 3) -> 'C7' (both 1-based)."""
    return f"{column_letter(column)}{row}"


@dataclass(frozen=True)
class Grid:
    """A rectangular block of cell values, optionally with number formats, anchored at `origin`.

    `number_formats` is None when the source cannot tell them (xlwings hands values only);
    the layout then infers units from the indicator itself. `font_names` likewise: a cell's font
    name where the source knows it and it matters (symbol fonts such as Wingdings give letters
    another meaning), else None. `fill_colours` likewise: a cell's solid fill as 'RRGGBB' where the
    source knows it (a RAG submitted as a coloured cell with no text), else None.
    """

    values: list[list[CellValue]]
    # Rows may be tuples, and rows formatted alike may be one shared tuple: read, never write.
    number_formats: Sequence[Sequence[str | None]] | None = None
    origin: str = "A1"
    sheet: str = "Sheet1"
    font_names: Sequence[Sequence[str | None]] | None = None
    fill_colours: Sequence[Sequence[str | None]] | None = None
    # Cells (0-based row, column) holding a formula whose result the file does not store: a program
    # that writes formulas without calculating them (Excel calculates and saves on opening).
    unsaved_formulas: Sequence[tuple[int, int]] = ()

    def __post_init__(self) -> None:
        # Addresses are asked for hundreds of thousands of times on a big sheet: work out once.
        row, col = split_address(self.origin)
        object.__setattr__(self, "_origin_row", row)
        object.__setattr__(self, "_origin_col", col)
        object.__setattr__(self, "_letters", [column_letter(col + c) for c in range(self.width + 1)])

    @classmethod
    def from_rows(
        cls,
        rows: Sequence[Sequence[Any]],
        number_formats: Sequence[Sequence[str | None]] | None = None,
        origin: str = "A1",
        sheet: str = "Sheet1",
        font_names: Sequence[Sequence[str | None]] | None = None,
        fill_colours: Sequence[Sequence[str | None]] | None = None,
    ) -> Grid:
        """Build a Grid from any 2-D list (ragged rows are padded with None)."""
        width = max((len(r) for r in rows), default=0)
        values = [[_plain(v) for v in r] + [None] * (width - len(r)) for r in rows]
        return cls(
            values=values,
            number_formats=_padded(number_formats, len(values), width),
            origin=origin,
            sheet=sheet,
            font_names=_padded(font_names, len(values), width),
            fill_colours=_padded(fill_colours, len(values), width),
        )

    @property
    def height(self) -> int:
        return len(self.values)

    @property
    def width(self) -> int:
        return len(self.values[0]) if self.values else 0

    def value(self, r: int, c: int) -> CellValue:
        """Value at 0-based offsets from the origin (None outside the block)."""
        if 0 <= r < len(self.values) and 0 <= c < len(self.values[r]):
            return self.values[r][c]
        return None

    def number_format(self, r: int, c: int) -> str | None:
        if self.number_formats is None:
            return None
        if 0 <= r < len(self.number_formats) and 0 <= c < len(self.number_formats[r]):
            return self.number_formats[r][c]
        return None

    def font_name(self, r: int, c: int) -> str | None:
        return _at(self.font_names, r, c)

    def shows_percentages(self) -> bool:
        """Whether the number formats are known and some cell has a percent format.

        A sheet whose author formats percentages as such tells a fraction from a percent by format;
        one that never does (an export, a hand-typed 0.85) is read as the live workbook is, where a
        percentage indicator whose bare numbers all lie within 0..1 holds fractions."""
        if self.number_formats is None:
            return False
        rows = {id(row): row for row in self.number_formats}  # rows alike share one tuple
        return any(f is not None and "%" in f for row in rows.values() for f in row)

    def fill_colour(self, r: int, c: int) -> str | None:
        return _at(self.fill_colours, r, c)

    def sheet_row(self, r: int) -> int:
        """1-based worksheet row of grid row r."""
        return self._origin_row + r  # type: ignore[attr-defined, no-any-return]

    def sheet_column(self, c: int) -> int:
        """1-based worksheet column of grid column c."""
        return self._origin_col + c  # type: ignore[attr-defined, no-any-return]

    def address(self, r: int, c: int) -> str:
        """A1 address of the cell at 0-based offsets (r, c)."""
        letters: list[str] = self._letters  # type: ignore[attr-defined]
        column = letters[c] if 0 <= c < len(letters) else column_letter(self._origin_col + c)  # type: ignore[attr-defined]
        return f"{column}{self._origin_row + r}"  # type: ignore[attr-defined]


def _at(block: Sequence[Sequence[str | None]] | None, r: int, c: int) -> str | None:
    if block is None or not (0 <= r < len(block) and 0 <= c < len(block[r])):
        return None
    return block[r][c]


def _padded(block: Sequence[Sequence[str | None]] | None, height: int, width: int) -> list[list[str | None]] | None:
    """A per-cell block padded to the grid's shape (None stays None: the source cannot tell)."""
    if block is None:
        return None
    padded = [list(r) + [None] * (width - len(r)) for r in block]
    return padded + [[None] * width for _ in range(height - len(padded))]


def _plain(value: Any) -> CellValue:
    """Normalise exotic cell values (datetimes, Decimals) to str/float/int/bool/None."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)
