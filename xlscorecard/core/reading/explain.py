"""How a sheet's header was understood: what `xlscorecard layout` prints, and the profile `--save` writes."""

from __future__ import annotations

from typing import Any

from xlscorecard.core.errors import WorkbookError
from xlscorecard.core.grid import Grid
from xlscorecard.core.reading.header import Header, find_header
from xlscorecard.core.reading.profile import Profile
from xlscorecard.core.reading.scorecard_reader import no_period_message


def understood_header(grid: Grid, profile: Profile | None = None, file: str | None = None) -> Header:
    """The header, or the one-line refusal when it has no period column."""
    header = find_header(grid, profile)
    if header is None or not (header.periods or header.is_long()):
        raise WorkbookError(no_period_message(grid, header), file)
    return header


def layout_report(grid: Grid, header: Header, file: str) -> dict[str, Any]:
    """The `layout --json` object: every header cell with its role, period, unit and source."""
    columns = []
    for cell in header.cells:
        address = grid.address(cell.r, cell.c)
        columns.append(
            {
                "cell": address,
                "column": address.rstrip("0123456789"),
                "text": cell.text,
                "role": cell.role if cell.period is None else None,
                "period": cell.period.label if cell.period is not None else None,
                "granularity": cell.period.kind.value if cell.period is not None else None,
                "unit": "%" if "%" in cell.text else None,
                "source": cell.source,
            }
        )
    return {
        "file": file,
        "sheet": grid.sheet,
        "header_rows": [grid.sheet_row(r) for r in header.rows],
        "columns": columns,
        "unrecognised": [{"cell": grid.address(c.r, c.c), "text": c.text} for c in header.unrecognised],
    }


def layout_text(report: dict[str, Any]) -> str:
    """The same, for people: one line per header cell."""
    lines = [f"{report['file']}  sheet '{report['sheet']}'  header row(s) {', '.join(map(str, report['header_rows']))}"]
    for col in report["columns"]:
        if col["period"] is not None:
            meaning = f"period {col['period']} ({col['granularity']})"
        elif col["role"] is not None:
            meaning = col["role"]
        else:
            meaning = "NOT UNDERSTOOD"
        unit = f", unit {col['unit']}" if col["unit"] else ""
        lines.append(f"  {col['cell']:<6} {col['text'][:50]!r:<54} -> {meaning}{unit}  [{col['source']}]")
    if report["unrecognised"]:
        lines.append(
            "Not understood: "
            + ", ".join(f"{u['cell']} '{u['text']}'" for u in report["unrecognised"])
            + " (name them in a profile: xlscorecard layout FILE --save PROFILE.toml, edit, then --layout PROFILE.toml)"
        )
    else:
        lines.append("Every header cell was understood.")
    return "\n".join(lines)


def profile_of(grid: Grid, header: Header, file: str) -> Profile:
    """A starting profile: what was recognised, by header text (column letters where text repeats)."""
    columns: dict[str, str] = {}
    texts = [c.text for c in header.cells]
    for cell in header.cells:
        if cell.role is None and cell.period is None:
            continue
        key = cell.text if texts.count(cell.text) == 1 else grid.address(cell.r, cell.c).rstrip("0123456789")
        columns[key] = f"period:{cell.period.label}" if cell.period is not None else str(cell.role)
    return Profile(
        source=file, sheet=grid.sheet, header_rows=[grid.sheet_row(r) for r in header.rows], columns=columns
    )
