"""Errors a user can act on: each carries the file it concerns and renders as one line."""

from __future__ import annotations

from pathlib import Path


class ScorecardError(Exception):
    """A problem with an input that the user must fix; rendered as `FILE: message`, exit 2."""

    def __init__(self, message: str, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class WorkbookError(ScorecardError):
    """The file is not a workbook we can read (format, encryption, damage, no scorecard)."""


class UnsafeWorkbook(WorkbookError):
    """The file breaks a safety limit (size, zip inflation, XML entities, macros)."""


class SettingsError(ScorecardError):
    """The rules file cannot be used."""


class InstallationError(ScorecardError):
    """The installed software lacks something xlscorecard needs (a dependency's version)."""
