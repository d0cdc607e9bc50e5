"""A batch worker process: converts one input at a time, each through the safety checks, and answers
with a picklable result; one that hangs or dies costs only the file it holds (xlscorecard.batch.pool).

Each worker is a `spawn`ed process with its own pipe to the parent. It imports the heavy modules
once, says "ready", then converts one task at a time through `api.convert_and_assess` (which runs
the safety checks of DESIGN 8 before any parser sees the file). `worker_main` is the spawn target,
so it must stay importable by its module path.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from xlscorecard.batch.lines import now, one_line
from xlscorecard.batch.outbox import is_leftover_temp
from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.settings import Settings
from xlscorecard.process_limits import DEFAULT_WORKER_MEMORY_BYTES, limit_memory, quiet_stderr
from xlscorecard.xlsx.safety import SafetyLimits


def convert_task(task: dict[str, Any], settings: Settings, limits: SafetyLimits) -> dict[str, Any]:
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
        return {"ok": False, "error": one_line(exc.message), "kind": type(exc).__name__}
    except OSError as exc:  # reading is wrapped in WorkbookError by the reader: this is the return's write
        # os.replace names the temporary file first and the return second.
        where = exc.filename2 or exc.filename or task["out_dir"]
        if is_leftover_temp(Path(str(where)).name):
            where = task["out_dir"]
        return {
            "ok": False,
            "error": one_line(f"cannot write the return {where} ({exc.strerror or exc}); is it open in Excel?"),
            "kind": "write",
        }
    except Exception as exc:
        return {
            "ok": False,
            "error": one_line(f"unexpected problem: {type(exc).__name__}: {exc}"),
            "kind": "unexpected",
            "detail": traceback.format_exc(),
        }
    outcome = outcome_of(assessment, output=target.relative_to(Path(task["outbox"])).as_posix())
    return {"ok": True, **outcome.model_dump(exclude={"file", "status", "error"}), "converted_at": now()}


def worker_main(conn: Connection, settings: Settings, limits: SafetyLimits) -> None:
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
            result = convert_task(task, settings, limits)
        conn.send(result)
