"""`xlscorecard batch` (issue 6): a folder in, returns and a report out, safe on hostile files.

The end-to-end cases run the real console script in a subprocess, as cron or Task Scheduler would.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xlscorecard import __version__
from xlscorecard.api import convert_file
from xlscorecard.batch import (
    MANIFEST_NAME,
    REPORT_CSV,
    REPORT_JSON,
    BatchError,
    BatchListener,
    ReportRow,
    load_report,
    run_batch,
)
from xlscorecard.core.errors import ScorecardError, UnsafeWorkbook, WorkbookError
from xlscorecard.core.findings import Code

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "scorecard_q2_2018-19.xlsx"
EXAMPLE_SHEET = "Q2 2018-19"
EXAMPLE_RETURN = "{} - Qu 2 18-19 return.xlsx"
MIB = 1024**2
SUMMARY = re.compile(r"^(\d+) converted, (\d+) unchanged, (\d+) failed\b", re.M)
TEMP_NAME = re.compile(r"^\..*\.tmp$")


# --------------------------------------------------------------------------- helpers


def cli(*args: str | Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("xlscorecard")
    if exe is None:  # pragma: no cover - the package is installed editable in the test env
        pytest.skip("the xlscorecard console script is not installed")
    return subprocess.run(
        [exe, *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env=_env(env),
        timeout=timeout,
    )


WORKER_FAULTS = Path(__file__).parent / "worker_faults"


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("XLSCORECARD_DEBUG", None)
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra or {})
    return env


def summary(stdout: str) -> tuple[int, int, int]:
    match = SUMMARY.search(stdout)
    assert match, stdout
    return int(match[1]), int(match[2]), int(match[3])


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """sha256, size and mtime of every file under `folder`: inputs must come out byte-identical."""
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size,
                                           p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def rows_by_file(outbox: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((outbox / REPORT_JSON).read_text(encoding="utf-8"))
    return {row["file"]: row for row in data["rows"]}


def csv_rows(outbox: Path) -> dict[str, dict[str, str]]:
    with (outbox / REPORT_CSV).open(encoding="utf-8-sig", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


def assert_opens_as_return(path: Path) -> None:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        assert "Scorecard" in wb.sheetnames
    finally:
        wb.close()


def copy_example(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(EXAMPLE, folder / name))


# --------------------------------------------------------------------------- hostile files


def relabelled(path: Path) -> Path:
    """The example saved by openpyxl with its scorecard sheet renamed and its title changed."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb[EXAMPLE_SHEET]
    ws.title = "Scorecard Q2"
    ws["A3"] = "Childrens Services Performance - Q2 2018/19 (relabelled)"
    wb["Contents"]["A1"] = "Relabelled copy"
    wb.save(path)
    return path


def rezip(path: Path, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> Path:
    """The example with some members replaced or added."""
    with zipfile.ZipFile(EXAMPLE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info)))
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return path


def zip_bomb(path: Path, mib: int = 1100) -> Path:
    """An otherwise valid xlsx whose scorecard sheet inflates to `mib` MiB of zeros (> 1 GB).

    The zeros are streamed through zipfile one MiB at a time, so the test never holds them.
    """
    bomb_member = "xl/worksheets/sheet2.xml"
    block = bytes(MIB)
    with zipfile.ZipFile(EXAMPLE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == bomb_member:
                with dst.open(bomb_member, "w", force_zip64=True) as member:
                    for _ in range(mib):
                        member.write(block)
            else:
                dst.writestr(info.filename, src.read(info))
    return path


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol9;</t></si></sst>
"""


def billion_laughs(path: Path) -> Path:
    return rezip(path, add={"xl/sharedStrings.xml": BILLION_LAUGHS})


def with_macro(path: Path) -> Path:
    """An .xlsm: the example plus a VBA project part."""
    return rezip(path, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"Attribute VB"})


def no_header(path: Path) -> Path:
    """A valid workbook of random content: no scorecard header anywhere."""
    rng = random.Random(6)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Data"
    for r in range(1, 41):
        for c in range(1, 9):
            ws.cell(r, c, rng.choice([rng.random() * 1000, rng.randint(0, 99), f"text {rng.randint(0, 9999)}"]))
    wb.save(path)
    return path


def truncated(path: Path) -> Path:
    data = EXAMPLE.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


GOOD = ("example.xlsx", "relabelled.xlsx")
# name -> words the reason must contain
BAD = {
    "not_a_zip.xlsx": ("not a zip file",),
    "truncated.xlsx": ("damaged or truncated",),
    "empty.xlsx": ("file is empty",),
    "no_header.xlsx": ("no scorecard header", "xlscorecard layout", "--layout"),
    "zip_bomb.xlsx": ("zip bomb",),
    "billion_laughs.xlsx": ("sharedStrings.xml", "billion-laughs"),
    "macro.xlsm": ("VBA macros",),
}


@pytest.fixture(scope="module")
def bomb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = zip_bomb(tmp_path_factory.mktemp("bomb") / "zip_bomb.xlsx")
    assert path.stat().st_size < 5 * MIB
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet2.xml").file_size > 10**9
    return path


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, bomb_file: Path) -> dict[str, Any]:
    """A folder of good and hostile files, run through the CLI once; the tests below read the result."""
    root = tmp_path_factory.mktemp("mixed")
    inbox, outbox = root / "inbox", root / "outbox"
    copy_example(inbox, "example.xlsx")
    relabelled(inbox / "relabelled.xlsx")
    (inbox / "not_a_zip.xlsx").write_bytes(b"Name,Value\nPI 1.1,42\n" * 50)
    truncated(inbox / "truncated.xlsx")
    (inbox / "empty.xlsx").write_bytes(b"")
    no_header(inbox / "no_header.xlsx")
    shutil.copyfile(bomb_file, inbox / "zip_bomb.xlsx")
    billion_laughs(inbox / "billion_laughs.xlsx")
    with_macro(inbox / "macro.xlsm")
    before = snapshot(inbox)
    start = time.perf_counter()
    proc = cli("batch", inbox, "-o", outbox, "--workers", "2", "--pattern", "*.xls*", "--timeout", "60")
    return {
        "inbox": inbox,
        "outbox": outbox,
        "proc": proc,
        "before": before,
        "seconds": time.perf_counter() - start,
    }


# --------------------------------------------------------------------------- a mixed folder


def test_mixed_folder_exit_1_and_log_lines(mixed: dict[str, Any]) -> None:
    proc = mixed["proc"]
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    assert summary(proc.stdout) == (2, 0, len(BAD))
    out = proc.stdout
    assert "converted example.xlsx -> example - Qu 2 18-19 return.xlsx (G 10 A 7 R 14, 111 findings)" in out
    for name, words in BAD.items():
        line = next(line for line in out.splitlines() if line.startswith(f"FAILED {name}: "))
        assert all(word in line for word in words), line


def test_mixed_folder_inputs_untouched(mixed: dict[str, Any]) -> None:
    assert snapshot(mixed["inbox"]) == mixed["before"]


def test_mixed_folder_good_returns_open(mixed: dict[str, Any]) -> None:
    outbox: Path = mixed["outbox"]
    rows = rows_by_file(outbox)
    for name in GOOD:
        row = rows[name]
        assert row["status"] == "converted"
        assert row["output"] == EXAMPLE_RETURN.format(Path(name).stem)
        assert_opens_as_return(outbox / row["output"])
        assert (row["green"], row["amber"], row["red"], row["not_rated"]) == (10, 7, 14, 73)
        assert row["findings_total"] == 111 == sum(row["findings"].values())
        assert row["reporting_period"] == "Qu 2 18-19"
        assert row["error"] is None
        assert not (outbox / "failed" / f"{name}.txt").exists()
    returns = sorted(p.name for p in outbox.glob("*.xlsx"))
    assert returns == sorted(EXAMPLE_RETURN.format(Path(name).stem) for name in GOOD)


def test_mixed_folder_each_failure_explained_everywhere(mixed: dict[str, Any]) -> None:
    outbox: Path = mixed["outbox"]
    rows, table = rows_by_file(outbox), csv_rows(outbox)
    for name, words in BAD.items():
        row, line = rows[name], table[name]
        assert row["status"] == line["status"] == "failed"
        assert all(word in row["error"] for word in words), row["error"]
        assert line["error"] == row["error"]
        assert row["output"] is None and row["converted_at"] is None and row["reporting_period"] is None
        note = (outbox / "failed" / f"{name}.txt").read_text(encoding="utf-8")
        assert note.startswith(f"{name} could not be converted.")
        assert f"Reason: {row['error']}" in note
        assert row["sha256"] in note
    assert sorted(p.name for p in (outbox / "failed").iterdir()) == sorted(f"{name}.txt" for name in BAD)


def test_mixed_folder_report_json_shape(mixed: dict[str, Any]) -> None:
    outbox: Path = mixed["outbox"]
    data = json.loads((outbox / REPORT_JSON).read_text(encoding="utf-8"))
    assert set(data) == {"generated_at", "version", "rules", "rows"}
    assert data["version"] == __version__ and data["rules"] is None
    assert _is_iso(data["generated_at"])
    types = {
        "file": str, "status": str, "reporting_period": (str, type(None)), "green": int, "amber": int, "red": int,
        "not_rated": int, "findings": dict, "findings_total": int, "output": (str, type(None)),
        "error": (str, type(None)), "converted_at": (str, type(None)), "sha256": str,
    }
    assert [row["file"] for row in data["rows"]] == sorted(mixed["before"])
    for row in data["rows"]:
        assert set(row) == set(types)
        for key, kind in types.items():
            assert isinstance(row[key], kind), (key, row)
        assert row["sha256"] == mixed["before"][row["file"]][0]
        assert set(row["findings"]) <= {code.value for code in Code}
        if row["converted_at"]:
            assert _is_iso(row["converted_at"])
    # the pydantic view other shells use
    loaded = load_report(outbox)
    assert [r.model_dump() for r in loaded] == data["rows"]
    assert all(isinstance(r, ReportRow) for r in loaded)


def test_mixed_folder_csv_has_a_column_per_finding_code(mixed: dict[str, Any]) -> None:
    table = csv_rows(mixed["outbox"])
    example = table["example.xlsx"]
    for code in Code:
        assert code.value in example
    assert example["missing"] == "7" and example["arrow-disagrees"] == "10" and example["not_rated"] == "73"
    assert (mixed["outbox"] / REPORT_CSV).read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8


def test_mixed_folder_no_temp_files_left(mixed: dict[str, Any]) -> None:
    leftovers = [p for p in mixed["outbox"].rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def _is_iso(text: str) -> bool:
    from datetime import datetime

    return datetime.fromisoformat(text).tzinfo is not None


# --------------------------------------------------------------------------- bombs, measured


@pytest.mark.parametrize("kind", ["zip_bomb", "billion_laughs"])
def test_bombs_refused_fast_in_little_memory_in_process(tmp_path: Path, bomb_file: Path, kind: str) -> None:
    path = bomb_file if kind == "zip_bomb" else billion_laughs(tmp_path / "laughs.xlsx")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(UnsafeWorkbook) as info:
            convert_file(path, out=tmp_path / "out")
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ("zip bomb" if kind == "zip_bomb" else "billion-laughs") in str(info.value)
    assert elapsed < 5, elapsed
    assert peak < 100 * MIB, peak
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["zip_bomb", "billion_laughs"])
def test_bombs_peak_rss_of_a_fresh_process(tmp_path: Path, bomb_file: Path, kind: str) -> None:
    """tracemalloc misses C allocations; the peak RSS of a whole process converting the bomb does not.

    The peak is the child's own VmHWM: getrusage's ru_maxrss survives exec on Linux, so a child
    spawned from a large pytest process would report the parent's size.
    """
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to read the process's own peak memory")
    path = bomb_file if kind == "zip_bomb" else billion_laughs(tmp_path / "laughs.xlsx")
    code = (
        "import re, sys, time\n"
        "from xlscorecard.api import convert_file\n"
        "from xlscorecard.core.errors import UnsafeWorkbook\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    convert_file(sys.argv[1], out=sys.argv[2])\n"
        "except UnsafeWorkbook as exc:\n"
        "    hwm = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)\n"
        "    print('refused', time.perf_counter() - start, hwm)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path), str(tmp_path / "out")], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    _, seconds, max_rss_kib = proc.stdout.split()
    assert float(seconds) < 5
    assert int(max_rss_kib) * 1024 < 300 * MIB, max_rss_kib


# --------------------------------------------------------------------------- killed mid-run


def test_killed_mid_run_leaves_no_partial_output_and_next_run_finishes(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    copies = 16
    names = [f"copy{i:02d}.xlsx" for i in range(copies)]
    for name in names:
        copy_example(inbox, name)
    before = snapshot(inbox)
    exe = shutil.which("xlscorecard")
    assert exe
    proc = subprocess.Popen(
        [exe, "batch", str(inbox), "-o", str(outbox), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
        start_new_session=True,  # its own process group: the workers die with it
    )
    try:
        deadline = time.monotonic() + 120
        while not any(outbox.glob("* return.xlsx")):
            assert proc.poll() is None, "the batch finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    finals = [p for p in outbox.rglob("*") if p.is_file() and not TEMP_NAME.match(p.name)]
    returns = [p for p in finals if p.suffix == ".xlsx"]
    assert 1 <= len(returns) < copies
    for path in returns:
        assert_opens_as_return(path)  # no half-written file under a final name
    for path in finals:
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        else:
            assert path.suffix in {".xlsx", ".lock", ".txt", ".csv"}, path

    rerun = cli("batch", inbox, "-o", outbox, "--workers", "1")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    converted, unchanged, failed = summary(rerun.stdout)
    assert failed == 0 and converted + unchanged == copies and converted >= 1
    for name in names:
        assert_opens_as_return(outbox / EXAMPLE_RETURN.format(Path(name).stem))
    assert [p for p in outbox.rglob("*") if TEMP_NAME.match(p.name)] == []  # leftovers cleaned
    assert {row.file: row.status for row in load_report(outbox)}.keys() == set(names)
    assert snapshot(inbox) == before


# --------------------------------------------------------------------------- re-runs


def test_rerun_skips_unchanged_reconverts_changed_and_force(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        copy_example(inbox, name)

    first = cli("batch", inbox, "-o", outbox)
    assert first.returncode == 0, first.stderr
    assert summary(first.stdout) == (3, 0, 0)
    first_rows = rows_by_file(outbox)
    mtimes = {p.name: p.stat().st_mtime_ns for p in outbox.glob("* return.xlsx")}

    second = cli("batch", inbox, "-o", outbox)
    assert second.returncode == 0
    assert "0 converted, 3 unchanged, 0 failed" in second.stdout
    assert {p.name: p.stat().st_mtime_ns for p in outbox.glob("* return.xlsx")} == mtimes
    rows = rows_by_file(outbox)
    for name, row in rows.items():
        assert row["status"] == "skipped"
        # a skipped input keeps its previous row
        assert {k: v for k, v in row.items() if k != "status"} == {
            k: v for k, v in first_rows[name].items() if k != "status"
        }

    relabelled(inbox / "b.xlsx")  # new content
    third = cli("batch", inbox, "-o", outbox)
    assert summary(third.stdout) == (1, 2, 0)
    assert "converted b.xlsx -> b - Qu 2 18-19 return.xlsx" in third.stdout
    assert rows_by_file(outbox)["b.xlsx"]["status"] == "converted"

    (outbox / "c - Qu 2 18-19 return.xlsx").unlink()  # a deleted return is made again
    fourth = cli("batch", inbox, "-o", outbox)
    assert summary(fourth.stdout) == (1, 2, 0)
    assert "converted c.xlsx" in fourth.stdout

    forced = cli("batch", inbox, "-o", outbox, "--force")
    assert forced.returncode == 0
    assert summary(forced.stdout) == (3, 0, 0)

    rules = tmp_path / "rules.toml"
    rules.write_text("tolerance = 5.0\n", encoding="utf-8")
    with_rules = cli("batch", inbox, "-o", outbox, "--rules", rules)
    assert summary(with_rules.stdout) == (3, 0, 0)  # other rules: other returns
    assert json.loads((outbox / REPORT_JSON).read_text(encoding="utf-8"))["rules"] == str(rules)
    assert summary(cli("batch", inbox, "-o", outbox, "--rules", rules).stdout) == (0, 3, 0)

    manifest = json.loads((outbox / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(manifest["entries"]) == ["a.xlsx", "b.xlsx", "c.xlsx"]


def test_failed_inputs_are_retried_and_notes_removed_once_fixed(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    copy_example(inbox, "good.xlsx")
    truncated(inbox / "late.xlsx")  # still being copied in when the first run starts
    first = cli("batch", inbox, "-o", outbox)
    assert first.returncode == 1
    assert (outbox / "failed" / "late.xlsx.txt").is_file()
    copy_example(inbox, "late.xlsx")
    second = cli("batch", inbox, "-o", outbox)
    assert second.returncode == 0, second.stdout
    assert summary(second.stdout) == (1, 1, 0)
    assert not (outbox / "failed" / "late.xlsx.txt").exists()
    (inbox / "good.xlsx").unlink()  # inputs that leave INBOX leave the report
    assert [row.file for row in run_batch(inbox, outbox).rows] == ["late.xlsx"]
    assert [row.file for row in load_report(outbox)] == ["late.xlsx"]


# --------------------------------------------------------------------------- hung and dying workers


def test_hung_crashed_and_killed_workers_are_reported_and_the_rest_convert(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    names = ["a_ok.xlsx", "b_hang.xlsx", "c_ok.xlsx", "d_crash.xlsx", "e_ok.xlsx", "f_kill.xlsx", "g_ok.xlsx"]
    for name in names:
        copy_example(inbox, name)
    mark = f"{os.getpid()}-{time.time_ns()}"
    hooks = {
        "XLSCORECARD_TEST_HANG_ON": "b_hang.xlsx",
        "XLSCORECARD_TEST_CRASH_ON": "d_crash.xlsx",
        "XLSCORECARD_TEST_KILL_ON": "f_kill.xlsx",
        "XLSCORECARD_TEST_MARK": mark,  # finds any process this batch left behind
        # tests/worker_faults/sitecustomize.py makes the workers misbehave on the inputs named above.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(WORKER_FAULTS), os.environ.get("PYTHONPATH")])),
    }
    start = time.perf_counter()
    proc = cli("batch", inbox, "-o", outbox, "--workers", "2", "--timeout", "4", env=hooks)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert summary(proc.stdout) == (4, 0, 3)
    assert elapsed < 90
    rows = rows_by_file(outbox)
    assert rows["b_hang.xlsx"]["error"].startswith("took longer than 4 s")
    assert "stopped unexpectedly (exit code 1)" in rows["d_crash.xlsx"]["error"]
    assert "killed by SIGKILL" in rows["f_kill.xlsx"]["error"]
    for name in ("b_hang.xlsx", "d_crash.xlsx", "f_kill.xlsx"):
        assert rows[name]["status"] == "failed"
        assert f"FAILED {name}: {rows[name]['error']}" in proc.stdout
        assert (outbox / "failed" / f"{name}.txt").is_file()
    for name in ("a_ok.xlsx", "c_ok.xlsx", "e_ok.xlsx", "g_ok.xlsx"):
        assert rows[name]["status"] == "converted"
        assert_opens_as_return(outbox / rows[name]["output"])
    assert _processes_with(f"XLSCORECARD_TEST_MARK={mark}") == []  # the hung worker was killed, not orphaned


def _processes_with(env_entry: str) -> list[int]:
    """Processes whose environment holds `env_entry` (Linux /proc; [] elsewhere)."""
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if env_entry.encode() in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue
    return found


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("missing_inbox", "INBOX folder not found"),
        ("inbox_is_file", "INBOX is not a folder"),
        ("outbox_is_inbox", "OUTBOX must not be INBOX"),
        ("outbox_is_inbox_spelt_differently", "OUTBOX must not be INBOX"),
        ("outbox_is_file", "OUTBOX exists and is not a folder"),
        ("rules_missing", "rules file not found"),
        ("rules_bad_toml", "is not valid TOML"),
        ("rules_bad_setting", "setting 'tolerance'"),
        ("workers_zero", "--workers must be at least 1"),
        ("timeout_zero", "--timeout must be more than 0"),
        ("pattern_escapes", "must be a glob inside INBOX"),
        ("no_outbox", "missing -o OUTBOX"),
    ],
)
def test_unusable_arguments_exit_2_with_one_line(tmp_path: Path, case: str, words: str) -> None:
    inbox = tmp_path / "inbox"
    copy_example(inbox, "a.xlsx")
    before = snapshot(tmp_path)
    outbox: Path | None = tmp_path / "outbox"
    extra: list[str | Path] = []
    named = inbox
    if case == "missing_inbox":
        inbox = named = tmp_path / "nowhere"
    elif case == "inbox_is_file":
        inbox = named = inbox / "a.xlsx"
    elif case == "outbox_is_inbox":
        outbox = named = inbox
    elif case == "outbox_is_inbox_spelt_differently":
        outbox = named = inbox / "." / ".." / "inbox"
    elif case == "outbox_is_file":
        outbox = named = tmp_path / "out.txt"
        outbox.write_text("x")
        before = snapshot(tmp_path)
    elif case.startswith("rules"):
        rules = named = tmp_path / "rules.toml"
        if case == "rules_bad_toml":
            rules.write_text("tolerance = = 5\n")
        elif case == "rules_bad_setting":
            rules.write_text("tolerance = -5\n")
        before = snapshot(tmp_path)
        extra = ["--rules", rules]
    elif case == "workers_zero":
        extra = ["--workers", "0"]
    elif case == "timeout_zero":
        extra = ["--timeout", "0"]
    elif case == "pattern_escapes":
        extra = ["--pattern", "../*.xlsx"]
    args: list[str | Path] = ["batch", inbox, *(["-o", outbox] if case != "no_outbox" else []), *extra]
    proc = cli(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("xlscorecard: error: ")
    assert words in lines[0]
    if case not in {"workers_zero", "timeout_zero", "pattern_escapes", "no_outbox"}:
        assert str(named) in lines[0]
    assert proc.stdout == ""
    assert snapshot(tmp_path) == before  # nothing written, not even OUTBOX


def test_outbox_inside_inbox_is_fine_and_returns_are_not_inputs(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    copy_example(inbox / "sub", "a.xlsx")
    outbox = inbox / "returns"
    for _ in range(2):
        proc = cli("batch", inbox, "-o", outbox, "--pattern", "**/*.xlsx")
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert summary(proc.stdout) == (0, 1, 0)
    assert [row.file for row in load_report(outbox)] == ["sub/a.xlsx"]
    assert_opens_as_return(outbox / "sub" / "a - Qu 2 18-19 return.xlsx")


def test_second_batch_on_the_same_outbox_is_refused(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    copy_example(inbox, "a.xlsx")
    outbox.mkdir()
    with open(outbox / ".xlscorecard-batch.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        proc = cli("batch", inbox, "-o", outbox)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"xlscorecard: error: {outbox}: another xlscorecard batch is already writing"
                                        " to this folder"]


# --------------------------------------------------------------------------- in-process details


class Recorder(BatchListener):
    def __init__(self) -> None:
        self.rows: list[ReportRow] = []
        self.started_with: tuple[int, int, int] | None = None

    def started(self, inputs: int, to_convert: int, unchanged: int) -> None:
        self.started_with = (inputs, to_convert, unchanged)

    def file_done(self, row: ReportRow) -> None:
        self.rows.append(row)


def test_which_files_are_taken(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    copy_example(inbox, "UPPER.XLSX")  # Scorecard.XLSX is a workbook on Linux as on Windows
    copy_example(inbox, "a.xlsx")
    shutil.copyfile(inbox / "a.xlsx", inbox / "a.xlsm")  # same stem: both keep their extension
    (inbox / "~$a.xlsx").write_bytes(b"\x00" * 165)  # Excel's lock file for an open workbook
    (inbox / ".hidden.xlsx").write_bytes(b"junk")
    (inbox / "folder.xlsx").mkdir()
    (inbox / "notes.txt").write_text("not matched by the pattern")
    if hasattr(os, "mkfifo"):
        os.mkfifo(inbox / "pipe.xlsx")
    recorder = Recorder()
    result = run_batch(inbox, outbox, pattern="*.xls*", listener=recorder, workers=2)
    rows = {row.file: row for row in result.rows}
    expected = {"UPPER.XLSX", "a.xlsm", "a.xlsx"} | ({"pipe.xlsx"} if hasattr(os, "mkfifo") else set())
    assert set(rows) == expected
    assert rows["a.xlsx"].output == "a.xlsx - Qu 2 18-19 return.xlsx"
    assert rows["a.xlsm"].output == "a.xlsm - Qu 2 18-19 return.xlsx"
    assert rows["UPPER.XLSX"].output == "UPPER - Qu 2 18-19 return.xlsx"
    if hasattr(os, "mkfifo"):
        assert rows["pipe.xlsx"].status == "failed"
        assert rows["pipe.xlsx"].error == "is not a regular file, not a workbook"
    assert recorder.started_with == (len(expected), len(expected), 0)
    assert sorted(row.file for row in recorder.rows) == sorted(expected)


def test_report_csv_never_holds_a_formula(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    name = "=SUM(1,2).xlsx"
    (inbox).mkdir()
    (inbox / name).write_bytes(b"not a workbook")
    copy_example(inbox, "-1.xlsx")
    run_batch(inbox, outbox)
    table = csv_rows(outbox)
    assert set(table) == {"'" + name, "'-1.xlsx"}
    assert table["'-1.xlsx"]["output"] == "'-1 - Qu 2 18-19 return.xlsx"
    assert {row.file for row in load_report(outbox)} == {name, "-1.xlsx"}  # JSON keeps the true names


def test_load_report_without_a_run_and_when_damaged(tmp_path: Path) -> None:
    assert load_report(tmp_path) == []
    (tmp_path / REPORT_JSON).write_text('{"rows": 3}', encoding="utf-8")
    with pytest.raises(ScorecardError, match="batch report is damaged"):
        load_report(tmp_path)


def test_damaged_manifest_means_converting_again(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    copy_example(inbox, "a.xlsx")
    run_batch(inbox, outbox)
    (outbox / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    result = run_batch(inbox, outbox)
    assert result.summary() == "1 converted, 0 unchanged, 0 failed"
    assert run_batch(inbox, outbox).summary() == "0 converted, 1 unchanged, 0 failed"


def test_run_batch_argument_errors_are_batch_errors(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="INBOX folder not found"):
        run_batch(tmp_path / "missing", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_errors_are_the_safety_modules_own(tmp_path: Path) -> None:
    """The worker reports the reader's one-line message, not a wrapped or path-prefixed one."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    (inbox / "x.xlsx").write_bytes(b"PK\x03\x04 truncated")
    row = run_batch(inbox, outbox).rows[0]
    with pytest.raises(WorkbookError) as info:
        convert_file(inbox / "x.xlsx", out=tmp_path / "direct")
    assert row.error == info.value.message
    assert str(inbox) not in (row.error or "")


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    pty = pytest.importorskip("pty")
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    copy_example(inbox, "a.xlsx")
    (inbox / "b.xlsx").write_bytes(b"junk")
    exe = shutil.which("xlscorecard")
    assert exe
    leader, follower = pty.openpty()
    proc = subprocess.Popen([exe, "batch", str(inbox), "-o", str(outbox)], stdout=follower, stderr=follower,
                            env=_env({"COLUMNS": "200", "TERM": "xterm"}))
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(120) == 1
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", b"".join(chunks).decode("utf-8", "replace"))
    assert "converted a.xlsx -> a - Qu 2 18-19 return.xlsx" in text
    assert "FAILED b.xlsx: not an Excel .xlsx workbook" in text
    assert "1 converted, 0 unchanged, 1 failed" in text


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and links")
def test_hostile_names_and_links_are_refused_not_followed(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    copy_example(inbox, "good.xlsx")
    secret = copy_example(tmp_path / "elsewhere", "secret.xlsx")
    (inbox / "link.xlsx").symlink_to(secret)
    (inbox / "inside.xlsx").symlink_to(inbox / "good.xlsx")  # a link within INBOX is an ordinary input
    fd = os.open(os.fsencode(inbox) + b"/bad\xff name.xlsx", os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, EXAMPLE.read_bytes())
    os.close(fd)
    result = run_batch(inbox, outbox)
    rows = {row.file: row for row in result.rows}
    assert set(rows) == {"bad\\xff name.xlsx", "good.xlsx", "inside.xlsx", "link.xlsx"}
    assert rows["link.xlsx"].status == "failed" and "outside INBOX" in (rows["link.xlsx"].error or "")
    assert rows["link.xlsx"].sha256 == ""  # never opened
    assert rows["bad\\xff name.xlsx"].error == "the file name is not valid text (UTF-8); rename the file"
    assert rows["inside.xlsx"].status == rows["good.xlsx"].status == "converted"
    assert (outbox / "failed" / "bad\\xff name.xlsx.txt").is_file()
    json.loads((outbox / REPORT_JSON).read_text(encoding="utf-8"))
    assert csv_rows(outbox).keys() == rows.keys()


def test_inbox_inside_outbox_is_fine(tmp_path: Path) -> None:
    outbox = tmp_path / "scorecards"
    inbox = outbox / "inbox"
    copy_example(inbox, "a.xlsx")
    result = run_batch(inbox, outbox)
    assert result.summary() == "1 converted, 0 unchanged, 0 failed"
    assert_opens_as_return(outbox / "a - Qu 2 18-19 return.xlsx")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_outputs_are_readable_by_others_under_the_usual_umask(tmp_path: Path) -> None:
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    copy_example(inbox, "a.xlsx")
    (inbox / "b.xlsx").write_bytes(b"junk")
    old = os.umask(0o022)
    try:
        from xlscorecard.atomic import ordinary_file_mode

        ordinary_file_mode.cache_clear()
        run_batch(inbox, outbox)
    finally:
        os.umask(old)
        ordinary_file_mode.cache_clear()
    for name in ("a - Qu 2 18-19 return.xlsx", REPORT_JSON, REPORT_CSV, MANIFEST_NAME, "failed/b.xlsx.txt"):
        assert (outbox / name).stat().st_mode & 0o777 == 0o644, name


def test_outputs_that_cannot_be_replaced_are_reported_not_fatal(tmp_path: Path) -> None:
    """As when an officer has the return or report.csv open in Excel on Windows (it locks them)."""
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    copy_example(inbox, "a.xlsx")
    copy_example(inbox, "b.xlsx")
    (outbox / "a - Qu 2 18-19 return.xlsx").mkdir(parents=True)  # cannot be replaced by a file
    (outbox / REPORT_CSV).mkdir()
    notes: list[str] = []

    class Notes(BatchListener):
        def note(self, message: str) -> None:
            notes.append(message)

    result = run_batch(inbox, outbox, listener=Notes())
    rows = {row.file: row for row in result.rows}
    assert rows["b.xlsx"].status == "converted"
    assert rows["a.xlsx"].status == "failed"
    assert "cannot write the return" in (rows["a.xlsx"].error or "")
    assert result.problems and "report.csv" in result.problems[0] and notes == result.problems
    assert result.exit_code == 1
    assert [row.file for row in load_report(outbox)] == ["a.xlsx", "b.xlsx"]  # report.json still written


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_batch_on_a_terminal_shows_each_file_and_the_summary(tmp_path: Path) -> None:
    """On a terminal the run draws a progress bar: the per-file lines, the summary and the exit code stay."""
    import pty

    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(EXAMPLE, inbox / EXAMPLE.name)
    (inbox / "junk.xlsx").write_bytes(b"not a workbook")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command, its stdout a terminal
        os.execvpe(sys.executable, [sys.executable, "-m", "xlscorecard", "batch", str(inbox), "-o",
                                     str(tmp_path / "out"), "--workers", "1"], env)
    seen = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode("utf-8", errors="replace"))
    assert os.waitstatus_to_exitcode(status) == 1  # one input failed
    assert f"converted {EXAMPLE.name}" in text
    assert "junk.xlsx" in text
    assert "1 converted, 0 unchanged, 1 failed" in text
    assert (tmp_path / "out" / EXAMPLE_RETURN.format(EXAMPLE.stem)).is_file()
