"""SMS: GSM-7 / UCS-2 counting, splitting, and delivery through a real HTTP gateway on loopback."""

from __future__ import annotations

import asyncio
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ispterm.messaging import sms
from ispterm.messaging.sender import run_sender
from tests.mailfixtures import free_port, sender_settings


@pytest.mark.parametrize("text,enc,chars,parts", [
    ("", "gsm7", 0, 0),
    ("a" * 160, "gsm7", 160, 1),
    ("a" * 161, "gsm7", 161, 2),
    ("a" * 306, "gsm7", 306, 2),
    ("a" * 307, "gsm7", 307, 3),
    ("€" * 80, "gsm7", 160, 1),        # extension characters count twice
    ("€" * 81, "gsm7", 162, 2),
    ("a" * 152 + "€" + "a" * 152, "gsm7", 306, 3),  # an escape pair is never cut between parts
    ("Příliš žluťoučký kůň", "ucs2", 20, 1),
    ("ř" * 70, "ucs2", 70, 1),
    ("ř" * 71, "ucs2", 71, 2),
    ("ř" * 134, "ucs2", 134, 2),
    ("ř" * 135, "ucs2", 135, 3),
    ("😀" * 35, "ucs2", 70, 1),         # surrogate pairs are two UTF-16 units
])
def test_count(text, enc, chars, parts):
    c = sms.count(text)
    assert (c.encoding, c.characters, c.parts) == (enc, chars, parts)


def test_divide_after_chars():
    assert sms.divide("x" * 250, 0) == ["x" * 250]
    assert sms.divide("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]
    c = sms.count("x" * 250, 100)
    assert (c.messages, c.parts, c.per_part) == (3, 3, 160)


class Gateway:
    """A loopback SMS gateway: records requests; ``status`` is the HTTP answer."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        gateway = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                data = self.rfile.read(int(self.headers["Content-Length"])).decode()
                gateway.requests.append(dict(urllib.parse.parse_qsl(data)))
                body = b"OK id=77" if gateway.status == 200 else b"ERR invalid number"
                self.send_response(gateway.status)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), H)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


GATEWAY_ANSWERS = [(200, "sent", "HTTP 200 OK id=77"), (400, "failed", "HTTP 400 ERR invalid number"),
                   (503, "queued", "HTTP 503 ERR invalid number")]


async def test_sms_through_the_gateway(ctx):
    """2xx sent, 4xx failed at once, 5xx retried; the gateway's reply is recorded each time."""
    from ispterm.customers.service import create
    from ispterm.messaging.model import OutboundMessage
    from ispterm.messaging.service import send_sms
    from ispterm.support.model import Communication

    number = create(ctx, "Dvořák Petr", {"mobile": "777 123 456"})
    with Gateway() as gw:
        gateway = sms.Gateway(url=gw.url, username="isp", password="s3cret",
                              params={"to": "{to}", "msg": "{text}", "login": "{username}", "pw": "{password}"})
        for status, state, reply in GATEWAY_ANSWERS:
            queued = send_sms(ctx, number, "Dobrý den {{ name }}, výpadek do 12:00.")
            assert queued[0].to == "+420777123456" and queued[0].sms.encoding == "ucs2"
            gw.status = status
            gw.requests.clear()
            await run_sender(ctx.engine, sender_settings(free_port(), sms=gateway), asyncio.Event(), once=True)
            assert gw.requests == [{"to": "+420777123456", "msg": "Dobrý den Dvořák Petr, výpadek do 12:00.",
                                    "login": "isp", "pw": "s3cret"}]
            with ctx.read() as s:
                msg = s.get(OutboundMessage, queued[0].id)
                comm = s.get(Communication, msg.communication_id)
            assert msg.status == state
            assert reply in (msg.reply or "") and (state == "sent") == (msg.last_error is None)
            assert comm.channel == "sms" and reply in comm.detail


def test_sms_to_technician_and_bad_input(ctx):
    from ispterm.customers.service import create
    from ispterm.errors import ValidationError
    from ispterm.messaging.service import list_queue, send_sms
    from ispterm.operators.service import add_operator
    from ispterm.settings.service import set_setting

    number = create(ctx, "Bez Mobilu")
    add_operator(ctx, "tech1", "technician")
    with pytest.raises(ValidationError, match="has no mobile"):
        send_sms(ctx, number, "hi")
    with pytest.raises(ValidationError, match="operator tech1 has no mobile"):
        send_sms(ctx, number, "hi", to="tech1")
    with pytest.raises(ValidationError, match="to:"):
        send_sms(ctx, number, "hi", to="12")
    with pytest.raises(ValidationError, match="unknown variable|undefined"):
        send_sms(ctx, number, "hi {{ nobody }}", to="+420777123456")
    assert list_queue(ctx) == []
    set_setting(ctx, "sms_divide_after_chars", "100")
    out = send_sms(ctx, number, "y" * 250, to="+420 777 123 456")
    assert [q.sms.characters for q in out] == [100, 100, 50]
    assert len(list_queue(ctx, kind="sms")) == 3


def test_send_sms_checks_the_callers_gateway(ctx, tmp_path):
    """The CLI and the app hand their config in the Ctx: without sms.url nothing is queued."""
    from dataclasses import replace

    from ispterm import config
    from ispterm.customers.service import create
    from ispterm.errors import ConfigError
    from ispterm.messaging.service import list_queue, send_sms

    number = create(ctx, "Dvořák Petr", {"mobile": "777 123 456"})
    path = tmp_path / "config.toml"
    path.write_text("")
    with pytest.raises(ConfigError, match=r"sms\.url is empty"):
        send_sms(replace(ctx, config=config.load(path)), number, "hi")
    assert list_queue(ctx) == []
    path.write_text('[sms]\nurl = "https://sms.example.net/send"\n')
    assert len(send_sms(replace(ctx, config=config.load(path)), number, "hi")) == 1
