"""What convert and batch write beside the return (issue 18): the PDF, the check --json sidecar, -o naming."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE, _cli_env, run_cli
from pdf_pages import page_text, pages, saved_by_libreoffice
from programs import require_program

RETURN = "scorecard_q2_2018-19 - Qu 2 18-19 return"


def script() -> str:
    """The console script by its full path, so it runs with a PATH that lacks LibreOffice."""
    path = Path(sys.executable).parent / "xlscorecard"
    if not path.exists():
        pytest.skip("the xlscorecard console script is not beside the interpreter")
    return str(path)


def run_without_libreoffice(*args: str | Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    env = {**_cli_env(), "PATH": str(empty)}
    return subprocess.run([script(), *map(str, args)], capture_output=True, text=True, env=env, check=False)


def test_convert_pdf_prints_the_scorecard_header_row_on_every_page(tmp_path: Path) -> None:
    require_program("soffice", "apt-get install libreoffice-calc-nogui")
    done = run_cli("convert", EXAMPLE, "--pdf", "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    workbook, pdf = (Path(line) for line in done.stdout.splitlines())
    assert workbook == tmp_path / "out" / f"{RETURN}.xlsx" and pdf == tmp_path / "out" / f"{RETURN}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    printed = pages(pdf)
    # The Scorecard sheet prints first; the Quarter on quarter sheet starts where its own header appears.
    first_qoq = next(i for i, words in enumerate(printed) if "Improving / worsening" in page_text(words))
    scorecard_pages = printed[:first_qoq]
    assert len(scorecard_pages) >= 2
    for number, words in enumerate(scorecard_pages, start=1):
        text = page_text(words)
        assert "PI Ref" in text and "Lead for comments" in text and "Qu 2 18-19" in text, f"page {number}"
    assert not list((tmp_path / "out").glob(".*")), "no temporary files left"


def test_convert_pdf_without_libreoffice_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_without_libreoffice("convert", EXAMPLE, "--pdf", "-o", tmp_path / "out", tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "LibreOffice" in done.stderr and "install" in done.stderr and str(EXAMPLE) in done.stderr
    assert not (tmp_path / "out").exists(), "nothing is written when the PDF cannot be made"


def test_batch_pdf_without_libreoffice_is_one_line_and_exit_2(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(EXAMPLE.read_bytes())
    done = run_without_libreoffice("batch", inbox, "-o", tmp_path / "outbox", "--pdf", tmp_path=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and "LibreOffice" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("out", "expected"), [
    ("r1", f"r1/{RETURN}.xlsx"),
    ("r2/", f"r2/{RETURN}.xlsx"),
    ("deep/r3", f"deep/r3/{RETURN}.xlsx"),
    ("named.xlsx", "named.xlsx"),
    ("SHOUT.XLSX", "SHOUT.XLSX"),
])
def test_convert_out_is_a_folder_unless_it_ends_xlsx(tmp_path: Path, out: str, expected: str) -> None:
    done = run_cli("convert", EXAMPLE, "-o", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = tmp_path / expected
    assert written.is_file() and written.read_bytes()[:2] == b"PK"
    assert Path(done.stdout.strip()) in (written, Path(expected))
    assert written.with_suffix(".json").is_file(), "the check --json sidecar sits beside the return"


def test_sidecar_is_exactly_check_json(tmp_path: Path) -> None:
    done = run_cli("convert", EXAMPLE, "-o", tmp_path)
    assert done.returncode == 0, done.stderr
    sidecar = json.loads((tmp_path / f"{RETURN}.json").read_text(encoding="utf-8"))
    check = run_cli("check", EXAMPLE, "--json")
    assert check.returncode == 0, check.stderr
    assert sidecar == json.loads(check.stdout)
    assert sidecar["counts"]["rag"]["red"] == 14


def test_batch_pdf_sidecars_and_one_tidy_file_for_the_inbox(tmp_path: Path) -> None:
    require_program("soffice", "apt-get install libreoffice-calc-nogui")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "council a.xlsx").write_bytes(EXAMPLE.read_bytes())
    saved_by_libreoffice(EXAMPLE, inbox / "council b.xlsx")  # as LibreOffice saves it
    outbox = tmp_path / "outbox"
    done = run_cli("batch", inbox, "-o", outbox, "--pdf", "--workers", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    for council in ("council a", "council b"):
        stem = f"{council} - Qu 2 18-19 return"
        assert (outbox / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
        assert json.loads((outbox / f"{stem}.json").read_text(encoding="utf-8"))["counts"]["indicators"] == 104
    with (outbox / "tidy.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    single = run_cli("export", EXAMPLE, "-o", tmp_path / "one.csv")
    assert single.returncode == 0, single.stderr
    with (tmp_path / "one.csv").open(encoding="utf-8-sig", newline="") as fh:
        one = list(csv.DictReader(fh))
    assert {r["file"] for r in rows} == {"council a.xlsx", "council b.xlsx"}
    for council in ("council a.xlsx", "council b.xlsx"):
        mine = [r for r in rows if r["file"] == council]
        assert len(mine) == len(one)
        assert [(r["ref"], r["period"], r["value"], r["unit"]) for r in mine] == \
               [(r["ref"], r["period"], r["value"], r["unit"]) for r in one]
    # A second run with --pdf finds everything up to date, PDFs included.
    again = run_cli("batch", inbox, "-o", outbox, "--pdf")
    assert again.returncode == 0 and "2 unchanged" in again.stdout, again.stdout


@pytest.mark.skipif(os.name != "posix", reason="PATH handling")
def test_convert_without_pdf_needs_no_libreoffice(tmp_path: Path) -> None:
    done = run_without_libreoffice("convert", EXAMPLE, "-o", tmp_path / "out", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / f"{RETURN}.xlsx").is_file()
