"""Stored templates and user-defined system variables (MSG-1, OPS-2), with their defaults.

Saving checks the template against the variables that exist *now*: an unknown name or a
syntax error is refused with its line, so sent mail never has holes in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from ispterm.context import Ctx
from ispterm.errors import Conflict, NotFound, ValidationError
from ispterm.messaging import templates as tpl
from ispterm.messaging.model import KINDS, MessageTemplate, SystemVariable
from ispterm.operators.roles import SETTINGS_EDIT


@dataclass(frozen=True)
class TemplateView:
    id: int
    kind: str
    name: str
    subject: str | None
    body: str
    html: str | None
    updated_at: datetime
    updated_by: str | None
    version: int

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "name": self.name, "subject": self.subject,
                "body": self.body, "html": self.html, "updated_at": self.updated_at.isoformat(),
                "updated_by": self.updated_by, "version": self.version}


def _view(t: MessageTemplate) -> TemplateView:
    return TemplateView(t.id, t.kind, t.name, t.subject, t.body, t.html, t.updated_at, t.updated_by, t.version)


def _kind(kind: str) -> str:
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise ValidationError("kind", f"must be one of {', '.join(KINDS)}, got {kind!r}")
    return kind


def system_variables(s: Session) -> dict[str, str]:
    return {v.name: v.value for v in s.exec(select(SystemVariable).order_by(SystemVariable.name))}


def known_names(s: Session) -> set[str]:
    return set(tpl.BUILTIN_NAMES) | set(system_variables(s))


def variables(ctx: Ctx) -> list[tpl.Variable]:
    """Every variable a template may use, built-in first, for the compose dialog and CLI."""
    with ctx.read() as s:
        own = [tpl.Variable(v.name, v.description or "system variable", "system", v.value)
               for v in s.exec(select(SystemVariable).order_by(SystemVariable.name))]
    return [*tpl.BUILTIN, *own]


def set_variable(ctx: Ctx, name: str, value: str, description: str | None = None) -> tpl.Variable:
    from ispterm import validation as v

    ctx.require(SETTINGS_EDIT)
    name = tpl.check_name(name)
    value = v.text_block(value or "", field="value", max_len=2000) or ""
    description = v.single_line(description or "", field="description", max_len=200)
    if name in tpl.BUILTIN_NAMES:
        raise ValidationError("name", f"{name!r} is a built-in variable")
    with ctx.write() as s:
        row = s.exec(select(SystemVariable).where(SystemVariable.name == name)).first()
        if row is None:
            row = SystemVariable(name=name, value=value, description=description, updated_by=ctx.actor.login)
            s.add(row)
        else:
            row.value = value
            if description is not None:
                row.description = description
        s.flush()
        return tpl.Variable(row.name, row.description or "system variable", "system", row.value)


def list_templates(ctx: Ctx, kind: str | None = None) -> list[TemplateView]:
    with ctx.read() as s:
        stmt = select(MessageTemplate)
        if kind:
            stmt = stmt.where(MessageTemplate.kind == _kind(kind))
        return [_view(t) for t in s.exec(stmt.order_by(MessageTemplate.kind, MessageTemplate.name))]


def find(s: Session, kind: str, name: str) -> MessageTemplate:
    t = s.exec(select(MessageTemplate).where(MessageTemplate.kind == kind,
                                             MessageTemplate.name == (name or "").strip())).first()
    if t is None:
        names = ", ".join(s.exec(select(MessageTemplate.name).where(MessageTemplate.kind == kind)
                                 .order_by(MessageTemplate.name))) or "none"
        raise NotFound(f"no {kind} template {name!r}; templates: {names}")
    return t


def get_template(ctx: Ctx, kind: str, name: str) -> TemplateView:
    with ctx.read() as s:
        return _view(find(s, _kind(kind), name))


MAX_TEMPLATE = 100_000  # characters of a template's body or HTML


def _check(s: Session, kind: str, subject: str | None, body: str, html: str | None) -> None:
    from ispterm import validation as v

    known = known_names(s)
    if subject is not None and ("\n" in subject or "\r" in subject):
        raise ValidationError("subject", "must be one line")
    v.single_line(subject or "", field="subject", max_len=300)
    if kind == "email" and not (subject or "").strip():
        raise ValidationError("subject", "an e-mail template needs a subject")
    v.text_block(body or "", field="body", max_len=MAX_TEMPLATE)
    v.text_block(html or "", field="html", max_len=MAX_TEMPLATE)
    tpl.check(subject, known, field="subject")
    tpl.check(body, known, field="body")
    if html:
        if kind == "sms":
            raise ValidationError("html", "SMS templates are plain text")
        tpl.check(html, known, field="html", html=True)
    if not (body or html):
        raise ValidationError("body", "a template needs a body")


def save_template(ctx: Ctx, kind: str, name: str, *, subject: str | None = None, body: str | None = None,
                  html: str | None = None, create: bool = False,
                  expected_version: int | None = None) -> TemplateView:
    """Add (``create``) or change a template; only given parts change on edit."""
    ctx.require(SETTINGS_EDIT)
    kind = _kind(kind)
    from ispterm import validation as v

    name = v.single_line(name or "", field="name", max_len=100) or ""
    if not name:
        raise ValidationError("name", "a template needs a one-line name of at most 100 characters")
    with ctx.write() as s:
        if create:
            if s.exec(select(MessageTemplate.id).where(MessageTemplate.kind == kind,
                                                       MessageTemplate.name == name)).first():
                raise ValidationError("name", f"{kind} template {name!r} exists already")
            t = MessageTemplate(kind=kind, name=name, body="", updated_by=ctx.actor.login)
        else:
            t = find(s, kind, name)
            if expected_version is not None and t.version != expected_version:
                raise Conflict(f"template {name}", t.updated_by, t.updated_at)
        new_subject = subject if subject is not None else t.subject
        new_body = body if body is not None else t.body
        new_html = html if html is not None else t.html
        _check(s, kind, new_subject, new_body, new_html or None)
        t.subject, t.body, t.html = new_subject, new_body, new_html or None
        s.add(t)
        s.flush()
        return _view(t)


DEFAULT_TEMPLATES: list[dict] = [
    {"kind": "email", "name": "welcome", "subject": "Welcome, {{ contact_name or name }}",
     "body": "Hello {{ contact_name or name }},\n\nyour access to the customer portal is ready.\n"
             "Login: {{ contact_login or portal_login or number }}\nPassword: {{ portal_password }}\n\n"
             "Please change the password after you sign in.\n"},
    {"kind": "email", "name": "password_reset", "subject": "New portal password",
     "body": "Hello {{ contact_name or name }},\n\na new password for the customer portal was set.\n"
             "Login: {{ contact_login or portal_login or number }}\nPassword: {{ portal_password }}\n"},
    {"kind": "email", "name": "account_statement", "subject": "Account statement of customer {{ number }}",
     "body": "Hello {{ contact_name or name }},\n\nyour balance is {{ balance }} {{ currency }}.\n"
             "{% for i in due_invoices %}Invoice {{ i.number }} due {{ i.due_on }}: {{ i.outstanding }} {{ currency }}\n"
             "{% endfor %}Variable symbol: {{ vs }}\n"},
    {"kind": "email", "name": "service_settings", "subject": "Service settings of customer {{ number }}",
     "body": "Hello {{ name }},\n\nplan: {{ service_plan }}\nIP: {{ service_ips }}\nDNS: {{ service_dns }}\n"},
    {"kind": "email", "name": "payment_reminder", "subject": "Payment reminder",
     "body": "Hello {{ name }},\n\nwe are missing {{ owed }} {{ currency }}. Please pay with variable symbol {{ vs }}.\n"},
    {"kind": "email", "name": "auth_request", "subject": "Portal authorization request from customer {{ number }}",
     "body": "Customer {{ number }} {{ name }} asks for authorization:\n\n{{ text }}\n"},
    {"kind": "email", "name": "contact_change", "subject": "Customer {{ number }} changed contact data in the portal",
     "body": "Customer {{ number }} {{ name }} changed:\n\n{{ text }}\n"},
    {"kind": "sms", "name": "payment_reminder",
     "body": "We are missing {{ owed }} {{ currency }} for customer {{ number }}. VS {{ vs }}."},
    {"kind": "sms", "name": "technician_visit", "body": "Customer {{ number }} {{ name }}, {{ street }} {{ city }}, tel. {{ mobile }}"},
]


def seed_templates(session: Session) -> None:
    """Add the default templates that are missing (``ispterm init``; idempotent)."""
    have = set(session.exec(select(MessageTemplate.kind, MessageTemplate.name)).all())
    for t in DEFAULT_TEMPLATES:
        if (t["kind"], t["name"]) not in have:
            session.add(MessageTemplate(updated_by="system", **t))
