"""Time `check` against a bare openpyxl load+save of the same file, measured in the same run.

    python benchmarks/check_bench.py [--rows 20000] [--repeat 3] [--source DIR]

Issue 13's goal: `check` on the 20,000-PI scorecard within 1.1x of the ratio before the reader
moved into xlscorecard/core/reading/. Compare this tree's ratio with another tree's in the same run:
`--source /path/to/other/checkout` runs the check job with that tree's code (PYTHONPATH), and the
bare round trip is the baseline both are measured against.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convert_bench import make_large

ROOT = Path(__file__).resolve().parent.parent
BARE = (
    "import openpyxl\n"
    "t=time.perf_counter(); openpyxl.load_workbook(SRC).save(DST); t=time.perf_counter()-t\n"
)
CHECK = (
    "from xlscorecard.api import check_file\n"
    "import python_calamine  # imported before timing, as openpyxl is\n"
    "t=time.perf_counter(); check_file(SRC); t=time.perf_counter()-t\n"
)
WRAPPER = (
    "import json, sys, time\n"
    "SRC, DST = sys.argv[1], sys.argv[2]\n"
    "{job}"
    "print(json.dumps({{'seconds': t}}))\n"
)


def measure(code: str, src: Path, dst: Path, source: Path | None) -> float:
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER.format(job=code), str(src), str(dst)],
        capture_output=True, text=True, check=True, env=env,
    )
    _ = time.perf_counter() - start
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", type=Path, action="append", default=[],
                        help="another checkout whose check is timed too (repeatable)")
    args = parser.parse_args()
    trees: list[Path] = [ROOT, *args.source]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        large = make_large(out / "large.xlsx", args.rows)
        times: dict[str, list[float]] = {"bare openpyxl load+save": [], **{f"check ({t})": [] for t in trees}}
        for _ in range(args.repeat):  # interleaved, so drift in machine load hits all alike
            times["bare openpyxl load+save"].append(measure(BARE, large, out / "bare.xlsx", None))
            for tree in trees:
                times[f"check ({tree})"].append(measure(CHECK, large, out / "x.xlsx", tree))
    base = statistics.median(times["bare openpyxl load+save"])
    print(f"generated scorecard, {args.rows:,} PI rows, median of {args.repeat}")
    for job, runs in times.items():
        m = statistics.median(runs)
        print(f"  {job:60s} {m:7.3f} s   ratio to bare {m / base:.3f}x")
    if len(trees) > 1:
        here = statistics.median(times[f"check ({ROOT})"])
        for tree in trees[1:]:
            print(f"  this tree / {tree}: {here / statistics.median(times[f'check ({tree})']):.3f}x")


if __name__ == "__main__":
    main()
