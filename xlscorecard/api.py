"""The library entry points shells share: load a workbook or rules file, assess it."""

from __future__ import annotations

from pathlib import Path

from xlscorecard.assessment import Assessment, assess
from xlscorecard.errors import SettingsError
from xlscorecard.layout import read_scorecard
from xlscorecard.safety import SafetyLimits
from xlscorecard.scorecard import Scorecard
from xlscorecard.settings import Settings
from xlscorecard.xlsx_reader import read_grid


def load_scorecard(
    path: str | Path,
    sheet: str | None = None,
    period: str | None = None,
    limits: SafetyLimits | None = None,
) -> Scorecard:
    """Read and parse the scorecard sheet of a .xlsx file (safety checks first)."""
    grid = read_grid(path, sheet=sheet, limits=limits)
    return read_scorecard(grid, period=period, file=str(path))


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
) -> Assessment:
    """Parse and assess a workbook: the work behind `xlscorecard check`."""
    return assess(load_scorecard(path, sheet, period, limits), settings or Settings())


def convert_file(
    path: str | Path, out: str | Path | None = None, settings: Settings | None = None,
    period: str | None = None, sheet: str | None = None, limits: SafetyLimits | None = None,
) -> Path:
    """Write the formatted return for a workbook; returns the path written."""
    return convert_and_assess(path, out=out, settings=settings, period=period, sheet=sheet, limits=limits)[0]


def convert_and_assess(
    path: str | Path, out: str | Path | None = None, settings: Settings | None = None,
    period: str | None = None, sheet: str | None = None, limits: SafetyLimits | None = None,
    stem: str | None = None, sidecar: bool = True,
) -> tuple[Path, Assessment]:
    """convert_file, also returning the Assessment behind the return (for reports such as batch's).

    `stem` replaces the input's file stem in the return's name (`<stem> - Qu 2 18-19 return.xlsx`)
    when `out` is a folder or None; batch uses it when two inputs share a stem. The `check --json`
    object is written beside the return as `<return stem>.json` unless `sidecar` is False (a caller
    that renames the return afterwards writes it itself, with xlscorecard.sidecar).
    """
    from xlscorecard.return_workbook import ReturnWriter, return_path

    path = Path(path)
    grid = read_grid(path, sheet=sheet, limits=limits)
    scorecard = read_scorecard(grid, period=period, file=str(path))
    assessment = assess(scorecard, settings or Settings())
    named = path if stem is None else path.with_name(f"{stem}.xlsx")
    target = return_path(named, scorecard.reporting_period, out)
    if target.resolve() == path.resolve():
        from xlscorecard.errors import ScorecardError

        raise ScorecardError("output would overwrite the input; choose another -o", path)
    writer = ReturnWriter(grid, assessment)
    del grid  # the writer lets go of it after the Scorecard sheet: less memory at peak on a big file
    written = writer.write(target)
    if sidecar:
        from xlscorecard.sidecar import write_sidecar

        write_sidecar(written, assessment)
    return written, assessment
