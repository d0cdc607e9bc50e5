"""Period columns (DESIGN 3): recognised by pattern, financial-year quarters, put in time order."""

from __future__ import annotations

import random

import pytest
from conftest import HEADER, pi, small_sheet, write_workbook

from xlscorecard.api import load_scorecard
from xlscorecard.core.reading.periods import PeriodKind, order_periods, parse_period, previous_quarter

QUARTER, YEAR_END = PeriodKind.QUARTER, PeriodKind.YEAR_END


@pytest.mark.parametrize(
    ("label", "kind", "year", "quarter"),
    [
        ("Qu 2 18-19", QUARTER, 2018, 2),
        ("Q2 2018/19", QUARTER, 2018, 2),
        ("Quarter 2 2018-19", QUARTER, 2018, 2),
        ("Q1 2018-2019", QUARTER, 2018, 1),
        ("Qtr 3 18/19", QUARTER, 2018, 3),
        ("qu 4 17-18", QUARTER, 2017, 4),
        ("Quarter 2 2018–19", QUARTER, 2018, 2),  # en dash
        ("Yr. end 17-18", YEAR_END, 2017, None),
        ("Year End 2017/18", YEAR_END, 2017, None),
        ("Yr end 18-19", YEAR_END, 2018, None),
        ("Year ending 2017/18", YEAR_END, 2017, None),
    ],
)
def test_period_labels(label: str, kind: PeriodKind, year: int, quarter: int | None) -> None:
    period = parse_period(label)
    assert period is not None
    assert (period.kind, period.year, period.quarter) == (kind, year, quarter)
    assert period.label == label, "the label is kept as written"


@pytest.mark.parametrize(
    "label", ["Q5 18-19", "Qu 2", "2018-20", "Target", "Comments", "England 2017/18", "", None, 2018, 0.5]
)
def test_non_periods(label: object) -> None:
    assert parse_period(label) is None


@pytest.mark.parametrize(
    ("label", "previous"),
    [
        ("Qu 1 18-19", (2017, 4)),  # Q1 (Apr-Jun) follows the prior financial year's Q4 (Jan-Mar)
        ("Qu 2 18-19", (2018, 1)),
        ("Qu 4 18-19", (2018, 3)),
        ("Q1 2019/20", (2018, 4)),
    ],
)
def test_previous_quarter(label: str, previous: tuple[int, int]) -> None:
    period = parse_period(label)
    assert period is not None
    assert previous_quarter(period) == previous


def test_order_puts_quarters_in_financial_year_order() -> None:
    labels = ["Yr. end 17-18", "Qu 4 17-18", "Qu 1 18-19", "Qu 2 18-19", "Qu 3 18-19", "Qu 4 18-19", "Yr. end 18-19"]
    # Q4 17-18 (Jan-Mar 2018) comes before Q1 18-19 (Apr-Jun 2018): calendar order would get this wrong.
    shuffled = ["Qu 3 18-19", "Qu 1 18-19", "Yr. end 18-19", "Qu 4 18-19", "Qu 2 18-19", "Yr. end 17-18", "Qu 4 17-18"]
    periods = [parse_period(p) for p in shuffled]
    ordered = [p.label for p in order_periods([p for p in periods if p is not None])]
    # Year end and Q4 of the same year both end in March: their relative order is not asserted.
    assert ordered.index("Yr. end 17-18") < ordered.index("Qu 1 18-19")
    assert ordered.index("Qu 4 17-18") < ordered.index("Qu 1 18-19")
    assert [p for p in ordered if p.startswith("Qu")] == [p for p in labels if p.startswith("Qu")]
    assert ordered.index("Yr. end 18-19") > ordered.index("Qu 3 18-19")


def test_workbook_with_period_columns_out_of_order(tmp_path) -> None:
    header = [*HEADER[:7], "Qu 2 18-19", "Qu 4 17-18", "Qu 1 18-19", "RAG", "Quarterly dir of travel", "Comments"]
    #         A      B                     C-G                     H (Q2) I (Q4)  J (Q1)
    pi_row = ["1.1", "Number of contacts", None, None, None, None, None, 2200, 2458, 2374]
    rows = [["T"], [], header, ["Section A"], pi_row]
    sc = load_scorecard(write_workbook(tmp_path / "shuffled.xlsx", rows))
    assert sc.period_labels == ["Qu 4 17-18", "Qu 1 18-19", "Qu 2 18-19"]
    assert sc.reporting_period == "Qu 2 18-19"
    values = sc.indicator("1.1").values
    assert (values["Qu 2 18-19"].number, values["Qu 2 18-19"].cell) == (2200, "H5")
    assert (values["Qu 4 17-18"].number, values["Qu 4 17-18"].cell) == (2458, "I5")


def test_reporting_period_is_latest_quarter_with_any_value(tmp_path) -> None:
    rows = small_sheet(
        pi("1.1", "Number of contacts", q4=10, q1=11),
        pi("1.2", "Number of referrals", q4=5),
    )
    sc = load_scorecard(write_workbook(tmp_path / "q1.xlsx", rows))
    assert sc.reporting_period == "Qu 1 18-19", "Qu 2 18-19 is empty for every PI"


def test_named_reporting_period_in_another_wording(tmp_path) -> None:
    rows = small_sheet(pi("1.1", "Number of contacts", q4=10, q1=11, q2=12))
    path = write_workbook(tmp_path / "q.xlsx", rows)
    assert load_scorecard(path, period="Q1 2018/19").reporting_period == "Qu 1 18-19"
    assert load_scorecard(path, period="qu 4 17-18").reporting_period == "Qu 4 17-18"


def test_any_permutation_of_quarters_sorts_to_time_order() -> None:
    """order_periods is a stable sort: any permutation of distinct quarters gives one order."""
    quarters = [f"Q{q} {y}/{(y + 1) % 100:02d}" for y in (2017, 2018, 2019) for q in (1, 2, 3, 4)]
    rng = random.Random(4)
    for _ in range(20):
        shuffled = quarters[:]
        rng.shuffle(shuffled)
        parsed = [parse_period(s) for s in shuffled]
        assert [p.label for p in order_periods([p for p in parsed if p is not None])] == quarters


@pytest.mark.parametrize("label", ["Qu 1 18-20", "Q2 2018/2020", "Year End 2017/19"])
def test_a_span_that_is_not_one_financial_year_is_not_a_period(label: str) -> None:
    assert parse_period(label) is None
