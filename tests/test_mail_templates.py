"""Templates: the sandbox, unknown variables refused at save with their line, HTML autoescape,
the variable catalogue with system variables, defaults seeded at init, per-contact mails."""

from __future__ import annotations

import pytest

from ispterm.errors import ValidationError


def test_defaults_are_seeded_and_every_default_passes_its_own_check(ctx):
    from ispterm.messaging.catalog import DEFAULT_TEMPLATES, list_templates, save_template

    names = {(t.kind, t.name) for t in list_templates(ctx)}
    assert {(t["kind"], t["name"]) for t in DEFAULT_TEMPLATES} <= names
    for t in list_templates(ctx):
        save_template(ctx, t.kind, t.name, body=t.body)  # re-saving runs the save-time checks


BAD_TEMPLATES = [
    ("Hello {{ name }},\nyou owe {{ owd }}.", "body: line 2: unknown variable 'owd'"),
    ("{% for i in due_invoices %}{{ i.number }}", "body: line 1:"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed in a template"),
    ("{{ name.__init__.__globals__ }}", "not allowed in a template"),
    ("{{ cycler.__init__.__globals__.os }}", "not allowed in a template"),
]


def test_bad_templates_are_refused_at_save(ctx):
    from ispterm.messaging.catalog import list_templates, save_template

    before = list_templates(ctx)
    for body, why in BAD_TEMPLATES:
        with pytest.raises(ValidationError) as exc:
            save_template(ctx, "email", "broken", subject="s", body=body, create=True)
        assert why in str(exc.value)
    assert list_templates(ctx) == before


def test_system_variables_are_usable_after_they_exist(ctx):
    from ispterm.messaging.catalog import save_template, set_variable, variables

    with pytest.raises(ValidationError, match="unknown variable 'hotline'"):
        save_template(ctx, "sms", "call_us", body="Call {{ hotline }}", create=True)
    set_variable(ctx, "hotline", "+420 800 123 456", "support line")
    t = save_template(ctx, "sms", "call_us", body="Call {{ hotline }}", create=True)
    assert t.version == 1
    found = {v.name: v for v in variables(ctx)}
    assert found["hotline"].value == "+420 800 123 456" and found["balance"].group == "billing"
    with pytest.raises(ValidationError, match="built-in"):
        set_variable(ctx, "name", "x")


def test_template_permission_and_conflict(ctx, as_role):
    from ispterm.errors import Conflict, PermissionDenied
    from ispterm.messaging.catalog import get_template, save_template

    with pytest.raises(PermissionDenied):
        save_template(as_role("support"), "email", "welcome", body="x")
    v = get_template(ctx, "email", "welcome").version
    save_template(ctx, "email", "welcome", subject="Hi {{ name }}", expected_version=v)
    with pytest.raises(Conflict):
        save_template(ctx, "email", "welcome", subject="Again", expected_version=v)


def test_html_is_autoescaped_and_text_is_not(ctx):
    from ispterm.customers.service import create
    from ispterm.messaging.model import OutboundContent, OutboundMessage
    from ispterm.messaging.service import send_email
    from ispterm.settings.service import set_setting

    set_setting(ctx, "sender_addresses", "noc@isp.example")
    number = create(ctx, "<script>alert(1)</script> & Co", {"email": "x@example.cz"})
    q = send_email(ctx, number, subject="For {{ name }}", body="Dear {{ name }}", html="<p>Dear {{ name }}</p>")
    with ctx.read() as s:
        m, c = s.get(OutboundMessage, q.id), s.get(OutboundContent, q.id)
    assert c.html == "<p>Dear &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</p>"
    assert c.body == "Dear <script>alert(1)</script> & Co" and m.subject.startswith("For <script>")


def test_variables_from_billing_and_service(ctx):
    from datetime import date
    from decimal import Decimal

    from ispterm.billing.invoicing import Line, issue_invoice
    from ispterm.customers.contacts import add_service
    from ispterm.customers.service import create
    from ispterm.messaging.model import OutboundContent
    from ispterm.messaging.service import send_email
    from ispterm.settings.service import set_setting

    set_setting(ctx, "sender_addresses", "noc@isp.example")
    number = create(ctx, "Svoboda Eva", {"email": "eva@example.cz"})
    add_service(ctx, number, "Fiber 300", "500", ips=["10.1.2.3"], dns="1.1.1.1")
    issue_invoice(ctx, number, [Line("Fiber 300", Decimal("500.00"))], issued_on=date(2026, 10, 1),
                  due_on=date(2026, 10, 15))
    q = send_email(ctx, number, subject="Status",
                   body="{{ vs }}|{{ balance }}|{{ owed }}|{{ service_plan }}|{{ service_ip }}|{{ service_dns }}|"
                        "{% for i in due_invoices %}{{ i.due_on }}={{ i.outstanding }}{% endfor %}")
    with ctx.read() as s:
        body = s.get(OutboundContent, q.id).body
    assert body == f"{number}|-500.00|500.00|Fiber 300|10.1.2.3|1.1.1.1|2026-10-15=500.00"


def test_welcome_mail_sets_a_hashed_password_and_blanks_it_after_delivery(ctx):
    import asyncio

    from argon2 import PasswordHasher

    from ispterm.customers.contacts import add_contact
    from ispterm.customers.model import Contact
    from ispterm.customers.service import create
    from ispterm.messaging.model import OutboundContent
    from ispterm.messaging.notices import send_contact_mail
    from ispterm.messaging.sender import run_sender
    from ispterm.messaging.service import email_history
    from ispterm.settings.service import set_setting
    from tests.mailfixtures import SmtpServer, sender_settings

    set_setting(ctx, "sender_addresses", "noc@isp.example")
    number = create(ctx, "Firma s.r.o.", {"email": "info@firma.cz"})
    contact = add_contact(ctx, number, {"name": "Jana Malá", "email": "jana@firma.cz"})
    q = send_contact_mail(ctx, contact.id, "welcome")
    with ctx.read() as s:
        row = s.get(Contact, contact.id)
        body = s.get(OutboundContent, q.id).body
    password = body.split("Password: ")[1].split()[0]
    assert PasswordHasher().verify(row.portal_password_hash, password)
    assert row.portal_login == f"{number}-{contact.id}" and q.to == "jana@firma.cz"
    with SmtpServer() as srv:
        asyncio.run(run_sender(ctx.engine, sender_settings(srv.port), asyncio.Event(), once=True))
        assert password in srv.handler.received[0].content.decode()
    with ctx.read() as s:
        content = s.get(OutboundContent, q.id)
        assert password not in content.body and content.raw is None and content.html is None
    history = email_history(ctx, number, contact.id)
    assert [(h.status, h.to) for h in history] == [("sent", "jana@firma.cz")]
    assert email_history(ctx, number, contact.id + 999) == []


def test_notifications_sup3_sup4(ctx):
    from ispterm.customers.service import create
    from ispterm.messaging.notices import notify_auth_request, notify_contact_change
    from ispterm.operators.model import Operator
    from ispterm.operators.service import add_operator
    from ispterm.settings.service import set_setting

    number = create(ctx, "Portal User")
    set_setting(ctx, "sender_addresses", "noc@isp.example")
    assert notify_auth_request(ctx, number, "please") is None
    assert notify_contact_change(ctx, number, {"email": ("a@x.cz", "b@x.cz")}) is None
    add_operator(ctx, "tech1", "technician", email="tech1@isp.example")
    add_operator(ctx, "tech2", "technician", email="tech2@isp.example")
    with ctx.write() as s:
        s.exec(__import__("sqlmodel").select(Operator).where(Operator.login == "tech1")).one().send_tasks_to_email = True
    set_setting(ctx, "ur_auth_request_mail", "auth@isp.example")
    set_setting(ctx, "admin_email", "admin@isp.example")
    q = notify_auth_request(ctx, number, "please authorise me")
    assert q.to == "tech1@isp.example, auth@isp.example"
    q = notify_contact_change(ctx, number, {"email": ("a@x.cz", "b@x.cz")})
    assert q.to == "admin@isp.example"


def test_service_settings_and_statement_pdfs_are_attached(ctx):
    """MSG-5 and MSG-6: the PDFs from ispterm.documents travel as attachments of queued mail."""
    from sqlmodel import select

    from ispterm.customers.contacts import add_contact, add_service
    from ispterm.customers.service import create
    from ispterm.messaging.model import OutboundAttachment
    from ispterm.messaging.notices import send_contact_mail, send_service_settings
    from ispterm.operators.service import add_operator
    from ispterm.settings.service import set_setting

    set_setting(ctx, "sender_addresses", "noc@isp.example")
    number = create(ctx, "Svoboda Eva", {"email": "eva@example.cz"})
    add_service(ctx, number, "Fiber 300", "500", ips=["10.1.2.3"])
    contact = add_contact(ctx, number, {"name": "Účetní", "email": "ucetni@example.cz"})
    add_operator(ctx, "tech1", "technician", email="tech1@isp.example")
    q1 = send_service_settings(ctx, number, technician="tech1")
    q2 = send_contact_mail(ctx, contact.id, "account_statement")
    assert q1.to == "tech1@isp.example" and q2.to == "ucetni@example.cz"
    with ctx.read() as s:
        files = {a.message_id: a for a in s.exec(select(OutboundAttachment))}
    assert files[q1.id].filename == f"service-settings-{number}.pdf" and files[q1.id].content.startswith(b"%PDF")
    assert files[q2.id].filename.startswith(f"statement-{number}-") and files[q2.id].content.startswith(b"%PDF")
    with pytest.raises(ValidationError, match="unknown operator"):
        send_service_settings(ctx, number, technician="nobody")
