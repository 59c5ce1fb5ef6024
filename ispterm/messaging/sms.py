"""SMS: GSM-7 or UCS-2, characters and parts (MSG-4), splitting, and the HTTP gateway.

A GSM-7 text is counted in septets (extension characters such as ``€`` or ``{`` take two);
any other character makes the whole text UCS-2, counted in UTF-16 code units. One SMS holds
160 septets or 70 units; a concatenated one 153 or 67 per part, and a two-unit character is
never cut between parts. The gateway is plain HTTP (stdlib ``urllib``) so it needs no extra
package; the sender runs it in a thread.
"""

from __future__ import annotations

import base64
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ispterm.config import Config

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
LIMITS = {"gsm7": (160, 153), "ucs2": (70, 67)}


@dataclass(frozen=True)
class SmsCount:
    """What the compose dialog shows under the text."""

    encoding: str  # gsm7 | ucs2
    characters: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int
    per_part: int
    messages: int = 1  # separate SMS after sms_divide_after_chars

    @property
    def label(self) -> str:
        enc = "GSM-7" if self.encoding == "gsm7" else "UCS-2 (diacritics)"
        split = f" in {self.messages} messages" if self.messages > 1 else ""
        return f"{self.characters} chars, {self.parts} SMS{split}, {enc}"


def encoding(text: str) -> str:
    return "gsm7" if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text) else "ucs2"


def _units(text: str, enc: str) -> list[int]:
    if enc == "gsm7":
        return [2 if ch in GSM_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _parts(units: list[int], enc: str) -> int:
    single, multi = LIMITS[enc]
    total = sum(units)
    if total <= single:
        return 1 if total else 0
    parts, used = 1, 0
    for u in units:  # greedy: a two-unit character moves whole to the next part
        if used + u > multi:
            parts, used = parts + 1, 0
        used += u
    return parts


def divide(text: str, after: int) -> list[str]:
    """Cut the text into separate SMS of ``after`` characters (``sms_divide_after_chars``; 0 = never)."""
    if after <= 0 or len(text) <= after:
        return [text]
    return [text[i:i + after] for i in range(0, len(text), after)]


def count(text: str, divide_after: int = 0) -> SmsCount:
    enc = encoding(text)
    pieces = divide(text, divide_after)
    units = _units(text, enc)
    per_piece = [_parts(_units(p, enc), enc) for p in pieces]
    single, multi = LIMITS[enc]
    return SmsCount(enc, sum(units), sum(per_piece), single if max(per_piece) <= 1 else multi, len(pieces))


# --- the HTTP gateway ------------------------------------------------------------------


@dataclass(frozen=True)
class Gateway:
    url: str
    method: str = "POST"
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 15.0
    params: dict[str, str] = field(default_factory=dict)


class GatewayError(Exception):
    """The gateway refused or could not be reached; ``temporary`` says whether to retry."""

    def __init__(self, reply: str, temporary: bool) -> None:
        super().__init__(reply)
        self.reply = reply
        self.temporary = temporary


def gateway_from_config(config: Config) -> Gateway | None:
    """None when no gateway is configured: SMS then stay queued (MSG-4: gateway only)."""
    sms = config.sms
    if not sms.url:
        return None
    return Gateway(url=sms.url, method=sms.method, username=sms.username,
                   password=os.environ.get(sms.password_env, "") if sms.password_env else "",
                   timeout=sms.timeout, params=dict(sms.params))


def _request(gw: Gateway, to: str, text: str) -> urllib.request.Request:
    values = {"to": to, "text": text, "username": gw.username, "password": gw.password}
    template = gw.params or {"to": "{to}", "text": "{text}"}
    params = {k: v.format_map(values) for k, v in template.items()}
    data = urllib.parse.urlencode(params)
    headers = {"User-Agent": "ispterm"}
    uses_credentials = any("{username}" in v or "{password}" in v for v in template.values())
    if gw.username and not uses_credentials:
        token = base64.b64encode(f"{gw.username}:{gw.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    if gw.method == "GET":
        sep = "&" if "?" in gw.url else "?"
        return urllib.request.Request(gw.url + sep + data, headers=headers, method="GET")
    headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    return urllib.request.Request(gw.url, data=data.encode(), headers=headers, method="POST")


def _short(body: bytes) -> str:
    return " ".join(body.decode("utf-8", "replace").split())[:300]


def send(gw: Gateway, to: str, text: str) -> str:
    """Send one SMS (blocking); returns the gateway's reply, raises GatewayError otherwise."""
    try:
        with urllib.request.urlopen(_request(gw, to, text), timeout=gw.timeout) as resp:
            return f"HTTP {resp.status} {_short(resp.read())}".strip()
    except urllib.error.HTTPError as exc:
        reply = f"HTTP {exc.code} {_short(exc.read() or b'') or exc.reason}".strip()
        # 5xx, 408 and 429 may pass; any other refusal will not change by retrying.
        raise GatewayError(reply, temporary=exc.code >= 500 or exc.code in (408, 429)) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise GatewayError(f"gateway unreachable: {reason}", temporary=True) from None
