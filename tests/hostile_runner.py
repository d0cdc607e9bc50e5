"""Run `xlscorecard` commands on many files, two at a time, each in its own forked child process.

    python tests/hostile_runner.py JOBS.json RESULTS.json

JOBS.json is a list of {"id": str, "args": [str, ...]} (the command line after `xlscorecard`).
The runner imports the command line once, then forks a child per job that runs it exactly as the
console script does, with stdout and stderr in files. For each job it records the exit code, the
signal that ended it (if any), stderr, the seconds taken and the child's own peak memory
(`os.wait4`'s ru_maxrss). A child still running after --timeout seconds is killed and recorded.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

TIMEOUT = 60.0
PARALLEL = 2
ADDRESS_SPACE = 4 * 1024**3  # a runaway child fails instead of swapping the machine


def _child(args: list[str], out: Path, err: Path) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    fd_out = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    fd_err = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd_out, 1)
    os.dup2(fd_err, 2)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    from xlscorecard.cli import app

    code = 0
    try:
        app(args, prog_name="xlscorecard")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main() -> None:
    jobs = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    os.environ.pop("XLSCORECARD_DEBUG", None)
    os.environ["COLUMNS"] = "200"

    scratch = Path(tempfile.mkdtemp(prefix="hostile-runner-"))
    results: list[dict[str, object]] = []
    pending = list(enumerate(jobs))
    running: dict[int, tuple[int, float, Path]] = {}
    while pending or running:
        while pending and len(running) < PARALLEL:
            index, job = pending.pop(0)
            err = scratch / f"{index}.err"
            pid = os.fork()
            if pid == 0:
                _child(job["args"], scratch / f"{index}.out", err)
            running[pid] = (index, time.monotonic(), err)
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if pid == 0:
            now = time.monotonic()
            for child, (_, started, _) in running.items():
                if now - started > TIMEOUT:
                    os.kill(child, signal.SIGKILL)
            time.sleep(0.005)
            continue
        index, started, err = running.pop(pid)
        results.append({
            "id": jobs[index]["id"],
            "args": jobs[index]["args"],
            "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "seconds": round(time.monotonic() - started, 3),
            "peak_mb": round(usage.ru_maxrss / 1024, 1),
            "stderr": err.read_text(encoding="utf-8", errors="replace"),
        })
    Path(sys.argv[2]).write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
