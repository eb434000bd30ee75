"""Arrows inside gui/ run one way, as inside core (tests/test_core_no_qt.py): no import cycle between
gui's modules, counting imports inside functions and under TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

from test_core_no_qt import import_cycles

GUI = Path(__file__).resolve().parent.parent / "gui"


def _module_of(path: Path, root: Path = GUI) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def gui_imports(path: Path, root: Path = GUI) -> set[str]:
    """The gui modules ("canvas.scene", "bind", ...) a gui file imports, at any depth."""
    known = {_module_of(p, root) for p in root.rglob("*.py")}
    package = _module_of(path, root).split(".")
    if path.stem != "__init__":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            elif node.module and node.module.startswith("chainview.gui"):
                base = node.module.split(".")[2:]
            else:
                continue
            for alias in node.names:
                candidate = ".".join(base + [alias.name])
                found.add(candidate if candidate in known else ".".join(base))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("chainview.gui."):
                    found.add(".".join(alias.name.split(".")[2:]))
    found &= known
    found.discard(_module_of(path, root))
    found.discard("")
    return found


def test_gui_modules_import_each_other_without_a_cycle():
    graph = {_module_of(p): gui_imports(p) for p in GUI.rglob("*.py") if p.stem != "__init__"}
    assert {"canvas.edge_item", "canvas.node_item", "bind"} <= graph["canvas.scene"]   # the parse sees imports
    assert "canvas.label_pill" in graph["canvas.edge_item"]
    assert import_cycles(graph) == []


def test_the_gui_check_finds_a_type_checking_cycle(tmp_path):
    (tmp_path / "area").mkdir()
    (tmp_path / "area" / "a.py").write_text("def f():\n    from .b import x\n")
    (tmp_path / "area" / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                           "    from chainview.gui.area.a import f\n")
    graph = {_module_of(p, tmp_path): gui_imports(p, tmp_path) for p in tmp_path.rglob("*.py")}
    assert import_cycles(graph) == [["area.a", "area.b"]]
