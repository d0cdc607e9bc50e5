"""From a Grid of cells to a Scorecard: header, periods, sections and PI rows (DESIGN 3)."""

from __future__ import annotations

from xlscorecard.core.errors import WorkbookError
from xlscorecard.core.findings import Code, Finding, finding
from xlscorecard.core.grid import Grid, column_letter
from xlscorecard.core.reading.header import Header, find_header, period_target
from xlscorecard.core.reading.periods import FINENESS, Period, PeriodKind, order_periods, parse_period
from xlscorecard.core.reading.profile import Profile
from xlscorecard.core.reading.rows import Builder
from xlscorecard.core.scorecard import Indicator, Scorecard
from xlscorecard.core.values import Status


def read_scorecard(
    grid: Grid, period: str | None = None, file: str | None = None, profile: Profile | None = None
) -> Scorecard:
    """Parse a Grid into a Scorecard; raises WorkbookError (one line) when it has no period column."""
    return _read_scorecard(grid, period, file, profile)


def no_period_message(grid: Grid, header: Header | None) -> str:
    """What the user reads when no period column is understood: the header cells seen, and the way out."""
    if header is not None:
        seen = [f"{grid.address(cell.r, cell.c)} '{cell.text}'" for cell in header.cells]
    else:
        best = max(
            range(min(grid.height, 30)),
            key=lambda r: sum(1 for v in grid.values[r] if isinstance(v, str) and v.strip()),
            default=None,
        )
        row = grid.values[best] if best is not None else []
        seen = [f"{grid.address(best or 0, c)} '{' '.join(v.split())}'" for c, v in enumerate(row)
                if isinstance(v, str) and v.strip()]
    texts = [cell.text for cell in header.cells] if header is not None else [v for v in row if isinstance(v, str)]
    bare = [t for t in texts if parse_period(f"{t} 2000/01") is not None]  # "Q1", "Quarter 1": no year
    year = (f"; {', '.join(repr(t) for t in bare[:4])} name no year: state one year in the title above the"
            " header or in the sheet's name (such as 'Scorecard 2019/20'), or label them 'Q1 2019/20'") if bare else ""
    return (
        f"sheet '{grid.sheet}' has no scorecard header with a period column this reader understands "
        "(header cells seen: "
        f"{', '.join(seen) or 'none'}){year}; run `xlscorecard layout FILE` to see how each was read, "
        "and name the columns with a profile: --layout PROFILE.toml"
    )


def _read_scorecard(grid: Grid, period: str | None, file: str | None, profile: Profile | None) -> Scorecard:
    header = find_header(grid, profile)
    if header is None or not (header.periods or header.is_long()):
        raise WorkbookError(no_period_message(grid, header), file)
    source_grid, source_header = grid, header
    placement = None
    skipped: list[Finding] = []
    if header.is_long():
        from xlscorecard.core.reading.long import read_long

        grid, header, placement, skipped = read_long(grid, header)
    ordered = order_periods([p for _, p in header.periods])
    period_col = {p.label: c for c, p in header.periods}
    builder = Builder(grid, header, ordered, period_col)
    for r in range(header.row + 1, grid.height):
        builder.add_row(r)
    if not builder.indicators:
        raise WorkbookError(
            f"sheet '{grid.sheet}' has a scorecard header (row {source_grid.sheet_row(source_header.row)}) but no PI"
            " row under it was read; "
            + ("; ".join(f.message for f in skipped[:2]) if skipped else
               "each PI needs a measure or ref and a value, target or other figure in its row"),
            file,
        )
    sections, parse_findings = builder.sections, builder.findings
    if placement is not None:  # a long sheet: the cells of the user's sheet, not of the rebuilt grid
        for ind in builder.indicators:
            placement.indicator(ind)
        sections = [placement.section(s) for s in sections]
        parse_findings = [placement.finding(f) for f in parse_findings]
    reporting = _reporting_period(builder.indicators, ordered, period, file)
    findings = _formula_findings(source_grid, builder.indicators if placement is None else []) + _header_findings(
        source_grid, source_header) + skipped + parse_findings
    findings += _value_findings(grid.sheet, builder.indicators, ordered, reporting)
    findings += _unused_target_findings(source_grid, source_header, reporting, ordered)
    columns = {role: column_letter(source_grid.sheet_column(c)) for role, c in source_header.roles.items()}
    if placement is None:
        columns.update({label: column_letter(grid.sheet_column(c)) for label, c in period_col.items()})
    headers = {column_letter(source_grid.sheet_column(cell.c)): cell.text for cell in source_header.cells}
    return Scorecard(
        file=file,
        sheet=grid.sheet,
        title=_title(source_grid, source_header),
        header_row=source_grid.sheet_row(source_header.row),
        columns=columns,
        headers=headers,
        periods=ordered,
        reporting_period=reporting,
        sections=sections,
        indicators=builder.indicators,
        findings=findings,
        formats_known=grid.shows_percentages(),
        repeated_header_rows=builder.repeated_headers,
    )


def _formula_findings(grid: Grid, indicators: list[Indicator]) -> list[Finding]:
    """Each cell holding a formula whose result the file does not store: read as blank, and said so."""
    refs = {ind.row: ind.ref for ind in indicators}
    return [
        finding(Code.FORMULA_WITHOUT_VALUE, grid.sheet, grid.address(r, c), refs.get(grid.sheet_row(r)),
                "cell holds a formula whose result the file does not store (it was written by a program that"
                " does not calculate), so it reads as blank; open the workbook in Excel or LibreOffice and save it")
        for r, c in grid.unsaved_formulas
    ]


def _unused_target_findings(grid: Grid, header: Header, reporting: str | None, periods: list[Period]) -> list[Finding]:
    """A column holding the reporting period's own target, beside the Target column that rates, is said so."""
    rated = header.roles.get("target")
    current = next((p for p in periods if p.label == reporting), None)
    if rated is None or current is None:
        return []
    used = next((c.text for c in header.cells if c.c == rated), "Target")
    return [
        finding(Code.TARGET_NOT_USED, grid.sheet, grid.address(cell.r, cell.c), None,
                f"column '{cell.text}' holds the targets for {current.label}, but ratings use the '{used}'"
                f" column; to rate by '{cell.text}', a layout profile (--layout) names it \"target\" and"
                f" '{used}' \"ignore\"")
        for cell in header.cells
        if cell.role == "target" and cell.c != rated and (of := period_target(cell.text)) is not None
        and (of.kind, of.step) == (current.kind, current.step)
    ]


def _header_findings(grid: Grid, header: Header) -> list[Finding]:
    """Never silent: each header cell not understood is named, with its cell."""
    return [
        finding(
            Code.UNRECOGNISED_COLUMN,
            grid.sheet,
            grid.address(cell.r, cell.c),
            None,
            f"column '{cell.text}' is not understood and is carried as text; "
            "name it with a layout profile (--layout) if it matters",
        )
        for cell in header.unrecognised
    ]


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
    for granularity in FINENESS:
        for p in reversed([p for p in periods if p.kind is granularity]):
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
        if labels and all(values[label].number is None and values[label].low is None for label in labels):
            out.append(
                finding(Code.NO_VALUES, sheet, values[labels[-1]].cell or None, ind.ref,
                        f"PI {ind.ref} has no readable value in any period "
                        f"(row {ind.row})")
            )
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
    return out  # `missing` (nothing in the reporting period) is the assessment's: a dash depends on the rules

