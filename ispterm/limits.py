"""Bounds the whole program shares (stdlib only: the CLI imports this before anything heavy)."""

from __future__ import annotations

# The largest value a database integer holds (SQLite and PostgreSQL bigint alike).
MAX_INTEGER = 2**63 - 1

__all__ = ["MAX_INTEGER"]
