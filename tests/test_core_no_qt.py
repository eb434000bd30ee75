"""chainview.core never imports Qt: the CLI, the tests and other tools use it without a display."""

from __future__ import annotations

import json
import subprocess
import sys

IMPORT_ALL = r"""
import json, pkgutil, sys
import chainview.core
names = ["chainview.core"]
for info in pkgutil.walk_packages(chainview.core.__path__, "chainview.core."):
    __import__(info.name)
    names.append(info.name)
qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6")))
print(json.dumps({"modules": names, "qt": qt}))
"""


def test_importing_every_core_module_loads_no_qt():
    proc = subprocess.run([sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    modules = set(result["modules"])
    # the walk really saw the engine (so an empty walk cannot pass)
    for name in ("engine", "jacobians", "steps", "session", "graph", "gradcheck", "training", "trace", "cli",
                 "net", "netfile", "expr", "activations", "losses"):
        assert f"chainview.core.{name}" in modules, name
    assert result["qt"] == [], f"chainview.core imported {result['qt']}"


def test_the_check_itself_sees_qt_when_it_is_imported():
    """The same probe reports PySide6 once something imports it (skipped where Qt is absent)."""
    probe = IMPORT_ALL.replace("qt = sorted", "import PySide6.QtCore\nqt = sorted")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "No module named 'PySide6'" in proc.stderr:
        import pytest
        pytest.skip("PySide6 is not installed")
    assert proc.returncode == 0, proc.stderr
    assert "PySide6.QtCore" in json.loads(proc.stdout)["qt"]
