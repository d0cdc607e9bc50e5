"""LibreOffice for the tests: files saved by it, and printed pages read back (`pdftotext -bbox` word boxes)."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from programs import require_program

XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Word, slack: float = 0.6, share: float = 0.35) -> bool:
        """Ink on top of ink: the boxes cross side to side and share over `share` of their height.

        A word's box is its font's full height, so consecutive lines of one wrapped cell already
        share about a fifth of it; lines that run over each other share far more.
        """
        height = min(self.y1 - self.y0, other.y1 - other.y0)
        return (min(self.x1, other.x1) - max(self.x0, other.x0) > slack
                and min(self.y1, other.y1) - max(self.y0, other.y0) > share * height)


def render_pdf(workbook: Path, out_dir: Path) -> Path:
    """Print every sheet of `workbook` to PDF with LibreOffice (its own profile, so runs do not collide)."""
    soffice = require_program("soffice", "apt-get install libreoffice-calc-nogui")
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{out_dir}/lo-profile", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(workbook)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = out_dir / f"{workbook.stem}.pdf"
    assert pdf.exists(), f"LibreOffice wrote no PDF for {workbook.name}"
    return pdf


def saved_by_libreoffice(source: Path, target: Path) -> Path:
    """`source` opened and saved again by LibreOffice: a file as a real spreadsheet program writes it."""
    soffice = require_program("soffice", "apt-get install libreoffice-calc-nogui")
    out = target.parent / "lo-saved"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{target.parent}/lo-save-profile",
                    "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    (out / source.name).rename(target)
    return target


def pages(pdf: Path) -> list[list[Word]]:
    """The words of each page, with their boxes in points."""
    pdftotext = require_program("pdftotext", "apt-get install poppler-utils")
    html = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    root = ET.fromstring(html)
    out = []
    for page in root.iter(f"{XHTML}page"):
        out.append([
            Word(w.text or "", float(w.get("xMin", 0)), float(w.get("yMin", 0)),
                 float(w.get("xMax", 0)), float(w.get("yMax", 0)))
            for w in page.iter(f"{XHTML}word")
        ])
    return out


def overlapping_words(words: list[Word]) -> list[tuple[Word, Word]]:
    """Pairs of words printed over each other (two lines of text running into one another)."""
    ordered = sorted(words, key=lambda w: w.y0)
    found = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.y0 >= a.y1:
                break
            if a.overlaps(b):
                found.append((a, b))
    return found


def page_text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)
