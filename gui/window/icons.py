"""The toolbar's small vector icons, painted in the theme's colours at any size."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

ICONS = ("reset", "previous", "next", "finish_forward", "run_to_end", "theme", "larger_text", "smaller_text")


class _PaintedIcon(QIconEngine):
    """Draws the icon at whatever size and device pixel ratio is asked: crisp at 4K, no pixmaps kept."""

    def __init__(self, kind: str, color: QColor):
        super().__init__()
        self.kind, self.color = kind, QColor(color)

    def paint(self, painter: QPainter, rect, mode, state) -> None:
        color = QColor(self.color)
        if mode == QIcon.Disabled:
            color.setAlphaF(0.35)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        side = min(rect.width(), rect.height())
        painter.translate(rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2)
        painter.scale(side / 24.0, side / 24.0)          # drawn on a 24 x 24 grid
        _draw(painter, self.kind, color)
        painter.restore()

    def pixmap(self, size, mode, state) -> QPixmap:
        pm = QPixmap(size)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        self.paint(p, QRect(0, 0, size.width(), size.height()), mode, state)
        p.end()
        return pm

    def clone(self) -> QIconEngine:
        return _PaintedIcon(self.kind, self.color)


def make_icon(kind: str, color: QColor) -> QIcon:
    """An icon drawn in `color` at any size (toolbar at 4K included)."""
    return QIcon(_PaintedIcon(kind, color))


def _triangle(p: QPainter, x: float, right: bool, h: float = 14.0, w: float = 10.0) -> None:
    top, bottom, mid = 12 - h / 2, 12 + h / 2, 12.0
    pts = ([QPointF(x, top), QPointF(x + w, mid), QPointF(x, bottom)] if right
           else [QPointF(x + w, top), QPointF(x, mid), QPointF(x + w, bottom)])
    p.drawPolygon(QPolygonF(pts))


def _draw(p: QPainter, kind: str, color: QColor) -> None:
    p.setPen(Qt.NoPen)
    p.setBrush(color)
    if kind == "next":
        _triangle(p, 7, True, 16, 12)
    elif kind == "previous":
        _triangle(p, 5, False, 16, 12)
    elif kind == "run_to_end":
        _triangle(p, 3, True)
        _triangle(p, 11, True)
        p.drawRect(QRectF(19, 5, 2.5, 14))
    elif kind == "reset":
        p.drawRect(QRectF(2.5, 5, 2.5, 14))
        _triangle(p, 5, False)
        _triangle(p, 13, False)
    elif kind == "finish_forward":
        # one play triangle up to a bar: "to the end of the forward pass" (the end is two triangles)
        _triangle(p, 6, True, 16, 12)
        p.drawRect(QRectF(18, 4, 2.5, 16))
    elif kind == "theme":
        p.setPen(QPen(color, 2.0))
        p.setBrush(Qt.NoBrush)
        p.drawEllipse(QRectF(4, 4, 16, 16))
        p.setPen(Qt.NoPen)
        p.setBrush(color)
        half = QPainterPath()
        half.moveTo(12, 4)
        half.arcTo(QRectF(4, 4, 16, 16), 90, 180)
        half.closeSubpath()
        p.drawPath(half)
    elif kind in ("larger_text", "smaller_text"):
        f = p.font()
        f.setPixelSize(15 if kind == "larger_text" else 11)
        f.setBold(True)
        p.setFont(f)
        p.setPen(color)
        p.drawText(QRectF(0, 2, 16, 20), Qt.AlignCenter, "A")
        p.setPen(QPen(color, 2.0))
        p.drawLine(QPointF(16, 12), QPointF(22, 12))
        if kind == "larger_text":
            p.drawLine(QPointF(19, 9), QPointF(19, 15))
