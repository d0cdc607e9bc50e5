"""The `xlscorecard` command line (DESIGN 9): thin wrappers over the library, built with Click.

Each command imports what it uses inside its function, so `convert` does not pay for rich's
tables, pandas, the web server or the add-in; the shared options, the Click classes and the error
contract are in `cli_options`.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from xlscorecard import __version__
from xlscorecard.cli_options import (
    PATH,
    Group,
    HelpArgument,
    fail,
    file_argument,
    layout_option,
    layout_profile,
    list_or_none,
    pdf_option,
    period_option,
    rules_option,
    sheet_option,
    sheets_to_read,
    user_errors,
    users_option,
)

# The command line uses no pydantic plugin, and looking for them reads every installed package's
# metadata (about 30 ms of each command's start-up). A user who sets this variable keeps theirs.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


@click.group(cls=Group, context_settings={"show_default": True, "max_content_width": 120})
@click.version_option(__version__, "--version", prog_name="xlscorecard", message="%(prog)s %(version)s")
def app() -> None:
    """Recompute RAG and direction of travel on council performance scorecards."""


@app.group("addin")
def addin_app() -> None:
    """Build or install the Excel add-in."""


@app.group("users")
def users_app() -> None:
    """Accounts for the officers' web page (`serve --users FILE`)."""


@app.command("check")
@file_argument
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@rules_option
@period_option
@sheet_option
@layout_option
@user_errors
def check(
    file: Path, as_json: bool, rules: Path | None, period: str | None, sheet: str | None, layout: list[Path] | None
) -> None:
    """Parse, rate and list findings; change nothing. With --sheet all, each scorecard sheet in turn."""
    from xlscorecard.api import check_file, load_settings
    from xlscorecard.process import collector_paused
    from xlscorecard.report import print_summary, to_json

    profile = layout_profile(layout, file)
    settings = load_settings(rules)
    sheets, many = sheets_to_read(file, sheet, profile)
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
@click.option("-o", "--out", type=PATH, default=Path("."), help="Folder to write xlscorecard.xlam into.")
@user_errors
def addin_build(out: Path) -> None:
    """Build xlscorecard.xlam from the text sources shipped in the package."""
    from xlscorecard.addin.build import build_addin

    click.echo(build_addin(out))


@addin_app.command("install")
@click.option("--layout", type=PATH, help="Layout profile (TOML) the buttons read every workbook with; "
              "a layout.toml beside a workbook wins.")
@user_errors
def addin_install(layout: Path | None) -> None:
    """Install the add-in into Excel's start-up folder (Windows and macOS)."""
    from xlscorecard.addin.install import install_addin

    click.echo(install_addin(layout=layout))


@app.command("convert")
@file_argument
@click.option("-o", "--out", help="Output folder (made if missing), or a file name ending .xlsx.")
@rules_option
@period_option
@sheet_option
@pdf_option
@layout_option
@user_errors
def convert(
    file: Path, out: str | None, rules: Path | None, period: str | None, sheet: str | None, pdf: bool,
    layout: list[Path] | None,
) -> None:
    """Write the formatted return workbook and its check --json sidecar (with --sheet all, one per sheet)."""
    from xlscorecard.api import convert_file, load_settings
    from xlscorecard.process import collector_paused

    if pdf:
        from xlscorecard.xlsx.pdf import require_libreoffice

        require_libreoffice(file)  # before any work: say how to install it, and write nothing
    profile = layout_profile(layout, file)
    settings = load_settings(rules)
    sheets, many = sheets_to_read(file, sheet, profile)
    if len(sheets) > 1 and out is not None and not (Path(out).is_dir() or out.endswith(("/", os.sep))):
        fail(f"{file}: --sheet all writes a return per sheet: give -o a folder (ending with /)")
    for s in sheets:
        stem = f"{file.stem} - {s}" if len(sheets) > 1 and s else None
        with collector_paused():  # this process owns the job; the assessment is freed inside
            result = convert_file(file, out=out, settings=settings, period=period, sheet=s, profile=profile,
                                  stem=stem, history=not many)  # each tab alone: no history
        click.echo(result)
        if pdf:
            from xlscorecard.xlsx.pdf import print_to_pdf

            click.echo(print_to_pdf(result))


@app.command("batch")
@click.argument("inbox", cls=HelpArgument, type=PATH, help="Folder of submitted workbooks.")
@click.option("-o", "--out", "outbox", type=PATH, help="Folder for returns and the report (required).")
@click.option("--workers", type=int, default=2, help="Parallel worker processes.")
@rules_option
@click.option("--pattern", default="*.xlsx", help="Which files to take (glob).")
@click.option("--force", is_flag=True, help="Convert again even if unchanged.")
@click.option("--timeout", type=float, default=120.0, help="Seconds allowed per workbook.")
@pdf_option
@layout_option
def batch(
    inbox: Path, outbox: Path | None, workers: int, rules: Path | None, pattern: str, force: bool, timeout: float,
    pdf: bool, layout: list[Path] | None,
) -> None:
    """Convert a folder of workbooks; write report.csv, report.json and tidy.csv. Exit 1 if any failed."""
    from xlscorecard.batch import batch_command

    raise click.exceptions.Exit(batch_command(inbox, outbox, workers=workers, rules=rules, pattern=pattern,
                                              force=force, timeout=timeout, pdf=pdf, layouts=layout))


@app.command("serve")
@click.option("--returns", type=PATH, required=True, help="Folder of formatted returns to offer.")
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=8000)
@click.option("--max-upload-mb", type=click.FloatRange(min=0.001), default=20.0,
              help="Largest workbook an officer may upload, in MB.")
@click.option("--users", type=PATH, help="Accounts file (see `xlscorecard users`).")
@click.option("--auth-header", help="Header naming the user, set by the council's sign-on proxy.")
@click.option("--trusted-proxy", multiple=True, callback=list_or_none,
              help="Address (or network) of that proxy; repeatable.")
@click.option("--roles", type=PATH, help="TOML mapping sign-on user names to roles.")
@click.option("--no-auth", is_flag=True, help="Serve an open page on any address.")
@click.option("--keep-days", type=click.FloatRange(min=0.001), default=30, help="Remove uploads older than this.")
@click.option("--quota-mb", type=click.FloatRange(min=0.001), default=200.0, help="Uploads kept per user, in MB.")
@click.option("--quota-uploads", type=click.IntRange(min=1), default=100, help="Uploads kept per user.")
@click.option("--session-minutes", type=click.FloatRange(min=0.01), default=60,
              help="Sign out after this long without a request.")
@click.option("--audit-log", type=PATH, help="Audit log (JSON lines); default RETURNS/audit.jsonl.")
@click.option("--certfile", type=PATH, help="TLS certificate (PEM): serve HTTPS.")
@click.option("--keyfile", type=PATH, help="TLS private key (PEM).")
@layout_option
@click.option("--workers", type=click.IntRange(min=1), default=2,
              help="Uploads converted at once, each in its own worker process.")
@click.option("--timeout", type=click.FloatRange(min=0.001), default=120.0,
              help="Seconds an upload's conversion may take.")
@click.option("--worker-memory-mb", type=click.IntRange(min=64), default=1024,
              help="Memory an upload's conversion may use, in MB.")
@user_errors
def serve(
    returns: Path, host: str, port: int, max_upload_mb: float, users: Path | None, auth_header: str | None,
    trusted_proxy: list[str] | None, roles: Path | None, no_auth: bool, keep_days: float, quota_mb: float,
    quota_uploads: int, session_minutes: float, audit_log: Path | None, certfile: Path | None,
    keyfile: Path | None, layout: list[Path] | None, workers: int, timeout: float, worker_memory_mb: int,
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
@click.argument("name", cls=HelpArgument, help="User name.")
@click.option("--role", required=True, help="officer (list, download) or analyst (also upload).")
@users_option
@user_errors
def users_add(name: str, role: str, users: Path) -> None:
    """Add an account, or set a new role and password; the password is asked for (or read from stdin)."""
    from xlscorecard.web.accounts import Role, add_user

    if role not in {r.value for r in Role}:
        fail(f"--role must be officer or analyst, not {role!r}")
    if sys.stdin.isatty():
        password = click.prompt(f"Password for {name}", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    new = add_user(users, name, Role(role), password)
    click.echo(f"{'added' if new else 'updated'} {name} ({role}) in {users}")


@users_app.command("remove")
@click.argument("name", cls=HelpArgument, help="User name.")
@users_option
@user_errors
def users_remove(name: str, users: Path) -> None:
    """Remove an account (a running server signs it out at its next request)."""
    from xlscorecard.web.accounts import remove_user

    remove_user(users, name)
    click.echo(f"removed {name} from {users}")


@users_app.command("list")
@users_option
@user_errors
def users_list(users: Path) -> None:
    """The accounts and their roles."""
    from xlscorecard.web.accounts import load_accounts

    for name, account in sorted(load_accounts(users).users.items()):
        click.echo(f"{name}\t{account.role.value}")


@app.command("layout")
@file_argument
@sheet_option
@layout_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
@click.option("--save", type=PATH, help="Write what was recognised as a layout profile (TOML).")
@user_errors
def layout_command(
    file: Path, sheet: str | None, layout: list[Path] | None, as_json: bool, save: Path | None
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
        click.echo(layout_text(report))
        if save is not None:
            click.echo(f"Profile written: {save}")


@app.command("rollover")
@file_argument
@click.option("--to", required=True, help="The new quarter, e.g. 'Qu 3 18-19'.")
@click.option("-o", "--out", type=PATH, help="Output file or folder.")
@sheet_option
@user_errors
def rollover(file: Path, to: str, out: Path | None, sheet: str | None) -> None:
    """Write next quarter's blank submission workbook, with entry validation."""
    from xlscorecard.rollover import rollover_file

    click.echo(rollover_file(file, to, out=out, sheet=sheet))


@app.command("template")
@file_argument
@click.option("--year", required=True, help="Financial year of the template, e.g. '2019-20'.")
@click.option("--quarter", type=int, default=1, help="Quarter to mark for entry (1-4).")
@click.option("-o", "--out", type=PATH, help="Output file or folder.")
@sheet_option
@user_errors
def template(file: Path, year: str, quarter: int, out: Path | None, sheet: str | None) -> None:
    """Write a blank template for a year from FILE's sections and PIs: values empty, entry validated."""
    from xlscorecard.rollover import template_file

    click.echo(template_file(file, year, quarter=quarter, out=out, sheet=sheet))


@app.command("export")
@file_argument
@click.option("--format", "fmt", help="csv, parquet or json (default: from OUT's extension, else csv).")
@click.option("-o", "--out", type=PATH, help="Output file, or folder for '<stem> tidy.<format>'.")
@rules_option
@period_option
@sheet_option
@user_errors
def export(file: Path, fmt: str | None, out: Path | None, rules: Path | None, period: str | None,
           sheet: str | None) -> None:
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
    click.echo(write_tidy(tidy_rows(to_json(assessment)), target, tidy_format))
