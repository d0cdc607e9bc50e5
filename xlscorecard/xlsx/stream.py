"""One XML part streamed through expat, inflated under `safety`'s byte cap; damage and DTDs refused in words.

Namespaces are on, so an `x:`-prefixed part and single-quoted attributes read the same as any
other. The parser interns each tag name through `TAG_NAMES`, which maps both OOXML namespaces'
(Transitional and Strict) spelling of an element to one object: a start handler, called once per
element of a sheet of some million elements, tells tags apart by identity (`tag is CELL`).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from typing import Any
from xml.parsers import expat

from xlscorecard.core.errors import UnsafeWorkbook, WorkbookError
from xlscorecard.xlsx.parts import MAIN_NAMESPACES
from xlscorecard.xlsx.safety import SafetyLimits, iter_zip_member_capped

__all__ = ["TAG_NAMES", "new_parser", "stream_part", "tag"]

SEPARATOR = "}"
CHUNK = 256 * 1024
TAG_NAMES: dict[str, str] = {}
for _local in ("c", "row", "mergeCell", "v", "is", "f", "si", "sst"):
    _name = f"{MAIN_NAMESPACES[0]}{SEPARATOR}{_local}"
    TAG_NAMES[_name] = TAG_NAMES[f"{MAIN_NAMESPACES[1]}{SEPARATOR}{_local}"] = _name

StartHandler = Callable[[str, Any], None]


def tag(local: str) -> str:
    """The one object the parser gives for element `local` of the spreadsheet namespace, either spelling."""
    return TAG_NAMES[f"{MAIN_NAMESPACES[0]}{SEPARATOR}{local}"]


def new_parser(start: StartHandler, what: str, part: str, path: str) -> Any:
    """An expat parser with namespaces on, calling `start(tag, attrs)`, that refuses DTDs."""
    parser = expat.ParserCreate(namespace_separator=SEPARATOR, intern=dict(TAG_NAMES))
    parser.buffer_text = True

    def no_dtd(*_: Any) -> None:
        raise UnsafeWorkbook(f"{what} ({part}) declares a DTD or entities, which are refused", path)

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.StartElementHandler = start
    return parser


def stream_part(
    zf: zipfile.ZipFile, part: str, limits: SafetyLimits, start: StartHandler, what: str, parser: Any = None
) -> None:
    """Feed `part` through expat (a new parser calling `start`, or `parser`); damage is told in words."""
    path = zf.filename or "workbook"
    parser = parser or new_parser(start, what, part, path)
    try:
        for piece in _pieces(iter_zip_member_capped(zf, part, limits.max_uncompressed_bytes)):
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_NO_MEMORY]:
            raise MemoryError(f"reading {part}") from None  # the process's limit, not damage to the file
        reason = expat.ErrorString(exc.code) if exc.code else str(exc)
        raise WorkbookError(
            f"workbook is damaged: {what} ({part}) is not valid XML ({reason} at line {exc.lineno});"
            " open it in Excel and save it again",
            path,
        ) from None


def _pieces(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Bigger pieces than the inflater's: expat's per-call overhead is then negligible."""
    buffer: list[bytes] = []
    size = 0
    for chunk in chunks:
        buffer.append(chunk)
        size += len(chunk)
        if size >= CHUNK:
            yield b"".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield b"".join(buffer)
