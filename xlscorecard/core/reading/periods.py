"""Periods as a model with a granularity (DESIGN 3): every common spelling, in time order.

Quarters and half-years are of the financial year (Q1 = Apr-Jun, H1 = Apr-Sep); academic years
start in September, terms are autumn (Sep-Dec), spring (Jan-Mar) and summer (Apr-Aug).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from xlscorecard.core.records import Record


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    FINANCIAL_YEAR = "financial_year"
    YEAR_END = "financial_year"  # the old name of a financial-year (outturn) column
    ACADEMIC_YEAR = "academic_year"
    TERM = "term"
    ROLLING_12_MONTHS = "rolling_12_months"
    YEAR_TO_DATE = "year_to_date"


PeriodKind = Granularity

# Periods in one year of each granularity: the same period a year earlier is this many steps back.
PER_YEAR = {
    Granularity.MONTH: 12,
    Granularity.QUARTER: 4,
    Granularity.HALF_YEAR: 2,
    Granularity.FINANCIAL_YEAR: 1,
    Granularity.ACADEMIC_YEAR: 1,
    Granularity.TERM: 3,
    Granularity.ROLLING_12_MONTHS: 12,
    Granularity.YEAR_TO_DATE: 12,
}
# A granularity in the words of an explanation ("no month before Jun 2019").
PERIOD_WORDS = {
    Granularity.MONTH: "month",
    Granularity.QUARTER: "quarter",
    Granularity.HALF_YEAR: "half-year",
    Granularity.FINANCIAL_YEAR: "year",
    Granularity.ACADEMIC_YEAR: "academic year",
    Granularity.TERM: "term",
    Granularity.ROLLING_12_MONTHS: "rolling year",
    Granularity.YEAR_TO_DATE: "month",
}
# Finer first: the reporting period is the latest of the finest granularity holding values.
FINENESS = [
    Granularity.MONTH,
    Granularity.ROLLING_12_MONTHS,
    Granularity.YEAR_TO_DATE,
    Granularity.TERM,
    Granularity.QUARTER,
    Granularity.HALF_YEAR,
    Granularity.ACADEMIC_YEAR,
    Granularity.FINANCIAL_YEAR,
]


@dataclass(slots=True, unsafe_hash=True)
class Period(Record):
    """A period column: as labelled in the workbook, with what it means (treat as immutable)."""

    label: str
    kind: Granularity
    year: int  # first calendar year of the financial (or academic) year: 2018 for 2018-19
    quarter: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    step: int = 0  # counts periods of this granularity from a fixed origin: neighbours differ by one

    def __post_init__(self) -> None:
        if self.start is None or self.end is None:
            start, end, step = _span(self.kind, self.year, self.quarter)
            self.start, self.end, self.step = start, end, step

    @property
    def granularity(self) -> Granularity:
        return self.kind

    @property
    def sort_key(self) -> tuple[int, int]:
        """Time order by end date: a year end falls with that year's Q4 (both end in March)."""
        assert self.end is not None
        return (self.end.year, self.end.month * 40 + self.end.day)

    @property
    def quarter_index(self) -> int | None:
        """Quarters counted from a fixed origin, so neighbours differ by one."""
        return None if self.quarter is None else self.year * 4 + self.quarter - 1

    def is_quarter(self) -> bool:
        return self.kind is Granularity.QUARTER

    def details(self) -> dict[str, str]:
        """The `period_details` entry of `check --json`."""
        assert self.start is not None and self.end is not None
        return {
            "label": self.label,
            "granularity": self.kind.value,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _months(year: int, first_month: int, count: int) -> tuple[dt.date, dt.date]:
    """The span of `count` months from (year, first_month), month numbers running past 12."""
    y0, m0 = year + (first_month - 1) // 12, (first_month - 1) % 12 + 1
    last = first_month + count - 1
    y1, m1 = year + (last - 1) // 12, (last - 1) % 12 + 1
    return dt.date(y0, m0, 1), _month_end(y1, m1)


def _span(kind: Granularity, year: int, part: int | None) -> tuple[dt.date, dt.date, int]:
    """(start, end, step) of a period; `part` is the quarter, half, term or month number."""
    if kind is Granularity.QUARTER:
        assert part is not None
        start, end = _months(year, 4 + 3 * (part - 1), 3)
        return start, end, year * 4 + part - 1
    if kind is Granularity.HALF_YEAR:
        assert part is not None
        start, end = _months(year, 4 + 6 * (part - 1), 6)
        return start, end, year * 2 + part - 1
    if kind is Granularity.FINANCIAL_YEAR:
        start, end = _months(year, 4, 12)
        return start, end, year
    if kind is Granularity.ACADEMIC_YEAR:
        start, end = _months(year, 9, 12)
        return start, end, year
    if kind is Granularity.TERM:
        assert part is not None
        first, count = {1: (9, 4), 2: (13, 3), 3: (16, 5)}[part]
        start, end = _months(year, first, count)
        return start, end, year * 3 + part - 1
    # Months, rolling 12 months and year to date: `part` is the calendar month that ends them.
    assert part is not None
    calendar_year = year if part >= 4 else year + 1
    end = _month_end(calendar_year, part)
    if kind is Granularity.ROLLING_12_MONTHS:
        start = _months(calendar_year, part - 11, 12)[0]
    elif kind is Granularity.YEAR_TO_DATE:
        start = dt.date(year, 4, 1)
    else:
        start = dt.date(calendar_year, part, 1)
    return start, end, calendar_year * 12 + part - 1


def month_period(label: str, kind: Granularity, calendar_year: int, month: int) -> Period:
    """A period ending with a calendar month (a month, rolling 12 months or year to date)."""
    financial_year = calendar_year if month >= 4 else calendar_year - 1
    return Period(label=label, kind=kind, year=financial_year, quarter=month)


QUARTER_ENDING = {6: 1, 9: 2, 12: 3, 3: 4}  # a financial quarter by its last month


def quarters_by_last_month(periods: list[Period]) -> dict[Period, Period]:
    """Month columns that are a quarterly series named by each quarter's last month, as those quarters.

    "Jun-19, Sep-19, Dec-19" (or dates shown as months) is how many sheets label quarters: read as
    months, no column has a month before it and nothing gets an arrow. Only when every month column
    ends a quarter, there are at least two, and no two are under three months apart.
    """
    months = [p for p in periods if p.kind is Granularity.MONTH]
    steps = sorted(p.step for p in months)
    if len(months) < 2 or any(p.quarter not in QUARTER_ENDING for p in months):
        return {}
    if any(later - earlier < 3 for earlier, later in pairwise(steps)):
        return {}
    return {p: Period(label=p.label, kind=Granularity.QUARTER, year=p.year, quarter=QUARTER_ENDING[p.quarter or 0])
            for p in months}


def date_period(value: dt.date | dt.datetime) -> Period:
    """A date cell shown with a month format: the month it falls in, labelled "Jan 2017"."""
    return month_period(f"{calendar.month_abbr[value.month]} {value.year}", Granularity.MONTH, value.year, value.month)


# ---------------------------------------------------------------------------------------------
# Spellings. A label is read in three steps: drop the words that only say "this is a value"
# ("actual", "outturn", "value"), take out the financial or academic year ("2018/19", "18-19"),
# then look the rest up in the tables below.

_YEARS = re.compile(r"(?<![\d/])(?P<y1>\d{4}|\d{2})\s*[-/–]\s*(?P<y2>\d{4}|\d{2})(?![\d/])")
_YEAR = re.compile(r"(?<![\d/])(?P<y>(?:19|20)\d{2})(?![\d/])")
_VALUE_WORDS = r"actuals?|outturn|out-turn|value|result|performance|figure|position|data"
_VALUE_SUFFIX = re.compile(rf"\b(?:{_VALUE_WORDS})\b")
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_name) if name})
_MONTHS["sept"] = 9
_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH = re.compile(rf"^(?P<m>{_MONTH_WORD})\.?[\s\-']*(?P<y>\d{{4}}|\d{{2}})$")
_MONTH_SPAN = re.compile(rf"^(?P<m1>{_MONTH_WORD})\.?\s*[-–to ]+\s*(?P<m2>{_MONTH_WORD})\.?\s*(?P<y>\d{{4}})$")
# A quarter named inside running text ("Scorecard - Quarter 2, 2018-19"), for retitling.
QUARTER_MENTION = re.compile(
    r"\b(?:qu|qtr|quarter|q)\.?\s*[1-4]\s*[,:]?\s*(?:of\s+)?(?:fy\s*)?(?:\d{4}|\d{2})\s*[-/–]\s*(?:\d{4}|\d{2})\b",
    re.I,
)
_PARENS = re.compile(r"\(([^)]*)\)")

# What is left once the year is taken out -> (granularity, part). Whole-text matches.
_WITH_FINANCIAL_YEAR: list[tuple[re.Pattern[str], Granularity, int | None]] = [
    (
        re.compile(r"^(?:qu|qtr|quarter|q)\.?\s*(?P<n>[1-4])(?:st|nd|rd|th)?\s*[,:]?\s*(?:of)?\s*(?:fy)?$"),
        Granularity.QUARTER,
        None,
    ),
    (re.compile(r"^(?P<n>[1-4])(?:st|nd|rd|th)\s+(?:qu|qtr|quarter)$"), Granularity.QUARTER, None),
    (re.compile(r"^(?:h|half|half[- ]year)\s*(?P<n>[12])$"), Granularity.HALF_YEAR, None),
    (re.compile(r"^(?:mid[- ]?year|half[- ]year|6 months?|six months?)$"), Granularity.HALF_YEAR, 1),
    (re.compile(r"^(?:ay|academic year|academic|acad\.? yr\.?)$"), Granularity.ACADEMIC_YEAR, None),
    (re.compile(r"^(?:ytd|year to date)$"), Granularity.YEAR_TO_DATE, 3),
    (
        re.compile(
            r"^(?:(?:yr\.?|year|y)\s*[-.]?\s*end(?:ing)?|ye|fy|financial year|full year|year|annual|"
            r"(?:yr\.?|year)\s*end\s*(?:fy)?)?\s*$"
        ),
        Granularity.FINANCIAL_YEAR,
        None,
    ),
]
_TERMS = {"autumn": 1, "spring": 2, "summer": 3}
_TERM = re.compile(r"^(?P<t>autumn|spring|summer)(?:\s+term)?$")


def normalise_label(label: str) -> str:
    return " ".join(label.replace("\u00a0", " ").split())


def parse_period(label: object) -> Period | None:
    """'Qu 2 18-19', '2018/19 Q2', 'Outturn 2017/18', 'H1 2018/19', 'Jan-17', 'AY 2017/18' -> Period."""
    if isinstance(label, dt.date):
        return date_period(label)
    if not isinstance(label, str):
        return None
    text = normalise_label(label)
    found = _read(text.lower())
    if found is None:
        return None
    kind, year, part = found
    if kind in (Granularity.MONTH, Granularity.ROLLING_12_MONTHS, Granularity.YEAR_TO_DATE):
        assert part is not None
        if kind is Granularity.YEAR_TO_DATE and part == 3:  # "YTD 2018/19": the whole year so far
            return month_period(text, kind, year + 1, 3)
        return month_period(text, kind, year, part)
    return Period(label=text, kind=kind, year=year, quarter=part)


def _read(text: str) -> tuple[Granularity, int, int | None] | None:
    # Brackets say "Year End" or a month span: "2015/16 (Year End)", "Quarter 2 (Jul-Sep) 2018/19".
    text = _PARENS.sub(lambda m: " " + (m[1] if not _MONTH_SPAN_ANY.match(m[1].strip()) else "") + " ", text)
    text = " ".join(text.split())
    text = _VALUE_SUFFIX.sub("", text).strip()
    if (m := _MONTH.match(text)) is not None:
        year = int(m["y"]) if len(m["y"]) == 4 else 2000 + int(m["y"])
        return Granularity.MONTH, year, _MONTHS[m["m"]]
    if (m := _MONTH_SPAN.match(text)) is not None:
        return _month_span(_MONTHS[m["m1"]], _MONTHS[m["m2"]], int(m["y"]))
    years = list(_YEARS.finditer(text))
    if len(years) == 1 and (start := start_year(years[0]["y1"], years[0]["y2"])) is not None:
        rest = (text[: years[0].start()] + " " + text[years[0].end() :]).strip(" ,:-")
        rest = " ".join(rest.split())
        if "academic" in rest or rest.startswith("ay"):
            rest = rest.replace("academic year", "ay").replace("academic", "ay")
            return (Granularity.ACADEMIC_YEAR, start, None) if rest.strip() == "ay" else None
        for pattern, kind, part in _WITH_FINANCIAL_YEAR:
            if (m := pattern.match(rest)) is not None:
                number = part if part is not None else (int(m["n"]) if "n" in pattern.groupindex else None)
                return kind, start, number
        return None
    if len(years) == 0 and (m := _YEAR.search(text)) is not None:
        rest = " ".join((text[: m.start()] + " " + text[m.end() :]).split())
        if (t := _TERM.match(rest)) is not None:
            term = _TERMS[t["t"]]
            calendar_year = int(m["y"])
            return Granularity.TERM, calendar_year if term == 1 else calendar_year - 1, term
    return None


_MONTH_SPAN_ANY = re.compile(rf"^(?:{_MONTH_WORD})\.?\s*[-–]\s*(?:{_MONTH_WORD})\.?$")


def _month_span(first: int, last: int, calendar_year: int) -> tuple[Granularity, int, int | None] | None:
    """'Jul-Sep 2018' is Q2 2018/19; 'Apr-Sep 2018' is H1; 'Jan-Mar 2019' is Q4 2018/19."""
    length = (last - first) % 12 + 1
    financial_year = calendar_year if last >= 4 and first >= 4 else calendar_year - 1
    offset = (first - 4) % 12
    if length == 3 and offset % 3 == 0:
        return Granularity.QUARTER, financial_year, offset // 3 + 1
    if length == 6 and offset % 6 == 0:
        return Granularity.HALF_YEAR, financial_year, offset // 6 + 1
    return None


def full_year(text: str, century_hint: int = 2000) -> int:
    """"2018" -> 2018, "18" -> 2018."""
    value = int(text)
    return value if len(text) == 4 else century_hint + value


def start_year(y1: str, y2: str) -> int | None:
    """"2018/19", "18-19" and "2018-2019" all mean the year starting in 2018; "18-20" is no year."""
    start = full_year(y1)
    return start if int(y2) % 100 == (start + 1) % 100 else None


def year_label(year: int, style: str) -> str:
    """The financial year in the same style as an existing label ("18-19", "2018/19", "2018-2019")."""
    sep = "/" if "/" in style else "-"
    m = _YEARS.search(style)
    if m and len(m["y1"]) == 4 and len(m["y2"]) == 4:
        return f"{year}{sep}{year + 1}"
    if m and len(m["y1"]) == 4:
        return f"{year}{sep}{(year + 1) % 100:02d}"
    return f"{year % 100:02d}{sep}{(year + 1) % 100:02d}"


def relabel(period: Period, kind: Granularity, year: int, quarter: int | None, style: Period) -> Period:
    """A new period written the way `style` writes its label ("Qu 3 18-19" after "Qu 2 18-19")."""
    m = _YEARS.search(style.label)
    prefix = style.label[: m.start()] if m else style.label.rstrip() + " "
    suffix = style.label[m.end() :] if m else ""
    if style.kind is Granularity.QUARTER and kind is Granularity.QUARTER and quarter is not None:
        # The digit right after the quarter word: "Quarter 2, 2018-19", "Q2 of 2018-19", "2018/19 Q2".
        quarter_word = r"((?:qu|qtr|quarter|q)\.?\s*)[1-4]"
        if re.search(quarter_word, prefix, flags=re.I):
            prefix = re.sub(quarter_word, rf"\g<1>{quarter}", prefix, count=1, flags=re.I)
        else:
            suffix = re.sub(quarter_word, rf"\g<1>{quarter}", suffix, count=1, flags=re.I)
    label = f"{prefix}{year_label(year, style.label)}{suffix}"
    return Period(label=label, kind=kind, year=year, quarter=quarter)


def previous_quarter(period: Period) -> tuple[int, int]:
    """(year, quarter) of the quarter before: Q1 2018-19 -> Q4 2017-18."""
    assert period.quarter is not None
    return (period.year - 1, 4) if period.quarter == 1 else (period.year, period.quarter - 1)


def next_quarter(period: Period) -> tuple[int, int]:
    """(year, quarter) of the quarter after: Q4 2018-19 -> Q1 2019-20."""
    assert period.quarter is not None
    return (period.year + 1, 1) if period.quarter == 4 else (period.year, period.quarter + 1)


def previous_period(period: Period, periods: list[Period], years: int = 0) -> Period | None:
    """The period of the same granularity just before (`years=0`) or the same period a year earlier."""
    back = PER_YEAR[period.kind] if years else 1
    return next((p for p in periods if p.kind is period.kind and p.step == period.step - back), None)


def order_periods(periods: list[Period]) -> list[Period]:
    """Time order by end date; periods ending together keep their workbook order (stable sort)."""
    return sorted(periods, key=lambda p: p.sort_key)
