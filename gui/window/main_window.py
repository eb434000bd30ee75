"""The window: the graph in the middle, the steps on the left, the inspector on the right.

    MainWindow(session, settings=Settings(), path=None)

Everything a person does is a QAction with a window-wide shortcut (see gui/window/actions.py), so
stepping works whichever pane has the focus. Hooks for the editor, the gradient check and
training (gui/editing/tools.py, installed by `install_editing_tools`): `undo_stack` (a QUndoStack;
Edit ▸ Undo/Redo follow it), `net_menu` (the "Net" menu) and `add_dock(widget, area, title)`.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontMetrics, QGuiApplication, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QApplication, QDockWidget, QHBoxLayout, QLabel, QMainWindow, QMenu, QSizePolicy,
                               QSpinBox, QToolBar, QToolButton, QWidget)
# QMessageBox and QFileDialog are imported in the methods that show them: PySide builds a class's
# Python enum types when it is first touched, and the first frame needs no dialog

from chainview.core import __version__
from chainview.core.errors import NetError
from chainview.core.examples import example_paths, examples_dir
from chainview.core.symbols import pretty

from .. import theme as themes
from .actions import SHORTCUTS, key_sequences, make_icon, shortcut_text
from ..canvas.scene import GraphScene
from ..canvas.view import GraphView
from ..inspector.panel import Inspector
from ..bind import follow
from ..settings import DEFAULT_PRECISION, FONT_SCALES, PRECISIONS, Settings
from .step_list import StepList
from .numbering import step_tag

NET_FILTER = "chainview nets (*.chainview.json *.json);;All files (*)"
SUFFIX = ".chainview.json"
BASE_POINT_SIZE = 10.0       # the smallest base text size; 1.0x of "Text size" is this (or the desktop's, if larger)


def is_net_file(path: str) -> bool:
    return path.lower().endswith(".json")


def display_name(path) -> str:
    name = os.path.basename(os.fspath(path))
    for suffix in (SUFFIX, ".json"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def base_point_size() -> float:
    """The application's text size at 1.0x, remembered the first time so scaling never compounds."""
    app = QApplication.instance()
    stored = app.property("chainview_base_point_size")
    if stored:
        return float(stored)
    size = app.font().pointSizeF()
    size = max(BASE_POINT_SIZE, size if size > 0 else BASE_POINT_SIZE)
    app.setProperty("chainview_base_point_size", size)
    return size


class _DropFilter(QObject):
    """Lets a net file dropped anywhere on the window (the canvas included) open."""

    def __init__(self, window: "MainWindow"):
        super().__init__(window)
        self.window = window

    def eventFilter(self, obj, event):  # noqa: N802
        t = event.type()
        if t in (QEvent.DragEnter, QEvent.DragMove):
            if self.window._dropped_path(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif t == QEvent.Drop:
            path = self.window._dropped_path(event.mimeData())
            if path:
                event.acceptProposedAction()
                QTimer.singleShot(0, lambda: self.window.open_path(path))
                return True
        return False


class MainWindow(QMainWindow):
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
        self.inspector = Inspector(session, self.theme)
        self.inspector.setObjectName(self.inspector.objectName() or "inspector")
        # the graph is wide and short: the steps run as a strip under it, the inspector has the full height
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self._docks: list[QDockWidget] = []
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

        self._drop_filter = _DropFilter(self)
        for widget in (self.view, self.view.viewport()):
            widget.setAcceptDrops(True)
            widget.installEventFilter(self._drop_filter)

        self.apply_theme(self._theme_name, save=False, initial=True)
        self.apply_precision(self.settings.precision, save=False)
        self.apply_font_scale(self._font_scale, save=False, initial=True)
        self._update_title()
        self._update_position()
        self._update_net_widgets()
        self._update_layout_widgets()
        self._update_selection_actions()
        self.editing_tools = None
        self._restored = self._persist and self.settings.window_state is not None
        if editing:
            self.install_editing_tools()   # before the saved layout is restored: it has their docks too
        from ..teaching.install import install_teaching
        install_teaching(self)             # predict before reveal (Ctrl+P), File ▸ Export handout…, step notes
        self._initial_geometry()
        from .panels import PanelManager
        self.panels = PanelManager(self)       # side panels tab together below 1366 px (gui/window/panels.py)
        self._install_camera_actions()
        self.compare_tools = None     # File ▸ Compare with my code… (gui/compare), made when first used
        if os.environ.get("CHAINVIEW_COMPARE_MODULES"):
            self.install_compare_tools()
        self.key_hint = None          # the card of the stepping keys (gui/window/first_run.py): first run only
        if first_run_hint and not self.settings.hint_dismissed:
            self.show_key_hint()

    # ================================================================ building
    def _action(self, name: str, text: str, slot=None, *, checkable: bool = False, tip: str = "",
                icon: str | None = None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        keys = key_sequences(name)
        if keys:
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.WindowShortcut)
        action.setCheckable(checkable)
        if tip:
            action.setStatusTip(tip)
        shortcut = ", ".join(SHORTCUTS.get(name, ())[:2])
        action.setToolTip(f"{text.replace('&', '').rstrip('.…')}" + (f"  ({shortcut})" if shortcut else ""))
        if slot is not None:
            # a plain action calls slot() with no argument: triggered's `checked` flag must never land in
            # a parameter such as save_as(path=None) (it did: Save As failed with "not bool")
            action.triggered.connect(slot if checkable else (lambda checked=False, slot=slot: slot()))
        if icon:
            action.setProperty("icon_kind", icon)
        self.addAction(action)      # window-wide even when no menu or toolbar shows it
        setattr(self, f"{name}_action", action)
        return action

    def _make_actions(self) -> None:
        s = self.session
        a = self._action
        # step
        a("next", "&Next step", s.next, tip="Compute the next value or gradient", icon="next")
        a("previous", "&Previous step", s.previous, tip="Undo the last step", icon="previous")
        a("reset", "&Reset to the start", s.reset, tip="Nothing computed yet", icon="reset")
        a("run_to_end", "Run to the &end", s.run_to_end, tip="Every value and every gradient", icon="run_to_end")
        a("finish_forward", "&Finish the forward pass", s.finish_forward,
          tip="Compute every value up to the loss", icon="finish_forward")
        a("next_example", "Ne&xt example in the batch", lambda: self._shift_example(+1))
        a("previous_example", "Pre&vious example in the batch", lambda: self._shift_example(-1))
        a("clear_selection", "&Clear the selection", lambda: s.select(None))
        a("select_next", "Select the ne&xt node or edge", lambda: self._walk_selection(1),
          tip="Left to right through the graph; from nothing, the current step's node")
        a("select_previous", "Select the pre&vious node or edge", lambda: self._walk_selection(-1))
        # file
        a("open", "&Open…", self.open_dialog)
        a("save", "&Save", self.save)
        a("save_as", "Save &As…", self.save_as)
        a("export_png", "Export graph as &PNG…", self.export_png_dialog)
        a("export_svg", "Export graph as S&VG…", self.export_svg_dialog)
        a("export_window", "Export &window as PNG…", self.export_window_dialog)
        a("compare_modules", "Compare with my &code…", self.compare_dialog,
          tip="Run your own Linear, Tanh, ..., NLL beside the engine; ✓/✗ on the nodes, re-run on every save")
        a("quit", "&Quit", self.close)
        self.quit_action.setMenuRole(QAction.QuitRole)
        # edit
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setObjectName("undo")
        self.undo_action.setShortcuts(key_sequences("undo"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setObjectName("redo")
        self.redo_action.setShortcuts(key_sequences("redo"))
        self.addActions([self.undo_action, self.redo_action])
        a("copy_csv", "Copy matrix as &CSV", lambda: self.copy_matrix("csv"))
        a("copy_latex", "Copy matrix as &LaTeX", lambda: self.copy_matrix("latex"))
        # view
        a("numerator_layout", "&Numerator layout (transpose every Jacobian)", self._layout_toggled, checkable=True,
          tip="Off: the 6.390 denominator layout, dL/dW has W's shape")
        a("larger_text", "&Larger text", self.larger_text, icon="larger_text")
        a("smaller_text", "&Smaller text", self.smaller_text, icon="smaller_text")
        a("reset_text", "&Reset text size", lambda: self.apply_font_scale(1.0))
        a("toggle_theme", "Switch &light / dark", self.toggle_theme, icon="theme")
        a("full_screen", "&Full screen", self.toggle_full_screen, checkable=True)
        self.theme_group = QActionGroup(self)
        self.theme_actions = {}
        for key, label in (("light", "&Light"), ("dark", "&Dark"), ("system", "Follow the &system")):
            act = QAction(label, self, checkable=True)
            act.setObjectName(f"theme_{key}")
            act.triggered.connect(lambda _=False, k=key: self.apply_theme(k))
            self.theme_group.addAction(act)
            self.theme_actions[key] = act
        self.precision_group = QActionGroup(self)
        self.precision_actions = {}
        for digits in PRECISIONS:
            words = {DEFAULT_PRECISION: " (default)", max(PRECISIONS): ": every digit a float has"}.get(digits, "")
            act = QAction(f"&{digits} significant digits{words}", self, checkable=True)
            act.setObjectName(f"precision_{digits}")
            act.triggered.connect(lambda _=False, d=digits: self.apply_precision(d))
            self.precision_group.addAction(act)
            self.precision_actions[digits] = act
        # help
        a("shortcuts", "&Keyboard shortcuts", self.show_shortcuts)
        a("key_hints", "Show key &hints", lambda: self.show_key_hint())
        a("about", "&About chainview", self.show_about)
        self.about_action.setMenuRole(QAction.AboutRole)
        self.step_actions = [self.reset_action, self.previous_action, self.next_action,
                             self.finish_forward_action, self.run_to_end_action]

    def _make_menus(self) -> None:
        mb = self.menuBar()
        # File
        self.file_menu = m = mb.addMenu("&File")
        m.addAction(self.open_action)
        self.recent_menu = m.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.examples_menu = m.addMenu("Open e&xample")
        for ex_name, ex_path in example_paths().items():
            act = self.examples_menu.addAction(ex_name)
            act.setObjectName(f"example_{ex_name}")
            act.triggered.connect(lambda _=False, p=ex_path: self.open_path(p))
        m.addAction(self.compare_modules_action)
        m.addSeparator()
        m.addAction(self.save_action)
        m.addAction(self.save_as_action)
        m.addSeparator()
        m.addAction(self.export_png_action)
        m.addAction(self.export_svg_action)
        m.addAction(self.export_window_action)
        m.addSeparator()
        m.addAction(self.quit_action)
        self._fill_recent_menu()
        # Edit
        self.edit_menu = m = mb.addMenu("&Edit")
        m.addAction(self.undo_action)
        m.addAction(self.redo_action)
        m.addSeparator()
        m.addAction(self.copy_csv_action)
        m.addAction(self.copy_latex_action)
        m.addSeparator()
        m.addActions([self.select_next_action, self.select_previous_action, self.clear_selection_action])
        # View
        self.view_menu = m = mb.addMenu("&View")
        zoom = [getattr(self.view, n, None) for n in ("zoom_in_action", "zoom_out_action", "reset_zoom_action",
                                                      "fit_action")]
        for act in (z for z in zoom if isinstance(z, QAction)):
            m.addAction(act)          # their shortcuts are the view's own (window-wide already)
        m.addSeparator()
        m.addAction(self.larger_text_action)
        m.addAction(self.smaller_text_action)
        m.addAction(self.reset_text_action)
        m.addSeparator()
        self.layout_menu = m.addMenu("&Jacobian layout")
        self.layout_menu.addAction(self.numerator_layout_action)
        self.precision_menu = m.addMenu("&Digits in matrices")
        self.precision_menu.addActions(self.precision_group.actions())
        self.theme_menu = m.addMenu("&Theme")
        self.theme_menu.addActions(self.theme_group.actions())
        self.theme_menu.addSeparator()
        self.theme_menu.addAction(self.toggle_theme_action)
        self.panels_menu = m.addMenu("&Panels")
        for dock in (self.steps_dock, self.inspector_dock):
            self.panels_menu.addAction(dock.toggleViewAction())
        m.addSeparator()
        m.addAction(self.full_screen_action)
        # Step
        self.step_menu = m = mb.addMenu("&Step")
        m.addActions([self.next_action, self.previous_action])
        m.addSeparator()
        m.addActions([self.finish_forward_action, self.run_to_end_action, self.reset_action])
        m.addSeparator()
        m.addActions([self.next_example_action, self.previous_example_action])
        # Net: the editor, the gradient check and training add theirs here
        self.net_menu = mb.addMenu("&Net")
        self.describe_action = self.net_menu.addAction("&About this net…", self.describe_net)
        self.describe_action.setObjectName("describe_net")
        # Help
        self.help_menu = m = mb.addMenu("&Help")
        m.addAction(self.shortcuts_action)
        m.addAction(self.key_hints_action)
        m.addSeparator()
        m.addAction(self.about_action)

    def _make_toolbar(self) -> None:
        tb = self.toolbar = QToolBar("Stepping", self)
        tb.setObjectName("step_toolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.addToolBar(Qt.TopToolBarArea, tb)
        labels = {"reset": "Start", "previous": "Back", "next": "Next", "finish_forward": "Forward pass",
                  "run_to_end": "End"}
        self._tool_buttons = {}
        for act in self.step_actions:
            act.setIconText(labels[act.objectName()])      # what a toolbar button shows
            tb.addAction(act)
            button = tb.widgetForAction(act)
            button.setObjectName(f"{act.objectName()}_button")
            button.setAutoRaise(True)
            self._tool_buttons[act.objectName()] = button
        # icon-only buttons where the icon says enough; Back / Next keep their words
        for name in ("reset", "run_to_end"):
            self._tool_buttons[name].setToolButtonStyle(Qt.ToolButtonIconOnly)
        tb.addSeparator()
        self.phase_label = QLabel()
        self.phase_label.setObjectName("phase_label")
        self.phase_label.setTextFormat(Qt.RichText)
        self.phase_label.setContentsMargins(8, 0, 8, 0)
        self.phase_label.setAccessibleName("Phase")
        tb.addWidget(self.phase_label)
        self.loss_label = QLabel()
        self.loss_label.setObjectName("loss_label")
        self.loss_label.setTextFormat(Qt.RichText)
        self.loss_label.setContentsMargins(8, 0, 8, 0)
        self.loss_label.setAccessibleName("Loss")
        tb.addWidget(self.loss_label)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        tb.addWidget(spacer)
        # batch: which column the Jacobians show
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(4, 0, 4, 0)
        self.example_label = QLabel("Example")
        self.example_spin = QSpinBox()
        self.example_spin.setObjectName("example_spin")
        self.example_spin.setAccessibleName("Example in the batch")
        self.example_spin.setToolTip("Which column of the batch the Jacobians show  ([ and ])")
        self.example_spin.setKeyboardTracking(False)
        self.example_spin.valueChanged.connect(self._example_spun)
        self.example_label.setBuddy(self.example_spin)
        row.addWidget(self.example_label)
        row.addWidget(self.example_spin)
        self.example_widget = box
        self.example_widget_action = tb.addWidget(box)
        # layout toggle
        tb.addSeparator()
        self.layout_button = QToolButton()
        self.layout_button.setObjectName("layout_button")
        self.layout_button.setDefaultAction(self.numerator_layout_action)
        self.layout_button.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.layout_button.setAutoRaise(True)
        tb.addWidget(self.layout_button)
        tb.addSeparator()
        for act in (self.smaller_text_action, self.larger_text_action, self.toggle_theme_action):
            tb.addAction(act)
            tb.widgetForAction(act).setToolButtonStyle(Qt.ToolButtonIconOnly)
            tb.widgetForAction(act).setAutoRaise(True)

    def _make_status_bar(self) -> None:
        sb = self.statusBar()
        self.step_label = QLabel()
        self.step_label.setObjectName("step_label")
        self.step_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        sb.addWidget(self.step_label, 1)
        # a passing message ("Text size 110%") replaces the step's line, never draws over it
        sb.messageChanged.connect(self._on_status_message)
        # a message about what was done ("Trained 200 steps") is stale once it is undone or redone
        self.undo_stack.indexChanged.connect(self._on_undo_index)

    def _on_status_message(self, message: str) -> None:
        self.step_label.setVisible(not message)

    def _on_undo_index(self, _index: int) -> None:
        self.statusBar().clearMessage()

    def _connect(self) -> None:
        s = self.session
        follow(self, (s.position_changed, self._on_position), (s.net_changed, self._on_net),
               (s.layout_changed, self._on_layout), (s.example_changed, self._on_example),
               (s.selection_changed, self._on_selection))
        # a canvas click selects in the session (every view follows from there) and asks to inspect
        self.scene.inspect_requested.connect(self._show_inspector)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._on_system_scheme)

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
        if getattr(self, "panels", None) is not None:
            self.panels.arrange()
        dock.raise_()

    def train_steps(self, steps: int, lr: float, timeout: float = 120.0) -> None:
        """Train `steps` SGD steps and wait for them (`chainview render --train N`): the loss plot shows them."""
        tools = self.install_editing_tools()
        tools.lr_spin.setValue(lr)
        tools.steps_spin.setValue(steps)
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
        self._docks.append(dock)
        toggle = dock.toggleViewAction()
        if len(self._docks) <= 8:                  # Ctrl+1 Steps, Ctrl+2 Inspector, then the others in order
            toggle.setShortcut(QKeySequence(f"Ctrl+{len(self._docks)}"))
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
        from ..canvas.items import nonfinite_count
        ev = self.session.evaluation
        bad = nonfinite_count(ev.values.get(node)) + nonfinite_count(ev.grads.get(node))
        size = (getattr(ev.values.get(node), "size", 0) or 0) + \
            (getattr(ev.grads.get(node), "size", 0) or 0)
        return f" ({bad} of {size} entries are NaN or inf)" if bad else ""

    def _update_net_widgets(self) -> None:
        s = self.session
        b = s.net.batch
        self.example_widget_action.setVisible(b > 1)
        self.next_example_action.setEnabled(b > 1)
        self.previous_example_action.setEnabled(b > 1)
        spin = self.example_spin
        spin.blockSignals(True)
        spin.setRange(1, max(1, b))
        spin.setSuffix(f" of {b}")
        spin.setValue(s.example + 1)
        spin.blockSignals(False)

    def _update_layout_widgets(self) -> None:
        num = self.session.layout == "numerator"
        self.numerator_layout_action.setChecked(num)
        if getattr(self, "_compact", False):
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

    # ================================================================ files
    @property
    def modified(self) -> bool:
        return self.isWindowModified()

    def set_modified(self, modified: bool) -> None:
        self.setWindowModified(bool(modified))

    def _on_clean_changed(self, clean: bool) -> None:
        if clean:
            self.set_modified(False)

    def _update_title(self) -> None:
        where = "" if self.path else ("  (example)" if self._is_example_name() else "")
        self.setWindowTitle(f"{self.name}[*]{where} — chainview")
        self.setWindowFilePath(self.path or "")

    def _is_example_name(self) -> bool:
        return self.name in example_paths()

    def confirm_discard(self) -> bool:
        """True when it is fine to throw the current net away (saved, or the person said so)."""
        if not self.modified:
            return True
        from PySide6.QtWidgets import QMessageBox
        answer = QMessageBox.question(
            self, "Unsaved changes", f"“{self.name}” has changes that are not saved. Save them first?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if answer == QMessageBox.Save:
            return self.save()
        return answer == QMessageBox.Discard

    def open_dialog(self) -> bool:
        from PySide6.QtWidgets import QFileDialog
        if not self.confirm_discard():
            return False
        start = os.path.dirname(self.path) if self.path else self.settings.last_dir
        path, _ = QFileDialog.getOpenFileName(self, "Open a net", start, NET_FILTER)
        if not path:
            return False
        return self.open_path(path, confirm=False)

    def open_path(self, path, *, confirm: bool = True) -> bool:
        """Load a net file into this window; a bad file leaves the current net as it was."""
        from PySide6.QtWidgets import QMessageBox
        path = os.fspath(path)
        if confirm and not self.confirm_discard():
            return False
        from chainview.core.netfile import load_net
        try:
            net = load_net(path)
        except NetError as err:
            QMessageBox.warning(self, "Cannot open the net", err.message)
            if not os.path.exists(path):
                self.settings.remove_recent(path)
            return False
        self._loading = True
        try:
            s = self.session
            s.select(None)
            s.set_net(net)
            s.reset()
            if s.example >= net.batch:
                s.set_example(0)
        finally:
            self._loading = False
        if self.editing_tools is not None:
            self.editing_tools.training_panel.reset()   # the old net's loss curve is not this one's
        example = self._example_for(path)
        self.path = None if example else os.path.abspath(path)
        self.name = example or display_name(path)
        self.undo_stack.clear()
        self.set_modified(False)
        self._update_title()
        from .memory import give_back
        QTimer.singleShot(0, give_back)      # the old net's memory goes back to the system (issue 9)
        if not example:
            self.settings.add_recent(path)
            self.settings.last_dir = os.path.dirname(os.path.abspath(path))
            self._fill_recent_menu()
        QTimer.singleShot(0, self.fit_view)
        description = net.description or net.name
        self.statusBar().showMessage(f"Opened {self.name}" + (f": {description}" if description else ""), 8000)
        return True

    def _example_for(self, path) -> str | None:
        """The example's name when `path` is one of the shipped examples (saved elsewhere, never over it)."""
        try:
            folder = examples_dir().resolve()
            p = Path(path).resolve()
        except OSError:
            return None
        if p.parent == folder:
            for name, ex in example_paths().items():
                if ex.resolve() == p:
                    return name
        return None

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._save_to(self.path)

    def save_as(self, path=None) -> bool:
        from PySide6.QtWidgets import QFileDialog
        if path is None:
            folder = os.path.dirname(self.path) if self.path else self.settings.last_dir
            suggestion = os.path.join(folder, self.name + SUFFIX)
            path, _ = QFileDialog.getSaveFileName(self, "Save the net as", suggestion, NET_FILTER)
            if not path:
                return False
            if not path.lower().endswith(".json"):
                path += SUFFIX
        return self._save_to(os.fspath(path))

    def _save_to(self, path: str) -> bool:
        from PySide6.QtWidgets import QMessageBox
        from chainview.core.netfile import save_net
        try:
            save_net(self.session.net, path)
        except NetError as err:
            QMessageBox.warning(self, "Cannot save the net", err.message)
            return False
        self.path = os.path.abspath(path)
        self.name = display_name(path)
        self.undo_stack.setClean()
        self.set_modified(False)
        self._update_title()
        self.settings.add_recent(self.path)
        self.settings.last_dir = os.path.dirname(self.path)
        self._fill_recent_menu()
        self.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.settings.recent_files()
        for i, path in enumerate(recent, start=1):
            act = menu.addAction(f"&{i}  {display_name(path)}   —   {_short_dir(path)}")
            act.setData(path)
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if recent:
            menu.addSeparator()
            menu.addAction("Clear the list", self._clear_recent)
        else:
            menu.addAction("(no recent files)").setEnabled(False)

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self._fill_recent_menu()

    def _dropped_path(self, mime) -> str | None:
        if mime is None or not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and is_net_file(url.toLocalFile()):
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event):  # noqa: N802
        if self._dropped_path(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):  # noqa: N802
        if self._dropped_path(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):  # noqa: N802
        path = self._dropped_path(event.mimeData())
        if path:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_path(path))
        else:
            super().dropEvent(event)

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

    # ================================================================ presentation
    def apply_precision(self, digits: int, *, save: bool = True) -> None:
        """Significant digits in the Inspector's matrices (View ▸ Digits); the tooltips keep every digit."""
        self.inspector.set_precision(digits)
        if digits in self.precision_actions:
            self.precision_actions[digits].setChecked(True)
        if save:
            self.settings.precision = digits

    def apply_theme(self, name: str, *, save: bool = True, initial: bool = False) -> None:
        """'light', 'dark' or 'system': the palette app-wide, the canvas, the inspector and the steps.

        initial: the panes were just built with this theme; only the app-wide parts are set.
        """
        self._theme_name = name
        self.theme = t = themes.resolve(name)
        if name in self.theme_actions:
            self.theme_actions[name].setChecked(True)
        app = QApplication.instance()
        app.setPalette(themes.palette(t))
        if not initial:
            panes = [self.inspector, self.step_list, *self._extra_docked()]
            self.view.set_theme(t)              # the scene's colours and the canvas background
            for widget in panes:
                if hasattr(widget, "set_theme"):
                    widget.set_theme(t)
            if getattr(self, "key_hint", None) is not None:
                self.key_hint.set_theme(t)
            if getattr(self, "presenter", None) is not None:
                self.presenter.set_theme(t)
        for act in (*self.step_actions, self.toggle_theme_action, self.larger_text_action, self.smaller_text_action):
            kind = act.property("icon_kind")
            if kind:
                act.setIcon(make_icon(kind, t.text))
        self._update_position()
        if save:
            self.settings.theme = name

    @property
    def theme_name(self) -> str:
        return self._theme_name

    def toggle_theme(self) -> None:
        self.apply_theme("light" if self.theme.name == "dark" else "dark")

    def _on_system_scheme(self, *_):
        if self._theme_name == "system":
            self.apply_theme("system", save=False)

    @property
    def font_scale(self) -> float:
        return self._font_scale

    def apply_font_scale(self, scale: float, *, save: bool = True, initial: bool = False) -> None:
        """Text everywhere (the app font, so the docks and menus too) and on the canvas.

        initial: the panes were just built at this size (the app font was set first); only the
        canvas, which has its own scale, and the toolbar's own fonts are set.
        """
        scale = min(FONT_SCALES[-1], max(FONT_SCALES[0], float(scale)))
        ratio = scale / self._font_scale if self._font_scale else 1.0
        before = QApplication.font().pointSizeF()
        self._font_scale = scale
        font = _set_app_font(scale)
        changed = abs(font.pointSizeF() - before) > 1e-6
        self.view.text_floor_scale = scale      # larger text raises the canvas's label floor too
        self.scene.set_font_scale(scale)
        if changed and not initial:
            # panes that chose their own font (larger, to be read from afar) keep their proportion
            for pane in (self.inspector, *self._extra_docked()):
                if hasattr(pane, "set_font_scale"):
                    pane.set_font_scale(scale)
                elif abs(ratio - 1.0) > 1e-9 and pane.testAttribute(Qt.WA_SetFont):
                    f = QFont(pane.font())
                    if f.pointSizeF() > 0:
                        f.setPointSizeF(f.pointSizeF() * ratio)
                        pane.setFont(f)
                    if hasattr(pane, "refresh"):
                        pane.refresh()
            self.step_list.doItemsLayout()
            # chips changed size: the current one back into view once they are laid out again
            QTimer.singleShot(0, self._step_list_to_current)
        big = QFont(font)
        big.setPointSizeF(font.pointSizeF() * 1.25)
        self.phase_label.setFont(big)
        self.loss_label.setFont(big)
        # widths for the widest text they will show, so the toolbar does not shift as steps go by
        bold = QFont(big)
        bold.setBold(True)
        steps = len(self.session.steps)
        self.phase_label.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(f"Backward {steps}/{steps} ") + 16)
        self.loss_label.setMinimumWidth(QFontMetrics(big).horizontalAdvance("L = −0.000000e+00") + 16)
        px = QFontMetrics(font).height()
        self.toolbar.setIconSize(QSize(round(px * 1.5), round(px * 1.5)))
        self.smaller_text_action.setEnabled(scale > FONT_SCALES[0])
        self.larger_text_action.setEnabled(scale < FONT_SCALES[-1])
        if save:
            self.settings.font_scale = scale
            self.statusBar().showMessage(f"Text size {round(scale * 100)}%", 2000)

    def _step_list_to_current(self) -> None:
        follow = getattr(self.step_list, "_follow", None)
        if callable(follow):
            follow()

    def _extra_docked(self) -> list[QWidget]:
        """Widgets other modules docked with add_dock."""
        return [d.widget() for d in self.findChildren(QDockWidget)
                if d not in (self.steps_dock, self.inspector_dock) and d.widget() is not None]

    def larger_text(self) -> None:
        bigger = [f for f in FONT_SCALES if f > self._font_scale + 1e-6]
        if bigger:
            self.apply_font_scale(bigger[0])

    def smaller_text(self) -> None:
        smaller = [f for f in FONT_SCALES if f < self._font_scale - 1e-6]
        if smaller:
            self.apply_font_scale(smaller[-1])

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.full_screen_action.setChecked(self.isFullScreen())

    # ---------------------------------------------------------------- camera, presenting, compact toolbar
    def _install_camera_actions(self) -> None:
        """View ▸ Follow the step / Reduce motion / Present (F5) / Sharing at 1280×720 (gui/canvas, gui/window)."""
        v = self.view
        v.follow = self.settings.follow_step
        v.reduce_motion = self.settings.reduce_motion
        self.follow_action = QAction("F&ollow the step", self, checkable=True)
        self.follow_action.setObjectName("follow_step")
        self.follow_action.setChecked(v.follow)
        self.follow_action.setToolTip("Each step frames its nodes with every label at least 14 px high")
        self.follow_action.toggled.connect(self.set_follow)
        self.reduce_motion_action = QAction("Reduce &motion", self, checkable=True)
        self.reduce_motion_action.setObjectName("reduce_motion")
        self.reduce_motion_action.setChecked(v.reduce_motion)
        self.reduce_motion_action.toggled.connect(self.set_reduce_motion)
        from .presenter import Presenter
        self.presenter = Presenter(self)
        m = self.view_menu
        first = m.actions()[4] if len(m.actions()) > 4 else None     # after the zoom actions
        for act in (self.follow_action, self.reduce_motion_action):
            m.insertAction(first, act)
        m.insertSeparator(first)
        m.addAction(self.presenter.present_action)
        m.addAction(self.presenter.share_action)

    def set_follow(self, on: bool) -> None:
        self.view.follow = bool(on)
        self.settings.follow_step = bool(on)
        if on:
            self.view.frame_current(animate=True)

    def set_reduce_motion(self, on: bool) -> None:
        self.view.reduce_motion = bool(on)
        self.settings.reduce_motion = bool(on)

    def set_compact_labels(self, compact: bool) -> None:
        """A narrow window: shorter words on the toolbar (the tooltips keep the long ones)."""
        self._compact = compact
        self._update_layout_widgets()

    def fit_view(self) -> None:
        self.view.fit()

    # ================================================================ export and copy
    def _ask_path(self, title: str, suffix: str, file_filter: str) -> str | None:
        from PySide6.QtWidgets import QFileDialog
        folder = self.settings.last_dir if self.path is None else os.path.dirname(self.path)
        suggestion = os.path.join(folder, f"{self.name}-{self._position_tag()}{suffix}")
        path, _ = QFileDialog.getSaveFileName(self, title, suggestion, file_filter)
        if not path:
            return None
        return path if path.lower().endswith(suffix) else path + suffix

    def _position_tag(self) -> str:
        return self.phase_text().split(" ")[0].lower() + str(self.session.position)

    def export_png_dialog(self) -> bool:
        path = self._ask_path("Export the graph as PNG", ".png", "PNG images (*.png)")
        return bool(path) and self._export(path, "png")

    def export_svg_dialog(self) -> bool:
        path = self._ask_path("Export the graph as SVG", ".svg", "SVG images (*.svg)")
        return bool(path) and self._export(path, "svg")

    def export_window_dialog(self) -> bool:
        path = self._ask_path("Export the window as PNG", ".png", "PNG images (*.png)")
        return bool(path) and self._export(path, "window")

    def _export(self, path: str, kind: str) -> bool:
        from PySide6.QtWidgets import QMessageBox
        from ..canvas import export
        try:
            if kind == "png":
                export.export_png(self.scene, path)
            elif kind == "svg":
                export.export_svg(self.scene, path)
            elif not self.grab().save(path, "PNG"):
                raise OSError(f"cannot write {path}: is the folder writable?")
        except (OSError, ValueError) as err:
            QMessageBox.warning(self, "Cannot export", str(err).splitlines()[0] if str(err) else repr(err))
            return False
        self.statusBar().showMessage(f"Exported {path}", 5000)
        return True

    def current_matrix(self):
        """The matrix the inspector shows for the selection (or, failing that, what the selection stands for)."""
        if self.session.selection is None:
            return None
        views = self.inspector.matrix_views()
        card = self.inspector.selection_card
        if card is not None:
            views = [mv for mv in views if card.isAncestorOf(mv)]
        for mv in views:
            a = mv.current_matrix()
            if a is not None:
                return a
        return _selection_matrix(self.session)

    def copy_matrix(self, fmt: str) -> bool:
        a = self.current_matrix()
        if a is None:
            self.statusBar().showMessage("Select a node or an edge first: its matrix is what gets copied", 5000)
            return False
        rows, cols = (a.shape + (1,))[:2] if getattr(a, "ndim", 2) == 1 else a.shape[:2]
        from chainview.core.budget import over_budget, text_estimate
        why = over_budget(text_estimate(rows, cols, f"copying the {rows} × {cols} matrix as text"))
        if why:                                  # issue 9: never freeze on a 4096 x 4096 copy
            self.statusBar().showMessage(f"Not copied: {why} (Net ▸ Work budget… raises it)", 8000)
            return False
        from ..inspector.clipboard import copy_matrix
        try:
            copy_matrix(a, fmt)
        except MemoryError:
            self.statusBar().showMessage(f"Not copied: not enough memory for a {rows} × {cols} matrix as text", 8000)
            return False
        self.statusBar().showMessage(f"Copied a {rows} × {cols} matrix as {'LaTeX' if fmt == 'latex' else 'CSV'}",
                                     4000)
        return True

    # ================================================================ help
    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(menu, action, keys) for every action with a shortcut, in menu order."""
        rows, seen = [], set()
        for menu in (self.step_menu, self.file_menu, self.edit_menu, self.view_menu, self.net_menu, self.help_menu):
            for act in _menu_actions(menu):
                keys = shortcut_text(act)
                if keys and id(act) not in seen:
                    seen.add(id(act))
                    rows.append((menu.title().replace("&", ""), act.text().replace("&", "").rstrip("…"), keys))
        return rows

    def show_key_hint(self):
        """The card of the stepping keys on the canvas (Help ▸ Show key hints; by itself on the first run)."""
        if self.key_hint is None:
            from .first_run import KeyHint
            self.key_hint = KeyHint(self.view, self.theme, self.settings)
        self.key_hint.popup()
        return self.key_hint

    def show_shortcuts(self) -> None:
        from .shortcuts_dialog import ShortcutsDialog
        ShortcutsDialog(self.shortcut_rows(), self).exec()

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox
        QMessageBox.about(
            self, "About chainview",
            f"<h3>chainview {__version__}</h3>"
            "<p>Step through the forward and the backward pass of a small neural net, one node at a time, "
            "with the Jacobian of every edge and its dimensions.</p>"
            "<p>Conventions of MIT 6.390: W<sup>l</sup> is m<sup>l</sup> × n<sup>l</sup>, "
            "Z<sup>l</sup> = W<sup>l</sup><sup>T</sup>A<sup>l−1</sup> + W0<sup>l</sup>, and Jacobians in "
            "<i>denominator layout</i> (∂w/∂v is p × q for v of length p, w of length q).</p>"
            "<p>MIT licence.</p>")

    def describe_net(self) -> None:
        from PySide6.QtWidgets import QMessageBox
        net = self.session.net
        sizes = " → ".join([str(net.n(0))] + [f"{layer.units} {layer.activation.name}" for layer in net.layers])
        text = (f"<h3>{self.name}</h3><p>{net.description or ''}</p>"
                f"<p>Layers: {sizes}<br>Loss: {net.loss.name}<br>Batch: {net.batch} example(s)</p>")
        QMessageBox.information(self, "About this net", text)


def _set_app_font(scale: float) -> QFont:
    app = QApplication.instance()
    font = QFont(app.font())
    font.setPointSizeF(base_point_size() * scale)
    app.setFont(font)
    return font


def _menu_actions(menu: QMenu):
    for act in menu.actions():
        if act.menu() is not None:
            yield from _menu_actions(act.menu())
        elif not act.isSeparator():
            yield act


def _short_dir(path: str) -> str:
    folder = os.path.dirname(path)
    home = os.path.expanduser("~")
    return "~" + folder[len(home):] if folder.startswith(home) else folder


def _selection_matrix(session):
    """A node's value (or its gradient once the backward pass reached it), or an edge's Jacobian."""
    sel = session.selection
    if sel is None:
        return None
    if isinstance(sel, tuple):
        return session.jacobian(*sel).dense()
    ev = session.evaluation
    if sel in session.known_grads() and sel in ev.grads:
        return ev.grads[sel]
    return ev.values.get(sel)

