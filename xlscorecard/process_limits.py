"""Limits a worker process puts on itself before it parses an untrusted file (DESIGN 8)."""

from __future__ import annotations

DEFAULT_WORKER_MEMORY_BYTES = 1024**3


def limit_memory(max_bytes: int) -> bool:
    """Cap this process's address space at `max_bytes`; False where the system has no such limit (Windows).

    Past the cap an allocation fails: Python raises MemoryError, and a Rust reader (calamine)
    aborts the process, which its parent sees as a crash of that one file's worker.
    """
    try:
        import resource
    except ImportError:
        return False
    limit = getattr(resource, "RLIMIT_AS", None)
    if limit is None:
        return False
    _soft, hard = resource.getrlimit(limit)
    wanted = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
    try:
        resource.setrlimit(limit, (wanted, hard))
    except (ValueError, OSError):
        return False
    return True


def quiet_stderr() -> None:
    """Send this process's standard error (file descriptor 2) to the null device.

    A Rust panic or a C library writes there directly, over several lines; a worker reports its
    outcome to its parent instead, so the parent's log keeps one line per file.
    """
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    os.dup2(null, 2)
    os.close(null)
