"""Configuration file: defaults, validation that never damages the file, and round trips."""

from __future__ import annotations

import dataclasses
import stat
import subprocess
import sys
import tomllib
import typing
from pathlib import Path

import pytest

from ispterm import config
from ispterm.errors import ConfigError


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep every test away from the real user's config and data directories."""
    monkeypatch.setenv("ISPTERM_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("ISPTERM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ISPTERM_CONFIG", raising=False)
    return tmp_path


def cfg_file() -> Path:
    return config.default_config_path()


def write(text: str) -> Path:
    path = cfg_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- locations ---------------------------------------------------------------------------


def test_dirs_honour_env_and_are_not_created(isolated: Path) -> None:
    assert config.config_dir() == isolated / "cfg"
    assert config.data_dir() == isolated / "data"
    assert config.default_config_path() == isolated / "cfg" / "config.toml"
    assert config.default_sqlite_url() == "sqlite:///" + str(isolated / "data" / "ispterm.db")
    assert not (isolated / "cfg").exists()
    assert not (isolated / "data").exists()


# --- loading -----------------------------------------------------------------------------


def test_defaults_when_no_file(isolated: Path) -> None:
    c = config.load()
    assert c.path == cfg_file()
    assert c.values == {k.name: k.default for k in config.KEYS.values()}
    assert c.get("smtp.port") == 587
    assert c.get("ui.mouse") is True
    assert c.get("smtp.timeout") == 30.0
    assert c.database.url == ""
    assert c.operator.login == ""
    assert c.ui.theme == "ispterm-dark"
    assert c.init.phone_region == "CZ"
    assert c.keymap == {} and c.sms.params == {}
    assert not (isolated / "cfg").exists()


def test_explicit_missing_path_is_error(isolated: Path) -> None:
    missing = isolated / "nope.toml"
    with pytest.raises(ConfigError, match=r"config file not found: .*nope\.toml"):
        config.load(missing)


def test_env_missing_path_is_error(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISPTERM_CONFIG", str(isolated / "env.toml"))
    with pytest.raises(ConfigError, match="config file not found"):
        config.load()


def test_env_path_is_used(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = isolated / "other.toml"
    other.write_text('[operator]\nlogin = "alice"\n', encoding="utf-8")
    monkeypatch.setenv("ISPTERM_CONFIG", str(other))
    assert config.load().operator.login == "alice"


def test_file_values_are_typed_and_normalised() -> None:
    write(
        '[smtp]\nport = 2525\ntimeout = 5\nsecurity = "TLS"\n'
        '[phone]\ndefault_region = "sk"\n'
        '[ui]\nmouse = false\n'
        '[database]\nurl = "postgresql+psycopg://u@h/db"\n'
    )
    c = config.load()
    assert c.get("smtp.port") == 2525
    assert c.get("smtp.timeout") == 5.0 and isinstance(c.get("smtp.timeout"), float)
    assert c.get("smtp.security") == "tls"
    assert c.init.phone_region == "SK"
    assert c.get("ui.mouse") is False
    assert c.database.url == "postgresql+psycopg://u@h/db"


def test_bad_toml_mentions_file_and_line() -> None:
    path = write('[smtp]\nport = 25\nhost = \n')
    with pytest.raises(ConfigError) as err:
        config.load()
    message = str(err.value)
    assert str(path) in message
    assert "line 3" in message
    assert "\n" not in message


def test_unknown_key_in_file_suggests() -> None:
    path = write('[smtp]\nhots = "mail.example.net"\n')
    with pytest.raises(ConfigError) as err:
        config.load()
    assert str(err.value) == f"config file {path}: unknown key 'smtp.hots' (did you mean 'smtp.host'?)"


def test_unknown_section_in_file() -> None:
    write('[smpt]\nhost = "x"\n')
    with pytest.raises(ConfigError, match=r"unknown section 'smpt' \(did you mean 'smtp'\?\)"):
        config.load()


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('[smtp]\nport = "587"\n', "smtp.port"),
        ("[smtp]\nport = 70000\n", "smtp.port"),
        ('[ui]\nmouse = "yes"\n', "ui.mouse"),
        ('[smtp]\nsecurity = "ssl"\n', "smtp.security"),
        ("[smtp]\ntimeout = 0\n", "smtp.timeout"),
        ("[operator]\nlogin = 5\n", "operator.login"),
        ('[phone]\ndefault_region = "CZE"\n', "phone.default_region"),
        ('[database]\nurl = "mysql://x"\n', "database.url"),
    ],
)
def test_wrong_type_or_value_in_file(body: str, key: str) -> None:
    path = write(body)
    with pytest.raises(ConfigError) as err:
        config.load()
    assert str(path) in str(err.value)
    assert f"'{key}'" in str(err.value)


@pytest.mark.parametrize(
    "body",
    ["[keymap]\nquit = 5\n", '[sms.params]\nsender = ["a"]\n', 'keymap = "x"\n'],
)
def test_free_form_tables_hold_strings_only(body: str) -> None:
    write(body)
    with pytest.raises(ConfigError):
        config.load()


def test_password_key_is_unknown() -> None:
    write('[smtp]\npassword = "hunter2"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'smtp\.password'.*smtp\.password_env"):
        config.load()
    with pytest.raises(ConfigError, match="unknown config key 'smtp.password'"):
        config.parse_value("smtp.password", "hunter2")
    assert not any("password" == k.rsplit(".", 1)[-1] for k in config.KEYS)


# --- get / parse_value ---------------------------------------------------------------------


def test_get_unknown_key_suggests() -> None:
    with pytest.raises(ConfigError, match=r"unknown config key 'smtp\.prot' \(did you mean 'smtp\.port'\?\)"):
        config.load().get("smtp.prot")


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("smtp.port", " 25 ", 25),
        ("ui.mouse", "Off", False),
        ("ui.mouse", "yes", True),
        ("ui.mouse", "1", True),
        ("smtp.security", "NONE", "none"),
        ("sms.method", "get", "GET"),
        ("smtp.timeout", "2.5", 2.5),
        ("smtp.rate_per_minute", "0", 0),
        ("phone.default_region", "de", "DE"),
        ("database.url", "sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("database.url", "postgresql://u@h/db", "postgresql://u@h/db"),
        ("database.url", "", ""),
        ("keymap.quit", "ctrl+q", "ctrl+q"),
    ],
)
def test_parse_value_accepts(key: str, raw: str, expected: object) -> None:
    assert config.parse_value(key, raw) == expected


def test_parse_value_message_format() -> None:
    with pytest.raises(ConfigError) as err:
        config.parse_value("smtp.port", "abc")
    assert str(err.value) == "config key 'smtp.port': must be an integer between 1 and 65535, got 'abc'"


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("smtp.port", "abc"),
        ("smtp.port", "0"),
        ("smtp.port", "65536"),
        ("smtp.connections", "17"),
        ("mail.lease_seconds", "9"),
        ("smtp.rate_per_minute", "-1"),
        ("smtp.security", "ssl"),
        ("ui.mouse", "maybe"),
        ("smtp.timeout", "0"),
        ("smtp.timeout", "nan"),
        ("phone.default_region", "C1"),
        ("database.url", "mysql://x"),
        ("smtp.password_env", "hunter2!"),
    ],
)
def test_bad_values_rejected_and_file_untouched(key: str, raw: str) -> None:
    path = write('# keep me\n[smtp]\nhost = "mail.example.net"\n')
    before = path.read_bytes()
    with pytest.raises(ConfigError) as err:
        config.set_value(key, raw)
    assert f"'{key}'" in str(err.value)
    assert repr(raw) in str(err.value)
    assert path.read_bytes() == before


def test_set_value_refuses_to_rewrite_a_broken_file() -> None:
    path = write("[smtp]\nhots = 1\n")
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="smtp.hots"):
        config.set_value("smtp.port", "25")
    assert path.read_bytes() == before


# --- set_value ---------------------------------------------------------------------------


def test_set_then_load_round_trip() -> None:
    new = config.set_value("smtp.port", "2525")
    assert new.get("smtp.port") == 2525
    config.set_value("ui.mouse", "no")
    config.set_value("smtp.timeout", "12.5")
    config.set_value("init.phone_region", "at")
    c = config.load()
    assert c.get("smtp.port") == 2525
    assert c.get("ui.mouse") is False
    assert c.get("smtp.timeout") == 12.5
    assert c.init.phone_region == "AT"
    doc = tomllib.loads(cfg_file().read_text(encoding="utf-8"))
    # Untouched defaults are not dumped into the file.
    assert doc == {
        "ui": {"mouse": False},
        "init": {"phone_region": "AT"},
        "smtp": {"port": 2525, "timeout": 12.5},
    }


def test_set_value_with_explicit_missing_path_creates_it(isolated: Path) -> None:
    path = isolated / "deep" / "dir" / "my.toml"
    config.set_value("operator.login", "bob", path)
    assert config.load(path).operator.login == "bob"


def test_set_value_keeps_keys_present_in_file_even_at_default() -> None:
    write('[smtp]\nport = 587\nhost = "mx"\n')
    config.set_value("smtp.connections", "4")
    doc = tomllib.loads(cfg_file().read_text(encoding="utf-8"))
    assert doc == {"smtp": {"port": 587, "host": "mx", "connections": 4}}


def test_keymap_and_sms_params_preserved() -> None:
    write('[keymap]\nquit = "ctrl+q"\n"customers.search" = "ctrl+f"\n[sms.params]\nsender = "ISP"\n')
    config.set_value("smtp.host", "mail.example.net")
    config.set_value("keymap.help", "f1")
    config.set_value("sms.params.route", "fast")
    c = config.load()
    assert c.keymap == {"quit": "ctrl+q", "customers.search": "ctrl+f", "help": "f1"}
    assert c.sms.params == {"sender": "ISP", "route": "fast"}
    assert c.get("smtp.host") == "mail.example.net"
    assert c.get("keymap.help") == "f1"
    assert c.get("sms.params.sender") == "ISP"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_file_mode_0600() -> None:
    path = write("")
    path.chmod(0o644)
    config.set_value("smtp.host", "mx")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left


# --- render ------------------------------------------------------------------------------


def test_render_is_toml_of_effective_config() -> None:
    write('[smtp]\nport = 465\nsecurity = "tls"\n[keymap]\n"a b" = "x\\"y"\n[sms.params]\nsender = "ISP"\n')
    c = config.load()
    text = config.render(c)
    doc = tomllib.loads(text)
    flat = {f"{s}.{k}": v for s, body in doc.items() if s != "keymap" for k, v in body.items() if k != "params"}
    assert flat == c.values
    assert doc["keymap"] == {"a b": 'x"y'}
    assert doc["sms"]["params"] == {"sender": "ISP"}
    assert config.default_sqlite_url() in text


# --- import weight -----------------------------------------------------------------------


def test_import_is_light() -> None:
    code = (
        "import sys, ispterm.config; "
        "bad = [m for m in ('tomli_w', 'sqlalchemy', 'textual') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the typed tree (issue 14) ------------------------------------------------------------


def test_load_returns_typed_values() -> None:
    write(
        '[smtp]\nhost = "mx"\nport = 2525\ntimeout = 5\nsecurity = "TLS"\n'
        '[sms]\nmethod = "get"\n[sms.params]\nto = "{to}"\n[mail]\nmax_attempts = 3\n'
        '[keymap]\n"app.quit" = "ctrl+q"\n'
    )
    c = config.load()
    assert isinstance(c.smtp, config.SmtpConfig) and isinstance(c.mail, config.MailConfig)
    assert c.smtp.host == "mx" and c.smtp.port == 2525 and type(c.smtp.port) is int
    assert c.smtp.timeout == 5.0 and type(c.smtp.timeout) is float
    assert c.smtp.security == "tls" and c.sms.method == "GET"
    assert c.ui.mouse is True and c.mail.max_attempts == 3 and c.mail.max_age_hours == 72
    assert dict(c.sms.params) == {"to": "{to}"} and dict(c.keymap) == {"app.quit": "ctrl+q"}
    # Every value has the type its field declares, defaults included.
    hints = {name: typing.get_type_hints(type(getattr(c, name))) for name in ("database", "smtp", "sms")}
    for key in config.KEYS.values():
        section, leaf = key.name.split(".", 1)
        value = getattr(getattr(c, section), leaf)
        expected = {"str": str, "int": int, "bool": bool, "float": float, "choice": str}[key.type]
        assert type(value) is expected, key.name
        if section in hints and key.type != "choice":
            assert hints[section][leaf] is expected, key.name


def test_the_tree_is_frozen() -> None:
    c = config.load()
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.smtp.port = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        c.keymap["app.quit"] = "q"  # type: ignore[index]
    keys = {"notes.add": "i"}
    built = config.Config(keymap=keys)
    keys["notes.add"] = "x"  # the caller's dict is copied, not kept
    assert built.keymap == {"notes.add": "i"}


def test_registry_is_derived_from_the_tree() -> None:
    """One declaration per key: every field of every section is a key (or a table) with its
    field's default and a help line, and nothing else is."""
    fields = {}
    for top in dataclasses.fields(config.Config):
        section = getattr(config.Config(), top.name)
        if dataclasses.is_dataclass(section):
            for f in dataclasses.fields(section):
                fields[f"{top.name}.{f.name}"] = f.default
    tables = {"sms.params", "keymap"}
    assert set(config.KEYS) == set(fields) - tables
    for name, key in config.KEYS.items():
        assert key.default == fields[name] and key.help.strip(), name
    assert config.KEYS["smtp.security"].choices == ("starttls", "tls", "none")
    assert config.KEYS["sms.method"].choices == ("GET", "POST")
    assert (config.KEYS["smtp.port"].minimum, config.KEYS["smtp.port"].maximum) == (1, 65535)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("[smtp]\nconnections = 17\n", "'smtp.connections': must be an integer between 1 and 16, got 17"),
        ('[sms]\nurl = "ftp://x"\n', "'sms.url': must be empty or a URL starting with 'http://'"),
        ('[sms]\npassword_env = "s3cr3t!"\n', "'sms.password_env': must be the name of an environment variable"),
        ("[mail]\nlease_seconds = 1.5\n", "'mail.lease_seconds': must be an integer >= 10, got 1.5"),
        ('[init]\nphone_region = "C"\n', "'init.phone_region': must be a two-letter region code"),
    ],
)
def test_a_bad_value_names_the_key_and_the_file(body: str, named: str) -> None:
    path = write(body)
    with pytest.raises(ConfigError) as err:
        config.load()
    assert str(err.value).startswith(f"config file {path}: key {named}")
    assert "\n" not in str(err.value)


# --- the old spelling of init.phone_region -------------------------------------------------


def test_old_phone_region_spelling_still_loads() -> None:
    """``[phone] default_region`` (before issue 14) is read as ``init.phone_region``, silently;
    ``config show`` says so, and the next ``config set`` writes the new name."""
    write('[phone]\ndefault_region = "sk"\n[smtp]\nport = 25\n')
    c = config.load()
    assert c.init.phone_region == "SK"
    assert c.get("phone.default_region") == "SK"
    assert c.renamed == (("phone.default_region", "init.phone_region"),)
    assert "'phone.default_region': that is the old name of 'init.phone_region'" in config.render(c)
    config.set_value("smtp.host", "mx")
    doc = tomllib.loads(cfg_file().read_text(encoding="utf-8"))
    assert doc == {"init": {"phone_region": "SK"}, "smtp": {"port": 25, "host": "mx"}}
    assert config.load().renamed == ()


def test_old_phone_region_spelling_in_config_set() -> None:
    new = config.set_value("phone.default_region", "at")
    assert new.init.phone_region == "AT"
    assert tomllib.loads(cfg_file().read_text(encoding="utf-8")) == {"init": {"phone_region": "AT"}}
    with pytest.raises(ConfigError) as err:
        config.parse_value("phone.default_region", "C1")
    assert str(err.value) == ("config key 'phone.default_region' (now 'init.phone_region'): "
                              "must be a two-letter region code such as 'CZ', got 'C1'")


def test_both_spellings_of_one_key() -> None:
    write('[phone]\ndefault_region = "SK"\n[init]\nphone_region = "sk"\n')
    assert config.load().init.phone_region == "SK"  # the same value twice is no conflict
    path = write('[phone]\ndefault_region = "SK"\n[init]\nphone_region = "AT"\n')
    with pytest.raises(ConfigError) as err:
        config.load()
    assert str(err.value) == (f"config file {path}: 'phone.default_region' and 'init.phone_region' are one "
                              "key with two values; keep only 'init.phone_region'")


def test_unknown_key_in_the_old_section_suggests_a_current_one() -> None:
    write('[phone]\nregion = "SK"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'phone\.region' \(did you mean 'init\.phone_region'\?\)"):
        config.load()


# --- ispterm config set / show ---------------------------------------------------------------


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from ispterm.cli.main import main

    capsys.readouterr()
    code = 0
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_config_set_and_show(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = write('# mine\n[smtp]\nhost = "mail.example.net"\n')
    assert _cli(capsys, "config", "set", "smtp.port", "2525") == (0, "smtp.port = 2525\n", "")
    assert _cli(capsys, "config", "set", "keymap.app.quit", "ctrl+q") == (0, "keymap.app.quit = ctrl+q\n", "")
    code, out, err = _cli(capsys, "config", "set", "phone.default_region", "de")
    assert (code, out, err) == (0, "init.phone_region = DE\n",
                                "note: 'phone.default_region' is now called 'init.phone_region'\n")
    before = path.read_bytes()
    code, out, err = _cli(capsys, "config", "set", "smtp.port", "abc")
    assert (code, out) == (1, "")
    assert err == "error: config key 'smtp.port': must be an integer between 1 and 65535, got 'abc'\n"
    code, _, err = _cli(capsys, "config", "set", "smtp.prot", "25")
    assert code == 1 and err == "error: unknown config key 'smtp.prot' (did you mean 'smtp.port'?)\n"
    assert path.read_bytes() == before

    monkeypatch.setenv("ISPTERM_SMTP_PASSWORD", "hunter2")
    code, out, err = _cli(capsys, "config", "show")
    assert (code, err) == (0, "")
    assert "hunter2" not in out  # only the variable's name is configuration
    doc = tomllib.loads(out)
    assert doc["smtp"]["port"] == 2525 and doc["smtp"]["host"] == "mail.example.net"
    assert doc["smtp"]["password_env"] == "ISPTERM_SMTP_PASSWORD"
    assert doc["init"] == {"phone_region": "DE"} and "phone" not in doc
    assert doc["keymap"] == {"app.quit": "ctrl+q"}
    assert "# transport security: starttls | tls | none" in out


def test_cli_config_show_names_a_bad_key_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    path = write("[smtp]\nport = 0\n")
    code, out, err = _cli(capsys, "config", "show")
    assert (code, out) == (1, "")
    assert err == f"error: config file {path}: key 'smtp.port': must be an integer between 1 and 65535, got 0\n"
