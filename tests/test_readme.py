"""README's install lines: the first command runs in a POSIX shell; the analyst lines suit cmd.exe and macOS."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text("utf-8"), re.M | re.S)


def test_the_first_command_is_one_line_a_posix_shell_accepts_without_test_tools() -> None:
    first = blocks("sh")[0]
    assert first.count("\n") == 1
    sh = shutil.which("sh")
    if sh is None:
        pytest.skip("no POSIX shell here")
    assert subprocess.run([sh, "-n", "-c", first], check=False).returncode == 0
    assert "[test]" not in first and "python3 -m pip install" in first


def test_windows_analyst_lines_work_in_cmd_exe_without_test_tools() -> None:
    (windows,) = [block for block in blocks("bat") if "addin install" in block]
    lines = windows.strip().splitlines()
    assert lines[0].startswith("py -m pip install ") and lines[1] == "py -m xlscorecard addin install"
    assert "'" not in windows and "[test]" not in windows and "python3" not in windows


def test_macos_analyst_lines_and_the_automation_prompt() -> None:
    text = README.read_text("utf-8")
    assert "python3 -m xlscorecard addin install" in text and "Automation" in text


def test_python_m_xlscorecard_runs_the_commands() -> None:
    done = subprocess.run([sys.executable, "-m", "xlscorecard", "addin", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "install" in done.stdout
