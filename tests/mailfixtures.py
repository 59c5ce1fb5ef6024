"""A real SMTP server on loopback (aiosmtpd) that records mail and misbehaves on request.

``SmtpServer.mode`` picks the fault: ``ok``, ``421`` (MAIL answered 421), ``450`` (RCPT
450), ``550`` (RCPT 550), ``drop`` (connection cut after DATA), ``slow`` (DATA never
answered within the client's timeout); ``refuse`` is a set of recipients answered 550.
``SmtpServer(smtputf8=False)`` does not offer SMTPUTF8 (aiosmtpd offers it by default).
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    mail_options: list[str] = field(default_factory=list)  # MAIL FROM parameters, e.g. SMTPUTF8

    @property
    def message(self) -> email.message.Message:
        return email.message_from_bytes(self.content)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


@dataclass
class Handler:
    mode: str = "ok"
    refuse: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(default=None)
    slow_seconds: float = 5.0

    def __post_init__(self):
        self.arrived = threading.Condition(self.lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mode == "421":
            return "421 4.3.2 service not available, closing channel"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse or self.mode == "550":
            return "550 5.1.1 mailbox unavailable"
        if self.mode == "450":
            return "450 4.2.1 mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "drop":
            server.transport.abort()
            return "250 never seen"
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        with self.arrived:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                                          list(envelope.mail_options)))
            self.arrived.notify_all()
        return "250 2.0.0 queued as 42"

    def wait_for(self, count: int, timeout: float = 30) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout)

    def ids(self) -> Counter:
        with self.lock:
            return Counter(r.message_id for r in self.received)


class SmtpServer:
    """``tls``: None (plain), "starttls" (offered and required before MAIL) or "implicit"
    (TLS from the first byte), with ``context`` as the server's certificate; ``smtputf8``:
    whether EHLO offers SMTPUTF8."""

    def __init__(self, tls: str | None = None, context=None, *, smtputf8: bool = True) -> None:
        from aiosmtpd.controller import Controller

        self.handler = Handler()
        self.port = free_port()
        kw = {"enable_SMTPUTF8": smtputf8}
        if tls == "starttls":
            kw.update(tls_context=context, require_starttls=True)
        elif tls == "implicit":
            kw.update(ssl_context=context)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kw)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def sender_settings(port: int, **kw):
    """Fast settings for tests: short timeouts, no TLS unless asked."""
    from datetime import timedelta

    from ispterm.messaging.queue import Policy
    from ispterm.messaging.sender import SenderSettings

    base = dict(host="127.0.0.1", port=port, security="none", timeout=1.0, deadline=3.0, connections=1,
                lease=timedelta(seconds=60), policy=Policy(max_attempts=3), poll=0.05)
    base.update(kw)
    return SenderSettings(**base)


def fill_queue(ctx, count: int, *, customer_number: int | None = None, body: str = "Hello.\n") -> list[str]:
    """Queue ``count`` messages in one transaction (fast set-up for bulk tests and benchmarks)."""
    from ispterm.customers.lookup import customer_by_number
    from ispterm.messaging import queue
    from ispterm.messaging.compose import new_message_id

    ids = []
    with ctx.write() as s:
        cid = customer_by_number(s, customer_number).id if customer_number else None
        for i in range(count):
            mid = new_message_id("noc@isp.example")
            queue.enqueue(s, kind="email", recipients=[f"user{i}@example.cz"], subject=f"message {i}",
                          body=body, sender="noc@isp.example", message_id=mid, customer_id=cid)
            ids.append(mid)
    return ids


def write_config(path, port: int, **extra) -> None:
    """A config file for a sender subprocess talking to the test server."""
    lines = ["[smtp]", 'host = "127.0.0.1"', f"port = {port}", 'security = "none"', "timeout = 2.0"]
    lines += [f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}" for k, v in extra.items()]
    path.write_text("\n".join(lines).replace("'", '"') + "\n")


def certificates(tmp_path):
    """(server SSL context, path of the CA file that trusts it): a throw-away CA issued for
    127.0.0.1, made by the test (trustme), never a certificate from disk."""
    import ssl

    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return context, str(path)
