"""Signing in to the officers' page in a real browser (Chromium through Playwright) against the real
server started with `--users`: sign in, upload a workbook LibreOffice saved, download its return,
sign out; the browser is then sent back to the sign-in page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLE
from programs import ARTIFACTS, chromium_page, require_chromium_module, require_program
from test_web_accounts import PASSWORDS, make_site
from web_server import start_server, stop

from xlscorecard.web.audit import read_audit

require_chromium_module()

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def page() -> Iterator[sync_api.Page]:
    with chromium_page() as page:
        yield page


def saved_by_libreoffice(tmp_path: Path) -> Path:
    soffice = require_program("soffice", "apt-get install libreoffice-calc-nogui")
    source = tmp_path / "lo-in" / "Q2 from LibreOffice.xlsx"
    source.parent.mkdir()
    shutil.copy(EXAMPLE, source)
    out = tmp_path / "lo-out"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    return out / source.name


def test_sign_in_upload_download_and_sign_out_in_a_real_browser(page: sync_api.Page, tmp_path: Path) -> None:
    expect = sync_api.expect
    workbook = saved_by_libreoffice(tmp_path)
    returns, users = make_site(tmp_path / "site")
    base, proc = start_server(returns, tmp_path / "server.log", "--users", str(users))
    try:
        # Not signed in: the list sends the browser to the sign-in page.
        page.goto(base + "/")
        expect(page).to_have_title(re.compile("Sign in"))
        assert "/signin?next=" in page.url
        page.get_by_label("User name").fill("ann")
        page.get_by_label("Password").fill("not my password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("The user name or password is not right.")
        page.get_by_label("Password").fill(PASSWORDS["ann"])
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_title(re.compile("Returns"))
        expect(page.get_by_role("banner")).to_contain_text("Signed in as ann (analyst)")
        page.screenshot(path=str(ARTIFACTS / "web_signed_in.png"), full_page=True)

        page.get_by_label("Scorecard workbook (.xlsx)").set_input_files(str(workbook))
        page.get_by_role("button", name="Upload and convert").click()
        page.wait_for_url(re.compile(r"/returns/uploads/.+/findings\?uploaded=1$"))
        expect(page.get_by_role("status")).to_contain_text("Your return is ready")
        with page.expect_download() as info:
            page.get_by_role("link", name=re.compile("Download the formatted return")).click()
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        assert saved.name.endswith(" - Qu 2 18-19 return.xlsx")
        book = openpyxl.load_workbook(saved, read_only=True)
        try:
            assert "Scorecard" in book.sheetnames
        finally:
            book.close()

        page.get_by_role("link", name="Back to all returns").click()
        expect(page.get_by_role("row").filter(has_text="Q2 from LibreOffice.xlsx")).to_contain_text("Uploaded by ann")

        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_title(re.compile("Sign in"))
        page.goto(base + "/")
        expect(page).to_have_title(re.compile("Sign in"))
    finally:
        stop(proc)
    events = [(line["event"], line["user"]) for line in read_audit(returns / "audit.jsonl")]
    assert events == [("refused", None), ("signin-failed", "ann"), ("signin", "ann"), ("upload", "ann"),
                      ("download", "ann"), ("signout", "ann"), ("refused", None)]
