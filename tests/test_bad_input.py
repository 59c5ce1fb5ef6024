"""Every command x every kind of bad value: one ``error:`` line, exit 1, nothing changed.

The probes of issue 13 turned into a table. Each command is listed with the arguments that
make it run (good values for the data set below), and each argument it takes from the user
is a slot of a kind (a number, a line of text, a date, a file, ...). Every bad value of that
kind goes into the slot in turn, the others keep their good values, and the command must
answer with exactly one line on stderr starting ``error:``, exit status 1, no traceback,
and leave every row of the database as it was (compared table by table).

Bad values are bad *for their kind*: 30 digits are a fine note text, and a right-to-left
override is refused in a name but not in a note (multi-line text is free text).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.conftest import ADMIN

HUGE = "9" * 30
BIG = "x" * 100_000
NUL = "a\x00b"
NOT_UTF8 = "caf\udce9\udcff"  # what Python makes of the bytes caf\xe9\xff in argv
BIDI = "Nov\u202eák"
SQL = "1'; DROP TABLE customer; --"
SHELL = "$(touch /tmp/ispterm-pwned); `id` | rm -rf ~ && echo"
NEGATIVE = "-5"
EMPTY = ""

# What is bad for each kind of argument.
BAD: dict[str, list[str]] = {
    # a customer number, an id, a count
    "num": [HUGE, NEGATIVE, EMPTY, BIG, NUL, NOT_UTF8, BIDI, SQL, SHELL, "12abc", "1.5"],
    # an optional number (empty clears it)
    "opt_num": [HUGE, NEGATIVE, BIG, NUL, NOT_UTF8, BIDI, SQL, SHELL, "12abc", "1.5"],
    # a required single line: a name, a title, a plan, a login
    "line": [EMPTY, BIG, NUL, NOT_UTF8, BIDI, "two\nlines"],
    # an optional single line (empty is fine)
    "opt_line": [BIG, NUL, NOT_UTF8, BIDI, "two\nlines"],
    # free text of several lines: a note, an SMS
    "text": [EMPTY, BIG, NUL, NOT_UTF8],
    "opt_text": [BIG, NUL, NOT_UTF8],
    # text that is only looked at, never stored or sent (an SMS being counted)
    "any_text": [NOT_UTF8],
    "date": [HUGE, NEGATIVE, BIG, NUL, NOT_UTF8, BIDI, SQL, SHELL, "2026-02-30", "9999-12-31",
             "0001-01-01", "31.12.99999"],
    "period": [HUGE, NEGATIVE, EMPTY, BIG, NUL, NOT_UTF8, BIDI, SQL, "2026-13", "0000-01", "9999-12"],
    "amount": [HUGE + ".00", "1e999", "NaN", "Infinity", EMPTY, BIG, NUL, NOT_UTF8, BIDI, SQL,
               "12,345.678"],
    # one of a fixed set of words (a format, a status, a role, a tab)
    "choice": [EMPTY, BIG, NUL, NOT_UTF8, BIDI, SQL, SHELL, "nonesuch"],
    "opt_choice": [BIG, NUL, NOT_UTF8, BIDI, SQL, SHELL, "nonesuch"],
    "email": [BIG, NUL, NOT_UTF8, BIDI, SQL, SHELL, "not-an-address", "a@b@c"],
    # an existing file to read
    "file": ["{missing}", "{directory}", "{binary}", "{big}", NUL, NOT_UTF8],
    # a file to attach: any bytes will do, but not any size
    "attach": ["{missing}", "{directory}", "{big}", NUL, NOT_UTF8],
    "key": [EMPTY, BIG, NUL, NOT_UTF8, BIDI, SQL, "nonesuch"],
}

# command (good values), slot index -> kind. "{n}" and friends are the data set's ids.
COMMANDS: list[tuple[list[str], dict[int, str]]] = [
    (["customer", "show", "{n}"], {2: "num"}),
    (["customer", "search", "novak", "--limit", "5"], {4: "num"}),
    (["customer", "add", "--name", "New One"], {3: "line"}),
    (["customer", "add", "--name", "New One", "--set", "city=Brno"], {5: "key"}),
    (["customer", "edit", "{n}", "--set", "city=Brno"], {2: "num", 4: "key"}),
    (["customer", "edit", "{n}", "--set", "name=@"], {4: "line"}),
    (["customer", "edit", "{n}", "--set", "city=@"], {4: "opt_line"}),
    (["customer", "edit", "{n}", "--set", "email=@"], {4: "email"}),
    (["customer", "edit", "{n}", "--set", "due_days=@"], {4: "opt_num"}),
    (["customer", "edit", "{n}", "--set", "contract_returned_on=@"], {4: "date"}),
    (["customer", "edit", "{n}", "--set", "status=@"], {4: "choice"}),
    (["customer", "edit", "{n}", "--set", "city=Brno", "--version", "1"], {6: "num"}),
    (["customer", "delete", "{n}"], {2: "num"}),
    (["customer", "restore", "{n}"], {2: "num"}),
    (["customer", "disconnect", "{n}", "--on", "2030-01-01"], {2: "num", 4: "date"}),
    (["customer", "alias", "{n}", "{n2}"], {2: "num", 3: "num"}),
    (["customer", "export", "novak", "--limit", "5"], {4: "num"}),
    (["contact", "add", "{n}", "--set", "name=@"], {2: "num", 4: "line"}),
    (["contact", "edit", "{contact}", "--set", "email=@"], {2: "num", 4: "email"}),
    (["contact", "delete", "{contact}"], {2: "num"}),
    (["service", "add", "{n}", "--plan", "Fiber", "--price", "499", "--ip", "10.9.9.9"],
     {2: "num", 4: "line", 6: "amount", 8: "choice"}),
    (["note", "add", "{n}", "Called about the router"], {2: "num", 3: "text"}),
    (["note", "edit", "{note}", "--text", "Called again"], {2: "num", 4: "text"}),
    (["note", "delete", "{note}"], {2: "num"}),
    (["note", "list", "{n}"], {2: "num"}),
    (["history", "{n}", "--limit", "5"], {1: "num", 3: "num"}),
    (["task", "add", "Fix the router", "--customer", "{n}", "--due-on", "2030-01-01"],
     {2: "line", 4: "num", 6: "date"}),
    (["task", "add", "Fix the router", "--due", "2030-01-01"], {4: "date"}),  # old spelling
    (["task", "add", "Fix the router", "--priority", "high"], {4: "choice"}),
    (["task", "status", "{task}", "done"], {2: "num", 3: "choice"}),
    (["operator", "add", "newop", "--role", "support"], {2: "line", 4: "choice"}),
    (["operator", "add", "newop", "--role", "support", "--email", "a@b.cz"], {6: "email"}),
    (["operator", "role", "op_support", "technician"], {2: "key", 3: "choice"}),
    (["settings", "get", "invoice_due_days"], {2: "key"}),
    (["settings", "set", "invoice_due_days", "21"], {2: "key", 3: "num"}),
    (["settings", "set", "currency", "EUR"], {3: "choice"}),
    (["settings", "set", "admin_email", "a@b.cz"], {3: "email"}),
    (["settings", "codes", "status"], {2: "choice"}),
    (["settings", "add-code", "mark", "Gold", "--color", "yellow"], {2: "choice", 3: "line", 5: "opt_choice"}),
    (["settings", "add-field", "contract_no", "--type", "int"], {2: "line", 4: "choice"}),
    (["billing", "invoice", "{n}", "--line", "Router:1200"], {2: "num"}),
    (["billing", "invoice", "{n}", "--line", "Router:@"], {4: "amount"}),
    (["billing", "invoice", "{n}", "--line", "@:100"], {4: "line"}),
    (["billing", "invoice", "{n}", "--line", "Router:1200", "--issued-on", "2030-01-01"], {6: "date"}),
    (["billing", "invoice", "{n}", "--line", "Router:1200", "--due-on", "2030-01-01"], {6: "date"}),
    (["billing", "invoice-run", "--period", "2030-01", "--dry-run"], {2: "period"}),
    (["billing", "invoice-run", "--period", "2030-01", "--issued-on", "2030-01-01"], {4: "date"}),
    (["billing", "pay", "{n}", "100"], {2: "num", 3: "amount"}),
    (["billing", "pay", "{n}", "100", "--on", "2030-01-01"], {5: "date"}),
    (["billing", "pay", "{n}", "100", "--vs", "123"], {5: "opt_num"}),
    (["billing", "invoices", "{n}"], {2: "num"}),
    (["billing", "payments", "{n}"], {2: "num"}),
    (["billing", "cancel-invoice", "{invoice}"], {2: "num"}),
    (["billing", "cancel-payment", "{payment}"], {2: "num"}),
    (["billing", "pdf", "{invoice_number}", "-o", "{out}/x.pdf"], {2: "key"}),
    (["billing", "statement", "{n}", "--from", "2026-01-01", "--until", "2026-06-30", "-o", "{out}/s.pdf"],
     {2: "num", 4: "date", 6: "date"}),
    (["billing", "statement", "{n}", "--from", "2026-01-01", "--to", "2026-06-30", "-o", "{out}/s.pdf"],
     {6: "date"}),  # old spelling
    (["billing", "service-settings", "{n}", "-o", "{out}/ss.pdf"], {2: "num"}),
    (["billing", "service-settings", "{n}", "--send", "a@b.cz"], {4: "email"}),  # old spelling
    (["billing", "suspend", "--dry-run", "--today", "2030-01-01"], {4: "date"}),
    (["billing", "group", "add", "Second", "--set", "ico=@"], {3: "line", 5: "opt_num"}),
    (["billing", "group", "edit", "Main", "--set", "company_name=@"], {3: "key", 5: "line"}),
    (["billing", "import", "{statement}"], {2: "file"}),
    (["billing", "import", "{statement}", "--format", "csv"], {4: "choice"}),
    (["billing", "assign", "{unmatched}", "{n}"], {2: "num", 3: "num"}),
    (["billing", "imports", "--limit", "5"], {3: "num"}),
    (["billing", "unmatched", "--limit", "5"], {3: "num"}),
    (["mail", "send", "{n}", "--template", "payment_reminder"], {2: "num", 4: "key"}),
    (["mail", "send", "{n}", "--subject", "Outage", "--body-file", "{body}"], {4: "line", 6: "file"}),
    (["mail", "send", "{n}", "--template", "payment_reminder", "--to", "a@b.cz"], {6: "email"}),
    (["mail", "send", "{n}", "--template", "payment_reminder", "--attach", "{body}"], {6: "attach"}),
    (["mail", "send", "{n}", "--template", "payment_reminder", "--priority", "high"], {6: "choice"}),
    (["mail", "queue", "--status", "queued", "--customer", "{n}"], {2: "choice", 4: "num"}),
    (["mail", "retry", "{message}"], {2: "num"}),
    (["mail", "cancel", "{message}"], {2: "num"}),
    (["mail", "history", "{n}"], {2: "num"}),
    (["mail", "contact", "{contact}", "account_statement"], {2: "num", 3: "choice"}),
    (["mail", "contact", "{contact}", "account_statement", "--from", "2026-01-01", "--until", "2026-06-30"],
     {5: "date", 7: "date"}),
    (["mail", "settings", "{n}", "--to", "a@b.cz"], {2: "num", 4: "email"}),
    (["mail", "template", "show", "payment_reminder"], {3: "key"}),
    (["mail", "template", "add", "promo", "--subject", "Hello", "--body-file", "{body}"],
     {3: "line", 5: "line", 7: "file"}),
    (["mail", "variable", "hotline", "800 123 456"], {2: "line", 3: "opt_text"}),
    (["mail", "run", "--once", "--concurrency", "1"], {4: "num"}),
    (["sms", "count", "Hello"], {2: "any_text"}),
    (["sms", "send", "{n}", "Hello", "--to", "+420604123456"], {2: "num", 5: "choice"}),
    (["sample", "load", "--file", "{body}"], {3: "file"}),
    (["config", "set", "smtp.port", "25"], {2: "key", 3: "num"}),
    (["open", "{n}", "--tab", "billing"], {1: "num", 3: "choice"}),
]


def _cases() -> list:
    out = []
    for args, slots in COMMANDS:
        for index, kind in slots.items():
            for bad in BAD[kind]:
                label = f"{' '.join(a for a in args[:3] if not a.startswith('{'))}[{index}]={kind}:" \
                        f"{bad[:12].encode('unicode_escape', 'backslashreplace').decode()}"
                out.append(pytest.param(args, index, bad, id=label))
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One database with a customer of everything the commands address, and the files."""
    from ispterm.billing import service as bs
    from ispterm.billing.invoicing import Line, issue_invoice
    from ispterm.connect import dispose_engines, initialise, open_ctx
    from ispterm.customers import contacts as cc
    from ispterm.customers import service as cs
    from ispterm.messaging import service as ms
    from ispterm.notes import service as ns
    from ispterm.operators.service import add_operator
    from ispterm.settings.service import set_setting
    from ispterm.support import service as sup

    root = tmp_path_factory.mktemp("bad_input")
    os.environ["ISPTERM_DATA_DIR"] = str(root / "data")
    url = f"sqlite:///{root / 'world.db'}"
    initialise(url, ADMIN)
    ctx = open_ctx(url, ADMIN)
    set_setting(ctx, "sender_addresses", "noc@isp.example")
    n = cs.create(ctx, "Novák Jan", {"email": "jan@example.cz", "mobile": "+420604123456"})
    n2 = cs.create(ctx, "Dvořák Petr")
    add_operator(ctx, "op_support", "support")
    contact = cc.add_contact(ctx, n, {"name": "Eva Nováková", "email": "eva@example.cz"}).id
    note = ns.add_note(ctx, n, "router in the cellar").id
    invoice = issue_invoice(ctx, n, [Line("Fiber", bs_price("499"))], issued_on=ctx.today())
    payment = bs.record_payment(ctx, n, bs_price("100"), received_on=ctx.today()).id
    task = sup.create_task(ctx, n, "Visit").id
    message = ms.send_email(ctx, n, template="payment_reminder").id
    files = root / "files"
    files.mkdir()
    (files / "body.txt").write_text("Dear customer,\nthe outage is over.\n")
    (files / "statement.csv").write_text("date,amount,currency,vs,counterparty,message\n"
                                          "2026-11-03,499.00,CZK,10001,Novák Jan,internet\n")
    (files / "binary.bin").write_bytes(bytes(range(256)) * 64)
    with open(files / "big.csv", "wb") as f:  # sparse: 200 MB that cost no disk
        f.truncate(200 * 1024 * 1024)
    (files / "out").mkdir()
    from ispterm.billing.statements.importer import import_file
    from ispterm.billing.statements.unmatched import unmatched

    (files / "unmatched.csv").write_text("date,amount,currency,vs,counterparty,message\n"
                                          "2026-11-04,300.00,CZK,99999,Nobody,?\n")
    import_file(ctx, str(files / "unmatched.csv"))
    unmatched_ids = [p.id for p in unmatched(ctx)]
    ids = {"n": n, "n2": n2, "contact": contact, "note": note, "invoice": invoice.id,
           "invoice_number": invoice.number, "payment": payment, "task": task, "message": message,
           "unmatched": unmatched_ids[0] if unmatched_ids else payment,
           "statement": files / "statement.csv", "body": files / "body.txt", "out": files / "out",
           "missing": files / "nonexistent" / "x.csv", "directory": files, "binary": files / "binary.bin",
           "big": files / "big.csv"}
    dispose_engines()
    yield url, {k: str(v) for k, v in ids.items()}
    dispose_engines()


def bs_price(text: str):
    from decimal import Decimal

    return Decimal(text)


def fingerprint(url: str) -> str:
    """Every row of every table, hashed (the database "dump" a case must leave as it was)."""
    import sqlite3

    path = url.removeprefix("sqlite:///")
    digest = hashlib.sha256()
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            digest.update(table.encode())
            for row in sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{table}"')):
                digest.update(row.encode())
    return digest.hexdigest()


@pytest.mark.parametrize("args,index,bad", _cases())
def test_bad_input_gets_one_error_line_and_changes_nothing(world, capsys, tmp_path, args, index, bad):
    from tests.conftest import cli_on

    url, ids = world
    argv = [a.format(**ids) for a in args]
    value = bad.format(**ids) if bad.startswith("{") else bad
    argv[index] = argv[index].replace("@", value) if "@" in argv[index] else value
    if args[index].startswith("{") is False and "@" not in args[index] and "=" in args[index]:
        argv[index] = value  # a whole --set pair replaced: an unknown or broken field
    before = fingerprint(url)
    code, _out, err = cli_on(url, capsys)(*argv)
    shown = repr(argv)[:300]
    assert "Traceback" not in err, f"{shown}: {err[-2000:]}"
    assert code == 1, f"{shown}: exit {code}, stderr {err[:300]!r}"
    assert err.startswith("error: ") and err.count("\n") == 1, f"{shown}: {err[:500]!r}"
    assert len(err) < 2000, f"{shown}: the error line is {len(err)} characters long"
    assert fingerprint(url) == before, f"{shown}: the database changed"
    assert not Path("/tmp/ispterm-pwned").exists()


def test_the_table_covers_every_command():
    """A new command must join the table (with its slots), or be named here with why not."""
    import typer

    from ispterm.cli.main import build_app

    skipped = {  # command: why it has no bad-value slots of its own here
        "demo": "makes and opens the demo database; takes no values",
        "init": "takes no values (its faults: tests/test_schema_faults.py)",
        "db status": "takes no values", "db upgrade": "takes no values",
        "config path": "takes no values", "config show": "takes no values",
        "customer fields": "takes no values", "billing group list": "takes no values",
        "operator list": "takes no values", "settings list": "takes no values",
        "mail variables": "takes no values", "mail template list": "only --kind, a choice of two",
        "mail template edit": "the same values as template add",
        "mail settings": "the same values as mail send",
        "task list": "only --customer, as task add",
        "sample generate": "--customers/--months are ranges typer checks",
    }
    tree = typer.main.get_command(build_app())
    names: set[str] = set()

    def walk(cmd, path):
        for name, sub in getattr(cmd, "commands", {}).items():
            if getattr(sub, "commands", None):
                walk(sub, path + [name])
            else:
                names.add(" ".join(path + [name]))

    walk(tree, [])
    covered = {_name(args, names) for args, _slots in COMMANDS}
    assert names - covered - set(skipped) == set()
    assert len(_cases()) > 800


def _name(args: list[str], names: set[str]) -> str:
    for length in (3, 2, 1):
        candidate = " ".join(args[:length])
        if candidate in names:
            return candidate
    return " ".join(args[:2])

