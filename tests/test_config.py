"""Configuration file: defaults, validation that never damages the file, and round trips."""

from __future__ import annotations

import stat
import subprocess
import sys
import tomllib
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
    assert c.database_url == ""
    assert c.operator_login == ""
    assert c.theme == "ispterm-dark"
    assert c.phone_region == "CZ"
    assert c.keymap == {} and c.sms_params == {}
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
    assert config.load().operator_login == "alice"


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
    assert c.phone_region == "SK"
    assert c.get("ui.mouse") is False
    assert c.database_url == "postgresql+psycopg://u@h/db"


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
    config.set_value("phone.default_region", "at")
    c = config.load()
    assert c.get("smtp.port") == 2525
    assert c.get("ui.mouse") is False
    assert c.get("smtp.timeout") == 12.5
    assert c.phone_region == "AT"
    doc = tomllib.loads(cfg_file().read_text(encoding="utf-8"))
    # Untouched defaults are not dumped into the file.
    assert doc == {
        "ui": {"mouse": False},
        "phone": {"default_region": "AT"},
        "smtp": {"port": 2525, "timeout": 12.5},
    }


def test_set_value_with_explicit_missing_path_creates_it(isolated: Path) -> None:
    path = isolated / "deep" / "dir" / "my.toml"
    config.set_value("operator.login", "bob", path)
    assert config.load(path).operator_login == "bob"


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
    assert c.sms_params == {"sender": "ISP", "route": "fast"}
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
