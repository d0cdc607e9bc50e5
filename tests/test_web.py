"""The officers' web page through its HTTP interface (FastAPI's TestClient): list, download, upload.

DIR is built the way a batch run leaves it: the example converted with api.convert_file and a
report.json in the batch report's shape. Every refusal is checked for its status, its one-line
reason, and for leaving nothing behind: no temporary file in DIR and no change outside it.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import shutil
import warnings
import zipfile
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import openpyxl
import pytest
from conftest import EXAMPLE, run_cli

from xlscorecard import api
from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.run_report import outcome_of
from xlscorecard.web import create_app

with warnings.catch_warnings():
    # Starlette asks for httpx2; the httpx that is installed works the same for these tests.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIMIT = 200 * 1024  # the example is about 27 KB
PERIOD = "Qu 2 18-19"


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def example_assessment_json() -> dict[str, Any]:
    from xlscorecard.report import to_json

    return to_json(api.check_file(EXAMPLE))


def make_returns_dir(root: Path, assessment: dict[str, Any]) -> tuple[Path, Path]:
    """DIR as a batch run leaves it: one return and report.json (one converted row, one failed)."""
    root.mkdir()
    converted = api.convert_file(EXAMPLE, out=root)
    rag = assessment["counts"]["rag"]
    findings = assessment["counts"]["findings"]
    report = {
        "generated_at": "2019-01-15T09:30:00+00:00",
        "version": "0.1.0",
        "rules": None,
        "rows": [
            {
                "file": EXAMPLE.name, "status": "converted", "reporting_period": PERIOD,
                "green": rag["green"], "amber": rag["amber"], "red": rag["red"], "not_rated": rag["not rated"],
                "findings": findings, "findings_total": sum(findings.values()), "output": converted.name,
                "error": None, "converted_at": "2019-01-15T09:29:58+00:00", "sha256": "0" * 64,
            },
            {
                "file": "broken.xlsx", "status": "failed", "reporting_period": None, "green": 0, "amber": 0,
                "red": 0, "not_rated": 0, "findings": {}, "findings_total": 0, "output": None,
                "error": "broken.xlsx: not an Excel .xlsx workbook (not a zip file)",
                "converted_at": None, "sha256": "1" * 64,
            },
        ],
    }
    (root / "report.json").write_text(json.dumps(report), encoding="utf-8")
    return root, converted


@pytest.fixture(scope="module")
def batch_outbox(tmp_path_factory: pytest.TempPathFactory, example_assessment_json: dict[str, Any]) -> Path:
    return make_returns_dir(tmp_path_factory.mktemp("outbox") / "returns", example_assessment_json)[0]


@pytest.fixture
def returns_dir(tmp_path: Path, batch_outbox: Path) -> Path:
    """A fresh copy of the batch outbox per test, with a file beside it that no request may reach."""
    (tmp_path / "secret.xlsx").write_bytes(b"not for officers")
    return Path(shutil.copytree(batch_outbox, tmp_path / "returns"))


@pytest.fixture
def converted(returns_dir: Path) -> Path:
    return next(returns_dir.glob("*return.xlsx"))


@pytest.fixture
def client(returns_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(returns_dir, max_upload_bytes=LIMIT)) as c:
        yield c


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `root`: (size, mtime_ns)."""
    return {p.relative_to(root).as_posix(): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in root.rglob("*")}


def outside(tmp_path: Path, returns_dir: Path) -> dict[str, tuple[int, int]]:
    return {k: v for k, v in snapshot(tmp_path).items() if not (tmp_path / k).is_relative_to(returns_dir)}


def upload(client: TestClient, data: bytes, filename: str = "Q2 scorecard.xlsx", url: str = "/upload") -> Any:
    return client.post(url, files={"workbook": (filename, data, XLSX)})


def links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def cell_texts(row_html: str) -> list[str]:
    """The text of each th/td of one table row, as a reader hears it (hidden helper text included)."""
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row_html, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def uploads_in(returns_dir: Path) -> list[str]:
    folder = returns_dir / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ------------------------------------------------------------------ listing


def test_list_page_shows_each_return_with_period_counts_and_link(client: TestClient, converted: Path) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.S)
    assert row is not None
    cells = cell_texts(row[0])
    name = converted.name
    assert cells[:8] == [name, EXAMPLE.name, PERIOD, "10", "7", "14", "73", f"111 findings in {name}"]
    assert "15 Jan 2019 09:29 UTC" in cells[8]
    assert f"/returns/{quote(converted.name)}" in links(html)
    # The failed batch row is listed with its reason and without a download link.
    assert "broken.xlsx: not an Excel .xlsx workbook (not a zip file)" in html
    assert not any("broken" in href for href in links(html))


def test_list_page_is_plain_accessible_html_without_external_assets(client: TestClient) -> None:
    html = client.get("/").text
    assert re.search(r'<html lang="en-GB">', html)
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    # The file input has a visible label and its hint; the form works without script.
    assert '<label for="workbook">' in html and 'id="workbook"' in html and 'aria-describedby="workbook-hint' in html
    assert 'enctype="multipart/form-data"' in html and 'method="post"' in html
    assert "<script" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "no asset may come from another host"
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text and "@import" not in css.text and "url(" not in css.text
    assert "default-src 'none'" in client.get("/").headers["content-security-policy"]


def test_list_json(client: TestClient, converted: Path) -> None:
    data = client.get("/api/returns").json()
    [entry] = data["returns"]
    assert entry["name"] == converted.name
    assert entry["file"] == EXAMPLE.name
    assert entry["origin"] == "batch"
    assert entry["reporting_period"] == PERIOD
    assert entry["rag"] == {"green": 10, "amber": 7, "red": 14, "not_rated": 73}
    assert entry["findings_total"] == 111
    assert entry["findings_by_code"]["suppressed"] == 10
    assert entry["converted_at"] == "2019-01-15T09:29:58+00:00"
    assert client.get(entry["download_url"]).content == converted.read_bytes()
    [failed] = data["failed"]
    assert failed["file"] == "broken.xlsx" and failed["download_url"] is None and "not a zip file" in failed["error"]


def test_without_a_report_the_xlsx_files_in_dir_are_listed(tmp_path: Path, converted: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "a return.xlsx").write_bytes(converted.read_bytes())
    (folder / ".half-written.xlsx").write_bytes(b"x")  # hidden: a temporary file
    (folder / "~$a return.xlsx").write_bytes(b"x")  # Excel's lock file
    (folder / "notes.txt").write_text("x")
    with TestClient(create_app(folder)) as c:
        data = c.get("/api/returns").json()
        assert [e["name"] for e in data["returns"]] == ["a return.xlsx"]
        assert data["returns"][0]["origin"] == "folder" and data["returns"][0]["modified_at"]
        html = c.get("/").text
        assert "a return.xlsx" in html and "half-written" not in html and "~$" not in html
        # Without its check record beside it, its findings are not available: the return is not parsed.
        r = c.get(data["returns"][0]["findings_url"])
        assert r.status_code == 404 and "no findings are available for a return.xlsx" in r.json()["detail"]
        # With the sidecar that convert wrote beside it, they come from that.
        shutil.copy(converted.with_suffix(".json"), folder / "a return.json")
        findings = c.get(data["returns"][0]["findings_url"]).json()
        assert findings["source"] == "sidecar" and findings["findings_total"] == 111


def test_a_damaged_report_does_not_take_the_page_down(returns_dir: Path, converted: Path) -> None:
    (returns_dir / "report.json").write_text("{not json", encoding="utf-8")
    with TestClient(create_app(returns_dir)) as c:
        r = c.get("/")
        assert r.status_code == 200
        assert "The batch report could not be read" in r.text
        assert [e["name"] for e in c.get("/api/returns").json()["returns"]] == [converted.name]


def test_a_real_batch_outbox_is_listed_with_its_report(tmp_path: Path) -> None:
    """`xlscorecard batch` writes the report; the page reads it through batch.load_report."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox)
    (inbox / "bad.xlsx").write_bytes(b"junk")
    outbox = tmp_path / "outbox"
    result = run_cli("batch", inbox, "-o", outbox, "--workers", "1")
    assert result.returncode == 1, result.stderr  # one input failed
    with TestClient(create_app(outbox)) as c:
        data = c.get("/api/returns").json()
        [entry] = data["returns"]
        assert (entry["origin"], entry["file"], entry["reporting_period"]) == ("batch", EXAMPLE.name, PERIOD)
        assert entry["rag"] == {"green": 10, "amber": 7, "red": 14, "not_rated": 73}
        assert c.get(entry["download_url"]).content == (outbox / entry["name"]).read_bytes()
        findings = c.get(entry["findings_url"]).json()
        assert findings["findings_total"] == entry["findings_total"] == 111
        assert [f["file"] for f in data["failed"]] == ["bad.xlsx"]
        # A workbook in a sub-folder that is not a listed return (e.g. batch's failed/) is never served.
        (outbox / "failed").mkdir(exist_ok=True)
        shutil.copy(EXAMPLE, outbox / "failed" / "kept.xlsx")
        assert c.get("/returns/failed/kept.xlsx").status_code == 404


# ------------------------------------------------------------------ download


def test_download_gives_the_file_as_xlsx_with_its_name(client: TestClient, converted: Path) -> None:
    r = client.get(f"/returns/{quote(converted.name)}")
    assert r.status_code == 200
    assert r.content == converted.read_bytes()
    assert r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"] == f'attachment; filename="{converted.name}"'


def test_findings_of_a_batch_return_come_from_its_sidecar_and_report(
    client: TestClient, converted: Path, example_assessment_json: dict[str, Any]
) -> None:
    # The return workbook is never opened to find them: replaced by junk, the findings are unchanged.
    converted.write_bytes(b"not a workbook any more")
    data = client.get(f"/api/returns/{quote(converted.name)}/findings").json()
    assert data["source"] == "sidecar" and data["sha256"] == "0" * 64
    assert data["file"] == EXAMPLE.name and data["reporting_period"] == PERIOD
    assert data["rag"] == {"green": 10, "amber": 7, "red": 14, "not_rated": 73}
    def fields(findings: list[dict[str, Any]]) -> list[tuple[str, ...]]:
        return [(f["code"], f["severity"], f["cell"], f["ref"], f["message"]) for f in findings]

    assert fields(data["findings"]) == fields(example_assessment_json["findings"])
    assert data["findings_by_code"] == example_assessment_json["counts"]["findings"]
    page = client.get(f"/returns/{quote(converted.name)}/findings")
    assert page.status_code == 200 and "K13" in page.text


# ------------------------------------------------------------------ upload


def test_upload_shows_findings_and_a_working_download(client: TestClient, returns_dir: Path, tmp_path: Path) -> None:
    before = outside(tmp_path, returns_dir)
    r = upload(client, EXAMPLE.read_bytes())
    assert r.status_code == 200
    assert r.history and r.history[0].status_code == 303  # POST, then the findings page by GET
    html = r.text
    assert "Your return is ready" in html
    # The K13 row of the findings table: code, severity, cell, PI, message.
    k13 = next(row for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if ">K13<" in row)
    assert cell_texts(k13) == ["suppressed", "info", "K13", "1.7", "Qu 2 18-19 value is suppressed ('Supressed')"]
    assert ">10</span>" in html and ">7</span>" in html and ">14</span>" in html  # G, A, R

    [download] = [h for h in links(html) if h.startswith("/returns/uploads/") and h.endswith(".xlsx")]
    got = client.get(download)
    assert got.status_code == 200 and got.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(got.content), read_only=True)
    assert "Scorecard" in book.sheetnames
    book.close()

    # Kept under DIR/uploads: the original, its return, its check --json sidecar (the page view reads it)
    # and the findings record; nothing else anywhere.
    names = uploads_in(returns_dir)
    assert len(names) == 4, names
    original = next(n for n in names if re.fullmatch(r"Q2 scorecard-\d{8}-\d{6}-[0-9a-f]{6}\.xlsx", n))
    assert (returns_dir / "uploads" / original).read_bytes() == EXAMPLE.read_bytes()
    assert f"{original[:-5]} - {PERIOD} return.xlsx" in names
    assert f"{original[:-5]} - {PERIOD} return.xlsx.findings.json" in names
    assert f"{original[:-5]} - {PERIOD} return.json" in names
    assert outside(tmp_path, returns_dir) == before

    # Listed as an upload, with the same counts, on the page and in JSON.
    entries = client.get("/api/returns").json()["returns"]
    mine = next(e for e in entries if e["origin"] == "upload")
    assert mine["name"] == f"uploads/{original[:-5]} - {PERIOD} return.xlsx"
    assert mine["file"] == "Q2 scorecard.xlsx" and mine["findings_total"] == 111
    assert mine["rag"] == {"green": 10, "amber": 7, "red": 14, "not_rated": 73}
    assert download in links(client.get("/").text)


def test_upload_through_the_api(client: TestClient, returns_dir: Path) -> None:
    r = upload(client, EXAMPLE.read_bytes(), url="/api/returns")
    assert r.status_code == 201
    data = r.json()
    assert data["source"] == "upload" and data["reporting_period"] == PERIOD
    assert {"code": "suppressed", "severity": "info", "sheet": "Q2 2018-19", "cell": "K13", "ref": "1.7",
            "message": "Qu 2 18-19 value is suppressed ('Supressed')"} in data["findings"]
    assert data["findings_by_code"] == outcome_of(api.check_file(EXAMPLE)).findings
    assert client.get(data["findings_url"]).json() == data
    assert client.get(data["download_url"]).status_code == 200


def test_uploads_never_overwrite_each_other(client: TestClient, returns_dir: Path) -> None:
    first = upload(client, EXAMPLE.read_bytes(), url="/api/returns").json()
    second = upload(client, EXAMPLE.read_bytes(), url="/api/returns").json()
    assert first["name"] != second["name"] and first["original"] != second["original"]
    assert len(uploads_in(returns_dir)) == 8  # each: original, return, sidecar, findings record
    names = [e["name"] for e in client.get("/api/returns").json()["returns"]]
    assert first["name"] in names and second["name"] in names


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../outside.xlsx", "outside"),
        ("C:\\Users\\officer\\Desktop\\Q2 <final>.xlsx", "Q2 _final"),
        ("/etc/passwd", "passwd"),
        (".hidden.xlsx", "hidden"),
        ("Rapport trimestriel é.XLSX", "Rapport trimestriel e"),
        ("..", "workbook"),
    ],
)
def test_upload_names_are_sanitised(
    client: TestClient, returns_dir: Path, tmp_path: Path, sent: str, kept: str
) -> None:
    before = outside(tmp_path, returns_dir)
    data = upload(client, EXAMPLE.read_bytes(), filename=sent, url="/api/returns").json()
    assert re.fullmatch(rf"uploads/{re.escape(kept)}-\d{{8}}-\d{{6}}-[0-9a-f]{{6}}\.xlsx", data["original"])
    assert outside(tmp_path, returns_dir) == before


# ------------------------------------------------------------------ refusals


def not_a_workbook() -> bytes:
    return b"Name,Value\nA,1\n"


def with_macros() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(EXAMPLE) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        dst.writestr("xl/vbaProject.bin", b"\0" * 512)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "status", "reason"),
    [
        (not_a_workbook(), 400, "notes.xlsx: not an Excel .xlsx workbook (not a zip file)"),
        (with_macros(), 400, "notes.xlsx: workbook contains VBA macros; macros are never run or copied"),
        (b"", 400, "notes.xlsx: the file is empty"),
        (b"PK" + b"\0" * (LIMIT + 10), 413, "notes.xlsx: the upload is larger than the 200 KB limit"),
    ],
    ids=["not-a-workbook", "macros", "empty", "too-large"],
)
def test_bad_uploads_are_refused_with_one_line_and_leave_nothing(
    client: TestClient, returns_dir: Path, tmp_path: Path, data: bytes, status: int, reason: str
) -> None:
    before_outside = outside(tmp_path, returns_dir)
    api_r = upload(client, data, filename="notes.xlsx", url="/api/returns")
    assert api_r.status_code == status
    assert api_r.headers["content-type"] == "application/json"
    detail = api_r.json()["detail"]
    assert detail.startswith(reason) and "\n" not in detail
    assert str(returns_dir) not in detail and ".upload-" not in detail  # no server paths

    page = upload(client, data, filename="notes.xlsx")
    assert page.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert reason in unescape(page.text)
    assert 'role="alert"' in page.text and '<label for="workbook">' in page.text  # the form again

    assert uploads_in(returns_dir) == []
    assert outside(tmp_path, returns_dir) == before_outside


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"files": {"other": ("x.xlsx", b"x", XLSX)}}, "choose a workbook (.xlsx file) to upload"),
        ({"files": {"workbook": ("", b"", XLSX)}}, "choose a workbook (.xlsx file) to upload"),
        ({"content": b"x", "headers": {"content-type": XLSX}}, "send the workbook as multipart/form-data"),
        ({"files": [("workbook", ("a.xlsx", b"a", XLSX)), ("workbook", ("b.xlsx", b"b", XLSX))]},
         "send one workbook at a time"),
        ({"content": b"--XYZ\r\ngarbage", "headers": {"content-type": "multipart/form-data; boundary=XYZ"}},
         "the upload is damaged or incomplete"),
    ],
    ids=["no-file-field", "no-file-chosen", "not-multipart", "two-files", "damaged-multipart"],
)
def test_malformed_upload_requests_get_400(
    client: TestClient, returns_dir: Path, kwargs: dict[str, Any], reason: str
) -> None:
    r = client.post("/api/returns", **kwargs)
    assert r.status_code == 400
    assert r.json()["detail"].startswith(reason)
    assert uploads_in(returns_dir) == []


def test_upload_limit_is_enforced_while_streaming(returns_dir: Path, tmp_path: Path) -> None:
    """An endless body is refused after the limit (plus a bounded drain), never read to its end."""
    app = create_app(returns_dir, max_upload_bytes=LIMIT)
    head = (b'--XYZ\r\nContent-Disposition: form-data; name="workbook"; filename="big.xlsx"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\nPK")
    before = outside(tmp_path, returns_dir)
    status, pulled, body = anyio.run(
        post_stream, app, itertools.chain([head], itertools.repeat(b"\0" * 65536)), None
    )
    assert status == 413
    assert json.loads(body)["detail"] == "big.xlsx: the upload is larger than the 200 KB limit"
    assert pulled < 20 * 1024**2  # the limit, the overhead and at most 8 MB drained: not the endless rest
    assert uploads_in(returns_dir) == []
    assert outside(tmp_path, returns_dir) == before

    # A declared Content-Length far over the limit is refused before a byte of the body is read.
    status, pulled, _ = anyio.run(post_stream, app, itertools.repeat(b"\0" * 65536), 10 * 1024**3)
    assert (status, pulled) == (413, 0)


async def post_stream(app: Any, chunks: Iterator[bytes], length: int | None) -> tuple[int, int, bytes]:
    """POST /api/returns straight to the ASGI app, body from `chunks`; (status, bytes pulled, body)."""
    pulled = 0
    status = 0
    body = b""

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        chunk = next(chunks)
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")

    headers = [(b"host", b"testserver"), (b"content-type", b"multipart/form-data; boundary=XYZ")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/returns", "raw_path": b"/api/returns", "query_string": b"", "root_path": "",
        "headers": headers, "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }
    with anyio.fail_after(60):
        await app(scope, receive, send)
    return status, pulled, body


# ------------------------------------------------------------------ names that must not reach a file


TRAVERSALS = [
    "/returns/../secret.xlsx",
    "/returns/%2e%2e%2fsecret.xlsx",
    "/returns/%2E%2E%2Fsecret.xlsx",
    "/returns/..%2fsecret.xlsx",
    "/returns/%2e%2e/secret.xlsx",
    "/returns/uploads/%2e%2e%2f%2e%2e%2fsecret.xlsx",
    "/returns/..%5csecret.xlsx",
    "/returns/%2fetc%2fpasswd",
    "/returns//etc/passwd",
    "/returns/C:%5cWindows%5cwin.ini",
    "/api/returns/%2e%2e%2fsecret.xlsx/findings",
    "/api/returns/..%2f..%2fsecret.xlsx/findings",
    "/returns/%2e%2e%2fsecret.xlsx/findings",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_traversal_is_refused(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code in (400, 404)
    assert b"not for officers" not in r.content
    if "/api/" in url:
        assert r.headers["content-type"] == "application/json" and r.json()["detail"]


def test_absolute_paths_are_refused(client: TestClient, tmp_path: Path) -> None:
    for path in (tmp_path / "secret.xlsx", Path("/etc/passwd")):
        r = client.get("/returns/" + quote(str(path), safe=""))
        assert r.status_code in (400, 404)
        assert b"not for officers" not in r.content and b"root:" not in r.content


def test_a_symlink_out_of_dir_is_not_followed(client: TestClient, returns_dir: Path, tmp_path: Path) -> None:
    (returns_dir / "escape.xlsx").symlink_to(tmp_path / "secret.xlsx")
    assert client.get("/returns/escape.xlsx").status_code == 404
    assert "escape.xlsx" not in client.get("/").text
    # A symlink that stays inside DIR is an ordinary file.
    (returns_dir / "alias.xlsx").symlink_to(next(returns_dir.glob("*return.xlsx")))
    assert client.get("/returns/alias.xlsx").status_code == 200


def test_unknown_and_unoffered_files_are_404(client: TestClient, returns_dir: Path) -> None:
    r = client.get("/returns/no such return.xlsx")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "no return named" in unescape(r.text)
    r = client.get("/api/returns/no such return.xlsx/findings")
    assert r.status_code == 404 and r.json() == {"detail": "no return named 'no such return.xlsx'"}
    assert client.get("/no/such/page").status_code == 404
    # An uploaded original is kept for the record but not offered; hidden files and other types never.
    original = upload(client, EXAMPLE.read_bytes(), url="/api/returns").json()["original"]
    assert client.get(f"/returns/{quote(original)}").status_code == 404
    assert client.get("/returns/report.json").status_code == 400
    assert client.get("/returns/uploads/.upload-x.xlsx").status_code == 400


def test_a_missing_returns_folder_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ScorecardError, match="returns folder not found"):
        create_app(tmp_path / "nowhere")
    result = run_cli("serve", "--returns", tmp_path / "nowhere", "--port", "1")
    assert result.returncode == 2
    assert result.stderr.strip() == f"xlscorecard: error: {tmp_path / 'nowhere'}: returns folder not found"
