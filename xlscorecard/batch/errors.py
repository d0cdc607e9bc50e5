"""The one error of `xlscorecard batch` itself: arguments it cannot start with."""

from __future__ import annotations

from xlscorecard.core.errors import ScorecardError


class BatchError(ScorecardError):
    """The batch cannot start with these arguments (exit 2)."""
