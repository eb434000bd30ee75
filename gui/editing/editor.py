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

import math
from dataclasses import replace
from typing import Callable

import numpy as np
import shiboken6
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, QPointF, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFrame, QGridLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QScrollArea, QSizePolicy, QSpinBox, QTableView, QToolButton,
                               QVBoxLayout, QWidget)

from chainview.core import (ACTIVATIONS, LOSSES, ExpressionError, Layer, Net, NetError, Session,
                            activation_from_spec, custom_activation, init_weights, loss_from_name, w0_id, w_id)
from chainview.core.expr import parse_expression
from chainview.core.net import MAX_UNITS
from chainview.core.symbols import pretty

from .commands import apply_edit
from ..inspector.matrix_model import format_number
from ..theme import Theme

CUSTOM = "custom"


# ------------------------------------------------------------------ pure edits of a Net
# Each takes the current net and returns a new one (or raises NetError), for apply_edit.

def _fit(a: np.ndarray | None, shape: tuple[int, int], fresh: Callable[[], np.ndarray]) -> np.ndarray:
    """`a` reshaped to `shape`: the overlapping top-left block kept, the rest from `fresh()`."""
    if a is not None and a.shape == shape:
        return a
    out = np.array(fresh(), dtype=float)
    if a is not None:
        r, c = min(a.shape[0], shape[0]), min(a.shape[1], shape[1])
        out[:r, :c] = a[:r, :c]
    return out


def fitted_net(net: Net, layers: list[tuple], rng: np.random.Generator) -> Net:
    """A net with these (units, activation, W, W0[, origin]) layers, every shape made to fit.

    W^l keeps the entries that still fit and gets new ones from `init_weights` (Gaussian,
    variance 1/m^l); W0^l and new rows of the target Y are 0. `origin` is the layer's number in
    `net` (from `_parts`): its skip connection and tie follow it to its new place, and are dropped
    where their source is gone or no longer fits (core.graph_edits.relinked).
    """
    from chainview.core.graph_edits import relinked
    m, built = net.X.shape[0], []
    for part in layers:
        units, activation, W, W0 = part[:4]
        W = _fit(W, (m, units), lambda m=m, units=units: init_weights(m, units, rng)[0])
        W0 = _fit(W0, (units, 1), lambda units=units: np.zeros((units, 1)))
        built.append(Layer(int(units), activation, W, W0))
        m = units
    Y = _fit(net.Y, (m, net.batch), lambda: np.zeros((m, net.batch)))
    origins = [part[4] if len(part) > 4 else None for part in layers]
    return relinked(net, replace(net, layers=tuple(built), Y=Y), origins)


def _parts(net: Net) -> list:
    return [(layer.units, layer.activation, layer.W, layer.W0, l) for l, layer in enumerate(net.layers, start=1)]


def with_units(net: Net, l: int, units: int, rng: np.random.Generator) -> Net:
    parts = _parts(net)
    parts[l - 1] = (units,) + parts[l - 1][1:]
    return fitted_net(net, parts, rng)


def with_layer_inserted(net: Net, after: int, rng: np.random.Generator) -> Net:
    """A new layer after layer `after` (0 = first), as wide as its input, so nothing else changes shape."""
    parts = _parts(net)
    units = net.n(after)
    last = after == net.L
    activation = activation_from_spec("identity" if last else "relu")
    parts.insert(after, (units, activation, None, None, None))
    return fitted_net(net, parts, rng)


def with_layer_removed(net: Net, l: int, rng: np.random.Generator) -> Net:
    if net.L <= 1:
        raise NetError("a net needs at least one layer; this is the last one")
    parts = _parts(net)
    del parts[l - 1]
    return fitted_net(net, parts, rng)


def with_layers_swapped(net: Net, l: int, rng: np.random.Generator) -> Net:
    """Layers l and l + 1 change places; each keeps its weights where they still fit."""
    parts = _parts(net)
    parts[l - 1], parts[l] = parts[l], parts[l - 1]
    return fitted_net(net, parts, rng)


def with_example_added(net: Net) -> Net:
    """One more example: a column of zeros in both X and Y."""
    return replace(net, X=np.hstack([net.X, np.zeros((net.X.shape[0], 1))]),
                   Y=np.hstack([net.Y, np.zeros((net.Y.shape[0], 1))]))


def with_example_removed(net: Net, k: int) -> Net:
    if net.batch <= 1:
        raise NetError("the batch needs at least one example; this is the only column of X and Y")
    return replace(net, X=np.delete(net.X, k, axis=1), Y=np.delete(net.Y, k, axis=1))


def with_random_weights(net: Net, seed: int) -> Net:
    """Every W and W0 drawn afresh with core.init_weights from np.random.default_rng(seed)."""
    rng = np.random.default_rng(seed)
    weights = {}
    for l in range(1, net.L + 1):
        W, weights[w0_id(l)] = init_weights(net.m(l), net.n(l), rng)
        if net.layers[l - 1].tie is None:     # a tied layer has no W of its own
            weights[w_id(l)] = W
    return replace(net.with_weights(weights), seed=seed)


def parse_number(text: str) -> float | str:
    """A typed table entry: a float when it reads as one (also with a typographic minus), else the text."""
    cleaned = str(text).strip().replace("−", "-").replace("–", "-")
    try:
        return float(cleaned)
    except ValueError:
        return cleaned


def with_entry(net: Net, which: str, l: int, row: int, col: int, text: str) -> Net:
    """`which` is "X", "Y", "W" or "W0" (of layer l); a non-number or non-finite entry raises core's NetError."""
    value = parse_number(text)
    if isinstance(value, float) and math.isfinite(value):
        if which in ("X", "Y"):
            arr = (net.X if which == "X" else net.Y).copy()
            arr[row, col] = value
            return replace(net, **{which: arr})
        node = w_id(net.layers[l - 1].tie or l) if which == "W" else w0_id(l)
        arr = net.weights()[node].copy()
        arr[row, col] = value
        return net.with_weights({node: arr})
    # Let core word the refusal, exactly as it does for a net file ("layers[0].W[0][1] is the text 'abc'; ...").
    from chainview.core.netfile import net_from_dict, net_to_dict
    data = net_to_dict(net)
    target = {"X": lambda: data["input"], "Y": lambda: data["target"],
              "W": lambda: data["layers"][l - 1]["W"], "W0": lambda: data["layers"][l - 1]["W0"]}[which]()
    target[row][col] = value
    net_from_dict(data)
    raise NetError(f"{value!r} is not a finite number; every entry must be finite")  # core always refuses first


# ------------------------------------------------------------------ a numpy-backed table model

class EditableMatrixModel(QAbstractTableModel):
    """A 2-D numpy array as a table. The model never changes the array itself: an edit calls
    `on_edit(row, col, text)`, which returns None (accepted; the owner then calls set_matrix
    with the new array) or a message (refused: `edit_refused` is emitted, the cell keeps its value)."""

    edit_refused = Signal(str)

    def __init__(self, on_edit: Callable[[int, int, str], str | None] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._a = np.zeros((0, 0))
        self._on_edit = on_edit
        self.row_label: Callable[[int], str] = lambda r: str(r + 1)
        self.column_label: Callable[[int], str] = lambda c: str(c + 1)
        self.row_tooltip: Callable[[int], str] = lambda r: ""
        self.column_tooltip: Callable[[int], str] = lambda c: ""
        self.theme: Theme | None = None
        self.digits = 4                  # significant digits shown (the tooltip and the editor have all)

    def matrix(self) -> np.ndarray:
        return self._a

    def set_matrix(self, a: np.ndarray) -> None:
        a = np.atleast_2d(np.asarray(a, dtype=float))
        if a.shape == self._a.shape:
            self._a = a
            if a.size:
                self.dataChanged.emit(self.index(0, 0), self.index(a.shape[0] - 1, a.shape[1] - 1))
            self.headerDataChanged.emit(Qt.Horizontal, 0, max(a.shape[1] - 1, 0))
            self.headerDataChanged.emit(Qt.Vertical, 0, max(a.shape[0] - 1, 0))
        else:
            self.beginResetModel()
            self._a = a
            self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._a.shape[0]

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._a.shape[1]

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        v = float(self._a[index.row(), index.column()])
        if role == Qt.DisplayRole:
            return format_number(v, self.digits)
        if role == Qt.EditRole:
            return repr(v)           # full precision; a str so the delegate is a plain line edit
        if role == Qt.ToolTipRole:
            return repr(v)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and self.theme is not None and v == 0:
            return self.theme.muted
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole:
            return self.column_label(section) if orientation == Qt.Horizontal else self.row_label(section)
        if role == Qt.ToolTipRole:
            return self.column_tooltip(section) if orientation == Qt.Horizontal else self.row_tooltip(section)
        return None

    def flags(self, index):
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        return flags | Qt.ItemIsEditable if self._on_edit is not None else flags

    def setData(self, index, value, role=Qt.EditRole) -> bool:
        if role != Qt.EditRole or not index.isValid() or self._on_edit is None:
            return False
        error = self._on_edit(index.row(), index.column(), str(value))
        if error:
            self.edit_refused.emit(error)
            return False
        return True


class MatrixTable(QTableView):
    """A compact table for a small matrix: cells sized from the font (so they follow the text size),
    as wide as its columns, at most `max_rows` rows tall before it scrolls, and a horizontal scroll
    bar only when it must. `sample` is the widest number a cell should show without eliding."""

    def __init__(self, model: EditableMatrixModel, max_rows: int = 6, parent: QWidget | None = None, *,
                 sample: str = "−0.06605", stretch: bool = False):
        super().__init__(parent)
        self.max_rows, self.sample, self.stretch = max_rows, sample, stretch
        self.setModel(model)
        self.setObjectName("matrix")
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.Fixed)
            header.setMinimumSectionSize(18)
            header.setDefaultAlignment(Qt.AlignCenter)
        if stretch:                        # a few columns that share whatever width there is
            self.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                             | QAbstractItemView.AnyKeyPressed)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        model.modelReset.connect(self.fit_size)
        self._measure()

    def _measure(self) -> None:
        fm = self.fontMetrics()
        self.row_height = fm.height() + 6
        self.column_width = fm.horizontalAdvance(self.sample) + 16
        self.verticalHeader().setDefaultSectionSize(self.row_height)
        self.horizontalHeader().setDefaultSectionSize(self.column_width)
        if self.stretch:
            self.horizontalHeader().setMinimumSectionSize(self.column_width // 2)
        self.fit_size()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.FontChange:
            self._measure()

    def event(self, event) -> bool:
        # typing a number starts editing the cell ("AnyKeyPressed"): its first key, "." or "-" included,
        # must reach the table rather than a window-wide shortcut ("." walks the graph's selection).
        # Space and Backspace stay the window's stepping keys, as in every other pane.
        if event.type() == QEvent.ShortcutOverride and self.state() != QAbstractItemView.EditingState:
            text = event.text()
            plain = not (event.modifiers() & ~(Qt.ShiftModifier | Qt.KeypadModifier))
            if plain and text and text.isprintable() and not text.isspace():
                event.accept()
                return True
        return super().event(event)

    def _bar(self) -> int:
        return self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)

    def _left(self) -> int:
        return 0 if self.verticalHeader().isHidden() else self.verticalHeader().sizeHint().width()

    def fit_size(self) -> None:
        model = self.model()
        rows, cols = model.rowCount(), model.columnCount()
        frame = 2 * self.frameWidth()
        top = 0 if self.horizontalHeader().isHidden() else self.horizontalHeader().sizeHint().height()
        height = frame + top + min(max(rows, 1), self.max_rows) * self.row_height
        if self.stretch:
            self.setFixedHeight(height)
            return
        tall = rows > self.max_rows
        self.setMaximumWidth(max(frame + self._left() + cols * self.column_width + (self._bar() if tall else 0), 40))
        room = self.width() - frame - self._left() - (self._bar() if tall else 0)
        wide = cols * self.column_width > room
        self.setFixedHeight(height + (self._bar() if wide else 0))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit_size()


def matrix_view(model: EditableMatrixModel, max_rows: int = 6, **options) -> MatrixTable:
    return MatrixTable(model, max_rows, **options)


# ------------------------------------------------------------------ the custom expression field

class ExpressionEdit(QLineEdit):
    """A line edit that can underline the character at an error column (1-based) with a red zigzag."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._error_column: int | None = None
        self.error_color = QColor("#c62828")

    @property
    def error_column(self) -> int | None:
        return self._error_column

    def set_error_column(self, column: int | None) -> None:
        if column != self._error_column:
            self._error_column = column
            self.update()

    def error_x(self) -> tuple[float, float] | None:
        """Pixel span of the character at the error column (or a small span after the text)."""
        if self._error_column is None:
            return None
        text, fm = self.text(), self.fontMetrics()
        index = max(0, min(self._error_column - 1, len(text)))
        cursor_x = self.cursorRect().center().x()            # follows margins and scrolling
        x0 = cursor_x + fm.horizontalAdvance(text[:index]) - fm.horizontalAdvance(text[:self.cursorPosition()])
        width = fm.horizontalAdvance(text[index]) if index < len(text) else fm.horizontalAdvance("m")
        return x0, x0 + max(width, 5)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        span = self.error_x()
        if span is None:
            return
        x0, x1 = span
        y = self.cursorRect().bottom() - 1
        path = QPainterPath(QPointF(x0, y))
        x, up = x0, True
        while x < x1:
            x = min(x + 2.0, x1)
            path.lineTo(QPointF(x, y - 2 if up else y))
            up = not up
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(self.error_color, 1.4))
        painter.drawPath(path)
        painter.end()


class _Relay(QObject):
    """Carries a derivative formula computed on a pool thread back to the GUI thread."""
    derivative_ready = Signal(str, str)       # expression text, f'(z)


# ------------------------------------------------------------------ the editor

def connect_model_signal(signal, widget: QWidget, callback: Callable) -> None:
    """Connect a core (Qt-free) Signal to a widget method; it disconnects itself once the widget is gone."""
    def relay(*args):
        if not shiboken6.isValid(widget):
            signal.disconnect(relay)
            return
        callback(*args)
    signal.connect(relay)


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
        connect_model_signal(session.net_changed, self, self._on_net_changed)
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
        form.addWidget(QLabel("Units"), 0, 0)
        units_row = QHBoxLayout()
        units_row.addWidget(self.units_spin)
        units_row.addSpacing(12)
        units_row.addWidget(QLabel("Activation"))
        units_row.addWidget(self.activation_combo, 1)
        form.addLayout(units_row, 0, 1)
        form.addWidget(QLabel("f(z) ="), 1, 0)
        form.addWidget(self.expression_edit, 1, 1)
        form.addWidget(self.expression_info, 2, 1)

        self.w_label = QLabel()
        self.w_model = EditableMatrixModel(lambda r, c, t: self._edit_cell("W", r, c, t), self)
        self.w_view = matrix_view(self.w_model)
        self.w0_label = QLabel()
        self.w0_model = EditableMatrixModel(lambda r, c, t: self._edit_cell("W0", r, c, t), self)
        self.w0_view = matrix_view(self.w0_model, max_rows=4)
        self.w0_view.horizontalHeader().hide()           # one column: the label above says what it is
        self.w0_view.fit_size()
        self.w_model.column_label = self.w0_model.row_label = lambda k: f"u{k + 1}"
        self.w_model.row_label = lambda k: f"in{k + 1}"
        self.w_model.row_tooltip = lambda k: f"input {k + 1} (row of W: one per input, m^l rows)"
        self.w_model.column_tooltip = lambda k: f"unit {k + 1} (column of W: one per unit, n^l columns)"
        self.w0_model.row_tooltip = lambda k: f"unit {k + 1}"
        form.addWidget(self.w_label, 3, 0, 1, 2)
        form.addWidget(self.w_view, 4, 0, 1, 2)
        form.addWidget(self.w0_label, 5, 0, 1, 2)
        form.addWidget(self.w0_view, 6, 0, 1, 2)
        seed_row = QHBoxLayout()
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Seed for random weights: 'Randomise weights' and new entries when units change")
        self.randomise_button = QPushButton("Randomise weights")
        self.randomise_button.setToolTip("Draw every W (Gaussian, variance 1/m) and W0 (zeros) afresh from the seed")
        self.randomise_button.clicked.connect(lambda: self.randomise())
        seed_row.addWidget(QLabel("Seed"))
        seed_row.addWidget(self.seed_spin)
        seed_row.addWidget(self.randomise_button)
        seed_row.addStretch(1)
        form.addLayout(seed_row, 7, 0, 1, 2)
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
        loss_row = QHBoxLayout()
        loss_row.addWidget(self.loss_combo)
        loss_row.addWidget(self.loss_formula, 1)
        data.addLayout(loss_row, 0, 1)
        self.x_label = QLabel()
        self.x_model = EditableMatrixModel(lambda r, c, t: self._edit_cell("X", r, c, t), self)
        self.x_view = matrix_view(self.x_model, max_rows=4)
        self.y_label = QLabel()
        self.y_model = EditableMatrixModel(lambda r, c, t: self._edit_cell("Y", r, c, t), self)
        self.y_view = matrix_view(self.y_model, max_rows=4)
        for model in (self.x_model, self.y_model):
            model.column_label = lambda k: f"ex{k + 1}"
            model.column_tooltip = lambda k: f"example {k + 1} (one column of X and Y)"
        data.addWidget(self.x_label, 1, 0, 1, 2)
        data.addWidget(self.x_view, 2, 0, 1, 2)
        data.addWidget(self.y_label, 3, 0, 1, 2)
        data.addWidget(self.y_view, 4, 0, 1, 2)
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
        data.addLayout(example_row, 5, 0, 1, 2)
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
            model.theme = theme
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
        self.w_model.set_matrix(layer.W)
        self.w0_model.set_matrix(layer.W0)
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
        self.x_model.set_matrix(net.X)
        self.y_model.set_matrix(net.Y)
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


def install(window) -> None:
    """The main window's extension hook: add the editor, training and the gradient check (gui/editing/tools.py)."""
    from .tools import install_editing
    install_editing(window)
