"""`xlscorecard batch`: convert a folder of submitted workbooks, safe on hostile files (issue 6).

Shape
-----
- The parent process finds the inputs, hashes them, decides which are unchanged since the last run
  (the manifest in OUTBOX), hands the rest to a pool of long-lived worker processes, and writes the
  report. It never parses a workbook itself.
- Each worker is a `spawn`ed process with its own pipe to the parent. It imports the heavy modules
  once, says "ready", then converts one task at a time through `api.convert_and_assess` (which runs
  the safety checks of DESIGN 8 before any parser sees the file).
- The parent enforces a deadline per task. A worker that overruns is killed and replaced; a worker
  that dies (crash, os._exit, SIGKILL, out of memory) is noticed through its process sentinel and
  replaced. Either way only the file it held fails: there is no shared pool to break and no shared
  queue a dying process could corrupt.
- Every file written to OUTBOX goes to a temporary name (`.xlscorecard-*.tmp`, or the return
  writer's `.<stem>.*.xlsx.tmp`) and is renamed into place. A lock file keeps two runs from sharing
  one OUTBOX; each run starts and ends by removing temporary files a killed run left behind.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection, wait
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from xlscorecard import __version__
from xlscorecard.atomic import write_atomically
from xlscorecard.core.errors import ScorecardError, UnsafeWorkbook, WorkbookError
from xlscorecard.core.findings import Code
from xlscorecard.core.run_report import RunOutcome
from xlscorecard.core.settings import Settings
from xlscorecard.process_limits import DEFAULT_WORKER_MEMORY_BYTES, limit_memory, quiet_stderr
from xlscorecard.xlsx.safety import SafetyLimits

__all__ = [
    "FAILED_DIR",
    "MANIFEST_NAME",
    "REPORT_CSV",
    "REPORT_JSON",
    "TIDY_CSV",
    "BatchError",
    "BatchListener",
    "BatchResult",
    "Report",
    "ReportRow",
    "batch_command",
    "load_report",
    "run_batch",
]

REPORT_JSON = "report.json"
REPORT_CSV = "report.csv"
TIDY_CSV = "tidy.csv"  # every return's figures in one table (xlscorecard.core.tidy), from their sidecars
FAILED_DIR = "failed"
MANIFEST_NAME = ".xlscorecard-manifest.json"
LOCK_NAME = ".xlscorecard-batch.lock"
TMP_PREFIX = ".xlscorecard-"
TMP_SUFFIX = ".tmp"
_OUTPUT_KINDS = (".xlsx", ".json", ".pdf", ".csv")  # the return, its sidecar and PDF, tidy.csv
MANIFEST_FORMAT = 1

STARTUP_LIMIT = 60.0  # seconds a new worker may take to import before it counts as failed to start
MAX_START_FAILURES = 3  # workers in a row that die before becoming ready: stop trying
MANIFEST_SAVE_EVERY = 1.0  # seconds between manifest saves during a run (the first result saves at once)


Status = Literal["converted", "skipped", "failed"]


# --------------------------------------------------------------------------- the report


class ReportRow(RunOutcome):
    """One input of a batch run, as report.json and report.csv show it: the run report's outcome
    (xlscorecard.core.run_report) plus when the return was written and the input's hash."""

    model_config = ConfigDict(extra="ignore")

    status: Status
    converted_at: str | None = None  # ISO-8601, when the return was written
    sha256: str = ""  # of the input's bytes; empty when they could not be read


class Report(BaseModel):
    """The whole of report.json."""

    model_config = ConfigDict(extra="ignore")

    generated_at: str
    version: str
    rules: str | None
    rows: list[ReportRow]


def load_report(outbox: str | Path) -> list[ReportRow]:
    """The rows of OUTBOX/report.json; [] when no batch has written one yet."""
    path = Path(outbox) / REPORT_JSON
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ScorecardError(f"cannot read the batch report ({exc.strerror or exc})", path) from None
    try:
        return Report.model_validate_json(text).rows
    except ValidationError as exc:
        raise ScorecardError(f"batch report is damaged ({exc.errors()[0]['msg']})", path) from None


# --------------------------------------------------------------------------- the manifest


class ManifestEntry(BaseModel):
    """What the last successful conversion of one input produced, and the key it was made under."""

    model_config = ConfigDict(extra="ignore")

    key: str  # sha256 of content hash + rules hash + version + output name
    sha256: str
    output: str
    row: ReportRow


def _load_manifest(outbox: Path) -> tuple[dict[str, ManifestEntry], str | None]:
    """(entries, problem): a damaged manifest only means converting everything again."""
    path = outbox / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError) as exc:
        return {}, f"manifest {MANIFEST_NAME} unreadable ({type(exc).__name__}); converting everything"
    entries: dict[str, ManifestEntry] = {}
    raw = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(raw, dict) or data.get("format") != MANIFEST_FORMAT:
        return {}, f"manifest {MANIFEST_NAME} not understood; converting everything"
    for name, value in raw.items():
        with contextlib.suppress(ValidationError):
            entries[name] = ManifestEntry.model_validate(value)
    return entries, None


def _manifest_key(content_sha: str, rules_sha: str, output: str) -> str:
    text = "\0".join((content_sha, rules_sha, __version__, output))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rules_hash(settings: Settings) -> str:
    """Hash of the effective rules, so equivalent rules files (or none vs defaults) agree."""
    return hashlib.sha256(settings.model_dump_json().encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- atomic files


def _atomic_write(path: Path, data: bytes) -> None:
    """Write `path` through a temporary file in the same folder, renamed into place when complete."""
    write_atomically(path, data, prefix=TMP_PREFIX, suffix=TMP_SUFFIX)


def _is_leftover_temp(name: str) -> bool:
    """Temporary names this module, the return writer, the sidecar, the PDF and tidy.csv use; never a final name."""
    return name.startswith(".") and name.endswith(TMP_SUFFIX) and (
        name.startswith(TMP_PREFIX) or name.endswith(tuple(kind + TMP_SUFFIX for kind in _OUTPUT_KINDS))
    )


def _remove_leftover_temps(folders: set[Path]) -> None:
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if _is_leftover_temp(name):
                with contextlib.suppress(OSError):
                    (folder / name).unlink()


@contextlib.contextmanager
def _outbox_lock(outbox: Path) -> Iterator[None]:
    """Hold an exclusive lock on OUTBOX for the run; a second run on the same OUTBOX is refused."""
    fh = open(outbox / LOCK_NAME, "a+b")  # noqa: SIM115 - held for the whole run
    try:
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchError("another xlscorecard batch is already writing to this folder", outbox) from None
        yield
    finally:
        fh.close()  # closing releases the lock on every platform


# --------------------------------------------------------------------------- inputs


class BatchError(ScorecardError):
    """The batch cannot start with these arguments (exit 2)."""


@dataclass
class _Input:
    name: str  # relative to INBOX, posix separators
    path: Path
    out_dir: Path
    stem: str | None = None  # output stem when two inputs share one
    sha256: str = ""
    stat: tuple[int, int] = (0, 0)  # (size, mtime_ns) when hashed
    problem: str | None = None  # unreadable before conversion: fails without a worker


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _discover(inbox: Path, outbox: Path, pattern: str) -> list[_Input]:
    """Files of INBOX matching `pattern`, sorted; not OUTBOX's own files, Excel lock files or hidden files."""
    inbox_resolved, outbox_resolved = inbox.resolve(), outbox.resolve()
    # OUTBOX inside INBOX: its returns are not inputs. (INBOX inside OUTBOX is fine too.)
    outbox_in_inbox = _inside(outbox_resolved, inbox_resolved)
    found: list[_Input] = []
    try:
        matches = sorted(inbox.glob(_case_insensitive(pattern)), key=lambda p: p.relative_to(inbox).as_posix())
    except (ValueError, NotImplementedError) as exc:
        raise BatchError(f"--pattern '{pattern}' is not a usable glob ({exc})") from None
    for path in matches:
        rel = path.relative_to(inbox)
        # ~$name.xlsx is Excel's lock file for an open workbook; dot files are hidden (macOS ._
        # resource forks, our own temporary files).
        if any(part.startswith(("~$", ".")) for part in rel.parts):
            continue
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            resolved = None
        if outbox_in_inbox and resolved is not None and _inside(resolved, outbox_resolved):
            continue
        if path.is_dir():
            continue
        name = rel.as_posix()
        item = _Input(name=_printable_name(name), path=path, out_dir=outbox / rel.parent)
        if item.name != name:
            # JSON, CSV and the notes need text; a name that is not valid UTF-8 cannot be reported as it is.
            item.problem = "the file name is not valid text (UTF-8); rename the file"
        elif resolved is not None and path.is_symlink() and not _inside(resolved, inbox_resolved):
            item.problem = "is a link to a file outside INBOX; copy the file into INBOX instead"
        found.append(item)
    # Two inputs that would give one return name (a.xlsx and a.xlsm) keep their extension in it.
    groups: dict[tuple[str, str], list[_Input]] = {}
    for item in found:
        groups.setdefault((str(PurePosixPath(item.name).parent), item.path.stem.casefold()), []).append(item)
    for members in groups.values():
        if len(members) > 1:
            for item in members:
                item.stem = item.path.name
    return found


def _printable_name(name: str) -> str:
    """The name itself, or with bytes that are not UTF-8 (surrogate escapes) shown as \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _case_insensitive(pattern: str) -> str:
    """`*.xlsx` -> `*.[xX][lL][sS][xX]`: Scorecard.XLSX is a workbook on Linux too (as on Windows)."""
    out: list[str] = []
    in_class = False
    for ch in pattern:
        if in_class:
            in_class = ch != "]"
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
        elif ch.lower() != ch.upper():
            out.append(f"[{ch.lower()}{ch.upper()}]")
        else:
            out.append(ch)
    return "".join(out)


def _hash_input(item: _Input) -> None:
    """Fill in sha256 and stat, reading the file read-only; note why if it cannot be read."""
    import stat as stat_module

    if item.problem is not None:
        return  # refused by name or link: not opened at all

    try:
        st = item.path.stat()
    except FileNotFoundError:
        item.problem = "file not found (a broken link, or removed during the run)"
        return
    except OSError as exc:
        item.problem = f"cannot read the file ({exc.strerror or exc})"
        return
    if not stat_module.S_ISREG(st.st_mode):
        # A FIFO or device would block or never end: never open one.
        item.problem = "is not a regular file, not a workbook"
        return
    digest = hashlib.sha256()
    try:
        with open(item.path, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                digest.update(chunk)
            st_after = os.fstat(fh.fileno())
    except OSError as exc:
        item.problem = f"cannot read the file ({exc.strerror or exc})"
        return
    item.sha256 = digest.hexdigest()
    item.stat = (st_after.st_size, st_after.st_mtime_ns)
    if (st.st_size, st.st_mtime_ns) != item.stat:
        item.problem = "the file changed while it was being read (still being copied?); it is tried again next run"


# --------------------------------------------------------------------------- the worker


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _convert_task(task: dict[str, Any], settings: Settings, limits: SafetyLimits) -> dict[str, Any]:
    """Convert one input in a worker; always returns a picklable result, never raises."""
    from xlscorecard.api import convert_and_assess
    from xlscorecard.core.run_report import outcome_of

    path = Path(task["path"])
    changed = "the file changed while it was being converted (still being copied?); it is tried again next run"
    try:
        st = path.stat()
        if (st.st_size, st.st_mtime_ns) != tuple(task["stat"]):
            return {"ok": False, "error": changed, "kind": "changed"}
        out_dir = Path(task["out_dir"])
        out_dir.mkdir(parents=True, exist_ok=True)  # return_path takes a missing folder for a file name
        profile = None
        if task.get("layouts"):
            from xlscorecard.core.reading.profile import choose_profile, load_profile

            profile = choose_profile([load_profile(p) for p in task["layouts"]], path)
        target, assessment = convert_and_assess(
            path, out=out_dir, settings=settings, limits=limits, stem=task["stem"], profile=profile
        )
        if task.get("pdf"):
            from xlscorecard.xlsx.pdf import print_to_pdf

            print_to_pdf(target, timeout=task["pdf_timeout"])
        st = path.stat()
        if (st.st_size, st.st_mtime_ns) != tuple(task["stat"]):
            with contextlib.suppress(OSError):
                target.unlink()
            return {"ok": False, "error": changed, "kind": "changed"}
    except ScorecardError as exc:
        return {"ok": False, "error": _one_line(exc.message), "kind": type(exc).__name__}
    except OSError as exc:  # reading is wrapped in WorkbookError by the reader: this is the return's write
        # os.replace names the temporary file first and the return second.
        where = exc.filename2 or exc.filename or task["out_dir"]
        if _is_leftover_temp(Path(str(where)).name):
            where = task["out_dir"]
        return {
            "ok": False,
            "error": _one_line(f"cannot write the return {where} ({exc.strerror or exc}); is it open in Excel?"),
            "kind": "write",
        }
    except Exception as exc:
        return {
            "ok": False,
            "error": _one_line(f"unexpected problem: {type(exc).__name__}: {exc}"),
            "kind": "unexpected",
            "detail": traceback.format_exc(),
        }
    outcome = outcome_of(assessment, output=target.relative_to(Path(task["outbox"])).as_posix())
    return {"ok": True, **outcome.model_dump(exclude={"file", "status", "error"}), "converted_at": _now()}


def _worker_main(conn: Connection, settings: Settings, limits: SafetyLimits) -> None:
    """A long-lived worker: import once, then convert tasks from `conn` until told to stop."""
    # Ctrl+C reaches the whole process group; the parent decides what happens to workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A reader that hits the limit (or panics) dies, and only its file fails. Its panic text would
    # add lines to the run's log, which keeps one line per file: the reason comes from the parent.
    limit_memory(DEFAULT_WORKER_MEMORY_BYTES)
    quiet_stderr()
    parent = multiprocessing.parent_process()
    if parent is not None:
        # If the parent dies (killed, closed console), do not linger on a pathological file.
        def watch_parent() -> None:
            parent.join()
            os._exit(3)

        threading.Thread(target=watch_parent, daemon=True, name="watch-parent").start()
    import openpyxl  # noqa: F401 - the expensive imports, once per worker
    import xlsxwriter  # noqa: F401

    import xlscorecard.api
    import xlscorecard.xlsx.return_workbook  # noqa: F401
    from xlscorecard.process import collector_paused

    conn.send({"ready": True})
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        with collector_paused():  # a worker owns its process; the task's assessment is freed inside
            result = _convert_task(task, settings, limits)
        conn.send(result)


# --------------------------------------------------------------------------- the pool


class _Worker:
    """One worker process, its pipe, and the task it holds."""

    def __init__(self, ctx: Any, settings: Settings, limits: SafetyLimits) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=_worker_main, args=(child, settings, limits), name="xlscorecard-batch-worker", daemon=True
        )
        self.proc.start()
        child.close()
        self.started = time.monotonic()
        self.ready = False
        self.task: _Input | None = None
        self.deadline = 0.0

    def stop(self, kill: bool = False) -> None:
        if not kill and self.proc.is_alive():
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


def _death_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if name in ("SIGKILL", "SIGABRT") else ""
        return f"the worker converting it was killed by {name}{hint}"
    return f"the worker converting it stopped unexpectedly (exit code {exitcode})"


def _seconds(value: float) -> str:
    return f"{value:g} s"


class _Pool:
    """N worker slots managed by hand: per-task deadlines, and a dead worker costs only its file."""

    def __init__(
        self, size: int, settings: Settings, limits: SafetyLimits, timeout: float, pdf: bool = False,
        layouts: list[str] | None = None,
    ) -> None:
        self.ctx = multiprocessing.get_context("spawn")  # fork is unsafe with threads; Windows has only spawn
        self.pdf = pdf
        self.size = size
        self.layouts = layouts or []
        self.settings = settings
        self.limits = limits
        self.timeout = timeout
        self.workers: list[_Worker] = []
        self.start_failures = 0

    def _spawn(self) -> None:
        self.workers.append(_Worker(self.ctx, self.settings, self.limits))

    def run(
        self, items: list[_Input], outbox: Path, done: Callable[[_Input, dict[str, Any]], None]
    ) -> None:
        pending = deque(items)
        try:
            for _ in range(min(self.size, len(pending))):
                self._spawn()
            while pending or any(w.task for w in self.workers):
                self._dispatch(pending, outbox, done)
                if not self.workers:
                    break
                self._wait(pending, done)
            while pending:  # no worker could start
                done(pending.popleft(), {"ok": False, "error": "could not start a worker process", "kind": "crash"})
        finally:
            for worker in self.workers:
                worker.stop(kill=worker.task is not None)
            self.workers.clear()

    def _dispatch(self, pending: deque[_Input], outbox: Path, done: Callable[[_Input, dict[str, Any]], None]) -> None:
        for worker in list(self.workers):
            if worker.ready and worker.task is None and pending:
                item = pending.popleft()
                task = {
                    "name": item.name,
                    "path": str(item.path),
                    "out_dir": str(item.out_dir),
                    "outbox": str(outbox),
                    "stem": item.stem,
                    "stat": item.stat,
                    "pdf": self.pdf,
                    "pdf_timeout": max(self.timeout - 5.0, 1.0),
                    "layouts": self.layouts,
                }
                try:
                    worker.conn.send(task)
                except (OSError, ValueError):
                    pending.appendleft(item)  # the worker died after saying ready; the file is not at fault
                    self._replace(worker, pending)
                    continue
                worker.task = item
                worker.deadline = time.monotonic() + self.timeout

    def _wait(self, pending: deque[_Input], done: Callable[[_Input, dict[str, Any]], None]) -> None:
        now = time.monotonic()
        deadlines = [w.deadline if w.task else w.started + STARTUP_LIMIT for w in self.workers if w.task or not w.ready]
        timeout = max(0.0, min(deadlines) - now) if deadlines else None
        waitables: list[Any] = [w.conn for w in self.workers] + [w.proc.sentinel for w in self.workers]
        wait(waitables, timeout=timeout)
        now = time.monotonic()
        for worker in list(self.workers):
            message = self._receive(worker)
            if message is not None:
                if message.get("ready"):
                    worker.ready = True
                    self.start_failures = 0
                elif worker.task is not None:
                    item, worker.task = worker.task, None
                    done(item, message)
                continue
            if worker.conn.closed or not worker.proc.is_alive():
                worker.proc.join(1)
                if worker.task is not None:
                    item, worker.task = worker.task, None
                    done(item, {"ok": False, "error": _death_reason(worker.proc.exitcode), "kind": "crash"})
                elif not worker.ready:
                    self.start_failures += 1
                self._replace(worker, pending)
            elif worker.task is not None and now >= worker.deadline:
                item, worker.task = worker.task, None
                worker.stop(kill=True)
                done(
                    item,
                    {
                        "ok": False,
                        "error": f"took longer than {_seconds(self.timeout)}; its worker was stopped",
                        "kind": "timeout",
                    },
                )
                self._replace(worker, pending, stopped=True)
            elif not worker.ready and now >= worker.started + STARTUP_LIMIT:
                self.start_failures += 1
                self._replace(worker, pending)

    def _receive(self, worker: _Worker) -> dict[str, Any] | None:
        """The worker's next message if one is waiting; None if none, or the pipe is dead."""
        if worker.conn.closed:
            return None
        try:
            if not worker.conn.poll():
                return None
            message = worker.conn.recv()
        except (EOFError, OSError):
            worker.conn.close()  # died; the sentinel check reports it
            return None
        return message if isinstance(message, dict) else None

    def _replace(self, worker: _Worker, pending: deque[_Input], stopped: bool = False) -> None:
        if not stopped:
            worker.stop(kill=True)
        self.workers.remove(worker)
        if pending and self.start_failures < MAX_START_FAILURES:
            self._spawn()


# --------------------------------------------------------------------------- the run


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
    rows: list[ReportRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the run itself, such as a report not written

    def count(self, status: Status) -> int:
        return sum(row.status == status for row in self.rows)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("failed") or self.problems else 0

    def summary(self) -> str:
        return f"{self.count('converted')} converted, {self.count('skipped')} unchanged, {self.count('failed')} failed"


class _Stopped(Exception):
    """SIGTERM arrived: stop as after Ctrl+C."""


def _check_arguments(inbox: Path, outbox: Path, pattern: str, workers: int, timeout: float) -> None:
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
    _check_arguments(inbox, outbox, pattern, workers, timeout)
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
    with _outbox_lock(outbox):
        batch_run = _Run(inbox, outbox, settings, rules, pattern, force, timeout, limits, listener)
        batch_run.pdf = pdf
        batch_run.use_layouts(layout_paths)
        return batch_run.run(workers)


class _Run:
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
        self.rules_sha = _rules_hash(settings)
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
        self.manifest, problem = _load_manifest(self.outbox)
        if problem:
            self.listener.note(problem)
        items = _discover(self.inbox, self.outbox, self.pattern)
        for item in items:
            self.temp_folders.add(item.out_dir)
            self.temp_folders.add((self.outbox / FAILED_DIR / item.name).parent)
        _remove_leftover_temps(self.temp_folders)
        todo: list[_Input] = []
        for item in items:
            _hash_input(item)
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
        previous = _install_sigterm()
        try:
            if todo:
                pool = _Pool(workers, self.settings, self.limits, self.timeout, self.pdf, self.layouts)
                pool.run(todo, self.outbox, self._done)
        except (KeyboardInterrupt, _Stopped):
            self._save_manifest(current={i.name for i in items}, prune=False)
            raise KeyboardInterrupt from None
        finally:
            _restore_sigterm(previous)
            _remove_leftover_temps(self.temp_folders)
        names = {item.name for item in items}
        self._save_manifest(current=names, prune=True)
        self._prune_failed_notes({name for name, row in self.rows.items() if row.status == "failed"})
        result = BatchResult(rows=[self.rows[item.name] for item in items])
        result.problems = self._write_reports(result.rows)
        return result

    def _unchanged(self, item: _Input) -> ManifestEntry | None:
        entry = self.manifest.get(item.name)
        if self.force or entry is None or entry.sha256 != item.sha256:
            return None
        if entry.key != _manifest_key(item.sha256, self.rules_sha, entry.output):
            return None
        if not (self.outbox / entry.output).is_file():
            return None  # the return was deleted: make it again
        if self.pdf and not (self.outbox / entry.output).with_suffix(".pdf").is_file():
            return None  # the PDF is wanted now and was not printed last time
        return entry

    def _done(self, item: _Input, result: dict[str, Any]) -> None:
        self.listener.file_done(self._finish(item, result))
        if time.monotonic() - self.manifest_saved >= MANIFEST_SAVE_EVERY:
            self._save_manifest(current=None, prune=False)

    def _finish(self, item: _Input, result: dict[str, Any]) -> ReportRow:
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
                key=_manifest_key(item.sha256, self.rules_sha, row.output),
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
                _atomic_write(note, _failure_note(item, result, self.timeout).encode("utf-8", "backslashreplace"))
            except OSError as exc:
                self.listener.note(f"cannot write {note} ({exc.strerror or exc})")
        self.rows[item.name] = row
        return row

    def _save_manifest(self, current: set[str] | None, prune: bool) -> None:
        entries = self.manifest
        if prune and current is not None:
            entries = {name: entry for name, entry in entries.items() if name in current}
            self.manifest = entries
        data = {
            "format": MANIFEST_FORMAT,
            "version": __version__,
            "saved_at": _now(),
            "entries": {name: entry.model_dump(mode="json") for name, entry in sorted(entries.items())},
        }
        text = json.dumps(data, indent=1, ensure_ascii=False)
        _atomic_write(self.outbox / MANIFEST_NAME, text.encode("utf-8", "backslashreplace"))
        self.manifest_saved = time.monotonic()

    def _prune_failed_notes(self, failed: set[str]) -> None:
        """Remove failed/<name>.txt notes of inputs that converted since, or left INBOX."""
        folder = self.outbox / FAILED_DIR
        if not folder.is_dir():
            return
        keep = {f"{name}.txt" for name in failed}
        for note in folder.rglob("*.txt"):
            if note.relative_to(folder).as_posix() not in keep:
                with contextlib.suppress(OSError):
                    note.unlink()

    def _write_tidy(self, rows: list[ReportRow]) -> None:
        """tidy.csv: the tidy rows of every return in the report (all councils and quarters), from their sidecars."""
        from xlscorecard.core.tidy import tidy_rows
        from xlscorecard.export import TidyFormat, write_tidy
        from xlscorecard.sidecar import read_sidecar

        tidy: list[dict[str, Any]] = []
        for row in rows:
            if row.output and (check := read_sidecar(self.outbox / row.output)) is not None:
                for line in tidy_rows(check):
                    line["file"] = row.file  # the inbox's name for it, not the worker's path
                    tidy.append(line)
        write_tidy(tidy, self.outbox / TIDY_CSV, TidyFormat.CSV)

    def _write_reports(self, rows: list[ReportRow]) -> list[str]:
        """Write report.json and report.csv; each that cannot be replaced (open in Excel) is a problem."""
        report = Report(generated_at=_now(), version=__version__, rules=self.rules, rows=rows)
        text = json.dumps(report.model_dump(mode="json"), indent=1, ensure_ascii=False) + "\n"
        problems = []
        for name, data in (
            (REPORT_JSON, text.encode("utf-8", "backslashreplace")),
            (REPORT_CSV, _report_csv(rows).encode("utf-8-sig", "backslashreplace")),
        ):
            try:
                _atomic_write(self.outbox / name, data)
            except OSError as exc:
                problems.append(f"cannot write {self.outbox / name} ({exc.strerror or exc}); is it open in Excel?")
                self.listener.note(problems[-1])
        try:
            self._write_tidy(rows)
        except OSError as exc:
            problems.append(f"cannot write {self.outbox / TIDY_CSV} ({exc.strerror or exc}); is it open in Excel?")
            self.listener.note(problems[-1])
        return problems


def _install_sigterm() -> Any:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        return None

    def stop(signum: int, frame: Any) -> None:
        raise _Stopped

    try:
        return signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):
        return None


def _restore_sigterm(previous: Any) -> None:
    if previous is not None:
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signal.SIGTERM, previous)


# --------------------------------------------------------------------------- rendering

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


def _failure_note(item: _Input, result: dict[str, Any], timeout: float) -> str:
    kind = result.get("kind", "")
    hint = HINTS.get(kind, DEFAULT_HINT)
    lines = [
        f"{item.name} could not be converted.",
        "",
        f"Reason: {result['error']}",
        "",
        hint,
        "",
        f"File: {_printable_name(str(item.path.absolute()))}",
        f"SHA-256: {item.sha256 or '(not read)'}",
        f"Checked: {_now()} by xlscorecard {__version__} (time limit {_seconds(timeout)} per file)",
    ]
    if result.get("detail"):
        lines += ["", "Details for the maintainers:", result["detail"].rstrip()]
    return "\n".join(lines) + "\n"


CSV_FIXED = ["file", "status", "reporting_period", "green", "amber", "red", "not_rated", "findings_total"]
CSV_TAIL = ["output", "error", "converted_at", "sha256"]


def _report_csv(rows: list[ReportRow]) -> str:
    """report.csv: one row per input, one column per finding code (so the columns never move)."""
    codes = [code.value for code in Code]
    codes += sorted({code for row in rows for code in row.findings} - set(codes))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIXED + codes + CSV_TAIL)
    for row in rows:
        data = row.model_dump()
        values = [data[name] for name in CSV_FIXED] + [row.findings.get(code, 0) for code in codes]
        values += [data[name] for name in CSV_TAIL]
        writer.writerow([_csv_cell(value) for value in values])
    return buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    """Text that Excel would run as a formula (a file named '=HYPERLINK(...).xlsx') gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def _one_line(text: str) -> str:
    """Control characters (a newline in a file name) never split a log line or a report cell."""
    return "".join(ch if ch.isprintable() else "?" for ch in " ".join(str(text).splitlines()))


def describe(row: ReportRow) -> str:
    """The log line for one input."""
    if row.status == "failed":
        return f"FAILED {_one_line(row.file)}: {_one_line(row.error or 'unknown problem')}"
    verb = "converted" if row.status == "converted" else "unchanged"
    plural = "" if row.findings_total == 1 else "s"
    return (
        f"{verb} {_one_line(row.file)} -> {_one_line(row.output or '')}"
        f" (G {row.green} A {row.amber} R {row.red}, {row.findings_total} finding{plural})"
    )


class _PlainListener(BatchListener):
    """Log lines for cron and Task Scheduler: one per file, flushed at once so a killed run keeps them."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def note(self, message: str) -> None:
        self._print(f"note: {_one_line(message)}")

    def started(self, inputs: int, to_convert: int, unchanged: int) -> None:
        self._print(f"{_now()} xlscorecard {__version__} batch: {inputs} files, {to_convert} to convert")

    def file_done(self, row: ReportRow) -> None:
        self._print(describe(row))


class _ProgressListener(BatchListener):
    """A rich progress bar on a terminal, with the same per-file lines printed above it."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.task: Any = None

    def note(self, message: str) -> None:
        self.progress.console.print(f"note: {_one_line(message)}", markup=False, highlight=False)

    def started(self, inputs: int, to_convert: int, unchanged: int) -> None:
        self.task = self.progress.add_task("converting", total=to_convert)

    def file_done(self, row: ReportRow) -> None:
        style = "red" if row.status == "failed" else None
        self.progress.console.print(describe(row), markup=False, highlight=False, style=style)
        if self.task is not None:
            self.progress.advance(self.task)


def batch_command(
    inbox: Path,
    outbox: Path | None,
    *,
    workers: int = 2,
    rules: Path | None = None,
    pattern: str = "*.xlsx",
    force: bool = False,
    timeout: float = 120.0,
    pdf: bool = False,
    layouts: list[Path] | None = None,
) -> int:
    """The `xlscorecard batch` command: run, show progress, print the summary; returns the exit code."""
    stdout = sys.stdout
    with contextlib.suppress(AttributeError, ValueError):
        # Redirected to a log, a file name the log's encoding cannot hold must not stop the batch.
        stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    if outbox is None:
        return _usage_error("missing -o OUTBOX (the folder for returns and the report)")
    try:
        if stdout.isatty():
            result = _run_with_progress(inbox, outbox, workers, rules, pattern, force, timeout, pdf, layouts)
        else:
            result = run_batch(
                inbox, outbox, workers=workers, rules=rules, pattern=pattern, force=force, timeout=timeout,
                listener=_PlainListener(stdout), pdf=pdf, layouts=list(layouts or []),
            )
    except ScorecardError as exc:
        return _usage_error(str(exc))
    except KeyboardInterrupt:
        print("interrupted: returns written so far are kept; run again to finish", file=sys.stderr, flush=True)
        return 130
    except Exception as exc:
        if os.environ.get("XLSCORECARD_DEBUG"):
            raise
        return _usage_error(f"{outbox}: unexpected problem: {type(exc).__name__}: {_one_line(str(exc))}")
    print(f"{result.summary()} (report: {Path(outbox) / REPORT_CSV})", file=stdout, flush=True)
    return result.exit_code


def _run_with_progress(
    inbox: Path, outbox: Path, workers: int, rules: Path | None, pattern: str, force: bool, timeout: float,
    pdf: bool = False,
    layouts: list[Path] | None = None,
) -> BatchResult:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    ) as progress:
        return run_batch(
            inbox, outbox, workers=workers, rules=rules, pattern=pattern, force=force, timeout=timeout,
            listener=_ProgressListener(progress), pdf=pdf, layouts=list(layouts or []),
        )


def _usage_error(message: str) -> int:
    print(f"xlscorecard: error: {_one_line(message)}", file=sys.stderr, flush=True)
    return 2

