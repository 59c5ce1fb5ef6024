"""``ispterm billing ...``: billing groups, invoice runs, invoices and payments by hand, PDFs,
suspension and statements. The bank statement commands come from
``ispterm/cli/billing_import.py``, registered at the end of this module."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ispterm.cli import aliases, state

app = typer.Typer(help="Invoices, payments, billing groups, suspension and statements.",
                  no_args_is_help=True)
group_app = typer.Typer(help="The provider's companies (billing groups).", no_args_is_help=True)
app.add_typer(group_app, name="group")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", metavar="FIELD=VALUE",
                                                     help="Field to set; repeat.")]


def _date(value: str | None, field: str):
    from ispterm import validation

    return validation.iso_date(value, field=field) if value else None


def _assignments(pairs: list[str]) -> dict[str, str]:
    from ispterm.customers.service import parse_assignments

    return parse_assignments(pairs)


# ------------------------------------------------------------------------------ groups

@group_app.command("list", help="List billing groups.")
def group_list(as_json: JsonOpt = False) -> None:
    from ispterm.billing import groups

    rows = groups.list_groups(state.ctx())
    if as_json:
        state.print_json([g.to_json() for g in rows])
        return
    for g in rows:
        flags = ("default " if g.is_default else "") + ("" if g.active else "inactive")
        typer.echo(f"{g.name:<16} {g.company_name[:36]:<36} {g.currency}  prefix {g.invoice_prefix or '-':<6} "
                   f"{g.iban or g.bank_account or '-'}  {flags}".rstrip())


@group_app.command("add", help="Add a billing group: --set company_name=... --set iban=...")
@state.flags(set="--set")
def group_add(name: str, sets: SetOpt = None) -> None:
    from ispterm.billing import groups

    g = groups.add_group(state.ctx(), name, _assignments(sets or []))
    typer.echo(f"billing group {g.name} added")


@group_app.command("edit", help="Change a billing group: --set FIELD=VALUE ...")
@state.flags(set="--set")
def group_edit(name: str, sets: SetOpt = None) -> None:
    from ispterm.billing import groups

    g = groups.edit_group(state.ctx(), name, _assignments(sets or []))
    typer.echo(f"billing group {g.name} saved")


# ------------------------------------------------------------------------- invoice run

@app.command("invoice-run", help="Invoice every eligible customer for a period (safe to repeat).")
@state.flags(period="--period")
def invoice_run(
    period: Annotated[str, typer.Option("--period", help="YYYY-MM", metavar="YYYY-MM")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be created.")] = False,
    issued_on: Annotated[str | None, typer.Option("--issued-on", metavar="DATE",
                                                     help="Issue date (default: first day of the period).")] = None,
    as_json: JsonOpt = False,
) -> None:
    from ispterm.billing.invoicing import invoice_run as run
    from ispterm.money import fmt

    r = run(state.ctx(), period, issued_on=_date(issued_on, "--issued-on"), dry_run=dry_run)
    if as_json:
        state.print_json({"period": r.period, "issued_on": r.issued_on, "dry_run": r.dry_run,
                          "created": r.created, "skipped": r.skipped,
                          "groups": [g.__dict__ for g in r.groups],
                          "first_numbers": list(r.first_numbers)})
        return
    verb = "would create" if r.dry_run else "created"
    typer.echo(f"invoice run {r.period} (issued {r.issued_on}): {verb} {r.created} invoice(s)")
    for g in r.groups:
        typer.echo(f"  {g.group:<16} {g.count:>8} invoice(s)  total {fmt(g.total, g.currency):>18}  "
                   f"VAT {fmt(g.vat_total, g.currency)}")
    if r.skipped:
        typer.echo(f"  skipped {r.skipped} customer(s) already invoiced for {r.period}")


# ------------------------------------------------------------------ hand work on a customer

def _parse_line(raw: str):
    """``DESC:PRICE[:QTY[:VAT]]``; the description may itself contain ':' (numbers are
    taken from the right)."""
    import re
    from decimal import Decimal

    from ispterm import validation
    from ispterm.billing.invoicing import Line
    from ispterm.errors import ValidationError

    pieces = raw.split(":")
    tail: list[str] = []
    while len(pieces) > 1 and len(tail) < 3 and re.fullmatch(r"\s*[+-]?[0-9][0-9 .,]*\s*", pieces[-1]):
        tail.insert(0, pieces.pop())
    desc = validation.single_line(":".join(pieces), field="--line", max_len=200)
    if not tail or not desc:
        raise ValidationError("--line", f"expected DESC:PRICE[:QTY[:VAT]], got {raw!r}")
    price = validation.decimal_money(tail[0], field="--line price")
    qty = 1
    if len(tail) > 1:
        if not tail[1].strip().isdigit() or int(tail[1]) < 1:
            raise ValidationError("--line", f"quantity must be a whole number of at least 1, got {tail[1]!r}")
        qty = int(tail[1])
    vat = validation.decimal_money(tail[2], field="--line VAT") if len(tail) > 2 else Decimal("21.00")
    return Line(desc, price, qty, vat)


@app.command("invoice", help='Issue an invoice: --line "DESC:PRICE[:QTY[:VAT]]" (prices include VAT).')
@state.flags(due="--due-on", lines="--line", quantity="--line", vat="--line")
def invoice(
    number: int,
    lines: Annotated[list[str], typer.Option("--line", metavar="DESC:PRICE[:QTY[:VAT]]")],
    issued_on: Annotated[str | None, typer.Option("--issued-on", metavar="DATE")] = None,
    due_on: Annotated[str | None, typer.Option("--due-on", metavar="DATE")] = None,
) -> None:
    from ispterm.billing.invoicing import issue_invoice

    parsed = [_parse_line(raw) for raw in lines]
    ctx = state.ctx()
    inv = issue_invoice(ctx, number, parsed,
                        issued_on=_date(issued_on, "--issued-on") or ctx.today(),
                        due_on=_date(due_on, "--due-on"))
    typer.echo(f"invoice {inv.number} (id {inv.id}) issued: {inv.total}, due {inv.due_on}, VS {inv.vs}")


@app.command("pay", help="Record a payment received from a customer.")
@state.flags(amount="AMOUNT", vs="--vs")
def pay(
    number: int,
    amount: str,
    on: Annotated[str | None, typer.Option("--on", metavar="DATE", help="Received on (default today).")] = None,
    vs: Annotated[str | None, typer.Option("--vs")] = None,
) -> None:
    from ispterm.billing.service import record_payment

    ctx = state.ctx()
    p = record_payment(ctx, number, amount, _date(on, "--on") or ctx.today(), vs=vs)
    typer.echo(f"payment {p.id} of {p.amount} recorded ({p.allocated} settles invoices)")


@app.command("invoices", help="A customer's invoices, newest first.")
def invoices(number: int, as_json: JsonOpt = False) -> None:
    from ispterm.billing.service import invoices as list_invoices

    rows = list_invoices(state.ctx(), number)
    if as_json:
        state.print_json([r.__dict__ for r in rows])
        return
    for r in rows:
        typer.echo(f"{r.id:>7}  {r.number:<14} {r.issued_on}  due {r.due_on}  {r.total:>10}  "
                   f"{r.status:<9} {'paid ' + str(r.paid_on) if r.paid_on else 'owes ' + str(r.outstanding)}")


@app.command("payments", help="A customer's payments, newest first.")
def payments(number: int, as_json: JsonOpt = False) -> None:
    from ispterm.billing.service import payments as list_payments

    rows = list_payments(state.ctx(), number)
    if as_json:
        state.print_json([r.__dict__ for r in rows])
        return
    for r in rows:
        typer.echo(f"{r.id:>7}  {r.received_on}  {r.amount:>10}  VS {r.vs or '-':<10} {r.source:<7} "
                   f"{'CANCELLED' if r.cancelled else 'allocated ' + str(r.allocated)}")


@app.command("cancel-invoice", help="Cancel an invoice by id (its number stays used).")
def cancel_invoice(invoice_id: int) -> None:
    from ispterm.billing.invoicing import cancel_invoice as cancel

    cancel(state.ctx(), invoice_id)
    typer.echo(f"invoice {invoice_id} cancelled")


@app.command("cancel-payment", help="Cancel a payment by id.")
def cancel_payment(payment_id: int) -> None:
    from ispterm.billing.service import cancel_payment as cancel

    cancel(state.ctx(), payment_id)
    typer.echo(f"payment {payment_id} cancelled")


# ---------------------------------------------------------------------------- documents

def _write_pdf(data: bytes, output: Path | None, default_name: str) -> None:
    from ispterm.errors import ValidationError

    path = output or Path(default_name)
    if path.is_dir():
        path = path / default_name
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ValidationError("-o", f"cannot write {path}: {exc.strerror}") from None
    typer.echo(f"wrote {path} ({len(data):,} bytes)")


OutOpt = Annotated[Path | None, typer.Option("-o", "--output", help="PDF file (default: in the current directory).")]


@app.command("pdf", help="Render an invoice to PDF (with the payment QR code).")
@state.flags(group="--group", billing_group="--group")
def pdf(invoice_number: str, output: OutOpt = None,
        group: Annotated[str | None, typer.Option("--group", help="Billing group, when numbers repeat.")] = None) -> None:
    from ispterm.billing.printing import invoice_pdf

    _write_pdf(invoice_pdf(state.ctx(), invoice_number, group), output, f"invoice-{invoice_number}.pdf")


@app.command("statement", help="Account statement PDF of a customer for a period (BIL-10).")
def statement(
    number: int,
    date_from: Annotated[str, typer.Option("--from", metavar="DATE", help="First day of the period.")],
    date_until: Annotated[str | None, typer.Option("--until", metavar="DATE",
                                                      help="Last day of the period.  [required]")] = None,
    output: OutOpt = None,
    send: Annotated[bool, typer.Option("--send", help="Queue it by e-mail to the default billing contacts.")] = False,
    old_to: Annotated[str | None, typer.Option("--to", hidden=True, metavar="DATE",
                                                  help="Old spelling of --until.")] = None,
) -> None:
    from ispterm.billing.account import statement_pdf
    from ispterm.billing.notify import send_account_summary

    until_flag, until = aliases.either("--until", date_until, "--to", old_to)
    start, end = _date(date_from, "--from"), _date(aliases.required("--until", until), until_flag)
    ctx = state.ctx()
    # The service names the period's end by the flag it used to have; say the one typed.
    with aliases.naming(**{"--to": until_flag, "date_to": until_flag, "date_from": "--from"}):
        if send:
            queued = send_account_summary(ctx, number, start, end)
            typer.echo(f"account summary queued as message {queued.id} to {queued.to}")
            if output is None:
                return
        _write_pdf(statement_pdf(ctx, number, start, end), output, f"statement-{number}-{start}-{end}.pdf")


@app.command("service-settings", help="The customer's service settings (plan, IPs, MAC, DNS) as PDF. "
                                      "To e-mail them: ispterm mail settings NUMBER --to ...")
def service_settings(
    number: int,
    output: OutOpt = None,
    send: Annotated[str | None, typer.Option("--send", metavar="TO", hidden=True,
                                                help="Old spelling of 'ispterm mail settings NUMBER --to TO'.")] = None,
) -> None:
    from ispterm.documents.service_settings import settings_pdf

    if send is not None:
        # One command sends them (mail settings); the old spelling is that command.
        from ispterm.cli.mail import queue_service_settings

        with aliases.naming(to="--send", contact="--send"):
            queue_service_settings(number, to=send)
        if output is None:
            return
    _write_pdf(settings_pdf(state.ctx(), number), output, f"service-settings-{number}.pdf")


# ---------------------------------------------------------------------------- suspension

@app.command("suspend", help="Suspend non-payers and release those who paid (BIL-9).")
def suspend(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list who would be suspended and released.")] = False,
    notify: Annotated[bool, typer.Option("--notify", help="Queue a notice e-mail to each of them.")] = False,
    today: Annotated[str | None, typer.Option("--today", metavar="DATE", help="Judge as of this day.")] = None,
    as_json: JsonOpt = False,
) -> None:
    from ispterm.billing import suspension

    p = suspension.run(state.ctx(), dry_run=dry_run, today=_date(today, "--today"), notify=notify)
    if as_json:
        state.print_json({"today": p.today, "enabled": p.enabled, "applied": p.applied,
                          "min_amount": p.min_amount,
                          "suspend": [c.__dict__ for c in p.suspend],
                          "release": [c.__dict__ for c in p.release], "notified": p.notified})
        return
    if not p.enabled:
        typer.echo("automatic suspension is switched off (setting suspend_enabled); only releases apply")
    verb = ("would be " if dry_run else "")
    for c in p.suspend:
        typer.echo(f"suspend  {c.number:>8}  {c.name[:32]:<32}  owes {c.overdue:>10} overdue since {c.oldest_due}")
    for c in p.release:
        typer.echo(f"release  {c.number:>8}  {c.name[:32]:<32}  back to {c.to_status}")
    typer.echo(f"{len(p.suspend)} customer(s) {verb}suspended, {len(p.release)} {verb}released"
               + (f", {p.notified} notice(s) queued" if notify and not dry_run else ""))


from ispterm.cli import billing_import  # noqa: E402 - its commands join this group, once per process

billing_import.register(app)
