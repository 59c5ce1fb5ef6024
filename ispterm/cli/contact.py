"""``ispterm contact ...`` and ``ispterm service ...``: contact persons and services."""

from __future__ import annotations

from typing import Annotated

import typer

from ispterm.cli import state

app = typer.Typer(help="Contact persons of customers.", no_args_is_help=True)
service_app = typer.Typer(help="Services (plans, IP addresses) of customers.", no_args_is_help=True)

SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", metavar="FIELD=VALUE",
    help="name, position, email, phone, mobile, billing_default, portal_access, portal_level, note.")]


@app.command("add", help="Add a contact person to a customer.")
def add(number: int, sets: SetOpt = None) -> None:
    from ispterm.customers.contacts import add_contact
    from ispterm.customers.service import parse_assignments

    contact = add_contact(state.ctx(), number, parse_assignments(sets or []))
    typer.echo(f"contact {contact.id} added")


@app.command("edit", help="Change a contact person.")
def edit(contact_id: int, sets: SetOpt = None,
         version: Annotated[int | None, typer.Option(help="Refuse if changed since.")] = None) -> None:
    from ispterm.customers.contacts import edit_contact
    from ispterm.customers.service import parse_assignments

    edit_contact(state.ctx(), contact_id, parse_assignments(sets or []), expected_version=version)
    typer.echo(f"contact {contact_id} saved")


@app.command("delete", help="Delete a contact person.")
def delete(contact_id: int) -> None:
    from ispterm.customers.contacts import delete_contact

    delete_contact(state.ctx(), contact_id)
    typer.echo(f"contact {contact_id} deleted")


@service_app.command("add", help="Add a service with its IP addresses to a customer.")
@state.flags(plan="--plan", price="--price", vat_rate="--vat", ip="--ip", mac="--mac", dns="--dns")
def add_service(
    number: int,
    plan: Annotated[str, typer.Option(help="Plan name, e.g. 'Fiber 250'.")],
    price: Annotated[str, typer.Option(help="Monthly price without VAT, e.g. 413.22.")],
    vat: Annotated[str, typer.Option(help="VAT rate in percent.")] = "21",
    ip: Annotated[list[str] | None, typer.Option("--ip", help="IP address or subnet; repeat.")] = None,
    mac: Annotated[str | None, typer.Option(help="MAC address of the customer's device.")] = None,
    dns: Annotated[str | None, typer.Option(help="DNS servers.")] = None,
) -> None:
    from ispterm.customers.contacts import add_service as add

    svc = add(state.ctx(), number, plan, price, vat_rate=vat, ips=ip or [], mac=mac, dns=dns)
    typer.echo(f"service {svc.id} added: {svc.plan} {', '.join(i.address for i in svc.ips)}")
