"""The Czech ABO/GPC statement: a ``074`` header and ``075`` movement lines, fixed width.

Amounts are in haléře (1/100), accounting code 1 = debit, 2 = credit, 4 = reversal of a debit,
5 = reversal of a credit. Only code 2 lines are customer payments; reversals are reported and
left for an operator. ``076``/``078``/``079`` lines (supplementary text some banks add) extend
the movement before them. Text is Windows-1250 unless the file is valid UTF-8 (or a byte order
mark says UTF-16).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ispterm.billing.statements.parsed import (
    NUL_TEXT,
    Entry,
    MalformedStatement,
    ParsedStatement,
    check_count,
    is_digits,
    normal_vs,
)
from ispterm.billing.statements.source import Source, text_stream

# ISO 4217 numeric codes the Czech banks write into the currency field.
CURRENCIES = {"203": "CZK", "978": "EUR", "840": "USD", "826": "GBP", "756": "CHF", "985": "PLN",
              "348": "HUF", "946": "RON", "975": "BGN", "752": "SEK", "208": "DKK", "578": "NOK"}
CODES = {"1": -1, "2": 1, "4": 1, "5": -1}


def parse(data: bytes | Source, name: str) -> ParsedStatement:
    with text_stream(Source.of(data), "auto", name) as text:
        return _parse(text, name)


def _parse(text, name: str) -> ParsedStatement:
    header = None
    entries: list[dict] = []
    for number, raw in enumerate(text, 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        where = f"line {number}"
        if "\x00" in line:
            raise MalformedStatement(name, where, NUL_TEXT)
        kind = line[:3]
        if header is None and kind != "074":
            raise MalformedStatement(name, where, f"expected the 074 header, found {line[:12]!r}: "
                                     "not an ABO/GPC statement")
        if kind == "074":
            header = header or _header(line, name, where)
        elif kind == "075":
            entries.append(_movement(line, name, where, header["account"]))
            check_count(len(entries), name, where)
        elif kind in ("076", "078", "079"):
            if not entries:
                raise MalformedStatement(name, where, f"a {kind} line without a 075 movement before it")
            extra = line[3:].strip()
            if kind != "076" and extra:
                entries[-1]["message"] = " ".join(filter(None, [entries[-1]["message"], extra]))
        else:
            raise MalformedStatement(name, where, f"unknown record type {kind!r} (expected 074 or 075)")
    if header is None:
        raise MalformedStatement(name, "line 1", "no 074 header: not an ABO/GPC statement")
    return ParsedStatement("gpc", header["account"], header["ref"], header["date"], header["sequence"],
                           entries[0]["currency"] if entries else None, [Entry(**e) for e in entries])


def _need(line: str, length: int, name: str, where: str, kind: str) -> None:
    if len(line) < length:
        raise MalformedStatement(name, where, f"a {kind} record has at least {length} characters, this one {len(line)}")


def _digits(line: str, start: int, end: int, name: str, where: str, what: str) -> str:
    """Columns ``start``..``end`` (1-based, inclusive, as the format is documented)."""
    value = line[start - 1:end]
    if not is_digits(value):
        raise MalformedStatement(name, f"{where} columns {start}-{end}", f"{what} {value!r} is not a number")
    return value


def _ddmmyy(line: str, start: int, name: str, where: str, what: str, required: bool = True) -> date | None:
    value = line[start - 1:start + 5]
    if not required and (not value.strip() or value == "000000"):
        return None
    try:
        if not is_digits(value):
            raise ValueError
        return date(2000 + int(value[4:6]), int(value[2:4]), int(value[0:2]))
    except ValueError:
        raise MalformedStatement(name, f"{where} columns {start}-{start + 5}",
                                 f"{what} {value!r} is not a DDMMYY date") from None


def _header(line: str, name: str, where: str) -> dict:
    _need(line, 114, name, where, "074 header")
    account = _digits(line, 4, 19, name, where, "account number").lstrip("0") or "0"
    sequence = line[105:108].strip() or None
    when = _ddmmyy(line, 109, name, where, "statement date", required=False)
    return {"account": account, "ref": f"{account}/{when.isoformat() if when else ''}/{sequence or ''}",
            "date": when, "sequence": sequence}


def _movement(line: str, name: str, where: str, account: str) -> dict:
    _need(line, 128, name, where, "075 movement")
    halere = int(_digits(line, 49, 60, name, where, "amount"))
    code = line[60]
    if code not in CODES:
        raise MalformedStatement(name, f"{where} column 61", f"accounting code {code!r} is not 1, 2, 4 or 5")
    numeric = line[118:122].strip().lstrip("0")
    if numeric and numeric not in CURRENCIES:
        raise MalformedStatement(name, f"{where} columns 119-122", f"unknown currency code {line[118:122]!r}")
    booked_on = _ddmmyy(line, 123, name, where, "booking date", required=False) or \
        _ddmmyy(line, 92, name, where, "value date")
    ref = line[35:48].strip()
    cp_account = line[19:35].strip().lstrip("0")
    bank_code = line[73:77].strip()
    return {
        "where": where,
        "booked_on": booked_on,
        "amount": (Decimal(halere) / 100 * CODES[code]).quantize(Decimal("0.01")),
        "currency": CURRENCIES.get(numeric, "CZK"),
        "vs": normal_vs(line[61:71]),
        "counterparty": " ".join(line[97:117].split()) or None,
        "counterparty_account": f"{cp_account}/{bank_code}" if cp_account and bank_code.strip("0") else (cp_account or None),
        "message": None,
        "bank_ref": ref if ref.strip("0") else None,
        "account": account,
        "reversal": code in ("4", "5"),
    }
