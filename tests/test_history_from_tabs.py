"""Issue 13 item 9: earlier tabs supply the history the latest tab lacks.

The workbook is tests/councils/tabs_own_quarter.xlsx (Kingsbridge, built by make_fixtures.py and
re-saved by LibreOffice), and the same workbook as openpyxl writes it: tabs "Q1 2018-19" (no ref
column), "Q2 2018-19" (PIs in reverse order) and "Q3 2018-19", each holding its own quarter; the
Q3 tab also has a revised "Qu 2 18-19" column, blank for every PI but K3 (91%, where the Q2 tab
says 84%). Expected numbers are worked by hand from make_fixtures.py; cells are counted on its rows.
The core merge is tested with plain Grids; the shells through the real console script.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import EXAMPLE, run_cli

from xlscorecard import api
from xlscorecard.core.errors import WorkbookError
from xlscorecard.core.findings import Code
from xlscorecard.core.grid import Grid
from xlscorecard.core.reading import read_scorecard
from xlscorecard.core.reading.history import fill_history

COUNCILS = Path(__file__).resolve().parent / "councils"
KINGSBRIDGE = COUNCILS / "tabs_own_quarter.xlsx"
SERVICES = COUNCILS / "tabs_per_service.xlsx"

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported")


def _builder() -> Any:
    spec = importlib.util.spec_from_file_location("make_fixtures", COUNCILS / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.fixture(scope="module", params=["libreoffice", "openpyxl"])
def workbook(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Kingsbridge workbook as LibreOffice saved it (committed), and as openpyxl writes it."""
    if request.param == "libreoffice":
        return KINGSBRIDGE
    path = tmp_path_factory.mktemp("openpyxl") / "tabs_own_quarter.xlsx"
    _builder().tabs_own_quarter().save(path)
    return path


def check(path: Path, *args: str) -> dict[str, Any]:
    result = run_cli("check", path, "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def pi(report: dict[str, Any], ref: str) -> dict[str, Any]:
    [found] = [i for i in report["indicators"] if i["ref"] == ref]
    return found


def history_findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"] == "history-from-sheet"]


# ------------------------------------------------------------------ the whole path: check --json


@pytest.fixture(scope="module")
def report(workbook: Path) -> dict[str, Any]:
    return check(workbook)


def test_the_libreoffice_fixture_was_saved_by_libreoffice() -> None:
    import zipfile

    with zipfile.ZipFile(KINGSBRIDGE) as zf:
        assert "LibreOffice" in zf.read("docProps/app.xml").decode("utf-8")


def test_previous_quarter_only_on_the_earlier_tab_gives_travel_and_its_explanation(report: dict[str, Any]) -> None:
    assert report["sheet"] == "Q3 2018-19"
    k2 = pi(report, "K2")  # low is good: 23% on the Q2 tab, 22.5% now: down, improving
    assert k2["travel"]["direction"] == "down" and k2["travel"]["meaning"] == "improving"
    assert k2["travel"]["previous_period"] == "Qu 2 18-19"
    assert "23%" in k2["travel"]["explanation"] and "22.5%" in k2["travel"]["explanation"]
    k4 = pi(report, "K4")  # low is good: 270 -> 290, up, worsening
    assert (k4["travel"]["direction"], k4["travel"]["meaning"]) == ("up", "worsening")
    assert "270" in k4["travel"]["explanation"]
    k5 = pi(report, "K5")  # high is good: 96% -> 93%
    assert (k5["travel"]["direction"], k5["travel"]["meaning"]) == ("down", "worsening")


def test_a_value_from_another_tab_names_its_sheet_and_cell(report: dict[str, Any]) -> None:
    # Q2 tab rows: K8 5, K5 6, K4 7, K3 8, K2 9, K1 10; the quarter is column E.
    assert pi(report, "K2")["values"]["Qu 2 18-19"]["cell"] == "'Q2 2018-19'!E9"
    assert pi(report, "K2")["values"]["Qu 2 18-19"]["number"] == pytest.approx(23)
    assert pi(report, "K1")["values"]["Qu 2 18-19"]["cell"] == "'Q2 2018-19'!E10"
    # The Q1 tab has no ref column: its PIs are matched by wording (another case and spacing there).
    k4 = pi(report, "K4")["values"]["Q1 2018/19"]  # typed in capitals on the Q1 tab
    assert (k4["number"], k4["cell"]) == (265, "'Q1 2018-19'!D8")
    assert pi(report, "K2")["values"]["Q1 2018/19"]["cell"] == "'Q1 2018-19'!D6"
    # The chosen tab's own cells stay plain.
    assert pi(report, "K2")["values"]["Qu 3 18-19"]["cell"] == "F6"


def test_a_finding_on_a_value_from_another_tab_names_that_cell(report: dict[str, Any]) -> None:
    # K8 has nothing for Q3: it is rated on its Q2 value from the Q2 tab, and that is stale.
    [stale] = [f for f in report["findings"] if f["code"] == "stale" and f["ref"] == "K8"]
    assert stale["cell"] == "'Q2 2018-19'!E5"
    assert pi(report, "K8")["rag"]["rating"] == "amber"  # 58% vs 60%: short by 3.3%


def test_one_info_finding_per_tab_with_its_counts_and_periods(report: dict[str, Any]) -> None:
    found = {f["message"].split("'")[1]: f for f in history_findings(report)}
    assert set(found) == {"Q1 2018-19", "Q2 2018-19"}
    for f in found.values():
        assert f["severity"] == "info" and f["sheet"] == "Q3 2018-19"
    # Q2 tab: K1, K2, K4, K5, K8 (K3's Q2 is the Q3 tab's own). Q1 tab: K1-K5 and K8 (K7 is no PI now).
    assert "5 values for 5 PIs" in found["Q2 2018-19"]["message"]
    assert "Qu 2 18-19" in found["Q2 2018-19"]["message"]
    assert "6 values for 6 PIs" in found["Q1 2018-19"]["message"]
    assert "Q1 2018/19" in found["Q1 2018-19"]["message"]


def test_a_period_only_on_an_earlier_tab_joins_the_scorecard_in_time_order(report: dict[str, Any]) -> None:
    assert report["periods"] == ["Q1 2018/19", "Qu 2 18-19", "Qu 3 18-19"]
    assert report["reporting_period"] == "Qu 3 18-19"
    assert "K7" not in {i["ref"] for i in report["indicators"]}  # a PI only earlier tabs hold is not added


def test_the_chosen_tab_wins_over_a_different_earlier_value(report: dict[str, Any]) -> None:
    k3 = pi(report, "K3")  # the Q3 tab's revised Q2 is 91%; the Q2 tab said 84%
    q2 = k3["values"]["Qu 2 18-19"]
    assert q2["number"] == pytest.approx(91) and q2["cell"] == "E7"
    assert k3["travel"]["direction"] == "same"  # 91% -> 90% is within 2%; 84% -> 90% would be up
    assert "91%" in k3["travel"]["explanation"]


def test_other_tabs_own_findings_are_not_repeated(report: dict[str, Any]) -> None:
    # The Q2 tab's "Comments" column and the Q1 tab's cells are read, but only the info finding tells.
    assert all(f["sheet"] == "Q3 2018-19" for f in report["findings"])
    other_tab_cells = [f for f in report["findings"] if f["code"] != "stale" and "!" in (f["cell"] or "")]
    assert not other_tab_cells


def test_a_named_earlier_tab_takes_nothing_from_a_later_tab(workbook: Path) -> None:
    report = check(workbook, "--sheet", "Q2 2018-19")
    assert report["sheet"] == "Q2 2018-19"
    assert report["periods"] == ["Q1 2018/19", "Quarter 2 (Jul-Sep) 2018/19"]  # no Q3 from the Q3 tab
    assert report["reporting_period"] == "Quarter 2 (Jul-Sep) 2018/19"
    k3 = pi(report, "K3")  # its own Q2, 84% (not the Q3 tab's revision), against Q1's 82% from the Q1 tab
    assert k3["values"]["Quarter 2 (Jul-Sep) 2018/19"]["number"] == pytest.approx(84)
    assert k3["values"]["Q1 2018/19"]["cell"] == "'Q1 2018-19'!D7"
    assert k3["travel"]["direction"] == "up"
    [history] = history_findings(report)
    assert "'Q1 2018-19'" in history["message"] and "Q3 2018-19" not in history["message"]


def test_an_earlier_tab_that_cannot_be_read_is_a_warning_not_silence(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_grid = api.read_grid

    def failing_q1(path: Any, sheet: str | None = None, **kwargs: Any) -> Any:
        if sheet == "Q1 2018-19":
            raise WorkbookError("sheet 'Q1 2018-19' is damaged", path)
        return read_grid(path, sheet=sheet, **kwargs)

    monkeypatch.setattr(api, "read_grid", failing_q1)
    assessment = api.check_file(workbook)
    [unread] = [f for f in assessment.findings if f.code is Code.HISTORY_UNREAD]
    assert unread.severity == "warning" and unread.sheet == "Q3 2018-19"
    assert "'Q1 2018-19'" in unread.message and "is damaged" in unread.message
    # The readable tab still supplies its history; the unreadable one supplies nothing.
    supplied = [f.message for f in assessment.findings if f.code is Code.HISTORY_FROM_SHEET]
    assert supplied and all("'Q1 2018-19'" not in m for m in supplied)


def test_sheet_all_reads_each_tab_alone(workbook: Path) -> None:
    result = run_cli("check", workbook, "--sheet", "all", "--json")
    assert result.returncode == 0, result.stderr
    scorecards = {sc["sheet"]: sc for sc in json.loads(result.stdout)["scorecards"]}
    assert set(scorecards) == {"Q1 2018-19", "Q2 2018-19", "Q3 2018-19"}
    assert scorecards["Q3 2018-19"]["periods"] == ["Qu 2 18-19", "Qu 3 18-19"]
    assert pi(scorecards["Q3 2018-19"], "K2")["values"]["Qu 2 18-19"]["number"] is None
    assert not any(history_findings(sc) for sc in scorecards.values())


# ------------------------------------------------------------------ the return


def test_the_returns_quarter_on_quarter_sheet_shows_the_earlier_value(workbook: Path, tmp_path: Path) -> None:
    result = run_cli("convert", workbook, "-o", f"{tmp_path}/")
    assert result.returncode == 0, result.stderr
    [written] = tmp_path.glob("*.xlsx")
    wb = openpyxl.load_workbook(written)
    qoq = wb["Quarter on quarter"]
    assert [c.value for c in qoq[1][:5]] == ["PI", "Measure", "Section", "Qu 2 18-19", "Qu 3 18-19"]
    rows = {row[0].value: row for row in qoq.iter_rows(min_row=2)}
    k2 = rows["K2"]
    assert k2[3].value == pytest.approx(0.23) and k2[3].number_format.endswith("%")
    assert k2[4].value == pytest.approx(0.225)
    assert k2[7].value == "↓" and k2[8].value == "improving"
    assert k2[3].comment is not None and "'Q2 2018-19'" in k2[3].comment.text and "E9" in k2[3].comment.text
    assert rows["K3"][3].value == pytest.approx(0.91) and rows["K3"][3].comment is None  # the Q3 tab's own
    # The Data quality sheet names the other tab's cell, without a link into this workbook.
    dq = wb["Data quality"]
    [stale] = [row for row in dq.iter_rows(min_row=2) if row[0].value == "stale"]
    assert stale[3].value == "'Q2 2018-19'!E5" and stale[3].hyperlink is None
    # No note lands on the return's Scorecard sheet for a cell that is on another tab.
    notes = {c.coordinate for row in wb["Scorecard"].iter_rows() for c in row if c.comment}
    assert notes == {"F11"}  # K8's missing Q3 value, on the sheet itself


# ------------------------------------------------------------------ tabs per service; one-sheet workbooks


@pytest.mark.parametrize("args", [[], ["--sheet", "Social Care"]], ids=["default", "named"])
def test_tabs_per_service_get_no_fill_and_no_history_finding(args: list[str]) -> None:
    report = check(SERVICES, *args)
    assert not history_findings(report)
    assert report["periods"] == ["Q1 2018/19", "Q2 2018/19"]
    for ind in report["indicators"]:
        assert all("!" not in (v["cell"] or "") for v in ind["values"].values()), ind["ref"]


def test_a_one_sheet_workbook_reads_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_grid, real_heads = api.read_grid, api.read_sheet_heads
    monkeypatch.setattr(api, "read_grid", lambda *a, **k: calls.append("grid") or real_grid(*a, **k))
    monkeypatch.setattr(api, "read_sheet_heads", lambda *a, **k: calls.append("heads") or real_heads(*a, **k))
    one = COUNCILS / "eastborough_year_first.xlsx"
    wb = openpyxl.load_workbook(one, read_only=True)
    [name] = wb.sheetnames
    wb.close()
    api.load_scorecard(one)
    assert calls == ["grid"]
    calls.clear()
    api.load_scorecard(one, sheet=name)  # a named sheet of a one-sheet workbook: the same single read
    assert calls == ["grid"]


def test_the_example_workbook_is_unchanged_by_history() -> None:
    with_history = api.check_file(EXAMPLE)
    without = api.check_file(EXAMPLE, history=False)
    assert with_history.scorecard.periods == without.scorecard.periods
    assert [(r.rag.rating, r.travel.direction) for r in with_history.results] == [
        (r.rag.rating, r.travel.direction) for r in without.results]
    assert not [f for f in with_history.findings if f.code is Code.HISTORY_FROM_SHEET]


# ------------------------------------------------------------------ the merge itself (core, plain values)


def tab(sheet: str, header: list[str], *rows: list[Any]) -> Any:
    return read_scorecard(Grid.from_rows([header, *rows], sheet=sheet))


def test_periods_match_by_dates_not_label_text() -> None:
    chosen = tab("Now", ["Ref", "Measure", "Polarity", "Target", "Qu 2 18-19", "Qu 3 18-19"],
                 ["A1", "Thing", "High", 10, None, 12])
    earlier = tab("Before", ["PI No", "Indicator", "Good is", "Target", "2018/19 Q2", "Jul-Sep 2018"],
                  ["A1", "Thing", "High", 10, 8, 9])  # two spellings of one quarter: the first is taken
    filled = fill_history(chosen, [earlier])
    assert [p.label for p in filled.periods] == ["Qu 2 18-19", "Qu 3 18-19"]
    obs = filled.indicators[0].values["Qu 2 18-19"]
    assert obs.number == 8 and obs.cell == "'Before'!E2"


def test_a_marker_on_the_chosen_tab_is_a_value_and_wins() -> None:
    chosen = tab("Now", ["Ref", "Measure", "Q1 2018/19", "Q2 2018/19"], ["A1", "Thing", "supressed", 5])
    earlier = tab("Before", ["Ref", "Measure", "Q1 2018/19"], ["A1", "Thing", 4])
    filled = fill_history(chosen, [earlier])
    assert filled is chosen  # nothing supplied: the same scorecard, no finding
    assert filled.indicators[0].values["Q1 2018/19"].status.value == "suppressed"


def test_newest_tab_first_and_nothing_after_the_chosen_tabs_latest_period() -> None:
    chosen = tab("Q2", ["Ref", "Measure", "Q2 2018/19"], ["A1", "Thing", 5])
    q1 = tab("Q1", ["Ref", "Measure", "Q4 2017/18", "Q1 2018/19"], ["A1", "Thing", 2, 3])
    q1_revised = tab("Q1 rev", ["Ref", "Measure", "Q1 2018/19"], ["A1", "Thing", 3.5])
    q3 = tab("Q3", ["Ref", "Measure", "Q1 2018/19", "Q2 2018/19", "Q3 2018/19"], ["A1", "Thing", 3.2, 6, 7])
    filled = fill_history(chosen, [q1, q1_revised, q3])
    values = filled.indicators[0].values
    assert [p.label for p in filled.periods] == ["Q4 2017/18", "Q1 2018/19", "Q2 2018/19"]
    assert values["Q2 2018/19"].number == 5  # the chosen tab's own
    assert values["Q1 2018/19"].number == 3.2 and values["Q1 2018/19"].cell == "'Q3'!C2"  # the newest tab's
    assert values["Q4 2017/18"].cell == "'Q1'!C2"
    assert "Q3 2018/19" not in values
    supplied = [f.message for f in filled.findings if f.code is Code.HISTORY_FROM_SHEET]
    assert len(supplied) == 2 and not any("'Q1 rev'" in m for m in supplied)


def test_no_values_finding_goes_when_another_tab_supplies_a_value() -> None:
    chosen = tab("Now", ["Ref", "Measure", "Q1 2018/19", "Q2 2018/19"], ["A1", "Thing", None, None],
                 ["A2", "Other", 1, 2])
    assert [f.ref for f in chosen.findings if f.code is Code.NO_VALUES] == ["A1"]
    filled = fill_history(chosen, [tab("Before", ["Ref", "Measure", "Q1 2018/19"], ["A1", "Thing", 4])])
    assert not [f for f in filled.findings if f.code is Code.NO_VALUES]
    assert filled.indicators[0].values["Q1 2018/19"].number == 4


def test_sheet_names_with_quotes_are_quoted_as_excel_does() -> None:
    chosen = tab("Now", ["Ref", "Measure", "Q1 2018/19", "Q2 2018/19"], ["A1", "Thing", None, 2])
    filled = fill_history(chosen, [tab("Nick's Q1", ["Ref", "Measure", "Q1 2018/19"], ["A1", "Thing", 4])])
    assert filled.indicators[0].values["Q1 2018/19"].cell == "'Nick''s Q1'!C2"


# ------------------------------------------------------------------ the add-in meets a sheet-qualified cell


def test_addin_flags_and_links_a_cell_of_another_tab_where_it_is() -> None:
    from xlscorecard.addin import buttons
    from xlscorecard.addin.flags import flags_of

    findings = api.check_file(KINGSBRIDGE).findings
    [stale] = [f for f in findings if f.code is Code.STALE]
    assert stale.cell == "'Q2 2018-19'!E5"
    flagged = flags_of(findings)
    assert "F11" in flagged  # K8's missing Q3 value, on the scorecard's own sheet
    assert not [cell for cell in flagged if "!" in cell]  # never painted at a made-up address of this sheet
    assert buttons._place(stale) == "'Q2 2018-19'!E5"  # the Findings sheet links to the other tab's cell
    [missing] = [f for f in findings if f.code is Code.MISSING]
    assert buttons._place(missing) == "'Q3 2018-19'!F11"


def test_a_blank_later_column_of_the_chosen_tab_is_not_filled_from_a_later_tab() -> None:
    # A Q1 return whose Q2 column is still empty: its latest period is Q1, so Q2's tab gives it nothing.
    chosen = tab("Q1", ["Ref", "Measure", "Q1 2018/19", "Q2 2018/19"], ["A1", "Thing", 3, None])
    later = tab("Q2", ["Ref", "Measure", "Q1 2018/19", "Q2 2018/19"], ["A1", "Thing", 3, 4])
    assert chosen.reporting_period == "Q1 2018/19"
    assert fill_history(chosen, [later]) is chosen
