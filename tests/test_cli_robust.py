"""Issue 9's command-line defects, each reproduced first: an unknown command or a missing file opened the
GUI (which never ends with no display), a named pipe blocked `check` forever; and issue 10's `check`
that listed dL/dA³ twice and blamed edges on a net that was NaN already."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from chainview.core import example_path
from chainview import cli
from chainview.cli import main

DEFAULT = str(example_path("default"))


def run(*args, timeout=60):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "chainview.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_a_typo_of_a_command_is_one_line_naming_the_nearest_and_exit_2(tmp_path):
    r = run("trcae", DEFAULT, timeout=20)
    assert r.returncode == 2
    assert r.stderr.strip() == "chainview: 'trcae' is neither a net file nor a command; did you mean 'trace'?"


def test_an_unknown_word_lists_the_commands(capsys, monkeypatch):
    monkeypatch.setattr(cli, "_app_without_terminal", lambda: False)
    assert main(["frobnicate", DEFAULT]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'frobnicate' is neither a net file nor a command" in err[0] and "trace" in err[0]


def test_a_missing_file_in_a_terminal_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    opened = []
    import chainview.gui.app as app_module
    monkeypatch.setattr(app_module, "run_app", lambda path: opened.append(path) or 0)
    monkeypatch.setattr(cli, "_app_without_terminal", lambda: False)
    missing = str(tmp_path / "gone.chainview.json")
    assert main([missing]) == 2
    assert opened == []
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "gone.chainview.json" in err[0] and "no such file" in err[0]


def test_a_missing_file_from_the_desktop_launcher_is_shown_in_a_dialog(tmp_path, capsys, monkeypatch):
    shown = []
    monkeypatch.setattr(cli, "_app_without_terminal", lambda: True)
    monkeypatch.setattr(cli, "_dialog", lambda text: shown.append(text))
    assert main([str(tmp_path / "gone.chainview.json")]) == 2
    assert len(shown) == 1 and "no such file" in shown[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("command", [["check"], ["trace"], []])
def test_a_named_pipe_is_one_line_not_a_hang(tmp_path, command):
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    r = run(*command, str(fifo), timeout=20)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "named pipe" in lines[0]


def test_check_says_which_line_is_a_node_gradient_and_which_an_edge_jacobian(capsys):
    assert main(["check", DEFAULT]) == 0
    out = capsys.readouterr().out.splitlines()
    marked = [line for line in out if line[:1] in "✓✗"]
    assert len(marked) == len(set(marked)), "a line appears twice"
    assert any("dL/dA²" in line and "node gradient" in line for line in out)
    assert any("dL/dA²" in line and "edge A² → L" in line for line in out)


def test_check_on_a_nan_net_says_cannot_check_and_blames_no_edge(tmp_path, capsys):
    net = json.loads(example_path("notes-z-squared").read_text())
    net["layers"][0]["activation"] = {"expr": "log(z - 100)"}       # log of a negative number: NaN
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(net))
    code = main(["check", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "can't check: the values are NaN from A¹, step 2" in out
    assert "✗" not in out


def test_training_a_net_whose_loss_is_already_infinite_does_not_blame_the_learning_rate(tmp_path, capsys):
    net = json.loads(example_path("notes-z-squared").read_text())
    net["input"] = [[1e200]]                                 # z² overflows: the loss is infinite before any step
    path = tmp_path / "inf.json"
    path.write_text(json.dumps(net))
    assert main(["train", str(path), "--steps", "3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "learning rate" not in err[0] and "before training" in err[0]
