"""Errors a user can act on: each carries the file it concerns and renders as one line."""

from __future__ import annotations

from pathlib import Path


def printable(text: str) -> str:
    """Text from a file made safe for a one-line message: every non-printable character (a newline,
    a terminal escape) becomes '?'."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def shortened(text: str, limit: int) -> str:
    """printable(text), at most `limit` characters: a longer text is cut and ends with '...'."""
    clean = printable(text)
    return clean if len(clean) <= limit else clean[: limit - 3] + "..."


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
