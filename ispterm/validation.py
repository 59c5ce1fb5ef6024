"""Validators and normalisers for everything an operator types into a form or the CLI.

Every validator takes the raw text and the caller's field name, returns the canonical
form that is stored (so two spellings of one value compare equal in the database), and
raises :class:`~ispterm.errors.ValidationError` - never anything else - for bad input.
Blank input returns ``None``: clearing a field is not an error here; whether the field
may be empty is the caller's business rule.

Every validator is idempotent (feeding its output back in gives the same output), so
services may re-validate stored values without drift.

The third-party parsers (phonenumbers, email_validator, stdnum) are imported inside the
functions that need them: the CLI imports the services on every start, and most commands
never validate a phone number.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from ispterm.errors import ValidationError

if TYPE_CHECKING:
    from phonenumbers import NumberParseException

__all__ = [
    "bank_account",
    "bic",
    "boolean",
    "decimal_money",
    "dic",
    "email",
    "emails",
    "gps",
    "gps_dms",
    "iban",
    "ico",
    "iso_date",
    "mailbox",
    "non_negative_int",
    "phone",
    "phone_digits_variants",
    "invisible",
    "single_line",
    "split_mailboxes",
    "text_block",
    "url",
    "vs",
    "zip_code",
]

# Longer input is never a legitimate value for the short fields below; refusing it early
# keeps the regular expressions and third-party parsers away from pathological text.
_MAX_SHORT = 100

# Spaces people paste from documents: no-break, narrow no-break, thin, figure space.
_SPACES = re.compile(r"[\s\u00a0\u2007\u2009\u202f]+")


def _blank(value: str) -> bool:
    return not value or not value.strip()


def _squeeze(value: str) -> str:
    """Drop all (also no-break) spaces: digits are grouped for reading, not meaning."""
    return _SPACES.sub("", value)


def _has_control(value: str) -> bool:
    # Cc covers CR/LF/TAB/NUL; Zl/Zp are the Unicode line and paragraph separators, which
    # break a value onto a second line just as well; Cs cannot be stored as UTF-8.
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs") for ch in value)


def invisible(value: str) -> str | None:
    """The first invisible formatting character (Unicode category Cf) in ``value``, named
    for an error message, or None.

    Bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069), directional
    marks and zero-width characters change how a line looks without being seen: a name
    with U+202E reads backwards, and "Novák" with a zero-width space looks like "Novák"
    but is another customer. No name, address or code needs one (right-to-left text is
    laid out by the terminal without them), so single-line fields refuse them.
    """
    for ch in value:
        if unicodedata.category(ch) == "Cf":
            name = unicodedata.name(ch, "FORMAT CHARACTER")
            return f"U+{ord(ch):04X} ({name})"
    return None


def _refuse_invisible(field: str, value: str) -> None:
    found = invisible(value)
    if found is not None:
        raise ValidationError(field, f"contains the invisible character {found}; retype the value "
                                     "without it")


def text_block(value: str, *, field: str, max_len: int) -> str | None:
    """Multi-line free text (a note, a task description, a message body): line breaks and
    tabs are kept (CRLF becomes LF), other control characters (NUL, ESC, which a terminal
    would run) and text that is not valid Unicode are refused."""
    if _blank(value):
        return None
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    for ch in text:
        category = unicodedata.category(ch)
        if (category == "Cc" and ch not in "\n\t") or category == "Cs":
            what = "text that is not valid UTF-8" if category == "Cs" else f"the control character U+{ord(ch):04X}"
            raise ValidationError(field, f"contains {what}")
    if len(text) > max_len:
        raise ValidationError(field, f"too long ({len(text)} characters, at most {max_len})")
    return text


def _too_long(field: str, value: str, limit: int = _MAX_SHORT) -> None:
    if len(value) > limit:
        raise ValidationError(field, f"too long ({len(value)} characters, at most {limit})")


# --------------------------------------------------------------------------- text


def single_line(value: str, *, field: str, max_len: int = 200) -> str | None:
    """One line of free text (name, street, city).

    NFC-normalised so text pasted from macOS (decomposed accents) matches what was typed
    on Windows when searched or compared.
    """
    if _blank(value):
        return None
    text = unicodedata.normalize("NFC", value).strip()
    if _has_control(text):
        raise ValidationError(field, "must be a single line without control characters")
    _refuse_invisible(field, text)
    if len(text) > max_len:
        raise ValidationError(field, f"too long ({len(text)} characters, at most {max_len})")
    return text or None


# --------------------------------------------------------------------------- e-mail


def email(value: str, *, field: str = "email") -> str | None:
    """One e-mail address; syntax only, never DNS (the console must work offline).

    Kept as a person reads it: an internationalised domain in Unicode (``a@příklad.cz``,
    also when typed as ``xn--...``), a local part as typed. The mail sender writes the
    domain in IDNA for SMTP. A field that is an address holds the address only: ``Name
    <address>`` is refused saying so (where mail is addressed, ``mailbox`` takes it).
    """
    if _blank(value):
        return None
    if _has_control(value):
        raise ValidationError(field, "must not contain line breaks or control characters")
    _refuse_invisible(field, value)
    text = value.strip()
    _too_long(field, text, 254)
    if _MAILBOX.fullmatch(text):
        raise ValidationError(field, "give the address only, without a name or angle brackets")
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(field, f"not a valid e-mail address ({_lower_first(exc)})") from None
    return result.normalized


_EMAIL_SEPARATORS = re.compile(r"[,;\s]+")


def emails(value: str, *, field: str = "emails") -> str | None:
    """A list of addresses in one field; exact duplicates are dropped, order is kept."""
    if _blank(value):
        return None
    # Line breaks separate addresses here; other control characters fail in email().
    _too_long(field, value.strip(), 2000)
    if "<" in value or ">" in value:
        # Spaces separate addresses, so a name would become an address of its own.
        raise ValidationError(field, "give the addresses only, without names or angle brackets")
    out: list[str] = []
    for part in _EMAIL_SEPARATORS.split(value.strip()):
        if not part:
            continue
        try:
            addr = email(part, field=field)
        except ValidationError as exc:
            raise ValidationError(field, f"{part!r}: {exc.why}") from None
        if addr and addr not in out:
            out.append(addr)
    return ", ".join(out) or None


# ``Name <address>``: the name is whatever comes before the last <...>.
_MAILBOX = re.compile(r"(?P<name>.*?)\s*<(?P<address>[^<>]*)>", re.DOTALL)


def mailbox(value: str, *, field: str = "email") -> tuple[str | None, str] | None:
    """An address as mail is addressed: ``Žofie Nováková <zofie@example.cz>``, ``"Novák,
    Jan" <jan@example.cz>`` or the bare address; returns (name or None, address).

    The address is what ``email`` returns. The name is one line of text (``single_line``:
    no control or invisible characters, so it cannot add a header; diacritics are fine,
    the header carries them RFC 2047-encoded). A name with a double quote or an angle
    bracket in it must be quoted, with ``\\"`` for a quote inside.
    """
    if _blank(value):
        return None
    if _has_control(value):
        raise ValidationError(field, "must not contain line breaks or control characters")
    _refuse_invisible(field, value)
    match = _MAILBOX.fullmatch(value.strip())
    if match is None:
        bare = email(value, field=field)
        assert bare is not None  # value is not blank: an address, or ValidationError
        return None, bare
    address = email(match["address"], field=field)
    if address is None:
        raise ValidationError(field, "no address between < and >")
    return _display_name(match["name"], field), address


def split_mailboxes(value: str) -> list[str]:
    """Several mailboxes typed in one field, split at commas and semicolons that are not
    inside a quoted name (``"Novák, Jan" <jan@example.cz>, eva@example.cz`` is two)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch in ",;" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _display_name(raw: str, field: str) -> str | None:
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        chars, out = iter(text[1:-1]), []
        for ch in chars:
            if ch == "\\":
                ch = next(chars, ch)
            elif ch == '"':
                raise ValidationError(field, 'a double quote inside a quoted name must be written \\"')
            out.append(ch)
        text = "".join(out)
    elif any(ch in text for ch in '"<>'):
        raise ValidationError(field, 'a name with a double quote or < > in it must be in double quotes: '
                                     '"name" <address>')
    return single_line(text, field=field)


def _lower_first(exc: Exception) -> str:
    text = str(exc).strip().rstrip(".")
    return text[:1].lower() + text[1:] if text else "unknown reason"


# --------------------------------------------------------------------------- phone


def phone(value: str, *, field: str = "phone", region: str = "CZ") -> str | None:
    """A phone number in E.164, so one number has one spelling for search and SMS gateways.

    ``region`` is the country assumed for numbers written without an international prefix.
    """
    if _blank(value):
        return None
    text = value.strip()
    _too_long(field, text, 64)
    if _has_control(text):
        raise ValidationError(field, "must not contain control characters")
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(field, f"not a phone number ({_phone_reason(exc)})") from None
    if number.extension:
        raise ValidationError(field, "extensions are not supported; enter the number only")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            field, "not a valid phone number (wrong length or unknown prefix for the country)"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone_reason(exc: NumberParseException) -> str:
    import phonenumbers

    reasons = {
        phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
        phonenumbers.NumberParseException.NOT_A_NUMBER: "no digits or unexpected characters",
        phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
        phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
        phonenumbers.NumberParseException.TOO_LONG: "too long",
    }
    return reasons.get(exc.error_type, "cannot be parsed")


def phone_digits_variants(e164: str) -> list[str]:
    """Digit strings a stored number should be findable by.

    Operators search by what the customer dictates: with or without the country code.
    """
    digits = "".join(ch for ch in (e164 or "") if ch in "0123456789")
    if not digits:
        return []
    out = [digits]
    try:
        import phonenumbers

        national = phonenumbers.national_significant_number(phonenumbers.parse("+" + digits))
    except Exception:  # best effort by contract: odd stored data must not break indexing
        national = ""
    if national and national not in out:
        out.append(national)
    return out


# --------------------------------------------------------------------------- banking


def _stdnum_why(exc: Exception, what: str) -> str:
    from stdnum import exceptions as sx

    if isinstance(exc, sx.InvalidChecksum):
        return f"not a valid {what} (checksum does not match)"
    if isinstance(exc, sx.InvalidLength):
        return f"not a valid {what} (wrong length)"
    if isinstance(exc, sx.InvalidComponent):
        return f"not a valid {what} (unknown country or bank code)"
    return f"not a valid {what} (unexpected characters or format)"


def iban(value: str, *, field: str = "iban") -> str | None:
    """An IBAN in compact form (no spaces), the form payment files and banks expect."""
    if _blank(value):
        return None
    text = _squeeze(value)
    _too_long(field, text, 34)
    if not re.fullmatch(r"[A-Za-z]{2}[0-9]{2}[A-Za-z0-9]+", text):
        raise ValidationError(
            field, "not a valid IBAN (expected country code, 2 check digits and the account)"
        )
    from stdnum import iban as stdnum_iban
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        return stdnum_iban.validate(text)
    except StdnumError as exc:
        raise ValidationError(field, _stdnum_why(exc, "IBAN")) from None


def bic(value: str, *, field: str = "bic") -> str | None:
    """A BIC/SWIFT code, uppercase without spaces."""
    if _blank(value):
        return None
    text = _squeeze(value)
    _too_long(field, text, 11)
    if not re.fullmatch(r"[A-Za-z0-9]+", text):
        raise ValidationError(field, "not a valid BIC (letters and digits only)")
    if len(text) not in (8, 11):
        raise ValidationError(field, f"not a valid BIC (8 or 11 characters, got {len(text)})")
    from stdnum import bic as stdnum_bic
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        return stdnum_bic.validate(text)
    except StdnumError as exc:
        raise ValidationError(field, _stdnum_why(exc, "BIC")) from None


_ACCOUNT_WEIGHTS = (6, 3, 7, 9, 10, 5, 8, 4, 2, 1)


def _account_part_ok(digits: str) -> bool:
    padded = digits.zfill(10)
    return sum(w * int(d) for w, d in zip(_ACCOUNT_WEIGHTS, padded, strict=False)) % 11 == 0


def bank_account(value: str, *, field: str = "bank_account") -> str | None:
    """A Czech domestic account ``prefix-number/bank`` without padding zeros.

    The zeros are dropped because that is how banks print the number on statements,
    which is what operators compare it with. The bank code must be one the Czech
    National Bank lists (per the table shipped with python-stdnum).
    """
    if _blank(value):
        return None
    text = _squeeze(value)
    _too_long(field, text, 40)
    if re.match(r"[A-Za-z]{2}[0-9]{2}", text):
        raise ValidationError(field, "looks like an IBAN; enter it in the IBAN field")
    m = re.fullmatch(r"(?:([0-9]{1,6})-)?([0-9]{1,10})/([0-9]{4})", text)
    if not m:
        raise ValidationError(
            field, "not a Czech account number (expected [prefix-]number/bank, e.g. 19-123457/0100)"
        )
    prefix = m.group(1).lstrip("0") if m.group(1) else ""
    number = m.group(2).lstrip("0")
    bank = m.group(3)
    if not number:
        raise ValidationError(field, "the account number must not be zero")
    if prefix and not _account_part_ok(prefix):
        raise ValidationError(field, "not a valid account number (prefix checksum does not match)")
    if not _account_part_ok(number):
        raise ValidationError(field, "not a valid account number (checksum does not match)")
    normalised = f"{prefix}-{number}/{bank}" if prefix else f"{number}/{bank}"
    from stdnum.cz import bankaccount as stdnum_account
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        stdnum_account.validate(normalised)
    except StdnumError as exc:
        from stdnum.exceptions import InvalidComponent

        if isinstance(exc, InvalidComponent):
            raise ValidationError(field, f"unknown bank code {bank}") from None
        raise ValidationError(field, _stdnum_why(exc, "account number")) from None
    return normalised


def vs(value: str, *, field: str = "vs") -> str | None:
    """A variable symbol; leading zeros are dropped because banks drop them on statements,
    and payment matching compares the two."""
    if _blank(value):
        return None
    text = _squeeze(value)
    if not re.fullmatch(r"[0-9]+", text):
        raise ValidationError(field, "a variable symbol has digits only")
    text = text.lstrip("0") or "0"
    if len(text) > 10:
        raise ValidationError(field, f"a variable symbol has at most 10 digits, got {len(text)}")
    return text


# --------------------------------------------------------------------------- company ids


def _ico_check_digit(first7: str) -> int:
    total = sum(w * int(d) for w, d in zip(range(8, 1, -1), first7, strict=False))
    return (11 - total % 11) % 10


def ico(value: str, *, field: str = "ico") -> str | None:
    """Czech IČO as 8 digits; python-stdnum has no IČO module (only ``cz.dic``, ``cz.rc``).

    Old 6-7 digit IČOs are left-padded with zeros, which is how the registry prints them.
    """
    if _blank(value):
        return None
    text = _squeeze(value)
    _too_long(field, text, 20)
    if text[:2].upper() == "CZ":
        raise ValidationError(field, "an IČO has no CZ prefix (that is the DIČ)")
    if not re.fullmatch(r"[0-9]+", text):
        raise ValidationError(field, "an IČO has digits only")
    if not 6 <= len(text) <= 8:
        raise ValidationError(field, f"an IČO has 8 digits, got {len(text)}")
    text = text.zfill(8)
    if _ico_check_digit(text[:7]) != int(text[7]):
        raise ValidationError(field, "not a valid IČO (checksum does not match)")
    return text


def dic(value: str, *, field: str = "dic") -> str | None:
    """A Czech DIČ as ``CZ`` + digits, or another EU VAT id in its compact form.

    Bare digits are taken as Czech: operators often omit the prefix they consider obvious.
    Greek ids are stored with ``EL``, the prefix VIES uses, even if typed as ``GR``.
    """
    if _blank(value):
        return None
    text = _squeeze(value).upper()
    _too_long(field, text, 20)
    from stdnum.exceptions import ValidationError as StdnumError

    if re.fullmatch(r"(CZ)?[0-9]+", text):
        digits = text.removeprefix("CZ")
        if len(digits) not in (8, 9, 10):
            raise ValidationError(field, f"a Czech DIČ is CZ and 8 to 10 digits, got {len(digits)}")
        from stdnum.cz import dic as cz_dic

        try:
            return "CZ" + cz_dic.validate(digits)
        except StdnumError as exc:
            from stdnum.exceptions import InvalidComponent

            if len(digits) != 8:
                why = "not a valid DIČ (the birth number after CZ is not valid)"
            elif isinstance(exc, InvalidComponent):
                why = "not a valid DIČ (an 8-digit DIČ never starts with 9)"
            else:
                why = "not a valid DIČ (checksum does not match)"
            raise ValidationError(field, why) from None
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9+*]+", text):
        raise ValidationError(
            field, "not a valid VAT id (expected a country prefix such as CZ and the number)"
        )
    from stdnum.eu import vat

    country = text[:2]
    known = {cc.upper() for cc in vat.MEMBER_STATES} | {"EL"}
    if country not in known:
        raise ValidationError(field, f"{country} is not an EU VAT country prefix")
    if country == "CZ":
        raise ValidationError(field, "a Czech DIČ is CZ and 8 to 10 digits")
    if country == "GR":
        text = "EL" + text[2:]
    try:
        return vat.validate(text)
    except StdnumError as exc:
        raise ValidationError(field, _stdnum_why(exc, f"{text[:2]} VAT id")) from None


# --------------------------------------------------------------------------- address


def zip_code(value: str, *, field: str = "zip", country: str = "CZ") -> str | None:
    """A postcode; Czech and Slovak ones as ``123 45``, the form the postal services print."""
    if _blank(value):
        return None
    cc = (country or "").strip().upper()
    if cc in ("CZ", "SK"):
        text = _squeeze(value)
        if not re.fullmatch(r"[0-9]{5}", text):
            raise ValidationError(field, f"a {cc} postcode has 5 digits, e.g. 110 00")
        return f"{text[:3]} {text[3:]}"
    text = " ".join(value.split())
    if not re.fullmatch(r"[A-Za-z0-9 -]{2,10}", text) or not re.search(r"[A-Za-z0-9]", text):
        raise ValidationError(field, "a postcode has 2 to 10 letters, digits, spaces or dashes")
    return text.upper()


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def url(value: str, *, field: str = "www") -> str | None:
    """A web address; a bare domain gets ``https://`` so the stored value is clickable."""
    if _blank(value):
        return None
    text = value.strip()
    _too_long(field, text, 2000)
    if _has_control(text) or re.search(r"\s", text):
        raise ValidationError(field, "a web address must not contain spaces or control characters")
    m = _SCHEME.match(text)
    if m:
        scheme = m.group(1).lower()
        if scheme not in ("http", "https"):
            raise ValidationError(field, f"only http and https addresses are allowed, not {scheme}")
        rest = text[m.end() :]
    else:
        scheme = "https"
        rest = text[2:] if text.startswith("//") else text
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(f"{scheme}://{rest}")
        port = parts.port
    except ValueError:
        raise ValidationError(field, "not a valid web address") from None
    netloc = parts.netloc
    if "@" in netloc:
        raise ValidationError(field, "must not contain @ (an e-mail address or a login?)")
    host = (parts.hostname or "").lower()
    if not _host_ok(host):
        raise ValidationError(field, "not a valid web address (bad or missing domain name)")
    if port == 0:
        raise ValidationError(field, "not a valid web address (bad port)")
    shown = f"[{host}]" if ":" in host else host  # IPv6 literal
    netloc = shown if port is None else f"{shown}:{port}"
    # urlsplit takes the netloc verbatim from the front of ``rest``; keep path etc. as typed.
    return f"{scheme}://{netloc}{rest[len(parts.netloc) :]}"


def _host_ok(host: str) -> bool:
    if not host:
        return False
    import ipaddress

    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.split(".")
    if len(labels) < 2 or len(host) > 253:
        return False
    for label in labels:
        if not 1 <= len(label) <= 63 or label[0] == "-" or label[-1] == "-":
            return False
        if not all(ch == "-" or ch.isalnum() for ch in label):
            return False
    tld = labels[-1]
    return (len(tld) >= 2 and tld.isalpha()) or tld.startswith("xn--")


# --------------------------------------------------------------------------- GPS

_NUM = r"[0-9]+(?:\.[0-9]+)?"
_DEG_MARK = r"[°º˚]"
_MIN_MARK = r"(?:′|’|‘|´|`|'(?!'))"
_SEC_MARK = r"(?:''|″|\"|”|“|′′|’’)"


def _coord_re(n: int) -> str:
    body = (
        rf"(?P<sign{n}>[+-])?\s*(?P<deg{n}>{_NUM})\s*"
        rf"(?:{_DEG_MARK}\s*"
        rf"(?:(?P<min{n}>{_NUM})\s*{_MIN_MARK}\s*"
        rf"(?:(?P<sec{n}>{_NUM})\s*{_SEC_MARK}\s*)?)?)?"
    )
    suffixed = body.replace("?P<", "?P<b_")
    return rf"(?:(?P<pre{n}>[NSEW])\s*{body}|{suffixed}(?P<post{n}>[NSEW])?)"


_GPS = re.compile(
    rf"\s*{_coord_re(1)}\s*(?:[,;]\s*|(?<=\S)\s+|(?<=[NSEW]))\s*{_coord_re(2)}\s*",
    re.IGNORECASE,
)


def _coord(m: re.Match, n: int, field: str) -> tuple[float, str | None]:
    def g(name: str) -> str | None:
        return m.group(f"{name}{n}") or m.group(f"b_{name}{n}")

    hemi = (m.group(f"pre{n}") or m.group(f"post{n}") or "").upper() or None
    sign = g("sign")
    deg, mins, secs = g("deg") or "0", g("min"), g("sec")
    if sign and hemi:
        raise ValidationError(field, "use either a minus sign or a hemisphere letter, not both")
    if mins is not None and "." in deg:
        raise ValidationError(field, "decimal degrees cannot be followed by minutes")
    if secs is not None and mins is not None and "." in mins:
        raise ValidationError(field, "decimal minutes cannot be followed by seconds")
    total = Decimal(deg)
    if mins is not None:
        if Decimal(mins) >= 60:
            raise ValidationError(field, "minutes must be less than 60")
        total += Decimal(mins) / 60
    if secs is not None:
        if Decimal(secs) >= 60:
            raise ValidationError(field, "seconds must be less than 60")
        total += Decimal(secs) / 3600
    negative = sign == "-" or hemi in ("S", "W")
    return (-float(total) if negative else float(total)), hemi


def gps(value: str, *, field: str = "gps") -> tuple[float, float] | None:
    """Latitude and longitude from what map sites and GPS units show.

    Accepts decimal degrees and degrees-minutes(-seconds) with N/S/E/W before or after
    each number; if the hemisphere letters say longitude comes first, the pair is swapped.
    """
    if _blank(value):
        return None
    text = value.strip()
    _too_long(field, text)
    m = _GPS.fullmatch(text)
    if not m:
        raise ValidationError(
            field,
            "not GPS coordinates (expected e.g. 49.964775, 16.973678 "
            "or 49° 57' 53.19'' N, 16° 58' 25.24'' E)",
        )
    first, h1 = _coord(m, 1, field)
    second, h2 = _coord(m, 2, field)
    axis1 = None if h1 is None else ("lat" if h1 in "NS" else "lon")
    axis2 = None if h2 is None else ("lat" if h2 in "NS" else "lon")
    if axis1 is not None and axis1 == axis2:
        raise ValidationError(field, "both coordinates have the same hemisphere axis (N/S or E/W)")
    if axis1 == "lon" or axis2 == "lat":
        first, second = second, first
    lat, lon = first, second
    if not -90 <= lat <= 90:
        raise ValidationError(field, f"latitude {lat:g} is out of range (-90 to 90)")
    if not -180 <= lon <= 180:
        raise ValidationError(field, f"longitude {lon:g} is out of range (-180 to 180)")
    return round(lat, 7) + 0.0, round(lon, 7) + 0.0


def gps_dms(lat: float, lon: float) -> str:
    """Degrees, minutes and seconds as people read them off a GPS unit; 0.01" is ~30 cm."""

    def part(x: float, pos: str, neg: str) -> str:
        hundredths = round(abs(x) * 360000)
        deg, rest = divmod(hundredths, 360000)
        mins, csec = divmod(rest, 6000)
        hemi = neg if x < 0 and hundredths else pos
        return f"{deg}° {mins}' {csec // 100}.{csec % 100:02d}'' {hemi}"

    return f"{part(lat, 'N', 'S')}, {part(lon, 'E', 'W')}"


# --------------------------------------------------------------------------- numbers, dates


def non_negative_int(value: str, *, field: str) -> int | None:
    """A count or amount of units; spaces may group thousands (``1 000``)."""
    if _blank(value):
        return None
    text = _squeeze(value)
    _too_long(field, text, 40)
    if text.startswith("+"):
        text = text[1:]
    if re.fullmatch(r"-[0-9]+", text):
        raise ValidationError(field, "must not be negative")
    if not re.fullmatch(r"[0-9]+", text):
        raise ValidationError(field, "must be a whole number")
    if len(text.lstrip("0")) > 18 or int(text) > 2**63 - 1:
        raise ValidationError(field, "number is too large")
    return int(text)


_CENT = Decimal("0.01")


def decimal_money(value: str, *, field: str) -> Decimal | None:
    """An amount of money with at most two decimals, parsed exactly (never via float).

    Accepts the Czech ``1 234,50`` and the ``1,234.50`` / ``1234.50`` forms: when both
    ``,`` and ``.`` appear, the last one is the decimal mark. More than two decimal places
    are refused rather than rounded, because silently changing an amount is worse.
    """
    if _blank(value):
        return None
    text = _squeeze(value).replace("'", "")
    _too_long(field, text, 40)
    m = re.fullmatch(r"([+-]?)([0-9.,]+)", text)
    if not m or not re.search(r"[0-9]", m.group(2)):
        raise ValidationError(field, "not an amount (expected e.g. 1 234,50)")
    sign, body = m.groups()
    if "," in body and "." in body:
        mark = "," if body.rfind(",") > body.rfind(".") else "."
        group = "." if mark == "," else ","
        whole, _, frac = body.rpartition(mark)
        if mark in whole or not re.fullmatch(rf"[0-9]{{1,3}}(?:\{group}[0-9]{{3}})*", whole):
            raise ValidationError(field, "not an amount (misplaced thousands separator)")
        whole = whole.replace(group, "")
    elif body.count(",") + body.count(".") > 1:
        raise ValidationError(field, "not an amount (more than one decimal mark)")
    else:
        whole, _, frac = body.replace(",", ".").partition(".")
    if not re.fullmatch(r"[0-9]*", frac) or not (whole or frac):
        raise ValidationError(field, "not an amount (expected e.g. 1 234,50)")
    if len(frac) > 2:
        # Refused, not rounded: "1.000" may well mean a thousand.
        raise ValidationError(
            field, "an amount has at most 2 decimal places (group thousands with spaces: 1 000)"
        )
    try:
        amount = Decimal(f"{sign}{whole or '0'}.{frac or '0'}")
    except InvalidOperation:
        raise ValidationError(field, "not an amount (expected e.g. 1 234,50)") from None
    if len(whole.lstrip("0")) > 15:
        raise ValidationError(field, "amount is too large")
    quantized = amount.quantize(_CENT)
    return quantized if quantized else Decimal("0.00")  # no "-0.00"


# Dates an operator means: a contract, a payment, a due day. Beyond these, the arithmetic a
# date goes into (a due day 14 days on, a suspension 365 days back) would leave the calendar.
_FIRST_YEAR, _LAST_YEAR = 1900, 2199


def iso_date(value: str, *, field: str) -> date | None:
    """A date as ``2024-03-01`` or the Czech ``1.3.2024`` / ``1. 3. 2024``."""
    if _blank(value):
        return None
    text = value.strip()
    _too_long(field, text, 40)
    m = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", text)
    if m:
        y, mo, d = m.groups()
    else:
        m = re.fullmatch(r"([0-9]{1,2})\.\s*([0-9]{1,2})\.\s*([0-9]{4})", text)
        if not m:
            raise ValidationError(field, "not a date (expected YYYY-MM-DD or D.M.YYYY)")
        d, mo, y = m.groups()
    if not _FIRST_YEAR <= int(y) <= _LAST_YEAR:
        raise ValidationError(field, f"the year must be between {_FIRST_YEAR} and {_LAST_YEAR}, got {y}")
    try:
        return date(int(y), int(mo), int(d))
    except ValueError:
        raise ValidationError(field, "no such date (check the day and month)") from None


_TRUE = {"yes", "y", "true", "t", "1", "ano", "a", "on"}
_FALSE = {"no", "n", "false", "f", "0", "ne", "off"}


def boolean(value: str, *, field: str) -> bool | None:
    """A yes/no answer in English or Czech, as typed in the CLI or imported from CSV."""
    if _blank(value):
        return None
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValidationError(field, "expected yes or no (also ano/ne, true/false, 1/0)")
