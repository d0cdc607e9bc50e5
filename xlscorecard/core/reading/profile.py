"""Layout profiles: a user's TOML saying which column is which, for layouts the vocabulary misses.

    files = ["*Westshire*.xlsx"]      # optional: file-name globs (case-insensitive); absent = every file
    sheet = "KPIs"                     # optional: sheet name, or "all"
    header_rows = [3, 4]               # optional: 1-based header row(s)
    [columns]                          # header text (case-insensitive) or a column letter -> role or "period:<label>"
    "Good performance is" = "polarity"
    "F" = "target"
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

from xlscorecard.core.errors import SettingsError
from xlscorecard.core.grid import CellValue
from xlscorecard.core.reading.periods import parse_period
from xlscorecard.core.reading.vocabulary import ROLES, normalise_header

_LETTERS = re.compile(r"^[A-Z]{1,3}$")


@dataclass
class Profile:
    """A parsed layout profile; `columns` keys are normalised header text or upper-case column letters."""

    source: str = ""
    files: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_rows: list[int] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    def matches(self, file: str | Path) -> bool:
        """Whether this profile applies to the workbook `file` (no `files` globs: every workbook)."""
        if not self.files:
            return True
        name = Path(file).name.lower()
        return any(fnmatch.fnmatchcase(name, glob.lower()) for glob in self.files)

    def lookup(self, value: CellValue, column: str) -> str | None:
        """The role (or "period:<label>") this profile gives a header cell, by its text or column letter."""
        text = normalise_header(value if isinstance(value, str) else None)
        if text and text in self._by_text:
            return self._by_text[text]
        return self._by_letter.get(column.upper())

    def __post_init__(self) -> None:
        self._by_text = {normalise_header(k): v for k, v in self.columns.items() if not _LETTERS.match(k)}
        self._by_letter = {k: v for k, v in self.columns.items() if _LETTERS.match(k)}


def load_profile(path: str | Path) -> Profile:
    """Read and check a profile; a SettingsError (one line, naming the file) says what is wrong."""
    import tomllib  # only a command given --layout needs it

    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError("layout profile not found", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read layout profile ({exc.__class__.__name__})", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"layout profile is not valid TOML ({exc})", path) from None
    return profile_from_dict(data, str(path))


def profile_from_dict(data: dict[str, object], source: str) -> Profile:
    unknown = set(data) - {"files", "sheet", "header_rows", "columns"}
    if unknown:
        raise SettingsError(f"layout profile has unknown keys: {', '.join(sorted(unknown))}", source)
    files = data.get("files", [])
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise SettingsError("layout profile 'files' must be a list of file-name patterns", source)
    sheet = data.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        raise SettingsError("layout profile 'sheet' must be a sheet name or \"all\"", source)
    rows = data.get("header_rows", [])
    if isinstance(rows, int):
        rows = [rows]
    if not isinstance(rows, list) or not all(isinstance(r, int) and r >= 1 for r in rows) or len(rows) > 2:
        raise SettingsError("layout profile 'header_rows' must be one or two row numbers (from 1)", source)
    columns = data.get("columns", {})
    if not isinstance(columns, dict):
        raise SettingsError("layout profile [columns] must map header text or a column letter to a role", source)
    for key, role in columns.items():
        if not isinstance(role, str):
            raise SettingsError(f"layout profile column '{key}' must name a role", source)
        if role.startswith("period:"):
            if parse_period(role.split(":", 1)[1].strip()) is None:
                raise SettingsError(f"layout profile column '{key}': '{role}' is not a period it can read", source)
        elif role not in ROLES:
            raise SettingsError(
                f"layout profile column '{key}': unknown role '{role}' (roles: {', '.join(ROLES)})", source
            )
    return Profile(source=source, files=list(files), sheet=sheet, header_rows=list(rows), columns=dict(columns))


def choose_profile(profiles: list[Profile], file: str | Path) -> Profile | None:
    """The first profile whose `files` match the workbook."""
    return next((p for p in profiles if p.matches(file)), None)


def dump_profile(profile: Profile) -> str:
    """The profile as TOML (what `xlscorecard layout --save` writes)."""

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = []
    if profile.files:
        lines.append(f"files = [{', '.join(quoted(f) for f in profile.files)}]")
    if profile.sheet:
        lines.append(f"sheet = {quoted(profile.sheet)}")
    if profile.header_rows:
        lines.append(f"header_rows = [{', '.join(str(r) for r in profile.header_rows)}]")
    lines += ["", "[columns]"]
    lines += [f"{quoted(key)} = {quoted(role)}" for key, role in profile.columns.items()]
    return "\n".join(lines) + "\n"
