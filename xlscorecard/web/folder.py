"""The returns folder the officers' page serves: safe names, the listing, uploads and findings records.

Nothing here knows about HTTP. Everything the page writes goes into DIR/uploads, through a hidden
temporary file that is then linked to a fresh name (`os.link` fails rather than replace an existing
file), so a name is never reused and a half-written file is never visible under a real name.

Findings of a return come from, in order (a return workbook is never parsed to find them):
1. its findings record, `<return name>.findings.json` beside it (written on upload, last of the
   three files, so a listed upload always has its original, its return and its record);
2. its sidecar, `<return stem>.json` beside it: the `check --json` object that convert and batch
   write with every return (xlscorecard.sidecar), with batch's report.json row for the file's
   name, when it was converted and its hash.
A return with neither says its findings are not available. Counts are the run report's
(xlscorecard.core.run_report): the page renders them, it does not count.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.run_report import finding_rows, outcome_from_check_json, outcome_of
from xlscorecard.core.settings import Settings
from xlscorecard.web.listing import (
    FindingsRecord,
    Listing,
    ReturnEntry,
    entry_from_record,
    entry_from_report,
    findings_record,
)
from xlscorecard.web.names import InvalidName, check_name, display_name, sanitise_stem, upload_name
from xlscorecard.xlsx.safety import DEFAULT_LIMITS, SafetyLimits

__all__ = [
    "FindingsRecord", "InvalidName", "Listing", "ReturnEntry", "ReturnNotFound", "ReturnsFolder", "UploadRejected",
    "check_name", "display_name", "sanitise_stem", "upload_name",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024**2
UPLOADS = "uploads"
REPORT = "report.json"
RECORD_SUFFIX = ".findings.json"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_TEMP_PREFIXES = (".upload-", ".return-", ".record-")
_STALE_TEMP_SECONDS = 3600


class ReturnNotFound(LookupError):
    """A well-formed name with no return behind it inside DIR; the message says so in one line."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no such return"


class UploadRejected(Exception):
    """The uploaded file is not a workbook we can convert; the message is one line for the officer."""


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
        # Layout profiles (xlscorecard.core.reading.profile): each upload is read by the first that matches it.
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
            entry = entry_from_report(row)
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
        returns.extend(entry_from_record(record) for record in uploads)
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
        """The findings of the return `name`: its upload record, else its sidecar (with its report row)."""
        from xlscorecard.sidecar import read_sidecar

        path = self.locate_return(name)
        beside = self.root.joinpath(*check_name(name))
        record_path = beside.with_name(beside.name + RECORD_SUFFIX)
        if record_path.is_file():
            record = self._read_record(record_path)
            if record is not None:
                return record
        data = read_sidecar(path)
        report = self._report_row_for(name)
        try:
            outcome, findings = outcome_from_check_json(data, output=name) if data is not None else (None, [])
        except (ValidationError, TypeError, ValueError, AttributeError) as exc:
            log.warning("ignoring the damaged sidecar of %s: %s", name, exc)
            outcome = None
        if outcome is None:
            raise ReturnNotFound(f"no findings are available for {name}: it has no check record beside it "
                                 "(convert the workbook again to get one)")
        file = report.file if report else display_name(outcome.file or path.name)
        return findings_record(outcome.model_copy(update={"file": file}), findings, name=name, source="sidecar",
                       converted_at=report.converted_at if report else None,
                       sha256=report.sha256 if report else None)

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
        from xlscorecard.sidecar import write_sidecar
        from xlscorecard.xlsx.return_workbook import return_path

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
                from xlscorecard.core.reading.profile import choose_profile

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

            record = findings_record(
                outcome_of(assessment, file=shown), finding_rows(assessment.findings),
                name=self.name_of(final_return), source="upload", original=self.name_of(original),
                converted_at=datetime.now(UTC).isoformat(timespec="seconds"), sha256=sha256, owner=owner,
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
