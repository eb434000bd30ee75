"""`chainview render`: a PNG of the window at the requested size, with no display; bad input is one
line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from chainview.core import example_path
from chainview.cli import _parser
from chainview.gui.render import RenderError, parse_selection, parse_size, render_cli


def _run(*argv, env=None):
    return subprocess.run([sys.executable, "-m", "chainview.cli", "render", *argv],
                          capture_output=True, text=True, timeout=120, env=env)


def _headless_env():
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    return env


def test_subprocess_render_writes_a_png_of_the_requested_size(tmp_path):
    out = tmp_path / "win.png"
    r = _run(str(example_path("default")), "--step", "8", "--select", "Z1->A1", "--theme", "dark",
             "--size", "1280x720", "-o", str(out), env=_headless_env())
    assert r.returncode == 0, r.stderr
    image = QImage()
    assert image.load(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    assert "Traceback" not in r.stderr
    assert r.stderr == ""                      # Qt's offscreen-platform chatter is not shown
    assert f"wrote {out}" in r.stdout


def test_render_without_a_net_uses_the_default_example(tmp_path):
    out = tmp_path / "default.png"
    r = _run("--size", "800x600", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert QImage(str(out)).size().toTuple() == (800, 600)


@pytest.mark.parametrize("argv, words", [
    (["--select", "Z1->Q9"], "--select"),
    (["--select", "Z9"], "no such node"),
    (["--select", "Z1->->A1"], "--select"),
    (["--size", "big"], "--size"),
    (["--size", "10x10"], "--size"),
    (["--step", "99"], "--step must be 0..14"),
    (["--step", "-1"], "--step"),
    (["--example", "3"], "--example"),
    (["--train", "5", "--lr", "nan"], "learning rate"),
    (["--train", "5", "--lr", "1000"], "--lr"),
    (["--train", "-2"], "--train"),
])
def test_bad_options_are_one_line_and_exit_2(tmp_path, argv, words):
    out = tmp_path / "x.png"
    r = _run(str(example_path("default")), *argv, "-o", str(out))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("chainview: ") and words in lines[0]
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_a_bad_net_file_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "chainview-net"}')
    r = _run(str(bad), "-o", str(tmp_path / "x.png"))
    assert r.returncode == 2
    assert r.stderr.strip().startswith("chainview: bad.json: ") and len(r.stderr.strip().splitlines()) == 1
    r = _run(str(tmp_path / "missing.json"), "-o", str(tmp_path / "x.png"))
    assert r.returncode == 2 and "no such file" in r.stderr and "Traceback" not in r.stderr
    r = _run("-o", str(tmp_path / "no" / "folder" / "x.png"))
    assert r.returncode == 2 and "does not exist" in r.stderr


def _args(*argv):
    return _parser().parse_args(["render", *argv])


def test_in_process_render(qapp, tmp_path, capsys):
    out = tmp_path / "in.png"
    code = render_cli(_args(str(example_path("softmax-3class")), "--step", "3", "--select", "A1",
                            "--example", "2", "--layout", "numerator", "--size", "1000x700", "-o", str(out)))
    assert code == 0, capsys.readouterr().err
    assert QImage(str(out)).size().toTuple() == (1000, 700)
    code = render_cli(_args("--select", "nope->Z1", "-o", str(tmp_path / "bad.png")))
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("chainview: --select nope->Z1") and "Traceback" not in err


def test_in_process_render_with_the_gradient_check(qapp, tmp_path, capsys):
    out = tmp_path / "check.png"
    assert render_cli(_args("--check", "--size", "900x600", "-o", str(out))) == 0
    assert QImage(str(out)).size().toTuple() == (900, 600)


def test_parsers():
    assert parse_size("1600x900") == (1600, 900)
    assert parse_size(" 1280 X 720 ") == (1280, 720)
    assert parse_selection("Z1->A1") == ("Z1", "A1")
    assert parse_selection("W0_1 → Z1") == ("W0_1", "Z1")
    assert parse_selection("Z1") == "Z1"
    assert parse_selection(None) is None
    with pytest.raises(RenderError):
        parse_selection("Z1 -> A1 -> L")
    with pytest.raises(RenderError):
        parse_size("1600")


def test_in_process_render_with_training_and_the_editor(qapp, tmp_path, capsys):
    out = tmp_path / "train.png"
    assert render_cli(_args("--train", "30", "--lr", "0.1", "--edit", "--step", "5", "--size", "1280x720",
                            "-o", str(out))) == 0, capsys.readouterr().err
    assert QImage(str(out)).size().toTuple() == (1280, 720)
    assert "Traceback" not in capsys.readouterr().err


def test_output_must_be_a_png(tmp_path):
    out = tmp_path / "x.txt"
    r = _run("-o", str(out))
    assert r.returncode == 2 and ".png" in r.stderr and not out.exists()


def test_the_app_is_made_with_the_fusion_style():
    """Fusion draws from our palettes on every platform (asked for on Qt's command line, not set after)."""
    code = ("from chainview.gui.startup import ensure_app; app = ensure_app(['chainview']); "
            "print(app.style().name(), app.arguments())")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QT_STYLE_OVERRIDE", None)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0].lower() == "fusion"
    assert "-style" not in r.stdout            # Qt took the option; the app's own arguments are clean
