"""Global CLI options and the one way commands get a Ctx from them."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ispterm.config import Config
    from ispterm.context import Ctx


@dataclass
class Options:
    db: str | None = None
    operator: str | None = None
    config_path: Path | None = None
    readonly: bool = False
    theme: str | None = None
    mouse: bool = True


OPTIONS = Options()


def config() -> Config:
    from ispterm.config import load

    return load(OPTIONS.config_path)


def db_url() -> str:
    from ispterm.connect import resolve_url

    return resolve_url(OPTIONS.db, config())


def login() -> str:
    from ispterm.connect import resolve_login

    return resolve_login(OPTIONS.operator, config())


def ctx() -> Ctx:
    from ispterm.connect import open_ctx

    return open_ctx(db_url(), login(), readonly=OPTIONS.readonly, config=config())


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def local_time(value) -> str:
    """Times are stored in UTC and shown in the machine's local time."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""
