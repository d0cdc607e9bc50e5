"""Receive one uploaded workbook from a multipart/form-data request, streaming it to disk.

Starlette's own form parser spools uploads to the system temporary folder and has no size limit for
files, so the page parses the body itself: the file part goes straight into a hidden temporary file
in DIR/uploads, and the upload is refused (413) as soon as the body passes the limit.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.requests import Request

from xlscorecard.web.folder import display_name, new_temp_file

FIELD = "workbook"
# Boundaries, part headers and the odd small field around the file itself.
OVERHEAD_BYTES = 64 * 1024
# Small text fields sent beside the file (the form's CSRF token): at most this many, this long.
MAX_FIELDS = 8
MAX_FIELD_BYTES = 1024
# After the limit is passed the rest of the body is still read (and thrown away) up to this much
# more, so a browser that is still sending gets to see the 413 page instead of a reset connection.
MIN_DRAIN_BYTES = 8 * 1024**2


class UploadRefused(Exception):
    """The request does not carry a usable upload: an HTTP status and a one-line reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class ReceivedFile:
    path: Path  # hidden temporary file; the caller owns it from here
    filename: str  # as the browser sent it
    size: int
    sha256: str
    fields: dict[str, str] = field(default_factory=dict)  # the small text fields sent with it


class _TooLarge(Exception):
    pass


@dataclass
class _Parts:
    """python-multipart callbacks: remembers the first file part named FIELD and queues its bytes."""

    field: str
    headers: dict[bytes, bytes] = field(default_factory=dict)
    _name: bytes = b""
    _value: bytes = b""
    in_file: bool = False
    filename: str | None = None
    files_seen: int = 0
    pending: list[bytes] = field(default_factory=list)
    complete: bool = False  # the closing boundary arrived: the body was not cut short
    fields: dict[str, str] = field(default_factory=dict)
    _field: str | None = None
    _field_value: bytes = b""

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self.headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self._name.strip().lower()] = self._value
        self._name = self._value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        name = _decode(options.get(b"name", b""))
        if name != self.field or b"filename" not in options:
            # another field: kept when small (a CSRF token), else counted against the limit and dropped
            self._field = name if b"filename" not in options and len(self.fields) < MAX_FIELDS else None
            self._field_value = b""
            return
        self.files_seen += 1
        if self.files_seen > 1:
            raise UploadRefused(400, "send one workbook at a time")
        self.filename = _decode(options[b"filename"])
        self.in_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.in_file:
            self.pending.append(data[start:end])
        elif self._field is not None:
            self._field_value += data[start:end]
            if len(self._field_value) > MAX_FIELD_BYTES:
                self._field = None

    def on_part_end(self) -> None:
        self.in_file = False
        if self._field is not None:
            self.fields.setdefault(self._field, _decode(self._field_value))
            self._field = None

    def on_end(self) -> None:
        self.complete = True


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def size_text(n: int) -> str:
    """20971520 -> '20 MB', 51200 -> '50 KB'."""
    return f"{n / 1024**2:.3g} MB" if n >= 1024**2 else f"{n / 1024:.3g} KB"


async def receive_workbook(request: Request, folder: Path, max_bytes: int) -> ReceivedFile:
    """Stream the request's FIELD file into a hidden temporary file in `folder`.

    Raises UploadRefused (400 malformed or no file, 413 over `max_bytes`); then no file is left.
    """
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise UploadRefused(400, f"send the workbook as multipart/form-data in a field named '{FIELD}'")
    too_large = f"the upload is larger than the {size_text(max_bytes)} limit"
    body_cap = max_bytes + OVERHEAD_BYTES
    drain_cap = body_cap + max(MIN_DRAIN_BYTES, max_bytes)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > drain_cap:
        raise UploadRefused(413, too_large)  # not worth reading at all

    parts = _Parts(FIELD)
    parser = MultipartParser(params[b"boundary"], parts.callbacks())  # type: ignore[arg-type]
    digest = hashlib.sha256()
    stream = request.stream()
    received = size = 0
    fh: BinaryIO | None = None
    path: Path | None = None

    def discard() -> None:
        if fh is not None:
            fh.close()
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()

    try:
        try:
            async for chunk in stream:
                received += len(chunk)
                if received > body_cap:
                    raise _TooLarge
                parser.write(chunk)
                if parts.pending:
                    if fh is None:
                        fd, path = new_temp_file(folder)
                        fh = open(fd, "wb")  # noqa: SIM115 - closed below, or by discard()
                    for data in parts.pending:
                        size += len(data)
                        if size > max_bytes:
                            raise _TooLarge
                        fh.write(data)
                        digest.update(data)
                    parts.pending.clear()
            parser.finalize()
            if not parts.complete:
                raise FormParserError("no closing boundary")
        except _TooLarge:
            discard()  # before the drain: the partial file goes at once
            await _drain(stream, received, drain_cap)
            name = display_name(parts.filename) if parts.filename else None
            raise UploadRefused(413, f"{name}: {too_large}" if name else too_large) from None
        except FormParserError:
            raise UploadRefused(400, "the upload is damaged or incomplete (invalid multipart/form-data)") from None
        if not parts.filename:
            raise UploadRefused(400, "choose a workbook (.xlsx file) to upload")
        if size == 0:
            raise UploadRefused(400, f"{display_name(parts.filename)}: the file is empty")
        assert fh is not None and path is not None
        fh.close()
        return ReceivedFile(path=path, filename=parts.filename, size=size, sha256=digest.hexdigest(),
                            fields=parts.fields)
    except BaseException:
        discard()
        raise


async def _drain(stream: AsyncIterator[bytes], received: int, cap: int) -> None:
    with contextlib.suppress(Exception):
        async for chunk in stream:
            received += len(chunk)
            if received > cap:
                return
