"""The editor's table view: a small matrix (an editable gui/inspector/matrix_model.MatrixModel) in cells
sized from the font, as tall as a few rows; typing a number starts editing the cell."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableView, QWidget

from ..inspector.matrix_model import MatrixModel


def numbered(prefix: str, count: int) -> list[str]:
    """Header labels "in1", "in2", ...: a table's rows or columns named by their number."""
    return [f"{prefix}{k + 1}" for k in range(count)]


class MatrixTable(QTableView):
    """A compact table for a small matrix: cells sized from the font (so they follow the text size),
    as wide as its columns, at most `max_rows` rows tall before it scrolls, and a horizontal scroll
    bar only when it must. `sample` is the widest number a cell should show without eliding."""

    def __init__(self, model: MatrixModel, max_rows: int = 6, parent: QWidget | None = None, *,
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

