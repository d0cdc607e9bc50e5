"""Uploads kept within bounds: removed after `--keep-days`, and a quota per user.

Every file of one upload (the original, its return, its findings record and any other file
written beside it) shares the original's name stem `<name>-<YYYYmmdd-HHMMSS>-<hex>`, so an
upload's files are removed together, when the newest of them is older than the cut-off.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePath

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from xlscorecard.web.folder import UPLOADS, ReturnsFolder

log = logging.getLogger(__name__)

DEFAULT_KEEP_DAYS = 30
DEFAULT_QUOTA_MB = 200.0
DEFAULT_QUOTA_UPLOADS = 100
SWEEP_EVERY_SECONDS = 600
_UPLOAD_STEM = re.compile(r"^(?P<stem>.+-\d{8}-\d{6}-[0-9a-f]{6})(?=[ .]|$)")


def upload_group(filename: str) -> str:
    """The upload a file in DIR/uploads belongs to (its own name when it follows no pattern)."""
    match = _UPLOAD_STEM.match(filename)
    return match["stem"] if match else filename


class QuotaExceeded(Exception):
    """The one-line reason an upload is refused."""


@dataclass
class Retention:
    folder: ReturnsFolder
    keep_days: float = DEFAULT_KEEP_DAYS
    quota_bytes: int = int(DEFAULT_QUOTA_MB * 1024**2)
    quota_uploads: int = DEFAULT_QUOTA_UPLOADS
    sweep_every: float = SWEEP_EVERY_SECONDS  # seconds between sweeps while serving

    def __post_init__(self) -> None:
        if self.keep_days <= 0 or self.quota_bytes <= 0 or self.quota_uploads <= 0:
            raise ValueError("keep_days and the quotas must be positive")
        self._lock = threading.Lock()
        self._last_sweep = float("-inf")

    def sweep(self, now: float | None = None) -> list[str]:
        """Remove uploads older than keep_days; the names removed."""
        now = time.time() if now is None else now
        cutoff = now - self.keep_days * 86400
        uploads = self.folder.root / UPLOADS
        removed: list[str] = []
        with self._lock:
            self._last_sweep = time.monotonic()
            if not uploads.is_dir():
                return removed
            groups: dict[str, list[Path]] = defaultdict(list)
            for path in uploads.iterdir():
                if path.name.startswith(".") or path.is_symlink() or not path.is_file():
                    continue  # temporary files have their own clean-up; never follow links
                groups[upload_group(path.name)].append(path)
            for paths in groups.values():
                with contextlib.suppress(OSError):
                    if max(p.stat().st_mtime for p in paths) >= cutoff:
                        continue
                for path in paths:
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed.append(path.name)
        if removed:
            log.info("removed %d files of uploads older than %g days", len(removed), self.keep_days)
        return removed

    def is_due(self) -> bool:
        return time.monotonic() - self._last_sweep >= self.sweep_every

    def sweep_if_due(self) -> None:
        if self.is_due():
            self.sweep()

    def usage(self, owner: str | None) -> tuple[int, int]:
        """(uploads, bytes) kept for `owner`: every file of each upload whose record names them."""
        uploads = self.folder.root / UPLOADS
        records = [r for r in self.folder.upload_records() if r.owner == owner]
        if not records:
            return 0, 0
        groups = {upload_group(PurePath(r.name).name) for r in records}
        size = 0
        for path in uploads.iterdir():
            if not path.name.startswith(".") and upload_group(path.name) in groups:
                with contextlib.suppress(OSError):
                    size += path.stat().st_size
        return len(records), size

    def check_quota(self, owner: str | None, incoming: int = 0) -> None:
        """QuotaExceeded when `owner` may not add an upload of `incoming` bytes."""
        count, size = self.usage(owner)
        days = f"uploads are removed after {self.keep_days:g} days"
        if count >= self.quota_uploads:
            raise QuotaExceeded(f"you already have {count} uploads kept here, your quota; {days}")
        if size + incoming > self.quota_bytes:
            raise QuotaExceeded(
                f"your uploads kept here use {size / 1024**2:.1f} MB of your {self.quota_bytes / 1024**2:.3g} MB "
                f"quota; {days}")


class RetentionSweeper:
    """ASGI middleware: before a request, remove expired uploads if the last sweep is old enough,
    so a page nobody uploads to still forgets old returns."""

    def __init__(self, app: ASGIApp, retention: Retention) -> None:
        self.app = app
        self.retention = retention

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.retention.is_due():
            await anyio.to_thread.run_sync(self.retention.sweep_if_due)
        await self.app(scope, receive, send)
