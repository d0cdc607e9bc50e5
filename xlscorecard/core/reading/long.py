"""Long layouts: one row per indicator per period (Quarter, Indicator, Value, Target, Polarity).

The rows are gathered into the wide shape the rest of the reader knows: one row per indicator,
one column per period, the other columns taken from the indicator's latest row. The wide Grid is
built in memory; it is what the Scorecard is read from. Its cells do not exist in the user's
workbook, so a Placement says where each came from: every value, target and finding is then
given the cell of the source sheet (the value cell of the indicator's row for that period).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from xlscorecard.core.errors import shortened
from xlscorecard.core.findings import Code, Finding, finding
from xlscorecard.core.grid import CellValue, Grid
from xlscorecard.core.reading.header import Header, HeaderCell, period_of
from xlscorecard.core.reading.periods import Period, order_periods, quarters_by_last_month
from xlscorecard.core.scorecard import Indicator, Section
from xlscorecard.core.values import Observation

_CARRIED = ("ref", "measure", "section", "lead", "polarity", "target", "floor", "band_red", "band_amber",
            "band_green", "stat_neighbour", "national", "rag", "travel", "travel_year", "comments")  # fmt: skip


@dataclass(frozen=True)
class Placement:
    """Where each cell of the rebuilt wide grid sits in the source sheet.

    `cells` maps a wide-grid address to the source address (a period with no row for that
    indicator has none); `rows` maps a wide-grid sheet row to the indicator's first source row.
    """

    cells: dict[str, str]
    rows: dict[int, int]

    def cell(self, address: str | None) -> str | None:
        """The source address of a wide-grid address; None where the source has no such cell."""
        return self.cells.get(address) if address else address

    def observation(self, obs: Observation) -> Observation:
        return obs.model_copy(update={"cell": self.cell(obs.cell)})

    def indicator(self, ind: Indicator) -> None:
        """Give the indicator (made for this reading alone) its source cells, in place."""
        ind.values = {label: self.observation(obs) for label, obs in ind.values.items()}
        ind.stat_neighbour = self.observation(ind.stat_neighbour)
        ind.national = self.observation(ind.national)
        ind.submitted_rag = self.observation(ind.submitted_rag)
        ind.submitted_arrow = self.observation(ind.submitted_arrow)
        ind.submitted_year_arrow = self.observation(ind.submitted_year_arrow)
        ind.target = replace(ind.target, cell=self.cell(ind.target.cell))
        ind.row = self.rows.get(ind.row, ind.row)

    def section(self, section: Section) -> Section:
        return replace(section, row=self.rows.get(section.row, section.row))

    def finding(self, found: Finding) -> Finding:
        return replace(found, cell=self.cell(found.cell))


def read_long(grid: Grid, header: Header) -> tuple[Grid, Header, Placement, list[Finding]]:
    """The long sheet as a wide Grid and its Header (one row per indicator, a column per period),
    with the Placement of each wide cell in the source sheet, and a finding for each row left out
    because its period is not understood."""
    roles = header.roles
    period_c, value_c = roles["period"], roles["value"]
    key_c = roles.get("ref", roles.get("measure"))
    assert key_c is not None
    carried = [role for role in _CARRIED if role in roles and role != "section"]
    others = sorted(header.others.items())
    order: list[str] = []
    rows: dict[str, dict[str, CellValue]] = {}
    latest: dict[str, Period] = {}
    formats: dict[str, dict[str, str | None]] = {}
    sources: dict[str, dict[str, str]] = {}  # key -> wide column name -> source address
    first_row: dict[str, int] = {}
    periods: dict[str, Period] = {}
    skipped: list[Finding] = []
    # Dates on each quarter's last day are that quarter (as in a wide header): read every period first.
    named = {r: period_of(grid.values[r][period_c]) if period_c < len(grid.values[r]) else None
             for r in range(header.row + 1, grid.height)}
    quarterly = quarters_by_last_month(list({p for p in named.values() if p is not None}))
    for r in range(header.row + 1, grid.height):
        row = grid.values[r]
        key = row[key_c] if key_c < len(row) else None
        period = named[r]
        if key is not None and period is None and period_c < len(row) and _shown(row[period_c]):
            skipped.append(finding(
                Code.UNPARSED_VALUE, grid.sheet, grid.address(r, period_c), str(key).strip(),
                f"period '{shortened(_shown(row[period_c]), 60)}' is not understood, so row {grid.sheet_row(r)}"
                " was not read (write it like 'Q2 2018/19' or name it with a layout profile)",
            ))
        if key is None or period is None:
            continue
        period = quarterly.get(period, period)
        key_text = str(key).strip()
        if key_text not in rows:
            order.append(key_text)
            rows[key_text], formats[key_text], sources[key_text] = {}, {}, {}
            first_row[key_text] = grid.sheet_row(r)
        periods.setdefault(period.label, period)
        rows[key_text][period.label] = row[value_c] if value_c < len(row) else None
        formats[key_text][period.label] = grid.number_format(r, value_c)
        sources[key_text][period.label] = grid.address(r, value_c)
        if key_text not in latest or latest[key_text].sort_key <= period.sort_key:
            latest[key_text] = period
            columns = [(f"role:{role}", roles[role]) for role in carried] + [(f"other:{c}", c) for c, _ in others]
            for name, c in columns:
                rows[key_text][name] = row[c] if c < len(row) else None
                formats[key_text][name] = grid.number_format(r, c)
                sources[key_text][name] = grid.address(r, c)
            if "section" in roles:
                rows[key_text]["role:section"] = row[roles["section"]]
    ordered = order_periods(list(periods.values()))
    names = [*(f"role:{role}" for role in carried), *(f"other:{c}" for c, _ in others), *(p.label for p in ordered)]
    top = [*carried, *(text for _, text in others), *(p.label for p in ordered)]
    values: list[list[CellValue]] = [list(top)]
    fmts: list[list[str | None]] = [[None] * len(names)]
    wide_sources: list[tuple[int, dict[str, str]]] = []  # (first source row, sources) per wide row
    section: CellValue = None
    for key in order:
        if "section" in roles and rows[key].get("role:section") != section:
            section = rows[key].get("role:section")
            values.append([section, *([None] * (len(names) - 1))])
            fmts.append([None] * len(names))
            wide_sources.append((first_row[key], {}))
        values.append([rows[key].get(name) for name in names])
        fmts.append([formats[key].get(name) for name in names])
        wide_sources.append((first_row[key], sources[key]))
    wide = Grid.from_rows(values, number_formats=fmts, origin=grid.origin, sheet=grid.sheet)
    placement = Placement(cells={}, rows={})
    for r, (source_row, found) in enumerate(wide_sources, start=1):
        placement.rows[wide.sheet_row(r)] = source_row
        for c, name in enumerate(names):
            if name in found:
                placement.cells[wide.address(r, c)] = found[name]
    new_roles = {role: c for c, role in enumerate(carried)}
    new_others = {len(carried) + i: text for i, (_, text) in enumerate(others)}
    new_periods = [(len(carried) + len(others) + i, p) for i, p in enumerate(ordered)]
    cells = [HeaderCell(r=0, c=c, text=text) for c, text in enumerate(top)]
    wide_header = Header(row=0, roles=new_roles, periods=new_periods, others=new_others, rows=[0], cells=cells,
                         raw_rows=[{c: t for c, t in enumerate(top)}])
    return wide, wide_header, placement, skipped


def _shown(value: CellValue) -> str:
    return "" if value is None else " ".join(str(value).split())
