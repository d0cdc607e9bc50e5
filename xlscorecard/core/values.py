"""Cell values: numbers, percentages and the markers statisticians use instead of numbers (DESIGN 4).

The raw text of every cell is kept; a marker never becomes 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from enum import StrEnum
from typing import Any, Literal

from xlscorecard.core.records import Record


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

FLAG_MEANINGS = {"p": "provisional", "r": "revised", "e": "estimate"}


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
    text = f"{number:,.2f}".rstrip("0").rstrip(".") if number != int(number) else f"{int(number):,}"
    return f"{text}%" if unit == "%" else text


MARKERS: dict[str, Status] = {
    **dict.fromkeys(["suppressed", "supressed", "suppresed", "surpressed", "c", "*"], Status.SUPPRESSED),
    **dict.fromkeys(
        [
            "x",
            ":",
            "..",
            "n/a",
            "na",
            "#n/a",
            "tbc",
            "dna",
            "not available",
            "data to be supplied",
            "n/k",
            "not known",
        ],
        Status.NOT_AVAILABLE,
    ),
    **dict.fromkeys(["z", ".", "not applicable"], Status.NOT_APPLICABLE),
    **dict.fromkeys(["k", "low", "~"], Status.ROUNDS_TO_ZERO),
    **dict.fromkeys(["-", "–", "—", "‒", "−"], Status.DASH),
}
_EXCEL_ERRORS = frozenset(
    [
        "#div/0!",
        "#value!",
        "#ref!",
        "#name?",
        "#num!",
        "#null!",
        "#spill!",
        "#calc!",
        "#getting_data",
        "#field!",
        "#blocked!",
        "#connect!",
        "#busy!",
        "#unknown!",
    ]
)
# Small-number suppression, the one rule: "<5" (any "<N") is a count below the disclosure threshold.
# The common ones are listed for people entering figures (the rollover's entry lists).
_SMALL_NUMBER = re.compile(r"^<\s*\d+$")
SMALL_NUMBER_MARKERS = ("<5", "<6", "<10")

NUMBER_PATTERN = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+"
_NUMBER = re.compile(rf"^(?P<num>{NUMBER_PATTERN})\s*(?P<pct>%)?$")
_FLAGGED = re.compile(rf"^(?P<num>{NUMBER_PATTERN})\s*(?P<pct>%)?\s*[\[(]?(?P<flag>[pre])[\])]?$", re.I)
_RANGE = re.compile(
    rf"^(?P<lo>{NUMBER_PATTERN})\s*(?P<pct1>%)?\s*(?:-|–|—|to)\s*(?P<hi>{NUMBER_PATTERN})\s*(?P<pct2>%)?$", re.I
)
# The note must be set apart from the headline ("57% (63%)", "20 (est)"): "12-Jan", "1,23" or
# "1e5" are not a number followed by a note and must not be read as 12, 1 or 1.
_LEADING = re.compile(rf"^(?P<num>{NUMBER_PATTERN})\s*(?P<pct>%)?(?P<rest>(?:\s+|(?<=%)|(?=[(\[/]))\S.*)$", re.S)
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def to_number(text: str) -> float:
    """'9,536' -> 9536.0 (the text must already match a number pattern)."""
    return float(text.replace(",", ""))


def tidy_number(number: float) -> float:
    # 0.31 * 100 is 31.000000000000004; round away float noise, keep real precision.
    return float(f"{number:.12g}")


def percent_scaling(number_format: str | None) -> tuple[bool, bool]:
    """(is a percentage, value is stored as a fraction) for an Excel number format.

    `0%` shows 0.31 as 31% (a fraction); `0"%"` shows 31 as 31% (already in percent).
    """
    if not number_format or "%" not in number_format:
        return False, False
    bare = _QUOTED.sub("", number_format.split(";")[0])
    if "%" in bare:
        return True, True
    return True, False


_SCALING: dict[str, tuple[bool, bool]] = {}  # percent_scaling by number format, as a sheet repeats few


def parse_value(value: object, number_format: str | None = None, cell: str | None = None) -> Observation:
    """Parse one cell into an Observation; never raises, whatever the cell holds."""
    if value is None:
        return Observation(None, None, None, Status.BLANK, None, None, None, None, cell)
    kind = value.__class__
    if kind is str:
        return parse_text(value, cell)  # type: ignore[arg-type]
    if kind is float and not number_format and value - value == 0.0:  # type: ignore[operator]
        # The commonest filled cell: a finite float without a number format. The Observation keeps
        # the number as its raw text too; Observation.raw writes it out (_number_text) when read.
        return Observation(value, value, None, Status.NUMBER, None, None, None, None, cell)  # type: ignore[arg-type]
    if isinstance(value, bool):
        return Observation(raw=str(value).upper(), status=Status.UNPARSED, cell=cell)
    if isinstance(value, int | float):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            return Observation(raw=str(value), status=Status.UNPARSED, cell=cell)
        raw = value  # its text, _number_text(value), is written when Observation.raw is read
        if not number_format:
            return Observation(raw, number, None, Status.NUMBER, None, None, None, None, cell)  # type: ignore[arg-type]
        is_pct, fraction = _scaling(number_format)
        if is_pct:
            return Observation(
                raw=raw,  # type: ignore[arg-type]
                number=tidy_number(number * 100 if fraction else number),
                unit="%",
                status=Status.NUMBER,
                cell=cell,
            )
        return Observation(raw, number, None, Status.NUMBER, None, None, None, None, cell)  # type: ignore[arg-type]
    raw = str(value)
    return parse_text(raw, cell=cell)


def parse_value_at(
    value: object, number_format: str | None, column: str, row: int, texts: dict[str, Observation] | None = None
) -> Observation:
    """parse_value for the cell at `column` letters and `row` (see Observation.place).

    The layout's path, once per value cell: blanks and numbers are built directly, and text is
    parsed once per distinct text when `texts` (the caller's cache, text -> parsed) is given:
    markers, arrows and RAG letters repeat down a sheet."""
    if value is None:
        return _placed(None, None, None, Status.BLANK, column, row)
    kind = value.__class__
    if kind is float and value - value == 0.0:  # type: ignore[operator]  # finite
        if number_format:
            is_pct, fraction = _scaling(number_format)
            if is_pct:
                number = tidy_number(value * 100 if fraction else value)  # type: ignore[operator]
                return _placed(value, number, "%", Status.NUMBER, column, row)  # type: ignore[arg-type]
        return _placed(value, value, None, Status.NUMBER, column, row)  # type: ignore[arg-type]
    if kind is str and texts is not None:
        parsed = texts.get(value)  # type: ignore[call-overload]
        if parsed is None:
            parsed = parse_text(value)  # type: ignore[arg-type]
            if len(texts) < 4096:
                texts[value] = parsed  # type: ignore[index]
        obs = _new(Observation)
        more = parsed._raw
        obs._raw = value if more.__class__ is not tuple else (value, *more[1:])  # type: ignore[assignment,index]
        obs.number, obs.unit, obs.status = parsed.number, parsed.unit, parsed.status
        obs._col = column
        obs._row = row
        return obs
    return parse_value(value, number_format).place(column, row)


def _scaling(number_format: str) -> tuple[bool, bool]:
    """percent_scaling, remembered per number format (a sheet uses few)."""
    scaling = _SCALING.get(number_format)
    if scaling is None:
        scaling = percent_scaling(number_format)
        if len(_SCALING) < 1024:
            _SCALING[number_format] = scaling
    return scaling


_new = object.__new__


def _placed(
    raw: str | float | None, number: float | None, unit: str | None, status: Status, column: str, row: int
) -> Observation:
    """Observation(raw, number, unit, status).place(column, row), without the calls."""
    obs = _new(Observation)
    obs._raw = raw
    obs.number = number
    obs.unit = unit
    obs.status = status
    obs._col = column
    obs._row = row
    return obs


def _number_text(value: int | float) -> str:
    if value.__class__ is float:
        return str(int(value)) if value.is_integer() else repr(value)  # type: ignore[union-attr]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def parse_text(raw: str, cell: str | None = None) -> Observation:
    """Parse a cell that holds text ("9,536", "31%", "Supressed", "57% (63%)", "97%-99%")."""
    obs = _parse_text(raw, cell)
    number, low, high = obs.number, obs.low, obs.high
    if (
        (number is not None and not math.isfinite(number))
        or (low is not None and not math.isfinite(low))
        or (high is not None and not math.isfinite(high))
    ):
        return Observation(raw=raw, status=Status.UNPARSED, cell=cell)  # hundreds of digits: not a figure
    return obs


def _parse_text(raw: str, cell: str | None) -> Observation:
    text = " ".join(raw.replace("\u00a0", " ").split())
    if not text:
        return Observation(raw=raw, cell=cell)
    key = text.lower()
    unbracketed = key[1:-1].strip() if key.startswith("[") and key.endswith("]") else key
    if unbracketed in MARKERS:
        return Observation(raw=raw, status=MARKERS[unbracketed], cell=cell)
    if _SMALL_NUMBER.match(unbracketed):
        return Observation(raw=raw, status=Status.SUPPRESSED, cell=cell)
    if unbracketed in _EXCEL_ERRORS:
        return Observation(raw=raw, status=Status.EXCEL_ERROR, cell=cell)
    if m := _NUMBER.match(text):
        return Observation(
            raw=raw,
            number=to_number(m["num"]),
            unit="%" if m["pct"] else None,
            status=Status.NUMBER,
            cell=cell,
        )
    if m := _FLAGGED.match(text):
        flag = FLAG_MEANINGS[m["flag"].lower()]
        return Observation(
            raw=raw,
            number=to_number(m["num"]),
            unit="%" if m["pct"] else None,
            status=Status.FLAGGED,
            flag=flag,
            note=flag,
            cell=cell,
        )
    if (m := _RANGE.match(text)) and not m["lo"].startswith("-"):
        low, high = sorted((to_number(m["lo"]), to_number(m["hi"])))
        unit = "%" if (m["pct1"] or m["pct2"]) else None
        return Observation(raw=raw, low=low, high=high, unit=unit, status=Status.RANGE, cell=cell)
    if (m := _LEADING.match(text)) and not m["num"].startswith(("-", "+")):
        rest = m["rest"].strip()
        return Observation(
            raw=raw,
            number=to_number(m["num"]),
            unit="%" if m["pct"] else None,
            status=Status.COMPOSITE,
            note=rest,
            cell=cell,
        )
    return Observation(raw=raw, status=Status.UNPARSED, cell=cell)
