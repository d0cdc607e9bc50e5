"""The `xlscorecard batch` command: run, show each file's line (a progress bar on a terminal, plain
log lines in a pipe), print the summary, and turn the outcome into an exit code."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xlscorecard import __version__
from xlscorecard.batch.lines import now, one_line
from xlscorecard.batch.report import REPORT_CSV, ReportRow, describe
from xlscorecard.batch.run import BatchListener, run_batch
from xlscorecard.core.errors import ScorecardError


class PlainListener(BatchListener):
    """Log lines for cron and Task Scheduler: one per file, flushed at once so a killed run keeps them."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def note(self, message: str) -> None:
        self._print(f"note: {one_line(message)}")

    def started(self, inputs: int, to_convert: int, unchanged: int) -> None:
        self._print(f"{now()} xlscorecard {__version__} batch: {inputs} files, {to_convert} to convert")

    def file_done(self, row: ReportRow) -> None:
        self._print(describe(row))


class ProgressListener(BatchListener):
    """A rich progress bar on a terminal, with the same per-file lines printed above it."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.task: Any = None

    def note(self, message: str) -> None:
        self.progress.console.print(f"note: {one_line(message)}", markup=False, highlight=False)

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
        with _listener(stdout) as listener:
            result = run_batch(
                inbox,
                outbox,
                workers=workers,
                rules=rules,
                pattern=pattern,
                force=force,
                timeout=timeout,
                listener=listener,
                pdf=pdf,
                layouts=list(layouts or []),
            )
    except ScorecardError as exc:
        return _usage_error(str(exc))
    except KeyboardInterrupt:
        print("interrupted: returns written so far are kept; run again to finish", file=sys.stderr, flush=True)
        return 130
    except Exception as exc:
        if os.environ.get("XLSCORECARD_DEBUG"):
            raise
        return _usage_error(f"{outbox}: unexpected problem: {type(exc).__name__}: {one_line(str(exc))}")
    print(f"{result.summary()} (report: {Path(outbox) / REPORT_CSV})", file=stdout, flush=True)
    return result.exit_code


@contextlib.contextmanager
def _listener(stdout: Any) -> Iterator[BatchListener]:
    """A progress bar on a terminal (gone when the run ends), plain log lines anywhere else."""
    if not stdout.isatty():
        yield PlainListener(stdout)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
    ) as progress:
        yield ProgressListener(progress)


def _usage_error(message: str) -> int:
    print(f"xlscorecard: error: {one_line(message)}", file=sys.stderr, flush=True)
    return 2
