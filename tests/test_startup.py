"""Start-up guards: what the first frame must not load.

PySide builds a Qt class's Python enum types the first time the class reaches Python (~0.25 ms
each on Python 3.11), so a stray `app.style()`, a dialog imported at module level or a Qt-made
widget handed to Python shows up as dozens of enum types and milliseconds of start-up. The
benchmark (benchmarks/startup.py) measures the time, noisily; this names the culprits.
"""

from __future__ import annotations

import os
import subprocess
import sys

# enum type -> what loading it means
MUST_NOT_LOAD = {
    "StandardPixmap": "QStyle (app.style() or option.state in a delegate)",
    "WizardButton": "every QWidget subclass (a Qt-made widget, e.g. a default viewport, reached Python)",
    "Preset": "QGradient (fillRect(rect, QColor) or QBrush(QColor) resolving overloads, or a gradient)",
    "InvertMode": "QImage (a heatmap's class on the first frame, which has none)",
    "FileMode": "QFileDialog at import",
    "ButtonLayout": "QDialogButtonBox at import",
    "InsertPolicy": "QComboBox at import",
    "Scope": "QSettings (render remembers nothing)",
}

CODE = r"""
import enum, os, sys
made = []
real = enum.EnumType._create_
enum.EnumType._create_ = lambda cls, name, *a, **k: made.append(name) or real(cls, name, *a, **k)
exit_ = os._exit
def report(code):
    print(" ".join(made))
    sys.stdout.flush()
    exit_(code)
os._exit = report                      # render ends the process with os._exit once the PNG is written
sys.argv = ["chainview", "render", "--step", "9", "--select", "Z1->A1", "-o", sys.argv[1]]
from chainview.cli import main
main()
"""


def test_the_first_frame_loads_no_class_it_does_not_draw(tmp_path):
    out = tmp_path / "first.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    r = subprocess.run([sys.executable, "-c", CODE, str(out)], capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 0
    made = set(r.stdout.split())
    assert {"AlignmentFlag", "GraphicsItemFlag", "ResizeMode"} <= made      # the log works: what it draws
    loaded = {name: why for name, why in MUST_NOT_LOAD.items() if name in made}
    assert not loaded, loaded
