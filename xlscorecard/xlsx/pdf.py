"""The print-ready PDF of a workbook, printed by LibreOffice (`convert --pdf`, `batch --pdf`).

Each run has its own LibreOffice profile folder, so parallel runs (batch workers, two officers)
do not wait on one another's lock, and a time limit, so a stuck office process cannot hang a job.
The PDF is written beside the workbook through a temporary file renamed into place.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from xlscorecard.atomic import atomic_path
from xlscorecard.core.errors import ScorecardError

DEFAULT_TIMEOUT = 180.0
INSTALL_HINT = (
    "--pdf needs LibreOffice, which is not installed or not on PATH as 'soffice' "
    "(install it: 'apt-get install libreoffice-calc-nogui' on Debian/Ubuntu, or from libreoffice.org)"
)


def find_libreoffice() -> str | None:
    """The LibreOffice program on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_path(workbook: Path) -> Path:
    """`<return>.pdf` beside `<return>.xlsx`."""
    return workbook.with_suffix(".pdf")


def require_libreoffice(path: Path | None = None) -> str:
    """LibreOffice's path, or the one-line error saying how to install it."""
    program = find_libreoffice()
    if program is None:
        raise ScorecardError(INSTALL_HINT, path)
    return program


def print_to_pdf(workbook: Path, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Print every sheet of `workbook` to `<stem>.pdf` beside it; returns the PDF's path."""
    program = require_libreoffice(workbook)
    target = pdf_path(workbook)
    with tempfile.TemporaryDirectory(prefix="xlscorecard-pdf-") as tmp:
        profile, out = Path(tmp) / "profile", Path(tmp) / "out"
        command = [program, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf", "--outdir", str(out),
                   str(workbook)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ScorecardError(f"LibreOffice took longer than {timeout:g} s to print the PDF", workbook) from None
        except OSError as exc:
            raise ScorecardError(f"cannot start LibreOffice ({exc.strerror or exc})", workbook) from None
        printed = out / f"{workbook.stem}.pdf"
        if done.returncode != 0 or not printed.exists():
            said = " ".join((done.stderr or done.stdout or "").split())[-200:]
            raise ScorecardError(f"LibreOffice could not print the PDF{': ' + said if said else ''}", workbook)
        with atomic_path(target, prefix=f".{target.stem}.", suffix=".pdf.tmp") as tmp_pdf:
            shutil.copyfile(printed, tmp_pdf)
    return target
