"""INBOX's side of a run: which files are inputs, their printable names, and their hashes."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from xlscorecard.batch.errors import BatchError


@dataclass
class Input:
    """One file of INBOX to convert, and what is known about it before a worker sees it."""

    name: str  # relative to INBOX, posix separators
    path: Path
    out_dir: Path
    stem: str | None = None  # output stem when two inputs share one
    sha256: str = ""
    stat: tuple[int, int] = (0, 0)  # (size, mtime_ns) when hashed
    problem: str | None = None  # unreadable before conversion: fails without a worker


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def discover(inbox: Path, outbox: Path, pattern: str) -> list[Input]:
    """Files of INBOX matching `pattern`, sorted; not OUTBOX's own files, Excel lock files or hidden files."""
    inbox_resolved, outbox_resolved = inbox.resolve(), outbox.resolve()
    # OUTBOX inside INBOX: its returns are not inputs. (INBOX inside OUTBOX is fine too.)
    outbox_in_inbox = _inside(outbox_resolved, inbox_resolved)
    found: list[Input] = []
    try:
        matches = sorted(inbox.glob(case_insensitive(pattern)), key=lambda p: p.relative_to(inbox).as_posix())
    except (ValueError, NotImplementedError) as exc:
        raise BatchError(f"--pattern '{pattern}' is not a usable glob ({exc})") from None
    for path in matches:
        rel = path.relative_to(inbox)
        # ~$name.xlsx is Excel's lock file for an open workbook; dot files are hidden (macOS ._
        # resource forks, our own temporary files).
        if any(part.startswith(("~$", ".")) for part in rel.parts):
            continue
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            resolved = None
        if outbox_in_inbox and resolved is not None and _inside(resolved, outbox_resolved):
            continue
        if path.is_dir():
            continue
        name = rel.as_posix()
        item = Input(name=printable_name(name), path=path, out_dir=outbox / rel.parent)
        if item.name != name:
            # JSON, CSV and the notes need text; a name that is not valid UTF-8 cannot be reported as it is.
            item.problem = "the file name is not valid text (UTF-8); rename the file"
        elif resolved is not None and path.is_symlink() and not _inside(resolved, inbox_resolved):
            item.problem = "is a link to a file outside INBOX; copy the file into INBOX instead"
        found.append(item)
    # Two inputs that would give one return name (a.xlsx and a.xlsm) keep their extension in it.
    groups: dict[tuple[str, str], list[Input]] = {}
    for item in found:
        groups.setdefault((str(PurePosixPath(item.name).parent), item.path.stem.casefold()), []).append(item)
    for members in groups.values():
        if len(members) > 1:
            for item in members:
                item.stem = item.path.name
    return found


def printable_name(name: str) -> str:
    """The name itself, or with bytes that are not UTF-8 (surrogate escapes) shown as \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def case_insensitive(pattern: str) -> str:
    """`*.xlsx` -> `*.[xX][lL][sS][xX]`: Scorecard.XLSX is a workbook on Linux too (as on Windows)."""
    out: list[str] = []
    in_class = False
    for ch in pattern:
        if in_class:
            in_class = ch != "]"
            out.append(ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
        elif ch.lower() != ch.upper():
            out.append(f"[{ch.lower()}{ch.upper()}]")
        else:
            out.append(ch)
    return "".join(out)


def hash_input(item: Input) -> None:
    """Fill in sha256 and stat, reading the file read-only; note why if it cannot be read."""
    import stat as stat_module

    if item.problem is not None:
        return  # refused by name or link: not opened at all

    try:
        st = item.path.stat()
    except FileNotFoundError:
        item.problem = "file not found (a broken link, or removed during the run)"
        return
    except OSError as exc:
        item.problem = f"cannot read the file ({exc.strerror or exc})"
        return
    if not stat_module.S_ISREG(st.st_mode):
        # A FIFO or device would block or never end: never open one.
        item.problem = "is not a regular file, not a workbook"
        return
    digest = hashlib.sha256()
    try:
        with open(item.path, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                digest.update(chunk)
            st_after = os.fstat(fh.fileno())
    except OSError as exc:
        item.problem = f"cannot read the file ({exc.strerror or exc})"
        return
    item.sha256 = digest.hexdigest()
    item.stat = (st_after.st_size, st_after.st_mtime_ns)
    if (st.st_size, st.st_mtime_ns) != item.stat:
        item.problem = "the file changed while it was being read (still being copied?); it is tried again next run"
