"""Inspect a workbook's zip parts without trusting them: what the directory declares, and what inflates.

A zip's central directory can lie about sizes, list a million entries, or hold parts that inflate
to gigabytes; an XML part can declare a DTD. Everything here reads in bounded pieces, so memory
stays flat whatever the file claims. safety.check_workbook_file runs these checks before any
parser; the streaming readers (scan) read parts through open/iter_zip_member_capped.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from xlscorecard.core.errors import UnsafeWorkbook, WorkbookError, shortened

if TYPE_CHECKING:
    from xlscorecard.xlsx.safety import SafetyLimits

_CHUNK = 64 * 1024
_RATIO_MIN_BYTES = 1024**2
# Only stored and deflated members occur in real .xlsx files. zipfile inflates bzip2 and lzma
# without an output cap, so a few KB of either could expand to gigabytes in a single call.
_ALLOWED_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
# Bit 0 is traditional PKWARE encryption, bit 6 is "strong encryption".
_ENCRYPTED_FLAGS = 0x0001 | 0x0040
# Parts a reader parses as XML. Media such as .svg may legitimately carry a DOCTYPE and are never
# parsed, so they are not scanned.
_XML_SUFFIXES = (".xml", ".rels", ".vml")
# A DTD in any encoding an XML parser might detect, lower-cased because some parsers accept
# `<!doctype`. Each needle is the whole marker, so a hit is proof and no per-hit Python runs:
# a part stuffed with `<!` costs C speed only.
_DTD_NEEDLES = tuple(
    word.encode(encoding)
    for word in ("<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_DTD_TAIL = max(len(needle) for needle in _DTD_NEEDLES) - 1  # a marker split across chunks

_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")

# What zipfile (and our own header reads) raise on malformed input. UnicodeDecodeError, from a
# name flagged UTF-8 that is not, is a ValueError.
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


def open_zip_member_capped(zf: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """Return member `name` of `zf` inflated, raising UnsafeWorkbook once it passes `cap` bytes."""
    return b"".join(iter_zip_member_capped(zf, name, cap))


def iter_zip_member_capped(zf: zipfile.ZipFile, name: str, cap: int, chunk: int = _CHUNK) -> Iterator[bytes]:
    """Member `name` of `zf` inflated in pieces of about `chunk` bytes, raising UnsafeWorkbook
    once the total passes `cap` bytes; a reader that scans a piece at a time never holds it all."""
    path = zf.filename or "workbook"
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise WorkbookError(f"workbook has no part {_shown(name)}", path) from None
    _check_member_readable(info, path)
    if info.file_size > cap:
        raise UnsafeWorkbook(
            f"part {_shown(name)} is {_size(info.file_size)}, over the {_size(cap)} limit"
            " (possible zip bomb)",
            path,
        )
    total = 0
    try:
        # read(n) inflates at most about n bytes per call, so memory stays near the cap.
        with zf.open(info) as member:
            while piece := member.read(chunk):
                total += len(piece)
                if total > cap:
                    raise UnsafeWorkbook(
                        f"part {_shown(name)} inflates to more than the {_size(cap)} limit"
                        " (possible zip bomb)",
                        path,
                    )
                yield piece
    except ZIP_ERRORS as exc:
        raise damaged(path, zip_reason(exc)) from exc


def check_member_count(fh: BinaryIO, size: int, limits: SafetyLimits, path: str | Path) -> None:
    """Count central-directory entries before zipfile builds an object for each one.

    A 50 MB file can list a million entries; zipfile then spends minutes and hundreds of MB.
    """
    start, cd_size = _central_directory(fh, size, path)
    count = 0
    pos = 0
    fh.seek(start)
    while pos < cd_size:
        header = fh.read(_CENTRAL_HEADER.size)
        if len(header) < _CENTRAL_HEADER.size or header[:4] != b"PK\x01\x02":
            return  # damaged; zipfile reports it precisely
        count += 1
        if count > limits.max_members:
            raise UnsafeWorkbook(
                f"zip has more than {limits.max_members:,} parts (possible zip bomb)", path
            )
        name_len, extra_len, comment_len = struct.unpack_from("<3H", header, 28)
        pos += _CENTRAL_HEADER.size + name_len + extra_len + comment_len
        fh.seek(start + pos)


def _central_directory(fh: BinaryIO, size: int, path: str | Path) -> tuple[int, int]:
    """Return (offset, size) of the central directory, located the way zipfile locates it."""
    tail_len = min(size, _EOCD.size + 0xFFFF)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    # zipfile first assumes no archive comment, then searches backwards; mirror it exactly so we
    # count the same directory zipfile will read.
    if tail[-_EOCD.size : -_EOCD.size + 4] == b"PK\x05\x06" and tail[-2:] == b"\0\0":
        at = len(tail) - _EOCD.size
    else:
        at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        raise damaged(path, "no zip directory at the end of the file")
    cd_size = _EOCD.unpack_from(tail, at)[5]
    eocd_pos = size - tail_len + at
    cd_end = eocd_pos
    loc_pos = eocd_pos - _EOCD64_LOCATOR.size
    rec_pos = loc_pos - _EOCD64.size
    if rec_pos >= 0:
        fh.seek(rec_pos)
        rec = fh.read(_EOCD64.size + _EOCD64_LOCATOR.size)
        if rec[_EOCD64.size : _EOCD64.size + 4] == b"PK\x06\x07" and rec[:4] == b"PK\x06\x06":
            cd_size = _EOCD64.unpack_from(rec, 0)[8]
            cd_end = rec_pos
    return max(cd_end - cd_size, 0), cd_size


def check_entries(infos: list[zipfile.ZipInfo], limits: SafetyLimits, path: str | Path) -> None:
    """Refuse on what the central directory declares, before inflating anything."""
    if len(infos) > limits.max_members:
        raise UnsafeWorkbook(
            f"zip has more than {limits.max_members:,} parts (possible zip bomb)", path
        )
    seen: set[str] = set()
    for info in infos:
        # OPC part names are case-insensitive; two parts with one name let different readers see
        # different content.
        key = info.filename.casefold()
        if key in seen:
            raise damaged(path, f"part {_shown(info.filename)} appears twice")
        seen.add(key)
        _check_member_readable(info, path)
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_uncompressed_bytes:
        actual, limit = shown_sizes(declared, limits.max_uncompressed_bytes)
        raise UnsafeWorkbook(
            f"zip inflates to {actual}, over the {limit} limit (possible zip bomb)", path
        )
    for info in infos:
        if info.file_size <= _RATIO_MIN_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_member_ratio:
            raise UnsafeWorkbook(
                f"part {_shown(info.filename)} inflates {ratio:,.0f} times its compressed size,"
                f" over the {limits.max_member_ratio:,.0f}x limit (possible zip bomb)",
                path,
            )


def _check_member_readable(info: zipfile.ZipInfo, path: str | Path) -> None:
    """Refuse encrypted members and compression methods a capped inflate cannot handle."""
    if info.flag_bits & _ENCRYPTED_FLAGS:
        raise UnsafeWorkbook(
            f"workbook part {_shown(info.filename)} is encrypted;"
            " remove the password and save as .xlsx",
            path,
        )
    if info.compress_type not in _ALLOWED_METHODS:
        raise WorkbookError(
            f"workbook uses an unsupported zip compression method ({info.compress_type});"
            " save as .xlsx",
            path,
        )


def check_format(fh: BinaryIO, infos: list[zipfile.ZipInfo], path: str | Path) -> None:
    """Refuse zips that are not .xlsx (OpenDocument, .xlsb, anything else) or carry macros."""
    by_name = {info.filename.casefold(): info for info in infos}
    mimetype = by_name.get("mimetype")
    if mimetype is not None:
        prefix = next(_inflate_member(fh, mimetype, path), b"")
        if prefix.startswith(b"application/vnd.oasis.opendocument"):
            raise WorkbookError(".ods (OpenDocument) is not supported; save as .xlsx", path)
    if "xl/workbook.bin" in by_name:
        raise WorkbookError(".xlsb (binary workbook) is not supported; save as .xlsx", path)
    if "xl/workbook.xml" not in by_name or "[content_types].xml" not in by_name:
        raise WorkbookError("not an Excel workbook (no xl/workbook.xml)", path)
    for name in by_name:
        # Any folder: a renamed .xlsm, or a VBA project tucked under another path.
        if name.rsplit("/", 1)[-1] == "vbaproject.bin":
            raise UnsafeWorkbook(
                "workbook contains VBA macros; macros are never run or copied"
                " - save it as a macro-free .xlsx",
                path,
            )
        if name.startswith("xl/macrosheets/"):
            raise UnsafeWorkbook(
                "workbook contains Excel 4.0 macro sheets; macros are never run or copied"
                " - save it as a macro-free .xlsx",
                path,
            )


def inflate_all(
    fh: BinaryIO, infos: list[zipfile.ZipInfo], limits: SafetyLimits, path: str | Path
) -> None:
    """Inflate every member for real, counting bytes and scanning XML parts for a DTD.

    Declared sizes can lie. zipfile stops at the declared size and then fails the CRC, but a reader
    built on another zip library may inflate the whole stream, so the true length is what counts.
    """
    total = 0
    for info in infos:
        name = _shown(info.filename)
        scanner = _DtdScanner() if info.filename.lower().endswith(_XML_SUFFIXES) else None
        produced = 0
        crc = 0
        for chunk in _inflate_member(fh, info, path):
            produced += len(chunk)
            total += len(chunk)
            if produced > info.file_size:
                raise UnsafeWorkbook(
                    f"part {name} inflates beyond its declared size (possible zip bomb)", path
                )
            if total > limits.max_uncompressed_bytes:
                raise UnsafeWorkbook(
                    f"zip inflates to more than the {_size(limits.max_uncompressed_bytes)} limit"
                    " (possible zip bomb)",
                    path,
                )
            crc = zlib.crc32(chunk, crc)
            if scanner is not None and scanner.found(chunk):
                raise UnsafeWorkbook(
                    f"XML part {name} declares a DTD/entities (possible billion-laughs attack)",
                    path,
                )
        if produced != info.file_size:
            raise damaged(path, f"part {name} is shorter than declared")
        if crc != info.CRC:
            raise damaged(path, f"bad checksum in part {name}")


def _inflate_member(fh: BinaryIO, info: zipfile.ZipInfo, path: str | Path) -> Iterator[bytes]:
    """Yield a member's uncompressed bytes in chunks of at most _CHUNK, whatever it declares."""
    # zipfile shifts offsets for data prepended to the zip, so a forged directory can go negative.
    if info.header_offset < 0:
        raise damaged(path, f"part {_shown(info.filename)} is missing")
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise damaged(path, f"part {_shown(info.filename)} is missing")
    name_len, extra_len = struct.unpack_from("<2H", header, 26)
    fh.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
    remaining = info.compress_size
    cut_short = damaged(path, f"part {_shown(info.filename)} is cut short")
    if info.compress_type == zipfile.ZIP_STORED:
        while remaining > 0:
            data = fh.read(min(_CHUNK, remaining))
            if not data:
                raise cut_short
            remaining -= len(data)
            yield data
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    while True:
        if inflater.unconsumed_tail:
            data = inflater.unconsumed_tail
        elif remaining > 0:
            data = fh.read(min(_CHUNK, remaining))
            if not data:
                raise cut_short
            remaining -= len(data)
        else:
            data = b""  # input used up; drain output zlib still holds
        try:
            # max_length bounds each step's output, which is what keeps a bomb's memory flat.
            out = inflater.decompress(data, _CHUNK)
        except zlib.error as exc:
            raise damaged(path, f"part {_shown(info.filename)} is corrupt") from exc
        if out:
            yield out
        if inflater.eof:
            return
        if not out and not data:
            raise cut_short


class _DtdScanner:
    """Find `<!DOCTYPE` or `<!ENTITY` in a stream of chunks, including across chunk edges."""

    def __init__(self) -> None:
        self._tail = b""

    def found(self, chunk: bytes) -> bool:
        """Whether the stream so far contains a DTD or entity declaration."""
        buf = self._tail + chunk
        self._tail = buf[-_DTD_TAIL:]
        # Every needle contains `!`; most real XML chunks have none, and memchr rules them out.
        if b"!" not in buf:
            return False
        lowered = buf.lower()
        return any(needle in lowered for needle in _DTD_NEEDLES)


def damaged(path: str | Path, reason: str) -> WorkbookError:
    """Build the one error for a zip that cannot be read as it stands."""
    return WorkbookError(f"workbook is damaged or truncated ({reason})", path)


def zip_reason(exc: Exception) -> str:
    """Turn a zipfile exception into a short reason for an analyst."""
    text = str(exc).strip() or type(exc).__name__
    if text == "File is not a zip file":
        return "no zip directory at the end of the file"
    # zipfile quotes part names, which the file's author controls.
    return _shown(text[:1].lower() + text[1:])


def _shown(text: str) -> str:
    """Make file-controlled text safe for a one-line message: no control characters, bounded."""
    # A part name can hold newlines or terminal escape codes; the message must stay one line.
    return shortened(text, 120)


def _size(n: float) -> str:
    """Render a byte count the way Excel users talk about file sizes."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= scale:
            value = round(n / scale, 1)
            # "812 MB" and "50 MB" read better than "812.0 MB"; keep one decimal below 100.
            shown = f"{value:.0f}" if value >= 100 or value.is_integer() else f"{value:.1f}"
            return f"{shown} {unit}"
    return "1 byte" if n == 1 else f"{n:,.0f} bytes"


def shown_sizes(actual: int, limit: int) -> tuple[str, str]:
    """Render a size and its limit, falling back to exact bytes when rounding makes them equal."""
    shown, cap = _size(actual), _size(limit)
    if shown == cap:
        return f"{actual:,} bytes", f"{limit:,}-byte"
    return shown, cap
