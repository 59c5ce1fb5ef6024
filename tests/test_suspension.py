"""Suspension of non-payers (BIL-9): rule, per-customer overrides, release, dry run == real run."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ispterm.billing import invoicing as inv
from ispterm.billing import service as bs
from ispterm.billing import suspension
from ispterm.customers import service as cs
from ispterm.errors import PermissionDenied, ValidationError
from ispterm.settings.service import set_setting

D = Decimal
TODAY = date(2026, 3, 1)


def _owing(ctx, name: str, amount: str, due: date, values: dict | None = None) -> int:
    n = cs.create(ctx, name, values or {})
    inv.issue_invoice(ctx, n, [inv.Line("Fiber", D(amount))], issued_on=due.replace(day=1), due_on=due)
    return n


@pytest.fixture
def scene(ctx):
    set_setting(ctx, "suspend_enabled", "yes")
    set_setting(ctx, "suspend_min_amount", "300")
    set_setting(ctx, "suspend_days_after_due", "14")
    return {
        "late": _owing(ctx, "Late Payer", "500.00", date(2026, 2, 1)),           # 28 days late
        "recent": _owing(ctx, "Recently Due", "500.00", date(2026, 2, 20)),      # 9 days: grace
        "small": _owing(ctx, "Small Debt", "200.00", date(2026, 1, 1)),          # under the minimum
        "never": _owing(ctx, "Never Suspend", "900.00", date(2026, 1, 1), {"never_suspend": "yes"}),
        "quick": _owing(ctx, "Own Rule", "500.00", date(2026, 2, 20), {"suspend_after_days": "5"}),
        "partly": _owing(ctx, "Paid Part", "500.00", date(2026, 1, 15)),
        "gone": _owing(ctx, "Deleted", "500.00", date(2026, 1, 1)),
    }


def _status(ctx, n: int) -> str:
    return cs.get_card(ctx, n).status


def test_dry_run_lists_exactly_what_the_real_run_applies(ctx, scene):
    bs.record_payment(ctx, scene["partly"], "250.00", date(2026, 1, 20))  # 250 left: under 300
    cs.delete(ctx, scene["gone"])
    dry = suspension.run(ctx, dry_run=True, today=TODAY)
    assert [c.number for c in dry.suspend] == [scene["late"], scene["quick"]]
    assert dry.suspend[0].overdue == D("500.00") and dry.suspend[0].oldest_due == date(2026, 2, 1)
    assert _status(ctx, scene["late"]) == "Connected"  # the dry run changed nothing
    real = suspension.run(ctx, today=TODAY)
    assert (real.suspend, real.release, real.applied) == (dry.suspend, dry.release, True)
    assert _status(ctx, scene["late"]) == _status(ctx, scene["quick"]) == "Non-payer"
    assert _status(ctx, scene["small"]) == _status(ctx, scene["never"]) == "Connected"
    # Nothing more to do on a second run.
    again = suspension.run(ctx, today=TODAY)
    assert (again.suspend, again.release) == ((), ())


def test_paying_releases_back_to_the_previous_status_with_history(ctx, scene):
    from ispterm.audit.service import history

    cs.update(ctx, scene["late"], {"status": "Limited"})
    suspension.run(ctx, today=TODAY)
    assert _status(ctx, scene["late"]) == "Non-payer"
    bs.record_payment(ctx, scene["late"], "500.00", date(2026, 3, 2))
    dry = suspension.run(ctx, dry_run=True, today=date(2026, 3, 3))
    assert [(c.number, c.to_status) for c in dry.release] == [(scene["late"], "Limited")]
    suspension.run(ctx, today=date(2026, 3, 3))
    assert _status(ctx, scene["late"]) == "Limited"
    actions = [e.action for e in history(ctx, scene["late"])]
    assert "suspend" in actions and "release" in actions


def test_switched_off_suspends_nobody_but_still_releases(ctx, scene):
    suspension.run(ctx, today=TODAY)
    set_setting(ctx, "suspend_enabled", "no")
    bs.record_payment(ctx, scene["quick"], "500.00", date(2026, 3, 2))
    p = suspension.run(ctx, today=date(2026, 3, 3))
    assert p.suspend == () and [c.number for c in p.release] == [scene["quick"]]
    assert _status(ctx, scene["quick"]) == "Connected" and _status(ctx, scene["late"]) == "Non-payer"


def test_rules_permissions_and_notices_through_the_mail_queue(ctx, scene, as_role):
    from ispterm.messaging.service import list_queue

    with pytest.raises(PermissionDenied):
        suspension.run(as_role("support"), dry_run=True, today=TODAY)
    cs.update(ctx, scene["late"], {"email": "late@example.cz"})
    with pytest.raises(ValidationError, match="sender"):
        suspension.run(ctx, today=TODAY, notify=True)
    assert _status(ctx, scene["late"]) == "Connected"  # refused before any change
    set_setting(ctx, "sender_addresses", "billing@isp.example")
    p = suspension.run(ctx, today=TODAY, notify=True)
    # Only one of the suspended customers has an address; the others are suspended anyway.
    assert p.notified == 1 and len(p.suspend) == 4
    [item] = list_queue(ctx, number=scene["late"])
    assert item.to == "late@example.cz" and "suspended" in item.subject


def test_cli_suspend(cli, ctx, scene):
    code, dry, err = cli("billing", "suspend", "--dry-run", "--today", "2026-03-01")
    assert code == 0, err
    assert "4 customer(s) would be suspended, 0 would be released" in dry
    code, real, _ = cli("billing", "suspend", "--today", "2026-03-01")
    assert "4 customer(s) suspended, 0 released" in real
    assert [line for line in dry.splitlines() if line.startswith("suspend")] == \
           [line for line in real.splitlines() if line.startswith("suspend")]
    code, _, err = cli("billing", "suspend", "--today", "yesterday")
    assert code == 1 and err.startswith("error: --today")
