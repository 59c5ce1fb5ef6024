"""Contact persons (INF-7) and services with IPs (INF-11)."""

from __future__ import annotations

import pytest

from ispterm.audit.service import history
from ispterm.customers import contacts as cc
from ispterm.customers import service as cs
from ispterm.errors import Conflict, PermissionDenied, ValidationError


def test_contact_add_edit_delete_audited(ctx):
    n = cs.create(ctx, "Firma s.r.o.", {"legal_form": "company"})
    k = cc.add_contact(ctx, n, {"name": "Gandalf Šedý", "email": "gandalf@example.cz",
                                "mobile": "777 000 111", "billing_default": "yes", "portal_level": "Invoices"})
    assert (k.mobile, k.billing_default, k.portal_level) == ("+420777000111", True, "Invoices")
    k2 = cc.edit_contact(ctx, k.id, {"position": "CTO"}, expected_version=k.version)
    assert k2.version == k.version + 1
    with pytest.raises(Conflict):
        cc.edit_contact(ctx, k.id, {"position": "CEO"}, expected_version=k.version)
    with pytest.raises(ValidationError, match="email"):
        cc.edit_contact(ctx, k.id, {"email": "broken"})
    assert cs.get_card(ctx, n).contacts[0].position == "CTO"
    cc.delete_contact(ctx, k.id)
    assert cs.get_card(ctx, n).contacts == ()
    actions = [(h.entity, h.action) for h in history(ctx, n)]
    assert ("contact", "create") in actions and ("contact", "delete") in actions
    assert ("position", None, "CTO") in [(h.field, h.old, h.new) for h in history(ctx, n)]


def test_service_with_ips_is_searchable_and_unique(ctx, as_role):
    a = cs.create(ctx, "Ip Owner")
    svc = cc.add_service(ctx, a, "Fiber 250", "413.22", ips=["185.10.20.30", "10.0.0.0/30"],
                         mac="00-11-22-AA-BB-CC")
    assert [ip.address for ip in svc.ips] == ["185.10.20.30", "10.0.0.0/30"]
    assert svc.ips[0].mac == "00:11:22:aa:bb:cc"
    assert [r.number for r in cs.search(ctx, "185.10.20.30")] == [a]
    b = cs.create(ctx, "Other")
    with pytest.raises(ValidationError, match=f"already used by customer {a}"):
        cc.add_service(ctx, b, "Air 50", "300", ips=["185.10.20.30"])
    with pytest.raises(ValidationError, match="not an IP"):
        cc.add_service(ctx, b, "Air 50", "300", ips=["300.1.1.1"])
    with pytest.raises(ValidationError, match="MAC"):
        cc.add_service(ctx, b, "Air 50", "300", mac="zz")
    with pytest.raises(PermissionDenied):
        cc.add_service(as_role("support"), b, "Air 50", "300")
    assert cs.get_card(ctx, b).services == ()


def test_a_service_starts_on_the_operators_date_not_the_utc_one(ctx):
    """Half past midnight on New Year's Day in Prague is still 31 December in UTC: "today"
    (Ctx.today) is the local date, and that is the day a service added then starts."""
    from datetime import date

    from tests.clock import ctx_at

    n = cs.create(ctx, "New Year")
    at = ctx_at(ctx, "2027-01-01T00:30:00+01:00")
    assert (at.now().date(), at.today()) == (date(2026, 12, 31), date(2027, 1, 1))
    assert cc.add_service(at, n, "Fiber 250", "413.22").started_on == date(2027, 1, 1)
    # Summer time: 00:30 CEST is 22:30 UTC the day before.
    assert ctx_at(ctx, "2027-07-01T00:30:00+02:00").today() == date(2027, 7, 1)


def test_who_receives_the_invoices_is_billing_data(ctx, as_role):
    """A default billing contact gets the invoices and statements: support may edit the
    contact, not redirect the billing."""
    n = cs.create(ctx, "Billing Contact")
    support = as_role("support")
    contact = cc.add_contact(support, n, {"name": "Jan Účetní", "email": "jan@example.cz"})
    with pytest.raises(PermissionDenied, match="edit billing data"):
        cc.edit_contact(support, contact.id, {"billing_default": "yes"})
    with pytest.raises(PermissionDenied, match="edit billing data"):
        cc.add_contact(support, n, {"name": "Eva", "billing_default": "yes"})
    assert [c.billing_default for c in cs.get_card(ctx, n).contacts] == [False]
    cc.edit_contact(ctx, contact.id, {"billing_default": "yes"})
    assert [c.billing_default for c in cs.get_card(ctx, n).contacts] == [True]
