"""Cell values: numbers, percentages and the markers statisticians use instead of numbers (DESIGN 4).

The raw text of every cell is kept; a marker never becomes 0.
"""

from __future__ import annotations

import math
import re

from xlscorecard.core.observation import (
    MARKER_STATUSES,
    NUMERIC_STATUSES,
    Observation,
    Status,
    format_number,
    placed_copy,
    placed_observation,
)

# The value model lives in core/observation.py; its names are re-exported here because most of
# the code that parses a cell also names the Observation it gets back.
__all__ = [
    "FLAG_MEANINGS",
    "MARKERS",
    "MARKER_STATUSES",
    "NUMBER_PATTERN",
    "NUMERIC_STATUSES",
    "SMALL_NUMBER_MARKERS",
    "Observation",
    "Status",
    "format_number",
    "parse_text",
    "parse_value",
    "parse_value_at",
    "percent_scaling",
    "tidy_number",
    "to_number",
]


FLAG_MEANINGS = {"p": "provisional", "r": "revised", "e": "estimate"}


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
CURRENCY = "£$€"  # a leading currency sign is dropped: the figure is the number
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
        # the number as its raw text too; Observation.raw writes it out when read.
        return Observation(value, value, None, Status.NUMBER, None, None, None, None, cell)  # type: ignore[arg-type]
    if isinstance(value, bool):
        return Observation(raw=str(value).upper(), status=Status.UNPARSED, cell=cell)
    if isinstance(value, int | float):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            return Observation(raw=str(value), status=Status.UNPARSED, cell=cell)
        raw = value  # its text is written when Observation.raw is read
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
        return placed_observation(None, None, None, Status.BLANK, column, row)
    kind = value.__class__
    if kind is float and value - value == 0.0:  # type: ignore[operator]  # finite
        if number_format:
            is_pct, fraction = _scaling(number_format)
            if is_pct:
                number = tidy_number(value * 100 if fraction else value)  # type: ignore[operator]
                return placed_observation(value, number, "%", Status.NUMBER, column, row)  # type: ignore[arg-type]
        return placed_observation(value, value, None, Status.NUMBER, column, row)  # type: ignore[arg-type]
    if kind is str and texts is not None:
        parsed = texts.get(value)  # type: ignore[call-overload]
        if parsed is None:
            parsed = parse_text(value)  # type: ignore[arg-type]
            if len(texts) < 4096:
                texts[value] = parsed  # type: ignore[index]
        return placed_copy(parsed, value, column, row)  # type: ignore[arg-type]
    return parse_value(value, number_format).place(column, row)


def _scaling(number_format: str) -> tuple[bool, bool]:
    """percent_scaling, remembered per number format (a sheet uses few)."""
    scaling = _SCALING.get(number_format)
    if scaling is None:
        scaling = percent_scaling(number_format)
        if len(_SCALING) < 1024:
            _SCALING[number_format] = scaling
    return scaling


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
    if text[0] in CURRENCY and len(text) > 1:  # "£1,250": the figure, as a cell formatted as money holds it
        figure = _parse_text(text[1:].lstrip(), cell)
        if figure.unit is not None:  # "£50%" is no amount of money
            return Observation(raw=raw, status=Status.UNPARSED, cell=cell)
        if figure.number is not None or figure.status is Status.RANGE:
            return figure.model_copy(update={"raw": raw})
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
