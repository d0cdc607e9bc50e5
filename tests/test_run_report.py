"""One run report: `check`, batch's report.csv/report.json and the web page show the same outcome.

A real `xlscorecard batch` run over the example and a copy saved by LibreOffice; the page is the real
app, and its findings come from the returns' sidecars and report.json, never from the returns.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import EXAMPLE, run_cli
from fastapi.testclient import TestClient
from pdf_pages import saved_by_libreoffice

from xlscorecard.web import create_app

PERIOD = "Qu 2 18-19"


@pytest.fixture(scope="module")
def outbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("run_report")
    inbox = root / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox)
    saved_by_libreoffice(EXAMPLE, inbox / "saved by libreoffice.xlsx")
    (inbox / "not a workbook.xlsx").write_bytes(b"junk")
    out = root / "outbox"
    result = run_cli("batch", inbox, "-o", out, "--workers", "1")
    assert result.returncode == 1, result.stderr  # the junk input failed; the other two converted
    return out


@pytest.fixture
def client(outbox: Path) -> Iterator[TestClient]:
    with TestClient(create_app(outbox)) as c:
        yield c


def report_csv(outbox: Path) -> dict[str, dict[str, str]]:
    with open(outbox / "report.csv", encoding="utf-8-sig", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


def check_json(workbook: Path) -> dict[str, Any]:
    result = run_cli("check", workbook, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_findings_page_of_a_batch_return_lists_what_check_json_lists(outbox: Path, client: TestClient) -> None:
    entries = {e["file"]: e for e in client.get("/api/returns").json()["returns"]}
    assert set(entries) == {EXAMPLE.name, "saved by libreoffice.xlsx"}
    for file, entry in entries.items():
        expected = check_json(outbox.parent / "inbox" / file)
        data = client.get(entry["findings_url"]).json()
        assert data["source"] == "sidecar" and data["reporting_period"] == PERIOD

        def seen(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
            return [(f["code"], f["cell"], f["message"]) for f in findings]

        assert seen(data["findings"]) == seen(expected["findings"]) and len(expected["findings"]) > 100
        assert data["findings_by_code"] == expected["counts"]["findings"]
        page = unescape(client.get(f"/returns/{quote(entry['name'])}/findings").text)
        for code, cell, message in seen(expected["findings"]):
            assert f"<code>{code}</code>" in page and f"<td>{cell or ''}</td>" in page and message in page


def test_report_csv_and_the_page_show_the_same_counts(outbox: Path, client: TestClient) -> None:
    rows = report_csv(outbox)
    assert rows["not a workbook.xlsx"]["status"] == "failed"
    for entry in client.get("/api/returns").json()["returns"]:
        row = rows[entry["file"]]
        findings = client.get(entry["findings_url"]).json()
        for shown in (entry, findings):
            assert shown["rag"] == {k: int(row[k]) for k in ("green", "amber", "red", "not_rated")}
            assert shown["findings_total"] == int(row["findings_total"]) == 111
            assert shown["findings_by_code"] == {
                code: int(row[code]) for code in shown["findings_by_code"]
            }
        assert sum(int(row[c]) for c in findings["findings_by_code"]) == int(row["findings_total"])
        page = unescape(client.get(f"/returns/{quote(entry['name'])}/findings").text)
        assert f'tag-green">{row["green"]}<' in page and f'tag-red">{row["red"]}<' in page
        assert f"All {row['findings_total']} findings" in page


def test_check_prints_the_same_counts_as_the_report(outbox: Path) -> None:
    row = report_csv(outbox)[EXAMPLE.name]
    result = run_cli("check", EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert f"Green {row['green']}" in result.stdout and f"Red {row['red']}" in result.stdout
    assert f"suppressed {row['suppressed']}" in result.stdout


def test_an_old_format_report_json_still_lists(tmp_path: Path, outbox: Path) -> None:
    """A report.json written before converted_at, sha256 and findings_total existed, with a field
    since dropped: the page lists its rows, and the return's findings still come from its sidecar."""
    old = tmp_path / "old"
    shutil.copytree(outbox, old)
    current = json.loads((old / "report.json").read_text(encoding="utf-8"))
    rows = []
    for row in current["rows"]:
        row = {k: v for k, v in row.items() if k not in {"converted_at", "sha256", "findings_total"}}
        row["warnings"] = 0  # gone since
        rows.append(row)
    (old / "report.json").write_text(json.dumps({"generated_at": "2019-01-15T09:30:00", "version": "0.0.9",
                                                  "rules": None, "rows": rows}), encoding="utf-8")
    with TestClient(create_app(old)) as c:
        data = c.get("/api/returns").json()
        assert {e["file"] for e in data["returns"]} == {EXAMPLE.name, "saved by libreoffice.xlsx"}
        assert [e["file"] for e in data["failed"]] == ["not a workbook.xlsx"]
        entry = next(e for e in data["returns"] if e["file"] == EXAMPLE.name)
        assert entry["rag"] == {"green": 10, "amber": 7, "red": 14, "not_rated": 73}
        assert c.get(entry["findings_url"]).json()["findings_total"] == 111
        assert EXAMPLE.name in c.get("/").text


def test_a_return_without_sidecar_or_record_says_its_findings_are_not_available(
    tmp_path: Path, outbox: Path
) -> None:
    folder = tmp_path / "bare"
    folder.mkdir()
    entry_name = next(p.name for p in outbox.glob("*.xlsx"))
    shutil.copy(outbox / entry_name, folder / entry_name)
    with TestClient(create_app(folder)) as c:
        r = c.get(f"/api/returns/{quote(entry_name)}/findings")
        assert r.status_code == 404 and "no findings are available" in r.json()["detail"]
        page = c.get(f"/returns/{quote(entry_name)}/findings")
        assert page.status_code == 404 and "no findings are available" in unescape(page.text)
