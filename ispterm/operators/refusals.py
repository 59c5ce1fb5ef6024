"""Why a login may not work here: one wording for the services and the pre-UI check.

Light on purpose (no SQLAlchemy): ``ispterm open`` checks the operator through the bare
driver before the terminal is taken over, and must say exactly what the services say.
"""

from __future__ import annotations

from ispterm.errors import NotFound, PermissionDenied


def unknown_operator(login: str) -> NotFound:
    return NotFound(f"operator {login!r} is not known to this database; "
                    f"an admin can add it with 'ispterm operator add {login} --role support'")


def deactivated_operator(login: str) -> PermissionDenied:
    return PermissionDenied(f"operator {login!r} is deactivated")
