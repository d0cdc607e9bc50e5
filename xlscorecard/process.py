"""What only the process that owns a job may change: the garbage collector.

Library code (reading, assessing, writing) never touches process-wide state: it also runs inside
the web server's threads and the add-in's Excel session. A CLI command or a batch worker, which
owns its whole process, may pause the cyclic collector for one job: a 20,000-PI scorecard makes
about half a million records, none of them in reference cycles, and the collector's repeated
passes over them cost about a third of the time. Reference counting still frees everything.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one job; switched back on only if it was on before.

    Drop the job's big objects before leaving the block, or the first collection afterwards walks
    them all just before they are freed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
