"""The `xlscorecard` command line (DESIGN 9): thin wrappers over the library.

Each command imports what it uses inside its function, so `convert` does not pay for rich's
tables, pandas, the web server or the add-in; option types and the error contract are in
`cli_options`. Annotations are evaluated at import (no `from __future__ import annotations`), so
Typer reads every command's signature as objects instead of evaluating strings on each start-up.
"""

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from xlscorecard import __version__
from xlscorecard.cli_options import (
    FileArg,
    LayoutOpt,
    PdfOpt,
    PeriodOpt,
    RulesOpt,
    SheetOpt,
    UsersOpt,
    fail,
    layout_profile,
    sheets_to_read,
    user_errors,
)

# The command line uses no pydantic plugin, and looking for them reads every installed package's
# metadata (about 30 ms of each command's start-up). A user who sets this variable keeps theirs.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

app = typer.Typer(
    help="Recompute RAG and direction of travel on council performance scorecards.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
addin_app = typer.Typer(help="Build or install the Excel add-in.", no_args_is_help=True)
app.add_typer(addin_app, name="addin")
users_app = typer.Typer(help="Accounts for the officers' web page (`serve --users FILE`).", no_args_is_help=True)
app.add_typer(users_app, name="users")


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"xlscorecard {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Recompute RAG and direction of travel on council performance scorecards."""


@app.command()
@user_errors
def check(
    file: FileArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
    rules: RulesOpt = None,
    period: PeriodOpt = None,
    sheet: SheetOpt = None,
    layout: LayoutOpt = None,
) -> None:
    """Parse, rate and list findings; change nothing. With --sheet all, each scorecard sheet in turn."""
    from xlscorecard.api import check_file, load_settings
    from xlscorecard.process import collector_paused
    from xlscorecard.report import print_summary, to_json

    profile = layout_profile(layout, file)
    settings = load_settings(rules)
    sheets = sheets_to_read(file, sheet, profile)
    many = len(sheets) > 1 or (sheet is not None and sheet.lower() == "all")
    with collector_paused():  # this process owns the job (xlscorecard.process)
        reports = [check_file(file, sheet=s, period=period, settings=settings, profile=profile, history=not many)
                   for s in sheets]
    if as_json:
        data: Any = {"scorecards": [to_json(a) for a in reports]} if many else to_json(reports[0])
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    else:
        from rich.console import Console  # only the tables need it: convert and batch start faster

        for assessment in reports:
            print_summary(assessment, Console(width=None if sys.stdout.isatty() else 160))


@addin_app.command("build")
@user_errors
def addin_build(
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder to write xlscorecard.xlam into.")] = Path("."),
) -> None:
    """Build xlscorecard.xlam from the text sources shipped in the package."""
    from xlscorecard.addin.build import build_addin

    typer.echo(build_addin(out))


@addin_app.command("install")
@user_errors
def addin_install(
    layout: Annotated[
        Path | None,
        typer.Option("--layout", help="Layout profile (TOML) the buttons read every workbook with; "
                     "a layout.toml beside a workbook wins."),
    ] = None,
) -> None:
    """Install the add-in into Excel's start-up folder (Windows and macOS)."""
    from xlscorecard.addin.install import install_addin

    typer.echo(install_addin(layout=layout))


@app.command()
@user_errors
def convert(
    file: FileArg,
    out: Annotated[
        str | None, typer.Option("-o", "--out", help="Output folder (made if missing), or a file name ending .xlsx.")
    ] = None,
    rules: RulesOpt = None,
    period: PeriodOpt = None,
    sheet: SheetOpt = None,
    pdf: PdfOpt = False,
    layout: LayoutOpt = None,
) -> None:
    """Write the formatted return workbook and its check --json sidecar (with --sheet all, one per sheet)."""
    from xlscorecard.api import convert_file, load_settings
    from xlscorecard.process import collector_paused

    if pdf:
        from xlscorecard.xlsx.pdf import require_libreoffice

        require_libreoffice(file)  # before any work: say how to install it, and write nothing
    profile = layout_profile(layout, file)
    settings = load_settings(rules)
    sheets = sheets_to_read(file, sheet, profile)
    if len(sheets) > 1 and out is not None and not (Path(out).is_dir() or out.endswith(("/", os.sep))):
        fail(f"{file}: --sheet all writes a return per sheet: give -o a folder (ending with /)")
    many = len(sheets) > 1 or (sheet is not None and sheet.lower() == "all")  # each tab alone: no history
    for s in sheets:
        stem = f"{file.stem} - {s}" if len(sheets) > 1 and s else None
        with collector_paused():  # this process owns the job; the assessment is freed inside
            result = convert_file(file, out=out, settings=settings, period=period, sheet=s, profile=profile,
                                  stem=stem, history=not many)
        typer.echo(result)
        if pdf:
            from xlscorecard.xlsx.pdf import print_to_pdf

            typer.echo(print_to_pdf(result))


@app.command()
def batch(
    inbox: Annotated[Path, typer.Argument(help="Folder of submitted workbooks.", show_default=False)],
    outbox: Annotated[
        Path | None, typer.Option("-o", "--out", help="Folder for returns and the report (required).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Parallel worker processes.")] = 2,
    rules: RulesOpt = None,
    pattern: Annotated[str, typer.Option("--pattern", help="Which files to take (glob).")] = "*.xlsx",
    force: Annotated[bool, typer.Option("--force", help="Convert again even if unchanged.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds allowed per workbook.")] = 120.0,
    pdf: PdfOpt = False,
    layout: LayoutOpt = None,
) -> None:
    """Convert a folder of workbooks; write report.csv, report.json and tidy.csv. Exit 1 if any failed."""
    from xlscorecard.batch import batch_command

    raise typer.Exit(batch_command(inbox, outbox, workers=workers, rules=rules, pattern=pattern,
                                   force=force, timeout=timeout, pdf=pdf, layouts=layout))


@app.command()
@user_errors
def serve(
    returns: Annotated[Path, typer.Option("--returns", help="Folder of formatted returns to offer.")],
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    max_upload_mb: Annotated[
        float, typer.Option("--max-upload-mb", min=0.001, help="Largest workbook an officer may upload, in MB.")
    ] = 20.0,
    users: Annotated[Path | None, typer.Option("--users", help="Accounts file (see `xlscorecard users`).")] = None,
    auth_header: Annotated[
        str | None, typer.Option("--auth-header", help="Header naming the user, set by the council's sign-on proxy.")
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None, typer.Option("--trusted-proxy", help="Address (or network) of that proxy; repeatable.")
    ] = None,
    roles: Annotated[
        Path | None, typer.Option("--roles", help="TOML mapping sign-on user names to roles.")
    ] = None,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="Serve an open page on any address.")] = False,
    keep_days: Annotated[float, typer.Option("--keep-days", min=0.001, help="Remove uploads older than this.")] = 30,
    quota_mb: Annotated[float, typer.Option("--quota-mb", min=0.001, help="Uploads kept per user, in MB.")] = 200.0,
    quota_uploads: Annotated[int, typer.Option("--quota-uploads", min=1, help="Uploads kept per user.")] = 100,
    session_minutes: Annotated[
        float, typer.Option("--session-minutes", min=0.01, help="Sign out after this long without a request.")
    ] = 60,
    audit_log: Annotated[
        Path | None, typer.Option("--audit-log", help="Audit log (JSON lines); default RETURNS/audit.jsonl.")
    ] = None,
    certfile: Annotated[Path | None, typer.Option("--certfile", help="TLS certificate (PEM): serve HTTPS.")] = None,
    keyfile: Annotated[Path | None, typer.Option("--keyfile", help="TLS private key (PEM).")] = None,
    layout: LayoutOpt = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Uploads converted at once, each in its own worker process.")
    ] = 2,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.001, help="Seconds an upload's conversion may take.")
    ] = 120.0,
    worker_memory_mb: Annotated[
        int, typer.Option("--worker-memory-mb", min=64, help="Memory an upload's conversion may use, in MB.")
    ] = 1024,
) -> None:
    """The officers' web page: list, download and upload returns."""
    from xlscorecard.core.reading.profile import load_profile
    from xlscorecard.web import serve as run_server
    from xlscorecard.web.serve_options import ServeOptions, build
    from xlscorecard.web.worker import WorkerLimits

    options = ServeOptions(
        returns=returns, host=host, users=users, auth_header=auth_header, trusted_proxy=trusted_proxy or [],
        roles=roles, no_auth=no_auth, keep_days=keep_days, quota_mb=quota_mb, quota_uploads=quota_uploads,
        session_minutes=session_minutes, audit_log=audit_log, certfile=certfile, keyfile=keyfile,
    )
    access, retention = build(options)
    profiles = [load_profile(p) for p in layout or []]
    run_server(returns, host=host, port=port, max_upload_bytes=int(max_upload_mb * 1024 * 1024), layouts=profiles,
               access=access, retention=retention, certfile=certfile, keyfile=keyfile,
               workers=WorkerLimits(workers=workers, timeout=timeout, memory_bytes=worker_memory_mb * 1024**2))


@users_app.command("add")
@user_errors
def users_add(
    name: Annotated[str, typer.Argument(help="User name.", show_default=False)],
    role: Annotated[str, typer.Option("--role", help="officer (list, download) or analyst (also upload).")],
    users: UsersOpt = Path("users.json"),
) -> None:
    """Add an account, or set a new role and password; the password is asked for (or read from stdin)."""
    from xlscorecard.web.accounts import Role, add_user

    if role not in {r.value for r in Role}:
        fail(f"--role must be officer or analyst, not {role!r}")
    if sys.stdin.isatty():
        password = typer.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    new = add_user(users, name, Role(role), password)
    typer.echo(f"{'added' if new else 'updated'} {name} ({role}) in {users}")


@users_app.command("remove")
@user_errors
def users_remove(
    name: Annotated[str, typer.Argument(help="User name.", show_default=False)],
    users: UsersOpt = Path("users.json"),
) -> None:
    """Remove an account (a running server signs it out at its next request)."""
    from xlscorecard.web.accounts import remove_user

    remove_user(users, name)
    typer.echo(f"removed {name} from {users}")


@users_app.command("list")
@user_errors
def users_list(users: UsersOpt = Path("users.json")) -> None:
    """The accounts and their roles."""
    from xlscorecard.web.accounts import load_accounts

    for name, account in sorted(load_accounts(users).users.items()):
        typer.echo(f"{name}\t{account.role.value}")


@app.command("layout")
@user_errors
def layout_command(
    file: FileArg,
    sheet: SheetOpt = None,
    layout: LayoutOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
    save: Annotated[
        Path | None, typer.Option("--save", help="Write what was recognised as a layout profile (TOML).")
    ] = None,
) -> None:
    """Show how each header cell was understood (role, period, unit) and list those that were not."""
    from xlscorecard.api import profile_sheet, read_layout
    from xlscorecard.atomic import write_atomically
    from xlscorecard.core.reading.explain import layout_report, layout_text, profile_of
    from xlscorecard.core.reading.profile import dump_profile

    profile = layout_profile(layout, file)
    grid, header = read_layout(file, profile_sheet(sheet, profile), profile)
    report = layout_report(grid, header, str(file))
    if save is not None:
        write_atomically(save, dump_profile(profile_of(grid, header, str(file))).encode())
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    else:
        typer.echo(layout_text(report))
        if save is not None:
            typer.echo(f"Profile written: {save}")


@app.command()
@user_errors
def rollover(
    file: FileArg,
    to: Annotated[str, typer.Option("--to", help="The new quarter, e.g. 'Qu 3 18-19'.")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Output file or folder.")] = None,
    sheet: SheetOpt = None,
) -> None:
    """Write next quarter's blank submission workbook, with entry validation."""
    from xlscorecard.rollover import rollover_file

    typer.echo(rollover_file(file, to, out=out, sheet=sheet))


@app.command()
@user_errors
def template(
    file: FileArg,
    year: Annotated[str, typer.Option("--year", help="Financial year of the template, e.g. '2019-20'.")],
    quarter: Annotated[int, typer.Option("--quarter", help="Quarter to mark for entry (1-4).")] = 1,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Output file or folder.")] = None,
    sheet: SheetOpt = None,
) -> None:
    """Write a blank template for a year from FILE's sections and PIs: values empty, entry validated."""
    from xlscorecard.rollover import template_file

    typer.echo(template_file(file, year, quarter=quarter, out=out, sheet=sheet))


@app.command()
@user_errors
def export(
    file: FileArg,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="csv, parquet or json (default: from OUT's extension, else csv)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Output file, or folder for '<stem> tidy.<format>'.")
    ] = None,
    rules: RulesOpt = None,
    period: PeriodOpt = None,
    sheet: SheetOpt = None,
) -> None:
    """Write tidy data: one row per PI per period that holds a value, for Power BI and pandas."""
    from xlscorecard.api import check_file, load_settings
    from xlscorecard.core.tidy import tidy_rows
    from xlscorecard.export import TidyFormat, export_path, write_tidy
    from xlscorecard.report import to_json

    chosen = fmt or (out.suffix.lstrip(".").lower() if out is not None and out.suffix else "csv")
    try:
        tidy_format = TidyFormat(chosen.lower())
    except ValueError:
        fail(f"--format {chosen!r} is not one of csv, parquet, json")
    assessment = check_file(file, sheet=sheet, period=period, settings=load_settings(rules))
    target = export_path(out if out is not None else file.parent, f"{file.stem} tidy", tidy_format)
    if target.resolve() == file.resolve():
        fail(f"{file}: output would overwrite the input; choose another -o")
    typer.echo(write_tidy(tidy_rows(to_json(assessment)), target, tidy_format))
