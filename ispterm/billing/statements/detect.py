"""Which parser reads a file: given by the operator, else recognised from its first bytes.

The encoding is found first (a byte order mark, a UTF-16 XML declaration), so a camt.053 saved
as UTF-16 is still XML and not taken for a CSV file.
"""

from __future__ import annotations

from ispterm.billing.statements import camt053, csvfile, gpc
from ispterm.billing.statements.parsed import MalformedStatement, ParsedStatement
from ispterm.billing.statements.source import Source, head_text
from ispterm.errors import ValidationError

FORMATS = ("camt053", "gpc", "csv")


def detect(data: bytes | Source) -> str:
    head = head_text(Source.of(data), 4096).lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        return "camt053"
    first = head.split("\n", 1)[0].rstrip("\r")
    if first.startswith("074") and len(first) >= 100:
        return "gpc"
    return "csv"


def csv_preset_for(data: bytes | Source) -> str:
    """The preset whose header names the file's columns (Fio's export, else the generic one)."""
    text = head_text(Source.of(data))
    for name, spec in csvfile.PRESETS.items():
        wanted = [spec.columns[k].split("|") for k in csvfile.REQUIRED]
        for line in text.splitlines()[:40]:
            cells = [c.strip().strip('"') for c in line.split(spec.delimiter)]
            if all(any(w in cells for w in names) for names in wanted):
                return name
    return "generic"


def check_format(fmt: str | None) -> str | None:
    """The format the operator named, in its canonical spelling; None leaves it to ``detect``.
    Checked before anything else is done with the file (an empty or unknown name too)."""
    if fmt is None:
        return None
    key = fmt.strip().lower().replace(".", "").replace("-", "")
    key = "gpc" if key == "abo" else key
    if key not in FORMATS:
        raise ValidationError("format", f"unknown statement format {fmt[:40]!r}; choose one of "
                                        f"{', '.join(FORMATS)} (or leave it out to detect it)")
    return key


def parse(data: bytes | Source, name: str, fmt: str | None = None, csv_layout: csvfile.CsvLayout | None = None,
          ) -> ParsedStatement:
    source = Source.of(data)
    fmt = check_format(fmt) or detect(source)
    if source.blank():
        raise MalformedStatement(name, "", "the file is empty")
    if fmt == "camt053":
        return camt053.parse(source, name)
    if fmt == "gpc":
        return gpc.parse(source, name)
    return csvfile.parse(source, name, csv_layout or csvfile.layout(csv_preset_for(source)))
