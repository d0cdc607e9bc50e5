"""Convert each upload in its own worker process, with a time and a memory limit (DESIGN 8).

The page never parses an uploaded workbook in its own process: a hostile file that makes a reader
abort (a Rust panic cannot be caught), hang or balloon takes down only the worker converting it.
At most `workers` conversions run at once; the rest wait their turn. On Linux the workers are
forked from a forkserver that has imported the converter once, so a conversion starts in
milliseconds; elsewhere they are spawned.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

from xlscorecard.core.settings import Settings
from xlscorecard.process_limits import DEFAULT_WORKER_MEMORY_BYTES, limit_memory, quiet_stderr
from xlscorecard.web.folder import FindingsRecord, ReturnsFolder, UploadRejected, display_name
from xlscorecard.web.upload import ReceivedFile
from xlscorecard.xlsx.safety import SafetyLimits

_PRELOAD = ["xlscorecard.web.worker", "xlscorecard.api", "xlscorecard.xlsx.return_workbook", "python_calamine"]


@dataclass(frozen=True)
class WorkerLimits:
    """How many uploads convert at once, and what each conversion may use."""

    workers: int = 2
    timeout: float = 120.0
    memory_bytes: int = DEFAULT_WORKER_MEMORY_BYTES

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if not self.timeout > 0:
            raise ValueError("timeout must be more than 0 seconds")
        if self.memory_bytes < 64 * 1024**2:
            raise ValueError("a worker needs at least 64 MB")


class UploadConverter:
    """Runs `ReturnsFolder.store_upload` in a worker process per upload."""

    def __init__(
        self, root: Path, limits: SafetyLimits, worker_limits: WorkerLimits, layouts: Sequence[Any] = ()
    ) -> None:
        self.root = root
        self.limits = limits
        self.layouts = list(layouts)
        self.worker_limits = worker_limits
        self.limiter = anyio.CapacityLimiter(worker_limits.workers)
        methods = multiprocessing.get_all_start_methods()
        self.ctx: Any = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            self.ctx.set_forkserver_preload(_PRELOAD)

    async def store(
        self, received: ReceivedFile, settings: Settings | None, owner: str | None = None
    ) -> FindingsRecord:
        """The upload's findings record; UploadRejected with a one-line reason if it cannot be converted."""
        async with self.limiter:
            return await anyio.to_thread.run_sync(self._run, received, settings, owner)

    def _run(self, received: ReceivedFile, settings: Settings | None, owner: str | None) -> FindingsRecord:
        shown = display_name(received.filename)
        limits = self.worker_limits
        reader, writer = self.ctx.Pipe(duplex=False)
        proc = self.ctx.Process(
            target=_convert_upload,
            args=(writer, str(self.root), self.limits, str(received.path), received.filename, received.sha256,
                  settings, limits.memory_bytes, self.layouts, owner),
            name="xlscorecard-upload-worker",
            daemon=True,
        )
        try:
            proc.start()
            writer.close()
            message: Any = None
            if reader.poll(limits.timeout):
                with contextlib.suppress(EOFError, OSError):
                    message = reader.recv()
            elif proc.is_alive():
                raise UploadRejected(
                    f"{shown}: converting it took longer than {limits.timeout:g} s, so it was stopped;"
                    " nothing was kept - check that it is a scorecard workbook, or ask the administrator"
                )
            if message is None:
                proc.join(5)
                raise UploadRejected(f"{shown}: {_death_reason(proc.exitcode, limits.memory_bytes)}; nothing was kept")
            kind, payload = message
            if kind == "ok":
                return FindingsRecord.model_validate(payload)
            if kind == "rejected":
                raise UploadRejected(payload)
            raise RuntimeError(payload)  # a real bug in the converter: the page logs it and answers 500
        finally:
            if proc.is_alive():
                proc.kill()
            with contextlib.suppress(ValueError, AssertionError):
                proc.join(5)
            reader.close()
            with contextlib.suppress(OSError):
                received.path.unlink()


def _death_reason(exitcode: int | None, memory_bytes: int) -> str:
    limit = f"{memory_bytes / 1024**2:.0f} MB"
    if exitcode is not None and exitcode < 0 and -exitcode in (signal.SIGABRT, signal.SIGKILL, signal.SIGSEGV):
        return (f"the workbook could not be converted: reading it needed more than the {limit} a conversion may"
                " use, or the reader crashed on it")
    return f"the workbook could not be converted: its conversion stopped unexpectedly (exit code {exitcode})"


def _convert_upload(
    conn: Connection,
    root: str,
    limits: SafetyLimits,
    received: str,
    filename: str,
    sha256: str,
    settings: Settings | None,
    memory_bytes: int,
    layouts: list[Any],
    owner: str | None,
) -> None:
    """In the worker: cap memory, convert, send ("ok", record) / ("rejected", reason) / ("error", text)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C on the server: the parent decides
    limit_memory(memory_bytes)
    quiet_stderr()  # a reader's panic text must not interleave with the server's log
    try:
        record = ReturnsFolder(Path(root), limits, layouts).store_upload(
            Path(received), filename, sha256, settings, owner
        )
        message: tuple[str, Any] = ("ok", record.model_dump(mode="json"))
    except UploadRejected as exc:
        message = ("rejected", str(exc))
    except MemoryError:
        message = ("rejected", f"{display_name(filename)}: reading it needs more than the"
                               f" {memory_bytes / 1024**2:.0f} MB a conversion may use; nothing was kept")
    except Exception as exc:
        message = ("error", f"{type(exc).__name__}: {exc}")
    conn.send(message)
    conn.close()
