"""Time `convert` against a bare openpyxl load+save of the same file, measured in the same run.

    python benchmarks/convert_bench.py [--rows 20000] [--repeat 3]

Each measurement runs in a fresh process (so peak memory is that job's own) and times the work
after imports, in wall and CPU seconds; the process's own time, imports included, is reported
too. The user's whole process is then timed from outside: the real command `python -m xlscorecard
convert FILE -o DIR/` against `python -c "import openpyxl, sys; openpyxl.load_workbook(...).save(...)"`.

Every child gets a bytecode cache (a temporary PYTHONPYCACHEPREFIX, warmed by one untimed run of
each job), as an installed package has: otherwise a source checkout under PYTHONDONTWRITEBYTECODE
compiles all of xlscorecard on each start while openpyxl loads its compiled files.

Goals (issue 15): 20,000 PIs, work <= 0.6x the bare round trip; the example, whole command process
<= 1.0x. Each is judged on CPU seconds (user + system), which a busy machine inflates far less
than wall seconds; wall ratios are printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "scorecard_q2_2018-19.xlsx"

JOBS = {
    "bare openpyxl load+save": (
        "import openpyxl\n"
        "t=time.perf_counter(); c=time.process_time()\n"
        "openpyxl.load_workbook(SRC).save(DST)\n"
        "t=time.perf_counter()-t; c=time.process_time()-c\n"
    ),
    "xlscorecard convert": (
        "from xlscorecard.api import convert_file\n"
        "from xlscorecard.process import collector_paused\n"
        "import python_calamine, xlscorecard.xlsx.return_workbook  # imported before timing, as openpyxl is\n"
        "t=time.perf_counter(); c=time.process_time()\n"
        "with collector_paused():  # as the convert command does\n"
        "    convert_file(SRC, DST)\n"
        "t=time.perf_counter()-t; c=time.process_time()-c\n"
    ),
}
WRAPPER = (
    "import json, resource, sys, time\n"
    "SRC, DST = sys.argv[1], sys.argv[2]\n"
    "{job}"
    "print(json.dumps({{'seconds': t, 'cpu_seconds': c,"
    " 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))\n"
)
# The user's whole process: the real command against the bare round trip as one command.
COMMANDS = {
    "bare openpyxl load+save": [
        "-c", "import openpyxl, sys; openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2])", "{src}", "{dst}.xlsx",
    ],
    "xlscorecard convert": ["-m", "xlscorecard", "convert", "{src}", "-o", "{dst}/"],
}
BASE = "bare openpyxl load+save"
OURS = "xlscorecard convert"
GOAL_LARGE_WORK = 0.6
GOAL_EXAMPLE_PROCESS = 1.0


def child_env(cache: Path) -> dict[str, str]:
    """The environment of every timed child: this tree first on the path, and a bytecode cache."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def timed_child(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run one child; (its result, wall seconds, CPU seconds as the OS accounted them)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, wall, cpu


def make_large(path: Path, rows: int) -> Path:
    """The example's PI rows repeated (new refs, sections every 50 rows) up to `rows` PI rows."""
    src = openpyxl.load_workbook(EXAMPLE)
    ws_src = src["Q2 2018-19"]
    header = [c.value for c in ws_src[5]]
    formats = {}
    pis = []
    for row in ws_src.iter_rows(min_row=6):
        first = row[0].value
        if isinstance(first, str) and first[:1].isdigit() and any(c.value for c in row[1:]):
            pis.append([c.value for c in row])
            for c in row:
                formats.setdefault((len(pis) - 1, c.column), c.number_format)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Scorecard")
    ws.append(["Generated scorecard"])
    ws.append([])
    ws.append(header)
    from openpyxl.cell import WriteOnlyCell

    for i in range(rows):
        if i % 50 == 0:
            ws.append([f"Section {i // 50 + 1}"])
        k = i % len(pis)
        cells = []
        for c, value in enumerate(pis[k], start=1):
            value = f"{i // 50 + 1}.{i % 50 + 1}" if c == 1 else value
            cell = WriteOnlyCell(ws, value=value)
            fmt = formats.get((k, c))
            if fmt and fmt != "General":
                cell.number_format = fmt
            cells.append(cell)
        ws.append(cells)
    wb.save(path)
    return path


def measure(job: str, src: Path, out_dir: Path, env: dict[str, str]) -> dict[str, float]:
    dst = out_dir / f"{abs(hash(job))}.xlsx"
    done, wall, cpu = timed_child(["-c", WRAPPER.format(job=JOBS[job]), str(src), str(dst)], env)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = wall
    result["process_cpu_seconds"] = cpu
    return result


def measure_command(job: str, src: Path, out_dir: Path, env: dict[str, str]) -> dict[str, float]:
    dst = out_dir / f"cli {abs(hash(job))}"
    _, wall, cpu = timed_child([a.format(src=src, dst=dst) for a in COMMANDS[job]], env)
    return {"seconds": wall, "cpu_seconds": cpu}


Measure = Callable[[str, Path, Path, dict[str, str]], dict[str, float]]


def run(src: Path, repeat: int, out_dir: Path, env: dict[str, str], measure_one: Measure = measure,
        jobs: tuple[str, ...] = (BASE, OURS)) -> dict[str, dict[str, float]]:
    results: dict[str, list[dict[str, float]]] = {job: [] for job in jobs}
    for job in jobs:  # one untimed run each: the bytecode cache is then warm for both
        measure_one(job, src, out_dir, env)
    for _ in range(repeat):
        for job in jobs:  # interleaved, so drift in machine load hits both alike
            results[job].append(measure_one(job, src, out_dir, env))
    return {
        job: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for job, runs in results.items()
    }


def report(name: str, medians: dict[str, dict[str, float]]) -> dict[str, float]:
    """Print one workbook's in-process figures; return the ratios (ours / bare)."""
    base, ours = medians[BASE], medians[OURS]
    print(f"\n{name}")
    for job, m in medians.items():
        print(f"  {job:26s} work {m['seconds']:7.3f} s ({m['cpu_seconds']:7.3f} s cpu)   "
              f"process {m['process_seconds']:7.3f} s ({m['process_cpu_seconds']:7.3f} s cpu)   "
              f"peak {m['peak_mb']:7.1f} MB")
    ratios = {key: ours[key] / base[key] for key in base}
    print(f"  ratio (convert / bare): work {ratios['seconds']:.2f}x ({ratios['cpu_seconds']:.2f}x cpu)   "
          f"process {ratios['process_seconds']:.2f}x ({ratios['process_cpu_seconds']:.2f}x cpu)   "
          f"peak memory {ratios['peak_mb']:.2f}x")
    return ratios


def report_commands(name: str, medians: dict[str, dict[str, float]]) -> dict[str, float]:
    """Print the whole-command figures; return the ratios (ours / bare)."""
    base, ours = medians[BASE], medians[OURS]
    print(f"\n{name}")
    for job, m in medians.items():
        print(f"  {job:26s} whole process {m['seconds']:7.3f} s ({m['cpu_seconds']:7.3f} s cpu)")
    ratios = {key: ours[key] / base[key] for key in base}
    print(f"  ratio (convert / bare): whole process {ratios['seconds']:.2f}x ({ratios['cpu_seconds']:.2f}x cpu)")
    return ratios


def verdict(goal: str, ratios: dict[str, float], cpu_key: str, wall_key: str, limit: float) -> None:
    met = ratios[cpu_key] <= limit
    print(f"{goal} <= {limit:.1f}x: {ratios[cpu_key]:.2f}x cpu ({ratios[wall_key]:.2f}x wall): "
          f"goal {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        env = child_env(out / "bytecode")
        example = report(f"example ({EXAMPLE.name}, 104 PIs), median of {args.repeat}",
                         run(EXAMPLE, args.repeat, out, env))
        command = report_commands(
            f"example, the whole command (python -m xlscorecard convert), median of {args.repeat}",
            run(EXAMPLE, args.repeat, out, env, measure_command),
        )
        large = make_large(out / "large.xlsx", args.rows)
        big = report(f"generated scorecard, {args.rows:,} PI rows, median of {args.repeat}",
                     run(large, args.repeat, out, env))
        print()
        verdict(f"{args.rows:,} PIs, work", big, "cpu_seconds", "seconds", GOAL_LARGE_WORK)
        verdict("example, whole command process", command, "cpu_seconds", "seconds", GOAL_EXAMPLE_PROCESS)
        print(f"(example, work in-process: {example['cpu_seconds']:.2f}x cpu, {example['seconds']:.2f}x wall)")


if __name__ == "__main__":
    main()
