"""Batch conversion throughput: N copies of the example workbook, 1 worker vs 2 (issue 6).

    python benchmarks/batch_bench.py [--copies 200] [--workers 1 2] [--cli]

Each run converts every copy into a fresh OUTBOX (so nothing is skipped as unchanged) and reports
the wall time, the wall time per workbook, and the speed-up of each worker count over the first.
By default the batch runs in this process through `run_batch` (the workers are separate processes
either way); `--cli` times the `xlscorecard batch` console script instead, start-up included.
"Child CPU" is the CPU time of the worker processes (with `--cli`: the CLI and its workers); on
a shared machine it is the steadier figure, as wall times move with whatever else is running.
The goal on a 2-core machine is a speed-up of at least 1.8x from 1 to 2 workers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xlscorecard.batch import run_batch

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "scorecard_q2_2018-19.xlsx"


def make_inbox(folder: Path, copies: int) -> Path:
    inbox = folder / "inbox"
    inbox.mkdir()
    for i in range(copies):
        shutil.copyfile(EXAMPLE, inbox / f"scorecard {i:04d}.xlsx")
    return inbox


def timed_run(inbox: Path, outbox: Path, workers: int, cli: bool) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of child processes, CPU seconds of this process) for one batch."""
    cpu_before, own_before = _children_cpu(), time.process_time()
    start = time.perf_counter()
    if cli:
        exe = shutil.which("xlscorecard")
        if exe is None:
            sys.exit("the xlscorecard console script is not on PATH")
        proc = subprocess.run(
            [exe, "batch", str(inbox), "-o", str(outbox), "--workers", str(workers)],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            sys.exit(f"batch failed ({proc.returncode}): {proc.stderr or proc.stdout[-2000:]}")
    else:
        result = run_batch(inbox, outbox, workers=workers)
        if result.exit_code != 0:
            sys.exit(f"batch failed: {result.summary()}")
    return time.perf_counter() - start, _children_cpu() - cpu_before, time.process_time() - own_before


def _children_cpu() -> float:
    """CPU time of finished child processes (the workers, or the CLI and its workers); 0 if unknown."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts, in order")
    parser.add_argument("--repeat", type=int, default=1, help="runs per worker count; the fastest is kept")
    parser.add_argument("--cli", action="store_true", help="time the console script, start-up included")
    args = parser.parse_args()

    print(f"{args.copies} copies of {EXAMPLE.name}; {os.cpu_count()} CPUs; Python {sys.version.split()[0]}"
          f"; {'console script' if args.cli else 'run_batch in-process'}; {_load()}")
    with tempfile.TemporaryDirectory(prefix="xlscorecard-bench-") as tmp:
        inbox = make_inbox(Path(tmp), args.copies)
        times: dict[int, float] = {}
        for workers in args.workers:
            for run in range(args.repeat):
                outbox = Path(tmp) / f"outbox-{workers}-{run}"
                seconds, cpu, own = timed_run(inbox, outbox, workers, args.cli)
                returns = len(list(outbox.glob("* return.xlsx")))
                assert returns == args.copies, f"{returns} returns for {args.copies} inputs"
                shutil.rmtree(outbox)
                times[workers] = min(times.get(workers, seconds), seconds)
                print(f"workers={workers}: {seconds:7.2f} s wall, {seconds / args.copies * 1000:6.1f} ms wall and"
                      f" {cpu / args.copies * 1000:6.1f} ms child CPU per workbook, own CPU {own:.2f} s"
                      f" ({args.copies / seconds:5.2f} workbooks/s; {_load()})", flush=True)
        counts = list(dict.fromkeys(args.workers))  # `--workers 1 2 1 2` interleaves runs; best of each is kept
        base = counts[0]
        for workers in counts[1:]:
            print(f"speed-up {base} -> {workers} workers: {times[base] / times[workers]:.2f}x"
                  f" ({times[base]:.2f} s -> {times[workers]:.2f} s)")
        if base == 1:
            print(f"per-workbook cost on one worker (start-up included): {times[1] / args.copies * 1000:.0f} ms")


if __name__ == "__main__":
    main()
