"""Observation: one cell's value for one period, with its family (Status) and how it reads in a sentence.

The value model the parser (core/values.py) builds and every rule reads; it parses nothing.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from enum import StrEnum
from typing import Any, Literal

from xlscorecard.core.records import Record

__all__ = [
    "MARKER_STATUSES",
    "NUMERIC_STATUSES",
    "Observation",
    "Status",
    "format_number",
    "placed_copy",
    "placed_observation",
]


class Status(StrEnum):
    """The family a cell value belongs to."""

    NUMBER = "number"
    FLAGGED = "flagged"  # number with a provisional / revised / estimate flag
    COMPOSITE = "composite"  # headline number followed by a note
    RANGE = "range"  # a low-high pair
    SUPPRESSED = "suppressed"
    NOT_AVAILABLE = "not-available"
    NOT_APPLICABLE = "not-applicable"
    ROUNDS_TO_ZERO = "rounds-to-zero"
    DASH = "dash"
    EXCEL_ERROR = "excel-error"
    BLANK = "blank"
    UNPARSED = "unparsed"


NUMERIC_STATUSES = frozenset({Status.NUMBER, Status.FLAGGED, Status.COMPOSITE})
MARKER_STATUSES = frozenset(
    {
        Status.SUPPRESSED,
        Status.NOT_AVAILABLE,
        Status.NOT_APPLICABLE,
        Status.ROUNDS_TO_ZERO,
        Status.DASH,
    }
)


_FIELDS = ("raw", "number", "unit", "status", "note", "flag", "low", "high", "cell")


class Observation(Record):
    """One cell's value for one period: its raw text, parsed number and unit, and family.

    Built, copied, compared and dumped like a dataclass with the fields raw, number, unit,
    status, note, flag, low, high and cell (keyword construction, model_copy, model_dump). Not a
    pydantic model: a scorecard holds one per cell, and on a 20,000-row sheet a BaseModel's
    per-instance dictionaries cost about 200 MB. Nor a plain slots dataclass: it stores less.
    The rarely set note, flag, low and high are kept with the raw text, as one tuple, only when
    set; the layout gives the cell as its column letters and row number, shared by every cell of
    that column and row, instead of an address string per cell (12 MB on 20,000 PIs); and a
    number cell keeps the number it holds, shared with the grid, and writes its raw text ("2458",
    "0.31") only when asked. Six slots: 80 bytes an object. Not frozen, as frozen objects build
    slowly; treat it as immutable (use model_copy).
    """

    __slots__ = ("_col", "_raw", "_row", "number", "status", "unit")
    __match_args__ = _FIELDS
    __hash__ = None  # type: ignore[assignment]  # as a dataclass that is not frozen
    _record_fields = _FIELDS

    # The raw text; a number whose text is the raw text (see raw); or, when note, flag, low or
    # high is set, the tuple (raw, note, flag, low, high).
    _raw: str | int | float | tuple[object, ...] | None
    number: float | None
    unit: str | None  # "%" or None
    status: Status
    _col: str | None  # the cell's address, or its column letters when _row is set
    _row: int | None

    def __init__(
        self,
        raw: str | None = None,
        number: float | None = None,
        unit: str | None = None,
        status: Status = Status.BLANK,
        note: str | None = None,
        flag: str | None = None,  # provisional / revised / estimate
        low: float | None = None,  # ranges only
        high: float | None = None,
        cell: str | None = None,
    ) -> None:
        plain = note is None and flag is None and low is None and high is None
        self._raw = raw if plain else (raw, note, flag, low, high)
        self.number = number
        self.unit = unit
        self.status = status
        self._col = cell
        self._row = None

    @property
    def raw(self) -> str | None:
        """The cell's text as written (a number's as Excel shows it unformatted: "2458", "0.31")."""
        raw = self._raw
        if raw is None or raw.__class__ is str:
            return raw  # type: ignore[return-value]
        if raw.__class__ is tuple:
            raw = raw[0]  # type: ignore[index]
            if raw is None or raw.__class__ is str:
                return raw  # type: ignore[return-value]
        return _number_text(raw)  # type: ignore[arg-type]

    @raw.setter
    def raw(self, value: str | None) -> None:
        self._set(0, value)

    @property
    def stored_number(self) -> float | None:
        """The number the cell itself holds (0.31 for 31% kept as a fraction); None for text."""
        raw = self._raw
        if raw.__class__ is tuple:
            raw = raw[0]  # type: ignore[index]
        if raw is None or raw.__class__ is str or raw.__class__ is bool:
            return None
        return float(raw)  # type: ignore[arg-type]

    @property
    def unit_scale(self) -> float:
        """How the cell stores the value's unit: 0.01 when 31% is kept as 0.31, else 1."""
        stored = self.stored_number
        if self.unit == "%" and stored is not None and self.number and stored != self.number:
            return 0.01
        return 1.0

    @property
    def note(self) -> str | None:
        raw = self._raw
        return raw[1] if raw.__class__ is tuple else None  # type: ignore[index,return-value]

    @note.setter
    def note(self, value: str | None) -> None:
        self._set(1, value)

    @property
    def flag(self) -> str | None:
        raw = self._raw
        return raw[2] if raw.__class__ is tuple else None  # type: ignore[index,return-value]

    @flag.setter
    def flag(self, value: str | None) -> None:
        self._set(2, value)

    @property
    def low(self) -> float | None:
        raw = self._raw
        return raw[3] if raw.__class__ is tuple else None  # type: ignore[index,return-value]

    @low.setter
    def low(self, value: float | None) -> None:
        self._set(3, value)

    @property
    def high(self) -> float | None:
        raw = self._raw
        return raw[4] if raw.__class__ is tuple else None  # type: ignore[index,return-value]

    @high.setter
    def high(self, value: float | None) -> None:
        self._set(4, value)

    def _set(self, index: int, value: object) -> None:
        """Set raw (0), note, flag, low or high (1-4) in _raw."""
        raw = self._raw
        parts = list(raw) if raw.__class__ is tuple else [raw, None, None, None, None]  # type: ignore[arg-type]
        parts[index] = value
        self._raw = parts[0] if parts[1:] == [None, None, None, None] else tuple(parts)  # type: ignore[assignment]

    @property
    def cell(self) -> str | None:
        """A1 address of the cell the value came from."""
        row = self._row
        return self._col if row is None else f"{self._col}{row}"

    @cell.setter
    def cell(self, value: str | None) -> None:
        self._col = value
        self._row = None

    def place(self, column: str, row: int) -> Observation:
        """Set the cell as column letters and row number (`cell` then reads "K12"); returns self.

        For the layout, which shares one letters string per column and one number per row."""
        self._col = column
        self._row = row
        return self

    def model_copy(self, update: dict[str, Any] | None = None) -> Observation:
        """A copy with some fields changed."""
        new = object.__new__(type(self))
        new._raw, new.number, new.unit, new.status = self._raw, self.number, self.unit, self.status
        new._col, new._row = self._col, self._row
        if update:
            for name, value in update.items():
                if name not in _FIELDS:
                    raise TypeError(f"Observation has no field {name!r}")
                setattr(new, name, value)
        return new

    def model_dump(
        self, mode: Literal["python", "json"] = "python", exclude: Collection[str] | None = None
    ) -> dict[str, Any]:
        """The fields as a dictionary; in JSON mode the status is its value ("number")."""
        if exclude:
            return Record.model_dump(self, mode, exclude)
        raw = self._raw
        note = flag = low = high = None
        if raw.__class__ is tuple:
            raw, note, flag, low, high = raw  # type: ignore[misc]
        if raw is not None and raw.__class__ is not str:
            raw = _number_text(raw)  # type: ignore[arg-type]
        row = self._row
        return {
            "raw": raw,
            "number": self.number,
            "unit": self.unit,
            "status": self.status._value_ if mode == "json" else self.status,
            "note": note,
            "flag": flag,
            "low": low,
            "high": high,
            "cell": self._col if row is None else f"{self._col}{row}",
        }

    def _key(self) -> tuple[object, ...]:
        return (self.raw, self.number, self.unit, self.status, self.note, self.flag, self.low, self.high, self.cell)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"{type(self).__qualname__}({fields})"

    @property
    def is_numeric(self) -> bool:
        """A number usable for rating and travel (plain, flagged or a composite's headline)."""
        return self.status in NUMERIC_STATUSES and self.number is not None

    @property
    def is_marker(self) -> bool:
        return self.status in MARKER_STATUSES

    @property
    def is_blank(self) -> bool:
        return self.status is Status.BLANK

    def display(self) -> str:
        """How the value reads in a sentence ("32%", "2,200", "suppressed")."""
        if self.status is Status.RANGE and self.low is not None and self.high is not None:
            return f"{format_number(self.low, self.unit)}-{format_number(self.high, self.unit)}"
        if self.is_numeric and self.number is not None:
            return format_number(self.number, self.unit)
        return self.raw or ""


def format_number(number: float, unit: str | None = None) -> str:
    """12 -> '12'; 1234.5 -> '1,234.5'; (31, '%') -> '31%'."""
    if not math.isfinite(number):
        return f"{number}%" if unit == "%" else str(number)
    if number == int(number):
        text = f"{int(number):,}"
    else:  # two decimals; three significant digits below 1 (0.108, 0.0512), so close fractions stay apart
        size = abs(number)
        decimals = 2 if size >= 1 else min(6, 2 - math.floor(math.log10(size)))
        text = f"{number:,.{decimals}f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "%" else text


_new = object.__new__


def placed_observation(
    raw: str | float | None, number: float | None, unit: str | None, status: Status, column: str, row: int
) -> Observation:
    """Observation(raw, number, unit, status).place(column, row), without the calls (the reader's hot path)."""
    obs = _new(Observation)
    obs._raw = raw
    obs.number = number
    obs.unit = unit
    obs.status = status
    obs._col = column
    obs._row = row
    return obs


def placed_copy(parsed: Observation, raw: str, column: str, row: int) -> Observation:
    """`parsed` (the parse of the same text met elsewhere) with its raw text `raw`, at `column` and `row`."""
    obs = _new(Observation)
    more = parsed._raw
    obs._raw = raw if more.__class__ is not tuple else (raw, *more[1:])  # type: ignore[assignment,index]
    obs.number, obs.unit, obs.status = parsed.number, parsed.unit, parsed.status
    obs._col = column
    obs._row = row
    return obs


def _number_text(value: int | float) -> str:
    if value.__class__ is float:
        return str(int(value)) if value.is_integer() else repr(value)  # type: ignore[union-attr]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)
