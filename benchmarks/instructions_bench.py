"""Count the instructions `convert` executes against a bare openpyxl load+save, under valgrind.

    python benchmarks/instructions_bench.py [--rows 20000] [--source OTHER_CHECKOUT]

On a shared machine CPU seconds swing with other programs' load (the same 20,000-PI convert has
taken from 7.6 s to 11.5 s of CPU within ten minutes), which hides a change of a few percent.
Instructions executed do not swing: valgrind's callgrind counts them, the same to within a
fraction of a percent run after run. They are not time (a cache miss costs more than an add), so
use this beside convert_bench.py, not instead of it: to see whether a change made the work
smaller, and by how much.

Each job runs in a fresh process under callgrind (about 40x slower: 20,000 PIs take some five
minutes a job), two at a time. `--source` counts another checkout's convert too (for a before and
after of the same change). Needs valgrind (`apt-get install -y valgrind`).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from convert_bench import EXAMPLE, ROOT, child_env, make_large

BARE = "import openpyxl, sys; openpyxl.load_workbook(sys.argv[1]).save(sys.argv[2] + '/bare.xlsx')"
CONVERT = (
    "import sys\n"
    "from pathlib import Path\n"
    "from xlscorecard.api import convert_file\n"
    "from xlscorecard.process import collector_paused\n"
    "with collector_paused():  # as the convert command does\n"
    "    convert_file(Path(sys.argv[1]), Path(sys.argv[2] + '/'))\n"
)
REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(code: str, tree: Path, src: Path, work: Path, cache: Path) -> int:
    """Instructions one fresh Python process executes running `code` with `tree` first on its path."""
    out = Path(tempfile.mkdtemp(dir=work))
    env = child_env(cache)
    env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")])
    python = os.path.realpath(sys.executable)  # the interpreter itself, not a launcher script
    subprocess.run([python, "-c", code, str(src), str(out)], env=env, check=True, capture_output=True)  # warm cache
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out", python, "-c", code,
         str(src), str(out)],
        env=env, check=True, capture_output=True, text=True,
    )
    found = REFS.search(done.stderr)
    if found is None:
        raise RuntimeError(f"valgrind printed no instruction count:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000, help="PIs of the generated scorecard (0: the example)")
    parser.add_argument("--source", type=Path, help="another checkout whose convert is counted too")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed: apt-get install -y valgrind")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = EXAMPLE if args.rows == 0 else make_large(work / "large.xlsx", args.rows)
        jobs = {"bare openpyxl load+save": (BARE, ROOT), "xlscorecard convert": (CONVERT, ROOT)}
        if args.source is not None:
            jobs[f"xlscorecard convert ({args.source})"] = (CONVERT, args.source.resolve())
        with ThreadPoolExecutor(2) as pool:
            counts = dict(zip(jobs, pool.map(lambda job: instructions(*job, src, work, work / "pycache"),
                                             jobs.values()), strict=True))
    base = counts["bare openpyxl load+save"]
    print(f"{src.name}: instructions executed by the whole process, imports included")
    for job, n in counts.items():
        print(f"  {job:40s} {n:16,d}   {n / base:.3f}x")


if __name__ == "__main__":
    main()
