"""The library entry points shells share: load a workbook or rules file, assess it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from xlscorecard.core.assessment import Assessment, assess
from xlscorecard.core.errors import SettingsError
from xlscorecard.core.grid import Grid
from xlscorecard.core.reading import read_scorecard
from xlscorecard.core.reading.header import Header
from xlscorecard.core.reading.profile import Profile
from xlscorecard.core.scorecard import Scorecard
from xlscorecard.core.settings import Settings
from xlscorecard.xlsx.reader import OpenWorkbook, read_grid, read_sheet_heads, worksheet_count
from xlscorecard.xlsx.safety import SafetyLimits


def load_scorecard(
    path: str | Path,
    sheet: str | None = None,
    period: str | None = None,
    limits: SafetyLimits | None = None,
    profile: Profile | None = None,
    history: bool = True,
) -> Scorecard:
    """Read and parse the scorecard sheet of a .xlsx file (safety checks first), by a layout profile if given."""
    return read_sheet(path, sheet, period, limits, profile, history)[1]


def read_sheet(
    path: str | Path, sheet: str | None, period: str | None, limits: SafetyLimits | None, profile: Profile | None,
    history: bool = True,
) -> tuple[Grid, Scorecard]:
    """The Grid and Scorecard of one sheet: the one named, else the latest quarter's of several (said so).

    With `history` (not for `--sheet all`, where each tab stands alone), the other tabs that hold a
    scorecard supply the periods the chosen one lacks or leaves blank (reading.history); a workbook
    of one sheet reads nothing more.
    """
    with OpenWorkbook(path, limits) as opened:  # the heads and the chosen grid from one opening
        chosen, found = choose_sheets(path, sheet, profile, limits, opened)
        grid = read_grid(path, sheet=chosen[0], limits=limits, opened=opened)
    everyone = sheet is not None and sheet.lower() == "all"
    scorecard = read_scorecard(grid, period=period, file=str(path), profile=profile)
    if len(found) > 1 and not everyone:
        from xlscorecard.core.reading.sheets import others_finding

        note = others_finding(grid.sheet, found)
        if note is not None:
            scorecard.findings.insert(0, note)
    if history and not everyone:
        named = profile_sheet(sheet, profile) is not None  # choose_sheets looked no further than the name
        scorecard = _with_history(path, scorecard, found, named, profile, limits)
    return grid, scorecard


def _with_history(path: str | Path, scorecard: Scorecard, found: list[str], named: bool, profile: Profile | None,
                  limits: SafetyLimits | None) -> Scorecard:
    """The chosen tab's Scorecard with the history the workbook's other scorecard tabs hold."""
    if named and not found:  # are there other scorecard tabs beside the one named?
        if worksheet_count(path) <= 1:
            return scorecard
        from xlscorecard.core.reading.sheets import scorecard_sheets

        found = scorecard_sheets(read_sheet_heads(path, limits), profile)
    others = [name for name in found if name != scorecard.sheet]
    if not others:
        return scorecard
    from xlscorecard.core.errors import WorkbookError
    from xlscorecard.core.reading.history import fill_history
    from xlscorecard.core.reading.sheets import unread_history_finding

    earlier, unread = [], []
    for name in others:
        try:
            earlier.append(read_scorecard(read_grid(path, sheet=name, limits=limits), file=str(path), profile=profile))
        except WorkbookError as exc:  # its header looked like a scorecard's, but the tab cannot be read as one
            unread.append(unread_history_finding(scorecard.sheet, name, exc.message))
    filled = fill_history(scorecard, earlier)
    if unread:
        filled = replace(filled, findings=[*filled.findings, *unread])
    return filled


def choose_sheets(path: str | Path, sheet: str | None, profile: Profile | None = None,
                  limits: SafetyLimits | None = None,
                  opened: OpenWorkbook | None = None) -> tuple[list[str | None], list[str]]:
    """(sheets to read, every sheet holding a scorecard): `--sheet all` gives each; none asked, the latest tab.

    `opened`: the workbook already opened for the read_grid that follows (its heads are read through it).
    """
    from xlscorecard.core.reading.sheets import latest_sheet, scorecard_sheets

    sheet = profile_sheet(sheet, profile)
    if sheet is not None and sheet.lower() != "all":
        return [sheet], []
    if sheet is None and (profile is None or profile.sheet is None) and worksheet_count(path) <= 1:
        return [None], []  # one sheet: nothing to choose (and no second read of a big file)
    heads = read_sheet_heads(path, limits, opened=opened)
    found = scorecard_sheets(heads, profile)
    if sheet is not None:  # all
        return (list(found) or [None]), found
    if len(found) <= 1:
        return [found[0] if found else None], found
    return [latest_sheet([h for h in heads if h.sheet in found], profile) or found[0]], found


def read_layout(path: str | Path, sheet: str | None, profile: Profile | None = None,
                limits: SafetyLimits | None = None) -> tuple[Grid, Header]:
    """The sheet's Grid and how its header was understood (`xlscorecard layout`); refuses a sheet with no period."""
    from xlscorecard.core.reading.explain import understood_header

    with OpenWorkbook(path, limits) as opened:
        chosen, _ = choose_sheets(path, sheet, profile, limits, opened)
        grid = read_grid(path, sheet=chosen[0], limits=limits, opened=opened)
    return grid, understood_header(grid, profile, str(path))


def profile_sheet(sheet: str | None, profile: Profile | None) -> str | None:
    """The sheet asked for, else the profile's (a profile's "all" is for the shells to expand)."""
    if sheet is None and profile is not None and profile.sheet and profile.sheet.lower() != "all":
        return profile.sheet
    return sheet


def load_settings(path: str | Path | None) -> Settings:
    """Settings from a TOML rules file, or the defaults."""
    if path is None:
        return Settings()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError("rules file not found", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read rules file ({exc.__class__.__name__})", path) from None
    return Settings.from_toml(text, source=str(path))


def check_file(
    path: str | Path,
    sheet: str | None = None,
    period: str | None = None,
    settings: Settings | None = None,
    limits: SafetyLimits | None = None,
    profile: Profile | None = None,
    history: bool = True,
) -> Assessment:
    """Parse and assess a workbook: the work behind `xlscorecard check`."""
    return assess(load_scorecard(path, sheet, period, limits, profile, history), settings or Settings())


def convert_file(
    path: str | Path, out: str | Path | None = None, settings: Settings | None = None,
    period: str | None = None, sheet: str | None = None, limits: SafetyLimits | None = None,
    profile: Profile | None = None, stem: str | None = None, history: bool = True,
) -> Path:
    """Write the formatted return for a workbook; returns the path written."""
    return convert_and_assess(
        path, out=out, settings=settings, period=period, sheet=sheet, limits=limits, profile=profile, stem=stem,
        history=history,
    )[0]


def convert_and_assess(
    path: str | Path, out: str | Path | None = None, settings: Settings | None = None,
    period: str | None = None, sheet: str | None = None, limits: SafetyLimits | None = None,
    stem: str | None = None, sidecar: bool = True, profile: Profile | None = None, history: bool = True,
) -> tuple[Path, Assessment]:
    """convert_file, also returning the Assessment behind the return (for reports such as batch's).

    `stem` replaces the input's file stem in the return's name (`<stem> - Qu 2 18-19 return.xlsx`)
    when `out` is a folder or None; batch uses it when two inputs share a stem. The `check --json`
    object is written beside the return as `<return stem>.json` unless `sidecar` is False (a caller
    that renames the return afterwards writes it itself, with xlscorecard.sidecar). `history`: as
    read_sheet (False for each tab of `--sheet all`).
    """
    from xlscorecard.xlsx.return_workbook import ReturnWriter, return_path

    path = Path(path)
    grid, scorecard = read_sheet(path, sheet, period, limits, profile, history)
    assessment = assess(scorecard, settings or Settings())
    named = path if stem is None else path.with_name(f"{stem}.xlsx")
    target = return_path(named, scorecard.reporting_period, out)
    if target.resolve() == path.resolve():
        from xlscorecard.core.errors import ScorecardError

        raise ScorecardError("output would overwrite the input; choose another -o", path)
    writer = ReturnWriter(grid, assessment)
    del grid  # the writer lets go of it after the Scorecard sheet: less memory at peak on a big file
    written = writer.write(target)
    if sidecar:
        from xlscorecard.sidecar import write_sidecar

        write_sidecar(written, assessment)
    return written, assessment
