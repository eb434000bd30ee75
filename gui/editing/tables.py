"""The editor's tables: a numpy array as an editable table model, and the view that sizes itself to it.

Note: EditableMatrixModel and gui/inspector/matrix_model.MatrixModel are two models over a 2-D
array (edit callbacks here, heatmap colours and labelled headers there); merging them into one is
still to do (issue 14)."""

from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableView, QWidget

from ..inspector.matrix_model import format_number
from ..theme import Theme


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


def editable_table(model: EditableMatrixModel, max_rows: int = 6, **options) -> MatrixTable:
    return MatrixTable(model, max_rows, **options)
