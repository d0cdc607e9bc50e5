"""One line per problem, never a traceback: the errors a button shows in Excel.

A button catches what the analyst can act on (a ScorecardError about the workbook or its rules,
an error xlwings or Excel raised while talking to the workbook) and shows it as one line in an
Excel message box, in every xlwings mode: RunPython's separate process on Windows and macOS,
the UDF server, and the remote engine. For what still escapes under RunPython (xlwings shows
a process's error output in its own message box), ``install_hook`` makes Python print a
ScorecardError as one line. It is installed when a button runs, never when the module is
imported, so importing xlscorecard.addin changes nothing in another program.
"""

from __future__ import annotations

import sys
from types import TracebackType

from xlwings import XlwingsError

from xlscorecard.core.errors import ScorecardError

TITLE = "xlscorecard"
# Errors of the bridges xlwings drives Excel through: COM on Windows, AppleScript on macOS.
_BRIDGE_MODULES = frozenset({"pywintypes", "win32com", "appscript", "aem", "xlwings"})


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def is_excel_error(error: BaseException) -> bool:
    """An error raised by xlwings or by Excel through xlwings (the workbook, not our code)."""
    if isinstance(error, XlwingsError):
        return True
    return type(error).__module__.split(".")[0] in _BRIDGE_MODULES


def message_for(error: BaseException) -> str:
    """The one line a button shows for an error it caught."""
    if isinstance(error, ScorecardError):
        return f"{TITLE}: {one_line(error)}"
    return f"{TITLE}: Excel did not do what the add-in asked ({one_line(error) or type(error).__name__})"


def one_line_errors(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """sys.excepthook: a ScorecardError or an xlwings error as its one line, anything else as usual."""
    if isinstance(error, ScorecardError) or is_excel_error(error):
        print(message_for(error), file=sys.stderr)
    else:
        _previous_hook[0](kind, error, tb)


_previous_hook = [sys.__excepthook__]


def install_hook() -> None:
    """Print our errors as one line from now on in this process (called when a button runs)."""
    if sys.excepthook is not one_line_errors:
        _previous_hook[0] = sys.excepthook
        sys.excepthook = one_line_errors
