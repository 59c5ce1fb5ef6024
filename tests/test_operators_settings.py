"""Operators, roles and settings: who may change what, and code lists from init."""

from __future__ import annotations

import pytest

from ispterm.errors import NotFound, PermissionDenied, ValidationError
from ispterm.operators import service as ops
from ispterm.settings import service as ss


def test_init_seeds_code_lists_and_billing_group(ctx):
    assert [c.name for c in ss.list_codes(ctx, "status")][:2] == ["Connected", "Limited"]
    marks = {c.name: c.color for c in ss.list_codes(ctx, "mark")}
    assert marks["VIP"] == "yellow"
    assert {c.name for c in ss.list_codes(ctx, "payment_type")} >= {"Bank transfer", "Cash"}
    assert ss.get_setting(ctx, "invoice_due_days") == 14


def test_roles_and_operator_management(ctx, as_role):
    admin = as_role("admin", "petr")
    ops.add_operator(admin, "tech2", "technician")
    with pytest.raises(PermissionDenied, match="master admins"):
        ops.add_operator(admin, "boss2", "master_admin")
    with pytest.raises(PermissionDenied):
        ops.add_operator(as_role("support"), "x", "support")
    with pytest.raises(ValidationError, match="exists already"):
        ops.add_operator(ctx, "tech2", "support")
    with pytest.raises(ValidationError, match="last master admin"):
        ops.set_role(ctx, "admin", "support")
    assert ops.set_role(ctx, "tech2", "Read-Only").role == "readonly"
    with pytest.raises(NotFound):
        ops.set_role(ctx, "ghost", "support")


def test_settings_need_permission_and_valid_values(ctx, as_role):
    with pytest.raises(PermissionDenied, match="change settings"):
        ss.set_setting(as_role("support"), "invoice_due_days", "20")
    with pytest.raises(ValidationError, match="at least 0"):
        ss.set_setting(ctx, "invoice_due_days", "-1")
    with pytest.raises(ValidationError):
        ss.set_setting(ctx, "suspend_min_amount", "lots")
    with pytest.raises(NotFound, match="did you mean 'invoice_due_days'"):
        ss.set_setting(ctx, "invoice_due_day", "3")
    assert ss.set_setting(ctx, "suspend_min_amount", "150,5") == "150.50"
    assert ss.set_setting(ctx, "suspend_enabled", "ano") is True
    assert ss.get_setting(ctx, "suspend_enabled") is True


def test_code_lists_can_grow(ctx):
    ss.add_code(ctx, "mark", "Priority", color="magenta")
    assert "Priority" in [c.name for c in ss.list_codes(ctx, "mark")]
    with pytest.raises(ValidationError, match="exists already"):
        ss.add_code(ctx, "mark", "Priority")
    with pytest.raises(ValidationError, match="unknown code list"):
        ss.add_code(ctx, "colour", "Red")


def test_readonly_flag_refuses_every_write(db_url):
    from ispterm.connect import open_ctx
    from ispterm.customers.service import create

    ro = open_ctx(db_url, "admin", readonly=True)
    with pytest.raises(PermissionDenied, match="read-only"):
        create(ro, "Nobody")
