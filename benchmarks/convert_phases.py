"""Where `convert`'s time and memory go, phase by phase, on one workbook (a diagnostic, not a goal).

    python benchmarks/convert_phases.py [FILE] [--rows 20000] [--repeat 3]

Without FILE it generates the 20,000-PI scorecard convert_bench.py uses. Each repeat runs in a
fresh process and prints the seconds of read, layout, assess and every sheet of the return, the
XlsxWriter close, and the process's peak memory. Use convert_bench.py for the goals (ratios
against a baseline measured in the same run); use this to see which phase to work on.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

PHASES = """
import functools, resource, sys, time
from pathlib import Path
import xlsxwriter
from xlscorecard.core.assessment import assess
from xlscorecard.process import collector_paused
from xlscorecard.core.reading import read_scorecard
from xlscorecard.xlsx.return_workbook import ReturnWriter
from xlscorecard.core.settings import Settings
from xlscorecard.xlsx.reader import read_grid

src, out = sys.argv[1], Path(sys.argv[2])
times = {}
def timer(name, work):
    @functools.wraps(work)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return work(*args, **kwargs)
        finally:
            times[name] = time.perf_counter() - start
    return timed
pause = collector_paused()  # as the convert command does, for the whole job
pause.__enter__()
grid = timer("read", read_grid)(src)
scorecard = timer("layout", read_scorecard)(grid, file=src)
assessment = timer("assess", assess)(scorecard, Settings())
writer = ReturnWriter(grid, assessment)
del grid  # as convert does: the writer lets go of it after the Scorecard sheet
for sheet in ("scorecard", "quarter_on_quarter", "exceptions", "data_quality", "summary"):
    setattr(writer, sheet + "_sheet", timer(sheet, getattr(writer, sheet + "_sheet")))
xlsxwriter.Workbook.close = timer("close", xlsxwriter.Workbook.close)
writer.write(out)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print("  ".join(f"{k} {v:.2f}" for k, v in times.items()), f" total {sum(times.values()):.2f} s  peak {peak:.0f} MB")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = args.file
        if src is None:
            sys.path.insert(0, str(Path(__file__).parent))
            from convert_bench import make_large

            src = make_large(Path(tmp) / "large.xlsx", args.rows)
        print(f"{src}:")
        for _ in range(args.repeat):
            subprocess.run([sys.executable, "-c", PHASES, str(src), str(Path(tmp) / "return.xlsx")], check=True)


if __name__ == "__main__":
    main()
