"""The pool of batch workers, managed by hand: a deadline per task, and a worker that overruns or dies
is replaced so that only the file it held fails.

The parent enforces a deadline per task. A worker that overruns is killed and replaced; a worker
that dies (crash, os._exit, SIGKILL, out of memory) is noticed through its process sentinel and
replaced. Either way only the file it held fails: there is no shared pool to break and no shared
queue a dying process could corrupt.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from xlscorecard.batch.inbox import Input
from xlscorecard.batch.lines import seconds
from xlscorecard.batch.worker import worker_main
from xlscorecard.core.settings import Settings
from xlscorecard.xlsx.safety import SafetyLimits

STARTUP_LIMIT = 60.0  # seconds a new worker may take to import before it counts as failed to start
MAX_START_FAILURES = 3  # workers in a row that die before becoming ready: stop trying


class Worker:
    """One worker process, its pipe, and the task it holds."""

    def __init__(self, ctx: Any, settings: Settings, limits: SafetyLimits) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=worker_main, args=(child, settings, limits), name="xlscorecard-batch-worker", daemon=True
        )
        self.proc.start()
        child.close()
        self.started = time.monotonic()
        self.ready = False
        self.task: Input | None = None
        self.deadline = 0.0

    def stop(self, kill: bool = False) -> None:
        """Ask the worker to finish (or kill it), and wait for it to go."""
        if not kill and self.proc.is_alive():
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


def death_reason(exitcode: int | None) -> str:
    """Why a worker's file failed when the worker died: the signal or the exit code."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if name in ("SIGKILL", "SIGABRT") else ""
        return f"the worker converting it was killed by {name}{hint}"
    return f"the worker converting it stopped unexpectedly (exit code {exitcode})"


class Pool:
    """N worker slots managed by hand: per-task deadlines, and a dead worker costs only its file."""

    def __init__(
        self,
        size: int,
        settings: Settings,
        limits: SafetyLimits,
        timeout: float,
        pdf: bool = False,
        layouts: list[str] | None = None,
    ) -> None:
        self.ctx = multiprocessing.get_context("spawn")  # fork is unsafe with threads; Windows has only spawn
        self.pdf = pdf
        self.size = size
        self.layouts = layouts or []
        self.settings = settings
        self.limits = limits
        self.timeout = timeout
        self.workers: list[Worker] = []
        self.start_failures = 0

    def _spawn(self) -> None:
        self.workers.append(Worker(self.ctx, self.settings, self.limits))

    def run(self, items: list[Input], outbox: Path, done: Callable[[Input, dict[str, Any]], None]) -> None:
        """Convert every item, calling `done` with each item's result as it arrives."""
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

    def _dispatch(self, pending: deque[Input], outbox: Path, done: Callable[[Input, dict[str, Any]], None]) -> None:
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

    def _wait(self, pending: deque[Input], done: Callable[[Input, dict[str, Any]], None]) -> None:
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
                    done(item, {"ok": False, "error": death_reason(worker.proc.exitcode), "kind": "crash"})
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
                        "error": f"took longer than {seconds(self.timeout)}; its worker was stopped",
                        "kind": "timeout",
                    },
                )
                self._replace(worker, pending, stopped=True)
            elif not worker.ready and now >= worker.started + STARTUP_LIMIT:
                self.start_failures += 1
                self._replace(worker, pending)

    def _receive(self, worker: Worker) -> dict[str, Any] | None:
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

    def _replace(self, worker: Worker, pending: deque[Input], stopped: bool = False) -> None:
        if not stopped:
            worker.stop(kill=True)
        self.workers.remove(worker)
        if pending and self.start_failures < MAX_START_FAILURES:
            self._spawn()
