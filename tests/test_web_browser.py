"""The officers' page in a real browser against the real server (`xlscorecard serve` + Chromium).

The server runs as a subprocess on a free port; Playwright drives Debian's Chromium (Playwright's own
browser download is not used). Screenshots are kept in tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLE
from programs import ARTIFACTS, chromium_page, require_chromium_module
from web_server import start_server, stop

from xlscorecard import api

require_chromium_module()

sync_api = pytest.importorskip("playwright.sync_api")


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
    with chromium_page() as page:
        yield page


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
