"""Editing, checking and training, put into a main window: `install_editing(window) -> EditingTools`.

The window is gui/window/main_window.MainWindow; what this module uses of it, all typed parts of
that class: `session`, `undo_stack`, `theme` and `theme_changed` (a signal with the new Theme),
`settings`, `net_menu` (the actions go there), `inspector_dock` (training is tabbed with it),
`add_dock(widget, area, title, object_name) -> QDockWidget`, `open_path(path) -> bool` (presets
open through it: it asks about unsaved changes itself), `editing_tools` and `statusBar()`.

What it adds:
  * the "Edit net" dock (NetEditor) on the left;
  * the "Training" dock on the right: steps, Train / Cancel, progress, the loss plot and
    the last update (before / gradient / after);
  * a "Training" toolbar with the learning rate η, "SGD step" (Ctrl+T), "Train N steps" (Ctrl+R) and
    "Gradient check" (Ctrl+G, a one-line summary in the status bar; the canvas draws the marks);
  * Net ▸ Presets: the shipped examples (never discarding unsaved edits without asking).
Every edit, step and run is one undo step, and marks the window modified.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import shiboken6

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QValidator
from PySide6.QtWidgets import (QCheckBox, QDockWidget, QDoubleSpinBox, QHBoxLayout, QLabel, QMainWindow, QMenu, QProgressBar,
                               QPushButton, QSpinBox, QToolBar, QVBoxLayout, QWidget)

from chainview.core import example_paths

from ..bind import follow
from .editor import NetEditor
from .loss_plot import LossPlot
from ..theme import Theme
from .training import TrainingController, UpdateView, join_on_close

if TYPE_CHECKING:
    from chainview.core.gradcheck import CheckReport      # loaded with the first check, not at start-up

SHORTCUTS = {"sgd_step": "Ctrl+T", "train": "Ctrl+R", "gradient_check": "Ctrl+G"}
CHECK_MESSAGE_MS = 30000    # the check's summary then gives the status bar back (the marks stay on the canvas)
EDITOR_WIDTH = 384          # px: the editor's column at 1280 x 720 (the canvas keeps the most)


class LearningRateSpin(QDoubleSpinBox):
    """η: arrows go through 1, 2, 5 × 10^k, so 0.01 → 0.02 → 0.05 → 0.1; any value can be typed."""

    STEPS = (1.0, 2.0, 5.0)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(6)
        self.setRange(1e-6, 100.0)
        self.setValue(0.01)
        self.setKeyboardTracking(False)
        self.setToolTip("Learning rate η of SGD: W ← W − η dL/dW")
        self.setAccessibleName("Learning rate")

    def textFromValue(self, value: float) -> str:
        return f"{value:g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.replace(",", ".").replace("−", "-"))
        except ValueError:
            return self.value()

    def validate(self, text, pos):
        try:
            float(text.replace(",", ".").replace("−", "-"))
            return QValidator.Acceptable, text, pos
        except ValueError:
            ok = all(c in "0123456789.,eE-+−" for c in text)
            return (QValidator.Intermediate if ok else QValidator.Invalid), text, pos

    def stepBy(self, steps: int) -> None:
        v = self.value()
        for _ in range(abs(steps)):
            e = math.floor(math.log10(v))          # v in [10^e, 10^(e+1)): both neighbours are on this ladder
            ladder = sorted(f * 10.0 ** k for k in (e - 1, e, e + 1) for f in self.STEPS)
            v = (next(x for x in ladder if x > v * (1 + 1e-9)) if steps > 0
                 else next(x for x in reversed(ladder) if x < v * (1 - 1e-9)))
        self.setValue(v)


class TrainingPanel(QWidget):
    """The training dock: steps, Train / Cancel, progress, the loss plot and the last update."""

    def __init__(self, controller: TrainingController, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller, self.theme = controller, theme
        col = QVBoxLayout(self)
        col.setContentsMargins(8, 8, 8, 8)
        col.setSpacing(8)
        row = QHBoxLayout()
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, 1_000_000)
        self.steps_spin.setValue(200)
        self.steps_spin.setAccessibleName("Steps to train")
        self.steps_spin.setToolTip("How many SGD steps 'Train' runs (whole batch each step)")
        self.train_button = QPushButton("Train")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.setToolTip("Stop after the step in progress; the steps done so far are kept")
        row.addWidget(QLabel("Steps"))
        row.addWidget(self.steps_spin)
        row.addWidget(self.train_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        col.addLayout(row)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("idle")
        col.addWidget(self.progress_bar)
        self.loss_plot = LossPlot(theme)
        self.loss_plot.setMinimumHeight(150)
        col.addWidget(self.loss_plot, 1)
        options = QHBoxLayout()
        self.log_check = QCheckBox("Log scale")
        self.log_check.toggled.connect(self.loss_plot.set_log_scale)
        self.loss_plot.log_scale_changed.connect(self.log_check.setChecked)
        self.clear_plot_button = QPushButton("Clear plot")
        self.clear_plot_button.clicked.connect(self.loss_plot.clear)
        options.addWidget(self.log_check)
        options.addStretch(1)
        options.addWidget(self.clear_plot_button)
        col.addLayout(options)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        col.addWidget(self.message)
        self.update_view = UpdateView(controller, theme)
        col.addWidget(self.update_view)

        self.cancel_button.clicked.connect(controller.cancel)
        controller.started.connect(self._on_started)
        controller.progress.connect(self._on_progress)
        controller.losses_added.connect(self.loss_plot.extend)
        controller.finished.connect(self._on_finished)
        controller.failed.connect(lambda message: self.show_message(message, True))
        controller.stepped.connect(self._on_stepped)
        controller.running_changed.connect(self._on_running)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.loss_plot.set_theme(theme)
        self.update_view.set_theme(theme)
        self.show_message(self.message.property("plain") or "", bool(self.message.property("error")))

    def reset(self) -> None:
        """A different net was opened: no loss curve, progress or last update of the old one."""
        self.controller.forget()
        self.loss_plot.clear()
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("")
        self.show_message("")

    def show_message(self, text: str, error: bool = False) -> None:
        self.message.setProperty("plain", text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet(f"color: {(self.theme.bad if error else self.theme.muted).name()};")
        self.message.setText(text)

    def _on_started(self, steps: int) -> None:
        self.loss_plot.clear()
        self.progress_bar.setRange(0, steps)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(f"0 / {steps} steps")
        self.show_message("")

    def _on_progress(self, i: int, total: int, loss: float) -> None:
        self.progress_bar.setValue(i)
        self.progress_bar.setFormat(f"{i} / {total} steps · loss {loss:.5g}")

    def _on_finished(self, result) -> None:
        self.loss_plot.set_losses(result.losses)
        done = max(len(result.losses) - 1, 0)
        self.progress_bar.setValue(min(done, self.progress_bar.maximum()))
        self.progress_bar.setFormat(f"{done} / {self.progress_bar.maximum()} steps")
        if result.losses:
            summary = f"{done} steps: loss {result.losses[0]:.5g} → {result.losses[-1]:.5g}"
        else:
            summary = "no steps done"
        if result.stopped:
            self.show_message(f"{summary}. Stopped: {result.stopped}", result.stopped != "cancelled")
        else:
            self.show_message(summary)

    def _on_stepped(self, update) -> None:
        losses = self.loss_plot.losses()
        if losses and losses[-1] == update.loss_before:
            self.loss_plot.append(update.loss_after)
        else:
            self.loss_plot.set_losses([update.loss_before, update.loss_after])
        self.show_message(f"{update.text}: loss {update.loss_before:.5g} → {update.loss_after:.5g}")

    def _on_running(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        self.steps_spin.setEnabled(not running)
        self.cancel_button.setEnabled(running)


@dataclass
class EditingTools:
    """Everything install_editing made, so tests and other code can drive it."""

    window: QMainWindow
    editor: NetEditor
    editor_dock: QDockWidget
    controller: TrainingController
    training_panel: TrainingPanel
    training_dock: QDockWidget
    toolbar: QToolBar
    lr_spin: LearningRateSpin
    lr_label_action: QAction             # the toolbar's " η " label (a narrow window hides it: gui/window/panels.py)
    sgd_step_action: QAction
    train_action: QAction
    cancel_action: QAction
    gradient_check_action: QAction
    randomise_action: QAction
    presets_menu: QMenu                  # Net ▸ Presets (the Net menu is the window's net_menu)
    preset_actions: dict[str, QAction] = field(default_factory=dict)
    check_summary: str = ""
    check_runner: object = None          # gui/editing/check_runner.CheckRunner: the check within the budget
    undo_budget: object = None           # gui/editing/undo_budget.UndoBudget: undo within the memory budget

    # ---- what the actions do
    def sgd_step(self) -> str | None:
        error = self.controller.step(self.lr_spin.value())
        if error:
            self._status(f"SGD step refused: {error}")
        return error

    def train(self) -> bool:
        started = self.controller.train(self.lr_spin.value(), self.training_panel.steps_spin.value())
        if started:                          # Ctrl+R: the loss plot comes into view as it fills
            self.training_dock.show()
            self.training_dock.raise_()
        return started

    def run_gradient_check(self) -> str:
        """Run the check (the canvas shows ✓ / ✗ marks) and put a one-line summary in the status bar.

        A long one runs in the background with progress and Cancel, and this returns at once saying so;
        one over the work budget checks a random sample (gui/editing/check_runner.py)."""
        return self.check_runner.run()

    def _check_done(self, text: str) -> None:
        self.check_summary = text
        self._status(text, CHECK_MESSAGE_MS)

    def open_preset(self, name: str) -> bool:
        """Open a shipped example through the window's open_path (it asks before unsaved edits go)."""
        return self.window.open_path(example_paths()[name])

    def set_theme(self, theme: Theme) -> None:
        self.editor.set_theme(theme)
        self.training_panel.set_theme(theme)

    def _status(self, text: str, timeout: int = 0) -> None:
        self.window.statusBar().showMessage(text, timeout)

    def _on_running(self, running: bool) -> None:
        for action in (self.sgd_step_action, self.train_action, self.randomise_action, *self.preset_actions.values()):
            action.setEnabled(not running)
        self.cancel_action.setEnabled(running)
        self.editor.setEnabled(not running)
        self.train_action.setText(f"Train {self.training_panel.steps_spin.value()} steps")

    def _on_finished(self, result) -> None:
        done = max(len(result.losses) - 1, 0)
        if result.stopped and result.stopped != "cancelled":
            self._status(f"Training stopped after {done} steps: {result.stopped}")
        elif result.losses:
            self._status(f"Trained {done} steps{' (cancelled)' if result.stopped else ''}: "
                         f"loss {result.losses[0]:.5g} → {result.losses[-1]:.5g}")


def check_summary(report: CheckReport) -> str:
    """'gradient check: 14/14 nodes ✓, 11/12 edges ✓ — see ✗ tooltips'."""
    if report.unchecked:
        return f"gradient check: {report.unchecked}"
    if report.sampled:
        return _check_counts(report) + f" — a random sample only ({report.sampled})"
    return _check_counts(report)


def _check_counts(report) -> str:
    nodes_ok = sum(r.ok for r in report.nodes.values())
    edges_ok = sum(r.ok for r in report.edges.values())
    text = (f"gradient check: {nodes_ok}/{len(report.nodes)} nodes ✓, "
            f"{edges_ok}/{len(report.edges)} edges ✓")
    if report.ok:
        return text + " — every derivative agrees with finite differences"
    kink = any(r.note for r in (*report.nodes.values(), *report.edges.values()) if not r.ok)
    return text + " — see ✗ tooltips" + (" (a relu kink at z = 0: expected there)" if kink else "")


def _dock(window: QMainWindow, widget: QWidget, area, title: str, object_name: str) -> QDockWidget:
    widget.setObjectName(object_name.removesuffix("_dock"))
    return window.add_dock(widget, area, title, object_name)


def install_editing(window: QMainWindow) -> EditingTools:
    """Add the editor, training and gradient check to `window`; once per window (a second call returns the first)."""
    if window.editing_tools is not None:
        return window.editing_tools
    session, stack, theme = window.session, window.undo_stack, window.theme

    editor = NetEditor(session, stack, theme)
    editor_dock = _dock(window, editor, Qt.LeftDockWidgetArea, "Edit net", "editor_dock")
    controller = TrainingController(session, stack, window)
    panel = TrainingPanel(controller, theme)
    training_dock = _dock(window, panel, Qt.RightDockWidgetArea, "Training", "training_dock")
    # the editor is a column of its own on the left, so the graph and the inspector stay in view while editing;
    # training shares the right column with the inspector, as a tab
    inspector = window.inspector_dock
    if window.dockWidgetArea(inspector) == Qt.RightDockWidgetArea:
        window.tabifyDockWidget(inspector, training_dock)
        inspector.raise_()
    window.resizeDocks([editor_dock], [EDITOR_WIDTH], Qt.Horizontal)

    def action(text: str, name: str, tip: str, shortcut: str | None = None) -> QAction:
        act = QAction(text, window)
        act.setObjectName(name)
        act.setToolTip(tip + (f"  ({shortcut})" if shortcut else ""))
        act.setStatusTip(tip)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.WindowShortcut)
        window.addAction(act)             # window-wide, even when no menu shows it
        return act

    sgd = action("SGD step", "sgd_step", "One SGD step on the whole batch: W ← W − η dL/dW (one undo step)",
                 SHORTCUTS["sgd_step"])
    train_act = action("Train 200 steps", "train", "Run SGD steps on a worker thread; the window stays usable",
                       SHORTCUTS["train"])
    cancel = action("Cancel training", "cancel_training", "Stop training; the steps done so far are kept")
    cancel.setEnabled(False)
    check = action("Gradient check", "gradient_check",
                   "Compare every derivative with central finite differences; ✓ / ✗ marks on the canvas",
                   SHORTCUTS["gradient_check"])
    randomise = action("Randomise weights", "randomise_weights",
                       "Draw every W and W0 afresh from the editor's seed (one undo step)")

    toolbar = QToolBar("Training", window)
    toolbar.setObjectName("training_toolbar")
    toolbar.setMovable(False)
    window.addToolBar(Qt.TopToolBarArea, toolbar)
    lr_spin = LearningRateSpin()
    lr_spin.setObjectName("lr_spin")
    lr_label = QLabel(" η ")
    lr_label.setToolTip(lr_spin.toolTip())
    lr_label.setBuddy(lr_spin)
    lr_label_action = toolbar.addWidget(lr_label)
    toolbar.addWidget(lr_spin)
    for act in (sgd, train_act, check):
        toolbar.addAction(act)

    net_menu = window.net_menu
    net_menu.addSeparator()
    for act in (sgd, train_act, cancel):
        net_menu.addAction(act)
    net_menu.addSeparator()
    net_menu.addAction(check)
    net_menu.addAction(randomise)
    net_menu.addSeparator()
    presets = net_menu.addMenu("&Presets")
    presets.setObjectName("presets_menu")

    tools = EditingTools(window, editor, editor_dock, controller, panel, training_dock, toolbar, lr_spin,
                         lr_label_action, sgd, train_act, cancel, check, randomise, presets)
    from .check_runner import CheckRunner
    tools.check_runner = CheckRunner(window, check_summary, lambda text: window.statusBar().showMessage(text))
    tools.check_runner.done.connect(tools._check_done)
    from .budget_setting import apply_saved_budget, ask_budget
    apply_saved_budget(window.settings)
    budget_act = action("Work budget…", "work_budget",
                        "How much memory and time the app may spend on one view or check before cutting it down")
    budget_act.triggered.connect(lambda: ask_budget(window))
    net_menu.addAction(budget_act)
    from .undo_budget import UndoBudget
    tools.undo_budget = UndoBudget(stack, window)
    if editor.layout() is not None:          # the editor says how far back undo goes
        editor.layout().addWidget(tools.undo_budget.label)
    for name in example_paths():
        act = presets.addAction(name)
        act.setObjectName(f"preset_{name}")
        act.triggered.connect(lambda _=False, name=name: tools.open_preset(name))
        tools.preset_actions[name] = act

    sgd.triggered.connect(lambda: tools.sgd_step())
    train_act.triggered.connect(lambda: tools.train())
    panel.train_button.clicked.connect(lambda: tools.train())
    cancel.triggered.connect(controller.cancel)
    check.triggered.connect(lambda: tools.run_gradient_check())
    randomise.triggered.connect(lambda: editor.randomise())
    panel.steps_spin.valueChanged.connect(lambda n: train_act.setText(f"Train {n} steps"))
    controller.running_changed.connect(tools._on_running)
    controller.finished.connect(tools._on_finished)
    controller.failed.connect(lambda message: tools._status(f"Training refused: {message}"))

    def on_net_changed():
        # a check describes the net it ran on: forget its summary once the net changes
        if tools.check_summary and window.statusBar().currentMessage() == tools.check_summary:
            window.statusBar().clearMessage()
        tools.check_summary = ""
    follow(editor, (session.net_changed, on_net_changed))

    # every edit marks the window modified; back at the saved state it is clean again
    def on_clean_changed(clean: bool) -> None:
        if shiboken6.isValid(window):         # the stack may be emptied while the window is destroyed
            window.setWindowModified(not clean)
    stack.cleanChanged.connect(on_clean_changed)
    window.theme_changed.connect(tools.set_theme)     # View ▸ Theme: the window says so
    join_on_close(controller, window)
    window.editing_tools = tools
    return tools
