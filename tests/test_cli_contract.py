"""The command line's contract as a user meets it (DESIGN 9): the version, help that lists every
command and option, exit code 2 with a message naming the problem for bad arguments, and repeatable
options reaching the command whole. Each test runs the real command in a fresh process.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import EXAMPLE, run_cli

from xlscorecard import __version__

COUNCILS = Path(__file__).resolve().parent / "councils"
PROFILES = COUNCILS / "profiles"

COMMANDS = ["check", "convert", "batch", "serve", "layout", "rollover", "template", "export", "addin", "users"]

# Every option of every command (besides --help), as DESIGN 9 and the README name them.
OPTIONS = {
    "check": ["--json", "--rules", "--period", "--sheet", "--layout"],
    "convert": ["-o", "--out", "--rules", "--period", "--sheet", "--pdf", "--layout"],
    "batch": ["-o", "--out", "--workers", "--rules", "--pattern", "--force", "--timeout", "--pdf", "--layout"],
    "serve": [
        "--returns", "--host", "--port", "--max-upload-mb", "--users", "--auth-header", "--trusted-proxy", "--roles",
        "--no-auth", "--keep-days", "--quota-mb", "--quota-uploads", "--session-minutes", "--audit-log",
        "--certfile", "--keyfile", "--layout", "--workers", "--timeout", "--worker-memory-mb",
    ],
    "layout": ["--sheet", "--layout", "--json", "--save"],
    "rollover": ["--to", "-o", "--out", "--sheet"],
    "template": ["--year", "--quarter", "-o", "--out", "--sheet"],
    "export": ["--format", "-o", "--out", "--rules", "--period", "--sheet"],
    "addin build": ["-o", "--out"],
    "addin install": ["--layout"],
    "users add": ["--role", "--users"],
    "users remove": ["--users"],
    "users list": ["--users"],
}


def listed_commands(help_text: str) -> list[str]:
    """The command names under the help's "Commands:" heading, in the order shown."""
    section = help_text.split("Commands:", 1)[1]
    return re.findall(r"^  (\S+)", section, flags=re.MULTILINE)


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("module", [False, True], ids=["script", "python-m"])
def test_version_prints_the_name_and_version(module: bool) -> None:
    done = run_cli("--version", module=module)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"xlscorecard {__version__}\n"


@pytest.mark.parametrize("module", [False, True], ids=["script", "python-m"])
def test_no_arguments_shows_help_listing_every_command(module: bool) -> None:
    done = run_cli(module=module)
    assert done.returncode == 2
    assert done.stdout.startswith("Usage: xlscorecard ")
    assert listed_commands(done.stdout) == COMMANDS


@pytest.mark.parametrize(("group", "commands"), [("addin", ["build", "install"]), ("users", ["add", "remove", "list"])])
def test_a_group_without_a_command_shows_its_help(group: str, commands: list[str]) -> None:
    done = run_cli(group)
    assert done.returncode == 2
    assert done.stdout.startswith(f"Usage: xlscorecard {group} ")
    assert listed_commands(done.stdout) == commands


@pytest.mark.parametrize("command", list(OPTIONS))
def test_each_command_help_names_its_options(command: str) -> None:
    done = run_cli(*command.split(), "--help")
    assert done.returncode == 0, done.stderr
    shown = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", done.stdout.split("Options:", 1)[1]))
    assert set(OPTIONS[command]) <= shown, done.stdout


def test_help_shows_defaults_ranges_and_required_options() -> None:
    done = run_cli("serve", "--help")
    text = " ".join(done.stdout.split())  # the help wraps to the terminal's width
    assert "[required]" in text and "[default: 127.0.0.1]" in text
    assert "[default: 2; x>=1]" in text and "[default: 1024; x>=64]" in text
    assert "Scorecard workbook (.xlsx)." in run_cli("convert", "--help").stdout  # the argument's own help


def test_an_unknown_option_exits_2_naming_it(tmp_path: Path) -> None:
    done = run_cli("convert", EXAMPLE, "--bogus", "-o", f"{tmp_path}/")
    assert done.returncode == 2
    assert "--bogus" in done.stderr and done.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_missing_required_option_exits_2_naming_it(tmp_path: Path) -> None:
    done = run_cli("rollover", EXAMPLE, cwd=tmp_path)
    assert done.returncode == 2
    assert "--to" in done.stderr and done.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_a_value_below_an_options_minimum_exits_2_before_serving(tmp_path: Path) -> None:
    done = run_cli("serve", "--returns", tmp_path, "--workers", "0", timeout=120)
    assert done.returncode == 2
    assert "--workers" in done.stderr and "0" in done.stderr


def test_convert_of_a_missing_file_exits_2_with_one_line_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no such scorecard.xlsx"
    done = run_cli("convert", missing, "-o", f"{tmp_path}/")
    assert done.returncode == 2 and done.stdout == ""
    line = one_error_line(done.stderr)
    assert line.startswith("xlscorecard: error: ") and str(missing) in line
    assert list(tmp_path.iterdir()) == []


def test_layout_given_twice_reaches_the_command_as_two_profiles(tmp_path: Path) -> None:
    westshire = COUNCILS / "westshire_unknown.xlsx"  # readable only through westshire.toml
    alone = run_cli("check", westshire, "--json", "--layout", PROFILES / "southvale_only.toml")
    assert alone.returncode == 2 and "--layout" in one_error_line(alone.stderr)

    # southvale_only.toml's files do not match: the second profile is the first that applies.
    both = run_cli(
        "check", westshire, "--json",
        "--layout", PROFILES / "southvale_only.toml", "--layout", PROFILES / "westshire.toml",
    )  # fmt: skip
    assert both.returncode == 0, both.stderr
    report = json.loads(both.stdout)
    assert report["reporting_period"] == "Q2 2018/19" and report["indicators"]

    # A profile for every workbook that hides Westshire's quarters: given second it is never used,
    # given first it applies and the check fails. Both profiles arrive, in the order given.
    every = tmp_path / "every.toml"
    every.write_text('[columns]\n"Last quarter" = "ignore"\n"This quarter" = "ignore"\n', encoding="utf-8")
    own = PROFILES / "westshire.toml"
    assert run_cli("check", westshire, "--json", "--layout", own, "--layout", every).returncode == 0
    assert run_cli("check", westshire, "--json", "--layout", every, "--layout", own).returncode == 2
