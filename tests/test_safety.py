"""Hostile and unsupported files are refused before any parser sees them; good ones pass."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import struct
import time
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlscorecard.core.errors import UnsafeWorkbook, WorkbookError
from xlscorecard.xlsx.safety import SafetyLimits, check_workbook_file, open_zip_member_capped

MIB = 1024**2
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SHEET = "xl/worksheets/sheet1.xml"
BOMB_MEMBER = "xl/worksheets/sheet2.xml"

BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE sst [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"'
    b' uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)


# ---------------------------------------------------------------- builders


def _good(tmp_path: Path, name: str = "good.xlsx") -> Path:
    """A real 100-row scorecard-like workbook saved by openpyxl."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Indicator", "Target", "Actual", "RAG"])
    for row in range(100):
        ws.append([f"Indicator {row}", 0.8, row / 100, "Green" if row % 2 else "Red"])
    path = tmp_path / name
    wb.save(path)
    return path


def _rewrite(
    src: Path,
    dst: Path,
    *,
    replace: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
    method: dict[str, int] | None = None,
) -> Path:
    """Copy a zip member by member, replacing, adding, dropping or recompressing members."""
    replace = dict(replace or {})
    method = method or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = replace.pop(info.filename, None)
            data = zin.read(info) if data is None else data
            zout.writestr(info.filename, data, method.get(info.filename, zipfile.ZIP_DEFLATED))
        for name, data in replace.items():
            zout.writestr(name, data, method.get(name, zipfile.ZIP_DEFLATED))
    return dst


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    """A zip holding `members`, each stored uncompressed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


# Field offsets inside a local header and a central-directory header.
_FIELDS = {"flags": (6, 8, "H"), "crc": (14, 16, "L"), "usize": (22, 24, "L")}


def _patch(path: Path, name: str, **values: int) -> Path:
    """Overwrite header fields of member `name` in both its local and central headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        start = zf.start_dir
        local = zf.getinfo(name).header_offset
    pos = start
    while data[pos : pos + 4] == b"PK\x01\x02":
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, pos + 28)
        if data[pos + 46 : pos + 46 + name_len].decode() == name:
            for field, value in values.items():
                local_at, central_at, fmt = _FIELDS[field]
                struct.pack_into("<" + fmt, data, local + local_at, value)
                struct.pack_into("<" + fmt, data, pos + central_at, value)
            path.write_bytes(bytes(data))
            return path
        pos += 46 + name_len + extra_len + comment_len
    raise AssertionError(f"{name} not in {path}")


def _hand_zip(path: Path, entries: list[tuple[str, bytes, int, int, int]]) -> Path:
    """Assemble a zip from (name, payload, method, crc, declared size) with exact headers."""
    body = bytearray()
    central = bytearray()
    for name, payload, method, crc, usize in entries:
        raw = name.encode()
        central += struct.pack(
            "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0, method, 0, 0x21,
            crc, len(payload), usize, len(raw), 0, 0, 0, 0, 0, len(body),
        ) + raw  # fmt: skip
        body += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(payload), usize,
            len(raw), 0,
        ) + raw + payload  # fmt: skip
    eocd = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(body), 0
    )
    path.write_bytes(bytes(body + central + eocd))
    return path


def _stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    """An honest stored entry for _hand_zip."""
    return name, data, zipfile.ZIP_STORED, zlib.crc32(data), len(data)


def _deflated_zeros(mib: int) -> tuple[bytes, int, int]:
    """A raw deflate stream of `mib` MiB of zeros, built without ever holding them in memory."""
    block = bytes(MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    # After a full flush the stream restarts from an empty history, so one compressed megabyte
    # can be repeated: the same trick real zip bombs use.
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    return piece * mib + compressor.flush(), crc, mib * MIB


def _bomb(path: Path, mib: int, declared: int | None = None) -> Path:
    """A workbook-shaped zip whose sheet inflates to `mib` MiB of zeros, declaring `declared`."""
    payload, crc, size = _deflated_zeros(mib)
    return _hand_zip(
        path,
        [
            _stored("[Content_Types].xml", b"<Types/>"),
            _stored("xl/workbook.xml", b"<workbook/>"),
            (
                BOMB_MEMBER,
                payload,
                zipfile.ZIP_DEFLATED,
                crc,
                size if declared is None else declared,
            ),
        ],
    )


def _cd_spam(path: Path, entries: int) -> Path:
    """A tiny zip whose central directory lists `entries` parts, all one local header."""
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, 0, 0, 0, 1, 0) + b"a"
    one = struct.pack(
        "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0, 0, 0, 0x21, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0
    ) + b"a"  # fmt: skip
    central = one * entries
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, len(central), len(local), 0)
    path.write_bytes(local + central + eocd)
    return path


def _ole2(path: Path, stream_names: list[str], at: int = 512) -> Path:
    """An OLE2 compound-file lookalike with UTF-16LE directory names starting at `at`."""
    names = b"".join(n.encode("utf-16-le").ljust(64, b"\0") for n in stream_names)
    path.write_bytes(OLE2_MAGIC + bytes(at - len(OLE2_MAGIC)) + names + bytes(4096))
    return path


def _with_dtd_across_chunk(tmp_path: Path) -> Path:
    """A sheet whose `<!DOCTYPE` straddles the 64 KiB streaming boundary."""
    head = b'<?xml version="1.0"?>\n<!--'
    pad = b"x" * (65536 - 4 - len(head) - 3)
    xml = head + pad + b"-->" + b'<!DOCTYPE w SYSTEM "w.dtd"><worksheet/>'
    assert xml.index(b"<!DOCTYPE") == 65536 - 4
    good = _good(tmp_path)
    return _rewrite(
        good, tmp_path / "split.xlsx", replace={SHEET: xml}, method={SHEET: zipfile.ZIP_STORED}
    )


def _file(name: str, data: bytes) -> Callable[[Path], Path]:
    """A builder writing `data` to `name`."""

    def build(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return build


def _folder(tmp_path: Path) -> Path:
    """A folder named like a workbook."""
    path = tmp_path / "dir.xlsx"
    path.mkdir()
    return path


def _truncated(tmp_path: Path) -> Path:
    """The first half of a valid workbook, as an interrupted upload leaves it."""
    data = _good(tmp_path).read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _blank_workbook(tmp_path: Path) -> Path:
    """openpyxl's default empty workbook."""
    path = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(path)
    return path


def _sha256(path: Path) -> str:
    """Hash a file's bytes to prove the check left it untouched."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _expect(
    path: Path,
    kind: type[WorkbookError],
    words: tuple[str, ...],
    limits: SafetyLimits | None = None,
) -> WorkbookError:
    """Run the check, asserting the exact error type, the file named and the key words."""
    before = _sha256(path) if path.is_file() else None
    with pytest.raises(WorkbookError) as caught:
        if limits is None:
            check_workbook_file(path)
        else:
            check_workbook_file(path, limits)
    exc = caught.value
    assert type(exc) is kind, f"{type(exc).__name__}: {exc}"
    assert str(exc).startswith(f"{path}: "), str(exc)
    assert "\n" not in str(exc)
    for word in words:
        assert word in str(exc), f"{word!r} not in {exc}"
    if before is not None:
        assert _sha256(path) == before, "the check modified the file"
    return exc


# ---------------------------------------------------------------- accepted files

ACCEPTED: dict[str, Callable[[Path], Path]] = {
    "openpyxl_workbook": _good,
    "blank_openpyxl_workbook": _blank_workbook,
    # A comment and CDATA also start with `<!`, but they are not a DTD.
    "xml_comment_and_cdata": lambda t: _rewrite(
        _good(t),
        t / "comment.xlsx",
        replace={"docProps/custom.xml": b"<?xml version='1.0'?><!-- note --><x><![CDATA[a]]></x>"},
    ),
    # Media are never parsed as XML; Illustrator SVGs routinely carry a DOCTYPE.
    "svg_media_with_doctype": lambda t: _rewrite(
        _good(t),
        t / "svg.xlsx",
        replace={"xl/media/image1.svg": b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"><svg/>'},
    ),
}


@pytest.mark.parametrize("build", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_good_workbook_passes_unchanged(tmp_path: Path, build: Callable[[Path], Path]) -> None:
    path = build(tmp_path)
    before = _sha256(path)
    check_workbook_file(path)
    check_workbook_file(str(path))
    assert _sha256(path) == before


def test_good_workbook_check_is_fast(tmp_path: Path) -> None:
    path = _good(tmp_path)
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        check_workbook_file(path)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.05, timings


# ---------------------------------------------------------------- refused files

Case = tuple[Callable[[Path], Path], type[WorkbookError], tuple[str, ...]]

REFUSED: dict[str, Case] = {
    "missing": (lambda t: t / "nope.xlsx", WorkbookError, ("file not found",)),
    "folder": (_folder, WorkbookError, ("is a folder, not a workbook",)),
    "empty": (_file("e.xlsx", b""), WorkbookError, ("file is empty",)),
    "text_not_zip": (
        _file("t.xlsx", b"Indicator,Target\nA,1\n"),
        WorkbookError,
        ("not an Excel .xlsx workbook (not a zip file)",),
    ),
    "pk_then_garbage": (
        _file("g.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4),
        WorkbookError,
        ("workbook is damaged or truncated (",),
    ),
    "truncated_half": (_truncated, WorkbookError, ("workbook is damaged or truncated (",)),
    "xls_ole2": (
        lambda t: _ole2(t / "old.xls", ["Root Entry", "Workbook", "\x05SummaryInformation"]),
        WorkbookError,
        ("old Excel 97-2003 .xls", "not supported", "save as .xlsx"),
    ),
    "encrypted_ole2": (
        lambda t: _ole2(t / "locked.xlsx", ["Root Entry", "EncryptionInfo", "EncryptedPackage"]),
        WorkbookError,
        ("password-protected", "encrypted", "remove the password"),
    ),
    "encrypted_ole2_name_across_read_chunks": (
        lambda t: _ole2(t / "locked2.xlsx", ["EncryptedPackage"], at=MIB - 9),
        WorkbookError,
        ("password-protected",),
    ),
    "ods": (
        lambda t: _zip(
            t / "sheet.ods",
            {
                "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                "content.xml": b"<office:document-content/>",
                "META-INF/manifest.xml": b"<manifest:manifest/>",
            },
        ),
        WorkbookError,
        (".ods (OpenDocument) is not supported",),
    ),
    "xlsb": (
        lambda t: _zip(
            t / "binary.xlsb",
            {
                "[Content_Types].xml": b"<Types/>",
                "_rels/.rels": b"<Relationships/>",
                "xl/workbook.bin": b"\x83\x01\x00",
            },
        ),
        WorkbookError,
        (".xlsb (binary workbook) is not supported",),
    ),
    "zip_of_other_things": (
        lambda t: _zip(t / "photos.xlsx", {"readme.txt": b"hello", "a.png": b"\x89PNG"}),
        WorkbookError,
        ("not an Excel workbook (no xl/workbook.xml)",),
    ),
    "no_content_types": (
        lambda t: _rewrite(_good(t), t / "noct.xlsx", drop=("[Content_Types].xml",)),
        WorkbookError,
        ("not an Excel workbook",),
    ),
    "xlsm_vba_project": (
        lambda t: _rewrite(
            _good(t), t / "macro.xlsm", replace={"xl/vbaProject.bin": OLE2_MAGIC + bytes(504)}
        ),
        UnsafeWorkbook,
        ("contains VBA macros", "never run", "macro-free .xlsx"),
    ),
    # The VBA part is found through relationships, so it may live in any folder.
    "vba_project_in_another_folder": (
        lambda t: _rewrite(
            _good(t), t / "renamed.xlsx", replace={"xl/custom/vbaProject.bin": b"x"}
        ),
        UnsafeWorkbook,
        ("VBA macros",),
    ),
    "xlm_macro_sheet": (
        lambda t: _rewrite(
            _good(t), t / "xlm.xlsm", replace={"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"}
        ),
        UnsafeWorkbook,
        ("Excel 4.0 macro sheets", "never run"),
    ),
    "encrypted_zip_member": (
        lambda t: _patch(_good(t), "xl/styles.xml", flags=0x1),
        UnsafeWorkbook,
        ("xl/styles.xml", "encrypted"),
    ),
    "bzip2_member": (
        lambda t: _rewrite(
            _good(t), t / "bz.xlsx", replace={SHEET: b"<worksheet/>"}, method={SHEET: 12}
        ),
        WorkbookError,
        ("unsupported zip compression method (12)",),
    ),
    "duplicate_part": (
        lambda t: _hand_zip(
            t / "dup.xlsx",
            [
                _stored("[Content_Types].xml", b"<Types/>"),
                _stored("xl/workbook.xml", b"<workbook/>"),
                _stored("xl/Workbook.xml", b"<workbook/>"),
            ],
        ),
        WorkbookError,
        ("damaged", "appears twice"),
    ),
    "bad_crc": (
        lambda t: _patch(_good(t), "xl/styles.xml", crc=0xDEADBEEF),
        WorkbookError,
        ("damaged or truncated", "checksum", "xl/styles.xml"),
    ),
    "shorter_than_declared": (
        lambda t: _patch(_good(t), "xl/styles.xml", usize=50_000),
        WorkbookError,
        ("damaged or truncated", "xl/styles.xml", "shorter than declared"),
    ),
    "too_many_parts": (
        lambda t: _cd_spam(t / "many.xlsx", 10_001),
        UnsafeWorkbook,
        ("more than 10,000 parts", "zip bomb"),
    ),
    "member_ratio": (
        lambda t: _rewrite(
            _good(t), t / "ratio.xlsx", replace={"xl/media/blank.bin": bytes(2 * MIB)}
        ),
        UnsafeWorkbook,
        ("xl/media/blank.bin", "times its compressed size", "200x limit", "zip bomb"),
    ),
    # Part names come from the file: a newline or terminal escape must not reach the message.
    "control_characters_in_part_name": (
        lambda t: _rewrite(
            _good(t), t / "esc.xlsx", replace={"xl/media/x\n\x1b[2Jy.bin": bytes(2 * MIB)}
        ),
        UnsafeWorkbook,
        ("part xl/media/x??[2Jy.bin inflates",),
    ),
    "billion_laughs_shared_strings": (
        lambda t: _rewrite(
            _good(t), t / "lol.xlsx", replace={"xl/sharedStrings.xml": BILLION_LAUGHS}
        ),
        UnsafeWorkbook,
        ("XML part xl/sharedStrings.xml declares a DTD/entities", "billion-laughs"),
    ),
    "lowercase_doctype_in_rels": (
        lambda t: _rewrite(
            _good(t), t / "rels.xlsx", replace={"_rels/.rels": b"<!doctype r><Relationships/>"}
        ),
        UnsafeWorkbook,
        ("_rels/.rels", "DTD"),
    ),
    "dtd_across_chunk_boundary": (
        _with_dtd_across_chunk,
        UnsafeWorkbook,
        (SHEET, "DTD/entities"),
    ),
}


@pytest.mark.parametrize(("build", "kind", "words"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_with_one_line_naming_the_file(
    tmp_path: Path, build: Callable[[Path], Path], kind: type[WorkbookError], words: tuple[str, ...]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns when writing a duplicate name
        path = build(tmp_path)
    _expect(path, kind, words)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_billion_laughs_in_other_xml_encodings(tmp_path: Path, encoding: str) -> None:
    # XML parsers detect UTF-16/32 from a BOM or from the NULs around the first `<`.
    text = BILLION_LAUGHS.decode().replace("UTF-8", encoding.upper()[:6])
    path = _rewrite(
        _good(tmp_path),
        tmp_path / "enc.xlsx",
        replace={"xl/sharedStrings.xml": text.encode(encoding)},
    )
    _expect(path, UnsafeWorkbook, ("xl/sharedStrings.xml", "DTD/entities"))


def test_parts_stuffed_with_markup_openers_are_scanned_fast(tmp_path: Path) -> None:
    # `<!` everywhere but never a DTD: the scan must not fall back to per-hit Python work.
    filler = (b"<!" + "<!".encode("utf-16-le")) * (MIB // 6)
    members = {f"xl/worksheets/sheet{i}.xml": filler for i in range(2, 34)}
    path = _rewrite(_good(tmp_path), tmp_path / "stuffed.xlsx", replace=members)
    start = time.perf_counter()
    check_workbook_file(path)
    assert time.perf_counter() - start < 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_refused_without_blocking(tmp_path: Path) -> None:
    # Opening a FIFO for reading blocks until a writer appears; the check must not open it.
    path = tmp_path / "pipe.xlsx"
    os.mkfifo(path)
    _expect(path, WorkbookError, ("not a regular file",))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cut=st.one_of(st.none(), st.integers(min_value=1, max_value=10_000)),
    edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=6),
)
def test_corrupted_workbooks_never_escape_as_tracebacks(
    tmp_path: Path, cut: int | None, edits: list[tuple[int, int]]
) -> None:
    good = tmp_path / "seed.xlsx"
    if not good.exists():
        _good(tmp_path, "seed.xlsx")
    data = bytearray(good.read_bytes())
    # Aim half the edits at zip headers, where a flipped byte changes sizes, offsets and flags.
    headers = [i for i in range(len(data) - 3) if data[i : i + 2] == b"PK"]
    for n, (where, value) in enumerate(edits):
        at = headers[where % len(headers)] + where % 46 if n % 2 else where % len(data)
        data[min(at, len(data) - 1)] = value
    path = tmp_path / "fuzzed.xlsx"
    path.write_bytes(bytes(data[:cut] if cut else data))
    try:
        check_workbook_file(path)
    except WorkbookError as exc:
        assert str(exc).startswith(f"{path}: ")
        assert "\n" not in str(exc)


# ---------------------------------------------------------------- zip bombs


@pytest.fixture(scope="module")
def gigabyte_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 1 MB on disk that honestly declares and inflates to 1 GiB."""
    path = _bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx", 1024)
    assert path.stat().st_size < 2 * MIB
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo(BOMB_MEMBER).file_size == 1024 * MIB
        assert zf.open(BOMB_MEMBER).read(65536) == bytes(65536)  # a real deflate stream
    return path


def _measured(path: Path, words: tuple[str, ...]) -> tuple[float, int]:
    """Run a refused check, returning (seconds, peak traced bytes)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        _expect(path, UnsafeWorkbook, words)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return elapsed, peak


def test_gigabyte_bomb_refused_quickly_in_little_memory(gigabyte_bomb: Path) -> None:
    elapsed, peak = _measured(
        gigabyte_bomb, ("zip inflates to 1 GB, over the 500 MB limit", "zip bomb")
    )
    assert elapsed < 5
    assert peak < 200 * MIB


def test_lying_declared_size_refused_while_inflating(tmp_path: Path, gigabyte_bomb: Path) -> None:
    # Same 1 GiB deflate stream, but the headers claim the sheet is 1,000 bytes: every declared
    # check passes, so only counting the real inflation catches it.
    path = tmp_path / "liar.xlsx"
    path.write_bytes(gigabyte_bomb.read_bytes())
    _patch(path, BOMB_MEMBER, usize=1000)
    with zipfile.ZipFile(path) as zf:
        assert sum(i.file_size for i in zf.infolist()) < 2000
    elapsed, peak = _measured(path, (BOMB_MEMBER, "beyond its declared size", "zip bomb"))
    assert elapsed < 5
    assert peak < 200 * MIB


def test_lying_declared_size_read_through_zipfile_is_a_clean_error(tmp_path: Path) -> None:
    # zipfile stops at the declared size and then fails the checksum: that must surface as a
    # one-line WorkbookError, not a BadZipFile traceback.
    path = _bomb(tmp_path / "liar.xlsx", 64, declared=1000)
    with zipfile.ZipFile(path) as zf, pytest.raises(WorkbookError) as caught:
        open_zip_member_capped(zf, BOMB_MEMBER, 10 * MIB)
    assert str(caught.value).startswith(f"{path}: workbook is damaged or truncated")


def test_huge_directory_refused_before_zipfile_parses_it(tmp_path: Path) -> None:
    # 9 MB listing 200,000 parts: zipfile alone needs ~14 s and ~70 MB to build their objects.
    path = _cd_spam(tmp_path / "listing.xlsx", 200_000)
    elapsed, peak = _measured(path, ("more than 10,000 parts", "zip bomb"))
    assert elapsed < 2
    assert peak < 10 * MIB


def test_many_small_parts_over_custom_total(tmp_path: Path) -> None:
    # Each part is under the 1 MiB ratio floor, so only the total catches them.
    members = {f"xl/media/pad{i}.bin": bytes(MIB - 1) for i in range(12)}
    path = _rewrite(_good(tmp_path), tmp_path / "pads.xlsx", replace=members)
    _expect(
        path,
        UnsafeWorkbook,
        ("zip inflates to 12 MB, over the 10 MB limit",),
        SafetyLimits(max_uncompressed_bytes=10 * MIB),
    )


# ---------------------------------------------------------------- custom limits


@pytest.mark.parametrize(
    ("limits", "words"),
    [
        (SafetyLimits(max_file_bytes=10), ("file is", "over the 10 bytes limit")),
        (SafetyLimits(max_members=3), ("more than 3 parts",)),
        (SafetyLimits(max_uncompressed_bytes=1000), ("zip inflates to", "1,000 bytes limit")),
    ],
    ids=["file_bytes", "members", "uncompressed_bytes"],
)
def test_custom_limits_refuse_the_good_file(
    tmp_path: Path, limits: SafetyLimits, words: tuple[str, ...]
) -> None:
    _expect(_good(tmp_path), UnsafeWorkbook, words, limits)


def test_custom_ratio_limit(tmp_path: Path) -> None:
    path = _rewrite(
        _good(tmp_path), tmp_path / "r.xlsx", replace={"xl/media/a.bin": bytes(2 * MIB)}
    )
    check_workbook_file(path, SafetyLimits(max_member_ratio=5000))
    _expect(path, UnsafeWorkbook, ("over the 5x limit",), SafetyLimits(max_member_ratio=5))


def test_limits_are_frozen_validated_and_defaulted() -> None:
    limits = SafetyLimits()
    assert limits.max_file_bytes == 50 * MIB
    assert limits.max_uncompressed_bytes == 500 * MIB
    assert limits.max_member_ratio == 200.0
    assert limits.max_members == 10_000
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.max_members = 1  # type: ignore[misc]
    for bad in (0, -1, "10", True, None):
        with pytest.raises(ValueError, match="max_file_bytes must be a number above 0"):
            SafetyLimits(max_file_bytes=bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_member"):
        SafetyLimits(max_member=5)  # type: ignore[call-arg]


# ---------------------------------------------------------------- capped member reads


def test_capped_read_returns_the_member(tmp_path: Path) -> None:
    path = _good(tmp_path)
    with zipfile.ZipFile(path) as zf:
        assert open_zip_member_capped(zf, SHEET, MIB) == zf.read(SHEET)


@pytest.mark.parametrize(
    ("name", "cap", "kind", "words"),
    [
        (SHEET, 100, UnsafeWorkbook, ("part xl/worksheets/sheet1.xml is", "over the 100 bytes")),
        ("xl/missing.xml", MIB, WorkbookError, ("workbook has no part xl/missing.xml",)),
    ],
    ids=["over_cap", "missing_part"],
)
def test_capped_read_refusals(
    tmp_path: Path, name: str, cap: int, kind: type[WorkbookError], words: tuple[str, ...]
) -> None:
    path = _good(tmp_path)
    with zipfile.ZipFile(path) as zf, pytest.raises(WorkbookError) as caught:
        open_zip_member_capped(zf, name, cap)
    assert type(caught.value) is kind
    assert str(caught.value).startswith(f"{path}: ")
    for word in words:
        assert word in str(caught.value)


def test_capped_read_refuses_encrypted_member(tmp_path: Path) -> None:
    path = _patch(_good(tmp_path), SHEET, flags=0x1)
    with zipfile.ZipFile(path) as zf, pytest.raises(UnsafeWorkbook, match="encrypted"):
        open_zip_member_capped(zf, SHEET, MIB)
