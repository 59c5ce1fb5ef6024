"""ISO 20022 camt.053 (BankToCustomerStatement), versions .001.02 and later, from any bank.

Parsed with defusedxml and no DTD at all: a statement never needs one, and refusing it shuts
out external entities and entity expansion ("billion laughs") alike. Each booked credit entry
(or each transaction of a batched entry) becomes an incoming :class:`Entry`; the VS is read
from the structured creditor reference, else from the Czech ``VS:``/``/VS/`` conventions in
the unstructured remittance text or the end-to-end id.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError

from ispterm.billing.statements.parsed import (
    Entry,
    MalformedStatement,
    ParsedStatement,
    normal_vs,
    to_amount,
    vs_from_text,
)

_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.(\d{3})\.001\.(\d{2})$")


def parse(data: bytes, name: str) -> ParsedStatement:
    root = _load(data, name)
    stmts = root.findall("BkToCstmrStmt/Stmt")
    if not stmts:
        raise MalformedStatement(name, "Document/BkToCstmrStmt", "no Stmt element (not a statement)")
    entries: list[Entry] = []
    first = None
    for si, stmt in enumerate(stmts, 1):
        path = f"Document/BkToCstmrStmt/Stmt[{si}]"
        account = _text(stmt, "Acct/Id/IBAN") or _text(stmt, "Acct/Id/Othr/Id")
        currency = _text(stmt, "Acct/Ccy")
        if first is None:
            created = _text(stmt, "CreDtTm")
            first = (account, _text(stmt, "Id"), _date(created, name, f"{path}/CreDtTm") if created else None,
                     _text(stmt, "LglSeqNb") or _text(stmt, "ElctrncSeqNb"), currency)
        for ni, ntry in enumerate(stmt.findall("Ntry"), 1):
            entries.extend(_entries(ntry, f"{path}/Ntry[{ni}]", name, account, currency))
    account, ref, when, seq, currency = first
    return ParsedStatement("camt053", account, ref, when, seq, currency, entries)


def _load(data: bytes, name: str) -> Element:
    import defusedxml
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise MalformedStatement(name, "", f"refused: the XML declares a DTD or entities ({type(exc).__name__}); "
                                 "a bank statement never needs them") from None
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise MalformedStatement(name, f"line {line} column {col + 1}", f"not well-formed XML ({_reason(exc)})") from None
    tag = root.tag
    ns = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    local = tag.split("}", 1)[-1]
    found = _NAMESPACE.match(ns)
    if local != "Document" or (ns and not found):
        raise MalformedStatement(name, local, f"not an ISO 20022 camt.053 document (root {local!r}, namespace {ns!r})")
    if found and (found.group(1) != "053" or int(found.group(2)) < 2):
        raise MalformedStatement(name, "Document", f"camt.{found.group(1)}.001.{found.group(2)} is not a "
                                 "camt.053 statement of version .001.02 or later")
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]
    return root


def _reason(exc: ParseError) -> str:
    return str(exc).split(":", 1)[0]


def _text(el: Element, path: str) -> str | None:
    found = el.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _date(text: str | None, name: str, where: str) -> date:
    # ISODate, ISODateTime, and dates with a zone such as "2017-04-01+02:00".
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        raise MalformedStatement(name, where, f"date {text!r} is not an ISO date") from None


def _amount(el: Element | None, name: str, where: str) -> tuple[Decimal, str | None]:
    if el is None or el.text is None:
        raise MalformedStatement(name, where, "amount is missing")
    return to_amount(el.text, name, where), el.get("Ccy")


def _entries(ntry: Element, where: str, name: str, account: str | None, currency: str | None) -> list[Entry]:
    indicator = _text(ntry, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise MalformedStatement(name, f"{where}/CdtDbtInd", f"must be CRDT or DBIT, not {indicator!r}")
    amount, ccy = _amount(ntry.find("Amt"), name, f"{where}/Amt")
    if amount < 0:
        raise MalformedStatement(name, f"{where}/Amt", "amounts are unsigned; CdtDbtInd gives the direction")
    status = _text(ntry, "Sts/Cd") or _text(ntry, "Sts")
    booked = status in (None, "BOOK")
    reversal = (_text(ntry, "RvslInd") or "false").lower() == "true"
    booking = _text(ntry, "BookgDt/Dt") or _text(ntry, "BookgDt/DtTm") or _text(ntry, "ValDt/Dt") or _text(ntry, "ValDt/DtTm")
    if booking is None:
        raise MalformedStatement(name, f"{where}/BookgDt", "booking date is missing")
    booked_on = _date(booking, name, f"{where}/BookgDt")
    sign = 1 if indicator == "CRDT" else -1
    ccy = ccy or currency
    if not ccy:
        raise MalformedStatement(name, f"{where}/Amt", "currency (Ccy) is missing")
    entry_ref = _text(ntry, "AcctSvcrRef") or _text(ntry, "NtryRef")
    details = ntry.findall("NtryDtls/TxDtls") + ntry.findall("NtryDtls/Btch/TxDtls")
    common = {"booked": booked, "reversal": reversal, "account": account, "booked_on": booked_on}
    if len(details) <= 1:
        tx = details[0] if details else None
        ref = (_text(tx, "Refs/AcctSvcrRef") if tx is not None and entry_ref is None else None) or entry_ref
        return [_entry(tx, ntry, where, sign * amount, ccy, ref, common)]
    out = []
    total = Decimal("0.00")
    for ti, tx in enumerate(details, 1):
        tx_where = f"{where}/NtryDtls/TxDtls[{ti}]"
        amt_el = tx.find("Amt")
        if amt_el is None:
            amt_el = tx.find("AmtDtls/TxAmt/Amt")
        tx_amount, tx_ccy = _amount(amt_el, name, f"{tx_where}/Amt")
        tx_sign = {"CRDT": 1, "DBIT": -1}.get(_text(tx, "CdtDbtInd") or indicator, sign)
        total += tx_sign * tx_amount
        ref = _text(tx, "Refs/AcctSvcrRef") or (f"{entry_ref}/{ti}" if entry_ref else None)
        out.append(_entry(tx, ntry, tx_where, tx_sign * tx_amount, tx_ccy or ccy, ref, common))
    if total != sign * amount:
        raise MalformedStatement(name, f"{where}/Amt", f"the transactions add up to {total}, the entry says {sign * amount}")
    return out


def _entry(tx: Element | None, ntry: Element, where: str, amount: Decimal, ccy: str,
           ref: str | None, common: dict) -> Entry:
    incoming = amount > 0
    party, party_acct = ("Dbtr", "DbtrAcct") if incoming else ("Cdtr", "CdtrAcct")
    counterparty = cp_account = message = vs = None
    if tx is not None:
        counterparty = (_text(tx, f"RltdPties/{party}/Nm") or _text(tx, f"RltdPties/{party}/Pty/Nm")
                        or _text(tx, f"RltdPties/Ultmt{party}/Nm"))
        cp_account = _text(tx, f"RltdPties/{party_acct}/Id/IBAN") or _text(tx, f"RltdPties/{party_acct}/Id/Othr/Id")
        ustrd = [el.text.strip() for el in tx.findall("RmtInf/Ustrd") if el.text and el.text.strip()]
        message = " ".join(ustrd) or _text(tx, "AddtlTxInf")
        structured = [el.text.strip() for el in tx.findall("RmtInf/Strd/CdtrRefInf/Ref") if el.text]
        for value in structured:
            vs = normal_vs(value) or vs_from_text(value)
            if vs:
                break
        vs = vs or vs_from_text(" ".join(ustrd)) or vs_from_text(_text(tx, "Refs/EndToEndId"))
    message = message or _text(ntry, "AddtlNtryInf")
    vs = vs or vs_from_text(_text(ntry, "AddtlNtryInf"))
    return Entry(where=where, amount=amount, currency=ccy, vs=vs, counterparty=counterparty,
                 counterparty_account=cp_account, message=message, bank_ref=ref, **common)
