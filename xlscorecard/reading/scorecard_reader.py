"""From a Grid of cells to a Scorecard: header, periods, sections and PI rows (DESIGN 3)."""

from __future__ import annotations

from xlscorecard.errors import WorkbookError
from xlscorecard.findings import Code, Finding, finding
from xlscorecard.grid import Grid, column_letter
from xlscorecard.reading.header import Header, find_header
from xlscorecard.reading.periods import Period, PeriodKind, order_periods, parse_period
from xlscorecard.reading.rows import Builder
from xlscorecard.records import gc_paused
from xlscorecard.scorecard import Indicator, Scorecard
from xlscorecard.values import Status


def read_scorecard(grid: Grid, period: str | None = None, file: str | None = None) -> Scorecard:
    """Parse a Grid into a Scorecard; raises WorkbookError when no scorecard header is found."""
    with gc_paused():
        return _read_scorecard(grid, period, file)


def _read_scorecard(grid: Grid, period: str | None, file: str | None) -> Scorecard:
    header = find_header(grid)
    if header is None:
        raise WorkbookError(
            f"sheet '{grid.sheet}' has no scorecard header row "
            "(expected columns such as PI Ref, Measure, Target and quarters like 'Qu 2 18-19')",
            file,
        )
    ordered = order_periods([p for _, p in header.periods])
    period_col = {p.label: c for c, p in header.periods}
    builder = Builder(grid, header, ordered, period_col)
    for r in range(header.row + 1, grid.height):
        builder.add_row(r)
    reporting = _reporting_period(builder.indicators, ordered, period, file)
    findings = builder.findings + _value_findings(grid.sheet, builder.indicators, ordered, reporting)
    columns = {role: column_letter(grid.sheet_column(c)) for role, c in header.roles.items()}
    columns.update({label: column_letter(grid.sheet_column(c)) for label, c in period_col.items()})
    headers = {
        column_letter(grid.sheet_column(c)): str(v).strip()
        for c, v in enumerate(grid.values[header.row])
        if isinstance(v, str) and v.strip()
    }
    return Scorecard(
        file=file,
        sheet=grid.sheet,
        title=_title(grid, header),
        header_row=grid.sheet_row(header.row),
        columns=columns,
        headers=headers,
        periods=ordered,
        reporting_period=reporting,
        sections=builder.sections,
        indicators=builder.indicators,
        findings=findings,
        formats_known=grid.number_formats is not None,
    )


def _title(grid: Grid, header: Header) -> str | None:
    for row in grid.values[: header.row]:
        for value in row:
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None



def _reporting_period(
    indicators: list[Indicator], periods: list[Period], wanted: str | None, file: str | None
) -> str | None:
    quarters = [p for p in periods if p.kind is PeriodKind.QUARTER]
    if wanted is not None:
        target = parse_period(wanted)
        for p in periods:
            if p.label.lower() == wanted.strip().lower() or (
                target is not None and (p.kind, p.year, p.quarter) == (target.kind, target.year, target.quarter)
            ):
                return p.label
        raise WorkbookError(
            f"period '{wanted}' is not a column of this scorecard (columns: {', '.join(p.label for p in periods)})",
            file,
        )
    for p in reversed(quarters):
        if any(not ind.values[p.label].is_blank for ind in indicators):
            return p.label
    return quarters[-1].label if quarters else (periods[-1].label if periods else None)


_CELL_FINDING_STATUSES = frozenset({Status.SUPPRESSED, Status.EXCEL_ERROR, Status.UNPARSED})


def _value_findings(
    sheet: str, indicators: list[Indicator], periods: list[Period], reporting: str | None
) -> list[Finding]:
    """Findings about individual value cells: missing, suppressed, errors, unreadable text."""
    out: list[Finding] = []
    labels = [p.label for p in periods]
    for ind in indicators:
        values = ind.values
        cells = [(label, values[label]) for label in labels]
        cells += [("statistical neighbour average", ind.stat_neighbour), ("national average", ind.national)]
        for label, obs in cells:
            if obs.status not in _CELL_FINDING_STATUSES:
                continue
            if obs.status is Status.SUPPRESSED:
                out.append(
                    finding(Code.SUPPRESSED, sheet, obs.cell, ind.ref, f"{label} value is suppressed ('{obs.raw}')")
                )
            elif obs.status is Status.EXCEL_ERROR:
                out.append(
                    finding(Code.EXCEL_ERROR, sheet, obs.cell, ind.ref, f"{label} cell holds the Excel error {obs.raw}")
                )
            elif obs.status is Status.UNPARSED:
                out.append(
                    finding(
                        Code.UNPARSED_VALUE,
                        sheet,
                        obs.cell,
                        ind.ref,
                        f"{label} value '{obs.raw}' is not a number or a known marker",
                    )
                )
        if reporting is not None:
            obs = ind.values[reporting]
            if obs.is_blank:
                out.append(finding(Code.MISSING, sheet, obs.cell, ind.ref, f"no value for {reporting}"))
            elif obs.status in (Status.NOT_AVAILABLE, Status.NOT_APPLICABLE):  # a dash: see assessment
                out.append(
                    finding(
                        Code.MISSING,
                        sheet,
                        obs.cell,
                        ind.ref,
                        f"no figure for {reporting} ('{obs.raw}': {obs.status.value})",
                    )
                )
    return out

