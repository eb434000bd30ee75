"""The loss per step, drawn with QPainter (QtCharts is not part of PySide6-Essentials).

Axes with tick labels, the curve, and the last value written at the top right; an optional
log scale for the loss axis (double-click, or `set_log_scale`). Many steps are drawn as a
min/max band per pixel column, so a million points cost no more than a few hundred.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..inspector.matrix_model import format_number
from ..theme import Theme


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick positions (1, 2, 5 x 10^k apart) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks, t = [], first
    while t <= hi + step * 1e-9:
        ticks.append(0.0 if abs(t) < step * 1e-9 else t)
        t += step
    return ticks


def format_tick(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e")
    return f"{value:.4g}"


class LossPlot(QWidget):
    """Loss (y) against step (x). Step 0 is the loss before any update."""

    log_scale_changed = Signal(bool)

    MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 50, 12, 22, 30

    def __init__(self, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.theme = theme
        self._losses: list[float] = []
        self._log = False
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setToolTip("Loss after each SGD step (double-click: log scale on/off)")

    # ---- data
    def losses(self) -> list[float]:
        return list(self._losses)

    def count(self) -> int:
        return len(self._losses)

    def set_losses(self, losses) -> None:
        self._losses = [float(v) for v in losses]
        self.update()

    def append(self, loss: float) -> None:
        self._losses.append(float(loss))
        self.update()

    def extend(self, losses) -> None:
        self._losses.extend(float(v) for v in losses)
        self.update()

    def clear(self) -> None:
        self._losses = []
        self.update()

    # ---- options
    @property
    def log_scale(self) -> bool:
        return self._log

    def set_log_scale(self, on: bool) -> None:
        if bool(on) != self._log:
            self._log = bool(on)
            self.log_scale_changed.emit(self._log)
            self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def mouseDoubleClickEvent(self, event) -> None:
        self.set_log_scale(not self._log)

    def sizeHint(self) -> QSize:
        return QSize(320, 180)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 120)

    # ---- drawing
    def _y_range(self, values: np.ndarray) -> tuple[float, float, bool]:
        """(lo, hi, log) over the finite values; log only when asked and every value is > 0."""
        finite = values[np.isfinite(values)]
        log = self._log and finite.size > 0 and bool(np.all(finite > 0))
        if finite.size == 0:
            return 0.0, 1.0, False
        if log:
            lo, hi = math.floor(math.log10(finite.min())), math.ceil(math.log10(finite.max()))
            return float(lo), float(max(hi, lo + 1)), True
        lo, hi = float(finite.min()), float(finite.max())
        lo = min(lo, 0.0) if lo >= 0 and lo < 0.5 * hi else lo        # include 0 when it is near
        if hi - lo < 1e-12:
            pad = abs(hi) * 0.1 or 1.0
            lo, hi = lo - pad, hi + pad
        ticks = nice_ticks(lo, hi)
        if ticks:
            step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
            lo = min(lo, ticks[0]) if ticks[0] <= lo else ticks[0] - step
            hi = max(hi, ticks[-1]) if ticks[-1] >= hi else ticks[-1] + step
        return lo, hi, False

    def paintEvent(self, event) -> None:
        t = self.theme
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.fillRect(self.rect(), t.surface)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        p.setFont(font)
        fm = QFontMetrics(font)
        plot = QRectF(self.MARGIN_LEFT, self.MARGIN_TOP, max(self.width() - self.MARGIN_LEFT - self.MARGIN_RIGHT, 10),
                      max(self.height() - self.MARGIN_TOP - self.MARGIN_BOTTOM, 10))
        values = np.asarray(self._losses, dtype=float)
        n = values.size

        p.setPen(QPen(t.text))
        title = "loss" + ("  (log scale)" if self._log else "")
        p.drawText(QPointF(8, fm.ascent() + 4), title)
        if n == 0:
            p.setPen(QPen(t.muted))
            p.drawText(plot, Qt.AlignCenter | Qt.TextWordWrap, "No training yet: SGD step or Train")
            self._draw_axes(p, plot)
            p.end()
            return

        lo, hi, log = self._y_range(values)
        shown = np.log10(np.where(values > 0, values, np.nan)) if log else values
        x_max = max(n - 1, 1)

        def px(i: float) -> float:
            return plot.left() + plot.width() * i / x_max

        def py(v: float) -> float:
            return plot.bottom() - plot.height() * (v - lo) / (hi - lo)

        # grid and y ticks
        y_ticks = [float(k) for k in range(int(lo), int(hi) + 1)] if log else nice_ticks(lo, hi)
        grid = QPen(t.muted.lighter(150) if t.name == "light" else t.muted.darker(170), 1, Qt.DotLine)
        for v in y_ticks:
            if lo - 1e-9 <= v <= hi + 1e-9:
                y = py(v)
                p.setPen(grid)
                p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
                p.setPen(QPen(t.muted))
                label = f"1e{int(v)}" if log else format_tick(v)
                p.drawText(QRectF(0, y - fm.height() / 2, plot.left() - 6, fm.height()),
                           Qt.AlignRight | Qt.AlignVCenter, label)
        # x ticks: whole steps
        x_ticks = [v for v in nice_ticks(0, x_max, 5) if float(v).is_integer()] or [0, x_max]
        p.setPen(QPen(t.muted))
        for v in x_ticks:
            x = px(v)
            p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4))
            p.drawText(QRectF(x - 40, plot.bottom() + 5, 80, fm.height()), Qt.AlignHCenter | Qt.AlignTop,
                       str(int(v)))
        p.drawText(QRectF(plot.right() - 60, plot.bottom() + 5 + fm.height() - 2, 60, fm.height()),
                   Qt.AlignRight | Qt.AlignTop, "step")
        self._draw_axes(p, plot)

        # the curve: one min/max pair per pixel column when there are more points than pixels
        colour = t.kinds.get("L", t.grad)
        p.setClipRect(plot.adjusted(-2, -2, 2, 2))
        p.setPen(QPen(colour, 1.8, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        path = QPainterPath()
        columns = int(plot.width())
        pen_down = False
        if n > 2 * columns:
            edges = np.linspace(0, n, columns + 1).astype(int)
            for c in range(columns):
                chunk = shown[edges[c]:edges[c + 1]]
                chunk = chunk[np.isfinite(chunk)]
                if chunk.size == 0:
                    pen_down = False
                    continue
                x = plot.left() + c
                for v in (chunk.max(), chunk.min()):
                    (path.lineTo if pen_down else path.moveTo)(QPointF(x, py(v)))
                    pen_down = True
        else:
            for i, v in enumerate(shown):
                if not math.isfinite(v):
                    pen_down = False
                    continue
                (path.lineTo if pen_down else path.moveTo)(QPointF(px(i), py(v)))
                pen_down = True
        p.drawPath(path)
        last = shown[-1]
        if math.isfinite(last):
            p.setBrush(colour)
            p.drawEllipse(QPointF(px(n - 1), py(last)), 3, 3)
        p.setClipping(False)

        # the last value, top right
        p.setPen(QPen(t.text))
        text = f"step {n - 1}: loss {format_number(values[-1], 5)}"
        p.drawText(QRectF(0, 2, self.width() - self.MARGIN_RIGHT, fm.height() + 4), Qt.AlignRight | Qt.AlignVCenter,
                   text)
        p.end()

    def _draw_axes(self, p: QPainter, plot: QRectF) -> None:
        p.setPen(QPen(self.theme.edge, 1))
        p.drawLine(plot.bottomLeft(), plot.bottomRight())
        p.drawLine(plot.bottomLeft(), plot.topLeft())
