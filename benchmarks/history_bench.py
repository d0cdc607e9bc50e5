"""What filling history from other tabs costs `check` (issue 13, item 9).

    python benchmarks/history_bench.py [--repeat 15]

In one process, alternately, `api.check_file` with history (the default) and without it
(`history=False`, the baseline measured in the same run), median seconds of each, and the ratio:
- a one-sheet workbook (tests/councils/eastborough_year_first.xlsx) and the example workbook (one
  scorecard tab and a contents tab): the goal is a ratio of 1.0 (nothing more is read);
- the tab-per-quarter fixture (tests/councils/tabs_own_quarter.xlsx, three tabs): the cost of
  reading the two other tabs and merging them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from xlscorecard.api import check_file

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "one sheet": ROOT / "tests" / "councils" / "eastborough_year_first.xlsx",
    "example (1 scorecard tab)": ROOT / "examples" / "scorecard_q2_2018-19.xlsx",
    "tab per quarter (3 tabs)": ROOT / "tests" / "councils" / "tabs_own_quarter.xlsx",
}


def seconds(path: Path, history: bool) -> float:
    start = time.perf_counter()
    check_file(path, history=history)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    for name, path in CASES.items():
        seconds(path, True)  # warm the imports and caches
        with_history, without = [], []
        for _ in range(args.repeat):
            with_history.append(seconds(path, True))
            without.append(seconds(path, False))
        a, b = statistics.median(with_history), statistics.median(without)
        print(f"{name:28} with history {a * 1000:7.1f} ms   without {b * 1000:7.1f} ms   ratio {a / b:4.2f}")


if __name__ == "__main__":
    main()
