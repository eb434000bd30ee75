"""The net editor: a dock panel to change layers, activations, data and weights while watching the graph.

Every change goes through `commands.apply_edit`, so it is one undo step, re-runs the pass
(`Session.set_net` keeps the step position where it still exists) and, when core refuses it,
changes nothing and shows core's one-line message in the status line at the bottom.
The editor follows `session.net_changed` (undo, redo, training, opening a file).

Shapes follow the units (MIT 6.390: W^l is m^l x n^l, W0^l is n^l x 1, Y is n^L x b): when a
layer's size changes, entries that still fit are kept, new weights are drawn from the seed in
the editor (core.init_weights) and new offsets and target rows are 0.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (QComboBox, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QScrollArea, QSizePolicy, QSpinBox, QToolButton,
                               QVBoxLayout, QWidget)

from chainview.core import (ACTIVATIONS, LOSSES, ExpressionError, Net, NetError, Session, activation_from_spec,
                            custom_activation, loss_from_name)
from chainview.core.expr import parse_expression
from chainview.core.net import MAX_UNITS
from chainview.core.symbols import pretty

from ..bind import follow
from ..inspector.matrix_model import MatrixModel, format_number
from ..theme import Theme
from .commands import apply_edit
from .expression_edit import ExpressionEdit
from .net_edits import (parse_number, with_entry, with_example_added, with_example_removed, with_layer_inserted,
                        with_layer_removed, with_layers_swapped, with_random_weights, with_units)
from .tables import MatrixTable, numbered

CUSTOM = "custom"
EDIT_DIGITS = 4                     # significant digits in a cell (the tooltip and the cell editor have all)


class _Relay(QObject):
    """Carries a derivative formula computed on a pool thread back to the GUI thread."""
    derivative_ready = Signal(str, str)       # expression text, f'(z)


# ------------------------------------------------------------------ the editor

class NetEditor(QWidget):
    """Edit the net in a dock: layers, activations (built-in or typed f(z)), loss, X, Y and weights."""

    status_changed = Signal(str, bool)      # text, is_error

    def __init__(self, session: Session, undo_stack: QUndoStack, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.undo_stack, self.theme = session, undo_stack, theme
        self._layer = 1                     # selected layer, 1-based
        self._expression_dirty = False      # the f(z) field was typed in since the last refresh
        self._expression_valid = None       # the Activation the field's text parses to, or None
        self.last_error: str | None = None
        self._relay = _Relay(self)
        self._relay.derivative_ready.connect(self._show_derivative)
        self._derivative_timer = QTimer(self, singleShot=True, interval=150)
        self._derivative_timer.timeout.connect(self._start_derivative)
        self._applying = False              # an edit of ours is being applied (vs undo, training, a file)
        self._shown_seed = None             # the net seed last copied into the seed box
        self._build()
        follow(self, (session.net_changed, self._on_net_changed))
        self.set_theme(theme)               # colours everything and fills it from the net

    # ---------------------------------------------------------------- building
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        body = QWidget()
        scroll.setWidget(body)
        self.scroll_area = scroll
        col = QVBoxLayout(body)
        col.setContentsMargins(8, 8, 8, 8)
        col.setSpacing(10)

        # layers
        layers_box = QGroupBox("Layers")
        lay = QVBoxLayout(layers_box)
        self.layer_list = QListWidget()
        self.layer_list.setObjectName("layers")
        self.layer_list.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.layer_list.currentRowChanged.connect(self._on_layer_row)
        lay.addWidget(self.layer_list)
        buttons = QHBoxLayout()
        self.add_layer_button = QPushButton("Add after")
        self.add_layer_button.setToolTip("Insert a new layer after the selected one, as wide as its output")
        self.remove_layer_button = QPushButton("Remove")
        self.remove_layer_button.setToolTip("Remove the selected layer (a net keeps at least one)")
        self.up_button = QToolButton(text="↑", toolTip="Move the selected layer towards the input")
        self.down_button = QToolButton(text="↓", toolTip="Move the selected layer towards the loss")
        for button in (self.add_layer_button, self.remove_layer_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.add_layer_button.clicked.connect(self.add_layer)
        self.remove_layer_button.clicked.connect(self.remove_layer)
        self.up_button.clicked.connect(lambda: self.move_layer(-1))
        self.down_button.clicked.connect(lambda: self.move_layer(+1))
        lay.addLayout(buttons)
        col.addWidget(layers_box)

        # the selected layer
        self.layer_box = QGroupBox("Layer 1")
        form = QGridLayout(self.layer_box)
        form.setColumnStretch(1, 1)
        self.units_spin = QSpinBox()
        self.units_spin.setRange(1, MAX_UNITS)
        self.units_spin.setKeyboardTracking(False)        # one edit on Enter, not one per digit
        self.units_spin.setToolTip("n^l: how many units this layer has; W and W0 (and Y for the last layer) follow")
        self.units_spin.valueChanged.connect(self.set_units)
        self.activation_combo = QComboBox()
        for name in ACTIVATIONS:
            self.activation_combo.addItem(name, name)
        self.activation_combo.addItem("custom…", CUSTOM)
        self.activation_combo.activated.connect(self._on_activation_chosen)
        self.expression_edit = ExpressionEdit()
        self.expression_edit.setPlaceholderText("type f(z), e.g. z**2 or tanh(z), then Enter")
        self.expression_edit.setToolTip("A function of z: numbers, z, pi, e, + - * / ** and exp, log, sqrt, "
                                        "sin, cos, tan, tanh, sinh, cosh, sigmoid, relu, softplus, abs, max, min")
        self.expression_edit.textEdited.connect(self._on_expression_typed)
        self.expression_edit.editingFinished.connect(self._on_expression_finished)
        self.expression_edit.returnPressed.connect(self._on_expression_return)
        self.expression_info = QLabel()
        self.expression_info.setObjectName("expressionInfo")
        self.expression_info.setWordWrap(True)
        self.expression_info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        # one control a row: side by side they made the panel wider than a 1024×768 window gives it
        form.addWidget(QLabel("Units"), 0, 0)
        form.addWidget(self.units_spin, 0, 1, Qt.AlignLeft)
        form.addWidget(QLabel("Activation"), 1, 0)
        form.addWidget(self.activation_combo, 1, 1)
        form.addWidget(QLabel("f(z) ="), 2, 0)
        form.addWidget(self.expression_edit, 2, 1)
        form.addWidget(self.expression_info, 3, 1)

        self.w_label = QLabel()
        self.w_model = self._cell_model("W")
        self.w_view = MatrixTable(self.w_model)
        self.w0_label = QLabel()
        self.w0_model = self._cell_model("W0")
        self.w0_view = MatrixTable(self.w0_model, max_rows=4)
        self.w0_view.horizontalHeader().hide()           # one column: the label above says what it is
        self.w0_view.fit_size()
        self.w_model.row_tip = lambda k: f"input {k + 1} (row of W: one per input, m^l rows)"
        self.w_model.column_tip = lambda k: f"unit {k + 1} (column of W: one per unit, n^l columns)"
        self.w0_model.row_tip = lambda k: f"unit {k + 1}"
        form.addWidget(self.w_label, 4, 0, 1, 2)
        form.addWidget(self.w_view, 5, 0, 1, 2)
        form.addWidget(self.w0_label, 6, 0, 1, 2)
        form.addWidget(self.w0_view, 7, 0, 1, 2)
        seed_row = QHBoxLayout()
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Seed for random weights: 'Randomise weights' and new entries when units change")
        self.randomise_button = QPushButton("Randomise weights")
        self.randomise_button.setToolTip("Draw every W (Gaussian, variance 1/m) and W0 (zeros) afresh from the seed")
        self.randomise_button.clicked.connect(lambda: self.randomise())
        seed_row.addWidget(QLabel("Seed"))
        seed_row.addWidget(self.seed_spin, 1)
        form.addLayout(seed_row, 8, 0, 1, 2)
        form.addWidget(self.randomise_button, 9, 0, 1, 2, Qt.AlignLeft)     # a row of its own: a narrow panel never clips it
        for label in (self.expression_info, self.w_label, self.w0_label):
            label.setWordWrap(True)         # a long dims line wraps instead of widening the panel past its edge
        col.addWidget(self.layer_box)
        from .links_box import LinksBox    # skip connection, tie, weight decay (issue 11)
        self.links_box = LinksBox(self)
        col.addWidget(self.links_box)

        # data and loss
        data_box = QGroupBox("Data and loss")
        data = QGridLayout(data_box)
        data.setColumnStretch(1, 1)
        self.loss_combo = QComboBox()
        for name in LOSSES:
            self.loss_combo.addItem(name, name)
        self.loss_combo.activated.connect(lambda i: self.set_loss(self.loss_combo.itemData(i)))
        self.loss_formula = QLabel()
        self.loss_formula.setObjectName("muted")
        data.addWidget(QLabel("Loss"), 0, 0)
        data.addWidget(self.loss_combo, 0, 1, Qt.AlignLeft)
        data.addWidget(self.loss_formula, 1, 1)       # under the name: beside it, it wrapped mid-formula
        self.x_label = QLabel()
        self.x_model = self._cell_model("X")
        self.x_view = MatrixTable(self.x_model, max_rows=4)
        self.y_label = QLabel()
        self.y_model = self._cell_model("Y")
        self.y_view = MatrixTable(self.y_model, max_rows=4)
        for model in (self.x_model, self.y_model):
            model.column_tip = lambda k: f"example {k + 1} (one column of X and Y)"
        for label in (self.x_label, self.y_label):
            label.setWordWrap(True)
        data.addWidget(self.x_label, 2, 0, 1, 2)
        data.addWidget(self.x_view, 3, 0, 1, 2)
        data.addWidget(self.y_label, 4, 0, 1, 2)
        data.addWidget(self.y_view, 5, 0, 1, 2)
        example_row = QHBoxLayout()
        self.add_example_button = QPushButton("Add example")
        self.add_example_button.setToolTip("Add a column of zeros to X and Y")
        self.remove_example_button = QPushButton("Remove example")
        self.remove_example_button.setToolTip("Remove the selected column (or the last) from X and Y")
        self.add_example_button.clicked.connect(self.add_example)
        self.remove_example_button.clicked.connect(lambda: self.remove_example())
        example_row.addWidget(self.add_example_button)
        example_row.addWidget(self.remove_example_button)
        example_row.addStretch(1)
        data.addLayout(example_row, 6, 0, 1, 2)
        col.addWidget(data_box)
        col.addStretch(1)


        outer.addWidget(scroll, 1)
        self.status_label = QLabel()
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        self.status_label.setContentsMargins(8, 4, 8, 6)
        self.status_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        outer.addWidget(self.status_label)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.expression_edit.error_color = theme.bad
        for model in (self.w_model, self.w0_model, self.x_model, self.y_model):
            model.set_theme(theme)
        self._show_status(self.status_label.property("plain") or "", bool(self.status_label.property("error")))
        if self._expression_dirty:          # keep what is being typed, in the new colours
            self._on_expression_typed(self.expression_edit.text())
        self.refresh()

    # ---------------------------------------------------------------- state -> widgets
    def _on_net_changed(self) -> None:
        if not self._applying and self.status_text():
            self._show_status("", False)    # the last message was about a net that is no longer shown
        self.refresh()

    @property
    def selected_layer(self) -> int:
        return self._layer

    def select_layer(self, l: int) -> None:
        l = max(1, min(int(l), self.session.net.L))
        if l != self._layer:
            self._layer = l
            self._expression_dirty = False
            self.refresh()

    def refresh(self) -> None:
        net = self.session.net
        self._layer = max(1, min(self._layer, net.L))
        l, layer = self._layer, net.layers[self._layer - 1]

        self.layer_list.blockSignals(True)
        if self.layer_list.count() != net.L:
            self.layer_list.clear()
            for _ in range(net.L):
                self.layer_list.addItem(QListWidgetItem())
        for k, item_layer in enumerate(net.layers, start=1):
            role = "output" if k == net.L else "hidden"
            self.layer_list.item(k - 1).setText(
                f"Layer {k}   {item_layer.units} unit{'s' if item_layer.units != 1 else ''} · "
                f"{item_layer.activation.label}   ({role})")
        self.layer_list.setCurrentRow(l - 1)
        self.layer_list.blockSignals(False)
        self._fit_layer_list()

        self.remove_layer_button.setEnabled(net.L > 1)
        self.up_button.setEnabled(l > 1)
        self.down_button.setEnabled(l < net.L)

        self.layer_box.setTitle(f"Layer {l}" + ("  (output)" if l == net.L else ""))
        self.units_spin.blockSignals(True)
        self.units_spin.setValue(layer.units)
        self.units_spin.blockSignals(False)
        act = layer.activation
        self.activation_combo.setCurrentIndex(self.activation_combo.findData(CUSTOM if act.expr is not None else act.name))
        if not self._expression_dirty:
            self.expression_edit.setText(act.expr.text if act.expr is not None else act.formula)
            self.expression_edit.setCursorPosition(0)
            self._expression_valid = act if act.expr is not None else None
            self.expression_edit.set_error_column(None)
            self._style_expression(True)
            self._show_formulas(act)

        m, n = net.m(l), net.n(l)
        self.w_label.setText(f"{pretty(f'W^{l}')} : {pretty(f'm^{l} x n^{l}')} = {m} × {n}   (inputs × units)")
        self.w0_label.setText(f"{pretty(f'W0^{l}')} : {pretty(f'n^{l}')} × 1 = {n} × 1   (one offset per unit)")
        self.w_model.set_matrix(layer.W, numbered("in", m), numbered("u", n))
        self.w0_model.set_matrix(layer.W0, numbered("u", n))
        if layer.tie is not None:             # the table edits the shared W^k itself
            self.w_label.setText(self.w_label.text() + pretty(f"   — W^{layer.tie}, shared"))
        self.links_box.refresh()
        if net.seed != self._shown_seed:      # a file or 'Randomise' brings its seed; a seed typed here stays
            self._shown_seed = net.seed
            self.seed_spin.setValue(int(net.seed))

        self.loss_combo.setCurrentIndex(self.loss_combo.findData(net.loss.name))
        self.loss_formula.setText(pretty(net.loss.formula))
        b, L = net.batch, net.L
        self.x_label.setText(f"X = {pretty('A^0')} : {pretty('m^1')} × b = {net.X.shape[0]} × {b}   (inputs × examples)")
        self.y_label.setText(f"Y : {pretty(f'n^{L}')} × b = {net.Y.shape[0]} × {b}   (outputs × examples)")
        self.x_model.set_matrix(net.X, None, numbered("ex", b))
        self.y_model.set_matrix(net.Y, None, numbered("ex", b))
        self.remove_example_button.setEnabled(b > 1)

    def _fit_layer_list(self) -> None:
        """Show up to 5 layers without a scroll bar, at the current text size."""
        rows = min(self.layer_list.count(), 5)
        row = self.layer_list.sizeHintForRow(0) if self.layer_list.count() else 0
        row = max(row, self.layer_list.fontMetrics().height() + 2)
        self.layer_list.setFixedHeight(max(rows, 1) * row + 2 * self.layer_list.frameWidth() + 2)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self._fit_layer_list()

    # ---------------------------------------------------------------- status line
    def _show_status(self, text: str, error: bool) -> None:
        self.status_label.setProperty("plain", text)
        self.status_label.setProperty("error", error)
        colour = self.theme.bad if error else self.theme.muted
        self.status_label.setStyleSheet(f"color: {colour.name()};")
        self.status_label.setText(("✗ " if error else "✓ ") + text if text else "")
        self.status_changed.emit(text, error)

    def status_text(self) -> str:
        return self.status_label.property("plain") or ""

    def _apply(self, make_net: Callable[[Net], Net], text: str, merge_key: str | None = None,
               where: str = "") -> str | None:
        """One edit through apply_edit: on refusal the message (after `where`) is shown and the widgets
        go back to the net."""
        self._applying = True
        try:
            error = apply_edit(self.session, self.undo_stack, make_net, text, merge_key=merge_key)
        finally:
            self._applying = False
        if error and where:
            error = f"{where}: {error}"
        self.last_error = error
        if error:
            self._show_status(error, True)
            self.refresh()                  # a spin box or combo that moved goes back to the net's value
        else:
            self._show_status(text, False)
        return error

    def _rng(self) -> np.random.Generator:
        return np.random.default_rng(self.seed_spin.value())

    # ---------------------------------------------------------------- edits (each one undo step)
    def set_units(self, units: int) -> str | None:
        l = self._layer
        if units == self.session.net.n(l):
            return None
        rng = self._rng()
        return self._apply(lambda net: with_units(net, l, int(units), rng), f"Change layer {l} units to {units}",
                           merge_key=f"units{l}")

    def set_activation(self, spec) -> str | None:
        """A built-in name ("tanh") or {"expr": "z**2"}; the selected layer's activation."""
        l = self._layer
        def make(net: Net) -> Net:
            return net.replace_layer(l, activation=activation_from_spec(spec, field=f"layers[{l - 1}].activation"))
        label = spec if isinstance(spec, str) else f"f(z) = {spec.get('expr')}"
        self._expression_dirty = False
        return self._apply(make, f"Change layer {l} activation to {label}")

    def set_loss(self, name: str) -> str | None:
        if name == self.session.net.loss.name:
            return None
        return self._apply(lambda net: replace(net, loss=loss_from_name(name)), f"Change loss to {name}")

    def add_layer(self) -> str | None:
        after = self._layer
        rng = self._rng()
        error = self._apply(lambda net: with_layer_inserted(net, after, rng), f"Add layer after layer {after}")
        if not error:
            self.select_layer(after + 1)
        return error

    def remove_layer(self) -> str | None:
        l = self._layer
        rng = self._rng()
        return self._apply(lambda net: with_layer_removed(net, l, rng), f"Remove layer {l}")

    def move_layer(self, delta: int) -> str | None:
        """-1 moves the selected layer towards the input, +1 towards the loss."""
        l, net = self._layer, self.session.net
        first = l - 1 if delta < 0 else l
        if first < 1 or first + 1 > net.L:
            return None
        rng = self._rng()
        error = self._apply(lambda net: with_layers_swapped(net, first, rng),
                            f"Move layer {l} {'up' if delta < 0 else 'down'}")
        if not error:
            self.select_layer(l + (1 if delta > 0 else -1))
        return error

    def add_example(self) -> str | None:
        return self._apply(with_example_added, f"Add example {self.session.net.batch + 1}")

    def remove_example(self, k: int | None = None) -> str | None:
        if k is None:
            current = self.x_view.currentIndex()
            k = current.column() if current.isValid() else self.session.net.batch - 1
        return self._apply(lambda net: with_example_removed(net, k), f"Remove example {k + 1}")

    def randomise(self, seed: int | None = None) -> str | None:
        if seed is None:
            seed = self.seed_spin.value()
        else:
            self.seed_spin.setValue(seed)
        return self._apply(lambda net: with_random_weights(net, seed), f"Randomise weights (seed {seed})")

    def edit_cell(self, which: str, row: int, col: int, text: str) -> str | None:
        """Type `text` into X, Y or the selected layer's W / W0 (like the table does); the error or None."""
        return self._edit_cell(which, row, col, text)

    def _cell_model(self, which: str) -> MatrixModel:
        """The editable table model of X, Y or the selected layer's W / W0: a typed cell goes to _edit_cell."""
        return MatrixModel(parent=self, theme=self.theme, precision=EDIT_DIGITS, colored=False,
                           on_edit=lambda r, c, text: self._edit_cell(which, r, c, text))

    def _edit_cell(self, which: str, row: int, col: int, text: str) -> str | None:
        l = self._layer
        name = {"X": "X", "Y": "Y", "W": pretty(f"W^{l}"), "W0": pretty(f"W0^{l}")}[which]
        where = f"{name}[{row + 1}, {col + 1}]"
        value = parse_number(text)
        shown = format_number(value) if isinstance(value, float) else repr(value)
        return self._apply(lambda net: with_entry(net, which, l, row, col, text), f"Set {where} = {shown}",
                           where=where)

    # ---------------------------------------------------------------- layer list
    def _on_layer_row(self, row: int) -> None:
        if row >= 0:
            self.select_layer(row + 1)

    # ---------------------------------------------------------------- activation and f(z)
    def _on_activation_chosen(self, index: int) -> None:
        name = self.activation_combo.itemData(index)
        current = self.session.net.layers[self._layer - 1].activation
        if name != CUSTOM:
            if current.expr is not None or current.name != name:
                self.set_activation(name)
            return
        # custom…: start from the current formula when it is one we can parse, then wait for Enter
        if current.expr is None:
            text = current.formula
            try:
                custom_activation(text)
            except NetError:
                text = "z"
            self.expression_edit.setText(text)
            self._on_expression_typed(text)
        self.expression_edit.setFocus()
        self.expression_edit.selectAll()

    def _on_expression_typed(self, text: str) -> None:
        """Validate as you type with core's safe parser; f'(z) is simplified off the GUI thread."""
        self._expression_dirty = True
        try:
            parse_expression(text)                  # its message has no field prefix: it is about this field
        except ExpressionError as err:
            self._expression_valid = None
            self.expression_edit.set_error_column(err.column)
            self._style_expression(False)
            self.expression_info.setText(err.message)
            self.expression_info.setStyleSheet(f"color: {self.theme.bad.name()};")
            return
        act = custom_activation(text)
        self._expression_valid = act
        self.expression_edit.set_error_column(None)
        self._style_expression(True)
        self._show_formulas(act)

    def _style_expression(self, ok: bool) -> None:
        if ok:
            self.expression_edit.setStyleSheet("")
        else:
            self.expression_edit.setStyleSheet(
                f"QLineEdit {{ border: 1px solid {self.theme.bad.name()}; border-radius: 3px; padding: 1px 2px; }}")

    def _show_formulas(self, act) -> None:
        self.expression_info.setStyleSheet(f"color: {self.theme.muted.name()};")
        if act.expr is None:                       # built-in: both formulas are plain strings
            self.expression_info.setText(f"f(z) = {act.formula}    f'(z) = {act.derivative_formula}")
            return
        expression = act.expr
        if "derivative_formula" in expression.__dict__:   # already simplified once
            self.expression_info.setText(f"f(z) = {expression.formula}    f'(z) = {expression.derivative_formula}")
            return
        self.expression_info.setText(f"f(z) = {expression.formula}    f'(z) = …")
        self._pending = expression
        self._derivative_timer.start()

    def _start_derivative(self) -> None:
        expression, relay = self._pending, self._relay

        def work():
            formula = expression.derivative_formula       # sympy loads and simplifies here, off the GUI thread
            if shiboken6.isValid(relay):
                relay.derivative_ready.emit(expression.text, formula)

        QThreadPool.globalInstance().start(work)

    def _show_derivative(self, text: str, formula: str) -> None:
        act = self._expression_valid
        if act is not None and act.expr is not None and act.expr.text == text:
            self.expression_info.setText(f"f(z) = {act.expr.formula}    f'(z) = {formula}")

    def expression_error(self) -> str | None:
        """The message under the f(z) field when its text does not parse, else None."""
        return None if self._expression_valid is not None or not self._expression_dirty else self.expression_info.text()

    def _on_expression_return(self) -> None:
        column = self.expression_edit.error_column
        if self._expression_valid is None and column is not None:
            self.expression_edit.setCursorPosition(column - 1)

    def _on_expression_finished(self) -> None:
        if not self._expression_dirty or self._expression_valid is None:
            return
        act = self._expression_valid
        current = self.session.net.layers[self._layer - 1].activation
        if current.expr is not None and current.expr.text == act.expr.text:
            self._expression_dirty = False
            return
        l = self._layer
        self._expression_dirty = False
        self._apply(lambda net: net.replace_layer(l, activation=act), f"Change layer {l} activation to f(z) = {act.expr.text}")

