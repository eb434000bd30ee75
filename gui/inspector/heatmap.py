"""The heatmap widgets: the matrix image scaled to the widget with hover, and its colour key.

HeatmapWidget makes its image (heatmap_image) when painted, at no more pixels than it is drawn on, and
again only when a resize changes how many cells a pixel must stand for; hovering reports the exact cell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from .colors import HEATMAP_STRENGTH, LUT_HALF, diverging_lut
from .heatmap_image import display_factors
from .matrix_model import DEFAULT_PRECISION, format_number
from .widgets import set_text_color
from ..theme import LIGHT, Theme

# QImage and QLinearGradient are imported where a heatmap is drawn, not here (their enum types cost ~4 ms
# at start-up, and the first frame has no heatmap)
if TYPE_CHECKING:
    from PySide6.QtGui import QImage


class HeatmapWidget(QWidget):
    """Draws a matrix image scaled to the widget (aspect kept, within 1:4 .. 4:1); reports the hovered cell."""

    hovered = Signal(int, int)      # 0-based row, column; (-1, -1) when the mouse leaves
    image_made = Signal()           # the image was made (again): for a readout that names the cells per pixel

    MAX_ASPECT = 4.0

    def __init__(self, parent=None):
        super().__init__(parent)
        self._render: Callable[[tuple[int, int]], QImage] | None = None
        self._image: QImage | None = None
        self._shape = (0, 0)
        self._factors = (1, 1)
        self._cell: tuple[int, int] | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def set_source(self, render: Callable[[tuple[int, int]], QImage] | None, shape: tuple[int, int]) -> None:
        """The matrix to draw: render(factors) makes its image at `factors` (rows, columns) cells per pixel.

        Called when painted, and again only when the size on screen changes those factors."""
        self._render, self._shape, self._image, self._cell = render, tuple(shape), None, None
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        self.set_source(None, (0, 0))

    def wanted_factors(self) -> tuple[int, int]:
        """Cells per pixel for the image as drawn now (IMAGE_MAX_SIDE a side until the widget is on screen)."""
        rect = self.image_rect()
        dpr = self.devicePixelRatioF()
        on_screen = self.isVisible() and rect.width() >= 1 and rect.height() >= 1
        if not on_screen and self._image is not None:
            return self._factors            # hidden (another tab): the image made for the screen stays right
        return display_factors(self._shape, (rect.width() * dpr, rect.height() * dpr) if on_screen else None)

    def image(self) -> QImage:
        """The image for the current size on screen, made now if it is missing or at other factors."""
        from PySide6.QtGui import QImage  # here, not at import: the first frame has no heatmap (QImage's enums cost)

        if self._render is None:
            return QImage()
        factors = self.wanted_factors()
        if self._image is None or factors != self._factors:
            self._image, self._factors = self._render(factors), factors
            self.image_made.emit()
        return self._image

    def factors(self) -> tuple[int, int]:
        """Matrix cells per image pixel (rows, columns) at the current size: (1, 1) unless the matrix has
        more cells than the screen area has pixels. Does not make the image."""
        return self.wanted_factors() if self._render is not None else (1, 1)

    def _aspect(self) -> float:
        r, c = self._shape
        if not r or not c:
            return 1.0
        return min(self.MAX_ASPECT, max(1 / self.MAX_ASPECT, r / c))  # height / width

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, w: int) -> int:
        return max(self.minimumHeight(), min(int(w * self._aspect()), 640))

    def sizeHint(self) -> QSize:
        return QSize(420, self.heightForWidth(420))

    def image_rect(self) -> QRectF:
        """Where the matrix is drawn: centred, as big as fits, at the matrix's (clamped) aspect ratio."""
        W, H = self.width(), self.height()
        aspect = self._aspect()
        w = min(W, H / aspect)
        h = w * aspect
        return QRectF((W - w) / 2, (H - h) / 2, w, h)

    def cell_at(self, pos) -> tuple[int, int] | None:
        r, c = self._shape
        rect = self.image_rect()
        p = QPointF(pos)
        if not r or not c or not rect.contains(p) or rect.width() <= 0:
            return None
        j = int((p.x() - rect.left()) / rect.width() * c)
        i = int((p.y() - rect.top()) / rect.height() * r)
        return min(i, r - 1), min(j, c - 1)

    def cell_center(self, i: int, j: int) -> QPointF:
        r, c = self._shape
        rect = self.image_rect()
        return QPointF(rect.left() + (j + 0.5) * rect.width() / c, rect.top() + (i + 0.5) * rect.height() / r)

    def paintEvent(self, event):
        image = self.image()
        p = QPainter(self)
        if image.isNull():
            return
        rect = self.image_rect()
        # nearest-neighbour: a single non-zero cell (a diagonal entry) stays visible instead of blurring away
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        # the whole image onto the whole matrix: it has no more pixels than the rect has device pixels, so
        # each one shows (a last, partial group too); a pixel sits within one pixel of its cells' place
        p.drawImage(rect, image)
        p.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
        p.drawRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5))
        if self._cell is not None:
            i, j = self._cell
            r, c = self._shape
            cw, ch = rect.width() / c, rect.height() / r
            cell = QRectF(rect.left() + j * cw, rect.top() + i * ch, cw, ch)
            if cw < 6 or ch < 6:  # too small to outline: a crosshair instead
                p.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 1))
                p.drawLine(QPointF(cell.center().x(), rect.top()), QPointF(cell.center().x(), rect.bottom()))
                p.drawLine(QPointF(rect.left(), cell.center().y()), QPointF(rect.right(), cell.center().y()))
            else:
                p.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
                p.drawRect(cell)

    def mouseMoveEvent(self, event):
        cell = self.cell_at(event.position())
        if cell != self._cell:
            self._cell = cell
            self.update()
            self.hovered.emit(*(cell if cell is not None else (-1, -1)))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event):
        if self._cell is not None:
            self._cell = None
            self.update()
            self.hovered.emit(-1, -1)
        super().leaveEvent(event)


class ScaleBar(QWidget):
    """The heatmap's colour key: −max … 0 … +max."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._theme = LIGHT
        self._scale = 0.0
        self._precision = DEFAULT_PRECISION
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_state(self, theme: Theme, scale: float, precision: int) -> None:
        self._theme, self._scale, self._precision = theme, scale, precision
        self.update()

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(300, fm.height() + 14)

    def paintEvent(self, event):
        p = QPainter(self)
        fm = self.fontMetrics()
        lo = format_number(-self._scale, self._precision)
        hi = format_number(self._scale, self._precision)
        lw, hw = fm.horizontalAdvance(lo), fm.horizontalAdvance(hi)
        bar = QRect(lw + 8, 4, max(20, self.width() - lw - hw - 16), self.height() - 8)
        from PySide6.QtGui import QLinearGradient  # on first heatmap, not at startup (its enums cost)

        g = QLinearGradient(QPointF(bar.left(), 0), QPointF(bar.right(), 0))
        lut = diverging_lut(self._theme, HEATMAP_STRENGTH)
        for t in (0.0, 0.25, 0.5, 0.75, 1.0):
            g.setColorAt(t, QColor.fromRgba(int(lut[int(round(t * 2 * LUT_HALF))])))
        p.fillRect(bar, g)
        p.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 1))
        p.drawRect(bar.adjusted(0, 0, -1, -1))
        p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        flags = Qt.AlignmentFlag.AlignVCenter
        p.drawText(QRect(0, 0, lw + 4, self.height()), flags | Qt.AlignmentFlag.AlignLeft, lo)
        p.drawText(QRect(bar.right() + 6, 0, hw + 4, self.height()), flags | Qt.AlignmentFlag.AlignLeft, hi)
        p.drawText(bar, Qt.AlignmentFlag.AlignCenter, "0")


class HeatmapPanel(QWidget):
    """A matrix view's heatmap page: the heatmap, its colour key below, and the hover readout under that."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.heatmap = HeatmapWidget()
        self.heatmap.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.readout = QLabel()
        self.readout.setWordWrap(True)       # a long readout wraps instead of widening the inspector
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.scale_bar = ScaleBar()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addWidget(self.heatmap, 1)
        lay.addWidget(self.scale_bar)
        lay.addWidget(self.readout)

    def set_colors(self, palette: QPalette, text: QColor) -> None:
        """The matrix view's palette (grid, highlight) for the heatmap and key, and `text` for key and readout."""
        self.heatmap.setPalette(palette)
        self.scale_bar.setPalette(palette)
        set_text_color(self.scale_bar, text)
        set_text_color(self.readout, text)
