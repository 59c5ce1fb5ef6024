"""``ispterm billing import|unmatched|assign|imports``: bank statements (BIL-8).

The commands are plain functions added to whichever ``billing`` group exists by
:func:`register`; until the invoicing commands land, ``app`` is a ``billing`` group of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ispterm.cli import state

_CSV_OPTIONS = ("csv-preset", "csv-column", "csv-delimiter", "csv-encoding", "csv-date-format")


@state.flags(format="--format", **{name: f"--{name}" for name in _CSV_OPTIONS})
def import_statement(
    file: Annotated[Path, typer.Argument(help="The statement file (camt.053 XML, ABO/GPC or CSV).")],
    fmt: Annotated[str | None, typer.Option("--format", help="camt053, gpc or csv (default: detected).")] = None,
    csv_preset: Annotated[str | None, typer.Option("--csv-preset", help="CSV layout: fio or generic (default: detected).")] = None,
    csv_column: Annotated[list[str] | None, typer.Option("--csv-column", metavar="FIELD=COLUMN",
                          help="Column of a field (header name or 1-based number); repeat. Fields: date amount currency vs counterparty account bank_code message reference.")] = None,
    csv_delimiter: Annotated[str | None, typer.Option("--csv-delimiter", help="One character, or tab/semicolon/comma.")] = None,
    csv_decimal_comma: Annotated[bool | None, typer.Option("--csv-decimal-comma/--csv-decimal-point", help="Amounts written 1 234,50 / 1234.50.")] = None,
    csv_encoding: Annotated[str | None, typer.Option("--csv-encoding", help="e.g. utf-8, cp1250 (default: UTF-8, else Windows-1250).")] = None,
    csv_date_format: Annotated[str | None, typer.Option("--csv-date-format", help="strftime format, e.g. %d.%m.%Y.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Parse and match, write nothing.")] = False,
    show_lines: Annotated[bool, typer.Option("--lines", help="List every incoming payment and where it went.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.billing.statements import csvfile, detect
    from ispterm.billing.statements.importer import import_statement as run
    from ispterm.billing.statements.importer import open_file

    fmt = detect.check_format(fmt)  # before the file is read: an empty or unknown --format too
    source, name = open_file(file)
    layout = None
    wants_csv = any(x is not None for x in (csv_preset, csv_column, csv_delimiter, csv_decimal_comma,
                                            csv_encoding, csv_date_format))
    if wants_csv or (fmt or detect.detect(source)) == "csv":
        columns = {}
        for item in csv_column or []:
            key, sep, value = item.partition("=")
            if not sep:
                from ispterm.errors import ValidationError

                raise ValidationError("csv-column", f"expected FIELD=COLUMN, got {item!r}")
            columns[key.strip()] = value.strip()
        layout = csvfile.layout(csv_preset or detect.csv_preset_for(source), columns=columns,
                                delimiter=csv_delimiter, decimal_comma=csv_decimal_comma,
                                encoding=csv_encoding, date_format=csv_date_format)
    result = run(state.ctx(), source, name, fmt=fmt or ("csv" if wants_csv and not fmt else None),
                 csv_layout=layout, dry_run=dry_run)
    if as_json:
        state.print_json(_result_json(result))
        return
    if result.already_imported_at is not None:
        typer.echo(f"statement {result.file_name} was imported on {state.local_time(result.already_imported_at)} "
                   f"by {result.already_imported_by}; nothing added")
        return
    head = "dry run, nothing written: " if result.dry_run else ""
    typer.echo(f"{head}statement {result.file_name} ({result.format}"
               + (f", account {result.account}" if result.account else "") + f"): {result.entries} lines")
    typer.echo(f"  {'would import' if result.dry_run else 'imported'} {result.imported} payments, "
               f"total {result.total}: {result.matched} matched, {result.unmatched} unmatched"
               + ("" if result.dry_run else f"; {result.invoices_paid} invoices paid"))
    typer.echo(f"  skipped: {result.duplicates} already imported, {result.outgoing} outgoing, "
               f"{result.other} reversals or not booked")
    if result.unmatched and not result.dry_run:
        typer.echo("  see 'ispterm billing unmatched' and assign them with 'ispterm billing assign PAYMENT_ID NUMBER'")
    if show_lines:
        for ln in result.lines:
            who = str(ln.customer_number) if ln.customer_number else f"- ({ln.reason})"
            typer.echo(f"  {ln.where:<40} {ln.received_on}  {ln.amount:>12} {ln.currency}  VS {ln.vs or '-':<10} {who}")


def _result_json(r) -> dict:
    return {
        "file": r.file_name, "format": r.format, "account": r.account, "statement_ref": r.statement_ref,
        "dry_run": r.dry_run, "statement_id": r.statement_id,
        "already_imported_at": r.already_imported_at.isoformat() if r.already_imported_at else None,
        "entries": r.entries, "imported": r.imported, "duplicates": r.duplicates, "outgoing": r.outgoing,
        "other": r.other, "matched": r.matched, "unmatched": r.unmatched, "total": str(r.total),
        "invoices_paid": r.invoices_paid,
        "lines": [{"where": ln.where, "received_on": ln.received_on.isoformat(), "amount": str(ln.amount),
                   "currency": ln.currency, "vs": ln.vs, "counterparty": ln.counterparty,
                   "customer": ln.customer_number, "reason": ln.reason, "duplicate": ln.duplicate}
                  for ln in r.lines],
    }


def unmatched(
    limit: Annotated[int | None, typer.Option(help="Rows to show.", min=1)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.billing.statements.unmatched import unmatched as listing

    rows = listing(state.ctx(), limit=limit)
    if as_json:
        state.print_json([{"id": p.id, "received_on": p.received_on.isoformat(), "amount": str(p.amount),
                           "currency": p.currency, "vs": p.vs, "counterparty": p.counterparty,
                           "message": p.message, "bank_ref": p.bank_ref, "statement": p.statement,
                           "reason": p.reason} for p in rows])
        return
    if not rows:
        typer.echo("no unmatched payments", err=True)
        return
    for p in rows:
        typer.echo(f"{p.id:>8}  {p.received_on}  {p.amount:>12} {p.currency}  VS {p.vs or '-':<10}  "
                   f"{(p.counterparty or '')[:24]:<24}  {(p.message or '')[:30]:<30}  {p.reason}")


def assign(
    payment_id: Annotated[int, typer.Argument(help="Id of the unmatched payment (see 'billing unmatched').")],
    number: Annotated[int, typer.Argument(help="Customer number to give it to.")],
) -> None:
    from ispterm.billing.statements.unmatched import assign as run

    done = run(state.ctx(), payment_id, number)
    typer.echo(f"payment {done.payment_id} ({done.amount}) assigned to customer {done.customer_number}; "
               f"balance {done.balance}")


def imports(
    limit: Annotated[int, typer.Option(help="Rows to show.", min=1)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ispterm.billing.statements.history import imported_statements

    rows = imported_statements(state.ctx(), limit=limit)
    if as_json:
        state.print_json([{k: (str(v) if v is not None and not isinstance(v, (int, str)) else v)
                           for k, v in row.__dict__.items()} for row in rows])
        return
    if not rows:
        typer.echo("no statements imported", err=True)
        return
    for r in rows:
        typer.echo(f"{r.id:>6}  {state.local_time(r.imported_at)}  {r.imported_by:<10}  {r.format:<7}  "
                   f"{r.file_name[:32]:<32}  {r.imported:>6} new  {r.matched:>6} matched  "
                   f"{r.unmatched:>5} unmatched  {r.duplicates:>5} dup  {r.total:>14}")


def register(group: typer.Typer) -> None:
    """Add the statement commands to the ``billing`` typer group (``cli/billing.py`` does, once)."""
    group.command("import", help="Import a bank statement (camt.053, ABO/GPC, CSV); match payments by VS.")(import_statement)
    group.command("unmatched", help="Payments no customer could be matched to, newest first.")(unmatched)
    group.command("assign", help="Give an unmatched payment to a customer.")(assign)
    group.command("imports", help="Imported bank statement files, newest first.")(imports)
