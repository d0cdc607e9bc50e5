"""The returns folder the officers' page serves: safe names, the listing, uploads and findings records.

Nothing here knows about HTTP. Everything the page writes goes into DIR/uploads, through a hidden
temporary file that is then linked to a fresh name (`os.link` fails rather than replace an existing
file), so a name is never reused and a half-written file is never visible under a real name.

Findings of a return come from, in order:
1. its findings record, `<return name>.findings.json` beside it (written on upload, last of the
   three files, so a listed upload always has its original, its return and its record);
2. the return itself: every return xlscorecard writes (batch or upload) lists all its findings on
   the "Data quality" sheet (code, severity, PI, cell, message), so a batch-converted return
   carries its findings with it even when the original workbook is not in DIR.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from xlscorecard import __version__
from xlscorecard.errors import ScorecardError, WorkbookError
from xlscorecard.findings import Severity, count_codes
from xlscorecard.safety import DEFAULT_LIMITS, SafetyLimits, check_workbook_file
from xlscorecard.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024**2
UPLOADS = "uploads"
REPORT = "report.json"
RECORD_SUFFIX = ".findings.json"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_TEMP_PREFIXES = (".upload-", ".return-", ".record-")
_STALE_TEMP_SECONDS = 3600
_MAX_NAME_PARTS = 4
_MAX_NAME_CHARS = 400
_MAX_STEM_CHARS = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FINDING_CODE = re.compile(r"^[a-z][a-z0-9-]*$")
_DATA_QUALITY_COLUMNS = ("code", "severity", "pi", "cell", "message")


class InvalidName(ValueError):
    """A requested name that can never denote a return (traversal, absolute, hidden, not .xlsx)."""


class ReturnNotFound(LookupError):
    """A well-formed name with no return behind it inside DIR; the message says so in one line."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no such return"


class UploadRejected(Exception):
    """The uploaded file is not a workbook we can convert; the message is one line for the officer."""


class RagCounts(BaseModel):
    green: int
    amber: int
    red: int
    not_rated: int


class FindingRow(BaseModel):
    """A finding as the page shows it; `sheet` is unknown when read back from a return."""

    code: str
    severity: str
    sheet: str | None = None
    cell: str | None = None
    ref: str | None = None
    message: str


class FindingsRecord(BaseModel):
    """Everything known about one return's findings; stored as JSON beside an uploaded return."""

    model_config = ConfigDict(extra="ignore")

    name: str  # the return, relative to DIR, with "/" separators: the id used in URLs
    file: str  # the workbook as the officer or the batch submitted it
    original: str | None = None  # the kept upload, relative to DIR
    source: str  # "upload" (this record) or "return-workbook" (read back from the return)
    reporting_period: str | None = None
    rag: RagCounts | None = None
    findings_total: int
    findings_by_code: dict[str, int]
    findings: list[FindingRow]
    converted_at: str | None = None
    sha256: str | None = None  # of the original workbook
    owner: str | None = None  # the signed-in user who uploaded it (None on an open page)
    version: str = __version__


class ReturnEntry(BaseModel):
    """One row of the listing."""

    name: str | None  # None when there is nothing to download (a failed batch row)
    file: str
    origin: Literal["batch", "upload", "folder"]
    status: str | None = None
    reporting_period: str | None = None
    rag: RagCounts | None = None
    findings_total: int | None = None
    findings_by_code: dict[str, int] = {}
    converted_at: str | None = None
    modified_at: str | None = None
    size: int | None = None
    error: str | None = None
    owner: str | None = None  # who uploaded it


class Listing(BaseModel):
    returns: list[ReturnEntry]
    failed: list[ReturnEntry]
    notice: str | None = None


# ------------------------------------------------------------------ names


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


# ------------------------------------------------------------------ the folder


class ReturnsFolder:
    """DIR: the batch outbox (returns and report.json) plus DIR/uploads for the page's uploads."""

    def __init__(self, root: Path, limits: SafetyLimits = DEFAULT_LIMITS, layouts: Sequence[Any] = ()) -> None:
        try:
            self.root = Path(root).resolve(strict=True)
        except (FileNotFoundError, NotADirectoryError):
            raise ScorecardError("returns folder not found", root) from None
        if not self.root.is_dir():
            raise ScorecardError("is not a folder", root)
        self.limits = limits
        # Layout profiles (xlscorecard.reading.profile): each upload is read by the first that matches it.
        self.layouts: list[Any] = list(layouts)

    # --- names ---------------------------------------------------------------------------
    def locate(self, name: str) -> Path:
        """The regular file `name` denotes, resolved and inside DIR (symlinks included)."""
        parts = check_name(name)
        try:
            path = self.root.joinpath(*parts).resolve(strict=True)
        except (OSError, RuntimeError):  # missing, a loop, a name too long
            raise ReturnNotFound(f"no return named {name!r}") from None
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ReturnNotFound(f"no return named {name!r}")
        return path

    def locate_return(self, name: str) -> Path:
        """`name` if the page offers it: a workbook at the top of DIR, an output of the batch report,
        or an uploaded return (one with a findings record). Kept originals, failed inputs and
        anything else in sub-folders are never served.
        """
        parts = check_name(name)
        path = self.locate(name)
        if len(parts) == 1:
            return path
        if len(parts) == 2 and parts[0] == UPLOADS and (self.root / UPLOADS / (parts[1] + RECORD_SUFFIX)).is_file():
            return path
        for row in self._report_rows_or_none():
            with contextlib.suppress(InvalidName):
                if row.output and check_name(row.output) == parts:
                    return path
        raise ReturnNotFound(f"no return named {name!r}")

    def name_of(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def uploads_dir(self) -> Path:
        """DIR/uploads, created on first use; refused if it leads out of DIR."""
        path = self.root / UPLOADS
        path.mkdir(exist_ok=True)
        real = path.resolve(strict=True)
        if real != path or not real.is_dir():
            raise OSError(f"{path} must be a real folder inside {self.root}")
        return real

    def remove_stale_temp_files(self) -> None:
        """Temporary files left by a server that was killed mid-upload (ours only, an hour old)."""
        folder = self.root / UPLOADS
        if not folder.is_dir():
            return
        cutoff = time.time() - _STALE_TEMP_SECONDS
        for path in folder.iterdir():
            if path.name.startswith(_TEMP_PREFIXES):
                with contextlib.suppress(OSError):
                    if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                        path.unlink()

    # --- listing -------------------------------------------------------------------------
    def listing(self) -> Listing:
        """Batch report rows, other .xlsx files in DIR, then uploads (newest first)."""
        returns: list[ReturnEntry] = []
        failed: list[ReturnEntry] = []
        covered: set[Path] = set()
        notice = None
        try:
            rows = self._report_rows()
        except Exception as exc:  # a damaged report must not take the page down
            log.warning("cannot read %s: %s", self.root / REPORT, exc)
            rows = []
            reason = exc.message if isinstance(exc, ScorecardError) else type(exc).__name__
            notice = f"The batch report could not be read ({reason}); the workbooks in the folder are listed instead."
        for row in rows:
            entry = _entry_from_report(row)
            if row.output:
                try:
                    covered.add(self.locate(row.output))
                except (InvalidName, ReturnNotFound):
                    entry.error = entry.error or "the return is not in the folder"
                else:
                    entry.name = row.output
            (returns if entry.name else failed).append(entry)
        for name, path in self._folder_workbooks():
            if path not in covered:
                st = path.stat()
                returns.append(ReturnEntry(
                    name=name, file=name, origin="folder", size=st.st_size, modified_at=_iso(st.st_mtime),
                ))
        uploads = sorted(self.upload_records(), key=lambda r: r.converted_at or "", reverse=True)
        returns.extend(_entry_from_record(record) for record in uploads)
        return Listing(returns=returns, failed=failed, notice=notice)

    def _report_rows(self) -> list[Any]:
        if not (self.root / REPORT).is_file():
            return []
        from xlscorecard.batch import load_report

        return list(load_report(self.root))

    def _report_rows_or_none(self) -> list[Any]:
        try:
            return self._report_rows()
        except Exception:
            return []

    def _folder_workbooks(self) -> Iterator[tuple[str, Path]]:
        for path in sorted(self.root.iterdir()):
            try:
                yield path.name, self.locate(path.name)
            except (InvalidName, ReturnNotFound):
                continue

    def upload_records(self) -> Iterator[FindingsRecord]:
        """The records of the uploads that are complete (their return is there too)."""
        folder = self.root / UPLOADS
        if not folder.is_dir():
            return
        for path in folder.glob("*" + RECORD_SUFFIX):
            name = f"{UPLOADS}/{path.name[: -len(RECORD_SUFFIX)]}"
            record = self._read_record(path)
            if record is None or record.name != name:
                continue
            try:
                self.locate(name)
            except (InvalidName, ReturnNotFound):
                continue
            yield record

    @staticmethod
    def _read_record(path: Path) -> FindingsRecord | None:
        try:
            return FindingsRecord.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as exc:
            log.warning("ignoring findings record %s: %s", path, exc)
            return None

    # --- page view and PDF ----------------------------------------------------------------
    def page_view(self, name: str) -> dict[str, Any]:
        """The `check --json` sidecar written beside the return `name`; ReturnNotFound when it has none."""
        from xlscorecard.sidecar import read_sidecar

        data = read_sidecar(self.locate_return(name))
        if data is None:
            raise ReturnNotFound(f"no page view is available for {name}: it has no check record beside it "
                                 "(convert the workbook again to get one)")
        return data

    def pdf_of(self, name: str) -> Path | None:
        """The PDF printed beside the return `name` (convert --pdf, batch --pdf), if there is one in DIR."""
        path = self.locate_return(name).with_suffix(".pdf")
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        return real if real.is_relative_to(self.root) and real.is_file() else None

    def companions(self, name: str) -> tuple[bool, bool]:
        """Whether the return `name` has a page view and a PDF (for the listing's links)."""
        from xlscorecard.sidecar import sidecar_path

        try:
            path = self.locate_return(name)
        except (InvalidName, ReturnNotFound):
            return False, False
        return sidecar_path(path).is_file(), self.pdf_of(name) is not None

    # --- findings ------------------------------------------------------------------------
    def findings(self, name: str) -> FindingsRecord:
        """The findings of the return `name`: its record, else its own Data quality sheet."""
        path = self.locate_return(name)
        beside = self.root.joinpath(*check_name(name))
        record_path = beside.with_name(beside.name + RECORD_SUFFIX)
        if record_path.is_file():
            record = self._read_record(record_path)
            if record is not None:
                return record
        try:
            rows = _findings_from_return(str(path), *_signature(path), self.limits)
        except WorkbookError as exc:
            raise ReturnNotFound(f"no findings are available for {name} ({exc.message})") from None
        if rows is None:
            raise ReturnNotFound(f"no findings are recorded for {name}: it is not a return written by xlscorecard")
        report = self._report_row_for(name)
        return FindingsRecord(
            name=name,
            file=report.file if report else path.name,
            source="return-workbook",
            reporting_period=report.reporting_period if report else None,
            rag=_report_rag(report) if report else None,
            findings_total=len(rows),
            findings_by_code=count_codes(row.code for row in rows),
            findings=list(rows),
            converted_at=report.converted_at if report else None,
            sha256=report.sha256 if report else None,
        )

    def _report_row_for(self, name: str) -> Any | None:
        return next((row for row in self._report_rows_or_none() if row.output == name), None)

    # --- uploads -------------------------------------------------------------------------
    def store_upload(
        self, received: Path, filename: str, sha256: str, settings: Settings | None = None,
        owner: str | None = None,
    ) -> FindingsRecord:
        """Check, keep and convert an uploaded workbook (a temporary file in DIR/uploads).

        Raises UploadRejected with a one-line reason naming the submitted file when it is not a
        workbook we can convert; then nothing is left behind, not even `received`.
        """
        from xlscorecard.api import convert_and_assess
        from xlscorecard.return_workbook import return_path
        from xlscorecard.sidecar import write_sidecar

        shown = display_name(filename)
        uploads = self.uploads_dir()
        created: list[Path] = []
        try:
            # Named before converting so the return's footer names the kept file, not a temporary one.
            original = _publish_new(received, uploads, lambda: upload_name(filename))
            created.append(original)
            tmp_return = _temp_path(uploads, ".return-", ".xlsx")
            created.append(tmp_return)
            try:
                # The reader runs the safety checks (safety.check_workbook_file) before any parser.
                from xlscorecard.reading.profile import choose_profile

                profile = choose_profile(self.layouts, filename)
                _, assessment = convert_and_assess(
                    original, out=tmp_return, settings=settings, limits=self.limits, sidecar=False, profile=profile
                )
            except ScorecardError as exc:
                raise UploadRejected(f"{shown}: {exc.message}") from None
            period = assessment.scorecard.reporting_period
            target = return_path(original, period, uploads)
            if target.parent != uploads or not _is_plain_name(target.name):
                target = uploads / f"{original.stem} return.xlsx"
            final_return = _publish_new(tmp_return, uploads, lambda: target.name)
            created.append(final_return)
            created.append(write_sidecar(final_return, assessment))  # the page view reads it

            counts = assessment.rag_counts()
            findings = [FindingRow(**f.model_dump(mode="json")) for f in assessment.findings]
            record = FindingsRecord(
                name=self.name_of(final_return),
                file=shown,
                original=self.name_of(original),
                source="upload",
                reporting_period=period,
                rag=RagCounts(green=counts["green"], amber=counts["amber"], red=counts["red"],
                              not_rated=counts["not rated"]),
                findings_total=len(findings),
                findings_by_code=count_codes(f.code for f in findings),
                findings=findings,
                converted_at=datetime.now(UTC).isoformat(timespec="seconds"),
                sha256=sha256,
                owner=owner,
            )
            # The record goes last: the listing shows an upload only once all three files exist.
            tmp_record = _temp_path(uploads, ".record-", ".json")
            created.append(tmp_record)
            tmp_record.write_text(record.model_dump_json(indent=1), encoding="utf-8")
            created.append(_publish_new(tmp_record, uploads, lambda: final_return.name + RECORD_SUFFIX))
            created.clear()
            return record
        finally:
            for path in reversed(created):
                with contextlib.suppress(OSError):
                    path.unlink()
            with contextlib.suppress(OSError):
                received.unlink()


# ------------------------------------------------------------------ helpers


def new_temp_file(folder: Path, prefix: str = ".upload-", suffix: str = ".xlsx") -> tuple[int, Path]:
    """A hidden temporary file in `folder` (never listed, never downloadable): (fd, path)."""
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    return fd, Path(name)


def _temp_path(folder: Path, prefix: str, suffix: str) -> Path:
    fd, path = new_temp_file(folder, prefix, suffix)
    os.close(fd)
    return path


def _publish_new(tmp: Path, folder: Path, make_name: Any, attempts: int = 5) -> Path:
    """Give `tmp` a name in `folder` that no file has; never replaces an existing file."""
    for _ in range(attempts):
        dest = folder / make_name()
        try:
            _link_exclusive(tmp, dest)
        except FileExistsError:
            continue
        return dest
    raise FileExistsError(f"no free name in {folder} for {tmp.name}")


def _link_exclusive(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)  # atomic, and fails if dest exists
    except FileExistsError:
        raise
    except OSError:
        # No hard links here (some network shares): reserve the name exclusively, then move in.
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        os.replace(src, dest)
        return
    src.unlink()


def _is_plain_name(name: str) -> bool:
    try:
        check_name(name)
    except InvalidName:
        return False
    return True


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _entry_from_report(row: Any) -> ReturnEntry:
    failed = row.status == "failed"
    return ReturnEntry(
        name=None,
        file=display_name(row.file),
        origin="batch",
        status=row.status,
        reporting_period=row.reporting_period,
        rag=None if failed else _report_rag(row),
        findings_total=None if failed else row.findings_total,
        findings_by_code=dict(row.findings or {}),
        converted_at=row.converted_at,
        error=row.error,
    )


def _report_rag(row: Any) -> RagCounts | None:
    values = [row.green, row.amber, row.red, row.not_rated]
    if any(v is None for v in values):
        return None
    return RagCounts(green=row.green, amber=row.amber, red=row.red, not_rated=row.not_rated)


def _entry_from_record(record: FindingsRecord) -> ReturnEntry:
    return ReturnEntry(
        name=record.name,
        file=record.file,
        origin="upload",
        status="converted",
        reporting_period=record.reporting_period,
        rag=record.rag,
        findings_total=record.findings_total,
        findings_by_code=record.findings_by_code,
        converted_at=record.converted_at,
        owner=record.owner,
    )


def _signature(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


@functools.lru_cache(maxsize=64)
def _findings_from_return(
    path: str, mtime_ns: int, size: int, limits: SafetyLimits
) -> tuple[FindingRow, ...] | None:
    """The findings listed on a return's Data quality sheet; None if the file has no such sheet.

    Cached per (path, mtime, size): a return is rewritten, never edited in place.
    """
    import openpyxl

    from xlscorecard.return_workbook import DATA_QUALITY

    check_workbook_file(path, limits)  # a file in DIR is still untrusted
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:
        raise WorkbookError(f"cannot be read as a workbook ({type(exc).__name__})", path) from None
    try:
        if DATA_QUALITY not in book.sheetnames:
            return None
        ws = book[DATA_QUALITY]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True)
        header = [str(v).strip().lower() if v is not None else "" for v in next(rows, ())]
        if any(column not in header for column in _DATA_QUALITY_COLUMNS):
            return None
        at = {column: header.index(column) for column in _DATA_QUALITY_COLUMNS}
        severities = {s.value for s in Severity}
        found: list[FindingRow] = []
        for row in rows:
            value = {column: _text(row, i) for column, i in at.items()}
            if not value["code"] or not _FINDING_CODE.match(value["code"]) or value["severity"] not in severities:
                continue  # "No findings." or anything else that is not a finding
            found.append(FindingRow(
                code=value["code"], severity=value["severity"], cell=value["cell"] or None,
                ref=value["pi"] or None, message=value["message"] or "",
            ))
        return tuple(found)
    except (KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise WorkbookError(f"is damaged and cannot be read ({type(exc).__name__})", path) from None
    finally:
        book.close()


def _text(row: tuple[Any, ...], index: int) -> str:
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()
