"""Choosing sheets when a workbook holds several scorecards (a tab per quarter, or per service)."""

from __future__ import annotations

from xlscorecard.core.errors import shortened
from xlscorecard.core.findings import Code, Finding, finding
from xlscorecard.core.grid import Grid
from xlscorecard.core.reading.header import find_header
from xlscorecard.core.reading.profile import Profile


def scorecard_sheets(heads: list[Grid], profile: Profile | None = None) -> list[str]:
    """The sheets (given by their first rows) whose header has a period column, in workbook order."""
    found = []
    for grid in heads:
        header = find_header(grid, profile)
        if header is not None and (header.periods or header.is_long()):
            found.append(grid.sheet)
    return found


def latest_sheet(heads: list[Grid], profile: Profile | None = None) -> str | None:
    """The sheet whose latest period ends last (the latest quarter's tab); the first of equals."""
    best: tuple[tuple[int, int], str] | None = None
    for grid in heads:
        header = find_header(grid, profile)
        if header is None or not header.periods:
            continue
        key = max(p.sort_key for _, p in header.periods)
        if best is None or key > best[0]:
            best = (key, grid.sheet)
    return best[1] if best else None


def others_finding(chosen: str, sheets: list[str]) -> Finding | None:
    """An info finding naming every other sheet that holds a scorecard (read them with --sheet or --sheet all)."""
    others = [s for s in sheets if s != chosen]
    if not others:
        return None
    names = ", ".join(f"'{s}'" for s in others)
    return finding(
        Code.OTHER_SCORECARDS,
        chosen,
        None,
        None,
        f"read sheet '{chosen}'; other sheets also hold a scorecard: {names} (use --sheet NAME or --sheet all)",
    )


def unread_history_finding(chosen: str, sheet: str, reason: str) -> Finding:
    """A warning that tab `sheet`, whose header looked like a scorecard's, could not be read for history."""
    return finding(
        Code.HISTORY_UNREAD,
        chosen,
        None,
        None,
        f"sheet '{sheet}' looks like a scorecard but could not be read ({shortened(reason, 200)});"
        f" none of its values were used for sheet '{chosen}' (read it with --sheet '{sheet}' to see why)",
    )
