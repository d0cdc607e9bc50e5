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

from xlscorecard.addin.build import ADDIN_NAME, build_addin, xlwings_package_dir
from xlscorecard.addin.conf import (  # noqa: F401 (SETTINGS_FILE: part of this module's interface)
    _CONFIG_ENCODING,
    _CONFIG_NEWLINE,
    LAYOUT_KEY,
    SETTINGS_FILE,
    set_setting,
    settings_file,
)
from xlscorecard.atomic import write_atomically
from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.reading.profile import load_profile

LINUX_INSTALL_MESSAGE = (
    "Excel add-ins can only be installed on Windows or macOS; build the .xlam with "
    "`xlscorecard addin build` and copy it to a machine with Excel"
)


def install_addin(xlam: Path | None = None, python: str | None = None, layout: Path | None = None) -> Path:
    """Copy the add-in to Excel's start-up folder, point its own settings at this Python; return its path.

    `layout` (a layout profile) is stored, as an absolute path, as the buttons' user-wide LAYOUT setting.
    """
    return _install(
        sys.platform,
        home=Path.home(),
        environ=os.environ,
        xlam=xlam,
        python=python or sys.executable,
        layout=layout,
    )


_INTERPRETER_KEY = {"win32": "INTERPRETER_WIN", "darwin": "INTERPRETER_MAC"}


def _install(
    platform: str,
    *,
    home: Path,
    environ: Mapping[str, str],
    xlam: Path | None,
    python: str,
    layout: Path | None = None,
) -> Path:
    """Install for the given platform under the given home folder and environment."""
    if layout is not None:
        # Checked first, so a mistyped profile is told before anything is written.
        layout = Path(layout).absolute()
        load_profile(layout)
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
    conf = settings_file(platform, home=home)
    encoding, newline = _CONFIG_ENCODING[platform], _CONFIG_NEWLINE[platform]
    set_setting(conf, _INTERPRETER_KEY[platform], python, encoding=encoding, newline=newline)
    if layout is not None:
        set_setting(conf, LAYOUT_KEY, str(layout), encoding=encoding, newline=newline)
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


def _install_runpython_script(home: Path) -> None:
    """Give sandboxed Mac Excel the AppleScript that xlwings' RunPython calls."""
    version = importlib.metadata.version("xlwings")
    script = xlwings_package_dir() / f"xlwings-{version}.applescript"
    target_dir = home / "Library" / "Application Scripts" / "com.microsoft.Excel"
    target_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(target_dir / script.name, script.read_bytes())


def _write_atomically(target: Path, data: bytes) -> None:
    write_atomically(target, data, prefix=f".{target.name}.")
