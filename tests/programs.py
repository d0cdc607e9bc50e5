"""Real programs the tests drive (LibreOffice, pdftotext, Chromium): skip locally, fail in CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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
