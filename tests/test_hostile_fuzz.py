"""Hundreds of malformed workbooks through `check`, `convert` and `rollover` (issue 14).

A seeded generator (tests/hostile.py) builds the variants from the example as openpyxl saved it
(inline strings) and as LibreOffice saved it (shared strings). Each command runs on each variant in
its own child process (tests/hostile_runner.py, two at a time): it must exit 0, or exit 2 with one
line naming the file; never a traceback, a signal or "unexpected problem"; within 60 s and 500 MB.
Slow (a few minutes): `python3 -m pytest -q -m hostile` runs it; .ci/run does.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, ROOT
from hostile import variants
from programs import require_program

pytestmark = pytest.mark.hostile

MAX_SECONDS = 60
MAX_PEAK_MB = 500


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("hostile")
    soffice = require_program("soffice", "apt-get install libreoffice-calc-nogui")
    saved = folder / "libreoffice"
    subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(saved), str(EXAMPLE)],
                   check=True, capture_output=True, timeout=180)
    sources = {"openpyxl": EXAMPLE.read_bytes(), "libreoffice": (saved / EXAMPLE.name).read_bytes()}
    inputs = folder / "in"
    inputs.mkdir()
    paths = []
    for name, data in variants(sources, seed=14):
        path = inputs / f"{name}.xlsx"
        path.write_bytes(data)
        paths.append(path)
    return folder, paths


def test_at_least_300_distinct_variants(cases: tuple[Path, list[Path]]) -> None:
    _, paths = cases
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    assert len(paths) >= 300 and len(digests) >= 300


def test_every_command_exits_cleanly_on_every_variant(cases: tuple[Path, list[Path]]) -> None:
    folder, paths = cases
    out = folder / "out"
    out.mkdir()
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    jobs = []
    for path in paths:
        jobs.append({"id": f"check {path.name}", "args": ["check", str(path)]})
        jobs.append({"id": f"convert {path.name}", "args": ["convert", str(path), "-o", f"{out}/"]})
        jobs.append({"id": f"rollover {path.name}", "args": ["rollover", str(path), "--to", "Qu 3 18-19",
                                                             "-o", f"{out}/"]})
    (folder / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    subprocess.run([sys.executable, str(ROOT / "tests" / "hostile_runner.py"), str(folder / "jobs.json"),
                    str(folder / "results.json")], check=True, timeout=3600)
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert len(results) == len(jobs)

    problems = []
    for r in results:
        lines = r["stderr"].strip().splitlines()
        name = r["args"][1]
        if r["signal"] is not None:
            problems.append(f"{r['id']}: killed by signal {r['signal']} after {r['seconds']} s")
        elif r["exit"] not in (0, 2):
            problems.append(f"{r['id']}: exit {r['exit']}: {r['stderr'][-300:]}")
        elif r["exit"] == 2 and not (len(lines) == 1 and name in lines[0]):
            problems.append(f"{r['id']}: not one line naming the file: {r['stderr'][-300:]!r}")
        elif "Traceback" in r["stderr"] or "unexpected problem" in r["stderr"]:
            problems.append(f"{r['id']}: {r['stderr'][-300:]}")
        if r["seconds"] > MAX_SECONDS or r["peak_mb"] > MAX_PEAK_MB:
            problems.append(f"{r['id']}: {r['seconds']} s, {r['peak_mb']} MB")
    changed = [p.name for p in paths if hashlib.sha256(p.read_bytes()).hexdigest() != before[p]]
    shutil.rmtree(out, ignore_errors=True)
    assert not changed, f"inputs modified: {changed[:5]}"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
