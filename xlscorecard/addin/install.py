"""Install the add-in: Excel's start-up folder and the add-in's own settings file.

The add-in's xlwings VBA reads its settings from its own file (PROJECT_NAME "xlscorecard", see
build.py), so installing never touches the analyst's xlwings.conf, and their xlwings settings
(interpreter, UDF server, conda environment) do not change how the buttons run.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from xlscorecard.addin.build import ADDIN_NAME, PROJECT_NAME, build_addin, xlwings_package_dir
from xlscorecard.atomic import write_atomically
from xlscorecard.core.errors import ScorecardError

LINUX_INSTALL_MESSAGE = (
    "Excel add-ins can only be installed on Windows or macOS; build the .xlam with "
    "`xlscorecard addin build` and copy it to a machine with Excel"
)
SETTINGS_FILE = f"{PROJECT_NAME}.conf"


def install_addin(xlam: Path | None = None, python: str | None = None) -> Path:
    """Copy the add-in to Excel's start-up folder, point its own settings at this Python; return its path."""
    return _install(
        sys.platform,
        home=Path.home(),
        environ=os.environ,
        xlam=xlam,
        python=python or sys.executable,
    )


# VBA reads the settings file with `Open ... For Input`: the ANSI code page on Windows. On a
# Mac xlwings itself writes UTF-8, so the add-in reads what xlwings would have written.
_CONFIG_ENCODING = {"win32": "mbcs", "darwin": "utf-8"}
_CONFIG_NEWLINE = {"win32": "\r\n", "darwin": "\n"}
_INTERPRETER_KEY = {"win32": "INTERPRETER_WIN", "darwin": "INTERPRETER_MAC"}


def _install(platform: str, *, home: Path, environ: Mapping[str, str], xlam: Path | None, python: str) -> Path:
    """Install for the given platform under the given home folder and environment."""
    if platform not in _INTERPRETER_KEY:
        raise ScorecardError(LINUX_INSTALL_MESSAGE)
    startup = startup_dir(platform, home=home, environ=environ)
    if xlam is None:
        target = build_addin(startup)
    else:
        source = Path(xlam)
        if not source.is_file():
            raise ScorecardError("no such add-in file", source)
        # Always the same name, so a reinstall replaces the old copy rather than adding one.
        target = startup / ADDIN_NAME
        try:
            startup.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, source.read_bytes())
        except OSError as exc:
            raise ScorecardError(
                f"cannot write the add-in (is Excel using it?): {exc.strerror or exc}", target
            ) from exc
    set_setting(
        settings_file(platform, home=home),
        _INTERPRETER_KEY[platform],
        python,
        encoding=_CONFIG_ENCODING[platform],
        newline=_CONFIG_NEWLINE[platform],
    )
    if platform == "darwin":
        _install_runpython_script(home)
    return target


def startup_dir(platform: str, *, home: Path, environ: Mapping[str, str]) -> Path:
    """Return the folder whose workbooks Excel opens at start-up for this user."""
    if platform == "win32":
        appdata = environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    if platform == "darwin":
        return (
            home
            / "Library"
            / "Group Containers"
            / "UBF8T346G9.Office"
            / "User Content.localized"
            / "Startup.localized"
            / "Excel"
        )
    raise ScorecardError(LINUX_INSTALL_MESSAGE)


def settings_file(platform: str, *, home: Path) -> Path:
    """Return the add-in's own user settings file, as its xlwings VBA finds it on this platform."""
    if platform == "win32":
        # GetConfigFilePath: Environ("USERPROFILE") & "\." & PROJECT_NAME & "\" & PROJECT_NAME & ".conf".
        return home / f".{PROJECT_NAME}" / SETTINGS_FILE
    if platform == "darwin":
        # GetMacDir("$HOME") & "/" & PROJECT_NAME & ".conf": sandboxed Excel's home folder.
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / SETTINGS_FILE
    raise ScorecardError(LINUX_INSTALL_MESSAGE)


def set_setting(conf: Path, key: str, value: str, *, encoding: str = "utf-8", newline: str = "\n") -> None:
    """Set one "KEY","VALUE" line in the add-in's settings file, keeping every other setting."""
    if '"' in value or "\n" in value or "\r" in value:
        # VBA's `Input #` would split such a value; no interpreter path contains these.
        raise ScorecardError(f"cannot store {value!r} in the add-in's settings", conf)
    lines: list[str] = []
    if conf.exists():
        existing = conf.read_bytes().decode(encoding, errors="replace")
        for line in existing.splitlines():
            name = line.split(",", 1)[0].strip().strip('"')
            # VBA compares keys case-insensitively, so any spelling of the key is replaced.
            if line.strip() and name.upper() != key.upper():
                lines.append(line)
    lines.append(f'"{key}","{value}"')
    try:
        data = "".join(line + newline for line in lines).encode(encoding)
    except UnicodeEncodeError as exc:
        raise ScorecardError(f"Excel cannot read the path {value!r} in this system's code page", conf) from exc
    conf.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(conf, data)


def _install_runpython_script(home: Path) -> None:
    """Give sandboxed Mac Excel the AppleScript that xlwings' RunPython calls."""
    version = importlib.metadata.version("xlwings")
    script = xlwings_package_dir() / f"xlwings-{version}.applescript"
    target_dir = home / "Library" / "Application Scripts" / "com.microsoft.Excel"
    target_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(target_dir / script.name, script.read_bytes())


def _write_atomically(target: Path, data: bytes) -> None:
    write_atomically(target, data, prefix=f".{target.name}.")
