"""Names of returns in the officers' folder: which requested names may denote a return, and the
safe, readable, never-reused names given to uploads. Nothing here touches the disk."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import UTC, datetime
from pathlib import PurePosixPath, PureWindowsPath

_MAX_NAME_PARTS = 4
_MAX_NAME_CHARS = 400
_MAX_STEM_CHARS = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidName(ValueError):
    """A requested name that can never denote a return (traversal, absolute, hidden, not .xlsx)."""


def check_name(name: str) -> tuple[str, ...]:
    """The parts of a relative name that may denote a return in DIR; InvalidName otherwise."""
    if not name or len(name) > _MAX_NAME_CHARS or _CONTROL.search(name) or "\\" in name:
        raise InvalidName(name)
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).anchor:
        raise InvalidName(name)
    parts = tuple(name.split("/"))
    if len(parts) > _MAX_NAME_PARTS:
        raise InvalidName(name)
    for part in parts:
        # ".", ".." and hidden names (our temporary files) never; "~$" is an Excel lock file.
        if not part or part.startswith((".", "~$")) or part != part.strip():
            raise InvalidName(name)
    if not parts[-1].lower().endswith(".xlsx"):
        raise InvalidName(name)
    return parts


def sanitise_stem(filename: str) -> str:
    """A safe, readable ASCII stem from whatever name a browser sent ("C:\\x\\Q2 ü.xlsx" -> "Q2 u")."""
    base = re.split(r"[\\/]", filename)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem = base[: -len(".xlsx")] if base.lower().endswith(".xlsx") else base
    stem = re.sub(r"[^A-Za-z0-9 ()_.-]+", "_", stem)
    stem = re.sub(r"\s+", " ", stem).strip(" ._-")[:_MAX_STEM_CHARS].strip(" ._-")
    return stem or "workbook"


def display_name(filename: str) -> str:
    """The submitted file name as shown on the page: its last part, without control characters or
    invisible format characters (a right-to-left override would let a name pose as another)."""
    base = "".join(ch for ch in re.split(r"[\\/]", filename)[-1] if not _invisible(ch)).strip()
    return base[:200] or "workbook.xlsx"


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}


def upload_name(filename: str, now: datetime | None = None) -> str:
    """`<sanitised stem>-<UTC time>-<random>.xlsx`: readable, sortable and never reused."""
    now = now or datetime.now(UTC)
    return f"{sanitise_stem(filename)}-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}.xlsx"
