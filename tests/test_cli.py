"""The CLI contract: names, JSON shapes, one-line errors with exit 1, nothing half-written."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_ispterm


def test_add_show_edit_roundtrip(cli):
    code, out, err = cli("customer", "add", "--name", "Novák Jan", "--set", "email=jan@example.cz",
                         "--set", "mobile=777 123 456", "--set", "city=Šumperk")
    assert (code, err) == (0, "")
    number = int(out.strip())
    code, out, _ = cli("customer", "show", str(number), "--json")
    data = json.loads(out)
    assert code == 0
    for key in ("number", "name", "email", "phone", "status", "balance", "scoring"):
        assert key in data
    assert data["name"] == "Novák Jan" and data["status"] == "Connected" and data["balance"] == "0.00"
    assert cli("customer", "edit", str(number), "--set", "city=Zábřeh")[0] == 0
    code, out, _ = cli("history", str(number), "--json")
    assert any(r["field"] == "city" and r["old"] == "Šumperk" and r["new"] == "Zábřeh" for r in json.loads(out))
    code, out, _ = cli("customer", "search", "novak", "--json")
    assert [r["number"] for r in json.loads(out)] == [number]
    code, out, _ = cli("customer", "show", str(number))
    assert "Zábřeh" in out and "Novák Jan" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["customer", "show", "424242"], "customer 424242 does not exist"),
        (["customer", "edit", "{n}", "--set", "email=nope"], "email:"),
        (["customer", "edit", "{n}", "--set", "colour=red"], "colour: unknown field"),
        (["customer", "edit", "{n}", "--set", "noequals"], "expected FIELD=VALUE"),
        (["customer", "add", "--name", "X", "--set", "ico=123"], "ico:"),
        (["customer", "show", "abc"], "number"),
        (["settings", "get", "no_such_setting"], "unknown setting 'no_such_setting'"),
        (["settings", "set", "invoice_due_days", "soon"], "invoice_due_days: must be a whole number"),
        (["note", "add", "424242", "hello"], "customer 424242 does not exist"),
        (["operator", "add", "x y", "--role", "support"], "login"),
        (["operator", "add", "newbie", "--role", "wizard"], "unknown role"),
        (["sample", "load", "--file", "/nonexistent/file.json"], "nonexistent"),
        (["customer", "search", "x", "--limit", "0"], "limit"),
    ],
)
def test_bad_input_is_one_line_exit_1_and_changes_nothing(cli, args, message):
    n = cli("customer", "add", "--name", "Stable Customer")[1].strip()
    before = cli("customer", "show", n, "--json")[1]
    history_before = cli("history", "--limit", "1000", "--json")[1]
    code, out, err = cli(*[a.replace("{n}", n) for a in args])
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in err
    assert cli("customer", "show", n, "--json")[1] == before
    assert cli("history", "--limit", "1000", "--json")[1] == history_before


@pytest.mark.parametrize("args,start", [
    # Services name their fields (due, amount, due_on, ...); a command's error names what the
    # user typed there: the option, or the argument in capitals.
    (["billing", "invoice", "{n}", "--line", "Fiber:13", "--issued-on", "2026-11-10", "--due-on", "2026-11-01"],
     "--due-on: the due date is before the issue date"),
    (["billing", "invoice", "{n}", "--line", "Fiber:13:1:150"], "--line: VAT rate must be between 0 and 100"),
    (["billing", "pay", "{n}", "abc"], "AMOUNT: not an amount"),
    (["billing", "pay", "{n}", "5", "--vs", "abc"], "--vs: a variable symbol has digits only"),
    (["billing", "invoice-run", "--period", "2026-13"], "--period: expected YYYY-MM"),
    (["billing", "pdf", "202600001", "--group", "nosuch"], "--group: unknown billing group 'nosuch'"),
    (["billing", "group", "edit", "Main"], "--set: nothing to change"),
    (["billing", "service-settings", "{n}", "--send", "not an address"], "--send: not a valid e-mail address"),
    (["billing", "import", "{file}", "--csv-delimiter", ";;"], "--csv-delimiter: must be one character"),
    (["billing", "import", "{file}", "--format", "pdf"], "--format: unknown statement format 'pdf'"),
    (["task", "add", "Fix", "--due-on", "2026-02-30"], "--due-on: no such date"),
    (["task", "add", "Fix", "--due", "2026-02-30"], "--due: no such date"),  # the old spelling, as typed
    (["task", "add", "Fix", "--due", "2026-02-01", "--due-on", "2026-02-01"],
     "--due: is the old spelling of --due-on; give only one of them"),
    (["billing", "statement", "{n}", "--from", "2026-01-01", "--until", "2026-13-01"], "--until: no such date"),
    (["billing", "statement", "{n}", "--from", "2026-01-01", "--to", "2026-13-01"], "--to: no such date"),
    (["billing", "statement", "{n}", "--from", "2026-02-01", "--until", "2026-01-01"],
     "--until: the end of the period is before its start"),
    (["billing", "statement", "{n}", "--from", "2026-02-01", "--to", "2026-01-01"],
     "--to: the end of the period is before its start"),
    (["billing", "statement", "{n}", "--from", "2026-01-01"], "Missing option '--until'"),
    (["mail", "settings", "{n}", "--to", "not an address"], "--to: not a valid e-mail address"),
    (["mail", "contact", "1", "account_statement", "--until", "2026-13-01"], "--until: no such date"),
    (["task", "add", "Fix", "--assign", "nobody"], "--assign: unknown operator 'nobody'"),
    (["service", "add", "{n}", "--plan", "Fiber", "--price", "1", "--vat", "x"], "--vat: not an amount"),
    (["mail", "queue", "--status", "lost"], "--status: must be one of"),
    (["mail", "template", "show", "welcome", "--kind", "fax"], "--kind: must be one of"),
    (["mail", "contact", "1", "account_statement", "--from", "2026-13-01"], "--from: no such date"),
    (["mail", "send", "{n}", "--subject", "S", "--body-file", "/nonexistent/body.txt"], "--body-file: cannot read"),
])
def test_errors_name_the_option_the_user_typed(cli, args, start):
    n = cli("customer", "add", "--name", "Flag Customer")[1].strip()
    code, out, err = cli(*[a.replace("{n}", n).replace("{file}", __file__) for a in args])
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {start}") and err.count("\n") == 1, err


@pytest.mark.parametrize("command,old,new", [
    ("billing statement", "--to", "--until"),
    ("billing service-settings", "--send", "mail settings"),
    ("task add", "--due", "--due-on"),
])
def test_old_spellings_are_hidden_from_help_and_listed(cli, command, old, new):
    """Scripts may still type them (tests below); help and completion offer only the new one."""
    import re

    from ispterm.cli.aliases import OLD_SPELLINGS

    code, out, _ = cli(*command.split(), "--help")
    assert code == 0
    assert not re.search(rf"(?<![\w-]){old}(?![\w-])", out), out
    assert new in out and (command, old) in OLD_SPELLINGS


def test_old_spellings_do_what_the_new_ones_do(cli, ctx, tmp_path):
    from ispterm.messaging.service import list_queue
    from ispterm.settings.service import set_setting

    set_setting(ctx, "sender_addresses", "noc@isp.example")
    n = cli("customer", "add", "--name", "Old Scripts")[1].strip()
    for flag, name in (("--until", "new.pdf"), ("--to", "old.pdf")):
        code, out, err = cli("billing", "statement", n, "--from", "2026-01-01", flag, "2026-01-31",
                             "-o", str(tmp_path / name))
        assert code == 0 and out.startswith(f"wrote {tmp_path / name}"), err
    assert (tmp_path / "new.pdf").stat().st_size == (tmp_path / "old.pdf").stat().st_size
    for flag in ("--due-on", "--due"):
        assert cli("task", "add", f"Visit {flag}", flag, "2026-03-01")[0] == 0
    assert [t["due_on"] for t in json.loads(cli("task", "list", "--json")[1])] == ["2026-03-01"] * 2
    # One command sends the service settings; the old spelling is that command.
    new = cli("mail", "settings", n, "--to", "tech@isp.example")
    old = cli("billing", "service-settings", n, "--send", "tech@isp.example")
    assert new[0] == old[0] == 0
    assert new[1].replace("message 1", "message 2") == old[1] == \
        f"message 2 queued to tech@isp.example with service-settings-{n}.pdf\n"
    assert [(m.to, m.attachments[0][0]) for m in list_queue(ctx, number=int(n))] == \
        [("tech@isp.example", f"service-settings-{n}.pdf")] * 2


def test_notes_private_flag_through_cli(cli):
    n = cli("customer", "add", "--name", "Cli Notes")[1].strip()
    assert cli("operator", "add", "eva", "--role", "support")[0] == 0
    assert cli("note", "add", n, "secret stuff", "--private")[0] == 0
    assert cli("note", "add", n, "call first", "--alert")[0] == 0
    mine = json.loads(cli("note", "list", n, "--json")[1])
    theirs = json.loads(cli("note", "list", n, "--json", operator="eva")[1])
    assert {x["text"] for x in mine} == {"secret stuff", "call first"}
    assert [x["text"] for x in theirs] == ["call first"] and theirs[0]["alert"] is True
    exported = cli("customer", "export", "Cli Notes", operator="eva")[1]
    assert "secret stuff" not in exported and "call first" in exported
    assert "secret stuff" not in cli("history", n, operator="eva")[1]


def test_operator_permissions_through_cli(cli):
    assert cli("operator", "add", "viewer", "--role", "read-only")[0] == 0
    code, _, err = cli("customer", "add", "--name", "Nope", operator="viewer")
    assert code == 1 and "may not add customers" in err
    code, _, err = cli("customer", "show", "1", operator="ghost")
    assert code == 1 and "operator 'ghost' is not known" in err
    code, out, _ = cli("operator", "list", "--json")
    assert {o["login"]: o["role"] for o in json.loads(out)} == {"admin": "master_admin", "viewer": "readonly"}


def test_settings_through_cli(cli):
    assert cli("settings", "get", "invoice_due_days")[1].strip() == "14"
    assert cli("settings", "set", "invoice_due_days", "21")[0] == 0
    assert cli("settings", "get", "invoice_due_days")[1].strip() == "21"
    listing = json.loads(cli("settings", "list", "--json")[1])
    assert listing["invoice_due_days"] == 21 and listing["phone_region"] == "CZ"
    assert cli("settings", "set", "phone_region", "sk")[0] == 0
    n = cli("customer", "add", "--name", "Slovak", "--set", "phone=0905 123 456")[1].strip()
    assert json.loads(cli("customer", "show", n, "--json")[1])["phone"] == "+421905123456"


def test_fields_lists_every_settable_field(cli):
    out = cli("customer", "fields")[1]
    for name in ("email", "billing_email", "gps", "ico", "dic", "iban", "vs_alt1", "status", "marks"):
        assert name in out


def test_tasks_through_cli(cli):
    n = cli("customer", "add", "--name", "Broken Router")[1].strip()
    code, out, _ = cli("task", "add", "Replace router", "--customer", n, "--type", "Fault repair",
                       "--assign", "admin", "--priority", "high")
    assert code == 0
    tasks = json.loads(cli("task", "list", "--customer", n, "--json")[1])
    assert tasks[0]["type"] == "Fault repair" and tasks[0]["assignees"] == ["admin"]
    assert cli("task", "status", str(tasks[0]["id"]), "done")[0] == 0
    code, _, err = cli("task", "add", "Fix backbone", "--customer", n, "--type", "Network maintenance")
    assert code == 1 and "has no customer field" in err


def test_init_makes_first_operator_master_admin_and_is_repeatable(tmp_path, capsys):
    from ispterm.cli.main import main

    url = f"sqlite:///{tmp_path / 'new.db'}"
    main(["--db", url, "--operator", "jana", "init"])
    out = capsys.readouterr().out
    assert "jana created as master admin" in out
    main(["--db", url, "--operator", "petr", "init"])
    assert "created" not in capsys.readouterr().out
    main(["--db", url, "--operator", "jana", "operator", "list"])
    assert "master_admin" in capsys.readouterr().out


def test_database_url_precedence(tmp_path, monkeypatch, capsys):
    from ispterm.cli.main import main

    env_db, cfg_db = tmp_path / "env.db", tmp_path / "cfg.db"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{cfg_db}"\n[operator]\nlogin = "cfgop"\n')
    main(["--config", str(cfg), "init"])
    assert cfg_db.exists() and "cfgop created" in capsys.readouterr().out
    monkeypatch.setenv("ISPTERM_DB", f"sqlite:///{env_db}")
    monkeypatch.setenv("ISPTERM_OPERATOR", "envop")
    main(["--config", str(cfg), "init"])
    assert env_db.exists() and "envop created" in capsys.readouterr().out


def test_missing_database_subprocess(tmp_path):
    result = run_ispterm("--db", f"sqlite:///{tmp_path / 'none.db'}", "customer", "search", "x")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: database") and "ispterm init" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "none.db").exists()


def test_bad_config_file_subprocess(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[smtp]\nport = 'x'\n")
    result = run_ispterm("--config", str(cfg), "customer", "search", "x")
    assert result.returncode == 1 and result.stderr.startswith("error: ") and "smtp.port" in result.stderr
    result = run_ispterm("config", "set", "smtp.nope", "1", env={"ISPTERM_CONFIG": str(tmp_path / "c.toml")})
    assert result.returncode == 1 and "unknown config key" in result.stderr


def test_help_does_not_import_heavy_modules():
    import subprocess
    import sys

    code = ("import sys; sys.argv=['ispterm','--help']\n"
            "from ispterm.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy=[m for m in ('sqlalchemy','sqlmodel','textual','alembic','psycopg','phonenumbers') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "HEAVY []" in out
    assert "customer" in out


def test_domain_never_imports_textual():
    import subprocess
    import sys

    code = ("import sys, pkgutil, importlib, ispterm\n"
            "for m in pkgutil.walk_packages(ispterm.__path__, 'ispterm.'):\n"
            "    if '.migrations' in m.name: continue\n"
            "    importlib.import_module(m.name)\n"
            "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "CLEAN"


def test_contacts_and_services_through_cli(cli):
    n = cli("customer", "add", "--name", "Cli Company", "--set", "legal_form=company")[1].strip()
    code, out, err = cli("contact", "add", n, "--set", "name=Jana Malá", "--set", "email=jana@example.cz")
    assert code == 0, err
    code, out, err = cli("service", "add", n, "--plan", "Fiber 250", "--price", "413.22", "--ip", "185.1.2.3")
    assert code == 0, err
    data = json.loads(cli("customer", "show", n, "--json")[1])
    assert data["contacts"][0]["name"] == "Jana Malá"
    assert data["services"][0]["ips"][0]["address"] == "185.1.2.3"
    code, _, err = cli("service", "add", n, "--plan", "X", "--price", "1", "--ip", "185.1.2.3")
    assert code == 1 and "already used" in err


def test_flags_rename_every_field_of_a_form_error():
    from ispterm.cli.state import flags
    from ispterm.errors import InvalidFields, ValidationError

    @flags(due="--due-on")
    def command():
        raise InvalidFields([ValidationError("due", "bad"), ValidationError("lines", "none")])

    with pytest.raises(InvalidFields) as info:
        command()
    assert str(info.value) == "--due-on: bad; lines: none"
    assert [e.field for e in info.value.errors] == ["--due-on", "lines"]


def test_a_number_too_large_for_the_database_is_refused_as_typed(cli):
    code, _out, err = cli("customer", "show", "9" * 30)
    assert code == 1 and err.startswith("error: Invalid value for 'number'") and err.count("\n") == 1


def test_an_argument_that_is_not_utf8_is_refused_before_anything_runs(cli):
    code, _out, err = cli("note", "add", "10001", "caf\udce9\udcff")  # argv of bytes caf\xe9\xff
    assert code == 1 and "caf\\xe9\\xff is not valid UTF-8" in err
