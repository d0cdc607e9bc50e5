"""The officers' page in a real browser against the real server (`xlscorecard serve` + Chromium).

The server runs as a subprocess on a free port; Playwright drives Debian's Chromium (Playwright's own
browser download is not used). Screenshots are kept in tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLE, cli_command

from xlscorecard import api

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-proxy-server",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

if not CHROMIUM.exists():
    message = f"{CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message, allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with opener.open(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not answer on {url} within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


def start_server(returns: Path, log: Path, *extra: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*cli_command(), "serve", "--returns", str(returns), "--port", str(port), *extra],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(base + "/", proc, log)
    except BaseException:
        stop(proc)
        raise
    return base, proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def returns_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "returns"
    folder.mkdir()
    api.convert_file(EXAMPLE, out=folder)
    return folder


@pytest.fixture
def server(returns_dir: Path, tmp_path: Path) -> Iterator[str]:
    base, proc = start_server(returns_dir, tmp_path / "server.log")
    try:
        yield base
    finally:
        stop(proc)


@pytest.fixture
def page() -> Iterator[sync_api.Page]:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
            yield context.new_page()
            context.close()
        finally:
            browser.close()


def test_upload_and_download_in_a_real_browser(server: str, page: sync_api.Page, tmp_path: Path) -> None:
    expect = sync_api.expect
    page.goto(server + "/")
    expect(page).to_have_title(re.compile("Returns"))
    expect(page.get_by_role("table")).to_contain_text("scorecard_q2_2018-19 - Qu 2 18-19 return.xlsx")
    # Keyboard users first meet the skip link, and it becomes visible when focused.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    assert page.get_by_role("link", name="Skip to main content").bounding_box()["x"] >= 0
    page.screenshot(path=str(ARTIFACTS / "web_list.png"), full_page=True)

    # The form, as an officer uses it: choose the file by its label, press the button.
    page.get_by_label("Scorecard workbook (.xlsx)").set_input_files(str(EXAMPLE))
    page.get_by_role("button", name="Upload and convert").click()
    page.wait_for_url(re.compile(r"/returns/uploads/.+/findings\?uploaded=1$"))
    expect(page.get_by_role("status")).to_contain_text("Your return is ready")
    k13 = page.get_by_role("row").filter(has_text="K13")
    expect(k13).to_contain_text("suppressed")
    expect(k13).to_contain_text("1.7")
    page.screenshot(path=str(ARTIFACTS / "web_upload_result.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download the formatted return")).click()
    download = info.value
    assert download.suggested_filename.endswith(" - Qu 2 18-19 return.xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = openpyxl.load_workbook(saved, read_only=True)
    try:
        assert "Scorecard" in book.sheetnames
    finally:
        book.close()

    # Back on the list, the upload is there too.
    page.get_by_role("link", name="Back to all returns").click()
    upload_row = page.get_by_role("row").filter(has_text="Uploaded")
    expect(upload_row).to_contain_text("scorecard_q2_2018-19.xlsx")
    expect(upload_row).to_contain_text("Qu 2 18-19")


def test_an_oversized_upload_shows_the_refusal_page(
    returns_dir: Path, page: sync_api.Page, tmp_path: Path
) -> None:
    """Over a real socket the server drains the rest of the body, so the browser sees the 413 page."""
    base, proc = start_server(returns_dir, tmp_path / "server.log", "--max-upload-mb", "0.01")
    try:
        page.goto(base + "/")
        page.get_by_label("Scorecard workbook (.xlsx)").set_input_files(str(EXAMPLE))  # about 27 KB
        with page.expect_response(lambda r: r.url.endswith("/upload")) as info:
            page.get_by_role("button", name="Upload and convert").click()
        assert info.value.status == 413
        expect = sync_api.expect
        expect(page.get_by_role("alert")).to_contain_text(
            "scorecard_q2_2018-19.xlsx: the upload is larger than the 10.2 KB limit"
        )
        page.screenshot(path=str(ARTIFACTS / "web_upload_refused.png"), full_page=True)
    finally:
        stop(proc)
    assert not (returns_dir / "uploads").exists() or not any((returns_dir / "uploads").iterdir())
