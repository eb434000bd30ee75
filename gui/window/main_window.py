"""The window: the graph in the middle, the steps on the left, the inspector on the right.

    MainWindow(session, settings=Settings(), path=None)

Everything a person does is a QAction with a window-wide shortcut (see gui/shortcuts.py), so
stepping works whichever pane has the focus. What the editor, the gradient check and training
(gui/editing/tools.py, installed by `install_editing_tools`) and Compare (gui/compare) use are typed
parts of this class: `undo_stack` (a QUndoStack; Edit ▸ Undo/Redo follow it), `net_menu` (the "Net"
menu), `inspector_dock`, `add_dock(widget, area, title, object_name)`, `open_path(path)` and the
`theme_changed` signal (View ▸ Theme: docked panes follow it).

One job a file: the actions, menus and toolbar are in menus.py, files (open, save, recent, drop) in
files.py, theme, digits, text size and the camera in view_options.py, export and copy in
export_actions.py, help in help.py; each is a part (mixin) of MainWindow.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QMenu, QWidget
# QMessageBox and QFileDialog are imported in the methods that show them: PySide builds a class's
# Python enum types when it is first touched, and the first frame needs no dialog

from chainview.core.symbols import pretty

from .. import theme as themes
from ..canvas.scene import GraphScene
from ..canvas.view import GraphView
from ..inspector.panel import Inspector
from ..bind import follow
from ..settings import Settings
from .export_actions import WindowExport
from .files import NET_FILTER, SUFFIX, WindowFiles, display_name, is_net_file  # noqa: F401 (public names)
from .help import WindowHelp
from .menus import WindowMenus
from ..numbering import step_tag
from .step_list import StepList
from .view_options import BASE_POINT_SIZE, WindowViewOptions, _set_app_font, base_point_size  # noqa: F401


class MainWindow(WindowMenus, WindowFiles, WindowViewOptions, WindowExport, WindowHelp, QMainWindow):
    """The window; each job is a part of its own (menus.py, files.py, view_options.py, export_actions.py,
    help.py), this class builds the panes and keeps them in step with the session."""

    theme_changed = Signal(object)     # the new Theme, after the window's own panes took it (View ▸ Theme)

    def __init__(self, session, *, settings: Settings | None = None, path=None, name: str | None = None,
                 theme: str | None = None, font_scale: float | None = None, restore_geometry: bool = True,
                 editing: bool = True, first_run_hint: bool = True, parent=None):
        super().__init__(parent)
        self.session = session
        self.settings = settings if settings is not None else Settings()
        self.path: str | None = os.path.abspath(os.fspath(path)) if path is not None else None
        self.name = name or (display_name(path) if path is not None else (session.net.name or "untitled"))
        self.undo_stack = QUndoStack(self)
        self._loading = False
        self._theme_name = theme or self.settings.theme
        self.theme = themes.resolve(self._theme_name)
        self._font_scale = font_scale if font_scale is not None else self.settings.font_scale
        self._persist = restore_geometry
        self._shown_once = False
        self._compact = False                 # shorter toolbar words in a narrow window (set_compact_labels)
        # the parts made later in __init__ or on first use, None until then
        self.editing_tools = None             # gui/editing/tools.EditingTools (install_editing_tools)
        self.compare_tools = None             # gui/compare: File ▸ Compare with my code…, made when first used
        self.key_hint = None                  # the card of the stepping keys (gui/window/first_run.py)
        self.presenter = None                 # gui/window/presenter.Presenter (F5)
        self.panels = None                    # gui/window/panels.PanelManager
        # gui/teaching/install.py (install_teaching): predict before reveal and the handout export
        self.predict_mode = None              # gui/teaching/predict_mode.PredictMode
        self.predict_action: QAction | None = None
        self.export_handout_action: QAction | None = None
        self.export_worksheet_action: QAction | None = None
        self.setObjectName("chainview_main_window")
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowTabbedDocks)
        # the text size first, so every pane is built at it
        _set_app_font(self._font_scale)

        # ---- the three panes
        self.scene = GraphScene(session, self.theme, self)
        self.view = GraphView(self.scene, self)
        self.view.setObjectName("graph_view")
        self.setCentralWidget(self.view)
        self.step_list = StepList(session, self.theme, horizontal=True)
        self.inspector = Inspector(session, self.theme, coalesce=True)   # refreshes once per burst of changes
        self.inspector.setObjectName(self.inspector.objectName() or "inspector")
        # the graph is wide and short: the steps run as a strip under it, the inspector has the full height
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.docks: list[QDockWidget] = []
        self.panels_menu: QMenu | None = None    # View ▸ Panels, made with the menus (after the first docks)
        self.steps_dock = self.add_dock(self.step_list, Qt.BottomDockWidgetArea, "Steps", "steps_dock")
        self.steps_dock.dockLocationChanged.connect(
            lambda area: self.step_list.set_horizontal(area in (Qt.TopDockWidgetArea, Qt.BottomDockWidgetArea)))
        self.inspector_dock = self.add_dock(self.inspector, Qt.RightDockWidgetArea, "Inspector", "inspector_dock")

        self._make_actions()
        self._make_menus()
        self._make_toolbar()
        self._make_status_bar()
        self._connect()

        # a net file dropped on the canvas opens like one dropped anywhere else: Qt hands a drag to the
        # nearest widget that accepts drops, so the canvas declines them and the window's own handlers
        # (files.py) take them. (An event filter did this, and put every canvas event through Python.)
        for widget in (self.view, self.view.viewport()):
            widget.setAcceptDrops(False)

        self.apply_theme(self._theme_name, save=False, initial=True)
        self.apply_precision(self.settings.precision, save=False)
        self.apply_font_scale(self._font_scale, save=False, initial=True)
        self._update_title()
        self._update_position()
        self._update_net_widgets()
        self._update_layout_widgets()
        self._update_selection_actions()
        self._restored = self._persist and self.settings.window_state is not None
        if editing:
            self.install_editing_tools()   # before the saved layout is restored: it has their docks too
        from ..teaching.install import install_teaching
        install_teaching(self)             # predict before reveal (Ctrl+P), File ▸ Export handout…, step notes
        self._initial_geometry()
        from .panels import PanelManager
        self.panels = PanelManager(self)       # side panels tab together below 1366 px (gui/window/panels.py)
        self._install_camera_actions()
        if os.environ.get("CHAINVIEW_COMPARE_MODULES"):
            self.install_compare_tools()
        if first_run_hint and not self.settings.hint_dismissed:
            self.show_key_hint()

    # ================================================================ wiring

    def _connect(self) -> None:
        s = self.session
        follow(self, (s.position_changed, self._on_position), (s.net_changed, self._on_net),
               (s.layout_changed, self._on_layout), (s.example_changed, self._on_example),
               (s.selection_changed, self._on_selection))
        # a canvas click selects in the session (every view follows from there) and asks to inspect
        self.scene.inspect_requested.connect(self._show_inspector)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme)   # Qt 6.5+ (pyproject: PySide6 ≥ 6.6)

    def install_editing_tools(self):
        """The editor, training and gradient-check docks and actions (gui/editing/tools.py), once.
        The editor dock starts hidden unless a saved layout says otherwise: the canvas first."""
        if self.editing_tools is None:
            from ..editing.tools import install_editing
            install_editing(self)          # sets self.editing_tools
            if not self._restored:
                self.editing_tools.editor_dock.hide()
        return self.editing_tools

    def install_compare_tools(self):
        """The Compare dock and its controller (gui/compare), once."""
        if self.compare_tools is None:
            from ..compare.tools import install_compare
            self.compare_tools = install_compare(self)
        return self.compare_tools

    def compare_dialog(self) -> None:
        """File ▸ Compare with my code…: pick a Python file of homework modules and keep checking it."""
        from PySide6.QtWidgets import QFileDialog
        tools = self.install_compare_tools()
        start = tools.controller.path or (os.path.dirname(self.path) if self.path else str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, "Compare with my code", start, "Python files (*.py);;All files (*)")
        if path:
            tools.start(path)

    def show_editor(self) -> None:
        """Show the net editor (`chainview render --edit`)."""
        dock = self.install_editing_tools().editor_dock
        dock.show()
        if self.panels is not None:
            self.panels.arrange()
        dock.raise_()

    def train_steps(self, steps: int, lr: float, timeout: float = 120.0) -> None:
        """Train `steps` SGD steps and wait for them (`chainview render --train N`): the loss plot shows them."""
        tools = self.install_editing_tools()
        tools.lr_spin.setValue(lr)
        tools.training_panel.steps_spin.setValue(steps)
        if not tools.train():
            return
        import time
        end = time.monotonic() + timeout
        app = QApplication.instance()
        while tools.controller.is_running() and time.monotonic() < end:
            app.processEvents(QEventLoop.AllEvents, 50)
        tools.training_dock.show()
        tools.training_dock.raise_()

    def add_dock(self, widget: QWidget, area=Qt.RightDockWidgetArea, title: str | None = None,
                 object_name: str | None = None) -> QDockWidget:
        """Put `widget` in a dock (listed in View ▸ Panels) and return the dock."""
        title = title or widget.windowTitle() or widget.objectName() or "Panel"
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name or f"{(widget.objectName() or title).lower().replace(' ', '_')}_dock")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable
                         | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        self.docks.append(dock)
        toggle = dock.toggleViewAction()
        if len(self.docks) <= 8:                  # Ctrl+1 Steps, Ctrl+2 Inspector, then the others in order
            toggle.setShortcut(QKeySequence(f"Ctrl+{len(self.docks)}"))
            toggle.setShortcutContext(Qt.WindowShortcut)
            self.addAction(toggle)
        if self.panels_menu is not None:
            self.panels_menu.addAction(toggle)
        return dock

    def _initial_geometry(self) -> None:
        if self._persist and self.settings.geometry is not None:
            self.restoreGeometry(self.settings.geometry)
            if self.settings.window_state is not None:
                self.restoreState(self.settings.window_state)
            return
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            avail = screen.availableGeometry()
            w = min(1600, max(960, int(avail.width() * 0.85)))
            h = min(1000, max(600, int(avail.height() * 0.85)))
            self.resize(min(w, avail.width()), min(h, avail.height()))
            self.move(avail.center() - self.rect().center())
        else:
            self.resize(1280, 800)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        if self.panels is not None:
            self.panels.window_resized()

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if not (self._persist and self.settings.window_state is not None):
                self.proportion_docks()
            self.panels.arrange()

    def proportion_docks(self) -> None:
        """Canvas first: the inspector gets ~27% of the width, the step strip just its height."""
        w = max(self.width(), 800)
        self.resizeDocks([self.inspector_dock], [max(int(w * 0.27), self.inspector.minimumSizeHint().width())],
                         Qt.Horizontal)
        if self.step_list.horizontal:
            self.resizeDocks([self.steps_dock], [self.step_list.sizeHint().height()], Qt.Vertical)
        else:
            self.resizeDocks([self.steps_dock], [int(w * 0.19)], Qt.Horizontal)

    # ================================================================ session → widgets
    def _on_position(self, old: int, new: int) -> None:
        self._update_position()

    def _on_net(self) -> None:
        self._update_position()
        self._update_net_widgets()
        self._update_selection_actions()
        if not self._loading:
            self.set_modified(True)

    def _on_layout(self, layout: str) -> None:
        self._update_layout_widgets()
        self._update_position()

    def _on_example(self, k: int) -> None:
        self._update_net_widgets()

    def _on_selection(self, selection) -> None:
        self._update_selection_actions()

    def _walk_selection(self, step: int) -> None:
        """. and ,: the next or previous node or edge, shown in the Inspector and, when zoomed in, on the canvas."""
        self.session.select_next(step)
        self._show_inspector()
        self.view.show_selection()

    def _show_inspector(self) -> None:
        """A click on the canvas asks to inspect: bring the Inspector forward (it may be behind Training)."""
        self.inspector_dock.show()
        self.inspector_dock.raise_()

    def phase_text(self) -> str:
        """'Start 0/14', 'Forward 3/5', 'Backward 2/9' (plain text, as the indicator shows it)."""
        s = self.session
        n, fwd, pos = len(s.steps), s.forward_length, s.position
        if pos == 0:
            return f"Start 0/{n}"
        if pos <= fwd:
            return f"Forward {pos}/{fwd}"
        return f"Backward {pos - fwd}/{n - fwd}"

    def loss_text(self) -> str:
        s = self.session
        if s.position < s.forward_length:
            return "L = ?"
        loss = s.evaluation.loss
        if loss != loss or loss in (float("inf"), float("-inf")):   # NaN or infinite: say where it began
            return "L = NaN ⚠" if loss != loss else "L = ∞ ⚠"
        return f"L = {loss:.4g}"

    def _update_position(self) -> None:
        s = self.session
        pos, n = s.position, len(s.steps)
        t = self.theme
        phase = self.phase_text()
        if pos == 0:
            color = t.muted
        elif pos <= s.forward_length:
            color = t.kinds["A"]
        else:
            color = t.grad
        word, _, count = phase.partition(" ")
        self.phase_label.setText(f"<span style='color:{color.name()}'><b>{word}</b></span>&nbsp;{count}")
        self.phase_label.setToolTip("Steps done in this phase / steps in it")
        known = pos >= s.forward_length
        loss_color = (t.kinds["L"] if known else t.muted).name()
        problems = s.evaluation.problems
        if problems and known:
            loss_color = t.bad.name()
        self.loss_label.setText(f"<span style='color:{loss_color}'>{self.loss_text()}</span>")
        if problems:
            first = next(iter(problems))
            self.loss_label.setToolTip(pretty(problems[first]) + self._nonfinite_words(first))
        else:
            self.loss_label.setToolTip("The loss, once computed")
        step = s.current
        if step is None:
            first = s.steps[0] if s.steps else None
            hint = "Press → or Space to take the first step"
            self.step_label.setText(hint + (f": {pretty(first.equation)}" if first else ""))
        else:
            text = f"{step_tag(step.index, s.forward_length)}   {pretty(step.equation)}     {step.shapes}"
            if step.note:
                text += f"     — {pretty(step.note)}"
            if problems and step.node in problems:   # the first non-finite number appears at this step
                text = f"⚠ {pretty(problems[step.node])}{self._nonfinite_words(step.node)}     {text}"
            self.step_label.setText(text)
        self.previous_action.setEnabled(pos > 0)
        self.reset_action.setEnabled(pos > 0)
        self.next_action.setEnabled(pos < n)
        self.run_to_end_action.setEnabled(pos < n)
        self.finish_forward_action.setEnabled(pos < s.forward_length)

    def _nonfinite_words(self, node: str) -> str:
        """' (4 of 6 entries are NaN or inf)': every non-finite entry counted, not only the first named."""
        from ..canvas.text import nonfinite_count
        ev = self.session.evaluation
        bad = nonfinite_count(ev.values.get(node)) + nonfinite_count(ev.grads.get(node))
        size = (getattr(ev.values.get(node), "size", 0) or 0) + \
            (getattr(ev.grads.get(node), "size", 0) or 0)
        return f" ({bad} of {size} entries are NaN or inf)" if bad else ""

    def _update_net_widgets(self) -> None:
        s = self.session
        b = s.net.batch
        self.next_example_action.setEnabled(b > 1)
        self.previous_example_action.setEnabled(b > 1)
        if self.example_spin is None and b == 1:
            return                                  # no batch yet: the box is not made (menus.py)
        spin = self._example_box()
        self.example_widget_action.setVisible(b > 1)
        spin.blockSignals(True)
        spin.setRange(1, max(1, b))
        spin.setSuffix(f" of {b}")
        spin.setValue(s.example + 1)
        spin.blockSignals(False)

    def _update_layout_widgets(self) -> None:
        num = self.session.layout == "numerator"
        self.numerator_layout_action.setChecked(num)
        if self._compact:
            self.layout_button.setText("numerator" if num else "6.390")
        else:
            self.layout_button.setText("Layout: numerator" if num else "Layout: 6.390")
        self.layout_button.setToolTip("Jacobian layout: " + (
            "numerator (the transpose of 6.390's)" if num else "denominator, as MIT 6.390 writes it")
            + "  (Ctrl+L switches)")

    def _update_selection_actions(self) -> None:
        has = self.session.selection is not None
        self.copy_csv_action.setEnabled(has)
        self.copy_latex_action.setEnabled(has)
        self.clear_selection_action.setEnabled(has)

    # ================================================================ widgets → session
    def _layout_toggled(self, checked: bool) -> None:
        self.set_layout("numerator" if checked else "denominator")

    def set_layout(self, layout: str) -> None:
        """The widgets follow from the session's layout_changed (_on_layout), once."""
        self.session.set_layout(layout)

    def _example_spun(self, value: int) -> None:
        k = value - 1
        if 0 <= k < self.session.net.batch:
            self.session.set_example(k)

    def _shift_example(self, delta: int) -> None:
        b = self.session.net.batch
        if b > 1:
            self.session.set_example((self.session.example + delta) % b)

    # ================================================================ closing

    def closeEvent(self, event):  # noqa: N802
        if not self.confirm_discard():
            event.ignore()
            return
        if self._persist:
            self.panels.save_current()
            self.settings.geometry = self.saveGeometry()
            self.settings.window_state = self.saveState()
            self.settings.sync()
        event.accept()


