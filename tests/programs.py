"""Real programs the tests drive (LibreOffice, pdftotext, Chromium): skip locally, fail in CI."""

from __future__ import annotations

import os
import shutil

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
