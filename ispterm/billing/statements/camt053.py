"""ISO 20022 camt.053 (BankToCustomerStatement), versions .001.02 and later, from any bank.

No DTD at all is accepted (defusedxml's policy and exceptions, see ``_dtd_guard``): a statement
never needs one, and refusing it shuts out external entities and entity expansion ("billion
laughs") alike. The file is read in one streaming pass (see :class:`_Reader`), nested at most
:data:`MAX_DEPTH` levels. Each booked credit entry
(or each transaction of a batched entry) becomes an incoming :class:`Entry`; the VS is read
from the structured creditor reference, else from the Czech ``VS:``/``/VS/`` conventions in
the unstructured remittance text or the end-to-end id.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from ispterm.billing.statements.parsed import (
    Entry,
    MalformedStatement,
    ParsedStatement,
    check_count,
    currency_code,
    normal_vs,
    to_amount,
    vs_from_text,
)
from ispterm.billing.statements.source import Source, sniff_encoding

_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.(\d{3})\.001\.(\d{2})$")


# Deepest path ISO 20022 defines in a statement is about 15 elements (..TxDtls/RltdPties/Dbtr/
# Pty/Id/PrvtId/Othr/SchmeNm/Cd); four times that is refused as no statement.
MAX_DEPTH = 64
# Elements one entry (or one header element) may hold: a batch of ~6,000 transactions of ~40
# elements each. The tree holds at most one such element at a time (about 30 MB at the cap).
MAX_ELEMENTS = 250_000
# Statement header elements read for the account, currency, reference, date and sequence.
_HEAD = frozenset(("Id", "ElctrncSeqNb", "LglSeqNb", "CreDtTm", "Acct"))
# Bytes parsed at a time. Small on purpose: the elements one piece builds live until its
# entries are read, and with 64 kB pieces so many outlived the young GC generations that full
# collections (over every entry kept so far) doubled the time of a 110,000-entry file.
_PIECE = 1 << 12
_DECLARED_ENCODING = re.compile(r"""^(<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def parse(data: bytes | Source, name: str) -> ParsedStatement:
    """Read the file a piece at a time: each piece goes through the DTD guard, then the tree
    builder, so no byte the guard has not passed is ever parsed (also if the file changes)."""
    source = _readable(Source.of(data), name)
    guard = _dtd_guard(name)
    pull = XMLPullParser(("start", "end"))
    reader = _Reader(name)
    try:
        with source.open() as stream:
            while chunk := stream.read(_PIECE):
                guard(chunk, False)
                pull.feed(chunk)
                reader.take(pull.read_events())
        guard(b"", True)
        pull.close()
        reader.take(pull.read_events())
    except ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise MalformedStatement(name, f"line {line} column {col + 1}", f"not well-formed XML ({_reason(exc)})") from None
    return reader.result()


class _Reader:
    """Builds the entries from the parser's start and end events: each ``Ntry`` is read when
    it ends and then dropped from the tree, as is every other element at the statement's
    levels, so memory follows one entry and not the file. Header elements are kept until the
    entries begin (the schema puts them first)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.entries: list[Entry] = []
        self.first: tuple | None = None
        self.stmts = 0
        self.ntrys = 0
        self.head: dict[str, list[Element]] = {}
        self.context: tuple[str, str | None, str | None] | None = None  # (path, account, currency)
        self.path: list[str] = []  # local names of the open elements (raw tags below the entries)
        self.opened: list[Element] = []
        self.held = 0  # elements started inside the open entry or header element

    def take(self, events) -> None:
        path, opened, held = self.path, self.opened, self.held
        for event, el in events:
            depth = len(path)
            if event == "start":
                if depth > 3:
                    held += 1
                    if held > MAX_ELEMENTS or depth >= MAX_DEPTH:
                        raise self._too_big(path, depth >= MAX_DEPTH)
                    path.append(el.tag)
                else:
                    held = 0
                    local = _local(el.tag) or ""
                    self._start(depth, local, el, path)
                    path.append(local)
                opened.append(el)
                continue
            opened.pop()
            local = path.pop()
            if depth <= 4:
                self._end(depth - 1, local, el, path, opened)
        self.held = held

    def result(self) -> ParsedStatement:
        if not self.stmts:
            raise MalformedStatement(self.name, "Document/BkToCstmrStmt", "no Stmt element (not a statement)")
        account, ref, when, seq, currency = self.first
        return ParsedStatement("camt053", account, ref, when, seq, currency, self.entries)

    def _start(self, depth: int, local: str, el: Element, path: list[str]) -> None:
        if depth == 0:
            _check_root(el, self.name)
        elif depth == 2 and local == "Stmt" and path[1] == "BkToCstmrStmt":
            self.stmts += 1
            self.ntrys, self.head, self.context = 0, {}, None
        elif depth == 3 and local == "Ntry" and self.context is None and _in_stmt(path):
            self._begin_entries()

    def _end(self, depth: int, local: str, el: Element, path: list[str], opened: list[Element]) -> None:
        """``el`` (``depth`` ancestors) has ended: read it if it is an entry or header, drop it."""
        if depth == 3 and _in_stmt(path):
            if local == "Ntry":
                self.ntrys += 1
                where = f"{self.context[0]}/Ntry[{self.ntrys}]"
                self.entries.extend(_entries(el, where, self.name, self.context[1], self.context[2]))
                check_count(len(self.entries), self.name, where)
            elif local in _HEAD and self.context is None and local not in self.head:
                self.head[local] = [el]
                for sub, found in _flat(el).items():
                    self.head[f"{local}/{sub}"] = found
        elif depth == 2 and local == "Stmt" and path[1] == "BkToCstmrStmt" and self.context is None:
            self._begin_entries()
        if depth >= 1:
            opened[-1].remove(el)

    def _begin_entries(self) -> None:
        path = f"Document/BkToCstmrStmt/Stmt[{self.stmts}]"
        head = self.head
        account = _text(head, "Acct/Id/IBAN") or _text(head, "Acct/Id/Othr/Id")
        currency = _text(head, "Acct/Ccy")
        if self.first is None:
            created = _text(head, "CreDtTm")
            self.first = (account, _text(head, "Id"),
                          _date(created, self.name, f"{path}/CreDtTm") if created else None,
                          _text(head, "LglSeqNb") or _text(head, "ElctrncSeqNb"), currency)
        self.context = (path, account, currency)
        self.head = {}

    def _too_big(self, path: list[str], deep: bool) -> MalformedStatement:
        names = [_local(tag) or "?" for tag in path[:8]]
        if len(names) > 2 and names[1:3] == ["BkToCstmrStmt", "Stmt"]:
            names[2] = f"Stmt[{self.stmts}]"
            if len(names) > 3 and names[3] == "Ntry":
                names[3] = f"Ntry[{self.ntrys + 1}]"
        where = "/".join(names) + ("/..." if len(path) > 8 else "")
        if deep:
            return MalformedStatement(self.name, where, f"elements nested more than {MAX_DEPTH} levels deep "
                                      "(a statement has about 15): refused")
        return MalformedStatement(self.name, where, f"more than {MAX_ELEMENTS:,} elements in one element "
                                  "(an entry has about 40): refused")


def _in_stmt(path: list[str]) -> bool:
    return path[1] == "BkToCstmrStmt" and path[2] == "Stmt"


_LOCAL: dict[str, str] = {}


def _local(tag) -> str | None:
    if not isinstance(tag, str):
        return None  # comments and processing instructions
    local = _LOCAL.get(tag)
    if local is None:
        local = tag[tag.find("}") + 1:]
        if len(_LOCAL) < 4096:  # a file of a million made-up tags must not grow it for good
            _LOCAL[tag] = local
    return local


def _children(el: Element, local: str) -> list[Element]:
    return [child for child in el if _local(child.tag) == local]


def _flat(el: Element, skip: tuple[str, ...] = ()) -> dict[str, list[Element]]:
    """Every descendant by its path of local names ("RltdPties/Dbtr/Nm"), in document order:
    one walk of the subtree with a stack of its own (no recursion, however deep the file),
    then dictionary look-ups (ElementPath with namespaces is slow on 10,000 entries)."""
    out: dict[str, list[Element]] = {}
    stack = [(iter(el), "")]
    while stack:
        children, prefix = stack[-1]
        for child in children:
            local = _LOCAL.get(child.tag) or _local(child.tag)
            if local is None or (not prefix and local in skip):
                continue
            path = prefix + local
            out.setdefault(path, []).append(child)
            stack.append((iter(child), path + "/"))
            break
        else:
            stack.pop()
    return out


def _readable(source: Source, name: str) -> Source:
    """The file as expat can read it: UTF-8 and UTF-16 (with or without a byte order mark) as
    they are, UTF-32 (which expat cannot decode) turned into UTF-8."""
    codec, skip = sniff_encoding(source.head(4))
    if codec is None or not codec.startswith("utf-32"):
        return source
    try:
        text = source.read()[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        raise MalformedStatement(name, "", f"not {codec} text (byte {skip + exc.start})") from None
    return Source(data=_DECLARED_ENCODING.sub(r"\1\2UTF-8\2", text, count=1).encode("utf-8"))


def _check_root(root: Element, name: str) -> None:
    tag = root.tag
    ns = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    local = tag.split("}", 1)[-1]
    found = _NAMESPACE.match(ns)
    if local != "Document" or (ns and not found):
        raise MalformedStatement(name, local, f"not an ISO 20022 camt.053 document (root {local!r}, namespace {ns!r})")
    if found and (found.group(1) != "053" or int(found.group(2)) < 2):
        raise MalformedStatement(name, "Document", f"camt.{found.group(1)}.001.{found.group(2)} is not a "
                                 "camt.053 statement of version .001.02 or later")


def _dtd_guard(name: str):
    """``feed(data, final)``: the defusedxml policy (no DTD, no entity declarations, no external
    references) checked by an expat parser without Python callbacks per element, so the tree
    is still built by the C parser: together three times faster than defusedxml's Python
    tree builder. It is fed each piece before the tree builder is."""
    from xml.parsers import expat

    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

    def doctype(name_, sysid, pubid, has_internal):
        raise DTDForbidden(name_, sysid, pubid)

    def entity(name_, *args):
        raise EntitiesForbidden(name_, None, None, None, None, None)

    def external(context, base, sysid, pubid):
        raise ExternalReferenceForbidden(context, base, sysid, pubid)

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external

    def feed(data: bytes, final: bool) -> None:
        try:
            parser.Parse(data, final)
        except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
            raise MalformedStatement(name, f"line {parser.CurrentLineNumber}",
                                     f"refused: the XML declares a DTD or entities ({type(exc).__name__}); "
                                     "a bank statement never needs them") from None
        except expat.ExpatError as exc:
            raise MalformedStatement(name, f"line {exc.lineno} column {exc.offset + 1}",
                                     f"not well-formed XML ({expat.errors.messages.get(exc.code, exc)})") from None
        except LookupError as exc:  # the XML declaration names an encoding Python does not know
            raise MalformedStatement(name, "line 1", f"the XML declares an {exc}") from None

    return feed


def _reason(exc: ParseError) -> str:
    return str(exc).split(":", 1)[0]


def _text(flat: dict[str, list[Element]], path: str) -> str | None:
    found = flat.get(path)
    if not found or found[0].text is None:
        return None
    return found[0].text.strip() or None


def _texts(flat: dict[str, list[Element]], path: str) -> list[str]:
    return [el.text.strip() for el in flat.get(path, ()) if el.text and el.text.strip()]


def _date(text: str | None, name: str, where: str) -> date:
    # ISODate, ISODateTime, and dates with a zone such as "2017-04-01+02:00".
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        raise MalformedStatement(name, where, f"date {text!r} is not an ISO date") from None


def _amount(els: list[Element] | None, name: str, where: str) -> tuple[Decimal, str | None]:
    if not els or els[0].text is None:
        raise MalformedStatement(name, where, "amount is missing")
    return to_amount(els[0].text, name, where), els[0].get("Ccy")


def _entries(ntry: Element, where: str, name: str, account: str | None, currency: str | None) -> list[Entry]:
    flat = _flat(ntry, skip=("NtryDtls",))
    indicator = _text(flat, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise MalformedStatement(name, f"{where}/CdtDbtInd", f"must be CRDT or DBIT, not {indicator!r}")
    amount, ccy = _amount(flat.get("Amt"), name, f"{where}/Amt")
    if amount < 0:
        raise MalformedStatement(name, f"{where}/Amt", "amounts are unsigned; CdtDbtInd gives the direction")
    status = _text(flat, "Sts/Cd") or _text(flat, "Sts")
    booked = status in (None, "BOOK")
    reversal = (_text(flat, "RvslInd") or "false").lower() == "true"
    booking = (_text(flat, "BookgDt/Dt") or _text(flat, "BookgDt/DtTm") or _text(flat, "ValDt/Dt")
               or _text(flat, "ValDt/DtTm"))
    if booking is None:
        raise MalformedStatement(name, f"{where}/BookgDt", "booking date is missing")
    booked_on = _date(booking, name, f"{where}/BookgDt")
    sign = 1 if indicator == "CRDT" else -1
    ccy = ccy or currency
    if not ccy:
        raise MalformedStatement(name, f"{where}/Amt", "currency (Ccy) is missing")
    ccy = currency_code(ccy, name, f"{where}/Amt")
    entry_ref = _text(flat, "AcctSvcrRef") or _text(flat, "NtryRef")
    details = [_flat(tx) for d in _children(ntry, "NtryDtls") for tx in _children(d, "TxDtls")]
    common = {"booked": booked, "reversal": reversal, "account": account, "booked_on": booked_on}
    if len(details) <= 1:
        tx = details[0] if details else None
        ref = entry_ref or (_text(tx, "Refs/AcctSvcrRef") if tx is not None else None)
        return [_entry(tx, flat, where, sign * amount, ccy, ref, common)]
    if not all(tx.get("Amt") or tx.get("AmtDtls/TxAmt/Amt") for tx in details):
        # A batch booked without the parts' amounts cannot be split: one payment for an operator.
        whole = _entry(None, flat, where, sign * amount, ccy, entry_ref, common)
        return [replace(whole, message=f"batch of {len(details)} transactions: {whole.message or ''}".strip(": "))]
    out = []
    total = Decimal("0.00")
    for ti, tx in enumerate(details, 1):
        tx_where = f"{where}/NtryDtls/TxDtls[{ti}]"
        tx_amount, tx_ccy = _amount(tx.get("Amt") or tx.get("AmtDtls/TxAmt/Amt"), name, f"{tx_where}/Amt")
        tx_ccy = currency_code(tx_ccy, name, f"{tx_where}/Amt") if tx_ccy else None
        tx_sign = {"CRDT": 1, "DBIT": -1}.get(_text(tx, "CdtDbtInd") or indicator, sign)
        total += tx_sign * tx_amount
        ref = _text(tx, "Refs/AcctSvcrRef") or (f"{entry_ref}/{ti}" if entry_ref else None)
        out.append(_entry(tx, flat, tx_where, tx_sign * tx_amount, tx_ccy or ccy, ref, common))
    if total != sign * amount:
        raise MalformedStatement(name, f"{where}/Amt", f"the transactions add up to {total}, the entry says {sign * amount}")
    return out


def _entry(tx: dict | None, ntry: dict, where: str, amount: Decimal, ccy: str, ref: str | None,
           common: dict) -> Entry:
    incoming = amount > 0
    party, party_acct = ("Dbtr", "DbtrAcct") if incoming else ("Cdtr", "CdtrAcct")
    counterparty = cp_account = message = vs = None
    if tx is not None:
        counterparty = (_text(tx, f"RltdPties/{party}/Nm") or _text(tx, f"RltdPties/{party}/Pty/Nm")
                        or _text(tx, f"RltdPties/Ultmt{party}/Nm"))
        cp_account = _text(tx, f"RltdPties/{party_acct}/Id/IBAN") or _text(tx, f"RltdPties/{party_acct}/Id/Othr/Id")
        ustrd = _texts(tx, "RmtInf/Ustrd")
        message = " ".join(ustrd) or _text(tx, "AddtlTxInf")
        for value in _texts(tx, "RmtInf/Strd/CdtrRefInf/Ref"):
            vs = normal_vs(value) or vs_from_text(value)
            if vs:
                break
        vs = vs or vs_from_text(" ".join(ustrd)) or vs_from_text(_text(tx, "Refs/EndToEndId"))
    extra = _text(ntry, "AddtlNtryInf")
    return Entry(where=where, amount=amount, currency=ccy, vs=vs or vs_from_text(extra),
                 counterparty=counterparty, counterparty_account=cp_account, message=message or extra,
                 bank_ref=ref, **common)
