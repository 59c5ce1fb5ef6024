"""``ispterm customer ...``: find, show, add, edit and delete customers."""

from __future__ import annotations

from typing import Annotated

import typer

from ispterm.cli import state

app = typer.Typer(help="Find, show, add and edit customers.", no_args_is_help=True)

SetOpt = Annotated[list[str] | None, typer.Option("--set", metavar="FIELD=VALUE",
                                                     help="Field to set; repeat. See 'customer fields'.")]


@app.command("search", help="Search by number, name, e-mail, phone, address, IP or VS.")
def search(
    text: str,
    limit: Annotated[int, typer.Option(help="Rows to show.", min=1, max=1000)] = 20,
    offset: Annotated[int, typer.Option(help="Rows to skip (paging).", min=0)] = 0,
    deleted: Annotated[bool, typer.Option("--deleted", help="Include deleted customers.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.customers import service

    rows = service.search(state.ctx(), text, limit=limit, offset=offset, include_deleted=deleted)
    if as_json:
        state.print_json([
            {"number": r.number, "name": r.name, "city": r.city, "status": r.status,
             "marks": [m.name for m in r.marks], "balance": str(r.balance), "email": r.email,
             "phone": r.phone} for r in rows])
        return
    if not rows:
        typer.echo("no customers found", err=True)
        return
    for r in rows:
        marks = ",".join(m.name for m in r.marks)
        typer.echo(f"{r.number:>8}  {r.name[:32]:<32}  {(r.city or '')[:18]:<18}  "
                   f"{(r.status or '')[:12]:<12}  {r.balance:>10}  {marks}")


@app.command("show", help="Show a customer's card.")
def show(
    number: int,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.customers import service
    from ispterm.customers.fields import FIELDS

    card = service.get_card(state.ctx(), number)
    if as_json:
        state.print_json(card.to_json())
        return
    typer.echo(f"{card.number}  {card.name}   [{card.status or '-'}]"
               + (f"  marks: {', '.join(m.name for m in card.marks)}" if card.marks else "")
               + ("  DELETED" if card.deleted else "") + ("  former" if card.former else ""))
    st = card.standing
    typer.echo(f"balance {st.balance} ({'owes' if st.balance < 0 else 'ok'})   "
               f"scoring {st.scoring}   average scoring {st.average_scoring}   "
               f"alert notes {card.alert_count}")
    if card.release_due is not None:
        typer.echo(f"release due: {'yes' if card.release_due else 'no'} ({card.suspension_hint})")
    group = None
    for name, spec in FIELDS.items():
        value = card.values.get(name)
        if name == "gps":
            value = card.gps_dms
        if value in (None, "", False) and not isinstance(value, int):
            continue
        if spec.group != group:
            group = spec.group
            typer.echo(f"-- {group}")
        if isinstance(value, bool):
            value = "yes" if value else "no"
        typer.echo(f"  {spec.label:<22} {value}")
    for key, value in card.extras.items():
        typer.echo(f"  {key:<22} {value}")
    for s in card.services:
        ips = ", ".join(ip.address + (f" ({ip.mac})" if ip.mac else "") for ip in s.ips)
        typer.echo(f"-- service {s.plan}  {s.price}  {'active' if s.active else 'inactive'}  {ips}")
    for c in card.contacts:
        typer.echo(f"-- contact {c.name}  {c.email or ''}  {c.phone or ''}")
    typer.echo(f"-- added {state.local_time(card.created_at)} by {card.created_by or '-'}; "
               f"last change {state.local_time(card.updated_at)} by {card.updated_by or '-'}")


@app.command("add", help="Add a customer and print its new number.")
def add(
    name: Annotated[str, typer.Option("--name", help='Name, best as "Surname Name".')],
    sets: SetOpt = None,
) -> None:
    from ispterm.customers import service

    values = service.parse_assignments(sets or [])
    typer.echo(service.create(state.ctx(), name, values))


@app.command("edit", help="Change fields of a customer.")
def edit(
    number: int,
    sets: SetOpt = None,
    version: Annotated[int | None, typer.Option(help="Refuse if the card is no longer at this version.")] = None,
) -> None:
    from ispterm.customers import service

    values = service.parse_assignments(sets or [])
    card = service.update(state.ctx(), number, values, expected_version=version)
    typer.echo(f"customer {card.number} saved (version {card.version})")


@app.command("fields", help="List the fields that --set accepts.")
def fields() -> None:
    from ispterm.customers.fields import FIELDS
    from ispterm.settings.service import list_additional_fields

    for spec in FIELDS.values():
        typer.echo(f"{spec.name:<22} {spec.group:<16} {spec.label}" + (f"  ({spec.help})" if spec.help else ""))
    ctx = state.ctx()
    with ctx.read() as s:
        for f in list_additional_fields(s):
            typer.echo(f"extra.{f.name:<16} {'additional':<16} {f.label}  ({f.type})")


@app.command("delete", help="Delete customers (kept in history, restorable). Shows who first.")
def delete(
    numbers: list[int],
    yes: Annotated[bool, typer.Option("--yes", help="Really delete; without it only the preview is shown.")] = False,
) -> None:
    from ispterm.customers import service

    rows = service.delete_many(state.ctx(), numbers, dry_run=not yes)
    for r in rows:
        typer.echo(f"{r.number:>8}  {r.name}")
    typer.echo(f"{len(rows)} customer(s) {'deleted' if yes else 'would be deleted; add --yes'}")


@app.command("restore", help="Restore a deleted customer.")
def restore(number: int) -> None:
    from ispterm.customers import service

    service.restore(state.ctx(), number)
    typer.echo(f"customer {number} restored")


@app.command("disconnect", help="Set the disconnected status (or --on DATE to mark for disconnection).")
def disconnect(
    number: int,
    on: Annotated[str | None, typer.Option(help="Mark for disconnection on YYYY-MM-DD instead.")] = None,
) -> None:
    from ispterm import validation
    from ispterm.customers import service

    ctx = state.ctx()
    if on:
        service.mark_for_disconnection(ctx, number, validation.iso_date(on, field="--on"))
        typer.echo(f"customer {number} marked for disconnection on {on}")
    else:
        service.disconnect(ctx, number)
        typer.echo(f"customer {number} disconnected")


@app.command("alias", help="Attach NUMBER as a child account of PARENT (or --detach).")
def alias(
    number: int,
    parent: Annotated[int | None, typer.Argument()] = None,
    detach: Annotated[bool, typer.Option("--detach")] = False,
) -> None:
    from ispterm.customers import service
    from ispterm.errors import ValidationError

    if (parent is None) != detach:
        raise ValidationError("parent", "give a PARENT number or --detach")
    service.attach_alias(state.ctx(), number, None if detach else parent)
    typer.echo(f"customer {number} {'detached' if detach else f'is now an alias of {parent}'}")


@app.command("export", help="Export customers matching TEXT (or all) as JSON lines.")
def export(
    text: Annotated[str | None, typer.Argument()] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000)] = 1000,
) -> None:
    import json

    from ispterm.customers import service
    from ispterm.notes.service import list_notes

    ctx = state.ctx()
    rows = (service.search(ctx, text, limit=min(limit, 1000)) if text
            else service.list_page(ctx, limit=limit))
    for r in rows:
        data = service.get_card(ctx, r.number).to_json()
        # Notes pass the same private-note rule as everywhere else.
        data["notes"] = [n.to_json() for n in list_notes(ctx, r.number)]
        typer.echo(json.dumps(data, ensure_ascii=False))
