"""ispterm installed from its wheel (not editable) finds its package data: ``ispterm demo``'s
data-building step and the CLI run from the installed copy, outside the checkout.

The wheel is built from a copy of the source (a build writes ``build/`` and ``*.egg-info``
beside it, and the working tree is shared) and installed with ``--no-deps --no-index`` into a
fresh venv whose dependencies are this venv's site-packages, named in a ``.pth`` file: no
download, and the checkout's editable finder is not there (a directory named in a ``.pth`` has
its own ``.pth`` files ignored), so nothing can come from the checkout.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["ispterm", "screens", "themes", "sample_data", "pyproject.toml", "README.md"]

pytestmark = pytest.mark.slow


def _run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120,
                            **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


def _copy_sources(dest: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.egg-info", "build")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        else:
            shutil.copy(source, dest / name)
    return dest


def _build_wheel(src: Path, out: Path, env: dict[str, str]) -> Path:
    """With this venv's setuptools when it makes wheels itself (70.1+, or with ``wheel``): no
    network at all; otherwise in pip's isolated build environment, from pip's configured index."""
    local = (importlib.util.find_spec("setuptools.command.bdist_wheel") is not None
             or importlib.util.find_spec("wheel") is not None)
    isolation = ["--no-build-isolation"] if local else []
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", out, src, env=env)
    (wheel,) = out.glob("ispterm-*.whl")
    return wheel


def _fresh_venv(path: Path) -> tuple[Path, Path]:
    """(python, site-packages) of a new venv that sees this venv's packages after its own."""
    _run(sys.executable, "-m", "venv", "--without-pip", path)
    python = path / "bin" / "python"
    purelib = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                   .stdout.strip())
    (purelib / "test-venv-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n",
                                                        encoding="utf-8")
    return python, purelib


# Run in the installed venv: demo's data-building step, and where everything came from.
_DEMO_STEP = """
import json, sys
from ispterm.cli.demo import demo_database
from ispterm.sample.loader import demo_path

db = demo_database()
files = [m.__file__ for name, m in list(sys.modules.items())
         if name.split(".")[0] in ("ispterm", "sample_data") and getattr(m, "__file__", None)]
print(json.dumps({"db": str(db), "data": str(demo_path()), "files": files}))
"""


def test_installed_wheel_builds_the_demo_from_its_own_package_data(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ISPTERM_"))}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", ISPTERM_DATA_DIR=str(tmp_path / "data"),
               ISPTERM_CONFIG_DIR=str(tmp_path / "config"))
    wheel = _build_wheel(_copy_sources(tmp_path / "src"), tmp_path / "dist", env)
    with zipfile.ZipFile(wheel) as archive:
        assert {"sample_data/__init__.py", "sample_data/demo.json",
                "ispterm/sample/loader.py"} <= set(archive.namelist())
    python, purelib = _fresh_venv(tmp_path / "venv")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         "-q", wheel, env=env)
    work = tmp_path / "elsewhere"
    work.mkdir()

    step = _run(python, "-c", _DEMO_STEP, cwd=work, env=env)
    summary, report = step.stdout.strip().splitlines()[-2:]
    assert summary.startswith("loaded 226 customers, ")
    found = json.loads(report)
    assert Path(found["data"]) == purelib / "sample_data" / "demo.json"
    assert Path(found["db"]) == tmp_path / "data" / "demo.db"
    assert found["files"] and all(Path(f).is_relative_to(purelib) for f in found["files"]), [
        f for f in found["files"] if not Path(f).is_relative_to(purelib)]

    # The installed console script reads what the demo step made.
    shown = _run(tmp_path / "venv" / "bin" / "ispterm", "--db", f"sqlite:///{found['db']}",
                 "--operator", "demo", "customer", "show", "10001", "--json", cwd=work, env=env)
    first = json.loads((ROOT / "sample_data" / "demo.json").read_text(encoding="utf-8"))["customers"][0]
    card = json.loads(shown.stdout)
    assert (card["number"], card["name"]) == (10001, first["name"])
