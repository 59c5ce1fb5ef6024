"""``ispterm init`` and ``ispterm db ...``: create, upgrade and inspect the database."""

from __future__ import annotations

import typer

from ispterm.cli import state

app = typer.Typer(help="Database schema: upgrade and status.", no_args_is_help=True)


def init() -> None:
    from ispterm.connect import initialise
    from ispterm.store.engine import make_engine

    url = state.db_url()
    login = state.login()
    cfg = state.config()
    created = initialise(url, login, phone_region=cfg.init.phone_region)
    where = make_engine(url, must_exist=False).url.render_as_string(hide_password=True)
    typer.echo(f"database ready: {where}")
    if created:
        typer.echo(f"operator {login} created as master admin")


@app.command("upgrade", help="Apply pending migrations to the database.")
def upgrade() -> None:
    from ispterm.store.engine import check_reachable, make_engine
    from ispterm.store.migrate import current_revision, head_revision
    from ispterm.store.migrate import upgrade as run_upgrade

    engine = make_engine(state.db_url())
    check_reachable(engine)
    before = current_revision(engine)
    run_upgrade(engine)
    typer.echo(f"schema {before or 'empty'} -> {head_revision()}")


@app.command("status", help="Show the schema revision of the database and of this ispterm.")
def status() -> None:
    """Exit status 1 unless the database is at this ispterm's head, with the reason."""
    from ispterm.errors import StoreError
    from ispterm.store.engine import check_reachable, make_engine
    from ispterm.store.migrate import head_revision, schema_problem, stamps_of

    engine = make_engine(state.db_url())
    check_reachable(engine)
    stamps, other_tables = stamps_of(engine)
    typer.echo(f"database: {', '.join(stamps) if stamps else 'not initialised'}; ispterm: {head_revision()}")
    problem = schema_problem(stamps, other_tables)
    if problem:  # what is wrong and what to do, as every other command says it
        raise StoreError(problem)
