"""chainview.core never imports Qt, chainview.gui or the entry package chainview.cli: arrows go
gui -> core and cli -> core only, so the engine is used without a display."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "core"

IMPORT_ALL = r"""
import json, pkgutil, sys
import chainview.core
names = ["chainview.core"]
for info in pkgutil.walk_packages(chainview.core.__path__, "chainview.core."):
    __import__(info.name)
    names.append(info.name)
qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6")))
loaded = sorted(m for m in sys.modules if m.startswith("chainview."))
print(json.dumps({"modules": names, "qt": qt, "loaded": loaded}))
"""


def test_importing_every_core_module_loads_no_qt():
    proc = subprocess.run([sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    modules = set(result["modules"])
    # the walk really saw the engine (so an empty walk cannot pass)
    for name in ("engine", "jacobians", "steps", "session", "graph", "gradcheck", "training", "trace",
                 "net", "netfile", "expr", "activations", "losses"):
        assert f"chainview.core.{name}" in modules, name
    assert result["qt"] == [], f"chainview.core imported {result['qt']}"
    assert not any(m.startswith(("chainview.gui", "chainview.cli")) for m in result["loaded"]), result["loaded"]


def test_the_check_itself_sees_qt_when_it_is_imported():
    """The same probe reports PySide6 once something imports it (skipped where Qt is absent)."""
    probe = IMPORT_ALL.replace("qt = sorted", "import PySide6.QtCore\nqt = sorted")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "No module named 'PySide6'" in proc.stderr:
        import pytest
        pytest.skip("PySide6 is not installed")
    assert proc.returncode == 0, proc.stderr
    assert "PySide6.QtCore" in json.loads(proc.stdout)["qt"]


def _imported_names(path: Path) -> list[str]:
    """Every module an import statement in the file names, at any depth (lazy imports inside functions too)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:       # relative: from core, "." is chainview.core and ".." is chainview
                base = ("chainview." if node.level > 1 else "chainview.core.") + base
            names += [base.rstrip(".")] + [f"{base}.{alias.name}".replace("..", ".") for alias in node.names]
    return names


def test_no_core_source_imports_gui_cli_or_qt_even_lazily():
    """The import check above sees only what importing loads; this reads every import statement,
    including the ones inside functions, so a lazy `from chainview.gui import ...` fails too."""
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 20          # the walk really read core
    bad = [f"{path.name}: {name}" for path in files for name in _imported_names(path)
           if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6")
           or name.startswith(("chainview.gui", "chainview.cli"))]
    assert bad == []


def test_the_source_check_catches_a_lazy_gui_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from chainview.gui.app import run_app\n    from ..gui import x\n    import PySide6\n")
    assert {"chainview.gui.app", "chainview.gui", "PySide6"} <= set(_imported_names(probe))
