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


# ------------------------------------------------------------------ no import cycles inside core

def core_imports(path: Path) -> set[str]:
    """The core modules (file stems; "__init__" for a name the package itself defines) that a core file
    imports, at any depth: module level, inside functions and under TYPE_CHECKING alike."""
    modules = {p.stem for p in CORE.glob("*.py")}
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            pairs = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ("chainview." if node.level > 1 else "chainview.core.") + base
            pairs = [(base.rstrip("."), alias.name) for alias in node.names]
        else:
            continue
        for module, name in pairs:
            if module == "chainview.core":       # from chainview.core import x: the module x, or a name of __init__
                found.add(name if name in modules else "__init__")
            elif module.startswith("chainview.core."):
                found.add(module.split(".")[2])
    found.discard(path.stem)
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_core_modules_import_each_other_without_a_cycle():
    """Arrows inside core run one way (nodes -> graph -> engine -> jacobians -> evaluated_graph ...),
    counting lazy and TYPE_CHECKING imports: a cycle means a name lives in the wrong module."""
    graph = {p.stem: core_imports(p) for p in CORE.glob("*.py")}
    assert {"nodes", "symbols"} <= graph["graph"] and "engine" in graph["jacobians"]   # the parse sees imports
    assert import_cycles(graph) == []


def test_the_cycle_check_finds_a_lazy_and_a_type_checking_cycle(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from .b import x\n")
    b = tmp_path / "b.py"
    b.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from chainview.core.a import f\n")
    graph = {"a": core_imports(a), "b": core_imports(b), "c": {"a"}}
    assert graph["a"] == {"b"} and graph["b"] == {"a"}
    assert import_cycles(graph) == [["a", "b"]]
