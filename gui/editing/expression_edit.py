"""The field for a typed activation f(z), with a red zigzag under the character where parsing failed."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QLineEdit


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
