"""Two processes issuing invoices at the same moment: no gap, no duplicate (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from ispterm.billing import service as bs
from ispterm.customers import service as cs
from tests.clock import ctx_at

ROOT = Path(__file__).resolve().parent.parent  # `python -c` puts the cwd on sys.path: tests.clock

# Both processes and the test stand at one instant (the Ctx clock): the services started by
# the test have begun by the period billed, whatever the real date.
AT = "2026-11-15T10:00:00+01:00"

ISSUER = textwrap.dedent("""
    import sys
    from datetime import date
    from decimal import Decimal
    from ispterm.billing.invoicing import Line, issue_invoice, invoice_run
    from ispterm.connect import open_ctx
    from tests.clock import ctx_at
    url, number, count, at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    ctx = ctx_at(open_ctx(url, "admin"), at)
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    for i in range(count):
        issue_invoice(ctx, number, [Line(f"item {i}", Decimal("10.00"))], issued_on=date(2026, 11, 1))
        if i == count // 2:
            invoice_run(ctx, "2026-11", issued_on=date(2026, 11, 1))
    print("done", flush=True)
""")


@pytest.mark.slow
def test_two_processes_issue_gapless_unique_numbers(ctx, db_url):
    from ispterm.customers import contacts

    ctx = ctx_at(ctx, AT)
    assert ctx.today() == date(2026, 11, 15)
    a = cs.create(ctx, "Concurrent A")
    b = cs.create(ctx, "Concurrent B")
    for n in (a, b):
        contacts.add_service(ctx, n, "Fiber", "499.00")
    procs = [subprocess.Popen([sys.executable, "-c", ISSUER, db_url, str(n), "8", AT], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
             for n in (a, b)]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    numbers = [i.number for n in (a, b) for i in bs.invoices(ctx, n)]
    # 16 by hand and exactly one run invoice per customer, whichever process ran first.
    assert len(numbers) == 18 and len(set(numbers)) == 18
    assert sorted(int(x[4:]) for x in numbers) == list(range(1, 19))
    assert all(x.startswith("2026") for x in numbers)
    assert sum(1 for n in (a, b) for i in bs.invoices(ctx, n) if i.total == 499) == 2
