"""The sender against a real SMTP server on loopback that misbehaves on purpose.

Each fault ends in the right state with the server's text recorded (message, communication
log, history), and the running sender task survives it and delivers once the server behaves.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from ispterm.messaging.queue import Policy
from ispterm.messaging.sender import run_sender
from tests.mailfixtures import SmtpServer, free_port, sender_settings


@pytest.fixture
def mailctx(sqlite_url):
    from ispterm.connect import open_ctx
    from ispterm.customers.service import create
    from ispterm.settings.service import set_setting

    ctx = open_ctx(sqlite_url, "admin")
    set_setting(ctx, "sender_addresses", "noc@isp.example, billing@isp.example")
    number = create(ctx, "Novák Jan", {"email": "jan@example.cz", "tech_email": "tech@example.cz"})
    return ctx, number


def _row(ctx, message_id):
    from ispterm.messaging.model import OutboundMessage
    from ispterm.support.model import Communication

    with ctx.read() as s:
        msg = s.get(OutboundMessage, message_id)
        comm = s.get(Communication, msg.communication_id)
        return msg, comm


def _history(ctx, number):
    from ispterm.audit.model import AuditEvent

    with ctx.read() as s:
        return [(e.action, e.summary or "") for e in s.exec(select(AuditEvent).where(AuditEvent.entity == "message")
                                                            .order_by(AuditEvent.id)).scalars()]


async def _eventually(read, ok, timeout=5.0):
    """Poll ``read()`` until ``ok`` holds for its value (rows the sender writes in batches)."""
    async with asyncio.timeout(timeout):
        while not ok(value := read()):
            await asyncio.sleep(0.02)
    return value


class Watch:
    """Collects sender events; ``on_first`` runs after the first outcome (to heal the server)."""

    def __init__(self, on_first=None):
        self.events = []
        self.on_first = on_first
        self.changed = asyncio.Event()

    def __call__(self, event):
        self.events.append(event)
        if len(self.events) == 1 and self.on_first:
            self.on_first()
        self.changed.set()

    async def until(self, predicate, timeout=10):
        async with asyncio.timeout(timeout):
            while not predicate(self.events):
                self.changed.clear()
                await self.changed.wait()


FAULTS = [
    # mode, expected state after the fault, text the server's reply must contain
    ("421", "queued", "421 4.3.2 service not available"),
    ("450", "queued", "450 4.2.1 mailbox busy"),
    ("550", "failed", "550 5.1.1 mailbox unavailable"),
    ("drop", "queued", "disconnected"),
    ("slow", "queued", "timed out"),
]


@pytest.mark.parametrize("mode,state,text", FAULTS, ids=[f[0] for f in FAULTS])
async def test_fault_then_recovery(mailctx, mode, state, text):
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    q = send_email(ctx, number, subject="Outage", body="Sorry.")
    with SmtpServer() as srv:
        srv.handler.mode = mode

        def heal():
            first_state.append(_row(ctx, q.id))
            srv.handler.mode = "ok"

        first_state = []
        watch = Watch(on_first=heal)
        stop = asyncio.Event()
        settings = sender_settings(srv.port, timeout=0.5, policy=Policy(max_attempts=3, backoff=timedelta(0)))
        task = asyncio.create_task(run_sender(ctx.engine, settings, stop, on_event=watch))
        await watch.until(lambda ev: len(ev) >= 1)
        msg, comm = first_state[0]
        assert msg.status == state
        assert text.lower() in (msg.last_error or "").lower()
        assert comm.status == ("failed" if state == "failed" else "retrying")
        assert text.lower() in comm.detail.lower()
        if state == "queued":
            await watch.until(lambda ev: any(e.status == "sent" for e in ev))
            assert srv.handler.ids()[q.message_id] == 1
            msg, _ = _row(ctx, q.id)
            assert (msg.status, msg.attempts) == ("sent", 2)
            # The log rows of a sent message follow within moments (batched), once.
            comm = await _eventually(lambda: _row(ctx, q.id)[1], lambda c: c.status == "sent")
            assert comm.detail == msg.reply
        else:
            assert srv.handler.received == []
        assert not task.done(), "the sender must survive the fault"
        stop.set()
        stats = await asyncio.wait_for(task, 5)
        assert stats.errors == 0
    actions = [a for a, _ in _history(ctx, number)]
    expected = ["email_queued", "email_failed"] if state == "failed" else ["email_queued", "email_retrying", "email_sent"]
    assert actions == expected


async def test_refused_connection_is_retried_and_sender_keeps_running(mailctx):
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    q1 = send_email(ctx, number, subject="One", body="1")
    q2 = send_email(ctx, number, subject="Two", body="2")
    watch = Watch()
    stop = asyncio.Event()
    settings = sender_settings(free_port(), policy=Policy(max_attempts=5, backoff=timedelta(hours=1)))
    task = asyncio.create_task(run_sender(ctx.engine, settings, stop, on_event=watch))
    await watch.until(lambda ev: len(ev) >= 2)
    for q in (q1, q2):
        msg, comm = _row(ctx, q.id)
        assert msg.status == "queued" and msg.attempts == 1
        assert "connect" in msg.last_error.lower()
        assert msg.next_attempt_at > msg.created_at + timedelta(minutes=59)
        assert comm.status == "retrying"
    assert not task.done()
    stop.set()
    await asyncio.wait_for(task, 5)


async def test_starttls_required_but_not_offered_never_sends_in_clear(mailctx):
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    q = send_email(ctx, number, subject="Secret", body="s")
    with SmtpServer() as srv:
        watch = Watch()
        stop = asyncio.Event()
        settings = sender_settings(srv.port, security="starttls")
        task = asyncio.create_task(run_sender(ctx.engine, settings, stop, on_event=watch))
        await watch.until(lambda ev: len(ev) >= 1)
        msg, comm = _row(ctx, q.id)
        assert msg.status == "queued" and "starttls" in msg.last_error.lower()
        assert srv.handler.received == []
        assert not task.done()
        stop.set()
        await asyncio.wait_for(task, 5)


async def test_some_recipients_refused_is_sent_with_the_refusals_recorded(mailctx):
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    q = send_email(ctx, number, to=["main", "technical"], subject="Hi", body="b")
    with SmtpServer() as srv:
        srv.handler.refuse = {"tech@example.cz"}
        await run_sender(ctx.engine, sender_settings(srv.port), asyncio.Event(), once=True)
        assert srv.handler.received[0].rcpt_tos == ["jan@example.cz"]
    msg, comm = _row(ctx, q.id)
    assert msg.status == "sent"
    assert "tech@example.cz: 550 5.1.1" in msg.reply and "tech@example.cz" in comm.detail


async def test_the_sender_takes_every_now_from_its_own_clock(mailctx):
    """The sender is not a Ctx service: ``SenderSettings.clock`` is its clock, for what is due,
    the lease and the stamps. A message queued by a Ctx ten years ahead is not due by the
    default clock, and is sent (and stamped) by a sender whose clock stands there."""
    from ispterm.messaging.service import send_email
    from tests.clock import clock_at, ctx_at

    ctx, number = mailctx
    at = ctx.now() + timedelta(days=3653)
    q = send_email(ctx_at(ctx, at), number, subject="Later", body="b")
    with SmtpServer() as srv:
        stats = await run_sender(ctx.engine, sender_settings(srv.port), asyncio.Event(), once=True)
        assert (stats.sent, srv.handler.received) == (0, [])
        stats = await run_sender(ctx.engine, sender_settings(srv.port, clock=clock_at(at, tick=True)),
                                 asyncio.Event(), once=True)
        assert len(srv.handler.received) == 1
    msg, comm = _row(ctx, q.id)
    assert (stats.sent, msg.status, comm.status) == (1, "sent", "sent")
    assert timedelta(0) <= msg.sent_at - at < timedelta(minutes=1)


@pytest.mark.parametrize("policy,attempts,why", [
    (Policy(max_attempts=2, backoff=timedelta(0)), 2, "gave up after 2 attempts: "),
    (Policy(max_attempts=5, max_age=timedelta(0)), 1, "gave up after 0 h: "),  # mail.max_age_hours
], ids=["max_attempts", "max_age"])
async def test_max_attempts_or_age_fail_the_message(mailctx, policy, attempts, why):
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    q = send_email(ctx, number, subject="Busy", body="b")
    with SmtpServer() as srv:
        srv.handler.mode = "450"
        stats = await run_sender(ctx.engine, sender_settings(srv.port, policy=policy), asyncio.Event(), once=True)
    msg, _ = _row(ctx, q.id)
    assert (msg.status, msg.attempts, stats.failed) == ("failed", attempts, 1)
    assert msg.last_error.startswith(why + "all recipients refused: jan@example.cz: 450")


async def test_priority_then_age_and_html_alternative_and_attachments(mailctx):
    from ispterm.messaging.compose import attachment
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    low = send_email(ctx, number, subject="low", body="l", priority="low")
    normal = send_email(ctx, number, subject="normal", body="n")
    files = [attachment("../../etc/pass\nwd.txt", b"secret"), attachment("smlouva č.1.pdf", b"%PDF-1.4")]
    high = send_email(ctx, number, subject="high", html="<p>Dear {{ name }} &amp; co</p>", attachments=files,
                      priority="high")
    with SmtpServer() as srv:
        await run_sender(ctx.engine, sender_settings(srv.port), asyncio.Event(), once=True)
        got = srv.handler.received
    assert [r.message["Subject"] for r in got] == ["high", "normal", "low"]
    assert [r.message_id for r in got] == [high.message_id, normal.message_id, low.message_id]
    m = got[0].message
    body = {p.get_content_type(): p for p in m.walk() if not p.get_filename()}
    assert "Dear Novák Jan & co" in body["text/plain"].get_payload(decode=True).decode()
    assert "<p>Dear Novák Jan &amp; co</p>" in body["text/html"].get_payload(decode=True).decode()
    names = [p.get_filename() for p in m.walk() if p.get_filename()]
    assert names == ["passwd.txt", "smlouva č.1.pdf"]


async def test_rate_limit_spaces_sends(mailctx):
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    for i in range(3):
        send_email(ctx, number, subject=f"m{i}", body="b")
    with SmtpServer() as srv:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await run_sender(ctx.engine, sender_settings(srv.port, rate_per_minute=600), asyncio.Event(), once=True)
        assert len(srv.handler.received) == 3
        assert loop.time() - started >= 0.2  # 600/min = one per 0.1 s


def _settings_from(tmp_path, text: str):
    from ispterm import config
    from ispterm.messaging.sender import SenderSettings

    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return SenderSettings.from_config(config.load(path))


def test_deadline_and_maximum_age_come_from_the_config(tmp_path):
    from ispterm.errors import ConfigError

    s = _settings_from(tmp_path, "[smtp]\ntimeout = 10\n")
    assert (s.timeout, s.deadline, s.policy.max_age) == (10.0, 40.0, timedelta(hours=72))
    s = _settings_from(tmp_path, "[smtp]\ntimeout = 10\ndeadline = 0\n")
    assert s.deadline == 40.0
    s = _settings_from(tmp_path, "[smtp]\ntimeout = 10\ndeadline = 25.5\n[mail]\nmax_age_hours = 6\n")
    assert (s.deadline, s.policy.max_age, s.policy.max_attempts) == (25.5, timedelta(hours=6), 8)
    with pytest.raises(ConfigError, match=r"smtp\.deadline \(5 s\) must be at least smtp\.timeout \(10 s\)"):
        _settings_from(tmp_path, "[smtp]\ntimeout = 10\ndeadline = 5\n")
    with pytest.raises(ConfigError, match=r"smtp\.deadline.*must be a number >= 0"):
        _settings_from(tmp_path, "[smtp]\ndeadline = -1\n")
    with pytest.raises(ConfigError, match=r"mail\.max_age_hours.*must be an integer >= 1"):
        _settings_from(tmp_path, "[mail]\nmax_age_hours = 0\n")


@pytest.mark.parametrize("tls,trust", [("starttls", "ca_file"), ("implicit", "ca_file"), ("implicit", "no_validation")])
async def test_delivery_over_tls_with_a_certificate_made_by_the_test(mailctx, tmp_path, tls, trust):
    """A real TLS session on loopback (STARTTLS, or TLS from the first byte): the server's
    certificate comes from a CA the test made, trusted through smtp.ca_file, or with
    certificate checks off."""
    from ispterm.messaging.service import send_email
    from tests.mailfixtures import certificates

    ctx, number = mailctx
    q = send_email(ctx, number, subject="Over TLS", body="b")
    context, ca_file = certificates(tmp_path)
    with SmtpServer(tls=tls, context=context) as srv:
        trusted = {"ca_file": ca_file} if trust == "ca_file" else {"validate_certs": False}
        settings = sender_settings(srv.port, security="tls" if tls == "implicit" else "starttls", **trusted)
        stats = await run_sender(ctx.engine, settings, asyncio.Event(), once=True)
        assert [r.message_id for r in srv.handler.received] == [q.message_id]
    msg, comm = _row(ctx, q.id)
    assert (msg.status, comm.status, stats.sent) == ("sent", "sent", 1)


async def test_starttls_with_an_untrusted_certificate_is_retried_never_sent_in_clear(mailctx, tmp_path):
    from ispterm.messaging.service import send_email
    from tests.mailfixtures import certificates

    ctx, number = mailctx
    q = send_email(ctx, number, subject="Secret", body="s")
    context, _ = certificates(tmp_path)
    with SmtpServer(tls="starttls", context=context) as srv:
        watch = Watch()
        stop = asyncio.Event()
        task = asyncio.create_task(run_sender(ctx.engine, sender_settings(srv.port, security="starttls"), stop,
                                              on_event=watch))
        await watch.until(lambda ev: len(ev) >= 1)
        msg, comm = _row(ctx, q.id)
        assert msg.status == "queued" and comm.status == "retrying"
        assert msg.last_error.startswith("TLS certificate of the SMTP server not trusted (")
        assert "smtp.ca_file" in msg.last_error and "smtp.ca_file" in comm.detail
        assert srv.handler.received == []
        assert not task.done()
        stop.set()
        await asyncio.wait_for(task, 5)


def test_ca_file_is_read_from_the_config(tmp_path):
    from ispterm.errors import ConfigError

    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    assert _settings_from(tmp_path, f'[smtp]\nca_file = "{ca}"\n').ca_file == str(ca)
    with pytest.raises(ConfigError, match=r"smtp\.ca_file .*missing\.pem: no such file"):
        _settings_from(tmp_path, f'[smtp]\nca_file = "{tmp_path / "missing.pem"}"\n')


# --- addresses and text beyond ASCII (issue 13) -------------------------------------------------


def _parsed(received):
    """The message as a mail client reads it (RFC 2047 and RFC 2231 decoded)."""
    import email
    import email.policy

    return email.message_from_bytes(received.content, policy=email.policy.default)


def _header_line(received, name: bytes) -> bytes:
    head = received.content.split(b"\r\n\r\n", 1)[0]
    return next(line for line in head.replace(b"\r\n ", b" ").split(b"\r\n") if line.startswith(name + b": "))


async def test_an_internationalised_domain_goes_out_in_idna_and_is_logged_as_typed(mailctx):
    """Envelope and headers carry xn--; the queue, communication log and history keep the
    address a person reads. The old sender retried a UnicodeEncodeError for 72 hours."""
    from ispterm.messaging.service import send_email
    from ispterm.settings.service import set_setting

    ctx, number = mailctx
    set_setting(ctx, "sender_addresses", "info@příklad.example")
    q = send_email(ctx, number, to="a@příklad.example", subject="Dobrý den", body="Zkouška.")
    with SmtpServer() as srv:
        stats = await run_sender(ctx.engine, sender_settings(srv.port), asyncio.Event(), once=True)
        [got] = srv.handler.received
    assert (got.mail_from, got.rcpt_tos, got.mail_options) == (
        "info@xn--pklad-zsa96e.example", ["a@xn--pklad-zsa96e.example"], [])
    assert got.content.isascii()
    assert _header_line(got, b"To") == b"To: a@xn--pklad-zsa96e.example"
    assert _header_line(got, b"From") == b"From: info@xn--pklad-zsa96e.example"
    assert got.message_id.endswith("@xn--pklad-zsa96e.example>")
    msg, comm = _row(ctx, q.id)
    assert (stats.sent, msg.status, msg.attempts, comm.status) == (1, "sent", 1, "sent")
    assert (msg.recipients, msg.sender, q.to) == ("a@příklad.example", "info@příklad.example", "a@příklad.example")
    assert [s for a, s in _history(ctx, number) if a == "email_sent"][0].startswith("e-mail to a@příklad.example sent")


async def test_a_local_part_beyond_ascii_goes_with_smtputf8_when_the_server_offers_it(mailctx):
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    q = send_email(ctx, number, to=["main", "žofie@příklad.example"], subject="Dobrý den", body="Zkouška.")
    with SmtpServer(smtputf8=True) as srv:
        stats = await run_sender(ctx.engine, sender_settings(srv.port), asyncio.Event(), once=True)
        [got] = srv.handler.received
    assert got.rcpt_tos == ["jan@example.cz", "žofie@xn--pklad-zsa96e.example"]
    assert "SMTPUTF8" in got.mail_options
    # RFC 6532 headers: the address has no ASCII spelling, so the header carries it in UTF-8.
    assert _header_line(got, b"To") == "To: jan@example.cz, žofie@příklad.example".encode()
    assert _parsed(got)["Subject"] == "Dobrý den"
    msg, comm = _row(ctx, q.id)
    assert (stats.sent, msg.status, comm.status, msg.recipients) == (1, "sent", "sent",
                                                                     "jan@example.cz, žofie@příklad.example")


async def test_a_local_part_beyond_ascii_fails_at_once_when_the_server_has_no_smtputf8(mailctx):
    """A permanent failure with the reason recorded, on the first attempt: no later attempt
    makes the server offer SMTPUTF8. The sender goes on with the next message."""
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    alone = send_email(ctx, number, to="žofie@example.cz", subject="Jen Žofii", body="b", priority="high")
    mixed = send_email(ctx, number, to=["main", "žofie@example.cz"], subject="Oběma", body="b", priority="high")
    plain = send_email(ctx, number, subject="Jen Janovi", body="b")
    with SmtpServer(smtputf8=False) as srv:
        settings = sender_settings(srv.port, policy=Policy(max_attempts=5, backoff=timedelta(0)))
        stats = await run_sender(ctx.engine, settings, asyncio.Event(), once=True)
        assert [r.message_id for r in srv.handler.received] == [plain.message_id]
    assert (stats.sent, stats.failed, stats.retried) == (1, 2, 0)
    why = ("not sent: the SMTP server does not offer SMTPUTF8, which žofie@example.cz needs "
           "(characters beyond ASCII before the @)")
    msg, comm = _row(ctx, alone.id)
    assert (msg.status, msg.attempts, msg.last_error, comm.status, comm.detail) == ("failed", 1, why, "failed", why)
    msg, comm = _row(ctx, mixed.id)
    assert (msg.status, msg.attempts, comm.status) == ("failed", 1, "failed")
    assert msg.last_error == why + "; so not to jan@example.cz either (the headers name that address)"
    failed = [s for a, s in _history(ctx, number) if a == "email_failed"]
    assert failed[0] == f"e-mail to žofie@example.cz failed: {why}"


async def test_display_names_with_diacritics_are_rfc2047_encoded(mailctx):
    """``Name <address>`` typed as a recipient or as the sender: the name goes into the header
    encoded (the raw bytes stay ASCII), the envelope and the queue have the address."""
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    q = send_email(ctx, number, to=["Žofie Nováková <a@test.example>", '"Novák, Jan" <jan@example.cz>'],
                   subject="S", body="b", sender="Podpora Příkladu <noc@isp.example>")
    with SmtpServer() as srv:
        await run_sender(ctx.engine, sender_settings(srv.port), asyncio.Event(), once=True)
        [got] = srv.handler.received
    assert (got.mail_from, got.rcpt_tos) == ("noc@isp.example", ["a@test.example", "jan@example.cz"])
    assert got.content.isascii()
    to, from_ = _header_line(got, b"To"), _header_line(got, b"From")
    assert b"=?utf-8?" in to and b"<a@test.example>" in to and b"=?utf-8?" in from_
    parsed = _parsed(got)
    assert [(a.display_name, a.addr_spec) for a in parsed["To"].addresses] == [
        ("Žofie Nováková", "a@test.example"), ("Novák, Jan", "jan@example.cz")]
    assert [(a.display_name, a.addr_spec) for a in parsed["From"].addresses] == [("Podpora Příkladu",
                                                                                  "noc@isp.example")]
    msg, _ = _row(ctx, q.id)
    assert (msg.status, msg.recipients, msg.sender) == ("sent", "a@test.example, jan@example.cz", "noc@isp.example")


async def test_text_beyond_ascii_travels_in_7bit_encodings(mailctx):
    """The bytes are built before anyone knows whether the server takes 8BITMIME (and the
    sender never asks for it): text parts are quoted-printable or base64, never raw 8-bit."""
    from ispterm.messaging.service import send_email

    ctx, number = mailctx
    body = "Dobrý den,\nvýpadek skončí ve 12:00.\n" + " ".join(["Žluťoučký kůň úpěl ďábelské ódy."] * 10) + "\n"
    send_email(ctx, number, subject="Výpadek", body=body)
    send_email(ctx, number, subject="Výpadek HTML", html="<p>Dobrý den, výpadek</p>")
    with SmtpServer() as srv:
        await run_sender(ctx.engine, sender_settings(srv.port), asyncio.Event(), once=True)
        got = srv.handler.received
    assert len(got) == 2
    for received in got:
        assert received.content.isascii() and "BODY=8BITMIME" not in received.mail_options
        for part in _parsed(received).walk():
            if part.get_content_maintype() == "text":
                assert part["Content-Transfer-Encoding"] in ("quoted-printable", "base64")
    assert _parsed(got[0]).get_content().replace("\r\n", "\n") == body
    assert "výpadek" in _parsed(got[1]).get_body(("html",)).get_content()
