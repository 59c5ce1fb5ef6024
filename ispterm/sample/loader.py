"""Loading a data set (the bundled demo or another file in its format) into an empty,
initialised database, in one transaction with Core bulk inserts: all of it or nothing.

Code items, billing groups and operators are matched by name with what ``ispterm init``
created (missing ones are added); the rest is inserted as given, every value checked against
its column (and customer fields by the validators the forms use), so a bad value names its
place in the file. Then the search index is rebuilt and the invoice series continue after
the loaded numbers.

The bundled demo data set is package data of ``sample_data`` (the folder at the top of the
repository, shipped in the wheel), found with ``importlib.resources`` wherever it is installed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DataError, IntegrityError

from ispterm.audit.rows import audit_row
from ispterm.context import Ctx
from ispterm.errors import NotFound, ValidationError
from ispterm.operators.roles import CUSTOMER_CREATE, PAYMENT_WRITE
from ispterm.sample.common import CENT, FORMAT
from ispterm.sample.ids import IdPool
from ispterm.settings.service import PLACEHOLDER_COMPANY
from ispterm.store import models as m
from ispterm.store.search import fold
from ispterm.store.types import Money, UTCDateTime

DATA_PACKAGE = "sample_data"
DEMO_FILE = "demo.json"

# Customer keys that are not columns: resolved by name, or lists of related records.
_CUSTOMER_LINKS = {
    "status", "groups", "marks", "managers", "campaign", "payment_type", "billing_group", "parent",
    "contacts", "services", "inventory", "portal_logins", "invoices", "payments", "notes", "tasks",
    "communications", "history",
}

# Customer fields checked and normalised by the same validators the forms use.
_VALIDATED = {
    "email": "email", "billing_email": "email", "tech_email": "email", "business_email": "email",
    "other_emails": "emails", "phone": "phone", "mobile": "phone", "www": "url", "ico": "ico",
    "dic": "dic", "iban": "iban", "bic": "bic", "bank_account": "bank_account", "vs_alt1": "vs",
    "vs_alt2": "vs", "vs_alt3": "vs", "zip": "zip", "mail_zip": "zip", "billing_zip": "zip",
}

# Tables in foreign-key order, after the customers (parents before their aliases).
_INSERT_ORDER = [
    "customer_code", "customer_manager", "contact", "service", "service_ip", "inventory_item",
    "portal_login", "invoice", "invoice_line", "payment", "payment_allocation", "note", "task",
    "task_assignee", "communication", "audit_event",
]

# The related records of customers (and of the data set) whose ids are reserved up front.
_RESERVED = ("contact", "service", "invoice", "payment", "note", "task")


# =========================================================================== the bundled data


def data_dir() -> Path:
    """The folder of the bundled data sets: the ``sample_data`` package, in the checkout or
    installed beside ispterm from the wheel."""
    try:
        root = resources.files(DATA_PACKAGE)
    except ModuleNotFoundError:
        raise NotFound(f"demo data set not found: the {DATA_PACKAGE} package is not installed") from None
    return Path(str(root))  # pip installs unpacked, so this is a folder on disk


def demo_path() -> Path:
    """The bundled demo data set (``demo.json`` of ``sample_data``)."""
    path = data_dir() / DEMO_FILE
    if not path.is_file():
        raise NotFound(f"demo data set not found at {path}")
    return path


# =========================================================================== loading


def load_file(ctx: Ctx, path: Path) -> str:
    """Load a data set file (the bundled demo or another in the same format)."""
    ctx.require(CUSTOMER_CREATE)
    ctx.require(PAYMENT_WRITE)
    path = Path(path)
    data = _read(path)
    try:
        return load(ctx, data)
    except ValidationError as exc:
        if exc.field == "data":
            raise ValidationError("file", f"{path}: {exc.why}") from None
        raise


def _read(path: Path) -> Any:
    """The parsed JSON of ``path``; an unreadable file is a one-line error naming it."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"data set file {path} does not exist") from None
    except OSError as exc:
        raise ValidationError("file", f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValidationError("file", f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            "file", f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None


def load(ctx: Ctx, data: dict) -> str:
    """Insert a data set into an empty database in one transaction; returns a summary line."""
    ctx.require(CUSTOMER_CREATE)
    ctx.require(PAYMENT_WRITE)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValidationError("data", f'not an ispterm data set (expected "format": "{FORMAT}")')
    with ctx.write() as s:
        conn = s.connection()
        existing = conn.execute(select(func.count()).select_from(m.Customer.__table__)).scalar_one()
        if existing:
            raise ValidationError(
                "database", f"already has {existing:,} customers; sample load needs an empty database"
            )
        loader = _Loader(ctx, conn, data)
        try:
            loader.run()
        except (IntegrityError, DataError) as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
            raise ValidationError("data", f"the database refused the data ({reason})") from None
    return loader.summary()


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing key {exc.args[0]!r}"
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _insert(conn: Connection, table: sa.Table, rows: list[dict], batch: int = 20_000) -> None:
    stmt = insert(table)
    for start in range(0, len(rows), batch):
        conn.execute(stmt, rows[start : start + batch])


# =========================================================================== values


class _Bad(Exception):
    """A JSON value that does not fit its column; the message names the column and the value."""


def _amount(name: str, raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise _Bad(f'{name}: an amount is written as a string like "499.00", got {raw!r}')
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise _Bad(f"{name}: not an amount: {raw!r}") from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise _Bad(f"{name}: not an amount with at most 2 decimals: {raw!r}")
    return amount


def _time(name: str, raw: Any) -> datetime:
    if not isinstance(raw, str):
        raise _Bad(f"{name}: expected an ISO time like 2026-01-31T08:00:00+00:00, got {raw!r}")
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise _Bad(f"{name}: not an ISO time: {raw!r}") from None
    if when.tzinfo is None:
        raise _Bad(f"{name}: the time {raw!r} needs a UTC offset such as +00:00")
    return when


def _date(name: str, raw: Any) -> date:
    if not isinstance(raw, str):
        raise _Bad(f"{name}: expected an ISO date like 2026-01-31, got {raw!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise _Bad(f"{name}: not an ISO date: {raw!r}") from None


def _boolean(name: str, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise _Bad(f"{name}: expected true or false, got {raw!r}")
    return raw


def _integer(name: str, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise _Bad(f"{name}: expected a whole number, got {raw!r}")
    return raw


def _number(name: str, raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise _Bad(f"{name}: expected a number, got {raw!r}")
    return float(raw)


def _binary(name: str, raw: Any) -> None:
    raise _Bad(f"{name}: binary content cannot be loaded from a data set")


# By column type, first match wins; any other type takes text.
_CONVERTERS: list[tuple[type, Callable[[str, Any], Any]]] = [
    (Money, _amount), (UTCDateTime, _time), (sa.Date, _date), (sa.Boolean, _boolean),
    (sa.Integer, _integer), (sa.Float, _number), (sa.LargeBinary, _binary),
]


def _text(name: str, raw: Any, length: int | None) -> str:
    if not isinstance(raw, str):
        raise _Bad(f"{name}: expected text, got {raw!r}")
    if length and len(raw) > length:
        raise _Bad(f"{name}: too long ({len(raw)} characters, at most {length})")
    return raw


def _convert(col: sa.Column, raw: Any) -> Any:
    """One JSON value converted for ``col``, or :class:`_Bad` saying why it does not fit."""
    for kind, converter in _CONVERTERS:
        if isinstance(col.type, kind):
            return converter(col.name, raw)
    return _text(col.name, raw, getattr(col.type, "length", None))


# =========================================================================== the loader


class _Loader:
    """One load: rows collected per table with ids assigned up front, then written in
    foreign-key order. ``where`` names the place in the file that is being read, for errors."""

    def __init__(self, ctx: Ctx, conn: Connection, data: dict) -> None:
        self.ctx = ctx
        self.conn = conn
        self.data = data
        self.now = ctx.now()
        self.where = "data set"
        self.ids = IdPool(conn)
        self.pool: dict[str, Iterator[int]] = {}
        self.rows: dict[str, list[dict]] = {}
        self.code_ids: dict[tuple[str, str], int] = {}
        self.group_ids: dict[str, int] = {}
        self.operator_ids: dict[str, int] = {}
        self.customer_ids: dict[int, int] = {}
        self.counts: dict[str, int] = {}

    # ------------------------------------------------------------------ plumbing

    def alloc(self, table: str, n: int) -> list[int]:
        """The next n ids reserved for ``table`` in :meth:`_reserve`."""
        pool = self.pool[table]
        return [next(pool) for _ in range(n)]

    def fail(self, why: str) -> None:
        raise ValidationError("data", f"{self.where}: {why}")

    def add(self, table: sa.Table, row: dict) -> None:
        self.rows.setdefault(table.name, []).append(row)

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def run(self) -> None:
        try:
            self._run()
        except ValidationError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, InvalidOperation) as exc:
            raise ValidationError("data", f"{self.where}: {_why(exc)}") from None

    def summary(self) -> str:
        c = self.counts
        return (f"loaded {c.get('customer', 0):,} customers, {c.get('invoice', 0):,} invoices, "
                f"{c.get('payment', 0):,} payments, {c.get('note', 0):,} notes")

    def value(self, col: sa.Column, raw: Any) -> Any:
        """One JSON value converted for ``col``; a bad value names its place in the file."""
        try:
            return _convert(col, raw)
        except _Bad as exc:
            self.fail(str(exc))

    def record(self, table: sa.Table, rec: dict, fixed: dict, *, links: Iterable[str] = (),
               with_id: bool = True) -> dict:
        """A full row for ``table`` from a JSON record: given values, then model defaults."""
        if not isinstance(rec, dict):
            self.fail(f"expected an object, got {type(rec).__name__}")
        allowed = set(links)
        for key in rec:
            if key not in table.columns and key not in allowed:
                self.fail(f"unknown key {key!r} for {table.name}")
        return {col.name: self._column(col, rec, fixed) for col in table.columns
                if col.name in fixed or with_id or col.name != "id"}

    def _column(self, col: sa.Column, rec: dict, fixed: dict) -> Any:
        """The value of one column: fixed by the loader, given, the default, or NULL."""
        name = col.name
        if name in fixed:
            return fixed[name]
        if rec.get(name) is not None:
            return self.value(col, rec[name])
        default = col.default
        if default is not None and default.is_scalar:
            return default.arg
        if default is not None and default.is_callable:
            return self.now
        if not col.nullable and not col.primary_key:
            self.fail(f"{name} is required for {col.table.name}")
        return None

    # ------------------------------------------------------------------ reference data

    def _reference(self) -> None:
        for cid, kind, name in self.conn.execute(
                select(m.CodeItem.id, m.CodeItem.kind, m.CodeItem.name)):
            self.code_ids[(kind, fold(name))] = cid
        for gid, name in self.conn.execute(select(m.BillingGroup.id, m.BillingGroup.name)):
            self.group_ids[fold(name)] = gid
        for oid, login in self.conn.execute(select(m.Operator.id, m.Operator.login)):
            self.operator_ids[login] = oid

    def code(self, kind: str, name: Any) -> int | None:
        """The code item of this kind and name; created (added to the list) when missing."""
        if name is None:
            return None
        if not isinstance(name, str) or not name.strip():
            self.fail(f"expected a {kind.replace('_', ' ')} name, got {name!r}")
        key = (kind, fold(name))
        if key not in self.code_ids:
            self.code_ids[key] = self._new_code(kind, name, key[1])
        return self.code_ids[key]

    def _new_code(self, kind: str, name: str, folded: str) -> int:
        """Add a code item, with what the data set's ``codes`` say about it (its colour)."""
        spec = next((c for c in self.data.get("codes", {}).get(kind, [])
                     if isinstance(c, dict) and fold(str(c.get("name", ""))) == folded), {})
        table = m.CodeItem.__table__
        sort = self.conn.execute(select(func.count()).select_from(table)
                                 .where(m.CodeItem.kind == kind)).scalar_one()
        row = self.record(table, {**spec, "name": name.strip(), "kind": kind},
                          {"sort": sort, "is_default": False}, with_id=False)
        return self.conn.execute(insert(table).returning(m.CodeItem.id), [row]).scalar_one()

    def operator(self, login: Any) -> int:
        if login not in self.operator_ids:
            self.fail(f"unknown operator {login!r}; list it under \"operators\"")
        return self.operator_ids[login]

    def _settings(self) -> None:
        """System settings (``{"key": "value as typed in settings"}``), checked as the CLI checks them."""
        from ispterm.settings import registry

        settings = self.data.get("settings", {})
        self.where = "settings"
        if not isinstance(settings, dict):
            self.fail("must be an object of setting names and values")
        table = m.Setting.__table__
        for key, raw in settings.items():
            self.where = f"settings.{key}"
            try:
                value = registry.parse(key, str(raw))
            except ValidationError as exc:
                self.fail(exc.why)
            except NotFound as exc:
                self.fail(str(exc))
            self.conn.execute(delete(table).where(table.c.key == key))
            self.conn.execute(insert(table), [{"key": key, "value": registry.encode(value),
                                               "updated_at": self.now, "updated_by": self.ctx.actor.login}])

    def _operators(self) -> None:
        from ispterm.operators.roles import normalise_role
        from ispterm.operators.service import check_login

        table = m.Operator.__table__
        for k, rec in enumerate(self.data.get("operators", [])):
            self.where = f"operators[{k}]"
            try:
                login = check_login(str(rec.get("login") or ""))
                role = normalise_role(str(rec.get("role", "")))
            except ValidationError as exc:
                self.fail(str(exc))
            if login in self.operator_ids:
                continue  # an existing operator (such as the master admin) stays as it is
            fixed = {"login": login, "role": role,
                     "name": str(rec.get("name") or login), "password_hash": None,
                     "created_at": self.now, "updated_at": self.now,
                     "updated_by": self.ctx.actor.login}
            row = self.record(table, rec, fixed, with_id=False)
            self.operator_ids[login] = self.conn.execute(
                insert(table).returning(table.c.id), [row]).scalar_one()

    def _billing_groups(self) -> None:
        table = m.BillingGroup.__table__
        placeholder = {"", PLACEHOLDER_COMPANY}
        for k, rec in enumerate(self.data.get("billing_groups", [])):
            self.where = f"billing_groups[{k}]"
            key = fold(rec["name"])
            row = self.record(table, rec, {"is_default": False}, with_id=False)
            details = {c: v for c, v in row.items() if c not in ("name", "is_default", "active")}
            if key in self.group_ids:
                # Fill in the company only while it still has the placeholder from 'init'.
                current = self.conn.execute(
                    table.select().where(table.c.id == self.group_ids[key])).mappings().one()
                if current["company_name"] in placeholder:
                    self.conn.execute(update(table).where(table.c.id == self.group_ids[key]), details)
                continue
            self.group_ids[key] = self.conn.execute(
                insert(table).returning(table.c.id), [row]).scalar_one()

    def group(self, name: Any) -> int:
        if name is None:
            default = self.data.get("billing_groups", [{}])
            name = next((g["name"] for g in default if g.get("is_default")), "Main")
        key = fold(str(name))
        if key not in self.group_ids:
            self.fail(f"unknown billing group {name!r}")
        return self.group_ids[key]

    # ------------------------------------------------------------------ the run

    def _run(self) -> None:
        self._reference()
        self._operators()
        self._settings()
        self._billing_groups()
        customers = self.data.get("customers")
        if not isinstance(customers, list) or not customers:
            self.where = "customers"
            self.fail("the data set has no customers")
        numbers = self._numbers(customers)
        self.customer_ids = dict(zip(numbers, self.ids.take(m.Customer.__table__, len(customers)), strict=True))
        self._reserve(customers)
        for rec in customers:
            self.where = f"customer {rec['number']}"
            self._customer(rec, self.customer_ids[rec["number"]])
        for k, rec in enumerate(self.data.get("unmatched_payments", [])):
            self.where = f"unmatched_payments[{k}]"
            self._payment(None, rec, {})
        for k, rec in enumerate(self.data.get("tasks", [])):
            self.where = f"tasks[{k}]"
            self._task(None, rec)
        self.where = "data set"
        self._write()

    def _numbers(self, customers: list) -> list[int]:
        """The customer numbers: positive whole numbers, each once."""
        numbers = [c.get("number") if isinstance(c, dict) else None for c in customers]
        seen: set = set()
        for k, n in enumerate(numbers):
            self.where = f"customers[{k}]"
            if isinstance(n, bool) or not isinstance(n, int) or n < 1:
                self.fail(f"number must be a positive whole number, got {n!r}")
            if n in seen:
                self.fail(f"customer number {n} appears twice")
            seen.add(n)
        return numbers

    def _reserve(self, customers: list[dict]) -> None:
        """Ids for every related table in one go (one round trip each on PostgreSQL)."""
        self.where = "data set"
        wanted = dict.fromkeys(_RESERVED, 0)
        for rec in customers:
            for name in wanted:
                items = rec.get(name + "s", [])
                if not isinstance(items, list):
                    self.where = f"customer {rec['number']}"
                    self.fail(f"{name}s must be a list")
                wanted[name] += len(items)
        for key, name in (("unmatched_payments", "payment"), ("tasks", "task")):
            items = self.data.get(key, [])
            if not isinstance(items, list):
                self.fail(f"{key} must be a list")
            wanted[name] += len(items)
        self.pool = {name: iter(self.ids.take(m.metadata.tables[name], n))
                     for name, n in wanted.items()}

    def _write(self) -> None:
        """Insert the collected rows, rebuild the search index, continue the invoice series and
        record the load in the history."""
        from ispterm.billing.numbering import seed_all_series
        from ispterm.store.search import rebuild_all

        rows = self.rows.pop("customer")
        rows.sort(key=lambda r: r["parent_id"] is not None)  # parents before their aliases
        _insert(self.conn, m.Customer.__table__, rows)
        for name in _INSERT_ORDER:
            _insert(self.conn, m.metadata.tables[name], self.rows.pop(name, []))
        if self.rows:
            raise AssertionError(f"rows of {sorted(self.rows)} were not inserted")
        rebuild_all(self.conn)
        seed_all_series(self.conn)  # new invoices continue after the loaded numbers
        self.conn.execute(insert(m.AuditEvent.__table__), [audit_row(
            at=self.now, operator=self.ctx.actor.login, customer_id=None, entity="sample",
            entity_id=None, action="load",
            summary=self.summary().replace("loaded", "sample data loaded:", 1))])

    # ------------------------------------------------------------------ one customer

    def _customer(self, rec: dict, cid: int) -> None:
        table = m.Customer.__table__
        self.count("customer")
        cleaned = self._validated(rec)
        parent = rec.get("parent")
        if parent is not None and parent not in self.customer_ids:
            self.fail(f"parent customer {parent!r} is not in the data set")
        fixed = {
            "id": cid,
            "status_id": self.code("status", rec.get("status", "Connected")),
            "campaign_id": self.code("campaign", rec.get("campaign")),
            "payment_type_id": self.code("payment_type", rec.get("payment_type")),
            "billing_group_id": self.group(rec.get("billing_group")),
            "parent_id": self.customer_ids.get(parent) if parent is not None else None,
        }
        if "portal_password_hash" in rec:
            self.fail("portal_password_hash cannot be loaded from a data set")
        self.add(table, self.record(table, cleaned, fixed, links=_CUSTOMER_LINKS))
        self._codes_and_managers(rec, cid)
        self._related(rec, cid)

    def _validated(self, rec: dict) -> dict:
        """The record with its contact and bank fields normalised as the forms do it."""
        from ispterm import validation as v

        cleaned = dict(rec)
        country = str(rec.get("country") or "CZ")
        for field, kind in _VALIDATED.items():
            raw = rec.get(field)
            if raw is None:
                continue
            if not isinstance(raw, str):
                self.fail(f"{field}: expected text, got {raw!r}")
            try:
                if kind == "zip":
                    cc = rec.get(f"{field.removesuffix('zip')}country") or country
                    cleaned[field] = v.zip_code(raw, field=field, country=cc)
                else:
                    cleaned[field] = getattr(v, kind)(raw, field=field)
            except ValidationError as exc:
                self.fail(str(exc))
        return cleaned

    def _codes_and_managers(self, rec: dict, cid: int) -> None:
        """Groups and marks (each code once) and the managing operators."""
        seen_codes: set[int] = set()
        for kind, key in (("group", "groups"), ("mark", "marks")):
            for name in rec.get(key, []):
                code_id = self.code(kind, name)
                if code_id not in seen_codes:
                    seen_codes.add(code_id)
                    self.add(m.CustomerCode.__table__, {"customer_id": cid, "code_id": code_id})
        for login in dict.fromkeys(rec.get("managers", [])):
            self.add(m.CustomerManager.__table__,
                     {"customer_id": cid, "operator_id": self.operator(login)})

    def _related(self, rec: dict, cid: int) -> None:
        """Everything the customer carries; ``refs`` maps the history's ``ref`` to row ids."""
        refs: dict[str, list[int]] = {}
        refs["contact"] = self._contacts(cid, rec.get("contacts", []))
        refs["service"] = self._services(cid, rec.get("services", []))
        for item in rec.get("inventory", []):
            self.add(m.InventoryItem.__table__, self.record(m.InventoryItem.__table__, item,
                                                            {"customer_id": cid}, with_id=False))
        for item in rec.get("portal_logins", []):
            self.add(m.PortalLogin.__table__, self.record(m.PortalLogin.__table__, item,
                                                          {"customer_id": cid, "contact_id": None},
                                                          with_id=False))
        invoice_ids = self._invoices(cid, rec)
        refs["invoice"] = list(invoice_ids.values())
        refs["payment"] = [self._payment(cid, p, invoice_ids, rec) for p in rec.get("payments", [])]
        notes = rec.get("notes", [])
        refs["note"] = self._notes(cid, notes)
        refs["task"] = [self._task(cid, t) for t in rec.get("tasks", [])]
        for item in rec.get("communications", []):
            self._communication(cid, item, refs["contact"])
        for item in rec.get("history", []):
            self._history(cid, item, refs, notes)

    def _contacts(self, cid: int, contacts: list) -> list[int]:
        from ispterm import validation as v

        table = m.Contact.__table__
        ids = self.alloc("contact", len(contacts))
        for contact_id, item in zip(ids, contacts, strict=True):
            cleaned = dict(item)
            for field, check in (("email", v.email), ("phone", v.phone), ("mobile", v.phone)):
                if item.get(field) is not None:
                    try:
                        cleaned[field] = check(str(item[field]), field=f"contacts: {field}")
                    except ValidationError as exc:
                        self.fail(str(exc))
            fixed = {"id": contact_id, "customer_id": cid,
                     "portal_level_id": self.code("portal_level", item.get("portal_level")),
                     "portal_password_hash": None}
            self.add(table, self.record(table, cleaned, fixed, links={"portal_level"}))
        return ids

    def _services(self, cid: int, services: list) -> list[int]:
        table = m.Service.__table__
        ids = self.alloc("service", len(services))
        for service_id, item in zip(ids, services, strict=True):
            self.add(table, self.record(table, item, {"id": service_id, "customer_id": cid},
                                        links={"ips"}))
            for ip in item.get("ips", []):
                self.add(m.ServiceIp.__table__, self.record(m.ServiceIp.__table__, ip,
                                                            {"service_id": service_id}, with_id=False))
        return ids

    def _invoices(self, cid: int, rec: dict) -> dict[str, int]:
        """The customer's invoices with their lines; returns the id of each invoice number."""
        table, lines = m.Invoice.__table__, m.InvoiceLine.__table__
        invoices = rec.get("invoices", [])
        ids = self.alloc("invoice", len(invoices))
        out: dict[str, int] = {}
        group_id = self.group(rec.get("billing_group"))
        for invoice_id, item in zip(ids, invoices, strict=True):
            number = item["number"]
            if number in out:
                self.fail(f"invoice {number} appears twice")
            out[number] = invoice_id
            issued = item["issued_on"]
            fixed = {"id": invoice_id, "customer_id": cid, "billing_group_id": group_id,
                     "vs": str(item.get("vs") or rec["number"]),
                     "created_at": self.value(table.c.created_at,
                                              item.get("created_at") or f"{issued}T00:00:00+00:00"),
                     "created_by": item.get("created_by", "system")}
            self.add(table, self.record(table, item, fixed, links={"lines"}))
            self.count("invoice")
            for line in item.get("lines", []):
                fixed_line = {"invoice_id": invoice_id}
                if "total" not in line:
                    qty = line.get("quantity", 1)
                    fixed_line["total"] = (self.value(lines.c.unit_price, line["unit_price"]) * qty)
                self.add(lines, self.record(lines, line, fixed_line, with_id=False))
        return out

    def _payment(self, cid: int | None, item: dict, invoice_ids: dict[str, int],
                 customer: dict | None = None) -> int:
        table = m.Payment.__table__
        payment_id = self.alloc("payment", 1)[0]
        received = item["received_on"]
        ptype = item.get("payment_type") or (customer or {}).get("payment_type")
        fixed = {"id": payment_id, "customer_id": cid,
                 "payment_type_id": self.code("payment_type", ptype),
                 "created_at": self.value(table.c.created_at,
                                          item.get("created_at") or f"{received}T00:00:00+00:00"),
                 "created_by": item.get("created_by", "system")}
        self.add(table, self.record(table, item, fixed,
                                    links={"allocations", "payment_type", "customer"}))
        self.count("payment")
        allocations = m.PaymentAllocation.__table__
        for alloc in item.get("allocations", []):
            number = alloc["invoice"]
            if number not in invoice_ids:
                self.fail(f"payment of {received} is allocated to invoice {number!r}, "
                          "which this customer does not have")
            self.add(allocations, {
                "payment_id": payment_id, "invoice_id": invoice_ids[number],
                "amount": self.value(allocations.c.amount, alloc["amount"])})
        return payment_id

    def _notes(self, cid: int, notes: list) -> list[int]:
        table = m.Note.__table__
        ids = self.alloc("note", len(notes))
        for note_id, item in zip(ids, notes, strict=True):
            author = item.get("author")
            fixed = {"id": note_id, "customer_id": cid, "author_id": self.operator(author),
                     "updated_by": item.get("updated_by") or author}
            self.add(table, self.record(table, item, fixed, links={"author"}))
            self.count("note")
        return ids

    def _task(self, cid: int | None, item: dict) -> int:
        from ispterm.support.model import TASK_PRIORITIES, TASK_STATUSES

        table = m.Task.__table__
        if item.get("status", "new") not in TASK_STATUSES:
            self.fail(f"task status must be one of {', '.join(TASK_STATUSES)}, "
                      f"got {item.get('status')!r}")
        if item.get("priority", "normal") not in TASK_PRIORITIES:
            self.fail(f"task priority must be one of {', '.join(TASK_PRIORITIES)}")
        task_id = self.alloc("task", 1)[0]
        fixed = {"id": task_id, "customer_id": cid, "type_id": self.code("task_type", item.get("type"))}
        self.add(table, self.record(table, item, fixed, links={"type", "assignees", "customer"}))
        for login in dict.fromkeys(item.get("assignees", [])):
            self.add(m.TaskAssignee.__table__,
                     {"task_id": task_id, "operator_id": self.operator(login)})
        return task_id

    def _communication(self, cid: int, item: dict, contact_ids: list[int]) -> None:
        table = m.Communication.__table__
        contact = item.get("contact") if isinstance(item, dict) else None
        fixed = {"customer_id": cid,
                 "contact_id": contact_ids[contact] if contact is not None else None}
        self.add(table, self.record(table, item, fixed, links={"contact"}, with_id=False))

    def _history(self, cid: int, item: dict, refs: dict[str, list], notes: list) -> None:
        """A history row; one about a private note is private to the note's author too."""
        table = m.AuditEvent.__table__
        entity = item.get("entity", "customer")
        ref = item.get("ref")
        private_to = None
        if entity == "customer":
            entity_id = cid
        elif ref is not None:
            if entity not in refs:
                self.fail(f"history rows about {entity!r} cannot have a ref")
            entity_id = refs[entity][ref]
            if entity == "note" and notes[ref].get("private"):
                private_to = self.operator(notes[ref].get("author"))
        else:
            entity_id = None
        fixed = {"customer_id": cid, "entity_id": entity_id, "private_to": private_to}
        self.add(table, self.record(table, item, fixed, links={"ref"}, with_id=False))
