"""Long layouts: one row per indicator per period (Quarter, Indicator, Value, Target, Polarity).

The rows are gathered into the wide shape the rest of the reader knows: one row per indicator,
one column per period, the other columns taken from the indicator's latest row. The wide Grid is
built in memory; it is what the Scorecard is read from.
"""

from __future__ import annotations

from xlscorecard.grid import CellValue, Grid
from xlscorecard.reading.header import Header, HeaderCell
from xlscorecard.reading.periods import Period, order_periods, parse_period

_CARRIED = ("ref", "measure", "section", "lead", "polarity", "target", "floor", "band_red", "band_amber",
            "band_green", "stat_neighbour", "national", "rag", "travel", "comments")  # fmt: skip


def read_long(grid: Grid, header: Header) -> tuple[Grid, Header]:
    """The long sheet as a wide Grid and its Header (one row per indicator, a column per period)."""
    roles = header.roles
    period_c, value_c = roles["period"], roles["value"]
    key_c = roles.get("ref", roles.get("measure"))
    assert key_c is not None
    carried = [role for role in _CARRIED if role in roles and role != "section"]
    order: list[str] = []
    rows: dict[str, dict[str, CellValue]] = {}
    latest: dict[str, Period] = {}
    formats: dict[str, dict[str, str | None]] = {}
    periods: dict[str, Period] = {}
    for r in range(header.row + 1, grid.height):
        row = grid.values[r]
        key = row[key_c] if key_c < len(row) else None
        period = parse_period(row[period_c]) if period_c < len(row) else None
        if key is None or period is None:
            continue
        key_text = str(key).strip()
        if key_text not in rows:
            order.append(key_text)
            rows[key_text] = {}
            formats[key_text] = {}
        periods.setdefault(period.label, period)
        rows[key_text][period.label] = row[value_c] if value_c < len(row) else None
        formats[key_text][period.label] = grid.number_format(r, value_c)
        if key_text not in latest or latest[key_text].sort_key <= period.sort_key:
            latest[key_text] = period
            for role in carried:
                rows[key_text][f"role:{role}"] = row[roles[role]]
                formats[key_text][f"role:{role}"] = grid.number_format(r, roles[role])
            if "section" in roles:
                rows[key_text]["role:section"] = row[roles["section"]]
    ordered = order_periods(list(periods.values()))
    names = [*(f"role:{role}" for role in carried), *(p.label for p in ordered)]
    top = [role.split(":", 1)[1] if role.startswith("role:") else role for role in names]
    values: list[list[CellValue]] = [list(top)]
    fmts: list[list[str | None]] = [[None] * len(names)]
    section: CellValue = None
    for key in order:
        if "section" in roles and rows[key].get("role:section") != section:
            section = rows[key].get("role:section")
            values.append([section, *([None] * (len(names) - 1))])
            fmts.append([None] * len(names))
        values.append([rows[key].get(name) for name in names])
        fmts.append([formats[key].get(name) for name in names])
    wide = Grid.from_rows(values, number_formats=fmts, origin=grid.origin, sheet=grid.sheet)
    new_roles = {role: c for c, role in enumerate(carried)}
    new_periods = [(len(carried) + i, p) for i, p in enumerate(ordered)]
    cells = [HeaderCell(r=0, c=c, text=text) for c, text in enumerate(top)]
    return wide, Header(row=0, roles=new_roles, periods=new_periods, rows=[0], cells=cells,
                        raw_rows=[{c: t for c, t in enumerate(top)}])
