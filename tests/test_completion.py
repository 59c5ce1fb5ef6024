"""Shell completion: asked the way the scripts typer prints ask (``_ISPTERM_COMPLETE`` and the
shell's words), ``python -m ispterm`` offers commands, subcommands and options, building only
the commands the typed words lead to."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_ispterm


def bash_complete(words: str, instruction: str = "bash_complete") -> list[str]:
    """What bash is offered for ``words`` (the word being completed is the last, maybe '')."""
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    result = run_ispterm(env={"_ISPTERM_COMPLETE": instruction, "COMP_WORDS": words, "COMP_CWORD": str(cword)})
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return result.stdout.split()


@pytest.mark.parametrize("instruction", ["bash_complete", "complete_bash"])  # click's and typer's spelling
@pytest.mark.parametrize("words,offered", [
    ("ispterm cust", ["customer"]),
    ("ispterm billing st", ["statement"]),
    ("ispterm s", ["service", "settings", "sample", "sms"]),
    ("ispterm --db x.db --operator eva mail se", ["send", "settings"]),
    ("ispterm billing group ", ["list", "add", "edit"]),
    ("ispterm mail template ", ["list", "show", "add", "edit"]),
    ("ispterm nonesuch", []),
])
def test_bash_completes_commands_and_subcommands(words, offered, instruction):
    assert bash_complete(words, instruction) == offered


def test_every_command_and_every_group_s_subcommands_complete():
    import typer

    from ispterm.cli.main import COMMANDS, build_app

    assert bash_complete("ispterm ") == [name for name, *_ in COMMANDS]
    tree = typer.main.get_command(build_app())
    for name in ("billing", "mail", "customer", "db"):
        assert bash_complete(f"ispterm {name} ") == list(tree.commands[name].commands)


def test_options_complete_without_the_old_spellings():
    assert bash_complete("ispterm billing statement 10001 --") == ["--from", "--until", "--output", "--send",
                                                                   "--help"]
    assert "--due" not in bash_complete("ispterm task add Fix --d")
    assert bash_complete("ispterm --re") == ["--readonly"]


def test_zsh_and_fish_get_the_help_lines_too():
    zsh = run_ispterm(env={"_ISPTERM_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "ispterm billing st"})
    assert zsh.returncode == 0 and zsh.stdout.startswith("_arguments")
    assert '"statement":"Account statement PDF' in zsh.stdout
    fish = run_ispterm(env={"_ISPTERM_COMPLETE": "fish_complete", "_TYPER_COMPLETE_FISH_ACTION": "get-args",
                            "_TYPER_COMPLETE_ARGS": "ispterm cust"})
    assert fish.returncode == 0 and fish.stdout.startswith("customer\tFind, show, add")


def test_completing_builds_only_the_command_it_completes():
    """The lazy build holds: ``ispterm billing st<TAB>`` imports the billing commands only, and
    nothing heavy (what a command runs is imported when it runs)."""
    from ispterm.cli.main import COMMANDS

    code = ("import json, sys\n"
            "from ispterm.cli.main import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "print(json.dumps(sorted(sys.modules)))")
    env = {**os.environ, "_ISPTERM_COMPLETE": "bash_complete", "COMP_WORDS": "ispterm billing st", "COMP_CWORD": "2"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    offered, loaded = out.splitlines()
    modules = set(json.loads(loaded))
    assert offered == "statement"
    assert {m for _n, m, _a, _h in COMMANDS if f"ispterm.cli.{m}" in modules} == {"billing"}
    assert not modules & {"sqlalchemy", "sqlmodel", "textual", "reportlab", "phonenumbers", "jinja2"}


def test_completion_in_process(monkeypatch, capsys):
    from ispterm.cli.main import main

    monkeypatch.setenv("_ISPTERM_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "ispterm cust")
    monkeypatch.setenv("COMP_CWORD", "1")
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 0 and capsys.readouterr().out.split() == ["customer"]


def test_show_completion_prints_the_script_and_bash_runs_it(tmp_path):
    """The script as ``ispterm --show-completion`` prints it, sourced in a real bash, with the
    ``ispterm`` of this environment on the PATH."""
    script = run_ispterm("--show-completion", "bash", env={"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert script.returncode == 0 and "_ISPTERM_COMPLETE=complete_bash" in script.stdout
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash here")
    shim = tmp_path / "bin" / "ispterm"  # the ispterm of this interpreter, whatever is installed
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m ispterm \"$@\"\n")
    shim.chmod(0o755)
    (tmp_path / "ispterm.sh").write_text(script.stdout)
    run = ("source ispterm.sh\n"
           "COMP_WORDS=(ispterm billing st); COMP_CWORD=2; _ispterm_completion ispterm; echo \"${COMPREPLY[@]}\"\n"
           "COMP_WORDS=(ispterm cust); COMP_CWORD=1; _ispterm_completion ispterm; echo \"${COMPREPLY[@]}\"\n")
    env = {**os.environ, "PATH": f"{shim.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    out = subprocess.run([bash, "--norc", "-c", run], capture_output=True, text=True, cwd=tmp_path, env=env,
                         timeout=60)
    assert out.stdout.splitlines() == ["statement", "customer"], out.stderr


def test_install_completion_writes_the_script_and_sources_it(tmp_path):
    env = {"HOME": str(tmp_path), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    result = run_ispterm("--install-completion", "bash", env=env)
    assert result.returncode == 0, result.stderr
    installed = Path(tmp_path / ".bash_completions" / "ispterm.sh")
    assert "_ISPTERM_COMPLETE=complete_bash" in installed.read_text()
    assert f"source '{installed}'" in (tmp_path / ".bashrc").read_text()


def test_help_lists_the_completion_options():
    out = run_ispterm("--help").stdout
    assert "--install-completion" in out and "--show-completion" in out
