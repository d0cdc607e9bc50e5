"""The sidecar's streamed JSON is the `check --json` object, whichever encoder writes it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import EXAMPLE

from xlscorecard import api, report
from xlscorecard.core.assessment import Assessment
from xlscorecard.core.observation import Status

COUNCILS = Path(__file__).parent / "councils"
NEED_A_PROFILE = {"no_periods", "westshire_unknown"}  # read only once the user names their columns
WORKBOOKS = [EXAMPLE, *sorted(p for p in COUNCILS.glob("*.xlsx") if p.stem not in NEED_A_PROFILE)]


def streamed(assessment: Assessment) -> bytes:
    out = io.BytesIO()
    report.write_json(assessment, out)
    return out.getvalue()


@pytest.mark.parametrize("workbook", WORKBOOKS, ids=lambda p: p.stem)
def test_streamed_json_reads_back_as_check_json(workbook: Path) -> None:
    assessment = api.check_file(workbook)
    written = streamed(assessment)
    expected = report.to_json(assessment)
    assert json.loads(written) == expected
    assert len(expected["indicators"]) == len(assessment.scorecard.indicators) > 0
    # The values keep their cells and families: what a reader of the sidecar looks up.
    first = json.loads(written)["indicators"][0]
    some_value = next(v for v in first["values"].values() if v["cell"])
    assert some_value["status"] in {status.value for status in Status}


@pytest.mark.parametrize("workbook", WORKBOOKS[:4], ids=lambda p: p.stem)
def test_without_orjson_the_standard_encoder_writes_the_same_object(
    workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment = api.check_file(workbook)
    fast = json.loads(streamed(assessment))
    monkeypatch.setattr(report, "orjson", None)
    plain = streamed(assessment)
    assert json.loads(plain) == fast


def test_records_are_written_as_their_json_dictionaries() -> None:
    assessment = api.check_file(EXAMPLE)
    entry = next(report.indicator_entries(assessment))
    written = json.loads(report.compact_json(entry))
    assert written == next(report.indicators_json(assessment))
    assert written["target"]["cell"] and written["rag"]["rating"] in {"red", "amber", "green", None}
