"""The add-in's own settings file: where it is on each platform, and reading or setting one key.

The add-in's xlwings VBA reads ``"KEY","VALUE"`` lines from this file (PROJECT_NAME "xlscorecard",
see build.py), never the analyst's xlwings.conf. ``xlscorecard addin install`` writes it; the
buttons' Python reads the same file (its ``LAYOUT`` key) through ``user_settings_file``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from xlscorecard.addin.build import PROJECT_NAME
from xlscorecard.atomic import write_atomically
from xlscorecard.core.errors import ScorecardError

SETTINGS_FILE = f"{PROJECT_NAME}.conf"
LAYOUT_KEY = "LAYOUT"  # the layout profile the buttons read the sheet with

# VBA reads the settings file with `Open ... For Input`: the ANSI code page on Windows. On a
# Mac xlwings itself writes UTF-8, so the add-in reads what xlwings would have written.
_CONFIG_ENCODING = {"win32": "mbcs", "darwin": "utf-8"}
_CONFIG_NEWLINE = {"win32": "\r\n", "darwin": "\n"}


def settings_file(platform: str, *, home: Path) -> Path:
    """Return the add-in's own user settings file, as its xlwings VBA finds it on this platform."""
    if platform == "darwin":
        # GetMacDir("$HOME") & "/" & PROJECT_NAME & ".conf": sandboxed Excel's home folder.
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / SETTINGS_FILE
    # Windows, GetConfigFilePath: Environ("USERPROFILE") & "\." & PROJECT_NAME & "\" & PROJECT_NAME & ".conf".
    # Elsewhere (no Excel; xlwings Server's Python) the same place under the home folder, as
    # xlwings keeps its own ~/.xlwings/xlwings.conf there.
    return home / f".{PROJECT_NAME}" / SETTINGS_FILE


def user_settings_file() -> Path:
    """This user's settings file on this machine: the one the add-in's VBA reads."""
    return settings_file(sys.platform, home=Path.home())


def settings_encoding(platform: str) -> str:
    return _CONFIG_ENCODING.get(platform, "utf-8")


def read_setting(conf: Path, key: str, *, encoding: str | None = None) -> str | None:
    """The value of one "KEY","VALUE" line (key case-insensitive, as VBA compares it); None if absent."""
    try:
        data = conf.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ScorecardError(f"cannot read the add-in's settings ({exc.strerror or exc})", conf) from None
    text = data.decode(encoding or settings_encoding(sys.platform), errors="replace")
    found = None
    for line in text.splitlines():
        name, _, value = line.partition(",")
        if name.strip().strip('"').upper() == key.upper():
            found = value.strip().strip('"')  # VBA's loop keeps the last line with the key
    return found or None


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
    write_atomically(conf, data, prefix=f".{conf.name}.")
