"""Starting the operator app: ``ispterm``, ``ispterm open NUMBER``, ``ispterm demo``.

Only here does the CLI reach into ``screens/`` (the UI depends on services, never the reverse).
The database is checked and, for ``open``, the card header read through the bare driver before
the App starts, so a wrong database or number is a one-line error and the first frame already
shows the customer; SQLAlchemy and the services load behind it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ispterm.cli import state


def launch(number: int | None = None, tab: str | None = None) -> None:
    from ispterm.store import quick

    config = state.config()
    url, login = state.db_url(), state.login()
    from screens.app import check_options, make_app, run_app

    check_options(tab=tab, theme=state.OPTIONS.theme, config=config)
    header = None
    with quick.connect(url) as conn:  # a wrong database, operator or number fails before the UI
        quick.check_schema(conn)
        quick.check_operator(conn, login)
        if number is not None:
            from ispterm.customers.header import read_header

            header = read_header(conn, number)
    app = make_app(url, login, number=number, tab=tab, readonly=state.OPTIONS.readonly,
                   theme=state.OPTIONS.theme, config=config, header=header)
    code = run_app(app, mouse=state.OPTIONS.mouse and config.ui.mouse)
    if code:
        raise SystemExit(code)


def open_card(
    number: int,
    tab: Annotated[str | None, typer.Option("--tab", help="information, billing, notes, history or support.", metavar="TAB")] = None,
) -> None:
    launch(number, tab)
