"""Compare with my code, put into a main window: `install_compare(window) -> CompareTools`.

The window needs `session`, `scene` (GraphScene: its set_marks draws the ✓/✗ on nodes), `theme`,
`add_dock(widget, area, title, object_name)`, `statusBar()`, `path` and `inspector_dock` (the
Compare page is tabbed with it). What it adds: the Compare dock (gui/compare/panel.py) and the
controller that runs and re-runs the person's file (gui/compare/controller.py). Each report puts
badges on the canvas, selects the first difference and moves the stepper to it; the focus stays
where it was (a save in their editor must not pull the window forward).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer

from chainview.core.symbols import pretty

from .controller import KEEP, CompareController
from .panel import ComparePanel, row_text

DOCK_WIDTH = 560                               # theirs, expected and the difference side by side
ENV_MODULES = "CHAINVIEW_COMPARE_MODULES"     # `chainview NET.json --modules FILE.py` (cli/__init__.py) sets it
ENV_LR = "CHAINVIEW_COMPARE_LR"               # ... and `--lr 0.01` this one (checked there: a positive number)


@dataclass(frozen=True)
class CompareMark:
    """What a node's badge draws (`ok`) and says (`tooltip`): the steps of that node, ✓/✗ each."""
    ok: bool
    tooltip: str


def node_marks(report) -> dict:
    """node -> CompareMark: ✗ if any of its steps differs, ✓ if every checked one agrees."""
    marks = {}
    if report is None:
        return marks
    by_node: dict[str, list] = {}
    for row in report.rows:
        if row.status != "not_checked":
            by_node.setdefault(row.node, []).append(row)
    for node, rows in by_node.items():
        ok = all(r.status == "ok" for r in rows)
        lines = [_esc(pretty(row_text(r))) for r in rows]
        bad = next((r for r in rows if r.status == "differs"), None)
        if bad is not None and bad.message:
            lines.append(_esc(pretty(bad.message)))
        head = "✓ your code agrees" if ok else "✗ your code differs"
        marks[node] = CompareMark(ok, f"{head} ({os.path.basename(report.source)}):<br>" + "<br>".join(lines))
    return marks


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class CompareTools:
    def __init__(self, window):
        self.window = window
        self.session = window.session
        self.controller = CompareController(window.session, window)
        self.panel = ComparePanel(self.controller, window.session, window.theme)
        self.dock = window.add_dock(self.panel, Qt.RightDockWidgetArea, "Compare", "compare_dock")
        window.theme_changed.connect(self.panel.set_theme)     # View ▸ Theme
        window.tabifyDockWidget(window.inspector_dock, self.dock)
        window.inspector_dock.raise_()
        self.dock.hide()
        self._last_first = None
        self.controller.finished.connect(self._on_report)
        self.controller.failed.connect(self._on_failed)
        self.panel.row_chosen.connect(self.go_to)
        self.panel.template_wanted.connect(self.start_from_template)
        self._selection_slot = lambda sel: self._on_selection(sel)
        self.session.selection_changed.connect(self._selection_slot)
        window.destroyed.connect(lambda *_, s=self.session, cb=self._selection_slot: s.selection_changed.disconnect(cb))
        window.installEventFilter(_ShutdownFilter(self.controller, window))
        self.inspector = window.inspector
        self.inspector.line_providers.append(self.inspector_lines)

    def start(self, path, *, lr=KEEP) -> None:
        """Compare with `path`; the learning rate stays what it was (the panel's field) unless given."""
        self._last_first = None
        self.dock.show()
        self.dock.raise_()
        self.window.resizeDocks([self.dock], [max(self.dock.width(), DOCK_WIDTH)], Qt.Horizontal)
        self.controller.start(path, lr=lr)

    def start_from_template(self, path=None) -> bool:
        """Save a copy of the shipped template (asking where, unless given) and compare with it."""
        import shutil
        from chainview.core.compare import template_path
        if path is None:
            from PySide6.QtWidgets import QFileDialog
            folder = os.path.dirname(self.window.path) if self.window.path else os.path.expanduser("~")
            path, _ = QFileDialog.getSaveFileName(self.window, "Save the module template", os.path.join(folder, "hw.py"),
                                                  "Python files (*.py)")
            if not path:
                return False
        try:
            shutil.copyfile(template_path(), path)
        except OSError as err:
            self.window.statusBar().showMessage(f"Compare: cannot write {path}: {err.strerror or err}", 8000)
            return False
        self.start(path)
        return True

    # ---- a report arrived
    def inspector_lines(self, node: str) -> list:
        """What the Inspector says about a node: each compared step of it, ✓/✗, with the diagnosis of a ✗."""
        report = self.controller.report
        if report is None:
            return []
        name = os.path.basename(report.source)
        lines = []
        for row in report.rows:
            if row.node == node and row.status != "not_checked":
                text = f"{'✓' if row.status == 'ok' else '✗'} {name}: {pretty(row.title)} ({row.phase})"
                if row.status == "differs":
                    text += f" — {row.kind}: {pretty(row.message)}"
                lines.append((text, row.status == "ok"))
        return lines

    def _on_report(self, report) -> None:
        scene = self.window.scene
        if shiboken6.isValid(scene):
            scene.set_marks(node_marks(report) if report is not None else None)
        if self.inspector is not None and shiboken6.isValid(self.inspector):
            self.inspector.refresh(force=True)
        if report is None:
            self._last_first = None
            return
        first = report.first
        key = (first.node, first.phase, first.kind) if first is not None else None
        if first is not None and key != self._last_first:
            self.go_to(first)                      # a new first difference: show it (a re-run of the same stays put)
        elif isinstance(self.session.selection, str):
            self.panel.show_node(self.session.selection)
        self._last_first = key
        if report.first is not None or report.agree:
            self.window.statusBar().showMessage(_summary(report), 8000)

    def _on_failed(self, message: str) -> None:
        scene = self.window.scene
        if shiboken6.isValid(scene):
            scene.set_marks(None)
        self.window.statusBar().showMessage(f"Compare: {message}", 8000)

    def go_to(self, row) -> None:
        """Select the row's node and move the stepper to the step that computes it (no focus change)."""
        s = self.session
        if row is None or row.node is None:
            return
        index = s.step_index.get((row.phase, row.node))
        if index is not None:
            s.jump(index + 1)
        elif row.phase == "update":
            s.run_to_end()
        if s.selection != row.node:
            s.select(row.node)
        self.panel.choose(row)

    def _on_selection(self, selection) -> None:
        if isinstance(selection, str) and self.controller.report is not None:
            current = self.panel.current_row()
            if current is None or current.node != selection:
                self.panel.show_node(selection)


def _summary(report) -> str:
    first = report.first
    if first is None:
        return f"Compare: {os.path.basename(report.source)} agrees on every step"
    where = "loading the file" if first.node is None else f"{first.title} ({first.phase})"
    return pretty(f"Compare: first difference at {where}: {first.kind}")


class _ShutdownFilter(QObject):
    """Ends a run when its window closes for good (as gui/editing/training.py does for a training run)."""

    def __init__(self, controller, window):
        super().__init__(window)
        self.controller, self.window = controller, window

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Close:
            QTimer.singleShot(0, self._after_close)
        return False

    def _after_close(self) -> None:
        if shiboken6.isValid(self.window) and not self.window.isVisible() and shiboken6.isValid(self.controller):
            self.controller.shutdown()


def install_compare(window) -> CompareTools:
    """Once per window; a --modules path from the command line starts comparing right away."""
    tools = CompareTools(window)
    pending, lr = os.environ.pop(ENV_MODULES, None), os.environ.pop(ENV_LR, None)
    if pending:
        tools.start(pending, lr=float(lr) if lr else None)
    return tools
