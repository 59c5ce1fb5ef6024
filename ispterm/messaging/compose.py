"""Building e-mail with the ``email`` package: recipients by role, attachments, headers.

Nothing here touches the database: the service resolves a customer card into
:class:`RecipientOption` rows, and the sender turns a queued row back into an
``EmailMessage`` with :func:`build_email`.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html.parser import HTMLParser
from pathlib import Path

from ispterm import validation as v
from ispterm.errors import ValidationError

MAX_ATTACHMENTS = 5
ROLES = ("main", "billing", "technical", "business")
_ROLE_FIELD = {"main": "email", "billing": "billing_email", "technical": "tech_email",
               "business": "business_email"}


@dataclass(frozen=True)
class RecipientOption:
    """One address the compose dialog offers (MSG-2)."""

    role: str  # main | billing | technical | business | other | contact
    label: str
    address: str
    contact_id: int | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


def recipient_options(card) -> list[RecipientOption]:
    """Every address on the card; billing falls back to main (INF-5)."""
    values = card.values
    out: list[RecipientOption] = []
    if values.get("email"):
        out.append(RecipientOption("main", "main e-mail", values["email"]))
    billing = values.get("billing_email") or values.get("email")
    if billing:
        label = "billing e-mail" if values.get("billing_email") else "billing e-mail (= main)"
        out.append(RecipientOption("billing", label, billing))
    for role, key in (("technical", "tech_email"), ("business", "business_email")):
        if values.get(key):
            out.append(RecipientOption(role, f"{role} e-mail", values[key]))
    for addr in (values.get("other_emails") or "").replace(";", ",").split(","):
        if addr.strip():
            out.append(RecipientOption("other", "further e-mail", addr.strip()))
    for c in card.contacts:
        if c.email:
            out.append(RecipientOption("contact", f"contact {c.name}", c.email, c.id))
    return out


def resolve(card, spec: str) -> RecipientOption:
    """``main|billing|technical|business``, ``contact:ID`` or a typed address."""
    spec = (spec or "main").strip()
    options = recipient_options(card)
    if spec.lower() in ROLES:
        role = spec.lower()
        for o in options:
            if o.role == role:
                return o
        raise ValidationError("to", f"customer {card.number} has no {role} e-mail")
    if spec.lower().startswith("contact:"):
        try:
            cid = int(spec.split(":", 1)[1])
        except ValueError:
            raise ValidationError("to", f"expected contact:ID, got {spec!r}") from None
        for o in options:
            if o.contact_id == cid:
                return o
        raise ValidationError("to", f"contact {cid} of customer {card.number} has no e-mail")
    address = v.email(spec, field="to")
    if not address:
        raise ValidationError("to", "give an address or one of " + ", ".join(ROLES))
    return RecipientOption("typed", "typed address", address)


def header_value(value: str | None, field: str) -> str | None:
    """CR or LF in a header would let a value add headers of its own: refuse it."""
    if value is not None and ("\r" in value or "\n" in value):
        raise ValidationError(field, "must not contain line breaks")
    return value


_UNSAFE = re.compile(r"[^\w.\- ()+,]", re.UNICODE)


def safe_filename(name: str) -> str:
    """Base name only, no control or path characters, at most 100 characters (extension kept)."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE.sub("_", "".join(ch for ch in base if unicodedata.category(ch)[0] != "C"))
    base = base.strip(" .") or "attachment"
    if len(base) > 100:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 100 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else base[:100]
    return base


def attachment(name: str, content: bytes) -> Attachment:
    filename = safe_filename(name)
    ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Attachment(filename, ctype, content)


def read_attachments(paths: list[str | Path]) -> list[Attachment]:
    """Read files for attaching; too many or an unreadable one is refused before anything is queued."""
    if len(paths) > MAX_ATTACHMENTS:
        raise ValidationError("attach", f"at most {MAX_ATTACHMENTS} attachments, got {len(paths)}")
    out = []
    for p in paths:
        path = Path(p).expanduser()
        try:
            out.append(attachment(path.name, path.read_bytes()))
        except OSError as exc:
            raise ValidationError("attach", f"cannot read {str(p)!r}: {exc.strerror or exc}") from None
    return out


def human_size(size: int) -> str:
    for unit in ("B", "kB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """A plain alternative for HTML mail, for clients that show only text."""
    parser = _Text()
    parser.feed(html)
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip() + "\n"


def new_message_id(sender: str | None) -> str:
    domain = (sender or "").rpartition("@")[2] or "ispterm.invalid"
    return make_msgid(domain=domain)


def build_email(*, sender: str, recipients: list[str], subject: str, body: str, html: str | None,
                message_id: str, date: datetime, attachments: list[Attachment] = ()) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = header_value(sender, "sender")
    msg["To"] = header_value(", ".join(recipients), "to")
    msg["Subject"] = header_value(subject, "subject")
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = header_value(message_id, "message_id")
    msg.set_content(body or (html_to_text(html) if html else ""))
    if html:
        msg.add_alternative(html, subtype="html")
    for a in attachments:
        maintype, _, subtype = a.content_type.partition("/")
        msg.add_attachment(a.content, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=a.filename)
    return msg
