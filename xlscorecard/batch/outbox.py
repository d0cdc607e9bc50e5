"""OUTBOX's own files: atomic writes, the temporary files a killed run leaves, and the lock for one run.

Every file written to OUTBOX goes to a temporary name (`.xlscorecard-*.tmp`, or the return
writer's `.<stem>.*.xlsx.tmp`) and is renamed into place. A lock file keeps two runs from sharing
one OUTBOX; each run starts and ends by removing temporary files a killed run left behind.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from xlscorecard.atomic import write_atomically
from xlscorecard.batch.errors import BatchError

LOCK_NAME = ".xlscorecard-batch.lock"
TMP_PREFIX = ".xlscorecard-"
TMP_SUFFIX = ".tmp"
OUTPUT_KINDS = (".xlsx", ".json", ".pdf", ".csv")  # the return, its sidecar and PDF, tidy.csv


def atomic_write(path: Path, data: bytes) -> None:
    """Write `path` through a temporary file in the same folder, renamed into place when complete."""
    write_atomically(path, data, prefix=TMP_PREFIX, suffix=TMP_SUFFIX)


def is_leftover_temp(name: str) -> bool:
    """Temporary names the batch, the return writer, the sidecar, the PDF and tidy.csv use; never a final name."""
    return (
        name.startswith(".")
        and name.endswith(TMP_SUFFIX)
        and (name.startswith(TMP_PREFIX) or name.endswith(tuple(kind + TMP_SUFFIX for kind in OUTPUT_KINDS)))
    )


def remove_leftover_temps(folders: set[Path]) -> None:
    """Remove the temporary files a killed run left in `folders` (never a final name)."""
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if is_leftover_temp(name):
                with contextlib.suppress(OSError):
                    (folder / name).unlink()


@contextlib.contextmanager
def outbox_lock(outbox: Path) -> Iterator[None]:
    """Hold an exclusive lock on OUTBOX for the run; a second run on the same OUTBOX is refused."""
    fh = open(outbox / LOCK_NAME, "a+b")  # noqa: SIM115 - held for the whole run
    try:
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchError("another xlscorecard batch is already writing to this folder", outbox) from None
        yield
    finally:
        fh.close()  # closing releases the lock on every platform
