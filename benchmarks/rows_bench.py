"""Is the fast row writer worth keeping? Time it against XlsxWriter's public calls, same run.

    python benchmarks/rows_bench.py [--rows 5000] [--repeat 3]

Writes the same sheet twice: rows shaped like a scorecard's (21 cells: text, numbers, blanks,
a handful of formats) through `FastRowsWorksheet.write_cells` and through XlsxWriter's public
`write()` per cell plus `set_row()`, both to disk as the return writer does for big sheets, and
prints the medians and their ratio. Issue 15: keep the fast writer only at 2x or better.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import xlsxwriter

from xlscorecard.xlsx.rows import FastRowsWorksheet

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
           "nan_inf_to_errors": True, "in_memory": False}


def rows(n: int) -> list[list[object]]:
    out = []
    for i in range(n):
        out.append([f"{i // 50}.{i % 50}", f"Percentage of children seen within {i % 40} days of referral",
                    "Lead officer", "High", 0.31 + i % 7 / 100, 0.29, "85%", 121.0 + i, 128.5, 7.0 * i,
                    "supressed" if i % 13 == 0 else 0.79, None, "Green", "↑",
                    "A comment that is long enough to wrap across a couple of lines in the sheet " * (1 + i % 2),
                    "high", 85.0, 1e307, 76.5, 1e307, None])
    return out


def fast(path: Path, data: list[list[object]]) -> float:
    t = time.perf_counter()
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    fmts = [wb.add_format({"border": 1, "text_wrap": True}), wb.add_format({"num_format": "0%"})]
    ws = wb.add_worksheet("S", worksheet_class=FastRowsWorksheet)
    for r, row in enumerate(data):
        ws.write_cells(r, [(c, v, fmts[c % 2]) for c, v in enumerate(row)], 30)
    wb.close()
    return time.perf_counter() - t


def public(path: Path, data: list[list[object]]) -> float:
    t = time.perf_counter()
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    fmts = [wb.add_format({"border": 1, "text_wrap": True}), wb.add_format({"num_format": "0%"})]
    ws = wb.add_worksheet("S")
    for r, row in enumerate(data):
        ws.set_row(r, 30)
        for c, v in enumerate(row):
            if v is None:
                ws.write_blank(r, c, None, fmts[c % 2])
            elif isinstance(v, str):
                ws.write_string(r, c, v, fmts[c % 2])
            else:
                ws.write_number(r, c, v, fmts[c % 2])
    wb.close()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = rows(args.rows)
    times: dict[str, list[float]] = {"XlsxWriter public write_*()": [], "FastRowsWorksheet.write_cells": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            times["XlsxWriter public write_*()"].append(public(Path(tmp) / f"p{i}.xlsx", data))
            times["FastRowsWorksheet.write_cells"].append(fast(Path(tmp) / f"f{i}.xlsx", data))
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    for name, m in medians.items():
        print(f"{name:32} {m:7.3f} s  (median of {args.repeat}, {args.rows} rows x 21 cells)")
    base, ours = medians.values()
    print(f"speed-up: {base / ours:.2f}x  (keep the fast writer at >= 2x)")


if __name__ == "__main__":
    main()
