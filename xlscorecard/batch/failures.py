"""The note OUTBOX/failed/<input>.txt that says why one input failed and what to do about it."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from xlscorecard import __version__
from xlscorecard.batch.inbox import Input, printable_name
from xlscorecard.batch.lines import now, seconds
from xlscorecard.core.errors import UnsafeWorkbook, WorkbookError

FAILED_DIR = "failed"

HINTS = {
    UnsafeWorkbook.__name__: (
        "The file was refused for safety and nothing in it was opened or run. If it is a genuine"
        " scorecard, open it in Excel, remove any password and macros, and save it as an Excel"
        " Workbook (.xlsx)."
    ),
    WorkbookError.__name__: (
        "Open the file in Excel, save it as an Excel Workbook (.xlsx), and put it in the folder again."
    ),
    "timeout": (
        "Converting the file took too long, so it was stopped. It is tried again on the next run; if it"
        " keeps failing, check that it is an ordinary scorecard and not an unusually large workbook."
    ),
    "crash": (
        "The process converting the file stopped unexpectedly (for example it ran out of memory). It is"
        " tried again on the next run; if it keeps failing, report the file to the xlscorecard maintainers."
    ),
    "write": (
        "The return could not be written into OUTBOX. Close it if it is open (in Excel, say) and check the"
        " folder is writable and not full; the next run tries again."
    ),
    "changed": "The file was being changed (or copied in) during the run. It is tried again on the next run.",
    "unexpected": "This is a fault in xlscorecard, not in the file. Please report it with this note.",
}
DEFAULT_HINT = "Correct the problem above and save the file again; the next run tries it again."


def failure_note(item: Input, result: dict[str, Any], timeout: float) -> str:
    """The note's text: the reason, a hint for the kind of failure, and the file's identity."""
    kind = result.get("kind", "")
    hint = HINTS.get(kind, DEFAULT_HINT)
    lines = [
        f"{item.name} could not be converted.",
        "",
        f"Reason: {result['error']}",
        "",
        hint,
        "",
        f"File: {printable_name(str(item.path.absolute()))}",
        f"SHA-256: {item.sha256 or '(not read)'}",
        f"Checked: {now()} by xlscorecard {__version__} (time limit {seconds(timeout)} per file)",
    ]
    if result.get("detail"):
        lines += ["", "Details for the maintainers:", result["detail"].rstrip()]
    return "\n".join(lines) + "\n"


def prune_failed_notes(outbox: Path, failed: set[str]) -> None:
    """Remove failed/<name>.txt notes of inputs that converted since, or left INBOX."""
    folder = outbox / FAILED_DIR
    if not folder.is_dir():
        return
    keep = {f"{name}.txt" for name in failed}
    for note in folder.rglob("*.txt"):
        if note.relative_to(folder).as_posix() not in keep:
            with contextlib.suppress(OSError):
                note.unlink()
