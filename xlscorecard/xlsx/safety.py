"""Check an untrusted spreadsheet file before any parser sees it: format, size, zip bombs, DTDs.

The limits a file must stay within (SafetyLimits) and the checks on the file as a whole live here;
the inspection of its zip parts (directory, compression, inflated sizes, DTDs) is in zip_parts.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import BinaryIO

from xlscorecard.core.errors import UnsafeWorkbook, WorkbookError
from xlscorecard.xlsx.zip_parts import (
    ZIP_ERRORS,
    check_entries,
    check_format,
    check_member_count,
    damaged,
    inflate_all,
    iter_zip_member_capped,
    open_zip_member_capped,
    shown_sizes,
    zip_reason,
)

__all__ = [
    "DEFAULT_LIMITS",
    "SafetyLimits",
    "check_workbook_file",
    "iter_zip_member_capped",
    "open_zip_member_capped",
]


@dataclass(frozen=True)
class SafetyLimits:
    """Limits an untrusted workbook must stay within before it is parsed; each must be above zero."""

    max_file_bytes: int = 50 * 1024**2
    # Total of all zip members, checked on the declared sizes AND on the bytes actually inflated.
    max_uncompressed_bytes: int = 500 * 1024**2
    # Uncompressed/compressed per member; only members over 1 MB are judged (zip_parts), because
    # tiny parts (empty sheets, styles) legitimately compress hundreds of times.
    max_member_ratio: float = 200.0
    max_members: int = 10_000
    # A sheet's used range (first to last cell holding a value; for editing, every cell and merged
    # range) in cells. Readers allocate for the whole range: 2,000,000 cells is some 70 MB in
    # calamine, and a 20,000-PI scorecard uses about 400,000.
    max_sheet_cells: int = 2_000_000
    # Cells inside merged ranges, for editing (rollover): openpyxl makes an object for each, at
    # some 60 microseconds and 500 bytes apiece; a scorecard merges a few hundred at most.
    max_merged_cells: int = 100_000

    def __post_init__(self) -> None:
        for limit in fields(self):
            value = getattr(self, limit.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"SafetyLimits.{limit.name} must be a number above 0, not {value!r}")


# A module constant rather than `SafetyLimits()` in the signature keeps ruff's B008 quiet; the
# limits are frozen, so sharing one instance is safe.
DEFAULT_LIMITS = SafetyLimits()

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def check_workbook_file(path: str | Path, limits: SafetyLimits = DEFAULT_LIMITS) -> None:
    """Raise WorkbookError or UnsafeWorkbook unless `path` is a plain .xlsx within `limits`."""
    size = _check_path(path, limits)
    try:
        # Read-only: the input is never modified.
        with open(path, "rb") as fh:
            # Re-check on the open handle: the file may have changed since stat().
            size = os.fstat(fh.fileno()).st_size
            _check_size(size, limits, path)
            head = fh.read(len(_OLE2_MAGIC))
            if head == _OLE2_MAGIC:
                raise _ole2_error(fh, path)
            if not head.startswith(b"PK"):
                raise WorkbookError("not an Excel .xlsx workbook (not a zip file)", path)
            check_member_count(fh, size, limits, path)
            try:
                with zipfile.ZipFile(fh) as zf:
                    infos = zf.infolist()
            except ZIP_ERRORS as exc:
                raise damaged(path, zip_reason(exc)) from exc
            check_entries(infos, limits, path)
            check_format(fh, infos, path)
            inflate_all(fh, infos, limits, path)
    except OSError as exc:
        raise WorkbookError(f"cannot read the file ({exc.strerror or exc})", path) from exc


def _check_path(path: str | Path, limits: SafetyLimits) -> int:
    """Return the file's size, refusing missing, non-regular, empty or oversized files."""
    try:
        st = Path(path).stat()
    except (FileNotFoundError, NotADirectoryError):
        raise WorkbookError("file not found", path) from None
    except PermissionError:
        raise WorkbookError("cannot read the file (permission denied)", path) from None
    except OSError as exc:
        raise WorkbookError(f"cannot read the file ({exc.strerror or exc})", path) from exc
    if stat.S_ISDIR(st.st_mode):
        raise WorkbookError("is a folder, not a workbook", path)
    # A FIFO or device would block open() or never end (/dev/zero).
    if not stat.S_ISREG(st.st_mode):
        raise WorkbookError("is not a regular file, not a workbook", path)
    _check_size(st.st_size, limits, path)
    return st.st_size


def _check_size(size: int, limits: SafetyLimits, path: str | Path) -> None:
    """Refuse an empty file or one over max_file_bytes."""
    if size == 0:
        raise WorkbookError("file is empty", path)
    if size > limits.max_file_bytes:
        actual, limit = shown_sizes(size, limits.max_file_bytes)
        raise UnsafeWorkbook(f"file is {actual}, over the {limit} limit", path)


def _ole2_error(fh: BinaryIO, path: str | Path) -> WorkbookError:
    """Explain an OLE2 compound file: an encrypted .xlsx or an old .xls."""
    if _contains(fh, _ENCRYPTED_PACKAGE):
        return WorkbookError(
            "workbook is password-protected (encrypted); remove the password and save as .xlsx",
            path,
        )
    return WorkbookError("old Excel 97-2003 .xls format is not supported; save as .xlsx", path)


def _contains(fh: BinaryIO, needle: bytes) -> bool:
    """Whether the file contains `needle`, read in chunks so memory stays flat."""
    fh.seek(0)
    carry = b""
    while chunk := fh.read(1024**2):
        buf = carry + chunk
        if needle in buf:
            return True
        carry = buf[-(len(needle) - 1) :]
    return False


