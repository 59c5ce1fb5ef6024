"""The mail and SMS CLI contract: output, JSON shapes, one-line errors that queue nothing."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def customer(cli):
    assert cli("settings", "set", "sender_addresses", "noc@isp.example, billing@isp.example")[0] == 0
    code, out, err = cli("customer", "add", "--name", "Novák Jan", "--set", "email=jan@example.cz",
                         "--set", "mobile=777 123 456")
    assert code == 0, err
    return out.strip()


def test_send_queue_retry_cancel_roundtrip(cli, customer, tmp_path):
    body = tmp_path / "body.txt"
    body.write_text("Dobrý den {{ name }},\nzůstatek {{ balance }}.\n", encoding="utf-8")
    files = []
    for i in range(2):
        f = tmp_path / f"příloha{i}.txt"
        f.write_bytes(b"x" * 1500)
        files += ["--attach", str(f)]
    code, out, err = cli("mail", "send", customer, "--subject", "Zůstatek", "--body-file", str(body),
                         "--to", "main", "--to", "someone@example.org", *files, "--priority", "high",
                         "--sender", "billing@isp.example")
    assert (code, err) == (0, ""), err
    assert out.startswith("message ") and "příloha0.txt (1.5 kB)" in out
    code, out, _ = cli("mail", "queue", "--json")
    [item] = json.loads(out)
    assert {k: item[k] for k in ("kind", "status", "priority", "attempts", "customer", "to", "sender", "subject")} == {
        "kind": "email", "status": "queued", "priority": "high", "attempts": 0, "customer": int(customer),
        "to": "jan@example.cz, someone@example.org", "sender": "billing@isp.example", "subject": "Zůstatek"}
    assert [a["size"] for a in item["attachments"]] == [1500, 1500]
    assert item["message_id"].startswith("<") and item["message_id"].endswith("@isp.example>")
    mid = str(item["id"])
    assert cli("mail", "cancel", mid)[0] == 0
    assert json.loads(cli("mail", "queue", "--status", "cancelled", "--json")[1])[0]["id"] == item["id"]
    code, _, err = cli("mail", "cancel", mid)
    assert code == 1 and "only queued messages" in err
    assert cli("mail", "retry", mid)[0] == 0
    assert json.loads(cli("mail", "queue", "--status", "queued", "--json")[1])[0]["id"] == item["id"]
    code, out, _ = cli("history", customer, "--json")
    actions = [r["action"] for r in json.loads(out)]
    assert {"email_queued", "email_cancelled"} <= set(actions)
    # The sender choice is remembered for the operator.
    assert cli("mail", "send", customer, "--template", "account_statement")[0] == 0
    assert json.loads(cli("mail", "queue", "--json")[1])[0]["sender"] == "billing@isp.example"


def test_sms_send_and_count(cli, customer, tmp_path):
    gateway = tmp_path / "gateway.toml"
    gateway.write_text('[sms]\nurl = "http://127.0.0.1:9/send"\n')
    code, out, err = cli("--config", str(gateway), "sms", "send", customer, "Dobrý den, výpadek do 12:00.")
    assert (code, err) == (0, "")
    assert "queued to +420777123456 (1 part, ucs2)" in out
    assert cli("sms", "count", "a" * 161)[1].strip() == "161 chars, 2 SMS, GSM-7"
    assert json.loads(cli("mail", "queue", "--kind", "sms", "--json")[1])[0]["to"] == "+420777123456"


def test_templates_and_variables(cli, customer, tmp_path):
    body = tmp_path / "t.txt"
    body.write_text("Hi {{ name }}, call {{ hotline }}\n")
    code, _, err = cli("mail", "template", "add", "call", "--subject", "Call us", "--body-file", str(body))
    assert code == 1 and err == "error: --body-file: line 1: unknown variable 'hotline'; see 'ispterm mail variables'\n"
    assert cli("mail", "variable", "hotline", "800 123 456")[0] == 0
    assert cli("mail", "template", "add", "call", "--subject", "Call us", "--body-file", str(body))[0] == 0
    code, out, _ = cli("mail", "template", "show", "call")
    assert out.startswith("Subject: Call us\n\nHi {{ name }}")
    names = [v["name"] for v in json.loads(cli("mail", "variables", "--json")[1])]
    assert "hotline" in names and "service_ip" in names
    assert "call" in cli("mail", "template", "list")[1]


BAD_INPUT = [
    (["--subject", "S", "--body-file", "{body}"] + ["--attach", "{file}"] * 6, "attach: at most 5 attachments, got 6"),
    (["--subject", "S", "--body-file", "{body}", "--attach", "/nonexistent/x.pdf"], "cannot read '/nonexistent/x.pdf'"),
    (["--subject", "S", "--body-file", "/nonexistent/body.txt"], "body-file: cannot read"),
    (["--subject", "S", "--body-file", "{body}", "--to", "not-an-address"], "to: not a valid e-mail address"),
    (["--template", "no_such_template"], "no email template 'no_such_template'"),
    (["--subject", "S\r\nBcc: victim@example.org", "--body-file", "{body}"], "subject: must not contain line breaks"),
    (["--subject", "S", "--body-file", "{body}", "--sender", "evil@example.org"], "sender: evil@example.org is not a system address"),
    (["--subject", "S", "--body-file", "{body}", "--priority", "urgent"], "priority: must be one of"),
    (["--subject", "S", "--body-file", "{body}", "--to", "technical"], "has no technical e-mail"),
    (["--subject", "{{ nope }}", "--body-file", "{body}"], "nope"),
    # Header injection through a name, an address or the sender.
    (["--subject", "S", "--body-file", "{body}", "--to", "Evil\r\nBcc: victim@example.org <a@test.example>"],
     "--to: must not contain line breaks"),
    (["--subject", "S", "--body-file", "{body}", "--to", "a@test.example\r\nBcc: victim@example.org"],
     "--to: must not contain line breaks"),
    (["--subject", "S", "--body-file", "{body}", "--sender", "Evil\nBcc: victim@example.org <noc@isp.example>"],
     "--sender: must not contain line breaks"),
    (["--subject", "S", "--body-file", "{body}", "--to", 'Jan "Honza" Novák <a@test.example>'],
     '--to: a name with a double quote or < > in it must be in double quotes: "name" <address>'),
    # NUL and other control characters (line breaks and tabs are text) in subjects and bodies.
    (["--subject", "S", "--body-file", "{nul}"], "--body-file: contains the control character U+0000"),
    (["--subject", "S\x07", "--body-file", "{body}"], "--subject: must be a single line without control characters"),
    (["--subject", "S", "--html-file", "{esc}"], "--html-file: contains the control character U+001B"),
]


def test_bad_input_is_one_line_and_queues_nothing(cli, customer, tmp_path):
    body = tmp_path / "b.txt"
    body.write_text("text")
    f = tmp_path / "f.txt"
    f.write_text("x")
    files = {"{body}": body, "{file}": f, "{nul}": tmp_path / "nul.txt", "{esc}": tmp_path / "esc.html"}
    files["{nul}"].write_text("Dobrý den,\x00 tady\tje\nNUL.\n", encoding="utf-8")
    files["{esc}"].write_text("<p>red \x1b[31m text</p>", encoding="utf-8")
    history_before = cli("history", customer, "--json")[1]
    for args, message in BAD_INPUT:
        args = [str(files.get(a, a)) for a in args]
        code, out, err = cli("mail", "send", customer, *args)
        assert code == 1, args
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
        assert message in err, (message, err)
        assert json.loads(cli("mail", "queue", "--json")[1]) == []
        assert cli("history", customer, "--json")[1] == history_before


def test_payment_reminder_to_a_customer_who_owes_nothing_is_refused(cli, ctx, customer, tmp_path):
    """E-mail and SMS, CLI and service (the app passes the template it filled the text from):
    one line saying why, exit 1, nothing queued; once something is unpaid the reminder goes."""
    from datetime import date
    from decimal import Decimal

    from ispterm.billing import invoicing as inv
    from ispterm.billing import service as bs
    from ispterm.errors import ValidationError
    from ispterm.messaging.service import list_queue, send_email, send_sms

    n = int(customer)
    gateway = tmp_path / "gateway.toml"
    gateway.write_text('[sms]\nurl = "http://127.0.0.1:9/send"\n')
    why = f"customer {n} owes nothing: no payment reminder is sent"

    def refused_everywhere():
        for args in (("mail", "send", customer, "--template", "payment_reminder"),
                     ("--config", str(gateway), "sms", "send", customer, "--template", "payment_reminder")):
            code, out, err = cli(*args)
            assert (code, out) == (1, ""), args
            assert err.startswith("error: ") and err.endswith(f"{why}\n") and err.count("\n") == 1, err
        for call in (lambda: send_email(ctx, n, template="payment_reminder", subject="Payment reminder",
                                        body="Edited: we are missing {{ owed }}."),
                     lambda: send_sms(ctx, n, "Edited {{ owed }}", template="payment_reminder")):
            with pytest.raises(ValidationError) as info:
                call()
            assert (info.value.field, info.value.why) == ("template", why)
        assert list_queue(ctx, number=n) == []

    refused_everywhere()  # nothing ever invoiced
    inv.issue_invoice(ctx, n, [inv.Line("Fiber", Decimal("500.00"))], issued_on=date(2026, 1, 1))
    bs.record_payment(ctx, n, "500.00", date(2026, 1, 5))
    refused_everywhere()  # invoiced and paid in full: balance 0.00
    inv.issue_invoice(ctx, n, [inv.Line("Fiber", Decimal("500.00"))], issued_on=date(2026, 2, 1))
    code, out, err = cli("mail", "send", customer, "--template", "payment_reminder")
    assert code == 0, err
    [item] = list_queue(ctx, number=n)
    assert item.subject == "Payment reminder"
    code, out, err = cli("--config", str(gateway), "sms", "send", customer, "--template", "payment_reminder")
    assert code == 0, err


def test_readonly_operator_cannot_send(cli, customer):
    assert cli("operator", "add", "viewer", "--role", "readonly")[0] == 0
    code, _, err = cli("mail", "send", customer, "--template", "payment_reminder", operator="viewer")
    assert code == 1 and "may not log communication" in err


def test_sms_without_a_gateway_is_refused_and_queues_nothing(cli, customer, tmp_path):
    none = tmp_path / "none.toml"
    none.write_text('[smtp]\nhost = "127.0.0.1"\n')
    code, out, err = cli("--config", str(none), "sms", "send", customer, "Dobrý den.")
    assert (code, out) == (1, "")
    assert err == "error: no SMS gateway is configured (sms.url is empty), so nothing was queued\n"
    assert json.loads(cli("mail", "queue", "--json")[1]) == []


def test_mail_run_with_an_unwritable_journal_directory_is_one_line_and_sends_nothing(cli, customer, tmp_path,
                                                                                      monkeypatch):
    """The journal is what bounds duplicates after a crash: no journal, no sending."""
    code, _, err = cli("mail", "send", customer, "--template", "account_statement")
    assert code == 0, err
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data directory should be")
    monkeypatch.setenv("ISPTERM_DATA_DIR", str(blocked))
    config = tmp_path / "smtp.toml"
    config.write_text('[smtp]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\n')
    code, out, err = cli("--config", str(config), "mail", "run", "--once")
    assert (code, out) == (1, "")
    assert err == f"error: cannot write the sender journal in {blocked / 'sender-journal'}: Not a directory " \
                  "(set ISPTERM_DATA_DIR to a writable directory)\n"
    assert [m["status"] for m in json.loads(cli("mail", "queue", "--json")[1])] == ["queued"]


def test_mail_run_once_on_a_locked_database_fails_and_leaves_the_queue_as_it_was(sqlite_url, capsys, monkeypatch,
                                                                                  tmp_path):
    """``--once`` in a script: a claim the database refused is not "nothing due" (exit 0)."""
    import sqlite3

    from ispterm.connect import dispose_engines
    from ispterm.store import engine
    from tests.conftest import cli_on

    cli = cli_on(sqlite_url, capsys)
    assert cli("settings", "set", "sender_addresses", "noc@isp.example")[0] == 0
    code, number, err = cli("customer", "add", "--name", "Novák Jan", "--set", "email=jan@example.cz")
    assert code == 0, err
    assert cli("mail", "send", number.strip(), "--template", "account_statement")[0] == 0
    dispose_engines()
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    config = tmp_path / "smtp.toml"
    config.write_text('[smtp]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\n')
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock (an invoice run, say)
    try:
        code, out, err = cli("--config", str(config), "mail", "run", "--once")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 1
    assert out == "sent 0, will retry 0, failed 0, 1 error(s)\n"
    assert "cannot claim messages" in err and "database is locked" in err
    assert err.splitlines()[-1] == ("error: the sender met 1 error(s), logged above; messages it could not send "
                                    "or record are still queued")
    assert [m["status"] for m in json.loads(cli("mail", "queue", "--json")[1])] == ["queued"]


def test_names_and_addresses_beyond_ascii_are_queued_as_typed(cli, customer, tmp_path):
    """``Name <address>`` with diacritics, an internationalised domain (typed in Unicode or as
    xn--) and a local part beyond ASCII: queued, shown as a person reads them."""
    body = tmp_path / "body.txt"
    body.write_text("Dobrý den.\n", encoding="utf-8")
    code, out, err = cli("mail", "send", customer, "--subject", "Zkouška", "--body-file", str(body),
                         "--to", "Žofie Nováková <a@test.example>", "--to", "b@xn--pklad-zsa96e.example",
                         "--to", "žofie@example.cz", "--sender", "Podpora ISP <noc@isp.example>")
    assert (code, err) == (0, ""), err
    to = "a@test.example, b@příklad.example, žofie@example.cz"
    assert out.endswith(f"queued to {to}\n")
    [item] = json.loads(cli("mail", "queue", "--json")[1])
    assert (item["to"], item["sender"]) == (to, "noc@isp.example")


def test_an_sms_with_a_control_character_is_one_line_and_queues_nothing(cli, customer, tmp_path):
    gateway = tmp_path / "gateway.toml"
    gateway.write_text('[sms]\nurl = "http://127.0.0.1:9/send"\n')
    # ESC: a terminal would run what follows (a NUL cannot even reach argv from a shell)
    code, out, err = cli("--config", str(gateway), "sms", "send", customer, "Dobrý den\x1b[2J, výpadek.")
    assert (code, out) == (1, "")
    assert err == "error: TEXT: contains the control character U+001B\n"
    assert json.loads(cli("mail", "queue", "--json")[1]) == []
