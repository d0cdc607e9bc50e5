"""`xlscorecard rollover` and `xlscorecard template`: next quarter's submission workbook, or a blank template.

`rollover_file` copies a scorecard forward: same sections, PIs, leads, polarity, benchmarks and
targets, the history kept, the new quarter's column emptied, filled light yellow, given a header
note and a data-validation rule (a number, a percentage or a known marker); RAG, arrows and
comments are cleared. `template_file` does the same with every value emptied: a blank template for
any year.

This is the shell: it checks the file is safe to open, reads the scorecard, asks the core for the
plan (xlscorecard/core/rollover_plan.py, which holds the rules of which quarter may follow which),
has the editor apply it (xlscorecard/xlsx/rollover_editor.py) and saves atomically. The input is
never modified.
"""

from __future__ import annotations

import os
from pathlib import Path

from xlscorecard.api import load_scorecard
from xlscorecard.core.errors import ScorecardError
from xlscorecard.core.rollover_plan import (
    default_output_name,
    latest_reported_quarter,
    parse_year,
    period_columns,
    plan_rollover,
    plan_template,
    template_output_name,
)
from xlscorecard.xlsx.rollover_editor import RolloverEditor
from xlscorecard.xlsx.safety import DEFAULT_LIMITS, check_workbook_file
from xlscorecard.xlsx.scan import check_editable
from xlscorecard.xlsx.workbook_editing import load_for_edit, save_workbook

__all__ = ["rollover_file", "template_file"]


def rollover_file(file: str | Path, to: str, out: str | Path | None = None, sheet: str | None = None) -> Path:
    """Write the submission workbook for quarter `to`; return its path. The input is never modified."""
    src = Path(file)
    check_workbook_file(src)
    check_editable(src, DEFAULT_LIMITS)
    scorecard = load_scorecard(src, sheet=sheet, history=False)  # the sheet's own columns
    plan = plan_rollover(period_columns(scorecard), latest_reported_quarter(scorecard), to, src)
    target = _output_path(src, out, default_output_name(src.stem, plan.entry))
    wb = load_for_edit(src)
    RolloverEditor(wb, scorecard, plan, src).rollover()
    save_workbook(wb, target)
    return target


def template_file(
    file: str | Path,
    year: str | int,
    quarter: int = 1,
    out: str | Path | None = None,
    sheet: str | None = None,
) -> Path:
    """Write a blank template for financial year `year` from `file`'s sections and PI identity columns.

    Kept: PI ref, measure, lead, polarity and any other descriptive columns; emptied: benchmarks,
    target, every period value, RAG, arrow and comments. Every value cell is validated; quarter
    `quarter` is marked for entry.
    """
    src = Path(file)
    if quarter not in (1, 2, 3, 4):
        raise ScorecardError(f"--quarter {quarter} is not a quarter (1 to 4)", src)
    first = parse_year(year, src)
    check_workbook_file(src)
    check_editable(src, DEFAULT_LIMITS)
    scorecard = load_scorecard(src, sheet=sheet, history=False)  # the sheet's own columns
    plan = plan_template(period_columns(scorecard), first, quarter, src)
    target = _output_path(src, out, template_output_name(first, quarter))
    wb = load_for_edit(src)
    RolloverEditor(wb, scorecard, plan, src).template()
    save_workbook(wb, target)
    return target


def _output_path(src: Path, out: str | Path | None, name: str) -> Path:
    """Where the output goes: beside the input, into the folder `out`, or `out` itself (a .xlsx)."""
    if out is None:
        target = src.with_name(name)
    elif Path(out).is_dir():
        target = Path(out) / name
    else:
        target = Path(out)
    if target.suffix.lower() != ".xlsx":
        raise ScorecardError("output must be a .xlsx file or an existing folder", target)
    if not target.parent.is_dir():
        raise ScorecardError("output folder does not exist", target.parent)
    if target.exists() and os.path.samefile(target, src):
        raise ScorecardError("output would replace the input; choose another name with -o", target)
    return target
