"""Arrows inside gui/ run one way, as inside core (tests/test_core_no_qt.py): no import cycle between
gui's modules, counting imports inside functions and under TYPE_CHECKING. Between its rooms the
window puts the editing tools in (one install point) and editing, canvas and inspector never reach
back up to it; canvas and inspector know nothing of editing."""

from __future__ import annotations

import ast
from pathlib import Path

from test_core_no_qt import import_cycles

GUI = Path(__file__).resolve().parent.parent / "gui"


def _module_of(path: Path, root: Path = GUI) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, package: list[str], known: set[str]) -> set[str]:
    """The gui modules one import statement names: `from .x import y` is y when y is a module, else x."""
    found = set()
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = package[: len(package) - (node.level - 1)] + (node.module.split(".") if node.module else [])
        elif node.module and node.module.startswith("chainview.gui"):
            base = node.module.split(".")[2:]
        else:
            return found
        for alias in node.names:
            candidate = ".".join(base + [alias.name])
            found.add(candidate if candidate in known else ".".join(base))
    elif isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.startswith("chainview.gui."):
                found.add(".".join(alias.name.split(".")[2:]))
    return found


def gui_imports_by_place(path: Path, root: Path = GUI) -> set[tuple[str, str]]:
    """(where, gui module) for every gui import of a file. where is "<module>" for an import that runs
    when the file is imported (at the top, in a class body, under if/try/TYPE_CHECKING), else the
    qualified name of the function it sits in ("MainWindow.install_editing_tools")."""
    known = {_module_of(p, root) for p in root.rglob("*.py")}
    own = _module_of(path, root)
    package = own.split(".") if path.stem == "__init__" else own.split(".")[:-1]
    found: set[tuple[str, str]] = set()

    def visit(node: ast.AST, where: str, scope: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{scope}.{child.name}" if scope else child.name
                visit(child, where if isinstance(child, ast.ClassDef) else name, name)   # a class body runs where it stands
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.update((where, module) for module in _imported(child, package, known)
                             if module in known and module not in ("", own))
            visit(child, where, scope)

    visit(ast.parse(path.read_text(encoding="utf-8")), "<module>", "")
    return found


def gui_imports(path: Path, root: Path = GUI) -> set[str]:
    """The gui modules ("canvas.scene", "bind", ...) a gui file imports, at any depth."""
    return {module for _, module in gui_imports_by_place(path, root)}


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


def _room(module: str) -> str:
    """The room a gui module lives in: its subpackage ("editing"), or "" for gui/'s own files (bind, theme, ...)."""
    return module.split(".")[0] if "." in module else ""


def _imports_by_place() -> dict[str, set[tuple[str, str]]]:
    return {_module_of(p): gui_imports_by_place(p) for p in GUI.rglob("*.py") if p.stem != "__init__"}


def test_the_window_installs_the_editing_tools_at_one_point_and_editing_never_imports_the_window():
    graph = _imports_by_place()
    assert ("install_editing", "editing.check_runner") in graph["editing.tools"]     # the parse sees lazy imports
    back_up = sorted(f"{m} -> {d}" for m, deps in graph.items() if _room(m) == "editing"
                     for _, d in deps if _room(d) == "window")
    assert back_up == []
    into_editing = {(m, where) for m, deps in graph.items() if _room(m) == "window"
                    for where, d in deps if _room(d) == "editing"}
    assert into_editing == {("window.main_window", "MainWindow.install_editing_tools")}


def test_canvas_and_inspector_import_nothing_from_editing_or_the_window():
    graph = _imports_by_place()
    assert graph["canvas.scene"] and graph["inspector.panel"]
    up = sorted(f"{m} -> {d}" for m, deps in graph.items() if _room(m) in ("canvas", "inspector")
                for _, d in deps if _room(d) in ("editing", "window"))
    assert up == []


def test_teaching_and_compare_never_reach_back_into_the_window():
    """The window installs them (gui/window/main_window.py); what they share with it (shortcuts, the
    step numbering, bind) lives at gui's top level."""
    graph = _imports_by_place()
    assert graph["teaching.predict_mode"]
    up = sorted(f"{m} -> {d}" for m, deps in graph.items() if _room(m) in ("teaching", "compare")
                for _, d in deps if _room(d) == "window")
    assert up == []


def test_the_gui_check_tells_a_module_level_import_from_one_in_a_method(tmp_path):
    for room in ("window", "editing"):
        (tmp_path / room).mkdir()
    (tmp_path / "editing" / "tools.py").write_text("X = 1\n")
    (tmp_path / "window" / "main.py").write_text(
        "from ..editing import tools\n"
        "class Main:\n"
        "    from chainview.gui.editing.tools import X\n"
        "    def install(self):\n"
        "        if True:\n"
        "            from ..editing.tools import X\n")
    assert gui_imports_by_place(tmp_path / "window" / "main.py", tmp_path) == {
        ("<module>", "editing.tools"), ("Main.install", "editing.tools")}
