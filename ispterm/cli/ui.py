"""Starting the operator app: ``ispterm``, ``ispterm open NUMBER``, ``ispterm demo``.

Only here does the CLI reach into ``screens/`` (the UI depends on services, never the reverse).
For ``open`` the card header is read with SQLAlchemy Core before the App starts, so a wrong
number is a one-line error and the first frame already shows the customer.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ispterm.cli import state


def launch(number: int | None = None, tab: str | None = None) -> None:
    from ispterm.connect import engine_for

    config = state.config()
    url, login = state.db_url(), state.login()
    from screens.app import make_app, run_app

    app_kwargs = {"number": number, "tab": tab, "readonly": state.OPTIONS.readonly,
                  "theme": state.OPTIONS.theme, "config": config}
    make_app(url, login, **app_kwargs)  # checks --tab and --theme before touching the database
    engine = engine_for(url)
    header = None
    if number is not None:
        from ispterm.customers.header import read_header

        header = read_header(engine, number)
    app = make_app(url, login, header=header, **app_kwargs)
    code = run_app(app, mouse=state.OPTIONS.mouse and bool(config.values["ui.mouse"]))
    if code:
        raise SystemExit(code)


def open_card(
    number: int,
    tab: Annotated[Optional[str], typer.Option("--tab", help="information, billing, notes, history or support.", metavar="TAB")] = None,
) -> None:
    launch(number, tab)
