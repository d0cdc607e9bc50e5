"""Cell values (DESIGN 4): every family of marker, numbers in every spelling, raw text always kept."""

from __future__ import annotations

import math

import pytest

from xlscorecard.core.values import Status, format_number, parse_value, percent_scaling

SUPPRESSED = ["supressed", "Supressed", "suppressed", "SUPPRESSED", "c", "C", "*", "<5", "<6", "<10", "[c]", "[C]"]
NOT_AVAILABLE = [
    "x",
    "X",
    ":",
    "..",
    "N/A",
    "n/a",
    "NA",
    "#N/A",
    "TBC",
    "tbc",
    "DNA",
    "not available",
    "Not Available",
    "data to be supplied",
    "[x]",
    "[:]",
    "[N/A]",
]
NOT_APPLICABLE = ["z", "Z", ".", "[z]"]
ROUNDS_TO_ZERO = ["k", "K", "low", "Low", "~", "[k]", "[low]"]
DASH = ["-", "–", "—", "[-]"]
EXCEL_ERRORS = ["#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#div/0!", "[#REF!]"]


@pytest.mark.parametrize(
    ("raw", "status"),
    [(r, Status.SUPPRESSED) for r in SUPPRESSED]
    + [(r, Status.NOT_AVAILABLE) for r in NOT_AVAILABLE]
    + [(r, Status.NOT_APPLICABLE) for r in NOT_APPLICABLE]
    + [(r, Status.ROUNDS_TO_ZERO) for r in ROUNDS_TO_ZERO]
    + [(r, Status.DASH) for r in DASH]
    + [(r, Status.EXCEL_ERROR) for r in EXCEL_ERRORS],
)
def test_markers_keep_raw_text_and_never_become_a_number(raw: str, status: Status) -> None:
    obs = parse_value(raw, cell="K7")
    assert obs.status is status
    assert obs.raw == raw
    assert obs.number is None, "a marker must never turn into a number (least of all 0)"
    assert not obs.is_numeric
    assert obs.cell == "K7"
    assert obs.display() == raw


@pytest.mark.parametrize("raw", [" Supressed ", "\u00a0c\u00a0", "  <5"])
def test_markers_tolerate_surrounding_spaces(raw: str) -> None:
    obs = parse_value(raw)
    assert obs.status is Status.SUPPRESSED
    assert obs.raw == raw


@pytest.mark.parametrize(
    ("cell", "number", "unit"),
    [
        ("9,536", 9536.0, None),
        ("2,374", 2374.0, None),
        ("1,234,567.5", 1234567.5, None),
        ("287.7", 287.7, None),
        ("2200", 2200.0, None),
        ("31%", 31.0, "%"),
        ("21.7%", 21.7, "%"),
        (" 31 % ", 31.0, "%"),
        ("0%", 0.0, "%"),
        ("-5", -5.0, None),
        (2200, 2200.0, None),
        (287.7, 287.7, None),
        ("£1,250", 1250.0, None),  # money: the figure, as a cell formatted as currency holds it
        ("£ 980.50", 980.5, None),
        ("$5.5", 5.5, None),
    ],
)
def test_plain_numbers_and_thousands_separators(cell: object, number: float, unit: str | None) -> None:
    obs = parse_value(cell)
    assert (obs.status, obs.number, obs.unit) == (Status.NUMBER, number, unit)
    assert obs.is_numeric


@pytest.mark.parametrize(
    ("value", "number_format", "number"),
    [
        (0.31, "0%", 31.0),  # a fraction shown as a percentage
        (0.217, "0.0%", 21.7),
        (1, "0%", 100.0),
        (0.0, "0%", 0.0),
        (31, '0"%"', 31.0),  # a literal % sign in the format: the number is already in percent
        (31, "0\\%", 31.0),
    ],
)
def test_percent_number_formats(value: float, number_format: str, number: float) -> None:
    obs = parse_value(value, number_format)
    assert (obs.number, obs.unit) == (number, "%")


@pytest.mark.parametrize("number_format", [None, "General", "0", "0.0", "#,##0"])
def test_non_percent_formats_leave_the_number_alone(number_format: str | None) -> None:
    obs = parse_value(0.31, number_format)
    assert (obs.number, obs.unit) == (0.31, None)
    assert percent_scaling(number_format) == (False, False)


@pytest.mark.parametrize(
    ("raw", "number", "unit", "flag"),
    [
        ("123p", 123.0, None, "provisional"),
        ("45%r", 45.0, "%", "revised"),
        ("6e", 6.0, None, "estimate"),
        ("6E", 6.0, None, "estimate"),
        ("123 p", 123.0, None, "provisional"),
        ("1,200[r]", 1200.0, None, "revised"),
    ],
)
def test_flagged_numbers_keep_number_and_flag(raw: str, number: float, unit: str | None, flag: str) -> None:
    obs = parse_value(raw)
    assert obs.status is Status.FLAGGED
    assert (obs.number, obs.unit, obs.flag) == (number, unit, flag)
    assert obs.is_numeric
    assert obs.raw == raw


@pytest.mark.parametrize(
    ("raw", "number", "unit", "note"),
    [
        ("17% (rolling year)/ 24% just Q1", 17.0, "%", "(rolling year)/ 24% just Q1"),
        ("20% (rolling yr)/18% just Q2", 20.0, "%", "(rolling yr)/18% just Q2"),
        ("57% (63%)", 57.0, "%", "(63%)"),
        ("20 (est)", 20.0, None, "(est)"),
    ],
)
def test_composite_values_take_the_first_number_as_headline(raw: str, number: float, unit: str, note: str) -> None:
    obs = parse_value(raw)
    assert obs.status is Status.COMPOSITE
    assert (obs.number, obs.unit, obs.note) == (number, unit, note)
    assert obs.is_numeric
    assert obs.raw == raw


@pytest.mark.parametrize(
    ("raw", "low", "high", "unit"),
    [
        ("97%-99%", 97.0, 99.0, "%"),
        ("97% - 99%", 97.0, 99.0, "%"),
        ("260-300", 260.0, 300.0, None),
        ("35 to 40", 35.0, 40.0, None),
        ("99%–97%", 97.0, 99.0, "%"),  # written high-low: still the same pair
    ],
)
def test_ranges_are_a_low_high_pair(raw: str, low: float, high: float, unit: str | None) -> None:
    obs = parse_value(raw)
    assert obs.status is Status.RANGE
    assert (obs.low, obs.high, obs.unit) == (low, high, unit)
    assert obs.number is None, "a range has no single number to average or rate"
    assert not obs.is_numeric


@pytest.mark.parametrize(
    "raw",
    [
        "1,23",  # a mistyped number must not be read as 1
        "12,34,567",  # nor as 12
        "12-Jan",  # a date typed as text is not 12
        "1e5",
        "about 40",
        "Sept",
        "9" * 400,  # overflows a float: not a figure
    ],
)
def test_text_that_is_not_a_figure_is_unparsed_not_a_wrong_number(raw: str) -> None:
    obs = parse_value(raw)
    assert obs.status is Status.UNPARSED
    assert obs.number is None
    assert obs.raw == raw


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (None, Status.BLANK),
        ("", Status.BLANK),
        ("   ", Status.BLANK),
        (True, Status.UNPARSED),
        (float("nan"), Status.UNPARSED),
        (float("inf"), Status.UNPARSED),
    ],
)
def test_blank_and_odd_cells(value: object, status: Status) -> None:
    obs = parse_value(value)
    assert obs.status is status
    assert obs.number is None


@pytest.mark.parametrize(
    ("number", "unit", "text"),
    [
        (2200.0, None, "2,200"),
        (287.7, None, "287.7"),
        (31.0, "%", "31%"),
        (21.75, "%", "21.75%"),
        (0.0, None, "0"),
        (1234.567, None, "1,234.57"),
        (0.108, None, "0.108"),  # fractions keep three significant digits: 0.108 and 0.112 stay apart
        (0.0512, None, "0.0512"),
        (0.9399999999999999, None, "0.94"),
        (-0.25, "%", "-0.25%"),
    ],
)
def test_format_number(number: float, unit: str | None, text: str) -> None:
    assert format_number(number, unit) == text


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_format_number_does_not_raise_on_non_finite(number: float) -> None:
    assert format_number(number)  # any text, but no OverflowError / ValueError


@pytest.mark.parametrize("raw", ["£", "£abc", "£50%"])
def test_a_currency_sign_without_a_plain_figure_is_unparsed(raw: str) -> None:
    assert parse_value(raw).status is Status.UNPARSED
