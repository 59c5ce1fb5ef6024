"""Bank CSV exports with configurable columns, and presets for the common layouts.

A :class:`CsvLayout` says which column holds what (by header name, names separated by ``|`` when
exports differ, or 1-based number), the
delimiter, decimal comma or point, encoding and date format. Rows before the header row (Fio
puts ``accountId;...`` lines there) are read as ``key;value`` statement details. Only rows
with a positive amount are payments; the importer counts the others as outgoing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from ispterm.billing.statements.parsed import (
    NUL_TEXT,
    Entry,
    MalformedStatement,
    ParsedStatement,
    check_count,
    currency_code,
    is_digits,
    normal_vs,
    shown,
    to_amount,
    vs_from_text,
)
from ispterm.billing.statements.source import Source, sniff_encoding, text_stream
from ispterm.errors import ValidationError

FIELDS = ("date", "amount", "currency", "vs", "counterparty", "account", "bank_code", "message", "reference")
REQUIRED = ("date", "amount")


@dataclass(frozen=True)
class CsvLayout:
    columns: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    decimal_comma: bool = False
    encoding: str = "auto"  # utf-8 (with or without BOM), else Windows-1250
    date_format: str = "%Y-%m-%d"
    currency: str = "CZK"  # when the file has no currency column


PRESETS: dict[str, CsvLayout] = {
    # Fio banka: internet banking "Pohyby na účtu" CSV export and the API's CSV.
    "fio": CsvLayout(
        columns={"date": "Datum", "amount": "Objem", "currency": "Měna", "vs": "VS",
                 "counterparty": "Název protiúčtu", "account": "Protiúčet", "bank_code": "Kód banky",
                 "message": "Zpráva pro příjemce", "reference": "ID pohybu|ID operace"},
        delimiter=";", decimal_comma=True, date_format="%d.%m.%Y"),
    # The layout ispterm documents for banks without a preset (and writes in its tests).
    "generic": CsvLayout(
        columns={f: f for f in FIELDS}, delimiter=",", decimal_comma=False, date_format="%Y-%m-%d"),
}


def layout(preset: str | None = None, *, columns: dict[str, str] | None = None, delimiter: str | None = None,
           decimal_comma: bool | None = None, encoding: str | None = None,
           date_format: str | None = None) -> CsvLayout:
    """A preset with any of its settings overridden (``--csv-column date=Datum`` and friends)."""
    name = (preset or "generic").lower()
    if name not in PRESETS:
        raise ValidationError("csv-preset", f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    base = PRESETS[name]
    cols = dict(base.columns)
    for key, value in (columns or {}).items():
        if key not in FIELDS:
            raise ValidationError("csv-column", f"unknown field {key!r}; fields are {', '.join(FIELDS)}")
        if value:
            cols[key] = value
        else:
            cols.pop(key, None)
    missing = [k for k in REQUIRED if k not in cols]
    if missing:
        raise ValidationError("csv-column", f"the {' and '.join(missing)} column is needed")
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ","}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            raise ValidationError("csv-delimiter", f"must be one character, got {delimiter!r}")
    if encoding is not None and encoding != "auto":
        try:
            "".encode(encoding)
        except LookupError:
            raise ValidationError("csv-encoding", f"unknown encoding {encoding!r}") from None
    if date_format is not None:
        # A fixed probe day, not today: on 29 February a format without the year ("%d.%m.")
        # would not read back (strptime takes 1900, not a leap year) and be refused that day only.
        try:
            datetime.strptime(date(2026, 12, 31).strftime(date_format), date_format)
        except ValueError:
            raise ValidationError("csv-date-format", f"{date_format!r} is not a strftime date format") from None
    return replace(base, columns=cols,
                   delimiter=delimiter if delimiter is not None else base.delimiter,
                   decimal_comma=base.decimal_comma if decimal_comma is None else decimal_comma,
                   encoding=encoding or base.encoding, date_format=date_format or base.date_format)


def parse(data: bytes | Source, name: str, spec: CsvLayout) -> ParsedStatement:
    """The rows as entries, read as a stream of text: the file is never held whole as text."""
    source = Source.of(data)
    head = source.head(4096)
    if spec.encoding == "auto" and sniff_encoding(head)[0] is None and b"\x00" in head:
        # Text never holds NUL; UTF-16 without its byte order mark does, in every other byte.
        raise MalformedStatement(name, "", "the file has NUL bytes: UTF-16 text without a byte order mark? "
                                 "give --csv-encoding utf-16-le (or utf-16-be)")
    with text_stream(source, spec.encoding, name) as text:
        return _parse(csv.reader(text, delimiter=spec.delimiter), name, spec)


def _parse(reader, name: str, spec: CsvLayout) -> ParsedStatement:
    details: dict[str, str] = {}
    numbered = all(is_digits(spec.columns[k]) for k in REQUIRED)
    index = {k: int(v) - 1 for k, v in spec.columns.items() if is_digits(v)} if numbered else None
    started = False
    entries: list[Entry] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if any("\x00" in cell for cell in row):
                raise MalformedStatement(name, f"line {line}", NUL_TEXT)
            if not started:
                if numbered:
                    started = _is_date(_cell(row, index, "date"), spec)
                else:
                    found = _header(row, spec)
                    if found is not None:
                        index, started = found, True
                        continue
                if not started:
                    # Rows before the data: Fio's "accountId;2900..." statement details.
                    if len(row) >= 2 and row[0].strip():
                        details[row[0].strip().lstrip("\ufeff")] = row[1].strip()
                    continue
            entries.append(_row(row, index, spec, name, f"line {line}", details))
            check_count(len(entries), name, f"line {line}")
    except csv.Error as exc:
        raise MalformedStatement(name, f"line {reader.line_num}", f"bad CSV ({exc})") from None
    if not started and not numbered:
        wanted = ", ".join(f"{k}={spec.columns[k]!r}" for k in REQUIRED)
        raise MalformedStatement(name, "", f"no header row with the columns {wanted} "
                                 f"(delimiter {spec.delimiter!r}); choose --csv-preset or --csv-column")
    account = details.get("iban") or details.get("accountId")
    if account and details.get("bankId") and not details.get("iban"):
        account = f"{account}/{details['bankId']}"
    period = "/".join(filter(None, [details.get("dateStart"), details.get("dateEnd")])) or None
    ref = details.get("idList") and f"{details.get('yearList', '')}/{details['idList']}"
    return ParsedStatement("csv", account, ref or period, None, details.get("idList"),
                           details.get("currency"), entries)


def _is_date(text: str | None, spec: CsvLayout) -> bool:
    try:
        datetime.strptime(text or "", spec.date_format)
        return True
    except ValueError:
        return False


def _header(row: list[str], spec: CsvLayout) -> dict[str, int] | None:
    """Column positions when ``row`` is the header row (it names the date and amount columns)."""
    names = [cell.strip().lstrip("\ufeff") for cell in row]

    def position(column: str) -> int | None:
        if is_digits(column):
            return int(column) - 1
        for name in column.split("|"):
            if name in names:
                return names.index(name)
        return None

    index = {key: at for key, at in ((k, position(c)) for k, c in spec.columns.items()) if at is not None}
    return index if all(k in index for k in REQUIRED) else None


def _cell(row: list[str], index: dict[str, int], key: str) -> str | None:
    at = index.get(key)
    if at is None or at >= len(row):
        return None
    return row[at].strip() or None


def _row(row: list[str], index: dict[str, int], spec: CsvLayout, name: str, where: str,
         details: dict[str, str]) -> Entry:
    raw_date = _cell(row, index, "date")
    if raw_date is None:
        raise MalformedStatement(name, where, "the date is empty")
    try:
        booked_on = datetime.strptime(raw_date, spec.date_format).date()
    except ValueError:
        raise MalformedStatement(name, where, f"date {shown(raw_date)} does not match {spec.date_format!r}") from None
    raw_amount = _cell(row, index, "amount")
    if raw_amount is None:
        raise MalformedStatement(name, where, "the amount is empty")
    amount_text = raw_amount.replace("\u00a0", "").replace(" ", "").replace("'", "")
    if spec.decimal_comma:
        amount_text = amount_text.replace(".", "").replace(",", ".")
    elif "," in amount_text and "." in amount_text:
        amount_text = amount_text.replace(",", "")
    amount = to_amount(amount_text, name, where, raw=raw_amount)
    currency = currency_code(_cell(row, index, "currency") or details.get("currency") or spec.currency, name, where)
    raw_vs = _cell(row, index, "vs")
    vs = normal_vs(raw_vs)
    if raw_vs and vs is None and raw_vs.strip("0"):
        raise MalformedStatement(name, where, f"VS {shown(raw_vs)} is not up to 10 digits")
    message = _cell(row, index, "message")
    account = _cell(row, index, "account")
    bank_code = _cell(row, index, "bank_code")
    return Entry(where=where, booked_on=booked_on, amount=amount, currency=currency,
                 vs=vs or vs_from_text(message), counterparty=_cell(row, index, "counterparty"),
                 counterparty_account=f"{account}/{bank_code}" if account and bank_code else account,
                 message=message, bank_ref=_cell(row, index, "reference"),
                 account=details.get("iban") or details.get("accountId"))
