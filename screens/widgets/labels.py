"""What an operator calls a field: services name fields by their internal names (``due_on``,
``received_on``, ``line2``); the app shows the label the operator sees instead.

The customer fields' labels come from their table (``ispterm.customers.fields``); a form passes
its own labels first; anything else is spelt out (``received_on`` -> "Received on").
"""

from __future__ import annotations

import re

COMMON = {
    "due": "Due date", "due_on": "Due date", "issued_on": "Issue date", "received_on": "Received on",
    "date_from": "From", "date_to": "To", "vs": "VS", "to": "To", "sender": "Sender",
    "subject": "Subject", "body": "Text", "html": "Text", "attach": "Attachment",
    "template": "Template", "text": "Text", "customer": "Customer number", "file": "File",
    "lines": "Lines", "ico": "IČO", "dic": "DIČ", "iban": "IBAN", "bic": "BIC",
}


def field_label(name: str, known: dict[str, str] | None = None) -> str:
    if known and name in known:
        return known[name]
    if name in COMMON:
        return COMMON[name]
    from ispterm.customers.fields import FIELDS

    if name in FIELDS:
        return FIELDS[name].label
    line = re.fullmatch(r"line(\d+)", name)
    if line:
        return f"Line {line.group(1)}"
    words = name.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def error_text(error: Exception, known: dict[str, str] | None = None) -> str:
    """A service error as the operator should read it: a ValidationError with its field's label."""
    from ispterm.errors import ValidationError

    if isinstance(error, ValidationError):
        return f"{field_label(error.field, known)}: {error.why}"
    return str(error)


__all__ = ["error_text", "field_label"]
