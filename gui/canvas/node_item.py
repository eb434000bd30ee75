"""A node of the computation graph on the canvas: its kind's shape, symbol and dims, and its compact
value and gradient (inside a main-path card, or in a block beside a side node). It draws only the state
the scene hands it (`set_state`, `set_lit`, `set_check`); clicks go to the scene."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from chainview.core import dims_text, rich

from ..theme import readable
from .badges import check_tooltip, draw_badge
from .shapes import octagon_cut, shape_path, side_x, slant
from .style import LazyTooltip, Style, alpha, forward_click, mix
from .text import MatrixText, dims_lines, fmt, matrix_cells, matrix_html, node_kind_name, nonfinite_count

class NodeItem(LazyTooltip, QGraphicsItem):
    """A node of the computation graph.

    placement "card": a main-path node (A, Z, L) whose value and gradient are drawn inside the shape;
    "above"/"below": a side node (W, Y above; W0 below) whose value block sits outside, away from the path.
    """

    def __init__(self, node: str, data: dict, value: np.ndarray, grad: np.ndarray | None,
                 style: Style, placement: str):
        super().__init__()
        self.node = node
        self.kind = data["kind"]
        self.layer = data["layer"]
        self.symbol = data["symbol"]
        self.dims = tuple(data["dims"])
        self.array_shape = tuple(data["shape"])
        self.value = np.asarray(value)
        self.grad = None if grad is None else np.asarray(grad)
        self.style = style
        self.placement = placement
        self.numerator = False
        self.known = True
        self.grad_known = False
        self.current = False
        self.phase: str | None = None
        self.selected = False
        self.check = None
        self.hovered = False
        self.card_height: float | None = None     # the scene makes every card of the row equally tall
        self.lit: dict[str, QColor] = {}          # "value"/"grad" -> operand colour of the current equation
        self.nonfinite = 0                         # NaN or inf entries in its value and gradient
        self.refreshes = 0                         # how often the scene changed this item's state (tests)
        self.concealed = False                     # gui/teaching: the current step's result shows as "?"
        self.setFlag(QGraphicsItem.ItemIsSelectable, False)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.PointingHandCursor)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setZValue(2)
        self.restyle()

    # -- content and geometry
    def restyle(self) -> None:
        """(Re)make the text objects for the current fonts and measure; call after a scale change."""
        st, f = self.style, self.style.fonts
        self.prepareGeometryChange()
        self.t_symbol = st.text(rich(self.symbol), "symbol")
        self.t_dims = [st.text(rich(line), "dims") for line in dims_lines(self.dims, self.array_shape)]
        value = self.value
        self.m_value = MatrixText(matrix_cells(value), f["number"], st.scale) if value is not None else None
        if self.kind == "L":
            self.m_value = None
            self.t_scalar = st.text(f"<span>{fmt(value.ravel()[0])}</span>", "number")
        self._make_grad()
        self.t_placeholder = st.text("?", "placeholder")
        self.nonfinite = nonfinite_count(self.value) + nonfinite_count(self.grad)
        self._measure()
        self.update()

    def label_fonts(self) -> list[QFont]:
        """The fonts of every text this node draws (what a camera keeps above its pixel floor)."""
        f = self.style.fonts
        out = [f["symbol"], f["dims"]]
        if self.kind == "L" or self.m_value is not None or self.m_grad is not None:
            out.append(f["number"])
        if self.m_grad is not None:
            out.append(f["grad_label"])
        return out

    def colors(self) -> dict[str, tuple[QColor, QColor]]:
        """role -> (text colour, colour behind it) as painted now; every text colour is made readable
        (4.5:1) on what is behind it, so tests check contrast from exactly what is drawn."""
        t = self.style.theme
        dim = not self.known
        fill = t.surface if dim else self.style.tint(self.kind)
        outside = t.background if not self.current else mix(t.background, t.highlight, 0.22)
        block_bg = fill if self.placement == "card" else outside
        out = {"symbol": (readable(t.muted if dim else t.text, fill), fill),
               "dims": (readable(t.text if (self.current or self.lit) else t.muted, fill), fill),
               "value": (readable(t.value, block_bg), block_bg),
               "grad": (readable(t.grad, block_bg), block_bg),
               "placeholder": (readable(t.muted, block_bg), block_bg)}
        for part, c in self.lit.items():
            out[f"lit_{part}"] = (readable(c, block_bg, 3.0), block_bg)     # a ring: 3:1 for graphics
        return out

    def set_lit(self, lit: dict) -> None:
        """Operand colours of the current equation on this node's value and/or gradient ({} for none)."""
        if lit != self.lit:
            self.lit = dict(lit)
            self.update()

    def _make_grad(self) -> None:
        f = self.style.fonts
        if self.grad is None:
            self.m_grad = self.t_grad = None
            return
        g = self.grad.T if self.numerator else self.grad
        self.m_grad = MatrixText(matrix_cells(g), f["number"], self.style.scale)
        self.t_grad = self.style.text(f"∂L/∂{rich(self.symbol)}", "grad_label")

    def set_numerator(self, numerator: bool) -> None:
        """Gradients are shown in the layout's orientation (a row in numerator layout)."""
        if numerator != self.numerator:
            self.numerator = numerator
            self.prepareGeometryChange()
            self._make_grad()
            self._measure()
            self.update()

    def _block_size(self) -> tuple[float, float]:
        """Width and height of the value + gradient block (reserved even while unknown)."""
        s = self.style.scale
        w = h = 0.0
        if self.m_value is not None:
            w, h = self.m_value.width, self.m_value.height
        if self.m_grad is not None:
            gw = max(self.t_grad.width, self.m_grad.width)
            w = max(w, gw)
            h += (8 * s if h else 0) + self.t_grad.height + 2 * s + self.m_grad.height
        return w, h

    def _measure(self) -> None:
        s = self.style.scale
        pad = 12 * s
        head_w = max([self.t_symbol.width] + [t.width for t in self.t_dims])
        head_h = self.t_symbol.height + sum(t.height for t in self.t_dims)
        bw, bh = self._block_size()
        if self.kind == "L":
            bw, bh = self.t_scalar.width, self.t_scalar.height
        self.block_w, self.block_h = bw, bh
        if self.placement == "card":
            w = max(head_w, bw) + 2 * pad
            h = pad + head_h + (10 * s + bh if bh else 0) + pad
            if self.kind == "L":
                w = max(w, h) + 2 * octagon_cut(w, h) * 0.6
                h = max(h, w * 0.9)
            w = max(w, 92 * s)
            if self.card_height and self.kind != "L":
                h = max(h, self.card_height)
        else:
            h = 0.75 * pad * 2 + head_h
            w = head_w + 2 * pad
            if self.kind == "W":
                w += slant(h) * 1.4
            elif self.kind == "W0":
                w += h * 0.45
            elif self.kind == "Y":
                w = w * 1.3 + 10 * s
                h = h * 1.2
            w = max(w, 110 * s)
        self.w, self.h = w, h
        self.path = shape_path(self.kind, w, h, s)
        self._bounds = None

    def natural_card_height(self) -> float:
        saved, self.card_height = self.card_height, None
        self._measure()
        h = self.h
        self.card_height = saved
        self._measure()
        return h

    def set_card_height(self, h: float | None) -> None:
        self.prepareGeometryChange()
        self.card_height = h
        self._measure()
        self.update()

    def block_rect(self) -> QRectF:
        """Local rect of the value block of a side node (empty for cards)."""
        if self.placement == "card" or not self.block_h:
            return QRectF()
        gap = 8 * self.style.scale
        if self.placement == "above":
            return QRectF(-self.block_w / 2, -self.h / 2 - gap - self.block_h, self.block_w, self.block_h)
        return QRectF(-self.block_w / 2, self.h / 2 + gap, self.block_w, self.block_h)

    def boundingRect(self) -> QRectF:
        if self._bounds is None:
            m = 14 * self.style.scale
            r = QRectF(-self.w / 2, -self.h / 2, self.w, self.h).adjusted(-m, -m, m, m)
            self._bounds = r.united(self.block_rect().adjusted(-2, -2, 2, 2))
        return self._bounds

    def shape(self) -> QPainterPath:
        path = QPainterPath(self.path)
        b = self.block_rect()
        if not b.isEmpty():
            path.addRect(b)
        return path

    def label_rects(self) -> list[QRectF]:
        """Scene rects of the solid parts (the outline and the value block), for overlap checks."""
        out = [self.mapRectToScene(QRectF(-self.w / 2, -self.h / 2, self.w, self.h))]
        b = self.block_rect()
        if not b.isEmpty():
            out.append(self.mapRectToScene(b))
        return out

    # anchors, in scene coordinates
    def out_anchor(self) -> QPointF:
        return self.mapToScene(QPointF(side_x(self.kind, self.w, self.h, 0.0, True), 0.0))

    def in_anchor(self, dy: float) -> QPointF:
        return self.mapToScene(QPointF(side_x(self.kind, self.w, self.h, dy, False), dy))

    # -- state the scene sets
    def set_state(self, known: bool, grad_known: bool, current: bool, phase: str | None) -> None:
        self.refreshes += 1
        if (known, grad_known, current, phase) != (self.known, self.grad_known, self.current, self.phase):
            self.known, self.grad_known, self.current, self.phase = known, grad_known, current, phase
            self.update_tooltip()
            self.update()

    def set_selected(self, on: bool) -> None:
        if on != self.selected:
            self.selected = on
            self.update()

    def set_concealed(self, on: bool) -> None:
        """Show the current step's result (its value forward, its gradient backward) as "?" until predicted."""
        if bool(on) != self.concealed:
            self.concealed = bool(on)
            self.update_tooltip()
            self.update()

    def _hides(self, phase: str) -> bool:
        return self.concealed and self.phase == phase

    def set_check(self, result) -> None:
        self.check = result
        self.update_tooltip()
        self.update()

    # -- what a test or the inspector can read
    def shown_value(self) -> str | None:
        """The compact value as drawn, or None while it is not known yet."""
        if not self.known or self._hides("forward"):
            return None
        if self.kind == "L":
            return self.t_scalar.plain()
        return self.m_value.plain() if self.m_value is not None else None

    def shown_grad(self) -> str | None:
        if not self.grad_known or self.m_grad is None or self._hides("backward"):
            return None
        return f"{self.t_grad.plain()} = {self.m_grad.plain()}"

    def label_text(self) -> str:
        """Symbol and dims as plain text: 'Z1\nn1 × 1 = 3 × 1' (superscripts lose their raise)."""
        return f"{self.t_symbol.plain()}\n" + " ".join(t.plain() for t in self.t_dims)

    def tooltip_html(self) -> str:
        rows, cols = self.array_shape
        tip = [f"<b>{rich(self.symbol)}</b> — {node_kind_name(self.node)} <i>({self.node})</i>",
               f"shape {rich(dims_text(self.dims, self.array_shape))}"]
        if self.known and not self._hides("forward"):
            if self.value.size <= 36:
                tip.append(("value" if self.kind != "L" else "loss") + matrix_html(self.value))
            else:
                tip.append(f"value: {rows} × {cols} (the inspector shows it in full)")
        else:
            tip.append("<i>not computed yet: step forward to compute it</i>")
        if self.grad_known and self.grad is not None and not self._hides("backward"):
            g = self.grad.T if self.numerator else self.grad
            if g.size <= 36:
                tip.append(f"∂L/∂{rich(self.symbol)}" + matrix_html(g))
            else:
                tip.append(f"∂L/∂{rich(self.symbol)}: {g.shape[0]} × {g.shape[1]}")
        if self.nonfinite:
            tip.append(f"<b>⚠ {self.nonfinite} entries are NaN or inf</b>")
        if self.check is not None:
            tip.append(check_tooltip(self.check))
        return "<br>".join(tip)

    def show_tooltip(self, html: str) -> None:
        self.setToolTip(html)

    # -- painting
    def paint(self, p: QPainter, option, widget=None) -> None:
        st, t, s = self.style, self.style.theme, self.style.scale
        p.setRenderHint(QPainter.Antialiasing)
        kind_c = st.kind_color(self.kind)
        dim = not self.known
        colors = self.colors()

        if self.current:                                  # glow: a wide soft stroke behind the outline
            glow = QColor(t.highlight)
            for width, a in ((22 * s, 0.22), (13 * s, 0.55)):
                p.setPen(QPen(alpha(glow, a), width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
                p.setBrush(Qt.NoBrush)
                p.drawPath(self.path)

        fill = colors["symbol"][1]
        border = alpha(kind_c, 0.55) if dim else kind_c
        pen = QPen(border, (2.0 if dim else 3.0) * s)
        if dim:
            pen.setStyle(Qt.DashLine)
        if self.current:
            pen = QPen(mix(t.highlight, t.text, 0.25), 3.5 * s)
        elif self.lit:                                    # an operand of the current equation
            pen = QPen(colors[f"lit_{next(iter(self.lit))}"][0], 3.5 * s)
        p.setPen(pen)
        p.setBrush(fill)
        p.drawPath(self.path)

        if self.selected or self.hovered:
            o = 7 * s
            sel = shape_path(self.kind, self.w + 2 * o, self.h + 2 * o, s)
            p.setPen(QPen(t.selection if self.selected else alpha(t.selection, 0.35), 3 * s))
            p.setBrush(Qt.NoBrush)
            p.drawPath(sel)

        pad = 12 * s
        head_h = self.t_symbol.height + sum(d.height for d in self.t_dims)
        if self.placement == "card":
            y = -self.h / 2 + pad
            if self.kind == "L":
                content_h = head_h + 6 * s + self.t_scalar.height
                y = -content_h / 2
        else:
            y = -head_h / 2
        self.t_symbol.draw_centered(p, 0, y, colors["symbol"][0])
        y += self.t_symbol.height
        for d in self.t_dims:
            if not (self._hides("forward") and d.plain().startswith("=")):   # the shape is the question
                d.draw_centered(p, 0, y, colors["dims"][0])
            y += d.height
        if self.placement == "card":
            y += (6 if self.kind == "L" else 10) * s
            self._draw_block(p, y, dim, colors)
        else:
            b = self.block_rect()
            if not b.isEmpty():
                if self.placement == "above":
                    # value nearest the node, gradient above it
                    self._draw_block(p, b.top(), dim, colors, value_last=True)
                else:
                    self._draw_block(p, b.top(), dim, colors)

        if self.check is not None:
            draw_badge(p, QPointF(self.w / 2 - 4 * s, -self.h / 2 + 2 * s), self.check.ok, st)
        if self.nonfinite and (self.known or self.grad_known):
            self._draw_nan_marker(p)

    def _draw_nan_marker(self, p: QPainter) -> None:
        """A ⚠ triangle on the top-left corner with how many entries are NaN or inf."""
        s, t = self.style.scale, self.style.theme
        c = QPointF(-self.w / 2 + 4 * s, -self.h / 2 + 2 * s)
        r = 13 * s
        tri = QPolygonF([QPointF(c.x(), c.y() - r), QPointF(c.x() + r * 1.1, c.y() + r * 0.8),
                         QPointF(c.x() - r * 1.1, c.y() + r * 0.8)])
        p.save()
        p.setPen(QPen(t.surface, 2 * s))
        p.setBrush(t.bad)
        p.drawPolygon(tri)
        p.setPen(QColor("#ffffff"))
        p.setFont(self.style.fonts["dims"])
        p.drawText(QRectF(c.x() - r, c.y() - r * 0.6, 2 * r, r * 1.4), Qt.AlignCenter, "!")
        p.restore()

    def _draw_block(self, p: QPainter, top: float, dim: bool, colors: dict, value_last: bool = False) -> None:
        """Value (theme.value) then ∂L/∂(node) (theme.grad); value_last puts the value at the bottom.
        A part that is an operand of the current equation gets a ring in the step card's operand colour."""
        st, t, s = self.style, self.style.theme, self.style.scale
        known = self.known and not self._hides("forward")
        if self.kind == "L":
            if known:
                self.t_scalar.draw_centered(p, 0, top, colors["value"][0])
            else:
                self.t_placeholder.draw_centered(p, 0, top - 4 * s, colors["placeholder"][0])
            return
        parts = []
        if self.m_value is not None:
            parts.append("value")
        if self.m_grad is not None:
            parts.append("grad")
        if value_last:
            parts.reverse()
        y = top
        for part in parts:
            if part == "value":
                h = self.m_value.height
                if known:
                    self.m_value.draw(p, -self.m_value.width / 2, y, colors["value"][0])
                elif self.placement == "card":
                    self.t_placeholder.draw_centered(p, 0, y + (self.m_value.height - self.t_placeholder.height) / 2,
                                                     colors["placeholder"][0])
                w = self.m_value.width
            else:
                h = self.t_grad.height + 2 * s + self.m_grad.height
                if self.grad_known:
                    self.t_grad.draw_centered(p, 0, y, colors["grad"][0])
                    if self._hides("backward"):                      # the gradient is the question
                        self.t_placeholder.draw_centered(p, 0, y + self.t_grad.height + 2 * s, colors["grad"][0])
                    else:
                        self.m_grad.draw(p, -self.m_grad.width / 2, y + self.t_grad.height + 2 * s, colors["grad"][0])
                w = max(self.t_grad.width, self.m_grad.width)
            if part in self.lit:
                m = 4 * s
                p.save()
                p.setPen(QPen(colors[f"lit_{part}"][0], 3 * s))
                p.setBrush(Qt.NoBrush)
                p.drawRoundedRect(QRectF(-w / 2 - m, y - m, w + 2 * m, h + 2 * m), 6 * s, 6 * s)
                p.restore()
            y += h + 8 * s

    # -- input
    def mousePressEvent(self, event) -> None:
        forward_click(self, event)

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        self.sync_tooltip()
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()
