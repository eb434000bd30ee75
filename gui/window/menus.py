"""The main window's actions, menus, toolbar and status bar (a part of MainWindow: gui/window/main_window.py).

Every action is a QAction with a window-wide shortcut (gui/shortcuts.py), named `<name>_action`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolBar, QToolButton, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QSpinBox

from chainview.core.examples import example_paths

from ..shortcuts import SHORTCUTS, key_sequences
from ..settings import DEFAULT_PRECISION, PRECISIONS


class WindowMenus:
    """Builds what a person clicks or types: MainWindow calls these once, in __init__."""

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
        v = self.view
        for act in (v.zoom_in_action, v.zoom_out_action, v.reset_zoom_action, v.fit_action):
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
        self.tool_buttons = {}
        for act in self.step_actions:
            act.setIconText(labels[act.objectName()])      # what a toolbar button shows
            tb.addAction(act)
            button = tb.widgetForAction(act)
            button.setObjectName(f"{act.objectName()}_button")
            button.setAutoRaise(True)
            self.tool_buttons[act.objectName()] = button
        # icon-only buttons where the icon says enough; Back / Next keep their words
        for name in ("reset", "run_to_end"):
            self.tool_buttons[name].setToolButtonStyle(Qt.ToolButtonIconOnly)
        tb.addSeparator()
        self.phase_label = self._toolbar_label("phase_label", "Phase")
        self.loss_label = self._toolbar_label("loss_label", "Loss")
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        tb.addWidget(spacer)
        # batch: which column the Jacobians show; the box is made for the first net with a batch (_example_box)
        self.example_spin = self.example_widget_action = None
        # layout toggle
        self._example_slot = tb.addSeparator()          # the example box goes before it
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

    def _toolbar_label(self, name: str, accessible: str) -> QLabel:
        """A rich-text label on the toolbar (the phase, the loss)."""
        label = QLabel()
        label.setObjectName(name)
        label.setTextFormat(Qt.RichText)
        label.setContentsMargins(8, 0, 8, 0)
        label.setAccessibleName(accessible)
        self.toolbar.addWidget(label)
        return label

    def _example_box(self) -> QSpinBox:
        """The toolbar's 'Example k of b' box, made the first time a net has a batch: most nets have one
        example, and a spin box is three more Qt classes for PySide to build at start-up."""
        if self.example_spin is None:
            from PySide6.QtWidgets import QSpinBox
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(4, 0, 4, 0)
            label = QLabel("Example")
            self.example_spin = QSpinBox()
            self.example_spin.setObjectName("example_spin")
            self.example_spin.setAccessibleName("Example in the batch")
            self.example_spin.setToolTip("Which column of the batch the Jacobians show  ([ and ])")
            self.example_spin.setKeyboardTracking(False)
            self.example_spin.valueChanged.connect(self._example_spun)
            label.setBuddy(self.example_spin)
            row.addWidget(label)
            row.addWidget(self.example_spin)
            self.example_widget_action = self.toolbar.insertWidget(self._example_slot, box)
        return self.example_spin

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
