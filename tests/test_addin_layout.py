"""The add-in's layout profile: a sheet the reader cannot work out alone, read by the buttons.

The workbook is Westshire's (tests/councils/westshire_unknown.xlsx: none of its period, polarity
or target headers is in the vocabulary) with a RAG and a DoT column added for the buttons to fill,
saved by LibreOffice and handed to the add-in through tests/xlwings_standin.py. Its profile is
tests/councils/profiles/westshire.toml; the expected RAG is the hand-worked
tests/councils/expected/westshire_unknown.toml.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from click.testing import CliRunner
from conftest import cli_command
from test_addin_live import libreoffice_save
from xlwings_standin import StandinBook

from xlscorecard import addin
from xlscorecard.addin import conf as addin_conf
from xlscorecard.addin import install as addin_install
from xlscorecard.api import check_file
from xlscorecard.cli import app
from xlscorecard.core.reading.profile import load_profile

COUNCILS = Path(__file__).resolve().parent / "councils"
PROFILE = COUNCILS / "profiles" / "westshire.toml"
EXPECTED = tomllib.loads((COUNCILS / "expected" / "westshire_unknown.toml").read_text("utf-8"))
ARROWS = {"up": "\u2191", "down": "\u2193", "same": "\u2192"}
# WS4 (411 after 402, +2.2%) has no RAG; its arrow worked by hand: up.
TRAVEL = {**{i["ref"]: i["travel"] for i in EXPECTED["indicators"] if "travel" in i}, "WS4": "up"}
RAG = {i["ref"]: (i["rag"].capitalize() if i["rag"] != "none" else None) for i in EXPECTED["indicators"]}
SHEET, OTHER = "KPIs", "Last year"
BUTTONS = {"recompute": addin.recompute, "flag_cells": addin.flag_cells, "check": addin.check,
           "export_return": addin.export_return}  # fmt: skip


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Westshire's sheet with empty RAG (I) and DoT (J) columns, plus an earlier copy as another tab."""
    folder = tmp_path_factory.mktemp("westshire")
    wb = openpyxl.load_workbook(COUNCILS / "westshire_unknown.xlsx")
    ws = wb[SHEET]
    ws["I2"], ws["J2"], ws["K2"] = "RAG", "DoT", "Sign-off"  # K2: in neither the vocabulary nor the profile
    earlier = wb.copy_worksheet(ws)
    earlier.title = OTHER
    wb.active = wb.sheetnames.index(OTHER)  # the analyst left another scorecard tab active
    written = folder / "openpyxl" / "Westshire KPIs.xlsx"
    written.parent.mkdir()
    wb.save(written)
    return libreoffice_save(written, folder / "libreoffice")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch home folder, so the user-wide setting read is this test's."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    return home


@pytest.fixture
def book(saved: Path, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> StandinBook:
    folder = tmp_path / "work"
    folder.mkdir()
    book = StandinBook.from_xlsx(saved, fullname=folder / saved.name, active=OTHER)
    monkeypatch.setattr(xw.Book, "caller", lambda: book)
    return book


def set_layout(home: Path, profile: Path | str) -> Path:
    conf = addin_conf.settings_file(sys.platform, home=home)
    addin_conf.set_setting(conf, addin_conf.LAYOUT_KEY, str(profile))
    return conf


def written(book: StandinBook, sheet: str = SHEET) -> dict[str, tuple[object, object]]:
    """PI ref -> (RAG cell, arrow cell) values of the sheet's PI rows."""
    out = {}
    for row in range(3, 12):
        ref = book.cell(sheet, f"A{row}").value
        if isinstance(ref, str) and ref.startswith("WS"):
            out[ref] = (book.cell(sheet, f"I{row}").value, book.cell(sheet, f"J{row}").value)
    return out


def shown(book: StandinBook) -> str:
    return book.app.alerts[-1]["prompt"]


def test_without_a_profile_recompute_is_refused_in_one_line(book: StandinBook) -> None:
    before = book.snapshot()
    message = addin.recompute()
    assert message.startswith("xlscorecard: ") and "\n" not in message
    assert "no scorecard header" in message
    assert "layout profile in a layout.toml beside the workbook" in message and "addin install --layout" in message
    assert book.snapshot() == before


def test_the_layout_setting_lets_recompute_write_rag_and_arrows(book: StandinBook, home: Path) -> None:
    set_layout(home, PROFILE)
    message = addin.recompute()
    assert message.startswith("Recomputed 6 indicators on 'KPIs' for Q2 2018/19: 2 Green, 1 Amber, 2 Red"), message
    assert written(book) == {ref: (RAG[ref], ARROWS[TRAVEL[ref]]) for ref in RAG}
    # The profile's sheet, not the active tab, is the one written.
    assert all(cells == (None, None) for cells in written(book, OTHER).values())
    assert book.cell(SHEET, "I4").color == addin.RAG_FILLS[addin.buttons.Rating.RED]


def test_a_layout_toml_beside_the_workbook_wins_over_the_setting(book: StandinBook, home: Path, tmp_path: Path) -> None:
    no_target = tmp_path / "no target.toml"
    no_target.write_text(PROFILE.read_text("utf-8").replace('"E" = "target"', '"E" = "ignore"'), "utf-8")
    set_layout(home, no_target)
    addin.recompute()
    assert {rag for rag, _ in written(book).values()} == {None}  # no target column: nothing rated
    (tmp_path / "work" / "layout.toml").write_text(PROFILE.read_text("utf-8"), "utf-8")
    addin.recompute()
    assert written(book) == {ref: (RAG[ref], ARROWS[TRAVEL[ref]]) for ref in RAG}


def test_a_profile_for_other_workbooks_is_not_applied(book: StandinBook, tmp_path: Path) -> None:
    other = PROFILE.read_text("utf-8").replace("*Westshire*.xlsx", "*Eastshire*.xlsx")
    (tmp_path / "work" / "layout.toml").write_text(other, "utf-8")
    before = book.snapshot()
    assert "no scorecard header" in addin.recompute()
    assert book.snapshot() == before


def test_a_profile_naming_a_sheet_the_workbook_lacks_is_one_line(book: StandinBook, tmp_path: Path) -> None:
    beside = tmp_path / "work" / "layout.toml"
    beside.write_text(PROFILE.read_text("utf-8").replace('sheet = "KPIs"', 'sheet = "Summary"'), "utf-8")
    before = book.snapshot()
    message = addin.recompute()
    assert message == (
        f"xlscorecard: Westshire KPIs.xlsx: the layout profile {beside} names sheet 'Summary', which this "
        "workbook does not have (sheets: 'KPIs', 'Last year')"
    )
    assert book.snapshot() == before


BAD = {
    "missing": (None, "layout profile not found"),
    "not TOML": ("[columns\n", "layout profile is not valid TOML"),
    "unknown role": ('[columns]\n"Aim" = "direction"\n', "unknown role 'direction'"),
}


@pytest.mark.parametrize(
    ("where", "bad"),
    [("setting", bad) for bad in BAD] + [("beside", bad) for bad in BAD if BAD[bad][0] is not None],
)  # no layout.toml beside the workbook is no profile, not an error
@pytest.mark.parametrize("button", list(BUTTONS))
def test_a_bad_profile_is_one_line_naming_it_and_nothing_is_written(
    book: StandinBook, home: Path, tmp_path: Path, bad: str, button: str, where: str
) -> None:
    text, says = BAD[bad]
    path = tmp_path / "work" / "layout.toml" if where == "beside" else tmp_path / "profiles" / "westshire.toml"
    if text is not None:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, "utf-8")
    conf = set_layout(home, path) if where == "setting" else None
    before = book.snapshot()
    sheets = list(book.sheet_names)
    message = BUTTONS[button]()
    assert message == shown(book) and message.startswith("xlscorecard: ") and "\n" not in message
    assert str(path) in message and says in message
    if conf is not None:
        assert f"LAYOUT setting in {conf}" in message
    assert book.snapshot() == before and book.sheet_names == sheets
    assert not list((tmp_path / "work").glob("*return*"))


def test_check_and_export_read_the_sheet_through_the_profile(
    book: StandinBook, saved: Path, home: Path, tmp_path: Path
) -> None:
    set_layout(home, PROFILE)
    on_file = check_file(saved, profile=load_profile(PROFILE)).findings  # `check --layout` on the saved file
    assert addin.check().startswith(f"{len(on_file)} findings on 'KPIs' for Q2 2018/19")
    cells = book._sheet(addin.FINDINGS_SHEET).cells
    listed = [cells[(r, 3)].value for r in range(2, 2 + len(on_file))]
    assert listed == [f.code.value for f in on_file] and (2 + len(on_file), 3) not in cells
    assert [(f.code.value, f.cell) for f in on_file] == [("unrecognised-column", "K2")]
    path = addin.export_return()
    assert isinstance(path, Path) and path.parent == tmp_path / "work" and "Q2 2018-19" in path.name
    scorecard = openpyxl.load_workbook(path)["Scorecard"]
    rags = {row[0]: row for row in scorecard.iter_rows(values_only=True) if str(row[0]).startswith("WS")}
    assert set(rags) == set(RAG)
    assert all(RAG[ref] is None or RAG[ref] in row for ref, row in rags.items())


def test_clear_flags_reads_no_profile(book: StandinBook, home: Path, tmp_path: Path) -> None:
    set_layout(home, tmp_path / "gone.toml")
    assert addin.clear_flags() == "No flags to clear."


# ----------------------------------------------------------------------------- addin install --layout


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_install_stores_the_profile_where_the_buttons_read_it(
    tmp_path: Path, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(addin_conf._CONFIG_ENCODING, "win32", "cp1252")
    xlam = tmp_path / "built.xlam"
    xlam.write_bytes(b"add-in")
    home = tmp_path / "home"
    addin_install._install(platform, home=home, environ={"APPDATA": str(tmp_path / "ad")}, xlam=xlam,
                           python="py", layout=PROFILE)  # fmt: skip
    conf = addin_conf.settings_file(platform, home=home)
    newline = "\r\n" if platform == "win32" else "\n"
    key = "INTERPRETER_WIN" if platform == "win32" else "INTERPRETER_MAC"
    assert conf.read_bytes().decode() == f'"{key}","py"{newline}"LAYOUT","{PROFILE}"{newline}'
    encoding = addin_conf._CONFIG_ENCODING[platform]
    assert addin_conf.read_setting(conf, "layout", encoding=encoding) == str(PROFILE)


def test_install_layout_through_the_cli_stores_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "mine.toml").write_text(PROFILE.read_text("utf-8"), "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "platform", "darwin")  # as on a Mac: Linux has no Excel to install into
    done = CliRunner().invoke(app, ["addin", "install", "--layout", "mine.toml"])
    monkeypatch.undo()
    assert done.exit_code == 0, done.output
    conf = addin_conf.settings_file("darwin", home=home)
    assert f'"LAYOUT","{tmp_path / "mine.toml"}"' in conf.read_text("utf-8").splitlines()


@pytest.mark.parametrize("bad", list(BAD))
def test_install_refuses_a_bad_profile_with_exit_2_and_one_line(tmp_path: Path, bad: str) -> None:
    import os

    text, says = BAD[bad]
    profile = tmp_path / "bad.toml"
    if text is not None:
        profile.write_text(text, "utf-8")
    env = {**os.environ, "HOME": str(tmp_path), "USERPROFILE": str(tmp_path)}
    done = subprocess.run([*cli_command(), "addin", "install", "--layout", str(profile)], env=env,
                          capture_output=True, text=True, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and str(profile) in done.stderr and says in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / ".xlscorecard").exists()
