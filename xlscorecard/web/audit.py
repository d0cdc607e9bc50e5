"""The audit log: one JSON line per sign-in, sign-out, upload, download and refusal.

Each line says who, what, when (UTC) and from where. Lines are appended with one write each to
a file opened with O_APPEND, so lines from concurrent requests never interleave.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AUDIT_FILE = "audit.jsonl"


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        # Opened once at start-up: a path that cannot be written stops `serve` before it listens.
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, event: str, *, user: str | None, address: str | None, **detail: Any) -> None:
        """Append one line: {"at", "event", "user", "address", ...detail}. JSON escapes every
        control and format character, so a name cannot forge a line or hide its text."""
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "event": event, "user": user, "address": address, **detail,
        }
        line = (json.dumps(entry, ensure_ascii=True, default=str) + "\n").encode("ascii")
        with self._lock:
            os.write(self._fd, line)

    def close(self) -> None:
        os.close(self._fd)


def read_audit(path: Path) -> list[dict[str, Any]]:
    """Every line of an audit log, parsed (for tests and for reading by hand)."""
    return [json.loads(line) for line in path.read_text(encoding="ascii").splitlines() if line.strip()]
