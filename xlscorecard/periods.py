"""Reporting periods: quarters of the financial year (Q1 = Apr-Jun) and year ends (DESIGN 3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from xlscorecard.records import Record


class PeriodKind(StrEnum):
    QUARTER = "quarter"
    YEAR_END = "year-end"


_YEARS = r"(?P<y1>\d{4}|\d{2})\s*[-/–]\s*(?P<y2>\d{4}|\d{2})"
_QUARTER = re.compile(rf"^(?:qu|qtr|quarter|q)\.?\s*(?P<q>[1-4])\s*[,:]?\s*(?:of\s+)?(?:fy\s*)?{_YEARS}$", re.I)
_YEAR_END = re.compile(
    rf"^(?:(?:yr\.?|year|y)\s*[-.]?\s*end(?:ing)?|ye)\s*(?:fy\s*)?{_YEARS}$",
    re.I,
)


@dataclass(slots=True, unsafe_hash=True)
class Period(Record):
    """A period column: as labelled in the workbook, with what it means (treat as immutable)."""

    label: str
    kind: PeriodKind
    year: int  # first calendar year of the financial year: 2018 for 2018-19
    quarter: int | None = None

    @property
    def sort_key(self) -> tuple[int, int]:
        """Time order. A year end falls with that year's Q4 (both are end of March)."""
        return (self.year, self.quarter if self.quarter is not None else 4)

    @property
    def quarter_index(self) -> int | None:
        """Quarters counted from a fixed origin, so neighbours differ by one."""
        return None if self.quarter is None else self.year * 4 + self.quarter - 1

    def is_quarter(self) -> bool:
        return self.kind is PeriodKind.QUARTER


def _full_year(text: str, century_hint: int = 2000) -> int:
    value = int(text)
    return value if len(text) == 4 else century_hint + value


def parse_period(label: object) -> Period | None:
    """'Qu 2 18-19', 'Q2 2018/19', 'Quarter 2 2018-19', 'Yr. end 17-18', 'Year End 2017/18' -> Period."""
    if not isinstance(label, str):
        return None
    text = " ".join(label.split())
    if (m := _QUARTER.match(text)) and (year := _start_year(m["y1"], m["y2"])) is not None:
        return Period(label=text, kind=PeriodKind.QUARTER, year=year, quarter=int(m["q"]))
    if (m := _YEAR_END.match(text)) and (year := _start_year(m["y1"], m["y2"])) is not None:
        return Period(label=text, kind=PeriodKind.YEAR_END, year=year)
    return None


def _start_year(y1: str, y2: str) -> int | None:
    """"2018/19", "18-19" and "2018-2019" all mean the year starting April 2018; "18-20" is no year."""
    start = _full_year(y1)
    return start if int(y2) % 100 == (start + 1) % 100 else None


def year_label(year: int, style: str) -> str:
    """The financial year in the same style as an existing label ("18-19", "2018/19", "2018-2019")."""
    sep = "/" if "/" in style else "-"
    m = re.search(_YEARS, style)
    if m and len(m["y1"]) == 4 and len(m["y2"]) == 4:
        return f"{year}{sep}{year + 1}"
    if m and len(m["y1"]) == 4:
        return f"{year}{sep}{(year + 1) % 100:02d}"
    return f"{year % 100:02d}{sep}{(year + 1) % 100:02d}"


def relabel(period: Period, kind: PeriodKind, year: int, quarter: int | None, style: Period) -> Period:
    """A new period written the way `style` writes its label ("Qu 3 18-19" after "Qu 2 18-19")."""
    m = re.search(_YEARS, style.label)
    prefix = style.label[: m.start()] if m else style.label.rstrip() + " "
    if style.kind is PeriodKind.QUARTER and kind is PeriodKind.QUARTER and quarter is not None:
        # The digit right after the quarter word: "Quarter 2, 2018-19" and "Q2 of 2018-19" too.
        prefix = re.sub(r"^((?:qu|qtr|quarter|q)\.?\s*)[1-4]", rf"\g<1>{quarter}", prefix, count=1, flags=re.I)
    label = f"{prefix}{year_label(year, style.label)}"
    return Period(label=label, kind=kind, year=year, quarter=quarter)


def previous_quarter(period: Period) -> tuple[int, int]:
    """(year, quarter) of the quarter before: Q1 2018-19 -> Q4 2017-18."""
    assert period.quarter is not None
    return (period.year - 1, 4) if period.quarter == 1 else (period.year, period.quarter - 1)


def order_periods(periods: list[Period]) -> list[Period]:
    """Time order; periods at the same moment keep their workbook order (stable sort)."""
    return sorted(periods, key=lambda p: p.sort_key)
