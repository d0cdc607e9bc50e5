"""Test-only start-up hook: make batch workers misbehave on named inputs.

A test puts this folder on PYTHONPATH and names inputs in XLSCORECARD_TEST_HANG_ON,
XLSCORECARD_TEST_CRASH_ON or XLSCORECARD_TEST_KILL_ON (comma-separated file names). Python runs
this file at the start of every process of that run, the batch workers included, and it wraps
`xlscorecard.api.convert_and_assess` so a worker hangs, exits or is killed on those inputs.
Nothing of this ships in the package.
"""

from __future__ import annotations

import os

_FAULTS = {var: set(os.environ.get(var, "").split(",")) - {""}
           for var in ("XLSCORECARD_TEST_HANG_ON", "XLSCORECARD_TEST_CRASH_ON", "XLSCORECARD_TEST_KILL_ON")}

if any(_FAULTS.values()):
    import signal
    import time
    from pathlib import Path

    import xlscorecard.api

    _convert_and_assess = xlscorecard.api.convert_and_assess

    def _misbehaving(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = Path(path).name
        if name in _FAULTS["XLSCORECARD_TEST_HANG_ON"]:
            time.sleep(3600)
        if name in _FAULTS["XLSCORECARD_TEST_CRASH_ON"]:
            os._exit(1)
        if name in _FAULTS["XLSCORECARD_TEST_KILL_ON"]:
            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
            time.sleep(60)
        return _convert_and_assess(path, *args, **kwargs)

    xlscorecard.api.convert_and_assess = _misbehaving
