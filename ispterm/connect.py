"""From CLI options, environment and config to a ready Ctx (the order is the contract).

Database URL: ``--db``, then ``ISPTERM_DB``, then ``database.url`` in the config, then the
SQLite file in the user data dir. Operator: ``--operator``, ``ISPTERM_OPERATOR``,
``operator.login`` in the config, then the login name on this machine.
"""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING

from ispterm.config import Config, default_sqlite_url
from ispterm.context import Ctx

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def resolve_url(explicit: str | None, config: Config) -> str:
    return explicit or os.environ.get("ISPTERM_DB") or config.database.url or default_sqlite_url()


def resolve_login(explicit: str | None, config: Config) -> str:
    if explicit:
        return explicit
    if os.environ.get("ISPTERM_OPERATOR"):
        return os.environ["ISPTERM_OPERATOR"]
    if config.operator.login:
        return config.operator.login
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per database URL for the life of the process."""
    from ispterm.store.engine import check_reachable, make_engine
    from ispterm.store.migrate import require_current

    if url not in _ENGINES:
        engine = make_engine(url)
        try:
            check_reachable(engine)
            require_current(engine)
        except BaseException:
            engine.dispose()
            raise
        _ENGINES[url] = engine
    return _ENGINES[url]


def dispose_engines() -> None:
    while _ENGINES:
        _ENGINES.popitem()[1].dispose()


def open_ctx(url: str, login: str, *, readonly: bool = False, config: Config | None = None) -> Ctx:
    """Connect to an initialised database at the current schema, acting as ``login``
    (``config``: the caller's, for the services that check this machine's setup)."""
    from ispterm.context import SYSTEM
    from ispterm.operators.service import actor_for

    engine = engine_for(url)
    bootstrap = Ctx(engine=engine, actor=SYSTEM)
    with bootstrap.read() as s:
        actor = actor_for(s, login)
    return Ctx(engine=engine, actor=actor, readonly=readonly, config=config)


def initialise(url: str, login: str, *, phone_region: str | None = None) -> bool:
    """Create or upgrade the database, seed defaults, make ``login`` the first master admin.

    Returns whether that first operator was created (an existing database keeps its own).
    """
    from ispterm.context import SYSTEM
    from ispterm.messaging.catalog import seed_templates
    from ispterm.operators.service import ensure_first_operator
    from ispterm.settings.service import seed_defaults
    from ispterm.store.engine import check_reachable, make_engine
    from ispterm.store.migrate import upgrade

    engine = make_engine(url, must_exist=False)
    try:
        check_reachable(engine)
        upgrade(engine)  # refuses a database of a newer ispterm, or not ours, untouched
        with Ctx(engine=engine, actor=SYSTEM).write() as s:
            seed_defaults(s, phone_region=phone_region)
            seed_templates(s)
            return ensure_first_operator(s, login) is not None
    finally:
        engine.dispose()
