"""Payment QR payloads printed on invoices: Czech QR Platba (SPAYD) for CZK, EPC for EUR.

SPAYD 1.0 (Czech Banking Association): ``SPD*1.0*ACC:<IBAN>[+<BIC>]*AM:<amount>*CC:<currency>*
X-VS:<vs>*DT:<YYYYMMDD>*MSG:<text>``; a value must not contain ``*`` (escaped as ``%2A``),
the message is at most 60 characters. Texts are folded to ASCII capitals, which every
banking app reads and which keeps the code small (QR alphanumeric-friendly).

EPC069-12 ("SEPA credit transfer QR", the "BCD" format), version 002 (BIC optional in the
EEA), character set 1 = UTF-8: one field per line, amount ``EUR12.34``, unstructured
remittance at most 140 characters.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from ispterm.errors import ValidationError


def _ascii_upper(text: str, limit: int) -> str:
    folded = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in folded if ch.isascii() and ch.isprintable())
    return plain.upper().replace("*", " ").strip()[:limit]


def czech_iban(account: str) -> str:
    """The IBAN of a Czech account ``[prefix-]number/bank`` (BBAN = bank, prefix, number)."""
    m = re.fullmatch(r"(?:([0-9]{1,6})-)?([0-9]{1,10})/([0-9]{4})", (account or "").replace(" ", ""))
    if not m:
        raise ValidationError("bank_account", f"not a Czech account number: {account!r}")
    bban = m.group(3) + (m.group(1) or "").zfill(6) + m.group(2).zfill(10)
    digits = "".join(str(int(ch, 36)) for ch in bban + "CZ00")
    check = 98 - int(digits) % 97
    return f"CZ{check:02d}{bban}"


def spayd(*, iban: str, amount: Decimal, vs: str | None, due: date | None, message: str = "",
          currency: str = "CZK", bic: str | None = None, recipient: str = "") -> str:
    acc = iban.replace(" ", "").upper() + (f"+{bic.upper()}" if bic else "")
    parts = ["SPD", "1.0", f"ACC:{acc}", f"AM:{amount.quantize(Decimal('0.01'))}", f"CC:{currency.upper()}"]
    if vs:
        parts.append(f"X-VS:{vs}")
    if due:
        parts.append(f"DT:{due:%Y%m%d}")
    if recipient:
        parts.append(f"RN:{_ascii_upper(recipient, 35)}")
    if message:
        parts.append(f"MSG:{_ascii_upper(message, 60)}")
    return "*".join(parts)


def parse_spayd(text: str) -> dict[str, str]:
    """The fields of a SPAYD string; raises ValueError when it is not one (tests, import)."""
    parts = text.split("*")
    if len(parts) < 3 or parts[0] != "SPD" or not re.fullmatch(r"[0-9]+\.[0-9]+", parts[1]):
        raise ValueError("not a SPAYD string (expected SPD*1.0*...)")
    fields = {}
    for part in parts[2:]:
        key, sep, value = part.partition(":")
        if not sep or not key:
            raise ValueError(f"SPAYD field without a key: {part!r}")
        fields[key] = value
    if "ACC" not in fields:
        raise ValueError("SPAYD without ACC")
    iban = fields["ACC"].split("+")[0]
    from stdnum import iban as stdnum_iban

    if not stdnum_iban.is_valid(iban):
        raise ValueError(f"SPAYD ACC is not a valid IBAN: {iban}")
    if "AM" in fields and not re.fullmatch(r"[0-9]{1,10}(\.[0-9]{1,2})?", fields["AM"]):
        raise ValueError(f"SPAYD amount is malformed: {fields['AM']}")
    if "DT" in fields:
        date(int(fields["DT"][:4]), int(fields["DT"][4:6]), int(fields["DT"][6:8]))
    return fields


def epc(*, name: str, iban: str, amount: Decimal, remittance: str = "", bic: str | None = None) -> str:
    if not Decimal("0.01") <= amount <= Decimal("999999999.99"):
        raise ValidationError("amount", "an EPC QR code needs an amount between 0.01 and 999999999.99")
    lines = ["BCD", "002", "1", "SCT", (bic or "").upper(), (name or "")[:70],
             iban.replace(" ", "").upper(), f"EUR{amount.quantize(Decimal('0.01'))}", "", "",
             (remittance or "")[:140]]
    return "\n".join(lines).rstrip("\n")


def parse_epc(text: str) -> dict[str, str]:
    lines = text.split("\n")
    if len(lines) < 7 or lines[0] != "BCD" or lines[1] not in ("001", "002") or lines[3] != "SCT":
        raise ValueError("not an EPC QR payload (expected BCD / 001|002 / charset / SCT)")
    from stdnum import iban as stdnum_iban

    if not stdnum_iban.is_valid(lines[6]):
        raise ValueError(f"EPC IBAN is not valid: {lines[6]}")
    amount = lines[7] if len(lines) > 7 else ""
    if amount and not re.fullmatch(r"EUR[0-9]{1,9}(\.[0-9]{1,2})?", amount):
        raise ValueError(f"EPC amount is malformed: {amount}")
    return {"bic": lines[4], "name": lines[5], "iban": lines[6], "amount": amount[3:],
            "remittance": lines[10] if len(lines) > 10 else ""}


def payment_payload(*, currency: str, iban: str | None, bank_account: str | None, bic: str | None,
                    company: str, amount: Decimal, vs: str, due: date, number: str) -> str | None:
    """The QR payload for paying an invoice, or None when the group has no account for it."""
    if amount <= 0:
        return None
    if currency.upper() == "EUR":
        if not iban:
            return None
        return epc(name=company, iban=iban, bic=bic, amount=amount,
                   remittance=f"Invoice {number} VS {vs}")
    account = iban or (czech_iban(bank_account) if bank_account else None)
    if not account:
        return None
    return spayd(iban=account, amount=amount, vs=vs, due=due, currency=currency,
                 message=f"Faktura {number}", recipient=company)
