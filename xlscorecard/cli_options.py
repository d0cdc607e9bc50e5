"""What the command line's commands share: their options, the Click classes that keep the help and
no-argument behaviour, the one-line error contract, and the helpers that turn `--layout` and
`--sheet` into what the library takes.
"""

import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from xlscorecard.core.errors import ScorecardError

__all__ = [
    "PATH",
    "Group",
    "HelpArgument",
    "fail",
    "file_argument",
    "layout_option",
    "layout_profile",
    "list_or_none",
    "pdf_option",
    "period_option",
    "rules_option",
    "sheet_option",
    "sheets_to_read",
    "user_errors",
    "users_option",
]

F = TypeVar("F", bound=Callable[..., Any])

# No existence check: a missing file is the command's own one-line error, naming it.
PATH = click.Path(path_type=Path)


class HelpArgument(click.Argument):
    """A positional argument with a help text, which Click's own arguments do not take."""

    def __init__(self, param_decls: list[str], help: str = "", **attrs: Any) -> None:
        super().__init__(param_decls, **attrs)
        self.help = help


class Command(click.Command):
    """A command whose help lists its arguments (with their help) before its options."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(p.human_readable_name, p.help) for p in self.get_params(ctx) if isinstance(p, HelpArgument)]
        if rows:
            with formatter.section("Arguments"):
                formatter.write_dl(rows)
        super().format_options(ctx, formatter)


class Group(click.Group):
    """A group that lists its commands in the order they were defined (sub-groups last), and given
    no arguments prints its help on stdout and exits 2."""

    command_class = Command
    group_class = type  # sub-groups are Groups too

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands, key=lambda name: isinstance(self.commands[name], click.Group))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            click.echo(ctx.get_help())
            ctx.exit(2)
        return super().parse_args(ctx, args)


def list_or_none(ctx: click.Context, param: click.Parameter, values: tuple[Any, ...]) -> list[Any] | None:
    """A repeatable option's values as a list, or None when it was not given (its callback)."""
    return list(values) or None


file_argument = click.argument("file", cls=HelpArgument, type=PATH, help="Scorecard workbook (.xlsx).")
rules_option = click.option("--rules", type=PATH, help="Rules file (TOML); see examples/rules.toml.")
period_option = click.option("--period", help="Reporting period, e.g. 'Qu 2 18-19'.")
sheet_option = click.option("--sheet", help="Sheet holding the scorecard, or 'all' for each scorecard sheet.")
pdf_option = click.option("--pdf", is_flag=True, help="Also print each return to PDF beside it (needs LibreOffice).")
layout_option = click.option(
    "--layout", type=PATH, multiple=True, callback=list_or_none,
    help="Layout profile (TOML) naming columns; repeat: the first whose files match applies.",
)
users_option = click.option("--users", type=PATH, default=Path("users.json"), help="Accounts file.")


def layout_profile(layouts: list[Path] | None, file: Path) -> Any:
    """The first layout profile that applies to `file`, or None."""
    if not layouts:
        return None
    from xlscorecard.core.reading.profile import choose_profile, load_profile

    return choose_profile([load_profile(p) for p in layouts], file)


def sheets_to_read(file: Path, sheet: str | None, profile: Any) -> tuple[list[str | None], bool]:
    """The sheets a command reads, and whether each is read alone.

    `--sheet all` (or a profile's "all") gives every scorecard sheet, each read alone: a tab per
    service or per quarter is its own scorecard, with no history from the others.
    """
    from xlscorecard.api import choose_sheets

    wanted = sheet if sheet is not None else getattr(profile, "sheet", None)  # --sheet wins over the profile
    if wanted is not None and wanted.lower() == "all":
        return choose_sheets(file, "all", profile)[0], True
    return [sheet], False


def fail(message: str) -> NoReturn:
    """One line on stderr, exit 2: the contract for unusable input."""
    click.echo(f"xlscorecard: error: {message}", err=True)
    raise click.exceptions.Exit(2)


def user_errors(func: F) -> F:
    """Turn any error about an input into one line and exit code 2, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ScorecardError as exc:
            fail(str(exc))
        except (click.exceptions.Exit, click.Abort, KeyboardInterrupt):
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
