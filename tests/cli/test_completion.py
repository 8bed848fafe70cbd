"""Shell completion (usability item 9): scripts for bash, zsh and fish; what they
complete (commands, options, formats, bundled case and pair ids); and a real bash in
tmux completing a typed command line."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.cli.helpers import entry_point, invoke
from thymoscope.cli.conventions import bundled_case_ids, bundled_pair_ids

COMPLETE_VAR = "_THYMOSCOPE_COMPLETE"


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o default -F _thymoscope_completion thymoscope"),
        ("zsh", "#compdef thymoscope"),
        ("fish", "complete --command thymoscope"),
    ],
)
def test_completion_script_for_each_shell(shell: str, marker: str) -> None:
    result = invoke("completion", shell)
    assert result.exit_code == 0
    assert marker in result.stdout
    assert f"{COMPLETE_VAR}=complete_{shell}" in result.stdout
    assert result.stderr == ""


def test_unknown_shell_is_one_error_line() -> None:
    result = invoke("completion", "tcsh")
    assert result.exit_code == 2
    assert result.stderr.startswith("thymoscope: error: SHELL: 'tcsh' is not one of bash")


def _candidates(*words: str) -> list[str]:
    """What the bash protocol offers for the last of ``words`` (as the script asks)."""
    line = ["thymoscope", *words]
    env = {
        **os.environ,
        COMPLETE_VAR: "complete_bash",
        "COMP_WORDS": " ".join(line),
        "COMP_CWORD": str(len(line) - 1),
    }
    done = subprocess.run(
        [str(entry_point())], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_completes_commands_options_and_formats() -> None:
    assert "diagnose" in _candidates("dia")
    assert _candidates("diagnose", "--fo") == ["--format"]
    assert _candidates("diagnose", "-f", "") == ["text", "markdown", "html", "json", "csv", "xlsx"]
    assert "--fail-on" in _candidates("diagnose", "--fa")


def test_completes_bundled_case_and_pair_ids() -> None:
    assert _candidates("compare", "--pair", "chb") == [
        p for p in bundled_pair_ids() if p.startswith("chb")
    ]
    names = _candidates("demo", "sepsis")
    wanted = [n for n in [*bundled_case_ids(), *bundled_pair_ids()] if n.startswith("sepsis")]
    assert names and names == wanted


def _tmux(*args: str) -> str:
    done = subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=30, check=True)
    return done.stdout


def _wait_for(session: str, text: str, attempts: int = 100) -> str:
    """The pane once it shows ``text`` (polled; the pane at the last attempt otherwise)."""
    pane = ""
    for _ in range(attempts):
        pane = _tmux("capture-pane", "-p", "-t", session)
        if text in pane:
            return pane
        time.sleep(0.2)
    return pane


@pytest.mark.terminal
def test_bash_completes_a_typed_option_and_pair_id_in_tmux(tmp_path: Path) -> None:
    if shutil.which("tmux") is None or shutil.which("bash") is None:
        pytest.skip("tmux and bash are needed (CI installs tmux)")
    script = tmp_path / "thymoscope.bash"
    script.write_text(invoke("completion", "bash").stdout, encoding="utf-8")
    rc = tmp_path / "bashrc"
    rc.write_text(
        f"PS1='$ '\nexport PATH={shlex.quote(str(entry_point().parent))}:$PATH\n"
        f"source {shlex.quote(str(script))}\necho READY\n",
        encoding="utf-8",
    )
    session = f"thymoscope-{uuid.uuid4().hex[:8]}"
    _tmux(
        "new-session", "-d", "-s", session, "-x", "120", "-y", "20",
        f"env -u NO_COLOR bash --noprofile --rcfile {shlex.quote(str(rc))} -i",
    )  # fmt: skip
    try:
        assert "READY" in _wait_for(session, "READY")
        _tmux("send-keys", "-t", session, "thymoscope diagnose --fo", "Tab")
        assert "thymoscope diagnose --format" in _wait_for(session, "--format")
        _tmux("send-keys", "-t", session, "C-u")
        _tmux("send-keys", "-t", session, "thymoscope compare --pair sepsis-m", "Tab")
        pane = _wait_for(session, "sepsis-meta-vs-large-trial")
        assert "thymoscope compare --pair sepsis-meta-vs-large-trial" in pane
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False, timeout=30)
