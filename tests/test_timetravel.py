"""The time-shifted runs (``make test-dates``) really shift the clock, everywhere.

``tests/timetravel/sitecustomize.py`` moves the wall clock of every Python process that has
``tests/timetravel`` on ``PYTHONPATH`` and ``ISPTERM_TEST_TRAVEL`` set. These tests prove it
for a fresh process and its child, and (in a time-shifted run) for this very pytest process
and its Ctx; and that a test reading the real date fails in such a run, which is the point.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.clock import instant

TRAVEL_DIR = Path(__file__).resolve().parent / "timetravel"
ROOT = TRAVEL_DIR.parent.parent
# Far from any real date this suite will meet, and a local date other than the UTC one.
DESTINATION = "2031-05-17T00:30:00+02:00"
# A run lasts minutes: anything later than this after the destination is a clock not shifted.
SLACK = timedelta(minutes=30)


def travel_env(destination: str = DESTINATION) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ISPTERM_TEST_TRAVEL_T0"}
    env.update(ISPTERM_TEST_TRAVEL=destination, TZ="Europe/Prague",
               PYTHONPATH=os.pathsep.join([str(TRAVEL_DIR), str(ROOT)]))
    return env


PROBE = textwrap.dedent("""
    import json, subprocess, sys, time
    from datetime import UTC, date, datetime
    from ispterm.context import SYSTEM, Ctx
    ctx = Ctx(engine=None, actor=SYSTEM)
    out = {"now": datetime.now(UTC).isoformat(), "today": date.today().isoformat(),
           "time": time.time(), "ctx_now": ctx.now().isoformat(), "ctx_today": ctx.today().isoformat()}
    if len(sys.argv) > 1:  # the child of the child
        out["child"] = json.loads(subprocess.run([sys.executable, "-c", sys.argv[1]], check=True,
                                                 capture_output=True, text=True).stdout)
    print(json.dumps(out))
""")


def test_a_subprocess_and_its_child_live_at_the_destination():
    import json

    done = subprocess.run([sys.executable, "-c", PROBE, PROBE], env=travel_env(), check=True,
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    seen = json.loads(done.stdout)
    at = instant(DESTINATION)
    for who in (seen, seen["child"]):
        for key in ("now", "ctx_now"):
            assert timedelta(0) <= datetime.fromisoformat(who[key]) - at < SLACK, (key, who)
        assert timedelta(0) <= datetime.fromtimestamp(who["time"], UTC) - at < SLACK
        # 00:30 in Prague is 22:30 the day before in UTC: "today" is the local date.
        assert who["today"] == who["ctx_today"] == "2031-05-17"
    # The child agrees with its parent (one T0 for the whole run), it does not start over.
    assert datetime.fromisoformat(seen["child"]["now"]) >= datetime.fromisoformat(seen["now"])


def test_a_test_that_reads_the_real_date_fails_in_a_shifted_run(tmp_path):
    (tmp_path / "test_real_date.py").write_text(textwrap.dedent("""
        from datetime import date

        def test_written_in_2026():
            assert date.today().year < 2031   # passes only before 2031: a broken test
    """))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           str(tmp_path / "test_real_date.py")],
                          env=travel_env(), capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout


@pytest.mark.skipif(not os.environ.get("ISPTERM_TEST_TRAVEL"), reason="only in a time-shifted run (make test-dates)")
def test_this_run_is_shifted():
    """In ``make test-dates``: pytest (this xdist worker) and a Ctx live at the instant."""
    from ispterm.context import SYSTEM, Ctx

    ctx = Ctx(engine=None, actor=SYSTEM)
    at = instant(os.environ["ISPTERM_TEST_TRAVEL"])
    assert timedelta(0) <= datetime.now(UTC) - at < SLACK
    assert timedelta(0) <= ctx.now() - at < SLACK
    assert ctx.today() in (at.astimezone().date(), at.astimezone().date() + timedelta(days=1))
    assert date.today() == ctx.today()
