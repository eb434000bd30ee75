"""An edge of the computation graph on the canvas: a smooth curve (or a routed polyline) with an
arrowhead, lit while its step runs, with a gradient arrowhead at its source once backprop has passed.
Its Jacobian's name and dims are on its label pill (label_pill.py)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from chainview.core import dims_text, pretty, rich

from .badges import check_tooltip
from .label_pill import EdgeLabelItem
from .style import LazyTooltip, Style, alpha, forward_click
from .text import _esc, derivative_html, symbol_html

class EdgeItem(LazyTooltip, QGraphicsItem):
    """An edge u -> v: a smooth curve leaving u's right side and entering v's left side with an arrowhead."""

    def __init__(self, u: str, v: str, data: dict, style: Style):
        super().__init__()
        self.u, self.v = u, v
        self.style = style
        self.done = False           # the forward step that uses it is done
        self.back_done = False      # the backward step that uses it is done
        self.current = False
        self.phase: str | None = None
        self.selected = False
        self.check = None
        self.hovered = False
        self.lit: QColor | None = None      # operand colour when its Jacobian is a factor of the current equation
        self.refreshes = 0
        self.p0 = QPointF()
        self.p1 = QPointF()
        self.end_dir = (1.0, 0.0)   # the direction the edge arrives in (a skip arrives from above)
        self.path = QPainterPath()
        self._shape = QPainterPath()
        self._bounds = QRectF()
        self.setZValue(0)
        self.setCursor(Qt.PointingHandCursor)
        self.setAcceptHoverEvents(True)
        self.label = EdgeLabelItem(self)
        self.set_data(data)

    def set_data(self, data: dict) -> None:
        """Symbol and dims from the graph's edge attributes (they change with the layout)."""
        self.jsymbol = data["symbol"]
        self.jdims = tuple(data["dims"])
        self.jshape = tuple(data["shape"])
        self.jkind = data.get("kind", "")
        J = data.get("jacobian")
        self.explanation = getattr(J, "explanation", "") if J is not None else ""
        self.layout = getattr(J, "layout", "denominator") if J is not None else "denominator"
        self.label.set_texts()
        self.update_tooltip()

    def route(self, p0: QPointF, p1: QPointF) -> None:
        """A cubic with horizontal tangents at both ends (Orange-canvas style), ending in an arrowhead at p1."""
        self.prepareGeometryChange()
        s = self.style.scale
        self.p0, self.p1 = QPointF(p0), QPointF(p1)
        self.arrow_len = 15 * s
        self.end_dir = (1.0, 0.0)
        end = QPointF(p1.x() - self.arrow_len, p1.y())
        dx = max(abs(end.x() - p0.x()) * 0.5, 30 * s)
        path = QPainterPath(p0)
        if abs(p0.y() - end.y()) < 0.5:
            path.lineTo(end)
        else:
            path.cubicTo(QPointF(p0.x() + dx, p0.y()), QPointF(end.x() - dx, end.y()), end)
        self.path = path
        stroker = QPainterPathStroker()
        stroker.setWidth(14 * s)
        stroker.setCapStyle(Qt.RoundCap)
        shape = stroker.createStroke(path)
        shape.addPolygon(self._arrow(p1, 1.6))
        self._shape = shape.simplified()
        m = 14 * s
        self._bounds = path.boundingRect().united(QRectF(p1, p1)).adjusted(-m, -m, m, m)
        self.label.setPos(self.path.pointAtPercent(0.5))
        self.update()

    def _arrow(self, tip: QPointF, k: float = 1.0, backwards: bool = False, direction=(1.0, 0.0)) -> QPolygonF:
        s = self.style.scale
        L, W = 15 * s * k, 6.5 * s * k
        d = -1 if backwards else 1
        ux, uy = direction[0] * d, direction[1] * d      # along the edge; (-uy, ux) across it
        return QPolygonF([tip, QPointF(tip.x() - ux * L + uy * W, tip.y() - uy * L - ux * W),
                          QPointF(tip.x() - ux * L - uy * W, tip.y() - uy * L + ux * W)])

    def route_via(self, points) -> None:
        """A polyline through `points` (x, y) with rounded corners, the arrowhead along its last segment.

        For edges that must go around things (a skip connection over the chain, a tied W's edges,
        W -> R under the net); gui/canvas/placement.py chooses the points."""
        self.prepareGeometryChange()
        s = self.style.scale
        pts = [QPointF(float(x), float(y)) for x, y in points]
        self.p0, self.p1 = QPointF(pts[0]), QPointF(pts[-1])
        self.arrow_len = 15 * s
        dx, dy = pts[-1].x() - pts[-2].x(), pts[-1].y() - pts[-2].y()
        n = math.hypot(dx, dy) or 1.0
        self.end_dir = (dx / n, dy / n)
        pts[-1] = QPointF(pts[-1].x() - self.end_dir[0] * self.arrow_len, pts[-1].y() - self.end_dir[1] * self.arrow_len)
        path = QPainterPath(pts[0])
        radius = 16 * s
        for i in range(1, len(pts) - 1):
            a, c, b = pts[i - 1], pts[i], pts[i + 1]
            la, lb = math.hypot(c.x() - a.x(), c.y() - a.y()), math.hypot(b.x() - c.x(), b.y() - c.y())
            r = min(radius, la / 2, lb / 2)
            if r < 0.5:
                path.lineTo(c)
                continue
            p_in = QPointF(c.x() + (a.x() - c.x()) * r / la, c.y() + (a.y() - c.y()) * r / la)
            p_out = QPointF(c.x() + (b.x() - c.x()) * r / lb, c.y() + (b.y() - c.y()) * r / lb)
            path.lineTo(p_in)
            path.quadTo(c, p_out)
        path.lineTo(pts[-1])
        self.path = path
        stroker = QPainterPathStroker()
        stroker.setWidth(14 * s)
        stroker.setCapStyle(Qt.RoundCap)
        shape = stroker.createStroke(path)
        shape.addPolygon(self._arrow(self.p1, 1.6, direction=self.end_dir))
        self._shape = shape.simplified()
        m = 14 * s
        self._bounds = path.boundingRect().united(QRectF(self.p1, self.p1)).adjusted(-m, -m, m, m)
        self.label.setPos(self.path.pointAtPercent(0.5))
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._shape

    def set_state(self, done: bool, back_done: bool, current: bool, phase: str | None) -> None:
        self.refreshes += 1
        if (done, back_done, current, phase) != (self.done, self.back_done, self.current, self.phase):
            self.done, self.back_done, self.current, self.phase = done, back_done, current, phase
            self.setZValue(1 if current else 0)
            self.update()
            self.label.update()

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.update()
            self.label.update()

    def set_lit(self, color: QColor | None) -> None:
        if color != self.lit:
            self.lit = color
            self.label.update()

    def per_example(self) -> bool:
        """Its Jacobian depends on which example of a batch is shown (f'(Z), A for dZ/dW, the loss's)."""
        return self.u[0] in ("Z", "Y") or (self.u[0] == "W" and not self.u.startswith("W0")) or self.v == "L"

    def set_check(self, result) -> None:
        self.check = result
        self.update_tooltip()
        self.label.update()

    def label_text(self) -> str:
        return self.label.plain()

    def tooltip_html(self) -> str:
        tip = [f"<b>{derivative_html(self.u, self.v)} = {symbol_html(self.jsymbol)}</b>",
               f"{rich(dims_text(self.jdims, self.jshape))} ({self.layout} layout)"]
        if self.jkind:
            tip.append(f"<i>{self.jkind}</i>")
        if self.explanation:
            tip.append(_esc(pretty(self.explanation)))
        if self.check is not None:
            tip.append(check_tooltip(self.check))
        return "<br>".join(tip)

    def show_tooltip(self, html: str) -> None:
        self.setToolTip(html)
        self.label.setToolTip(html)

    def paint(self, p: QPainter, option, widget=None) -> None:
        st, t, s = self.style, self.style.theme, self.style.scale
        p.setRenderHint(QPainter.Antialiasing)
        p.setBrush(Qt.NoBrush)
        backward = self.current and self.phase == "backward"
        if self.selected or self.hovered:
            p.setPen(QPen(alpha(t.selection, 0.35 if self.selected else 0.18), 13 * s, Qt.SolidLine, Qt.RoundCap))
            p.drawPath(self.path)
        if self.current:
            halo = t.grad if backward else t.highlight
            p.setPen(QPen(alpha(halo, 0.30 if backward else 0.6), 12 * s, Qt.SolidLine, Qt.RoundCap))
            p.drawPath(self.path)
            core, width = (t.grad if backward else t.text), 3.4 * s
        elif self.done:
            core, width = t.edge, 2.4 * s
        else:
            core, width = alpha(t.muted, 0.55), 1.8 * s
        pen = QPen(core, width, Qt.SolidLine, Qt.FlatCap)
        if not self.done and not self.current:
            pen.setStyle(Qt.DashLine)
        p.setPen(pen)
        p.drawPath(self.path)
        p.setPen(Qt.NoPen)
        if backward:
            # the forward direction stays readable (edge colour); the grad-coloured arrow below leads
            p.setBrush(t.edge)
            p.drawPolygon(self._arrow(self.p1, 1.0, direction=self.end_dir))
        else:
            p.setBrush(core)
            p.drawPolygon(self._arrow(self.p1, 1.25 if self.current else 1.0, direction=self.end_dir))
        if backward or self.back_done:
            # the gradient flows back along this edge: a grad-coloured arrowhead at the source end
            g = t.grad if backward else alpha(t.grad, 0.75)
            p.setBrush(g)
            k = 1.35 if backward else 0.9
            tip = QPointF(self.p0.x() + 2 * s, self.p0.y())
            tail = self.path.pointAtPercent(0.12 if backward else 0.08)
            angle = math.atan2(self.p0.y() - tail.y(), self.p0.x() - tail.x())
            p.save()
            p.translate(tip)
            p.rotate(math.degrees(angle))
            p.drawPolygon(self._arrow(QPointF(0, 0), k))
            p.restore()

    def mousePressEvent(self, event) -> None:
        forward_click(self, event)

    def set_hovered(self, on: bool) -> None:
        if on != self.hovered:
            self.hovered = on
            if on:
                self.sync_tooltip()
            self.update()
            self.label.update()

    def hoverEnterEvent(self, event) -> None:
        self.set_hovered(True)

    def hoverLeaveEvent(self, event) -> None:
        self.set_hovered(False)
