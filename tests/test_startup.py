"""Start-up: what the first frame must not load, and gui/startup.py's techniques doing what they say.

The time itself is a benchmark (benchmarks/startup.py). These name the culprits instead: a feature's
module imported at start-up by accident shows here, without timing anything and without looking
inside PySide.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys

from chainview.gui.startup import collector_paused

# module -> why the first frame must not load it
MUST_NOT_LOAD = {
    "sympy": "a typed f(z) only (core/symbolic.py)",
    "chainview.core.expr": "a typed f(z) only",
    "chainview.core.handout": "File > Export handout only",
    "chainview.core.gradcheck": "Net > Check gradients only",
    "chainview.core.training": "Net > Train only",
    "chainview.core.compare": "File > Compare with my code only",
    "chainview.gui.compare.controller": "File > Compare with my code only",
    "chainview.gui.editing.training": "the editor, when opened",
    "chainview.gui.window.shortcuts_dialog": "Help > Keyboard shortcuts only",
    "PySide6.QtSvg": "SVG export only",
    "PySide6.QtPrintSupport": "never",
}

CODE = r"""
import sys
from chainview.cli import main
code = main(["render", "--step", "9", "--select", "Z1->A1", "-o", sys.argv[1]])
print(" ".join(sorted(sys.modules)))
sys.exit(code)
"""


def test_the_first_frame_loads_no_feature_it_does_not_draw(tmp_path):
    out = tmp_path / "first.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-c", CODE, str(out)], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 0
    loaded = set(r.stdout.split())
    assert {"chainview.gui.canvas.scene", "PySide6.QtWidgets"} <= loaded     # the log works: what it draws
    culprits = {name: why for name, why in MUST_NOT_LOAD.items() if name in loaded}
    assert not culprits, culprits


def test_the_collector_is_paused_while_building_and_back_after(qtbot):
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_from_the_event_loop(qtbot):
    with collector_paused(until_event_loop=True):
        pass
    try:
        assert not gc.isenabled()                 # the window is not up until the loop has turned
        qtbot.waitUntil(gc.isenabled, timeout=2000)
    finally:
        gc.enable()


def test_a_failure_while_building_turns_the_collector_back_on_at_once():
    try:
        with collector_paused(until_event_loop=True):
            raise RuntimeError("the window could not be made")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_only_the_chainview_command_freezes_what_its_imports_made(tmp_path):
    """The command moves its imports' objects out of the collector's sight (gc.freeze, no full pass when it
    comes back on); a program that merely imports chainview.cli keeps every object of its own collectable."""
    probe = "import gc\nfrom chainview.cli import main\nprint(gc.get_freeze_count(), gc.isenabled())\n"
    library = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert library.stdout.split() == ["0", "True"]
    script = tmp_path / "chainview"            # what pip's console script is called
    script.write_text(probe)
    command = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    frozen, enabled = command.stdout.split()
    assert int(frozen) > 1000 and enabled == "True"
