"""The layers stay apart: screens/ talks to services only, ispterm/ never reaches into the UI."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_screens_never_touch_sql_or_the_orm():
    offenders = {}
    for path in (ROOT / "screens").rglob("*.py"):
        bad = {m for m in _imports(path)
               if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "sqlite3", "psycopg", "alembic")
               or m.endswith(".model") or m in ("ispterm.store.models", "ispterm.store.engine")}
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_domain_never_imports_screens_except_the_app_launcher():
    offenders = {}
    for path in (ROOT / "ispterm").rglob("*.py"):
        if path.name == "ui.py" and path.parent.name == "cli":
            continue
        bad = {m for m in _imports(path) if m.split(".")[0] in ("screens", "themes", "textual")}
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_every_binding_has_an_id_for_the_keymap():
    missing = []
    for path in list((ROOT / "screens").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Binding":
                if not any(k.arg == "id" for k in node.keywords):
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []
