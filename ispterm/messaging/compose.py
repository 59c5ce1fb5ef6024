"""Building e-mail with the ``email`` package: recipients by role, attachments, headers.

Nothing here touches the database: the service resolves a customer card into
:class:`RecipientOption` rows, and ``queue.enqueue`` builds the message once with
:func:`build_email`; the sender sends those bytes, with the envelope from
:func:`envelope_address` and :func:`smtputf8_addresses`.

Addresses are stored as a person reads them (an internationalised domain in Unicode) and
written for the wire here: the domain in IDNA (``xn--...``) in the envelope and in the
headers of an ASCII message; a local part beyond ASCII has no ASCII spelling at all, so a
message naming one carries UTF-8 headers (RFC 6532) and goes only with SMTPUTF8.
"""

from __future__ import annotations

import email.policy
import mimetypes
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from ispterm import validation as v
from ispterm.errors import ValidationError

if TYPE_CHECKING:
    from ispterm.customers.card import CustomerCard

MAX_ATTACHMENTS = 5
# What the attachments of one mail may add up to. Base64 makes them a third larger, and many
# mail servers refuse messages over 25 MB: 15 MB of files stay under that with the text.
MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024
ROLES = ("main", "billing", "technical", "business")
_ROLE_FIELD = {"main": "email", "billing": "billing_email", "technical": "tech_email",
               "business": "business_email"}
# Text parts quoted-printable (or base64) when they are not plain ASCII: the bytes are built
# once, before anyone knows whether the server takes 8BITMIME, and 8-bit text sent to one
# that does not may be mangled on the way.
_ASCII = email.policy.SMTP.clone(cte_type="7bit")
# UTF-8 headers (RFC 6532), only for a message naming a local part beyond ASCII.
_UTF8 = email.policy.SMTPUTF8.clone(cte_type="7bit")


@dataclass(frozen=True)
class RecipientOption:
    """One address the compose dialog offers (MSG-2)."""

    role: str  # main | billing | technical | business | other | contact
    label: str
    address: str
    contact_id: int | None = None
    name: str | None = None  # a typed "Name <address>": shown in the To header only


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


def recipient_options(card: CustomerCard) -> list[RecipientOption]:
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


def resolve(card: CustomerCard, spec: str) -> RecipientOption:
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
    typed = v.mailbox(spec, field="to")
    if not typed:
        raise ValidationError("to", "give an address or one of " + ", ".join(ROLES))
    name, address = typed
    return RecipientOption("typed", "typed address", address, name=name)


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


def read_attachments(paths: list[str | Path], *, already: int = 0) -> list[Attachment]:
    """Read files for attaching; too many or an unreadable one is refused before anything is queued.

    ``already`` counts attachments made otherwise (a generated PDF) towards the limit.
    """
    if len(paths) + already > MAX_ATTACHMENTS:
        raise ValidationError("attach", f"at most {MAX_ATTACHMENTS} attachments, got {len(paths) + already}")
    out = []
    total = 0
    for p in paths:
        path = Path(p).expanduser()
        try:
            if path.is_dir():
                raise ValidationError("attach", f"{str(p)!r} is a directory, not a file")
            total += path.stat().st_size  # before reading: a huge file is refused unread
            if total > MAX_ATTACHMENT_BYTES:
                raise ValidationError("attach", f"the attachments add up to {human_size(total)} with "
                                                f"{path.name!r}; at most {human_size(MAX_ATTACHMENT_BYTES)}")
            out.append(attachment(path.name, path.read_bytes()))
        except OSError as exc:
            raise ValidationError("attach", f"cannot read {str(p)!r}: {exc.strerror or exc}") from None
    return out


def human_size(size: float) -> str:
    for unit in ("B", "kB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """A plain alternative for HTML mail, for clients that show only text."""
    parser = _Text()
    parser.feed(html)
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.strip() for line in text.splitlines())).strip() + "\n"


def new_message_id(sender: str | None) -> str:
    domain = (sender or "").rpartition("@")[2] or "ispterm.invalid"
    return make_msgid(domain=ascii_domain(domain))


def ascii_domain(domain: str) -> str:
    """The domain as DNS and SMTP know it: IDNA A-labels (``příklad.cz`` -> ``xn--pklad-zsa96e.cz``).

    Raises ``UnicodeError`` (``idna.IDNAError``) for a domain with no IDNA form; stored
    addresses have one (``validation.email`` checks it).
    """
    if domain.isascii():
        return domain
    import idna  # email-validator's own IDNA library: the same rules the address was checked by

    return idna.encode(domain, uts46=True).decode("ascii")


def envelope_address(address: str) -> str:
    """An address for MAIL FROM / RCPT TO: the domain in IDNA, the local part as it is
    (beyond ASCII it needs SMTPUTF8, see :func:`smtputf8_addresses`)."""
    if address.isascii():
        return address
    local, _, domain = address.rpartition("@")
    return f"{local}@{ascii_domain(domain)}"


def smtputf8_addresses(addresses: Iterable[str]) -> list[str]:
    """The addresses whose local part is beyond ASCII: no IDNA for those, so the message
    needs SMTPUTF8 (RFC 6531) or cannot be sent."""
    return [a for a in addresses if not a.isascii() and not a.rpartition("@")[0].isascii()]


def _mailbox(address: str, name: str | None, utf8: bool, field: str) -> Address:
    header_value(address, field)
    header_value(name, field)
    local, _, domain = address.rpartition("@")
    try:
        return Address(display_name=name or "", username=local, domain=domain if utf8 else ascii_domain(domain))
    except UnicodeError as exc:
        raise ValidationError(field, f"{address}: the domain has no IDNA form ({exc})") from None


def build_email(*, sender: str, recipients: list[str], subject: str, body: str, html: str | None,
                message_id: str, date: datetime, attachments: Sequence[Attachment] = (),
                names: Mapping[str, str] | None = None, sender_name: str | None = None) -> EmailMessage:
    """The message to store and send (``as_bytes()``: its own policy): ASCII headers, names
    RFC 2047-encoded, domains in IDNA; UTF-8 headers only when an address needs them.

    ``names`` (by recipient address) and ``sender_name``: display names (a typed ``Name
    <address>``), for the headers only.
    """
    names = names or {}
    utf8 = bool(smtputf8_addresses([sender, *recipients]))
    msg = EmailMessage(policy=_UTF8 if utf8 else _ASCII)
    msg["From"] = _mailbox(sender, sender_name, utf8, "sender") if sender else ""
    msg["To"] = [_mailbox(a, names.get(a), utf8, "to") for a in recipients]
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
