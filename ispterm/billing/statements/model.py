"""One imported bank statement file: where it came from, who imported it, what it held.

``file_hash`` (SHA-256 of the bytes) makes a second import of the same file a no-op; the
payments carry ``statement_id`` and their own unique ``bank_ref`` so an overlapping
statement adds only the movements not seen before.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ispterm.store.base import Field, SQLModel, money_field, time_field


class BankStatement(SQLModel, table=True):
    __tablename__ = "bank_statement"

    id: int | None = Field(default=None, primary_key=True)
    format: str = Field(max_length=16)
    file_name: str = Field(max_length=255)
    file_hash: str = Field(max_length=64, unique=True)
    account: str | None = Field(default=None, max_length=64)
    statement_ref: str | None = Field(default=None, max_length=100)
    statement_date: date | None = Field(default=None)
    sequence: str | None = Field(default=None, max_length=35)
    currency: str | None = Field(default=None, max_length=3)
    imported_at: datetime = time_field()
    imported_by: str = Field(max_length=64)
    # Counts of the file's movements: every line is one of imported, duplicate, outgoing, other.
    entries: int = Field(default=0)
    imported: int = Field(default=0)
    duplicates: int = Field(default=0)
    outgoing: int = Field(default=0)
    other: int = Field(default=0)
    matched: int = Field(default=0)
    unmatched: int = Field(default=0)
    total: Decimal = money_field()
