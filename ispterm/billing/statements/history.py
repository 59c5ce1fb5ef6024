"""The list of imported statements (who imported which file when, and what it held)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import select

from ispterm.billing.statements.model import BankStatement
from ispterm.context import Ctx


@dataclass(frozen=True)
class StatementRow:
    id: int
    file_name: str
    format: str
    account: str | None
    statement_ref: str | None
    imported_at: datetime
    imported_by: str
    entries: int
    imported: int
    duplicates: int
    outgoing: int
    matched: int
    unmatched: int
    total: Decimal


def imported_statements(ctx: Ctx, *, limit: int = 50) -> list[StatementRow]:
    with ctx.read() as s:
        rows = s.exec(select(BankStatement).order_by(BankStatement.imported_at.desc(), BankStatement.id.desc())
                      .limit(limit)).all()
        return [StatementRow(r.id, r.file_name, r.format, r.account, r.statement_ref, r.imported_at,
                             r.imported_by, r.entries, r.imported, r.duplicates, r.outgoing, r.matched,
                             r.unmatched, r.total) for r in rows]
