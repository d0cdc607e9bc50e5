"""One batch run: check the arguments, find and hash the inputs, skip the unchanged, hand the rest to
the worker pool, and write the manifest, the failure notes and the report.

The parent process never parses a workbook itself. It decides which inputs are unchanged since the
last run (the manifest in OUTBOX), and the pool's workers convert the rest. SIGTERM stops a run as
Ctrl+C does: what was converted so far is kept in the manifest.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlscorecard.batch.errors import BatchError
from xlscorecard.batch.failures import FAILED_DIR, failure_note, prune_failed_notes
from xlscorecard.batch.inbox import Input, discover, hash_input
from xlscorecard.batch.manifest import ManifestEntry, load_manifest, manifest_key, rules_hash, save_manifest
from xlscorecard.batch.outbox import atomic_write, outbox_lock, remove_leftover_temps
from xlscorecard.batch.pool import Pool
from xlscorecard.batch.report import ReportRow, Status, write_reports
from xlscorecard.core.settings import Settings
from xlscorecard.xlsx.safety import SafetyLimits

MANIFEST_SAVE_EVERY = 1.0  # seconds between manifest saves during a run (the first result saves at once)


class BatchListener:
    """What a shell hears about a run; override what you need."""

    def note(self, message: str) -> None:
        """A remark about the run itself (not about one file)."""

    def started(self, inputs: int, to_convert: int, unchanged: int) -> None:
        """The inputs are known and hashed; conversion begins."""

    def file_done(self, row: ReportRow) -> None:
        """One input converted or failed (not called for unchanged inputs)."""


@dataclass
class BatchResult:
    """A finished run: a report row per input, and any problem about the run itself."""

    rows: list[ReportRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the run itself, such as a report not written

    def count(self, status: Status) -> int:
        return sum(row.status == status for row in self.rows)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("failed") or self.problems else 0

    def summary(self) -> str:
        return f"{self.count('converted')} converted, {self.count('skipped')} unchanged, {self.count('failed')} failed"


class Stopped(Exception):
    """SIGTERM arrived: stop as after Ctrl+C."""


def check_arguments(inbox: Path, outbox: Path, pattern: str, workers: int, timeout: float) -> None:
    """Refuse, before anything is touched, arguments a run cannot use (BatchError)."""
    if not inbox.exists():
        raise BatchError("INBOX folder not found", inbox)
    if not inbox.is_dir():
        raise BatchError("INBOX is not a folder", inbox)
    if outbox.exists() and not outbox.is_dir():
        raise BatchError("OUTBOX exists and is not a folder", outbox)
    if outbox.resolve() == inbox.resolve():
        raise BatchError("OUTBOX must not be INBOX (use a subfolder such as INBOX/returns)", outbox)
    if workers < 1:
        raise BatchError(f"--workers must be at least 1 (got {workers})")
    if not timeout > 0:
        raise BatchError(f"--timeout must be more than 0 seconds (got {timeout:g})")
    if not pattern or Path(pattern).is_absolute() or pattern.startswith(("/", "\\")) or ".." in Path(pattern).parts:
        raise BatchError(f"--pattern '{pattern}' must be a glob inside INBOX, such as *.xlsx")


def run_batch(
    inbox: str | Path,
    outbox: str | Path,
    *,
    workers: int = 2,
    rules: str | Path | None = None,
    pattern: str = "*.xlsx",
    force: bool = False,
    timeout: float = 120.0,
    limits: SafetyLimits | None = None,
    listener: BatchListener | None = None,
    pdf: bool = False,
    layouts: list[str | Path] | None = None,
) -> BatchResult:
    """Convert every workbook of INBOX into OUTBOX and write the report; see the module docstring.

    Raises BatchError or SettingsError (before touching anything) when the arguments are unusable.
    Workers are started with multiprocessing's spawn method, which re-imports the caller's main
    module: call this from the console script, a notebook, or a script whose work sits under
    `if __name__ == "__main__":` (not from code piped into `python -`).
    """
    from xlscorecard.api import load_settings

    inbox, outbox = Path(inbox), Path(outbox)
    listener = listener or BatchListener()
    limits = limits or SafetyLimits()
    check_arguments(inbox, outbox, pattern, workers, timeout)
    settings = load_settings(rules)
    if pdf:
        from xlscorecard.xlsx.pdf import require_libreoffice

        require_libreoffice()  # before any work: the one-line error saying how to install it
    from xlscorecard.core.reading.profile import load_profile

    layout_paths = [str(Path(p).resolve()) for p in layouts or []]
    for p in layout_paths:
        load_profile(p)  # an unusable profile stops the run before anything is touched
    try:
        outbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"cannot create OUTBOX ({exc.strerror or exc})", outbox) from None
    with outbox_lock(outbox):
        batch_run = Run(inbox, outbox, settings, rules, pattern, force, timeout, limits, listener)
        batch_run.pdf = pdf
        batch_run.use_layouts(layout_paths)
        return batch_run.run(workers)


class Run:
    """One run over INBOX into OUTBOX, holding its report rows and the manifest as they change."""

    def __init__(
        self,
        inbox: Path,
        outbox: Path,
        settings: Settings,
        rules: str | Path | None,
        pattern: str,
        force: bool,
        timeout: float,
        limits: SafetyLimits,
        listener: BatchListener,
    ) -> None:
        self.inbox = inbox
        self.outbox = outbox
        self.settings = settings
        self.rules = str(rules) if rules is not None else None
        self.rules_sha = rules_hash(settings)
        self.pattern = pattern
        self.force = force
        self.timeout = timeout
        self.limits = limits
        self.listener = listener
        self.rows: dict[str, ReportRow] = {}
        self.manifest: dict[str, ManifestEntry] = {}
        self.manifest_saved = 0.0
        self.temp_folders = {outbox, outbox / FAILED_DIR}
        self.pdf = False  # also print each return to PDF beside it
        self.layouts: list[str] = []

    def use_layouts(self, paths: list[str]) -> None:
        """Layout profiles each worker chooses from by file name; a changed profile converts again."""
        self.layouts = paths
        if paths:
            digest = hashlib.sha256(self.rules_sha.encode())
            for p in paths:
                digest.update(Path(p).read_bytes())
            self.rules_sha = digest.hexdigest()

    def run(self, workers: int) -> BatchResult:
        """Convert what changed with `workers` processes; the result has a row per input."""
        self.manifest, problem = load_manifest(self.outbox)
        if problem:
            self.listener.note(problem)
        items = discover(self.inbox, self.outbox, self.pattern)
        for item in items:
            self.temp_folders.add(item.out_dir)
            self.temp_folders.add((self.outbox / FAILED_DIR / item.name).parent)
        remove_leftover_temps(self.temp_folders)
        todo: list[Input] = []
        for item in items:
            hash_input(item)
            if item.problem is not None:
                self._finish(item, {"ok": False, "error": item.problem, "kind": "unreadable"})
            elif (entry := self._unchanged(item)) is not None:
                self.rows[item.name] = entry.row.model_copy(update={"status": "skipped", "error": None})
            else:
                todo.append(item)
        unreadable = [self.rows[item.name] for item in items if item.problem is not None]
        self.listener.started(len(items), len(todo) + len(unreadable), len(self.rows) - len(unreadable))
        for row in unreadable:
            self.listener.file_done(row)
        previous = install_sigterm()
        try:
            if todo:
                pool = Pool(workers, self.settings, self.limits, self.timeout, self.pdf, self.layouts)
                pool.run(todo, self.outbox, self._done)
        except (KeyboardInterrupt, Stopped):
            self._save_manifest(current={i.name for i in items}, prune=False)
            raise KeyboardInterrupt from None
        finally:
            restore_sigterm(previous)
            remove_leftover_temps(self.temp_folders)
        names = {item.name for item in items}
        self._save_manifest(current=names, prune=True)
        prune_failed_notes(self.outbox, {name for name, row in self.rows.items() if row.status == "failed"})
        result = BatchResult(rows=[self.rows[item.name] for item in items])
        result.problems = write_reports(self.outbox, self.rules, result.rows, self.listener.note)
        return result

    def _unchanged(self, item: Input) -> ManifestEntry | None:
        entry = self.manifest.get(item.name)
        if self.force or entry is None or entry.sha256 != item.sha256:
            return None
        if entry.key != manifest_key(item.sha256, self.rules_sha, entry.output):
            return None
        if not (self.outbox / entry.output).is_file():
            return None  # the return was deleted: make it again
        if self.pdf and not (self.outbox / entry.output).with_suffix(".pdf").is_file():
            return None  # the PDF is wanted now and was not printed last time
        return entry

    def _done(self, item: Input, result: dict[str, Any]) -> None:
        self.listener.file_done(self._finish(item, result))
        if time.monotonic() - self.manifest_saved >= MANIFEST_SAVE_EVERY:
            self._save_manifest(current=None, prune=False)

    def _finish(self, item: Input, result: dict[str, Any]) -> ReportRow:
        note = self.outbox / FAILED_DIR / f"{item.name}.txt"
        if result["ok"]:
            row = ReportRow(
                file=item.name,
                status="converted",
                sha256=item.sha256,
                **{k: v for k, v in result.items() if k in ReportRow.model_fields},
            )
            assert row.output is not None
            self.manifest[item.name] = ManifestEntry(
                key=manifest_key(item.sha256, self.rules_sha, row.output),
                sha256=item.sha256,
                output=row.output,
                row=row,
            )
            with contextlib.suppress(OSError):
                note.unlink()
        else:
            row = ReportRow(file=item.name, status="failed", error=result["error"], sha256=item.sha256)
            self.manifest.pop(item.name, None)  # failures are tried again next run
            try:
                atomic_write(note, failure_note(item, result, self.timeout).encode("utf-8", "backslashreplace"))
            except OSError as exc:
                self.listener.note(f"cannot write {note} ({exc.strerror or exc})")
        self.rows[item.name] = row
        return row

    def _save_manifest(self, current: set[str] | None, prune: bool) -> None:
        if prune and current is not None:
            self.manifest = {name: entry for name, entry in self.manifest.items() if name in current}
        save_manifest(self.outbox, self.manifest)
        self.manifest_saved = time.monotonic()


def install_sigterm() -> Any:
    """Make SIGTERM stop the run as Ctrl+C does (main thread only); returns the handler it replaced."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return None

    def stop(signum: int, frame: Any) -> None:
        raise Stopped

    try:
        return signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):
        return None


def restore_sigterm(previous: Any) -> None:
    """Put back the SIGTERM handler install_sigterm replaced."""
    if previous is not None:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signal.SIGTERM, previous)
