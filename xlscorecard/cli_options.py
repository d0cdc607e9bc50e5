"""What the command line's commands share: their option types, the one-line error contract, and the
helpers that turn `--layout` and `--sheet` into what the library takes.

Annotations here are evaluated when this module is imported (no `from __future__ import
annotations`): Typer then reads each command's signature as objects rather than evaluating a
string per parameter of every command on each start-up.
"""

import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from xlscorecard.core.errors import ScorecardError

__all__ = [
    "FileArg",
    "LayoutOpt",
    "PdfOpt",
    "PeriodOpt",
    "RulesOpt",
    "SheetOpt",
    "UsersOpt",
    "fail",
    "layout_profile",
    "sheets_to_read",
    "user_errors",
]

F = TypeVar("F", bound=Callable[..., Any])

FileArg = Annotated[Path, typer.Argument(help="Scorecard workbook (.xlsx).", show_default=False)]
RulesOpt = Annotated[Path | None, typer.Option("--rules", help="Rules file (TOML); see examples/rules.toml.")]
PeriodOpt = Annotated[str | None, typer.Option("--period", help="Reporting period, e.g. 'Qu 2 18-19'.")]
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="Sheet holding the scorecard, or 'all' for each scorecard sheet.")
]
PdfOpt = Annotated[bool, typer.Option("--pdf", help="Also print each return to PDF beside it (needs LibreOffice).")]
LayoutOpt = Annotated[
    list[Path] | None,
    typer.Option("--layout", help="Layout profile (TOML) naming columns; repeat: the first whose files match applies."),
]
UsersOpt = Annotated[Path, typer.Option("--users", help="Accounts file.")]


def layout_profile(layouts: list[Path] | None, file: Path) -> Any:
    """The first layout profile that applies to `file`, or None."""
    if not layouts:
        return None
    from xlscorecard.core.reading.profile import choose_profile, load_profile

    return choose_profile([load_profile(p) for p in layouts], file)


def sheets_to_read(file: Path, sheet: str | None, profile: Any) -> list[str | None]:
    """The sheets a command reads: `--sheet all` (or a profile's "all") gives every scorecard sheet."""
    from xlscorecard.api import choose_sheets, profile_sheet

    wanted = profile_sheet(sheet, profile)
    if wanted is not None and wanted.lower() == "all":
        return choose_sheets(file, "all", profile)[0]
    return [sheet]


def fail(message: str) -> None:
    """One line on stderr, exit 2: the contract for unusable input."""
    typer.echo(f"xlscorecard: error: {message}", err=True)
    raise typer.Exit(2)


def user_errors(func: F) -> F:
    """Turn any error about an input into one line and exit code 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ScorecardError as exc:
            fail(str(exc))
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("XLSCORECARD_DEBUG"):
                raise
            fail(f"{_first_path(kwargs)}unexpected problem: {type(exc).__name__}: {exc}")

    return wrapper  # type: ignore[return-value]


def _first_path(kwargs: dict[str, Any]) -> str:
    for value in kwargs.values():
        if isinstance(value, Path):
            return f"{value}: "
    return ""
