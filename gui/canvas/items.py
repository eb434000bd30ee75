"""The items on the graph canvas: a node (shape + symbol + dims + compact value/gradient), an edge
(smooth curve with an arrowhead) and an edge's label pill (its Jacobian symbol and dims).

Items only draw state that the scene hands them (`set_state`, `set_selected`, `set_check`); they
never read the session. Clicks are forwarded to the scene (`GraphScene._item_clicked`), which
selects in the session and re-emits a signal, so widgets never reach into items.

Every size is in scene units (pixels at zoom 1) and scales with `Style.scale` (presentation zoom).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QAbstractTextDocumentLayout, QBrush, QColor, QFont, QFontMetricsF,
                           QPainter, QPainterPath, QPainterPathStroker, QPalette, QPen, QPolygonF, QTextDocument)
from PySide6.QtWidgets import QGraphicsItem

from chainview.core import dims_text, pretty, rich, split_id

from ..theme import Theme, operand_color, readable

KIND_NAMES = {
    "A": "activation",
    "Z": "pre-activation",
    "W": "weights",
    "W0": "offset (bias)",
    "Y": "target",
    "L": "loss",
}

MAX_ROWS = 4      # a compact value shows at most this many rows (else 3 and ⋮)
MAX_COLS = 4      # and this many columns (else 3 and …): a batch of 4 shows whole


# ---------------------------------------------------------------- style

def mix(a: QColor, b: QColor, t: float) -> QColor:
    """a blended toward b by t (0 -> a, 1 -> b)."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                           a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t, 1.0)


def alpha(c: QColor, a: float) -> QColor:
    out = QColor(c)
    out.setAlphaF(a)
    return out


@dataclass
class Style:
    """Theme colours plus fonts and metrics at a presentation scale; shared by every item of a scene."""

    theme: Theme
    scale: float = 1.0
    fonts: dict = field(default_factory=dict)
    example: tuple[int, int] | None = None     # (k, b) of a batch's example the Jacobians are for, 0-based
    _texts: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.set_scale(self.scale)

    def text(self, html: str, font: str) -> "RichText":
        """The laid-out label for html in fonts[font], one per scene: labels repeat a lot (n¹ × 1, = 3 × 1,
        ?, I: 92 labels, 55 different, in the default example), and a RichText never changes once made."""
        key = (html, font)
        label = self._texts.get(key)
        if label is None:
            if len(self._texts) > 4096:     # values change with every edit (the loss): start afresh now and then
                self._texts.clear()
            label = self._texts[key] = RichText(html, self.fonts[font])
        return label

    def set_scale(self, scale: float) -> None:
        self.scale = float(scale)
        self._texts.clear()                 # new fonts: the labels are laid out again
        s = self.scale

        def font(px: float, bold=False, italic=False) -> QFont:
            f = QFont()
            f.setPixelSize(max(1, round(px * s)))
            f.setBold(bold)
            f.setItalic(italic)
            return f

        self.fonts = {
            "symbol": font(26, bold=True),
            "dims": font(16),
            # numbers in the UI's sans, not the monospace: OCR read its dotted 0 as "@" and missed whole
            # entries (a squeezed screen share blurs them the same way); MatrixText right-aligns the columns
            "number": font(16),
            "grad_label": font(15),
            "pill_name": font(14),
            "pill_symbol": font(18, bold=True),
            "pill_dims": font(16),
            "placeholder": font(22),
        }

    def px(self, v: float) -> float:
        return v * self.scale

    @property
    def dark(self) -> bool:
        return self.theme.background.lightnessF() < 0.5

    def tint(self, kind: str) -> QColor:
        # dark: a faint tint, so text inside stays the brightest thing (a screen share's compression and OCR agree)
        return mix(self.theme.surface, self.theme.kinds[kind], 0.14 if self.dark else 0.20)

    def kind_color(self, kind: str) -> QColor:
        return self.theme.kinds[kind]


# ---------------------------------------------------------------- text helpers

class RichText:
    """One line of Qt rich text (Z<sup>1</sup>) measured once and drawn in any colour."""

    __slots__ = ("doc", "html", "width", "height")

    def __init__(self, html: str, font: QFont):
        self.html = html
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(font)
        doc.setHtml(html)
        self.doc = doc
        # measured once: the document never changes, and laying it out again for every query adds up
        self.width: float = doc.idealWidth()
        self.height: float = doc.size().height()

    def plain(self) -> str:
        return self.doc.toPlainText()

    def draw(self, p: QPainter, x: float, y: float, color: QColor) -> None:
        p.save()
        p.translate(x, y)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        pal = ctx.palette
        pal.setColor(QPalette.Text, color)
        ctx.palette = pal
        self.doc.documentLayout().draw(p, ctx)
        p.restore()

    def draw_centered(self, p: QPainter, cx: float, y: float, color: QColor) -> None:
        self.draw(p, cx - self.width / 2, y, color)


def dims_lines(dims, shape) -> list[str]:
    """'n^1 x 1 = 3 x 1' as two lines, ['n^1 x 1', '= 3 x 1'], so labels stay narrow."""
    text = dims_text(tuple(dims), tuple(shape))
    head, _, tail = text.partition(" = ")
    return [head, f"= {tail}"] if tail else [head]


def fmt(x: float) -> str:
    """A number in at most ~6 characters: 0.462, -0.291, 12.3, 1.2e-05."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    a = abs(x)
    if 1e-3 <= a < 1e4:
        s = f"{x:.3g}"
    else:
        s = f"{x:.1e}".replace("e-0", "e-").replace("e+0", "e")
    return s


NOISE = 1e-14          # relative to a matrix's largest entry: below it a number is float rounding noise


def denoise(a: np.ndarray) -> np.ndarray:
    """a with rounding noise (1.4e-17 beside 0.5) set to 0: what is 0 at the digits shown reads as 0
    (tooltips keep the exact value). NaN and inf stay."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    finite = np.isfinite(a)
    if not finite.any():
        return a
    top = float(np.max(np.abs(a[finite])))
    noise = finite & (np.abs(a) < NOISE * max(top, 1.0)) & (a != 0)
    if not noise.any():
        return a
    out = a.copy()
    out[noise] = 0.0
    return out


def matrix_cells(a: np.ndarray, max_rows: int = MAX_ROWS, max_cols: int = MAX_COLS) -> list[list[str]]:
    """A compact view of a matrix: at most max_rows x max_cols entries, with ⋮ … ⋱ where cut."""
    a = denoise(a)
    r, c = a.shape
    rows = list(range(r)) if r <= max_rows else list(range(max_rows - 1)) + [None]
    cols = list(range(c)) if c <= max_cols else list(range(max_cols - 1)) + [None]
    out = []
    for i in rows:
        line = []
        for j in cols:
            if i is None and j is None:
                line.append("⋱")
            elif i is None:
                line.append("⋮")
            elif j is None:
                line.append("…")
            else:
                line.append(fmt(a[i, j]))
        out.append(line)
    return out


class MatrixText:
    """A small bracketed matrix of numbers, columns right-aligned, drawn with QPainter (no text layout)."""

    def __init__(self, cells: list[list[str]], font: QFont, scale: float):
        self.cells = cells
        self.font = font
        fm = QFontMetricsF(font)
        ncols = max(len(r) for r in cells)
        self.col_w = [max(fm.horizontalAdvance(r[j]) for r in cells if j < len(r)) for j in range(ncols)]
        self.row_h = fm.height()
        self.ascent = fm.ascent()
        self.gap = 10 * scale
        self.bracket = 7 * scale
        self.width = sum(self.col_w) + self.gap * (ncols - 1) + 2 * self.bracket + 2 * 3 * scale
        self.height = self.row_h * len(cells) + 4 * scale
        self.scale = scale

    def plain(self) -> str:
        return "\n".join(" ".join(r) for r in self.cells)

    def draw(self, p: QPainter, x: float, y: float, color: QColor) -> None:
        s = self.scale
        p.save()
        pen = QPen(color, max(1.0, 1.3 * s))
        p.setPen(pen)
        top, bottom = y + 1 * s, y + self.height - 1 * s
        tick = 4 * s
        left, right = x + 1 * s, x + self.width - 1 * s
        p.drawPolyline(QPolygonF([QPointF(left + tick, top), QPointF(left, top), QPointF(left, bottom),
                                  QPointF(left + tick, bottom)]))
        p.drawPolyline(QPolygonF([QPointF(right - tick, top), QPointF(right, top), QPointF(right, bottom),
                                  QPointF(right - tick, bottom)]))
        p.setFont(self.font)
        fm = QFontMetricsF(self.font)
        ty = y + 2 * s
        for row in self.cells:
            cx = x + self.bracket + 3 * s
            for j, text in enumerate(row):
                w = self.col_w[j]
                tw = fm.horizontalAdvance(text)
                tx = cx + (w - tw if text not in "⋮…⋱" else (w - tw) / 2)
                p.drawText(QPointF(tx, ty + self.ascent), text)
                cx += w + self.gap
            ty += self.row_h
        p.restore()


def symbol_html(symbol: str) -> str:
    """A core symbol as rich text, with ∂ for derivatives and a real minus: 'dL/dA^2' -> '∂L/∂A<sup>2</sup>'."""
    s = re.sub(r"(?<![A-Za-z])d([A-Z])", r"∂\1", symbol).replace(" - ", " − ")
    s = re.sub(r"\b([A-Z][0-9]?)\^(\w+)\^T", r"(\1^\2)^T", s)      # A^2^T -> (A^2)^T, not A^(2T)
    return rich(s)


def derivative_html(source: str, target: str) -> str:
    """The derivative an edge carries, written as the notes do: ∂A¹/∂Z¹ (target over source)."""
    return f"∂{rich(_sym(target))}/∂{rich(_sym(source))}"


def _sym(node: str) -> str:
    kind, l = split_id(node)
    return kind if l is None else f"{kind}^{l}"


def node_kind_name(node: str) -> str:
    kind, l = split_id(node)
    if node == "A0":
        return "input (A⁰ = X)"
    if kind == "A" and l is not None:
        return "activation"
    return KIND_NAMES.get(kind, kind)


def matrix_html(a: np.ndarray) -> str:
    a = np.atleast_2d(np.asarray(a, dtype=float))
    shown = denoise(a)
    rows = "".join("<tr>" + "".join(f"<td align='right'>&nbsp;{_exact(x, y)}&nbsp;</td>" for x, y in zip(row, srow))
                   + "</tr>" for row, srow in zip(a, shown))
    return f"<table style='font-family: monospace'>{rows}</table>"


def _exact(x: float, shown: float) -> str:
    """A tooltip's cell: as on the canvas, and the exact value where the canvas shows noise as 0."""
    return fmt(x) if x == shown else f"{fmt(shown)} (exactly {float(x):.4g})"


def nonfinite_count(a) -> int:
    """How many entries of a are NaN or ±inf (a NaN marker says how many, not only that one is)."""
    if a is None:
        return 0
    arr = np.asarray(a, dtype=float)
    return int(arr.size - np.count_nonzero(np.isfinite(arr)))


# ---------------------------------------------------------------- badges and shapes

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


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shape_path(kind: str, w: float, h: float, scale: float) -> QPainterPath:
    """The outline of a node of this kind, centred on (0, 0): each kind has its own shape."""
    path = QPainterPath()
    x, y = -w / 2, -h / 2
    if kind == "A":                       # rounded rectangle
        path.addRoundedRect(QRectF(x, y, w, h), 16 * scale, 16 * scale)
    elif kind == "Z":                     # plain rectangle, sharp corners
        path.addRect(QRectF(x, y, w, h))
    elif kind == "W":                     # parallelogram leaning right
        s = slant(h)
        path.addPolygon(QPolygonF([QPointF(x + s, y), QPointF(x + w, y), QPointF(x + w - s, y + h),
                                   QPointF(x, y + h), QPointF(x + s, y)]))
    elif kind == "W0":                    # capsule (stadium)
        path.addRoundedRect(QRectF(x, y, w, h), h / 2, h / 2)
    elif kind == "Y":                     # ellipse
        path.addEllipse(QRectF(x, y, w, h))
    else:                                 # L: octagon
        c = octagon_cut(w, h)
        path.addPolygon(QPolygonF([QPointF(x + c, y), QPointF(x + w - c, y), QPointF(x + w, y + c),
                                   QPointF(x + w, y + h - c), QPointF(x + w - c, y + h), QPointF(x + c, y + h),
                                   QPointF(x, y + h - c), QPointF(x, y + c), QPointF(x + c, y)]))
    path.closeSubpath()
    return path


def slant(h: float) -> float:
    return h * 0.32


def octagon_cut(w: float, h: float) -> float:
    return min(w, h) * 0.29


def side_x(kind: str, w: float, h: float, y: float, right: bool) -> float:
    """Where the left (or right) side of a node's outline is at height y (centre-relative)."""
    half = w / 2
    if kind == "W":
        s = slant(h)
        # top edge runs (x+s .. x+w), bottom (x .. x+w-s): the sides lean right
        off = s * (0.5 - y / h)          # 0 at the bottom, s at the top
        return (half - s + off) if right else (-half + off)
    if kind == "W0":
        r = h / 2
        dx = r - math.sqrt(max(r * r - y * y, 0.0))
        return (half - dx) if right else (-half + dx)
    if kind == "Y":
        t = max(0.0, 1.0 - (2 * y / h) ** 2)
        return half * math.sqrt(t) * (1 if right else -1)
    if kind == "L":
        c = octagon_cut(w, h)
        over = abs(y) - (h / 2 - c)
        dx = max(0.0, over)
        return (half - dx) if right else (-half + dx)
    return half if right else -half


# ---------------------------------------------------------------- node

def forward_click(item: QGraphicsItem, event, selects: QGraphicsItem | None = None) -> None:
    """A left click goes to the scene, which selects `selects` (the item itself by default) in the session
    and re-emits; items never reach the session themselves. Other buttons are left to the view (panning)."""
    if event.button() == Qt.LeftButton and item.scene() is not None:
        item.scene()._item_clicked(item if selects is None else selects)
        event.accept()
    else:
        event.ignore()


class NodeItem(QGraphicsItem):
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

    def update_tooltip(self) -> None:
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
        self.setToolTip("<br>".join(tip))

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
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()


# ---------------------------------------------------------------- edge

class EdgeItem(QGraphicsItem):
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

    def update_tooltip(self) -> None:
        tip = [f"<b>{derivative_html(self.u, self.v)} = {symbol_html(self.jsymbol)}</b>",
               f"{rich(dims_text(self.jdims, self.jshape))} ({self.layout} layout)"]
        if self.jkind:
            tip.append(f"<i>{self.jkind}</i>")
        if self.explanation:
            tip.append(_esc(pretty(self.explanation)))
        if self.check is not None:
            tip.append(check_tooltip(self.check))
        html = "<br>".join(tip)
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
            self.update()
            self.label.update()

    def hoverEnterEvent(self, event) -> None:
        self.set_hovered(True)

    def hoverLeaveEvent(self, event) -> None:
        self.set_hovered(False)


class EdgeLabelItem(QGraphicsItem):
    """The pill on an edge: the derivative (∂A¹/∂Z¹), its Jacobian (diag(f'(Z¹))) and dims (n¹ × n¹ = 3 × 3)."""

    def __init__(self, edge: EdgeItem):
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
