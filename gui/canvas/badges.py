"""The gradient check's marks on the canvas: a ✓/✗ disc drawn as strokes, and its tooltip line."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from .style import Style
from .text import _esc

def draw_badge(p: QPainter, center: QPointF, ok: bool, style: Style) -> None:
    """A ✓ (theme.ok) or ✗ (theme.bad) drawn as strokes in a disc, so no font needs the glyph."""
    s = style.scale
    r = 12 * s
    t = style.theme
    p.save()
    p.setPen(QPen(t.surface, 2 * s))
    p.setBrush(t.ok if ok else t.bad)
    p.drawEllipse(center, r, r)
    pen = QPen(QColor("#ffffff"), 2.6 * s, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.NoBrush)
    c = center
    if ok:
        p.drawPolyline(QPolygonF([QPointF(c.x() - 5.5 * s, c.y() + 0.5 * s), QPointF(c.x() - 1.5 * s, c.y() + 4.5 * s),
                                  QPointF(c.x() + 6 * s, c.y() - 4.5 * s)]))
    else:
        d = 4.5 * s
        p.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
        p.drawLine(QPointF(c.x() - d, c.y() + d), QPointF(c.x() + d, c.y() - d))
    p.restore()


def check_tooltip(result) -> str:
    if result is None:
        return ""
    if getattr(result, "tooltip", ""):      # a mark that says what it is itself (gui/compare)
        return result.tooltip
    mark = "✓ gradient check passed" if result.ok else "✗ gradient check failed"
    text = f"{mark}: max relative error {result.max_error:.1e} ({result.checked} entries)"
    if result.note:
        text += "<br>" + _esc(result.note)
    return text
