"""The formatted quarter-on-quarter return: the workbook officers circulate (issue 4).

Written with XlsxWriter into a temporary file that is renamed into place. Every piece of text is
written as a string (never a formula or a link), and colour comes from conditional formatting so
it follows an analyst's edits. One module per sheet (scorecard_sheet with scorecard_colours,
quarter_sheet, exceptions_sheet, data_quality_sheet, summary_sheet); context holds what they share
and cells how a value becomes a cell.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import xlsxwriter

from xlscorecard.atomic import atomic_path
from xlscorecard.core.assessment import Assessment
from xlscorecard.core.grid import Grid
from xlscorecard.xlsx.return_workbook.cells import TEXT_STAYS_TEXT
from xlscorecard.xlsx.return_workbook.context import (
    DATA_QUALITY,
    EXCEPTIONS,
    QOQ,
    SCORECARD,
    SUMMARY,
    ReturnContext,
)
from xlscorecard.xlsx.return_workbook.data_quality_sheet import write_data_quality_sheet
from xlscorecard.xlsx.return_workbook.exceptions_sheet import write_exceptions_sheet
from xlscorecard.xlsx.return_workbook.quarter_sheet import write_quarter_on_quarter_sheet
from xlscorecard.xlsx.return_workbook.scorecard_sheet import ScorecardSheet
from xlscorecard.xlsx.return_workbook.summary_sheet import write_summary_sheet

__all__ = [
    "DATA_QUALITY",
    "EXCEPTIONS",
    "IN_MEMORY_CELLS",
    "QOQ",
    "SCORECARD",
    "SUMMARY",
    "ReturnWriter",
    "return_path",
    "write_return",
]

IN_MEMORY_CELLS = 20_000  # about 1,000 rows: above that, parts go to temporary files and memory stays flat


def return_path(source: Path, reporting_period: str | None, out: str | Path | None = None) -> Path:
    """`<stem> - Qu 2 18-19 return.xlsx` beside the source, in folder `out`, or `out` itself.

    `out` names the return itself when it ends with `.xlsx` (any case); anything else is a folder,
    made when missing (`-o r1` writes `r1/<stem> - Qu 2 18-19 return.xlsx`, never a file `r1`).
    """
    period = f" - {reporting_period}" if reporting_period else ""  # never "... return return.xlsx"
    name = f"{source.stem}{period} return.xlsx".replace("/", "-")
    if out is None:
        return source.with_name(name)
    if str(out).lower().endswith(".xlsx") and not Path(out).is_dir():
        return Path(out)
    return Path(out) / name


def write_return(grid: Grid, assessment: Assessment, path: Path) -> Path:
    """Write the return atomically: a temporary file beside `path`, renamed into place when complete."""
    return ReturnWriter(grid, assessment).write(path)


class ReturnWriter:
    """Writes the return for one assessed scorecard.

    The source grid is needed only for the Scorecard sheet, and the writer lets go of it as soon as
    that sheet is written. A caller that hands over its only reference (`ReturnWriter(grid, a)`, then
    `del grid`) frees that memory for the other sheets: about 15 MB at peak on a 20,000-PI file.
    """

    context: ReturnContext  # made by write(), with the workbook

    def __init__(self, grid: Grid, assessment: Assessment) -> None:
        self._grid: Grid | None = grid
        self.a = assessment
        self.sc = assessment.scorecard
        self.in_memory = grid.height * grid.width <= IN_MEMORY_CELLS

    @property
    def grid(self) -> Grid:
        if self._grid is None:
            raise RuntimeError("the source grid was released after the Scorecard sheet was written")
        return self._grid

    def write(self, path: Path) -> Path:
        """Write the return to `path` via a temporary file beside it, renamed into place when complete."""
        # Big returns are assembled from temporary part files: in a folder of their own, removed
        # whatever happens (XlsxWriter leaves its parts behind when a write fails part-way).
        with atomic_path(path, prefix=f".{path.stem}.", suffix=".xlsx.tmp") as tmp, \
                tempfile.TemporaryDirectory(prefix="xlscorecard-parts-") as parts:
            wb = xlsxwriter.Workbook(
                str(tmp),
                {
                    **TEXT_STAYS_TEXT,
                    # Small returns are assembled in memory (no temporary file per part); big ones on disk.
                    "in_memory": self.in_memory,
                    "tmpdir": parts,
                },
            )
            wb.set_properties({"title": self.sc.title or "Scorecard return", "comments": "Written by xlscorecard"})
            self.context = ReturnContext(wb, self.a)
            self.scorecard_sheet()
            self._grid = None
            self.quarter_on_quarter_sheet()
            self.exceptions_sheet()
            self.data_quality_sheet()
            self.summary_sheet()
            wb.close()
        return path

    # One method per sheet, in the order they are written (benchmarks/convert_phases.py times each).
    def scorecard_sheet(self) -> None:
        ScorecardSheet(self.context, self.grid).write()

    def quarter_on_quarter_sheet(self) -> None:
        write_quarter_on_quarter_sheet(self.context)

    def exceptions_sheet(self) -> None:
        write_exceptions_sheet(self.context)

    def data_quality_sheet(self) -> None:
        write_data_quality_sheet(self.context)

    def summary_sheet(self) -> None:
        write_summary_sheet(self.context)
