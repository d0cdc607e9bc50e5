"""How a batch run words its text: one line per log entry or report cell, timestamps, durations."""

from __future__ import annotations

from datetime import datetime

from xlscorecard.core.errors import printable


def one_line(text: str) -> str:
    """Control characters (a newline in a file name) never split a log line or a report cell."""
    return printable(" ".join(str(text).splitlines()))


def now() -> str:
    """The local time to the second, ISO-8601 with its offset."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def seconds(value: float) -> str:
    """A time limit as the log and the notes show it: `120 s`."""
    return f"{value:g} s"
