"""Templates (MSG-1): Jinja2's sandbox, the variable catalogue, checks at save time.

Templates are written by operators, so they run in ``SandboxedEnvironment`` (no attribute
escapes such as ``__class__``) with ``StrictUndefined``: a misspelt variable is an error
when the template is saved, never a blank in a sent mail. HTML bodies are autoescaped.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ispterm.errors import ValidationError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

NAME = re.compile(r"^[a-z_][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    group: str
    value: str | None = None  # set for user-defined system variables


BUILTIN: tuple[Variable, ...] = tuple(Variable(n, d, g) for g, n, d in [
    ("customer", "number", "customer number (also the default VS and portal login)"),
    ("customer", "name", "name or company name"),
    ("customer", "legal_form", "person or company"),
    ("customer", "street", "service address: street"),
    ("customer", "city", "service address: city"),
    ("customer", "zip", "service address: ZIP"),
    ("customer", "email", "main e-mail"),
    ("customer", "billing_email", "billing e-mail (falls back to the main one)"),
    ("customer", "phone", "phone"),
    ("customer", "mobile", "mobile (SMS go here)"),
    ("customer", "status", "customer status"),
    ("customer", "portal_login", "portal login"),
    ("billing", "vs", "variable symbol (= customer number)"),
    ("billing", "balance", "balance: payments minus invoiced (negative = owes)"),
    ("billing", "owed", "amount owed (0 when nothing is owed)"),
    ("billing", "currency", "currency of the balance"),
    ("billing", "due_total", "sum outstanding on open invoices"),
    ("billing", "due_invoices", "open invoices: loop with {% for i in due_invoices %}{{ i.number }} {{ i.due_on }} {{ i.outstanding }}{% endfor %}"),
    ("service", "service_plan", "plan of the active service"),
    ("service", "service_price", "monthly price of the active service"),
    ("service", "service_ip", "first IP address of the active service"),
    ("service", "service_ips", "all IP addresses of the active service, comma separated"),
    ("service", "service_mac", "MAC address of the active service"),
    ("service", "service_dns", "DNS servers of the active service"),
    ("contact", "contact_name", "contact person the mail is for (empty otherwise)"),
    ("contact", "contact_login", "portal login of that contact"),
    ("contact", "portal_password", "freshly generated portal password (welcome / password reset)"),
    ("general", "today", "today's date"),
    ("general", "operator", "name of the operator sending the message"),
    ("general", "text", "free text of notifications (portal requests, contact changes)"),
])
BUILTIN_NAMES = frozenset(v.name for v in BUILTIN)

_SAMPLE_INVOICE = {"number": "202600001", "issued_on": date(2026, 1, 1), "due_on": date(2026, 1, 15),
                   "total": Decimal("413.22"), "outstanding": Decimal("413.22"), "vs": "10001"}
# A fixed sample day, not the real one: whether a template passes the check when it is saved
# must not depend on the day it is saved (``{{ 1 / (today.month - 12) }}``).
_SAMPLE_TODAY = date(2026, 1, 15)


def _environment(html: bool) -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=html, keep_trailing_newline=True)


_ENVS: dict[bool, SandboxedEnvironment] = {}


def environment(html: bool = False) -> SandboxedEnvironment:
    if html not in _ENVS:
        _ENVS[html] = _environment(html)
    return _ENVS[html]


def sample_context(extra_names: AbstractSet[str] = frozenset()) -> dict[str, Any]:
    """Plausible values for every variable, used to try a template when it is saved."""
    ctx: dict[str, Any] = {v.name: "x" for v in BUILTIN}
    ctx.update(balance=Decimal("-413.22"), owed=Decimal("413.22"), due_total=Decimal("413.22"),
               service_price=Decimal("413.22"), due_invoices=[_SAMPLE_INVOICE], today=_SAMPLE_TODAY,
               number=10001, vs="10001")
    ctx.update({name: "x" for name in extra_names})
    return ctx


def check(source: str | None, known: set[str], *, field: str, html: bool = False) -> None:
    """Refuse syntax errors, unknown variables and sandbox escapes, naming the line."""
    if not source:
        return
    from jinja2 import TemplateSyntaxError, meta, nodes
    from jinja2.exceptions import SecurityError, UndefinedError

    env = environment(html)
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        raise ValidationError(field, f"line {exc.lineno}: {exc.message}") from None
    unknown = meta.find_undeclared_variables(tree) - known
    if unknown:
        lines = {n.name: n.lineno for n in tree.find_all(nodes.Name) if n.name in unknown}
        name = min(unknown, key=lambda n: (lines.get(n, 0), n))
        raise ValidationError(field, f"line {lines.get(name, 1)}: unknown variable {name!r}; "
                                     "see 'ispterm mail variables'")
    try:
        env.from_string(source).render(sample_context(known - BUILTIN_NAMES))
    except SecurityError as exc:
        raise ValidationError(field, f"not allowed in a template: {exc}") from None
    except UndefinedError as exc:
        raise ValidationError(field, f"{exc}") from None
    except Exception as exc:  # noqa: BLE001 - any runtime error of the template is the author's to fix
        raise ValidationError(field, f"the template fails on sample data: {exc}") from None


def render(source: str | None, context: dict[str, Any], *, field: str, html: bool = False) -> str:
    """Render for sending; failures (also sandbox refusals) are one ValidationError."""
    if not source:
        return ""
    from jinja2 import TemplateError

    try:
        return environment(html).from_string(source).render(context)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"line {line}: " if line else ""
        raise ValidationError(field, f"{where}{exc.message or exc}") from None


def check_name(name: str, *, field: str = "name") -> str:
    name = (name or "").strip()
    if not NAME.match(name):
        raise ValidationError(field, "use lowercase letters, digits and _ (e.g. company_phone)")
    return name
