"""An edge's label pill: its Jacobian's symbol and dims (and the derivative it is, ∂A¹/∂Z¹), lit as an
operand of the current equation; a click on it selects the edge."""

from __future__ import annotations

import re

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from chainview.core import rich

from ..theme import readable
from .badges import draw_badge
from .style import alpha, forward_click, mix
from .rich_text import RichText
from .text import derivative_html, dims_lines, symbol_html

class EdgeLabelItem(QGraphicsItem):
    """The pill on an edge: the derivative (∂A¹/∂Z¹), its Jacobian (diag(f'(Z¹))) and dims (n¹ × n¹ = 3 × 3)."""

    def __init__(self, edge: QGraphicsItem):
        """`edge` is the EdgeItem that makes this pill (gui/canvas/edge_item.py; the arrow goes that way only)."""
        super().__init__()
        self.edge = edge
        self.setZValue(3)
        self.setCursor(Qt.PointingHandCursor)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.w = self.h = 0.0
        self.lines: list[tuple[str, RichText]] = []

    def set_texts(self) -> None:
        e, st = self.edge, self.edge.style
        name = derivative_html(e.u, e.v)
        sym = symbol_html(e.jsymbol)
        lines = []
        if re.sub(r"<[^>]+>", "", sym) != re.sub(r"<[^>]+>", "", name):    # dL/dA^2 needs no ∂L/∂A² above it
            lines.append(("name", st.text(name, "pill_name")))
        lines.append(("symbol", st.text(sym, "pill_symbol")))
        for line in dims_lines(e.jdims, e.jshape):
            lines.append(("dims", st.text(rich(line), "pill_dims")))
        if st.example is not None and st.example[1] > 1 and e.per_example():
            lines.append(("name", st.text(f"ex {st.example[0] + 1} of {st.example[1]}", "pill_name")))
        self.prepareGeometryChange()
        self.lines = lines
        s = e.style.scale
        self.w = max(t.width for _, t in lines) + 2 * 10 * s
        self.h = sum(t.height for _, t in lines) + 2 * 6 * s
        self.update()

    def label_fonts(self) -> list[QFont]:
        fonts = self.edge.style.fonts
        return [fonts[{"name": "pill_name", "symbol": "pill_symbol", "dims": "pill_dims"}[role]]
                for role, _ in self.lines]

    def colors(self) -> dict[str, tuple[QColor, QColor]]:
        """role -> (text colour, pill fill behind it), readable at 4.5:1, as painted now."""
        e = self.edge
        t = e.style.theme
        backward = e.current and e.phase == "backward"
        fill = QColor(t.surface)
        if e.current and not backward:
            fill = mix(t.surface, t.highlight, 0.22)
        elif backward:
            fill = mix(t.surface, t.grad, 0.10)
        return {"name": (readable(t.muted, fill), fill), "symbol": (readable(t.text, fill), fill),
                "dims": (readable(t.text, fill), fill)}

    def plain(self) -> str:
        """The pill as plain text, dims on one line: '∂A1/∂Z1\ndiag(f'(Z1))\nn1 × n1 = 3 × 3'."""
        head = [t.plain() for role, t in self.lines if role != "dims"]
        return "\n".join(head + [" ".join(t.plain() for role, t in self.lines if role == "dims")])

    def rect(self) -> QRectF:
        return QRectF(-self.w / 2, -self.h / 2, self.w, self.h)

    def boundingRect(self) -> QRectF:
        m = 16 * self.edge.style.scale
        return self.rect().adjusted(-m, -m, m, m)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.rect(), 10, 10)
        return path

    def scene_rect(self) -> QRectF:
        return self.mapRectToScene(self.rect())

    def paint(self, p: QPainter, option, widget=None) -> None:
        e = self.edge
        st, t, s = e.style, e.style.theme, e.style.scale
        p.setRenderHint(QPainter.Antialiasing)
        r = self.rect()
        radius = 11 * s
        backward = e.current and e.phase == "backward"
        colors = self.colors()
        if e.selected:
            border, bw = t.selection, 3 * s
        elif e.lit is not None:
            border, bw = readable(e.lit, colors["name"][1], 3.0), 3.2 * s
        elif e.current:
            border, bw = (t.grad if backward else mix(t.highlight, t.text, 0.25)), 2.6 * s
        elif e.hovered:
            border, bw = alpha(t.selection, 0.6), 2 * s
        else:
            border, bw = alpha(t.edge, 0.7), 1.2 * s
        fill = colors["name"][1]
        p.setPen(QPen(border, bw))
        p.setBrush(fill)
        p.drawRoundedRect(r, radius, radius)
        y = r.top() + 6 * s
        for role, text in self.lines:
            text.draw_centered(p, 0, y, colors[role][0])
            y += text.height
        if e.check is not None:
            draw_badge(p, QPointF(r.right() - 2 * s, r.top() + 2 * s), e.check.ok, st)

    def mousePressEvent(self, event) -> None:
        forward_click(self, event, self.edge)      # a label pill selects the edge it names

    def hoverEnterEvent(self, event) -> None:
        self.edge.set_hovered(True)

    def hoverLeaveEvent(self, event) -> None:
        self.edge.set_hovered(False)
