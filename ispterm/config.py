"""The user's TOML configuration: where it lives, what keys it may hold, and how it changes.

``load()`` returns a frozen tree of small dataclasses (``Config`` with one dataclass per
``[section]``) whose values already have their types: code reads ``config.smtp.port`` (an
``int``), never a string to convert. Each key is declared once, as a field of that tree (its
type, default and one-line help; ranges, checks and old spellings where it has them), and the
key registry ``KEYS`` that validates the file, ``ispterm config set`` and ``ispterm config
show`` is derived from those fields, so a typo in the file is reported instead of being
silently ignored and ``config set`` validates before it touches the file.

Passwords are deliberately not configuration values: only the name of an environment
variable or the path of a file holding one may be configured.

This module stays light (stdlib and platformdirs; ``tomli_w`` only when writing) because
the CLI imports it before deciding whether anything heavy is needed.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
import tempfile
import tomllib
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar

import platformdirs

from ispterm.errors import ConfigError

__all__ = [
    "APP_NAME",
    "KEYS",
    "Config",
    "DatabaseConfig",
    "InitConfig",
    "Key",
    "MailConfig",
    "OperatorConfig",
    "SmsConfig",
    "SmtpConfig",
    "UiConfig",
    "config_dir",
    "config_path",
    "current_name",
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
Security = Literal["starttls", "tls", "none"]
HttpMethod = Literal["GET", "POST"]

_T = TypeVar("_T")


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


def _resolve(path: Path | str | None) -> tuple[Path, bool]:
    """The config path and whether the user named it (a named file that is missing is an error)."""
    if path is not None:
        return Path(path).expanduser(), True
    env = _env_path("ISPTERM_CONFIG")
    if env is not None:
        return env, True
    return default_config_path(), False


def config_path(path: Path | str | None = None) -> Path:
    """The file ``load(path)`` reads: ``path``, else ``ISPTERM_CONFIG``, else the user config dir."""
    return _resolve(path)[0]


# --- value rules -------------------------------------------------------------------------


class _Bad(Exception):
    """A value is unacceptable; ``str()`` says what is allowed (the caller adds where and what)."""


_DB_URL = re.compile(r"^(sqlite(\+\w+)?:|postgresql(\+\w+)?://)")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _database_url(value: str) -> str:
    if value and not _DB_URL.match(value):
        raise _Bad("must be empty or a URL starting with 'sqlite:' or 'postgresql://' (or 'postgresql+driver://')")
    return value


def _region(value: str) -> str:
    region = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", region):
        raise _Bad("must be a two-letter region code such as 'CZ'")
    return region


def _env_name(value: str) -> str:
    if value and not _ENV_NAME.match(value):
        # Catches the password itself being pasted where its variable's name belongs.
        raise _Bad("must be the name of an environment variable (letters, digits, '_')")
    return value


def _http_url(value: str) -> str:
    if value and not value.startswith(("http://", "https://")):
        raise _Bad("must be empty or a URL starting with 'http://' or 'https://'")
    return value


# --- declaring keys ------------------------------------------------------------------------

_RULES = "ispterm.config"  # the field-metadata entry that makes a dataclass field a config key


@dataclass(frozen=True)
class _Rules:
    """What a field's type does not say: see ``Key``."""

    help: str
    minimum: int | None = None
    maximum: int | None = None
    check: Callable[[str], str] | None = None
    secret: bool = False
    old_names: tuple[str, ...] = ()


def _key(default: _T, help: str, *, minimum: int | None = None, maximum: int | None = None,
         check: Callable[[str], str] | None = None, secret: bool = False,
         old_names: tuple[str, ...] = ()) -> _T:
    """Declare a config key as a dataclass field; its type comes from the field's annotation."""
    rules = _Rules(help, minimum, maximum, check, secret, old_names)
    return field(default=default, metadata={_RULES: rules})


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


def _table(help: str) -> Mapping[str, str]:
    """Declare a free-form table (any id -> a string), settable as ``<table>.<id>``."""
    return field(default_factory=_empty, metadata={_RULES: _Rules(help)})


# --- the configuration tree -------------------------------------------------------------------
#
# A section's docstring is its one-line description (``config show`` prints it); every field is
# one key, declared once with its default and help. The registry below is derived from these.


@dataclass(frozen=True)
class DatabaseConfig:
    """Which database this machine's ispterm opens."""

    url: str = _key("", "SQLAlchemy URL (sqlite:... or postgresql...); empty = local SQLite file",
                    check=_database_url)


@dataclass(frozen=True)
class OperatorConfig:
    """Who you are when the command line does not say."""

    login: str = _key("", "operator login used when none is given on the command line")


@dataclass(frozen=True)
class UiConfig:
    """The terminal app."""

    theme: str = _key("ispterm-dark", "colour theme name")
    mouse: bool = _key(True, "enable mouse support in the terminal UI")


@dataclass(frozen=True)
class InitConfig:
    """What 'ispterm init' gives a new database: each key seeds the system setting of its name."""

    phone_region: str = _key("CZ", "phone_region setting of a new database: ISO 3166 region for phone numbers "
                                   "without a +prefix", check=_region, old_names=("phone.default_region",))


@dataclass(frozen=True)
class SmtpConfig:
    """The mail queue's sender (the app and 'ispterm mail run')."""

    host: str = _key("", "SMTP server host name")
    port: int = _key(587, "SMTP server port", minimum=1, maximum=65535)
    security: Security = _key("starttls", "transport security")
    username: str = _key("", "SMTP login")
    password_env: str = _key("ISPTERM_SMTP_PASSWORD", "environment variable holding the SMTP password",
                             check=_env_name)
    password_file: str = _key("", "file holding the SMTP password")
    ca_file: str = _key("", "PEM file of the CA that issued the server's certificate; empty = system CAs")
    timeout: float = _key(30.0, "seconds to wait for the SMTP server")
    deadline: float = _key(0.0, "seconds one whole delivery may take; 0 = 4 x smtp.timeout", minimum=0)
    rate_per_minute: int = _key(0, "messages per minute at most; 0 = unlimited", minimum=0)
    connections: int = _key(2, "parallel SMTP connections", minimum=1, maximum=16)


@dataclass(frozen=True)
class SmsConfig:
    """The HTTP gateway SMS are sent through."""

    url: str = _key("", "HTTP(S) endpoint of the SMS gateway", check=_http_url)
    method: HttpMethod = _key("POST", "HTTP method for the SMS gateway")
    username: str = _key("", "SMS gateway login")
    password_env: str = _key("ISPTERM_SMS_PASSWORD", "environment variable holding the SMS password",
                             check=_env_name)
    timeout: float = _key(15.0, "seconds to wait for the SMS gateway")
    params: Mapping[str, str] = _table("request field -> template of {to} {text} {username} {password}")

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen(self.params))


@dataclass(frozen=True)
class MailConfig:
    """How long the queue keeps trying."""

    lease_seconds: int = _key(300, "seconds a sender may hold a queued message", minimum=10)
    max_attempts: int = _key(8, "delivery attempts before a message is given up", minimum=1)
    max_age_hours: int = _key(72, "hours after which a message still not sent fails", minimum=1)


def _section(cls: type[_T]) -> _T:
    return field(default_factory=cls)


@dataclass(frozen=True)
class Config:
    """The effective configuration of this machine: every key has a typed value, defaults filled in."""

    path: Path | None = None  # the file it was read from (it may not exist: then all defaults)
    database: DatabaseConfig = _section(DatabaseConfig)
    operator: OperatorConfig = _section(OperatorConfig)
    ui: UiConfig = _section(UiConfig)
    init: InitConfig = _section(InitConfig)
    smtp: SmtpConfig = _section(SmtpConfig)
    sms: SmsConfig = _section(SmsConfig)
    mail: MailConfig = _section(MailConfig)
    keymap: Mapping[str, str] = _table("binding id -> key(s), several separated by commas")
    renamed: tuple[tuple[str, str], ...] = ()  # (old name, current name) of keys the file spells the old way

    def __post_init__(self) -> None:
        object.__setattr__(self, "keymap", _frozen(self.keymap))

    def get(self, key: str) -> object:
        """The value of a dotted key (``smtp.port``, ``keymap.app.quit``), for tools that take the
        name from the user such as ``config set``; code reads the typed attributes instead."""
        free = _free_form(key)
        if free is not None:
            table, name = free
            mapping = _table_of(self, table)
            if name not in mapping:
                raise ConfigError(f"config key '{key}' is not set")
            return mapping[name]
        spec = KEYS.get(current_name(key))
        if spec is None:
            raise ConfigError(_unknown(key, _all_names(), "config key"))
        return _attribute(self, spec.name)

    @property
    def values(self) -> dict[str, object]:
        """Every key by its dotted name, in declaration order (for tools and tests; code reads
        the typed attributes)."""
        return {name: _attribute(self, name) for name in KEYS}


# --- the key registry, derived from the tree -----------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One known ``section.key``; ``minimum``/``maximum`` are inclusive bounds for ints; floats
    must be greater than 0 unless ``minimum`` says how low they may go. ``check`` validates and
    normalises a string; ``old_names`` are earlier spellings still read from files."""

    name: str
    type: KeyType
    default: object
    help: str
    choices: tuple[str, ...] | None = None
    secret: bool = False
    minimum: int | None = None
    maximum: int | None = None
    check: Callable[[str], str] | None = field(default=None, repr=False, compare=False)
    old_names: tuple[str, ...] = ()


_SCALARS: dict[object, KeyType] = {bool: "bool", int: "int", float: "float", str: "str"}


def _is_table(annotation: object) -> bool:
    return typing.get_origin(annotation) is Mapping


def _key_of(name: str, f: dataclasses.Field[Any], annotation: object) -> Key:
    rules = f.metadata.get(_RULES)
    if not isinstance(rules, _Rules):
        raise TypeError(f"config field {name} is not declared with _key()")
    choices: tuple[str, ...] | None = None
    if typing.get_origin(annotation) is Literal:
        kind: KeyType = "choice"
        choices = tuple(str(c) for c in typing.get_args(annotation))
    elif annotation in _SCALARS:
        kind = _SCALARS[annotation]
    else:
        raise TypeError(f"config field {name}: unsupported type {annotation!r}")
    return Key(name, kind, f.default, rules.help, choices, rules.secret, rules.minimum, rules.maximum,
               rules.check, rules.old_names)


def _derive() -> tuple[dict[str, Key], dict[str, type[Any]], dict[str, str]]:
    """(keys, section name -> its dataclass, free-form table name -> help) from ``Config``'s fields."""
    keys: dict[str, Key] = {}
    sections: dict[str, type[Any]] = {}
    tables: dict[str, str] = {}
    root = typing.get_type_hints(Config)
    for top in dataclasses.fields(Config):
        kind = root[top.name]
        if _is_table(kind):
            tables[top.name] = top.metadata[_RULES].help
        elif dataclasses.is_dataclass(kind) and isinstance(kind, type):
            sections[top.name] = kind
            hints = typing.get_type_hints(kind)
            for f in dataclasses.fields(kind):
                name = f"{top.name}.{f.name}"
                if _is_table(hints[f.name]):
                    tables[name] = f.metadata[_RULES].help
                else:
                    keys[name] = _key_of(name, f, hints[f.name])
        # anything else on the root (path, renamed) says where the values came from, not a key
    return keys, sections, tables


KEYS: dict[str, Key]
_SECTIONS: dict[str, type[Any]]
_TABLES: dict[str, str]
KEYS, _SECTIONS, _TABLES = _derive()

# Earlier spellings of keys -> the current name; a file or ``config set`` may still use them.
_OLD_NAMES: dict[str, str] = {old: k.name for k in KEYS.values() for old in k.old_names}
_OLD_SECTIONS = frozenset(old.split(".", 1)[0] for old in _OLD_NAMES) - set(_SECTIONS)


def current_name(key: str) -> str:
    """The current spelling of ``key`` (``phone.default_region`` -> ``init.phone_region``)."""
    return _OLD_NAMES.get(key, key)


def _named(key: str) -> str:
    """A key as the user wrote it, with its current name when that was an old spelling."""
    current = current_name(key)
    return f"'{key}'" if current == key else f"'{key}' (now '{current}')"


def _attribute(config: Config, dotted: str) -> Any:
    section, leaf = dotted.split(".", 1)
    return getattr(getattr(config, section), leaf)


def _table_of(config: Config, table: str) -> Mapping[str, str]:
    mapping: Mapping[str, str] = _attribute(config, table) if "." in table else getattr(config, table)
    return mapping


def _with(config: Config, dotted: str, value: Any) -> Config:
    """``config`` with one key (or whole table) replaced."""
    if "." not in dotted:
        return dataclasses.replace(config, **{dotted: value})
    section, leaf = dotted.split(".", 1)
    changed = dataclasses.replace(getattr(config, section), **{leaf: value})
    return dataclasses.replace(config, **{section: changed})


# --- validation ------------------------------------------------------------------------


_TRUE = ("yes", "true", "on", "1")
_FALSE = ("no", "false", "off", "0")


def _int_rule(key: Key) -> str:
    if key.minimum is not None and key.maximum is not None:
        return f"must be an integer between {key.minimum} and {key.maximum}"
    if key.minimum is not None:
        return f"must be an integer >= {key.minimum}"
    return "must be an integer"


def _float_rule(key: Key) -> str:
    return "must be a number greater than 0" if key.minimum is None else f"must be a number >= {key.minimum}"


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
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _Bad(_float_rule(key))
        if value <= 0 if key.minimum is None else value < key.minimum:
            raise _Bad(_float_rule(key))
        return float(value)
    if not isinstance(value, str):
        raise _Bad(_choice_rule(key) if key.type == "choice" else "must be a string")
    if key.type == "choice":
        for choice in key.choices or ():
            if value.lower() == choice.lower():
                return choice
        raise _Bad(_choice_rule(key))
    return key.check(value) if key.check is not None else value


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
            raise _Bad(_float_rule(key)) from None
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
    return [*KEYS, *_SECTIONS, *_TABLES]


def _free_form(key: str) -> tuple[str, str] | None:
    """Split ``keymap.<id>`` / ``sms.params.<name>`` into (table, id); None for other keys."""
    for table in _TABLES:
        if key.startswith(table + ".") and len(key) > len(table) + 1:
            return table, key[len(table) + 1 :]
    return None


def parse_value(key: str, raw: str) -> object:
    """Validate command-line text for ``key`` before anything is written, so a typo never reaches the file."""
    if _free_form(key) is not None:
        return raw
    spec = KEYS.get(current_name(key))
    if spec is None:
        raise ConfigError(_unknown(key, _all_names(), "config key"))
    try:
        return _check(spec, _convert(spec, raw))
    except _Bad as why:
        raise ConfigError(f"config key {_named(key)}: {why}, got {_show(raw)}") from None


# --- loading ---------------------------------------------------------------------------------


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


def _from_document(doc: dict[str, Any], path: Path) -> tuple[Config, set[str]]:
    values: dict[str, object] = {}  # current dotted name (or table name) -> checked value
    spelled: dict[str, str] = {}  # current name -> as the file spells it (first seen)
    renamed: list[tuple[str, str]] = []  # (old spelling, current name) the file used
    for section, body in doc.items():
        if section in _TABLES:
            values[section] = _string_table(body, section, path)
            continue
        if section not in _SECTIONS and section not in _OLD_SECTIONS:
            what = "section" if isinstance(body, dict) else "key"
            raise ConfigError(f"config file {path}: " + _unknown(section, _all_names(), what))
        if not isinstance(body, dict):
            raise ConfigError(f"config file {path}: '{section}' must be a table, got {_show(body)}")
        for name, value in body.items():
            dotted = f"{section}.{name}"
            if dotted in _TABLES:
                values[dotted] = _string_table(value, dotted, path)
                continue
            spec = KEYS.get(current_name(dotted))
            if spec is None:
                raise ConfigError(f"config file {path}: " + _unknown(dotted, _all_names()))
            try:
                checked = _check(spec, value)
            except _Bad as why:
                raise ConfigError(f"config file {path}: key {_named(dotted)}: {why}, got {_show(value)}") from None
            if spec.name in spelled and values[spec.name] != checked:
                raise ConfigError(f"config file {path}: '{spelled[spec.name]}' and '{dotted}' are one key with "
                                  f"two values; keep only '{spec.name}'")
            values[spec.name] = checked
            spelled.setdefault(spec.name, dotted)
            if dotted != spec.name:
                renamed.append((dotted, spec.name))
    config = Config(path=path, renamed=tuple(renamed))
    for name, value in values.items():
        config = _with(config, name, value)
    return config, set(spelled)


def load(path: Path | str | None = None) -> Config:
    """Read the config; a missing default file means defaults, a missing named file is a mistake."""
    resolved, explicit = _resolve(path)
    return _read(resolved, must_exist=explicit)[0]


# --- writing -----------------------------------------------------------------------------


def _document(config: Config, present: set[str]) -> dict[str, Any]:
    """Only keys the user chose are written (by their current names), so later changes of
    defaults still reach them."""
    doc: dict[str, Any] = {}
    for spec in KEYS.values():
        value = _attribute(config, spec.name)
        if spec.name in present or value != spec.default:
            section, leaf = spec.name.split(".", 1)
            doc.setdefault(section, {})[leaf] = value
    for table in _TABLES:
        mapping = dict(_table_of(config, table))
        if not mapping:
            continue
        if "." in table:
            section, leaf = table.split(".", 1)
            doc.setdefault(section, {})[leaf] = mapping
        else:
            doc[table] = mapping
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


def set_value(key: str, raw: str, path: Path | str | None = None) -> Config:
    """Validate, then rewrite the file with one key changed (comments in the file are not kept;
    keys spelled the old way are written by their current names)."""
    resolved, _ = _resolve(path)
    config, present = _read(resolved, must_exist=False)
    value = parse_value(key, raw)
    free = _free_form(key)
    if free is not None:
        table, name = free
        config = _with(config, table, {**_table_of(config, table), name: str(value)})
    else:
        config = _with(config, current_name(key), value)
        present.add(current_name(key))  # an explicit set pins the value even if it equals today's default

    import tomli_w

    _write_atomic(resolved, tomli_w.dumps(_document(config, present)))
    return dataclasses.replace(config, renamed=())


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


def _one_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0] if lines else ""


def render(config: Config) -> str:
    """Every effective value with its meaning, as TOML, so ``config show`` output can seed a file."""
    lines = ["# ispterm configuration: " + " ".join(str(config.path or "(defaults)").splitlines())]
    for old, new in config.renamed:
        lines.append(f"# the file says '{old}': that is the old name of '{new}' ('config set' writes the new one)")
    section = None
    for spec in KEYS.values():
        head, leaf = spec.name.split(".", 1)
        if head != section:
            section = head
            lines += ["", f"# {_one_line(_SECTIONS[head].__doc__)}", f"[{head}]"]
        value = _attribute(config, spec.name)
        note = spec.help
        if spec.choices:
            note += ": " + " | ".join(spec.choices)
        if spec.name == "database.url" and not value:
            note += f" ({default_sqlite_url()})"
        lines.append(f"# {note}")
        if spec.secret and value:
            lines.append(f"{leaf} = \"********\"")
        else:
            lines.append(f"{leaf} = {_toml_value(value)}")
    for table, help in _TABLES.items():
        mapping = _table_of(config, table)
        if mapping:
            lines += ["", f"# {help}", f"[{table}]"]
            lines += [f"{_toml_key(k)} = {_toml_str(v)}" for k, v in mapping.items()]
    return "\n".join(lines) + "\n"
