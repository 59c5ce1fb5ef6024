"""Suspension of non-payers (BIL-9): rule, per-customer overrides, release, dry run == real run."""

from __future__ import annotations

from datetime import UTC, date
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


def _on(ctx, day: date):
    """``ctx`` with its clock at noon (Prague) of ``day``: the card judges as of that day."""
    import dataclasses
    from datetime import datetime

    at = datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)
    return dataclasses.replace(ctx, clock=lambda: at)


def test_card_says_whether_the_next_run_releases_a_suspended_customer(ctx, scene):
    suspension.run(ctx, today=TODAY)
    late = scene["late"]
    card = cs.get_card(_on(ctx, TODAY), late)
    assert (card.status, card.release_due) == ("Non-payer", False)
    assert "still owes 500.00 overdue since 2026-02-01" in card.suspension_hint
    # Not suspended: nothing to say.
    assert cs.get_card(_on(ctx, TODAY), scene["small"]).release_due is None
    # Paid: the balance is 0.00, the status is still Non-payer until the run, and the card says
    # the run releases them, exactly when the run's own plan does.
    bs.record_payment(ctx, late, "500.00", date(2026, 3, 2))
    day = date(2026, 3, 3)
    card = cs.get_card(_on(ctx, day), late)
    assert (card.standing.balance, card.status, card.release_due) == (D("0.00"), "Non-payer", True)
    assert card.suspension_hint == "paid: the next suspension run releases them (back to Connected)"
    plan = suspension.run(ctx, dry_run=True, today=day)
    for n in scene.values():
        c = cs.get_card(_on(ctx, day), n)
        if c.release_due is not None:
            assert c.release_due == (n in [x.number for x in plan.release]), n
    suspension.run(ctx, today=day)
    assert cs.get_card(_on(ctx, day), late).release_due is None  # released: Connected again


def test_card_release_due_follows_the_rule_not_the_balance(ctx, scene):
    suspension.run(ctx, today=TODAY)
    quick = scene["quick"]  # 500.00 due 20 Feb, suspended after 5 days
    # Paying down to under the 300 minimum releases, though they still owe.
    bs.record_payment(ctx, quick, "250.00", date(2026, 3, 2))
    card = cs.get_card(_on(ctx, TODAY), quick)
    assert card.release_due is True and card.standing.balance == D("-250.00")
    assert card.suspension_hint.startswith("250.00 overdue is below the suspension minimum 300.00")
    # A Non-payer status set by hand is never released by a run, paid or not.
    n = cs.create(ctx, "Set By Hand")
    cs.update(ctx, n, {"status": "Non-payer"})
    card = cs.get_card(_on(ctx, TODAY), n)
    assert card.release_due is False and "set by hand" in card.suspension_hint
    assert n not in [c.number for c in suspension.run(ctx, dry_run=True, today=TODAY).release]


def test_card_reads_only_its_own_customer(ctx, scene):
    """The card's question is the plan restricted to one customer: it agrees with the whole
    plan for that customer and lists nobody else."""
    from ispterm.customers.lookup import customer_by_number

    suspension.run(ctx, today=TODAY)
    for n in (scene["late"], scene["quick"]):
        bs.record_payment(ctx, n, "500.00", date(2026, 3, 2))
    with ctx.read() as s:
        whole = suspension.plan(s, TODAY)
        cid = customer_by_number(s, scene["late"]).id
        one = suspension.plan(s, TODAY, only=cid)
    assert [c.number for c in whole.release] == [scene["late"], scene["quick"]]
    assert one.release == (whole.release[0],) and one.suspend == () and one.held == ()


def test_cli_customer_show_says_release_is_due(cli, ctx, scene):
    import json

    suspension.run(ctx, today=TODAY)
    bs.record_payment(ctx, scene["late"], "500.00", date(2026, 3, 2))
    code, out, err = cli("customer", "show", str(scene["late"]))
    assert code == 0, err
    assert "release due: yes (paid: the next suspension run releases them (back to Connected))" in out
    code, out, err = cli("customer", "show", str(scene["late"]), "--json")
    data = json.loads(out)
    assert (data["status"], data["balance"], data["release_due"]) == ("Non-payer", "0.00", True)
    assert data["suspension_hint"].startswith("paid: ")
    code, out, _ = cli("customer", "show", str(scene["small"]))
    assert "release due" not in out
    assert json.loads(cli("customer", "show", str(scene["small"]), "--json")[1])["release_due"] is None
