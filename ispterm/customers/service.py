"""Customer services: find, read, create, edit (with version check) and lifecycle (INF-9)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, text
from sqlmodel import Session, col, select

from ispterm.audit.recorder import record
from ispterm.context import Ctx
from ispterm.customers import fields as F
from ispterm.customers.card import CustomerCard, CustomerRow, load_card, load_rows
from ispterm.customers.lookup import customer_by_number
from ispterm.customers.model import AdditionalValue, Customer, CustomerCode, CustomerManager
from ispterm.errors import Conflict, InvalidFields, NotFound, ValidationError, raise_collected
from ispterm.operators.model import Operator
from ispterm.operators.roles import (
    BILLING_EDIT,
    CUSTOMER_CREATE,
    CUSTOMER_DELETE,
    CUSTOMER_EDIT,
    CUSTOMER_LIFECYCLE,
)
from ispterm.settings.model import AdditionalField, CodeItem
from ispterm.settings.service import (
    billing_group_by_name,
    code_by_name,
    default_billing_group,
    default_code,
    get_value,
)
from ispterm.store.rows import saved_id


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``FIELD=VALUE`` strings from the CLI into a dict; a value may be empty to clear it."""
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValidationError("--set", f"expected FIELD=VALUE, got {pair!r}")
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


def _alerts(ctx: Ctx, session: Session, customer_id: int) -> int:
    from ispterm.notes.model import Note
    from ispterm.notes.service import visible_notes_filter

    return session.exec(
        select(func.count()).select_from(Note).where(
            Note.customer_id == customer_id, Note.alert, col(Note.deleted_at).is_(None),
            visible_notes_filter(ctx))
    ).one()


def _card(ctx: Ctx, s: Session, c: Customer) -> CustomerCard:
    """The card as the app and the CLI show it: alert notes this operator sees, and whether
    the next suspension run releases a suspended customer, judged on the Ctx's date."""
    return load_card(s, c, alert_count=_alerts(ctx, s, saved_id(c.id)), today=ctx.today())


def get_card(ctx: Ctx, number: int) -> CustomerCard:
    with ctx.read() as s:
        c = customer_by_number(s, number)
        return _card(ctx, s, c)


def search(ctx: Ctx, query: str, *, limit: int = 20, offset: int = 0,
           include_deleted: bool = False) -> list[CustomerRow]:
    """Ranked, paged search over the index (number, name, e-mail, phone, address, IP, VS)."""
    from ispterm.store.search import search_ids

    if limit < 1 or limit > 1000:
        raise ValidationError("limit", "must be between 1 and 1000")
    with ctx.read() as s:
        ids = search_ids(s.connection(), query, limit=limit, offset=offset,
                         include_deleted=include_deleted)
        return load_rows(s, ids)


def list_page(ctx: Ctx, *, limit: int = 50, offset: int = 0) -> list[CustomerRow]:
    """Customers by name, a page at a time (the list before anything is typed)."""
    with ctx.read() as s:
        ids = [saved_id(i) for i in s.exec(select(Customer.id).where(col(Customer.deleted_at).is_(None))
                                           .order_by(col(Customer.name), col(Customer.id))
                                           .limit(limit).offset(offset))]
        return load_rows(s, ids)


def customer_count(ctx: Ctx) -> int:
    with ctx.read() as s:
        return s.exec(select(func.count()).select_from(Customer)
                      .where(col(Customer.deleted_at).is_(None))).one()


def _next_number(session: Session) -> int:
    if session.get_bind().dialect.name == "postgresql":
        # Serialise number allocation between concurrent transactions on the server.
        session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
    highest = session.exec(select(func.max(Customer.number))).one()
    start = int(get_value(session, "customer_number_start"))
    return max(start, (highest or 0) + 1)


def create(ctx: Ctx, name: str, values: dict[str, str] | None = None) -> int:
    """Add a customer; returns the new customer number (INF-1)."""
    ctx.require(CUSTOMER_CREATE)
    values = dict(values or {})
    values["name"] = name
    with ctx.write() as s:
        number = _next_number(s)
        customer = Customer(number=number, name="", billing_group_id=saved_id(default_billing_group(s).id),
                            created_by=ctx.actor.login, updated_by=ctx.actor.login)
        status = default_code(s, "status")
        customer.status_id = status.id if status else None
        payment = default_code(s, "payment_type")
        customer.payment_type_id = payment.id if payment else None
        if get_value(s, "portal_login_from_number"):
            customer.portal_login = str(number)
        s.add(customer)
        _apply(ctx, s, customer, values, creating=True)
        s.flush()
        return number


def update(ctx: Ctx, number: int, values: dict[str, str], *,
           expected_version: int | None = None) -> CustomerCard:
    """Change fields; with ``expected_version`` a concurrent change raises Conflict."""
    if not values:
        raise ValidationError("--set", "nothing to change")
    with ctx.write() as s:
        customer = customer_by_number(s, number, lock=True)
        if expected_version is not None and customer.version != expected_version:
            raise Conflict(f"customer {number}", customer.updated_by, customer.updated_at)
        _apply(ctx, s, customer, values, creating=False)
        s.flush()
        return _card(ctx, s, customer)


def validate(ctx: Ctx, number: int | None, values: dict[str, str]) -> dict[str, str]:
    """Field -> error message for a form, without writing anything."""
    try:
        with ctx.read() as s:
            customer = customer_by_number(s, number) if number is not None else Customer(number=0, name="", billing_group_id=0)
            _parse_all(ctx, s, customer, values, creating=number is None)
    except InvalidFields as exc:
        return {e.field: e.why for e in exc.errors}
    except ValidationError as exc:
        return {exc.field: exc.why}
    return {}


def _parse_all(ctx: Ctx, s: Session, customer: Customer, values: dict[str, str], *,
               creating: bool = False) -> dict[str, Any]:
    region = get_value(s, "phone_region")
    country = (values.get("country") or customer.country or "CZ").strip().upper() or "CZ"
    extras = {f.name: f for f in s.exec(select(AdditionalField).where(AdditionalField.active))}
    parsed: dict[str, Any] = {}
    errors: list[ValidationError] = []
    for name, raw in values.items():
        try:
            if name.startswith(F.EXTRA_PREFIX):
                field = extras.get(name[len(F.EXTRA_PREFIX):])
                if field is None:
                    raise ValidationError(name, "unknown additional field; see 'ispterm customer fields'")
                ctx.require(CUSTOMER_EDIT)
                parsed[name] = _parse_extra(field, raw, name)
                continue
            spec = F.spec(name)
            ctx.require(spec.needs(creating=creating))
            zip_country = values.get(name.replace("zip", "country")) if name.endswith("zip") else None
            env = F.Env(region=region, country=(zip_country or country).strip().upper() or "CZ")
            parsed[name] = spec.parse(raw, name, env)
        except ValidationError as exc:
            errors.append(exc)
    raise_collected(errors)
    return parsed


def _parse_extra(field: AdditionalField, raw: str, name: str) -> str | None:
    from ispterm import validation as v

    raw = raw.strip()
    if not raw:
        return None
    if field.type == "int":
        try:
            return str(int(raw))
        except ValueError:
            raise ValidationError(name, f"must be a whole number, got {raw!r}") from None
    if field.type == "decimal":
        return str(v.decimal_money(raw, field=name))
    if field.type == "date":
        day = v.iso_date(raw, field=name)
        assert day is not None  # raw is not blank: a date, or ValidationError
        return day.isoformat()
    if field.type == "bool":
        return "yes" if v.boolean(raw, field=name) else "no"
    if field.type == "choice":
        choices = [c.strip() for c in (field.choices or "").split(",") if c.strip()]
        if raw not in choices:
            raise ValidationError(name, f"must be one of {', '.join(choices)}, got {raw!r}")
        return raw
    return v.single_line(raw, field=name, max_len=1000)


def _apply(ctx: Ctx, s: Session, customer: Customer, values: dict[str, str], *, creating: bool) -> None:
    parsed = _parse_all(ctx, s, customer, values, creating=creating)
    errors: list[ValidationError] = []
    for name, value in parsed.items():
        try:
            _set(ctx, s, customer, name, value, creating=creating)
        except ValidationError as exc:
            errors.append(exc)
    raise_collected(errors)


def _set(ctx: Ctx, s: Session, c: Customer, name: str, value: Any, *, creating: bool) -> None:
    if name.startswith(F.EXTRA_PREFIX):
        _set_extra(s, c, name[len(F.EXTRA_PREFIX):], value)
        return
    spec = F.FIELDS[name]
    if spec.kind == "gps":
        c.gps_lat, c.gps_lon = value if value else (None, None)
    elif spec.kind == "code":
        kind = F.CODE_KINDS[name]
        if value is None and name == "status":
            raise ValidationError(name, "a customer always has a status")
        setattr(c, f"{name}_id", code_by_name(s, kind, value, field=name).id if value else None)
    elif spec.kind == "billing_group":
        if not value:
            raise ValidationError(name, "every customer belongs to a billing group")
        c.billing_group_id = saved_id(billing_group_by_name(s, value).id)
    elif spec.kind == "codes":
        _set_codes(s, c, name, F.CODE_KINDS[name], value, creating=creating)
    elif spec.kind == "managers":
        _set_managers(s, c, value, creating=creating)
    elif name in ("vs_alt1", "vs_alt2", "vs_alt3") and value:
        _check_vs_free(s, c, name, value)
        setattr(c, name, value)
    elif name == "portal_login" and value:
        taken = s.exec(select(Customer.number).where(Customer.portal_login == value,
                                                     Customer.id != c.id)).first()
        if taken is not None:
            raise ValidationError(name, f"{value!r} is already the portal login of customer {taken}")
        c.portal_login = value
    else:
        setattr(c, name, value)


def _check_vs_free(s: Session, c: Customer, name: str, vs: str) -> None:
    """An assigned VS must point at one customer only, or payments would match two."""
    if vs.isdigit() and len(vs) <= 18:
        owner = s.exec(select(Customer.number).where(Customer.number == int(vs), Customer.id != c.id)).first()
        if owner is not None:
            raise ValidationError(name, f"VS {vs} is customer {owner}'s own number")
    owner = s.exec(select(Customer.number).where(
        Customer.id != c.id,
        or_(col(Customer.vs_alt1) == vs, col(Customer.vs_alt2) == vs, col(Customer.vs_alt3) == vs))).first()
    if owner is not None:
        raise ValidationError(name, f"VS {vs} is already assigned to customer {owner}")


def _set_codes(s: Session, c: Customer, name: str, kind: str, names: list[str], *, creating: bool) -> None:
    wanted = {saved_id(i.id): i.name for i in (code_by_name(s, kind, n, field=name) for n in names)}
    if c.id is None:
        s.flush()
    current = {saved_id(i): n for i, n in s.exec(
        select(CodeItem.id, CodeItem.name)
        .join(CustomerCode, col(CustomerCode.code_id) == col(CodeItem.id))
        .where(CustomerCode.customer_id == c.id, CodeItem.kind == kind))}
    _sync_links(s, c, name, current, wanted, CustomerCode, "code_id", creating=creating)


def _set_managers(s: Session, c: Customer, logins: list[str], *, creating: bool) -> None:
    wanted: dict[int, str] = {}
    for login in logins:
        op_id = s.exec(select(Operator.id).where(Operator.login == login)).first()
        if op_id is None:
            raise ValidationError("managers", f"unknown operator {login!r}")
        wanted[op_id] = login
    if c.id is None:
        s.flush()
    current = {saved_id(i): n for i, n in s.exec(
        select(Operator.id, Operator.login)
        .join(CustomerManager, col(CustomerManager.operator_id) == col(Operator.id))
        .where(CustomerManager.customer_id == c.id))}
    _sync_links(s, c, "managers", current, wanted, CustomerManager, "operator_id", creating=creating)


def _sync_links(s: Session, c: Customer, field: str, current: dict[int, str], wanted: dict[int, str],
                link: type[CustomerCode] | type[CustomerManager], column: str, *,
                creating: bool) -> None:
    """Make the customer's link rows match ``wanted`` (id -> name) and audit the change as
    one field, old and new listed by name (link rows themselves are not audited)."""
    if set(current) == set(wanted):
        return
    customer_id = saved_id(c.id)  # the callers flush a new customer first
    for target in set(current) - set(wanted):
        s.delete(s.get(link, (customer_id, target)))
    for target in set(wanted) - set(current):
        s.add(link(customer_id=customer_id, **{column: target}))
    if creating:
        return
    _touch(s, c)
    record(s, customer_id=c.id, entity="customer", entity_id=c.id, action="update", field=field,
           old=", ".join(sorted(current.values())) or None,
           new=", ".join(sorted(wanted.values())) or None)


def _set_extra(s: Session, c: Customer, name: str, value: str | None) -> None:
    field = s.exec(select(AdditionalField).where(AdditionalField.name == name)).one()
    if c.id is None:
        s.flush()
    row = s.exec(select(AdditionalValue).where(AdditionalValue.customer_id == c.id,
                                               AdditionalValue.field_id == field.id)).first()
    if row is None:
        if value is not None:
            s.add(AdditionalValue(customer_id=saved_id(c.id), field_id=saved_id(field.id), value=value))
            _touch(s, c)
    elif row.value != value:
        row.value = value
        _touch(s, c)


def _touch(s: Session, c: Customer) -> None:
    """Changing a linked record is a change of the customer: bump its version and stamp."""
    if c.id is not None and c not in s.new:
        from ispterm.store.types import session_now

        # A column change makes the audit listener stamp updated_by and bump the version.
        c.updated_at = session_now(s)


# Lifecycle (INF-9) ------------------------------------------------------------------------

def _status_by_tag(s: Session, tag: str) -> CodeItem:
    item = s.exec(select(CodeItem).where(CodeItem.kind == "status", CodeItem.tag == tag)).first()
    if item is None:
        raise NotFound(f"no status is tagged {tag!r} in the status code list")
    return item


def mark_for_disconnection(ctx: Ctx, number: int, on: date | None, *,
                           expected_version: int | None = None) -> CustomerCard:
    ctx.require(CUSTOMER_LIFECYCLE)
    return _lifecycle(ctx, number, expected_version, lambda s, c: setattr(c, "disconnect_on", on))


def disconnect(ctx: Ctx, number: int, *, expected_version: int | None = None) -> CustomerCard:
    ctx.require(CUSTOMER_LIFECYCLE)

    def change(s: Session, c: Customer) -> None:
        c.status_id = _status_by_tag(s, "disconnected").id
        c.disconnect_on = None
    return _lifecycle(ctx, number, expected_version, change)


def reconnect(ctx: Ctx, number: int, *, expected_version: int | None = None) -> CustomerCard:
    ctx.require(CUSTOMER_LIFECYCLE)
    return _lifecycle(ctx, number, expected_version,
                      lambda s, c: setattr(c, "status_id", _status_by_tag(s, "connected").id))


def set_former(ctx: Ctx, number: int, former: bool = True, *,
               expected_version: int | None = None) -> CustomerCard:
    ctx.require(CUSTOMER_LIFECYCLE)
    return _lifecycle(ctx, number, expected_version, lambda s, c: setattr(c, "former", former))


def attach_alias(ctx: Ctx, number: int, parent_number: int | None, *,
                 expected_version: int | None = None) -> CustomerCard:
    """Make ``number`` a child account (alias) of ``parent_number``; None detaches it."""
    ctx.require(CUSTOMER_LIFECYCLE)

    def change(s: Session, c: Customer) -> None:
        if parent_number is None:
            c.parent_id = None
            return
        parent = customer_by_number(s, parent_number)
        if parent.id == c.id:
            raise ValidationError("parent", "a customer cannot be its own alias")
        if parent.parent_id is not None:
            raise ValidationError("parent", f"customer {parent_number} is itself an alias; attach to its parent")
        if s.exec(select(Customer.id).where(Customer.parent_id == c.id)).first() is not None:
            raise ValidationError("parent", f"customer {number} has aliases of its own")
        c.parent_id = parent.id
    return _lifecycle(ctx, number, expected_version, change)


def delete(ctx: Ctx, number: int, *, expected_version: int | None = None) -> CustomerCard:
    """Soft delete: the customer leaves lists and search but keeps its history; restorable."""
    ctx.require(CUSTOMER_DELETE)

    def change(s: Session, c: Customer) -> None:
        if c.deleted_at is not None:
            raise ValidationError("customer", f"customer {number} is already deleted")
        c.deleted_at = ctx.now()
    return _lifecycle(ctx, number, expected_version, change)


def restore(ctx: Ctx, number: int) -> CustomerCard:
    ctx.require(CUSTOMER_DELETE)

    def change(s: Session, c: Customer) -> None:
        if c.deleted_at is None:
            raise ValidationError("customer", f"customer {number} is not deleted; nothing to restore")
        c.deleted_at = None
    return _lifecycle(ctx, number, None, change)


def delete_many(ctx: Ctx, numbers: list[int], *, dry_run: bool = True) -> list[CustomerRow]:
    """Mass delete with a preview: the dry run returns exactly who would be deleted."""
    ctx.require(CUSTOMER_DELETE)
    with ctx.read() if dry_run else ctx.write() as s:
        customers = [customer_by_number(s, n, lock=not dry_run) for n in numbers]
        live = [c for c in customers if c.deleted_at is None]
        rows = load_rows(s, [saved_id(c.id) for c in live])
        if not dry_run:
            for c in live:
                c.deleted_at = ctx.now()
        return rows


def _lifecycle(ctx: Ctx, number: int, expected_version: int | None,
               change: Callable[[Session, Customer], None]) -> CustomerCard:
    with ctx.write() as s:
        customer = customer_by_number(s, number, lock=True)
        if expected_version is not None and customer.version != expected_version:
            raise Conflict(f"customer {number}", customer.updated_by, customer.updated_at)
        change(s, customer)
        s.flush()
        return _card(ctx, s, customer)


# Forms ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    group: str
    help: str


def form_fields(ctx: Ctx, *, billing: bool) -> list[FormField]:
    """What an edit form offers: the card's own fields or its billing fields (BIL-1..4), and
    with the former the active additional fields (INF-8), in the card's order; only the
    fields this operator may change (the rest is on the card to read)."""
    from ispterm.settings.service import list_additional_fields

    out = [FormField(f.name, f.label, f.group, f.help) for f in F.FIELDS.values()
           if (f.permission == BILLING_EDIT) == billing and ctx.can(f.permission)]
    if not billing:
        with ctx.read() as s:
            out += [FormField(f"{F.EXTRA_PREFIX}{f.name}", f.label, "additional fields", f.type)
                    for f in list_additional_fields(s)]
    return out
