"""Run a Python process as if the machine's clock stood at ``$ISPTERM_TEST_TRAVEL``.

``make test-dates`` puts this directory on ``PYTHONPATH``, so Python imports this module at
start-up in every process of the run: pytest, its xdist workers, and every subprocess a test
starts with ``sys.executable`` (they inherit the environment). Nothing happens unless
``ISPTERM_TEST_TRAVEL`` is set, to an ISO instant with an offset, e.g.
``2027-01-01T00:30:00+01:00``.

All processes agree on one clock: the first one stores the real epoch it started at in
``ISPTERM_TEST_TRAVEL_T0`` (children inherit it), and each process travels to
``destination + (real now - T0)`` and lets the clock tick, so a subprocess started a minute
into the run lives a minute after the destination, as it would have.

time-machine moves the wall clock (``time.time``, ``datetime.now``, ``date.today``,
``time.localtime``/``gmtime``/``strftime``) and leaves ``time.monotonic`` and
``time.perf_counter`` alone, which asyncio, timeouts and sleeps run on. The destination is
given as a POSIX timestamp, so time-machine does not touch ``TZ`` (the tests set
Europe/Prague themselves). The travel is never stopped: it lasts as long as the process.
"""

import os

_DESTINATION = os.environ.get("ISPTERM_TEST_TRAVEL", "").strip()

if _DESTINATION:
    import time
    from datetime import datetime

    _at = datetime.fromisoformat(_DESTINATION)
    if _at.tzinfo is None:
        raise SystemExit(f"ISPTERM_TEST_TRAVEL={_DESTINATION!r}: give the UTC offset, e.g. +01:00")
    _t0 = os.environ.setdefault("ISPTERM_TEST_TRAVEL_T0", repr(time.time()))

    import time_machine

    time_machine.travel(_at.timestamp() + (time.time() - float(_t0)), tick=True).start()
