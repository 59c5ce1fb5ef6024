"""Customer services: create, edit with validation, optimistic locking, lifecycle, audit."""

from __future__ import annotations

import pytest

from ispterm.audit.service import history
from ispterm.customers import service as cs
from ispterm.errors import Conflict, NotFound, PermissionDenied, ValidationError


def snapshot(ctx, number):
    card = cs.get_card(ctx, number)
    return card.version, card.to_json()


def test_create_assigns_increasing_numbers_and_defaults(ctx):
    a = cs.create(ctx, "Novák Jan", {"email": "Jan.Novak@Seznam.CZ", "phone": "777 123 456"})
    b = cs.create(ctx, "Dvořáková Eva")
    assert (a, b) == (10001, 10002)
    card = cs.get_card(ctx, a)
    assert card.values["email"] == "Jan.Novak@seznam.cz"
    assert card.values["phone"] == "+420777123456"
    assert card.status == "Connected"
    assert card.values["billing_group"] == "Main"
    assert card.values["portal_login"] == str(a)
    assert card.version == 1


def test_edit_writes_audit_rows_with_old_and_new(ctx):
    n = cs.create(ctx, "Černý Petr", {"city": "Šumperk"})
    card = cs.update(ctx, n, {"city": "Zábřeh", "floor": "0", "marks": "VIP", "status": "Limited"},
                     expected_version=1)
    assert card.version == 2
    assert card.values["floor"] == 0
    rows = {(h.field, h.old, h.new) for h in history(ctx, n)}
    assert ("city", "Šumperk", "Zábřeh") in rows
    assert ("floor", None, "0") in rows
    assert ("marks", None, "VIP") in rows
    assert ("status", "Connected", "Limited") in rows
    assert all(h.operator == "admin" for h in history(ctx, n))


def test_gps_accepts_dms_and_stores_decimal(ctx):
    n = cs.create(ctx, "Gps Test", {"gps": "49° 57' 53.19'' N, 16° 58' 25.24'' E"})
    card = cs.get_card(ctx, n)
    assert card.values["gps_lat"] == pytest.approx(49.964775, abs=1e-6)
    assert card.values["gps_lon"] == pytest.approx(16.973678, abs=1e-6)
    assert card.gps_dms == "49° 57' 53.19'' N, 16° 58' 25.24'' E"
    assert "openstreetmap" in card.map_url


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("email", "not-an-address", "email"),
        ("ico", "25596642", "ico"),
        ("dic", "CZ123", "dic"),
        ("iban", "CZ6508000000192000145398", "iban"),
        ("bic", "XX", "bic"),
        ("vs_alt1", "12ab", "vs_alt1"),
        ("zip", "1234", "zip"),
        ("gps", "north somewhere", "gps"),
        ("phone", "12", "phone"),
        ("status", "Sleeping", "unknown status"),
        ("legal_form", "alien", "legal_form"),
        ("name", "   ", "name"),
        ("floor", "ground", "floor"),
        ("unknown_field", "x", "unknown field"),
    ],
)
def test_bad_value_names_the_field_and_changes_nothing(ctx, field, value, message):
    n = cs.create(ctx, "Valid Customer", {"email": "ok@example.com", "city": "Brno"})
    before = snapshot(ctx, n)
    audit_before = len(history(ctx, n))
    with pytest.raises(ValidationError) as info:
        cs.update(ctx, n, {"city": "Praha", field: value})
    assert message in str(info.value)
    assert info.value.field in (field, "unknown_field")
    assert snapshot(ctx, n) == before
    assert len(history(ctx, n)) == audit_before


def test_several_bad_fields_are_all_reported(ctx):
    n = cs.create(ctx, "Many Errors")
    with pytest.raises(cs.InvalidFields) as info:
        cs.update(ctx, n, {"email": "x", "zip": "1", "ico": "1"})
    assert {e.field for e in info.value.errors} == {"email", "zip", "ico"}
    assert cs.validate(ctx, n, {"email": "x", "city": "Olomouc"}) == {"email": info.value.errors[0].why}
    assert cs.validate(ctx, n, {"city": "Olomouc"}) == {}


def test_stale_version_is_a_conflict_naming_who_and_when(ctx, as_role):
    n = cs.create(ctx, "Shared Customer")
    other = as_role("support", "eva")
    cs.update(other, n, {"city": "Olomouc"}, expected_version=1)
    with pytest.raises(Conflict) as info:
        cs.update(ctx, n, {"city": "Brno"}, expected_version=1)
    assert info.value.who == "eva"
    assert "eva" in str(info.value) and "reload" in str(info.value)
    assert cs.get_card(ctx, n).values["city"] == "Olomouc"


def test_linked_changes_bump_the_version_too(ctx):
    n = cs.create(ctx, "Linked")
    card = cs.update(ctx, n, {"groups": "Business, Employees"}, expected_version=1)
    assert card.version == 2
    assert card.groups == ("Business", "Employees")
    with pytest.raises(Conflict):
        cs.update(ctx, n, {"marks": "VIP"}, expected_version=1)


def test_unknown_customer(ctx):
    with pytest.raises(NotFound, match="customer 99999 does not exist"):
        cs.get_card(ctx, 99999)
    with pytest.raises(NotFound):
        cs.update(ctx, 99999, {"city": "X"})


def test_alternative_vs_must_be_unique(ctx):
    a = cs.create(ctx, "First", {"vs_alt1": "777"})
    b = cs.create(ctx, "Second")
    with pytest.raises(ValidationError, match=f"already assigned to customer {a}"):
        cs.update(ctx, b, {"vs_alt2": "777"})
    with pytest.raises(ValidationError, match=f"customer {a}'s own number"):
        cs.update(ctx, b, {"vs_alt1": str(a)})


def test_billing_fields_need_billing_permission(ctx, as_role):
    n = cs.create(ctx, "Billing Guard")
    support = as_role("support")
    with pytest.raises(PermissionDenied, match="may not edit billing data"):
        cs.update(support, n, {"iban": "CZ6508000000192000145399"})
    card = cs.update(ctx, n, {"iban": "CZ65 0800 0000 1920 0014 5399", "bic": "gibaczpx",
                              "ico": "25596641", "dic": "cz25596641", "due_days": "21"})
    assert card.values["iban"] == "CZ6508000000192000145399"
    assert card.values["bic"] == "GIBACZPX"
    assert card.values["dic"] == "CZ25596641"
    assert card.values["due_days"] == 21


# A change that is an action with its own permission needs that permission, whichever
# command or form makes it: (field, value, the permission's words in the refusal).
ACTION_FIELDS = [
    ("status", "Disconnected", "disconnect or move customers"),
    ("status", "Connected", "disconnect or move customers"),   # un-suspends a non-payer
    ("legal_form", "company", "disconnect or move customers"),  # change person/company (INF-9)
    ("managers", "{admin}", "disconnect or move customers"),
    ("never_suspend", "yes", "edit billing data"),
    ("suspend_after_days", "365", "edit billing data"),
    ("billing_group", "Main", "edit billing data"),
    ("due_days", "90", "edit billing data"),
]


@pytest.mark.parametrize("role", ["support", "technician"])
@pytest.mark.parametrize("field,value,words", ACTION_FIELDS, ids=[f"{f}={v}" for f, v, _w in ACTION_FIELDS])
def test_a_permission_belongs_to_the_change_not_to_the_command(ctx, as_role, cli, role, field, value, words):
    n = cs.create(ctx, "Non Payer", {"status": "Non-payer"})
    op = as_role(role)
    value = value.format(admin=ctx.actor.login)
    before = cs.get_card(ctx, n)
    with pytest.raises(PermissionDenied, match=words):
        cs.update(op, n, {field: value})
    code, _out, err = cli("customer", "edit", str(n), "--set", f"{field}={value}", operator=op.actor.login)
    assert code == 1 and words in err
    after = cs.get_card(ctx, n)
    assert (after.version, after.status, after.values) == (before.version, before.status, before.values)
    cs.update(ctx, n, {field: value})  # an admin may


def test_the_edit_form_offers_only_what_the_operator_may_change(ctx, as_role):
    offered = {f.name for f in cs.form_fields(as_role("support"), billing=False)}
    assert "city" in offered and not offered & {"status", "legal_form", "managers"}
    assert {"status", "legal_form", "managers"} <= {f.name for f in cs.form_fields(ctx, billing=False)}


def test_signing_up_a_customer_may_set_their_status_and_legal_form(as_role):
    support = as_role("support")
    n = cs.create(support, "New Company", {"legal_form": "company", "status": "Potential"})
    card = cs.get_card(support, n)
    assert card.values["legal_form"] == "company" and card.status == "Potential"


def test_readonly_operator_cannot_write(ctx, as_role):
    n = cs.create(ctx, "Read Only")
    viewer = as_role("readonly")
    assert cs.get_card(viewer, n).number == n
    with pytest.raises(PermissionDenied, match="read-only"):
        cs.update(viewer, n, {"city": "X"})
    with pytest.raises(PermissionDenied):
        cs.create(viewer, "Nobody")


def test_technician_edits_but_cannot_delete(ctx, as_role):
    n = cs.create(ctx, "Tech Case")
    tech = as_role("technician")
    cs.update(tech, n, {"gps": "49.9, 16.9"})
    with pytest.raises(PermissionDenied, match="delete customers"):
        cs.delete(tech, n)


def test_lifecycle_operations_are_audited_and_reversible(ctx):
    parent = cs.create(ctx, "Parent Company", {"legal_form": "company"})
    child = cs.create(ctx, "Branch Office")
    card = cs.attach_alias(ctx, child, parent)
    assert card.parent_number == parent
    assert cs.get_card(ctx, parent).alias_numbers == (child,)
    with pytest.raises(ValidationError, match="own alias"):
        cs.attach_alias(ctx, parent, parent)
    assert cs.disconnect(ctx, child).status == "Disconnected"
    assert cs.reconnect(ctx, child).status == "Connected"
    assert cs.set_former(ctx, child).former is True
    preview = cs.delete_many(ctx, [child], dry_run=True)
    assert [r.number for r in preview] == [child]
    assert cs.get_card(ctx, child).deleted is False
    cs.delete_many(ctx, [child], dry_run=False)
    assert cs.get_card(ctx, child).deleted is True
    assert cs.search(ctx, "Branch") == []
    assert [r.number for r in cs.search(ctx, "Branch", include_deleted=True)] == [child]
    cs.restore(ctx, child)
    assert [r.number for r in cs.search(ctx, "Branch")] == [child]
    actions = [h.action for h in history(ctx, child)]
    assert "delete" in actions and "restore" in actions
    version = cs.get_card(ctx, child).version
    with pytest.raises(ValidationError, match="is not deleted"):
        cs.restore(ctx, child)  # it was, until a moment ago: saying "restored" would be a lie
    assert cs.get_card(ctx, child).version == version


def test_additional_fields(ctx):
    from ispterm.settings.service import add_additional_field

    add_additional_field(ctx, "contract_no", "Contract number", "int")
    add_additional_field(ctx, "tariff_zone", "Zone", "choice", choices="A, B, C")
    n = cs.create(ctx, "Extra Fields", {"extra.contract_no": "4711", "extra.tariff_zone": "B"})
    assert cs.get_card(ctx, n).extras == {"contract_no": "4711", "tariff_zone": "B"}
    with pytest.raises(ValidationError, match="one of A, B, C"):
        cs.update(ctx, n, {"extra.tariff_zone": "Z"})
    card = cs.update(ctx, n, {"extra.contract_no": "4712"}, expected_version=1)
    assert card.version == 2
    assert ("extra.contract_no", "4711", "4712") in {(h.field, h.old, h.new) for h in history(ctx, n)}
