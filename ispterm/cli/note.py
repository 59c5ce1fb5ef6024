"""``ispterm note ...``: notes on a customer (private notes stay private here too)."""

from __future__ import annotations

from typing import Annotated

import typer

from ispterm.cli import state

app = typer.Typer(help="Notes on customers.", no_args_is_help=True)


@app.command("add", help="Add a note to a customer.")
def add(
    number: int,
    text: str,
    private: Annotated[bool, typer.Option("--private", help="Only you and master admins see it.")] = False,
    alert: Annotated[bool, typer.Option("--alert", help="Pop up when the card is opened.")] = False,
) -> None:
    from ispterm.notes.service import add_note

    note = add_note(state.ctx(), number, text, private=private, alert=alert)
    typer.echo(f"note {note.id} added to customer {number}")


@app.command("list", help="List a customer's notes, newest first.")
def list_(
    number: int,
    deleted: Annotated[bool, typer.Option("--deleted", help="Include deleted notes.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.notes.service import list_notes

    notes = list_notes(state.ctx(), number, include_deleted=deleted)
    if as_json:
        state.print_json([n.to_json() for n in notes])
        return
    for n in notes:
        flags = "".join(f for f, on in (("P", n.private), ("!", n.alert), ("D", n.deleted)) if on)
        typer.echo(f"#{n.id:<6} {state.local_time(n.created_at)}  {n.author:<12} {flags:<3} {n.text}")


@app.command("edit", help="Change a note's text or flags.")
def edit(
    note_id: int,
    text: Annotated[str | None, typer.Option(help="New text.")] = None,
    private: Annotated[bool | None, typer.Option("--private/--public")] = None,
    alert: Annotated[bool | None, typer.Option("--alert/--no-alert")] = None,
    version: Annotated[int | None, typer.Option(help="Refuse if the note changed since.")] = None,
) -> None:
    from ispterm.notes.service import edit_note

    edit_note(state.ctx(), note_id, text=text, private=private, alert=alert, expected_version=version)
    typer.echo(f"note {note_id} saved")


@app.command("delete", help="Delete a note (kept; 'note list --deleted' shows it).")
def delete(note_id: int) -> None:
    from ispterm.notes.service import delete_note

    delete_note(state.ctx(), note_id)
    typer.echo(f"note {note_id} deleted")
