"""Operator accounts (OPS-1): who may act, and the first master admin made by init."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from ispterm.context import SYSTEM, Actor, Ctx
from ispterm.errors import NotFound, PermissionDenied, ValidationError
from ispterm.operators.model import Operator
from ispterm.operators.refusals import deactivated_operator, unknown_operator
from ispterm.operators.roles import OPERATOR_MANAGE, normalise_role
from ispterm.store.rows import saved_id

LOGIN_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}")


@dataclass(frozen=True)
class OperatorView:
    id: int
    login: str
    name: str
    email: str | None
    role: str
    active: bool


def _view(op: Operator) -> OperatorView:
    return OperatorView(saved_id(op.id), op.login, op.name, op.email, op.role, op.active)


def check_login(login: str) -> str:
    login = (login or "").strip()
    if not LOGIN_RE.fullmatch(login):
        raise ValidationError("login", f"{login!r} is not a valid login (letters, digits, . _ - @)")
    return login


def actor_for(session: Session, login: str) -> Actor:
    op = session.exec(select(Operator).where(Operator.login == login)).first()
    if op is None:
        raise unknown_operator(login)
    if not op.active:
        raise deactivated_operator(login)
    return Actor(id=op.id, login=op.login, role=op.role, name=op.name)


def ensure_first_operator(session: Session, login: str) -> Actor | None:
    """Make ``login`` master admin when the database has no operator yet (ispterm init)."""
    if session.exec(select(Operator.id)).first() is not None:
        return None
    login = check_login(login)
    session.info["actor"] = SYSTEM
    session.info["audit"] = True
    op = Operator(login=login, name=login, role="master_admin")
    session.add(op)
    session.flush()
    return Actor(id=op.id, login=op.login, role=op.role, name=op.name)


def add_operator(ctx: Ctx, login: str, role: str, *, name: str = "", email: str | None = None) -> OperatorView:
    from ispterm import validation

    ctx.require(OPERATOR_MANAGE)
    login = check_login(login)
    role = normalise_role(role)
    if role == "master_admin" and ctx.actor.role != "master_admin":
        raise PermissionDenied(f"operator {ctx.actor.login} (admin) may not create master admins")
    email = validation.email(email, field="email") if email else None
    with ctx.write() as s:
        if s.exec(select(Operator).where(Operator.login == login)).first():
            raise ValidationError("login", f"operator {login!r} exists already")
        op = Operator(login=login, name=name or login, role=role, email=email)
        s.add(op)
        s.flush()
        return _view(op)


def set_role(ctx: Ctx, login: str, role: str) -> OperatorView:
    ctx.require(OPERATOR_MANAGE)
    role = normalise_role(role)
    with ctx.write() as s:
        op = s.exec(select(Operator).where(Operator.login == login)).first()
        if op is None:
            raise NotFound(f"operator {login!r} does not exist")
        if "master_admin" in (role, op.role) and ctx.actor.role != "master_admin":
            raise PermissionDenied(f"operator {ctx.actor.login} (admin) may not change master admins")
        if op.role == "master_admin" and role != "master_admin":
            others = s.exec(select(Operator.id).where(Operator.role == "master_admin",
                                                       Operator.active, Operator.id != op.id)).first()
            if others is None:
                raise ValidationError("role", "the last master admin cannot be demoted")
        op.role = role
        s.flush()
        return _view(op)


def list_operators(ctx: Ctx) -> list[OperatorView]:
    with ctx.read() as s:
        return [_view(op) for op in s.exec(select(Operator).order_by(Operator.login))]
