"""The user's TOML configuration: where it lives, what keys it may hold, and how it changes.

Every key is declared in ``KEYS`` so that a typo in the file is reported instead of being
silently ignored, and so ``ispterm config set`` can validate before it touches the file.
Passwords are deliberately not configuration values: only the name of an environment
variable or the path of a file holding one may be configured.

This module stays light (no textual, no sqlalchemy; ``tomli_w`` only when writing) because
the CLI imports it before deciding whether anything heavy is needed.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import platformdirs

from ispterm.errors import ConfigError

__all__ = [
    "APP_NAME",
    "KEYS",
    "Config",
    "Key",
    "config_dir",
    "data_dir",
    "default_config_path",
    "default_sqlite_url",
    "load",
    "parse_value",
    "render",
    "set_value",
]

APP_NAME = "ispterm"

KeyType = Literal["str", "int", "bool", "choice", "float"]

# Free-form tables: any id maps to a string. They are settable as "<prefix><id>".
_KEYMAP = "keymap"
_SMS_PARAMS = "sms.params"


# --- locations -------------------------------------------------------------------------


def _env_path(var: str) -> Path | None:
    value = os.environ.get(var)
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """Directory of the config file; ``ISPTERM_CONFIG_DIR`` wins so tests and odd setups can isolate."""
    return _env_path("ISPTERM_CONFIG_DIR") or platformdirs.user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """Directory of the default SQLite database; ``ISPTERM_DATA_DIR`` wins for the same reason."""
    return _env_path("ISPTERM_DATA_DIR") or platformdirs.user_data_path(APP_NAME, appauthor=False)


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def default_sqlite_url() -> str:
    """The database used when ``database.url`` is empty, so a fresh install works without setup."""
    return "sqlite:///" + str(data_dir() / "ispterm.db")


# --- key registry ----------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One known ``section.key``; ``minimum``/``maximum`` are inclusive bounds for ints; floats
    must be greater than 0 unless ``minimum`` says how low they may go."""

    name: str
    type: KeyType
    default: object
    help: str
    choices: tuple[str, ...] | None = None
    secret: bool = False
    minimum: int | None = None
    maximum: int | None = None


_KEY_LIST = [
    Key("database.url", "str", "", "SQLAlchemy URL (sqlite:... or postgresql...); empty = local SQLite file"),
    Key("operator.login", "str", "", "operator login used when none is given on the command line"),
    Key("ui.theme", "str", "ispterm-dark", "colour theme name"),
    Key("ui.mouse", "bool", True, "enable mouse support in the terminal UI"),
    Key("phone.default_region", "str", "CZ", "ISO 3166 region for phone numbers without a +prefix"),
    Key("smtp.host", "str", "", "SMTP server host name"),
    Key("smtp.port", "int", 587, "SMTP server port", minimum=1, maximum=65535),
    Key("smtp.security", "choice", "starttls", "transport security", choices=("starttls", "tls", "none")),
    Key("smtp.username", "str", "", "SMTP login"),
    Key("smtp.password_env", "str", "ISPTERM_SMTP_PASSWORD", "environment variable holding the SMTP password"),
    Key("smtp.password_file", "str", "", "file holding the SMTP password"),
    Key("smtp.ca_file", "str", "", "PEM file of the CA that issued the server's certificate; empty = system CAs"),
    Key("smtp.timeout", "float", 30.0, "seconds to wait for the SMTP server"),
    Key("smtp.deadline", "float", 0.0, "seconds one whole delivery may take; 0 = 4 x smtp.timeout", minimum=0),
    Key("smtp.rate_per_minute", "int", 0, "messages per minute at most; 0 = unlimited", minimum=0),
    Key("smtp.connections", "int", 2, "parallel SMTP connections", minimum=1, maximum=16),
    Key("sms.url", "str", "", "HTTP(S) endpoint of the SMS gateway"),
    Key("sms.method", "choice", "POST", "HTTP method for the SMS gateway", choices=("GET", "POST")),
    Key("sms.username", "str", "", "SMS gateway login"),
    Key("sms.password_env", "str", "ISPTERM_SMS_PASSWORD", "environment variable holding the SMS password"),
    Key("sms.timeout", "float", 15.0, "seconds to wait for the SMS gateway"),
    Key("mail.lease_seconds", "int", 300, "seconds a sender may hold a queued message", minimum=10),
    Key("mail.max_attempts", "int", 8, "delivery attempts before a message is given up", minimum=1),
    Key("mail.max_age_hours", "int", 72, "hours after which a message still not sent fails", minimum=1),
]

KEYS: dict[str, Key] = {k.name: k for k in _KEY_LIST}

_SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(name.split(".", 1)[0] for name in KEYS))


# --- validation ------------------------------------------------------------------------


class _Bad(Exception):
    """A value is unacceptable; ``str()`` says what is allowed (the caller adds where and what)."""


_TRUE = ("yes", "true", "on", "1")
_FALSE = ("no", "false", "off", "0")
_DB_URL = re.compile(r"^(sqlite(\+\w+)?:|postgresql(\+\w+)?://)")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _int_rule(key: Key) -> str:
    if key.minimum is not None and key.maximum is not None:
        return f"must be an integer between {key.minimum} and {key.maximum}"
    if key.minimum is not None:
        return f"must be an integer >= {key.minimum}"
    return "must be an integer"


def _choice_rule(key: Key) -> str:
    return "must be one of " + ", ".join(repr(c) for c in key.choices or ())


def _check(key: Key, value: object) -> object:
    """Type- and range-check a value as it would come from TOML; return it normalised."""
    if key.type == "bool":
        if not isinstance(value, bool):
            raise _Bad("must be true or false")
        return value
    if key.type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad(_int_rule(key))
        if (key.minimum is not None and value < key.minimum) or (key.maximum is not None and value > key.maximum):
            raise _Bad(_int_rule(key))
        return value
    if key.type == "float":
        rule = "must be a number greater than 0" if key.minimum is None else f"must be a number >= {key.minimum}"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _Bad(rule)
        if value <= 0 if key.minimum is None else value < key.minimum:
            raise _Bad(rule)
        return float(value)
    if not isinstance(value, str):
        raise _Bad(_choice_rule(key) if key.type == "choice" else "must be a string")
    if key.type == "choice":
        for choice in key.choices or ():
            if value.lower() == choice.lower():
                return choice
        raise _Bad(_choice_rule(key))
    return _check_str(key.name, value)


def _check_str(name: str, value: str) -> str:
    if name == "database.url" and value and not _DB_URL.match(value):
        raise _Bad("must be empty or a URL starting with 'sqlite:' or 'postgresql://' (or 'postgresql+driver://')")
    if name == "phone.default_region":
        region = value.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", region):
            raise _Bad("must be a two-letter region code such as 'CZ'")
        return region
    if name.endswith(".password_env") and value and not _ENV_NAME.match(value):
        # Catches the password itself being pasted where its variable's name belongs.
        raise _Bad("must be the name of an environment variable (letters, digits, '_')")
    if name == "sms.url" and value and not value.startswith(("http://", "https://")):
        raise _Bad("must be empty or a URL starting with 'http://' or 'https://'")
    return value


def _convert(key: Key, raw: str) -> object:
    """Turn command-line text into the key's TOML type so ``_check`` sees what a file would hold."""
    text = raw.strip()
    if key.type == "bool":
        word = text.lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise _Bad("must be one of yes/no, true/false, on/off, 1/0")
    if key.type == "int":
        try:
            return int(text)
        except ValueError:
            raise _Bad(_int_rule(key)) from None
    if key.type == "float":
        try:
            return float(text)
        except ValueError:
            raise _Bad("must be a number greater than 0") from None
    if key.type == "choice":
        return text
    return raw


def _show(value: object) -> str:
    """A value as the user would recognise it, kept to one short line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unknown(name: str, candidates: list[str], what: str = "key") -> str:
    leaf = name.rsplit(".", 1)[-1]
    if "password" in leaf and name not in KEYS:
        section = name.split(".", 1)[0]
        alternatives = [k for k in KEYS if k.startswith(section + ".password_")]
        if alternatives:
            return (
                f"unknown {what} '{name}' (passwords are not stored in the config; use "
                + " or ".join(f"'{a}'" for a in alternatives)
                + ")"
            )
    match = difflib.get_close_matches(name, candidates, n=1)
    hint = f" (did you mean '{match[0]}'?)" if match else ""
    return f"unknown {what} '{name}'{hint}"


def _all_names() -> list[str]:
    return [*KEYS, *_SECTIONS, _KEYMAP, _SMS_PARAMS]


def _free_form(key: str) -> tuple[str, str] | None:
    """Split ``keymap.<id>`` / ``sms.params.<name>`` into (table, id); None for other keys."""
    for table in (_KEYMAP, _SMS_PARAMS):
        if key.startswith(table + ".") and len(key) > len(table) + 1:
            return table, key[len(table) + 1 :]
    return None


def parse_value(key: str, raw: str) -> object:
    """Validate command-line text for ``key`` before anything is written, so a typo never reaches the file."""
    if _free_form(key) is not None:
        return raw
    spec = KEYS.get(key)
    if spec is None:
        raise ConfigError(_unknown(key, _all_names(), "config key"))
    try:
        return _check(spec, _convert(spec, raw))
    except _Bad as why:
        raise ConfigError(f"config key '{key}': {why}, got {_show(raw)}") from None


# --- the loaded configuration ------------------------------------------------------------


def _defaults() -> dict[str, object]:
    return {k.name: k.default for k in KEYS.values()}


@dataclass
class Config:
    """The effective configuration: every known key has a typed value, defaults filled in."""

    path: Path
    values: dict[str, object] = field(default_factory=_defaults)
    keymap: dict[str, str] = field(default_factory=dict)
    sms_params: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> object:
        free = _free_form(key)
        if free is not None:
            table, name = free
            mapping = self.keymap if table == _KEYMAP else self.sms_params
            if name not in mapping:
                raise ConfigError(f"config key '{key}' is not set")
            return mapping[name]
        if key not in KEYS:
            raise ConfigError(_unknown(key, _all_names(), "config key"))
        return self.values[key]

    @property
    def database_url(self) -> str:
        """Configured URL, "" meaning "use ``default_sqlite_url()``" (resolved late so env overrides apply)."""
        return str(self.values["database.url"])

    @property
    def operator_login(self) -> str:
        return str(self.values["operator.login"])

    @property
    def theme(self) -> str:
        return str(self.values["ui.theme"])

    @property
    def phone_region(self) -> str:
        return str(self.values["phone.default_region"])


def _resolve(path: Path | str | None) -> tuple[Path, bool]:
    """The config path and whether the user named it (a named file that is missing is an error)."""
    if path is not None:
        return Path(path).expanduser(), True
    env = _env_path("ISPTERM_CONFIG")
    if env is not None:
        return env, True
    return default_config_path(), False


def _read(path: Path, must_exist: bool) -> tuple[Config, set[str]]:
    """Load ``path``; also return which known keys the file spelled out, so a rewrite keeps them."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if must_exist:
            raise ConfigError(f"config file not found: {path}") from None
        return Config(path=path), set()
    except OSError as e:
        raise ConfigError(f"config file {path}: cannot read: {e.strerror or e}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(f"config file {path}: not UTF-8 text (bad byte at offset {e.start})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        message = " ".join(str(e).split())
        raise ConfigError(f"config file {path}: invalid TOML: {message}") from None
    return _from_document(doc, path)


def _string_table(value: object, where: str, path: Path) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"config file {path}: '{where}' must be a table, got {_show(value)}")
    for name, item in value.items():
        if not isinstance(item, str):
            raise ConfigError(f"config file {path}: key '{where}.{name}': must be a string, got {_show(item)}")
    return dict(value)


def _from_document(doc: dict[str, object], path: Path) -> tuple[Config, set[str]]:
    config = Config(path=path)
    present: set[str] = set()
    for section, body in doc.items():
        if section == _KEYMAP:
            config.keymap = _string_table(body, _KEYMAP, path)
            continue
        if section not in _SECTIONS:
            what = "section" if isinstance(body, dict) else "key"
            raise ConfigError(f"config file {path}: " + _unknown(section, _all_names(), what))
        if not isinstance(body, dict):
            raise ConfigError(f"config file {path}: '{section}' must be a table, got {_show(body)}")
        for name, value in body.items():
            dotted = f"{section}.{name}"
            if dotted == _SMS_PARAMS:
                config.sms_params = _string_table(value, _SMS_PARAMS, path)
                continue
            spec = KEYS.get(dotted)
            if spec is None:
                raise ConfigError(f"config file {path}: " + _unknown(dotted, _all_names()))
            try:
                config.values[dotted] = _check(spec, value)
            except _Bad as why:
                raise ConfigError(f"config file {path}: key '{dotted}': {why}, got {_show(value)}") from None
            present.add(dotted)
    return config, present


def load(path: Path | None = None) -> Config:
    """Read the config; a missing default file means defaults, a missing named file is a mistake."""
    resolved, explicit = _resolve(path)
    return _read(resolved, must_exist=explicit)[0]


# --- writing -----------------------------------------------------------------------------


def _document(config: Config, present: set[str]) -> dict[str, dict[str, object]]:
    """Only keys the user chose are written, so later changes of defaults still reach them."""
    doc: dict[str, dict[str, object]] = {}
    for spec in KEYS.values():
        value = config.values[spec.name]
        if spec.name in present or value != spec.default:
            section, leaf = spec.name.split(".", 1)
            doc.setdefault(section, {})[leaf] = value
    if config.sms_params:
        doc.setdefault("sms", {})["params"] = dict(config.sms_params)
    if config.keymap:
        doc[_KEYMAP] = dict(config.keymap)
    return doc


def _write_atomic(path: Path, text: str) -> None:
    """Replace the file in one step so a crash never leaves half a config; 0600 as it names secrets' homes."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def set_value(key: str, raw: str, path: Path | None = None) -> Config:
    """Validate, then rewrite the file with one key changed (comments in the file are not kept)."""
    resolved, _ = _resolve(path)
    config, present = _read(resolved, must_exist=False)
    value = parse_value(key, raw)
    free = _free_form(key)
    if free is not None:
        table, name = free
        (config.keymap if table == _KEYMAP else config.sms_params)[name] = str(value)
    else:
        config.values[key] = value
        present.add(key)  # an explicit set pins the value even if it equals today's default

    import tomli_w

    _write_atomic(resolved, tomli_w.dumps(_document(config, present)))
    return config


# --- display -------------------------------------------------------------------------------


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_str(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return _toml_str(str(value))


def _toml_key(name: str) -> str:
    return name if _BARE_KEY.match(name) else _toml_str(name)


def render(config: Config) -> str:
    """Every effective value with its meaning, as TOML, so ``config show`` output can seed a file."""
    lines = ["# ispterm configuration: " + " ".join(str(config.path).splitlines())]
    section = None
    for spec in KEYS.values():
        head, leaf = spec.name.split(".", 1)
        if head != section:
            section = head
            lines += ["", f"[{head}]"]
        value = config.values[spec.name]
        note = spec.help
        if spec.name == "database.url" and not value:
            note += f" ({default_sqlite_url()})"
        lines.append(f"# {note}")
        if spec.secret and value:
            lines.append(f"{leaf} = \"********\"")
        else:
            lines.append(f"{leaf} = {_toml_value(value)}")
    if config.sms_params:
        lines += ["", "[sms.params]"]
        lines += [f"{_toml_key(k)} = {_toml_str(v)}" for k, v in config.sms_params.items()]
    if config.keymap:
        lines += ["", "[keymap]"]
        lines += [f"{_toml_key(k)} = {_toml_str(v)}" for k, v in config.keymap.items()]
    return "\n".join(lines) + "\n"
