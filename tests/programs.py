"""Real programs the tests drive (LibreOffice, pdftotext, Chromium): skip locally, fail in CI."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def require_program(name: str, install_hint: str) -> str:
    """The program's path; when missing, skip with the reason (fail under CI, which installs it)."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({install_hint}); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


# Debian's Chromium, driven by Playwright (Playwright's own browser download does not work here).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-proxy-server",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # screenshots (gitignored)


def require_chromium_module() -> None:
    """At a browser test module's top: skip it without Chromium (fail under CI, which installs it)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium); .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message, allow_module_level=True)


@contextlib.contextmanager
def chromium_page() -> Iterator[Any]:
    """A fresh Playwright page in Debian's Chromium (downloads accepted), closed afterwards."""
    from playwright import sync_api

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
            yield context.new_page()
            context.close()
        finally:
            browser.close()
