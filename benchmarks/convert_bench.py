"""Time `convert` against a bare openpyxl load+save of the same file, measured in the same run.

    python benchmarks/convert_bench.py [--rows 20000] [--repeat 3]

Each measurement runs in a fresh process (so peak memory is that job's own) and times the work
after imports; the process's wall time, imports included, is reported too. Goals (issue 4):
example <= 1.0x the bare round trip; 20,000 rows <= 0.5x time and <= 1.0x peak memory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "scorecard_q2_2018-19.xlsx"

JOBS = {
    "bare openpyxl load+save": (
        "import openpyxl\n"
        "t=time.perf_counter(); openpyxl.load_workbook(SRC).save(DST); t=time.perf_counter()-t\n"
    ),
    "xlscorecard convert": (
        "from xlscorecard.api import convert_file\n"
        "from xlscorecard.process import collector_paused\n"
        "import python_calamine, xlscorecard.xlsx.return_workbook  # imported before timing, as openpyxl is\n"
        "t=time.perf_counter()\n"
        "with collector_paused():  # as the convert command does\n"
        "    convert_file(SRC, DST)\n"
        "t=time.perf_counter()-t\n"
    ),
}
WRAPPER = (
    "import json, resource, sys, time\n"
    "SRC, DST = sys.argv[1], sys.argv[2]\n"
    "{job}"
    "print(json.dumps({{'seconds': t, 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))\n"
)


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


def measure(job: str, src: Path, out_dir: Path) -> dict[str, float]:
    dst = out_dir / f"{abs(hash(job))}.xlsx"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER.format(job=JOBS[job]), str(src), str(dst)],
        capture_output=True, text=True, check=True,
    )
    wall = time.perf_counter() - start
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = wall
    return result


def run(src: Path, repeat: int, out_dir: Path) -> dict[str, dict[str, float]]:
    results: dict[str, list[dict[str, float]]] = {job: [] for job in JOBS}
    for _ in range(repeat):
        for job in JOBS:  # interleaved, so drift in machine load hits both alike
            results[job].append(measure(job, src, out_dir))
    return {
        job: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for job, runs in results.items()
    }


def report(name: str, medians: dict[str, dict[str, float]]) -> None:
    base = medians["bare openpyxl load+save"]
    ours = medians["xlscorecard convert"]
    print(f"\n{name}")
    for job, m in medians.items():
        print(f"  {job:26s} work {m['seconds']:7.3f} s   process {m['process_seconds']:7.3f} s   "
              f"peak {m['peak_mb']:7.1f} MB")
    print(f"  ratio (convert / bare): work {ours['seconds'] / base['seconds']:.2f}x   "
          f"process {ours['process_seconds'] / base['process_seconds']:.2f}x   "
          f"peak memory {ours['peak_mb'] / base['peak_mb']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        report(f"example ({EXAMPLE.name}, 104 PIs), median of {args.repeat}", run(EXAMPLE, args.repeat, out))
        large = make_large(out / "large.xlsx", args.rows)
        report(f"generated scorecard, {args.rows:,} PI rows, median of {args.repeat}", run(large, args.repeat, out))


if __name__ == "__main__":
    main()
