"""Each return as a page, and the PDF beside it, on the officers' web page (issue 18).

The real server (`xlscorecard serve`) in the system Chromium through Playwright; axe-core (from the
axe-playwright-python package on PyPI) checks the list, findings and scorecard pages.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import EXAMPLE, run_cli
from programs import ARTIFACTS, chromium_page, require_chromium_module, require_program
from web_server import start_server, stop

require_chromium_module()

sync_api = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

RETURN = "scorecard_q2_2018-19 - Qu 2 18-19 return.xlsx"
OLD = "older return.xlsx"  # a return written before sidecars: no page view


@pytest.fixture(scope="module")
def returns_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_program("soffice", "apt-get install libreoffice-calc-nogui")
    folder = tmp_path_factory.mktemp("returns")
    done = run_cli("convert", EXAMPLE, "--pdf", "-o", folder)
    assert done.returncode == 0, done.stderr
    (folder / OLD).write_bytes((folder / RETURN).read_bytes())
    return folder


@pytest.fixture(scope="module")
def server(returns_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base, proc = start_server(returns_dir, tmp_path_factory.mktemp("log") / "server.log")
    try:
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser_page() -> Iterator[sync_api.Page]:
    with chromium_page() as page:
        yield page


def view_url(base: str, name: str) -> str:
    return f"{base}/returns/{quote(name)}/view"


def axe_violations(page: sync_api.Page) -> list[str]:
    results = axe_module.Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {v['nodes'][0]['html'][:120]})"
            for v in results.response["violations"]]


@pytest.mark.parametrize("which", ["list", "findings", "scorecard"])
def test_axe_core_finds_no_violations(server: str, browser_page: sync_api.Page, which: str) -> None:
    url = {"list": f"{server}/", "findings": f"{server}/returns/{quote(RETURN)}/findings",
           "scorecard": view_url(server, RETURN)}[which]
    response = browser_page.goto(url)
    assert response is not None and response.status == 200
    browser_page.screenshot(path=str(ARTIFACTS / f"web_view_{which}.png"), full_page=True)
    assert axe_violations(browser_page) == []


def test_the_scorecard_page_in_a_browser(server: str, browser_page: sync_api.Page) -> None:
    expect = sync_api.expect
    browser_page.goto(f"{server}/")
    row = browser_page.get_by_role("row").filter(has_text=RETURN).first
    row.get_by_role("link", name=re.compile("as a page")).click()
    browser_page.wait_for_url(re.compile(r"/view$"))
    expect(browser_page.get_by_role("heading", level=1)).to_contain_text("Children's Services Scorecard")
    # By section, each a table with its PIs
    expect(browser_page.get_by_role("heading", name="Safeguarding", exact=True)).to_be_visible()
    pi_110 = browser_page.locator("#pi-row-16")
    expect(pi_110).to_contain_text("1.10")
    expect(pi_110).to_contain_text("74%")
    expect(pi_110).to_contain_text("90%")  # the target in the PI's unit, not 0.9
    expect(pi_110.locator(".tag-red")).to_have_text("Red")  # RAG as word and colour
    expect(pi_110).to_contain_text("no change")  # the arrow in words
    trend = pi_110.get_by_role("img")
    expect(trend).to_have_attribute("aria-label", re.compile(r"84%.*80%.*74%.*74%"))
    assert pi_110.locator("svg polyline").get_attribute("points").count(",") == 4
    colour = pi_110.locator(".tag-red").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    # A finding links to its PI's row, and the row is on the page.
    finding = browser_page.locator("#findings-title ~ div tr").filter(has_text="K13").first
    expect(finding).to_contain_text("suppressed")
    finding.get_by_role("link").click()
    browser_page.wait_for_url(re.compile(r"#pi-row-13$"))
    expect(browser_page.locator("#pi-row-13")).to_contain_text("1.7")
    assert browser_page.locator("script").count() == 0, "no JavaScript"


def test_the_list_offers_the_pdf_and_says_when_there_is_no_page_view(server: str) -> None:
    with urllib.request.urlopen(f"{server}/") as r:
        html = r.read().decode("utf-8")
    rows = {name: chunk for name, chunk in re.findall(r'<tr>\s*<th scope="row"><a [^>]*>([^<]+)</a></th>(.*?)</tr>',
                                                     html, re.S)}
    assert "/pdf" in rows[RETURN] and "/view" in rows[RETURN]
    assert "/view" not in rows[OLD] and "not available" in rows[OLD]
    with urllib.request.urlopen(f"{server}/returns/{quote(RETURN)}/pdf") as r:
        assert r.headers["content-type"] == "application/pdf"
        assert r.read(5) == b"%PDF-"
    try:
        urllib.request.urlopen(view_url(server, OLD))
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
        assert "no page view is available" in exc.read().decode("utf-8")
    else:
        pytest.fail("a return without a sidecar has no page view")


def test_an_upload_gets_a_page_view(server: str, browser_page: sync_api.Page) -> None:
    browser_page.goto(f"{server}/")
    browser_page.get_by_label("Scorecard workbook (.xlsx)").set_input_files(str(EXAMPLE))
    browser_page.get_by_role("button", name="Upload and convert").click()
    browser_page.wait_for_url(re.compile(r"/findings\?uploaded=1$"))
    browser_page.get_by_role("link", name="View the return as a page").click()
    browser_page.wait_for_url(re.compile(r"/returns/uploads/.+/view$"))
    sync_api.expect(browser_page.locator("#pi-row-16 .tag-red")).to_have_text("Red")


def test_axe_core_does_report_a_violation_when_there_is_one(browser_page: sync_api.Page) -> None:
    """The check above can fail: an image without a text alternative, a page without a language."""
    browser_page.set_content("<html><head><title>t</title></head><body><main><img src='x.png'></main></body></html>")
    found = axe_violations(browser_page)
    assert any(v.startswith("image-alt") for v in found) and any(v.startswith("html-has-lang") for v in found)


def test_the_page_views_json_twin_is_the_sidecar(server: str, returns_dir: Path) -> None:
    import json

    with urllib.request.urlopen(f"{server}/api/returns/{quote(RETURN)}/view") as r:
        assert json.loads(r.read()) == json.loads((returns_dir / RETURN).with_suffix(".json").read_text("utf-8"))
    try:
        urllib.request.urlopen(f"{server}/api/returns/{quote(OLD)}/view")
    except urllib.error.HTTPError as exc:
        assert exc.code == 404 and "no page view" in json.loads(exc.read())["detail"]
    else:
        pytest.fail("no sidecar, no JSON view")
