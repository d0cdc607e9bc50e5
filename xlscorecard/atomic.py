"""Outputs appear whole or not at all: written to a temporary file beside the target, then renamed."""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@functools.cache
def ordinary_file_mode() -> int:
    """The mode open() would give a new file under the current umask (mkstemp gives 0600)."""
    mask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_path(target: Path, prefix: str | None = None, suffix: str = ".tmp") -> Iterator[Path]:
    """A hidden temporary path beside `target` to write to; renamed onto `target` when the block ends.

    If the block raises, the temporary file is removed and `target` is untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=prefix or f".{target.stem}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, ordinary_file_mode())  # outputs are for other people and programs, not 0600
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_atomically(target: Path, data: bytes, prefix: str | None = None, suffix: str = ".tmp") -> None:
    """Write bytes to `target` through atomic_path, flushed to disk before the rename."""
    with atomic_path(target, prefix, suffix) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
