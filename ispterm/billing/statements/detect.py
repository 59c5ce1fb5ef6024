"""Which parser reads a file: given by the operator, else recognised from its first bytes."""

from __future__ import annotations

from ispterm.billing.statements import camt053, csvfile, gpc
from ispterm.billing.statements.parsed import MalformedStatement, ParsedStatement
from ispterm.errors import ValidationError

FORMATS = ("camt053", "gpc", "csv")


def detect(data: bytes) -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "camt053"
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if first.startswith(b"074") and len(first) >= 100:
        return "gpc"
    return "csv"


def csv_preset_for(data: bytes) -> str:
    """The preset whose header names the file's columns (Fio's export, else the generic one)."""
    text = csvfile.decode(data[:8192], "auto", "")
    for name, spec in csvfile.PRESETS.items():
        wanted = [spec.columns[k].split("|") for k in csvfile.REQUIRED]
        for line in text.splitlines()[:40]:
            cells = [c.strip().strip('"') for c in line.split(spec.delimiter)]
            if all(any(w in cells for w in names) for names in wanted):
                return name
    return "generic"


def parse(data: bytes, name: str, fmt: str | None = None, csv_layout: csvfile.CsvLayout | None = None,
          ) -> ParsedStatement:
    fmt = (fmt or detect(data)).lower().replace(".", "").replace("-", "")
    if fmt in ("abo", "gpc"):
        fmt = "gpc"
    if fmt not in FORMATS:
        raise ValidationError("format", f"unknown statement format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not data.strip():
        raise MalformedStatement(name, "", "the file is empty")
    if fmt == "camt053":
        return camt053.parse(data, name)
    if fmt == "gpc":
        return gpc.parse(data, name)
    return csvfile.parse(data, name, csv_layout or csvfile.layout(csv_preset_for(data)))
