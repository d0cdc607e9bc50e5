"""The sidecar `<return stem>.json` written beside every return: exactly the `check --json` object
(as compact JSON: report.write_json).

The web page's view of a return is rendered from it (no workbook is parsed to show a page), and
anything else that wants the figures behind a return can read it without opening Excel files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xlscorecard.atomic import atomic_path
from xlscorecard.core.assessment import Assessment
from xlscorecard.report import write_json


def sidecar_path(return_path: Path) -> Path:
    """`<stem>.json` beside `<stem>.xlsx`."""
    return return_path.with_suffix(".json")


def write_sidecar(return_path: Path, assessment: Assessment) -> Path:
    """Write the assessment's `check --json` object beside the return (atomically); returns its path."""
    target = sidecar_path(return_path)
    # Streamed indicator by indicator: on 20,000 PIs the whole object at once costs about 600 MB.
    with atomic_path(target, prefix=f".{target.stem}.", suffix=".json.tmp") as tmp, open(tmp, "wb") as fh:
        write_json(assessment, fh)
    return target


def read_sidecar(return_path: Path) -> dict[str, Any] | None:
    """The sidecar of a return, or None when it has none (or one that is not a JSON object)."""
    path = sidecar_path(return_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("indicators"), list) else None
