"""`xlscorecard batch`: convert a folder of submitted workbooks, safe on hostile files (issue 6).

Shape
-----
- The parent process finds the inputs, hashes them (inbox), decides which are unchanged since the
  last run (manifest), hands the rest to a pool of long-lived worker processes (pool, worker), and
  writes the report (report) and a note per failed file (failures); run ties these together and
  command is the CLI's face. It never parses a workbook itself.
- Each worker is a `spawn`ed process with its own pipe to the parent. It imports the heavy modules
  once, says "ready", then converts one task at a time through `api.convert_and_assess` (which runs
  the safety checks of DESIGN 8 before any parser sees the file).
- The parent enforces a deadline per task. A worker that overruns is killed and replaced; a worker
  that dies (crash, os._exit, SIGKILL, out of memory) is noticed through its process sentinel and
  replaced. Either way only the file it held fails.
- Every file written to OUTBOX goes to a temporary name and is renamed into place; a lock file keeps
  two runs from sharing one OUTBOX (outbox).
"""

from __future__ import annotations

from xlscorecard.batch.command import batch_command
from xlscorecard.batch.errors import BatchError
from xlscorecard.batch.failures import FAILED_DIR
from xlscorecard.batch.manifest import MANIFEST_NAME
from xlscorecard.batch.report import REPORT_CSV, REPORT_JSON, TIDY_CSV, Report, ReportRow, load_report
from xlscorecard.batch.run import BatchListener, BatchResult, run_batch

__all__ = [
    "FAILED_DIR",
    "MANIFEST_NAME",
    "REPORT_CSV",
    "REPORT_JSON",
    "TIDY_CSV",
    "BatchError",
    "BatchListener",
    "BatchResult",
    "Report",
    "ReportRow",
    "batch_command",
    "load_report",
    "run_batch",
]
