"""One matrix on screen, with its title and shape: a table up to 60 x 60, a heatmap beyond.

    view = MatrixView(theme=theme)
    view.set_jacobian(session.jacobian("Z1", "A1"))   # headers z¹ᵢ / a¹ⱼ, title dA¹/dZ¹, n¹ × n¹ = 3 × 3
    view.set_matrix(values, row_labels, col_labels, title="Z<sup>1</sup>")

The table is a QTableView over one MatrixModel (no widget per cell). A bigger matrix is drawn
as a QImage whose pixels come from numpy lookups into the diverging colour table (no Python
loop per cell), read a block of rows at a time into one reused buffer. The image has no more
pixels than the screen area it is drawn on (it is made when painted, and again when a resize
changes how many cells a pixel must stand for): each pixel is the cell of largest |value| in its
group, so a lone entry stays visible on screen; hovering still reads the exact cell.
A Jacobian is never made whole to be drawn: a diagonal or identity one is drawn from its
diagonal, any other from `Jacobian.rows()` (a 2048-unit softmax keeps 2048 floats, not 32 MB),
and the hover readout uses `Jacobian.entry()`. Only "Copy as CSV" asks for `dense()`.
Right click: "Copy as CSV" (full precision) and "Copy as LaTeX (bmatrix)".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QSizePolicy,
                               QStackedWidget, QTableView, QVBoxLayout, QWidget)

from chainview.core import Jacobian, dims_text, node_symbol, pretty, rich

from .clipboard import copy_matrix
from .matrix_model import (DEFAULT_PRECISION, HEATMAP_STRENGTH, LUT_HALF, MatrixModel, color_scale,
                           diverging_lut, format_number, full_repr, lut_index, pretty_label, LazyLabels, as_matrix)
from ..theme import LIGHT, Theme, fill_rect

# QImage and QLinearGradient are imported where a heatmap is drawn, not here: touching them makes PySide
# build their enum types (~4 ms), and the first frame has no heatmap (small matrices are tables).
if TYPE_CHECKING:
    from PySide6.QtGui import QImage

TABLE_LIMIT = 60            # up to 60 x 60: a table; bigger: a heatmap
VECTOR_TABLE_ROWS = 1000    # ... except a thin matrix (a vector, a small batch), which reads better as numbers
VECTOR_TABLE_COLS = 8
LATEX_LIMIT = 60            # LaTeX of a bigger matrix is of no use to anyone


def use_table(shape: tuple[int, int]) -> bool:
    r, c = shape
    if r <= TABLE_LIMIT and c <= TABLE_LIMIT:
        return True
    return (c <= VECTOR_TABLE_COLS and r <= VECTOR_TABLE_ROWS) or (r <= VECTOR_TABLE_COLS and c <= VECTOR_TABLE_ROWS)


# ---------------------------------------------------------------- heatmap pixels (vectorised)
CHUNK_CELLS = 1 << 17       # cells per block of rows (1 MB of floats): the block and its temporaries stay in cache
IMAGE_MAX_SIDE = 1024       # the image's side before the widget has a size on screen

# rows(start, stop, out) -> that block of rows as floats (written into `out` when it likes); e.g. Jacobian.rows
RowSource = Callable[[int, int, "np.ndarray | None"], np.ndarray]


def array_rows(a: np.ndarray) -> RowSource:
    """A RowSource over an array in memory: views, no copies (ints and bools read as floats)."""
    a = as_matrix(a)
    if a.dtype.kind != "f":
        a = a.astype(float)
    return lambda start, stop, out=None: a[start:stop]


def pool_factors(shape: tuple[int, int], max_side: int = IMAGE_MAX_SIDE) -> tuple[int, int]:
    """Matrix cells per image pixel, down and across: 1 up to max_side, then the smallest whole number that fits."""
    return tuple(max(1, -(-int(n) // max_side)) for n in shape)


def display_factors(shape: tuple[int, int], pixels: tuple[float, float] | None) -> tuple[int, int]:
    """Cells per image pixel for a matrix drawn on pixels = (width, height) device pixels: no more image
    pixels than screen pixels, so drawing it never drops a row or column (a lone entry stays visible).
    None (no size on screen yet): IMAGE_MAX_SIDE a side."""
    if pixels is None or pixels[0] < 1 or pixels[1] < 1:
        return pool_factors(shape)
    (r, c), (w, h) = shape, (int(pixels[0]), int(pixels[1]))
    return max(1, -(-int(r) // h)), max(1, -(-int(c) // w))


def _block_rows(shape: tuple[int, int], fr: int) -> int:
    return fr * max(1, CHUNK_CELLS // max(1, shape[1] * fr))


def rows_scale(rows: RowSource, shape: tuple[int, int], buf: np.ndarray | None = None) -> float:
    """color_scale (max |value| over the finite entries) of the whole matrix, read a block of rows at a time
    (blocks of buf's rows, into buf)."""
    r, c = shape
    if buf is None:
        buf = np.empty((min(_block_rows(shape, 1), r), c))
    step = max(1, buf.shape[0])
    return max((color_scale(rows(s, s + step, buf)) for s in range(0, r, step)), default=0.0)


def heatmap_pixels(a: np.ndarray, theme: Theme = LIGHT, scale: float | None = None,
                   out: np.ndarray | None = None) -> np.ndarray:
    """(rows, cols) uint32 0xffRRGGBB, one to one with the cells, one numpy lookup; non-finite cells in theme.bad."""
    a = np.asarray(a)
    scale = color_scale(a) if scale is None else scale
    lut = diverging_lut(theme, HEATMAP_STRENGTH)
    pix = np.empty(a.shape, dtype=np.uint32) if out is None else out
    rows = max(1, CHUNK_CELLS // max(1, a.shape[1] if a.ndim == 2 else 1))
    for r in range(0, a.shape[0], rows):   # in chunks: the temporaries stay small and reused, not 24 MB fresh
        block = a[r:r + rows]
        dst = pix[r:r + rows]
        np.take(lut, lut_index(block, scale), out=dst)
        if block.dtype.kind == "f" and not np.isfinite(block).all():
            dst[~np.isfinite(block)] = np.uint32(theme.bad.rgba())
    return pix


def _pool(block: np.ndarray, fr: int, fc: int, hi: np.ndarray, lo: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Each fr x fc group of cells -> its value of largest |value|, sign kept (NaN and ±inf win, so they show).

    hi / lo: scratch of at least block's rows x pooled columns, reused; `out` takes the pooled rows.
    """
    b = block.shape[0]
    hi, lo = hi[:b], lo[:b]
    first = block[:, 0::fc]
    np.copyto(hi, first)
    np.copyto(lo, first)
    for o in range(1, fc):              # across: max and min of every fc-th column, in place
        part = block[:, o::fc]
        w = part.shape[1]
        np.maximum(hi[:, :w], part, out=hi[:, :w])
        np.minimum(lo[:, :w], part, out=lo[:, :w])
    hi_rows, lo_rows = hi[0::fr], lo[0::fr]
    for o in range(1, fr):              # down: the same over every fr-th row
        h = hi[o::fr].shape[0]
        np.maximum(hi_rows[:h], hi[o::fr], out=hi_rows[:h])
        np.minimum(lo_rows[:h], lo[o::fr], out=lo_rows[:h])
    out = out[:hi_rows.shape[0]]
    np.copyto(out, lo_rows)
    with np.errstate(invalid="ignore"):
        np.copyto(out, hi_rows, where=~(hi_rows < -lo_rows))   # NaN compares False: NaN stays NaN
    return out


def matrix_pixels(rows: RowSource, shape: tuple[int, int], theme: Theme = LIGHT, scale: float | None = None,
                  max_side: int | None = IMAGE_MAX_SIDE, factors: tuple[int, int] | None = None
                  ) -> tuple[np.ndarray, float, tuple[int, int]]:
    """(pixels, scale, cells per pixel) of a matrix read a block of rows at a time, never whole.

    `factors` cells per pixel (rows, columns), or else at most max_side pixels a side (None: one per
    cell); each pixel shows the cell of largest |value| in its group, sign kept, so a lone non-zero
    entry (a diagonal) stays visible. The scale is max |finite entry| over every cell (a first pass,
    unless given), exactly as color_scale of the whole matrix. One block buffer (CHUNK_CELLS floats)
    serves every block of both passes.
    """
    r, c = shape
    if factors is None:
        factors = pool_factors(shape, max_side) if max_side else (1, 1)
    fr, fc = factors
    H, W = -(-r // fr), -(-c // fc)
    step = _block_rows(shape, fr)
    buf = np.empty((min(step, r), c))
    if scale is None:
        scale = rows_scale(rows, shape, buf)
    pix = np.empty((H, W), dtype=np.uint32)
    if not r or not c:
        return pix, scale, (fr, fc)
    pooled = fr > 1 or fc > 1
    if pooled:
        hi, lo = np.empty((buf.shape[0], W)), np.empty((buf.shape[0], W))
        ext = np.empty((-(-buf.shape[0] // fr), W))
    for s in range(0, r, step):
        block = rows(s, s + step, buf)
        values = _pool(block, fr, fc, hi, lo, ext) if pooled else block
        heatmap_pixels(values, theme, scale, out=pix[s // fr:s // fr + values.shape[0]])
    return pix, scale, (fr, fc)


def diagonal_pixels(diag: np.ndarray, shape: tuple[int, int], theme: Theme = LIGHT,
                    factors: tuple[int, int] = (1, 1)) -> np.ndarray:
    """Pixels of diag(d) (zeros elsewhere) without ever making the float matrix; pooled like matrix_pixels."""
    d = np.asarray(diag, dtype=float)
    fr, fc = factors
    lut = diverging_lut(theme, HEATMAP_STRENGTH)
    pix = np.full((-(-shape[0] // fr), -(-shape[1] // fc)), lut[LUT_HALF], dtype=np.uint32)
    k = np.arange(min(shape[0], shape[1], d.size))
    cell = (k // fr) * pix.shape[1] + k // fc             # the pixel each diagonal entry falls in
    where, group = np.unique(cell, return_inverse=True)
    hi, lo = np.zeros(where.size), np.zeros(where.size)  # 0: the off-diagonal cells pooled with it
    with np.errstate(invalid="ignore"):                # NaN entries stay NaN (and show as bad)
        np.maximum.at(hi, group, d[k])
        np.minimum.at(lo, group, d[k])
        ext = np.where(hi < -lo, lo, hi)
    pix.flat[where] = heatmap_pixels(ext[None, :], theme, color_scale(d))[0]
    return pix


def pixels_to_image(pix: np.ndarray) -> "QImage":
    from PySide6.QtGui import QImage  # here, not at import: the first frame has no heatmap (QImage's enums cost)

    pix = np.ascontiguousarray(pix, dtype=np.uint32)
    h, w = pix.shape
    image = QImage(pix.data, w, h, 4 * w, QImage.Format.Format_RGB32)
    image._pixels = pix   # the image reads numpy's buffer (no copy): keep it alive with it
    return image


# ---------------------------------------------------------------- widgets
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


class _Stack(QStackedWidget):
    """A stack as big as its current page (QStackedWidget's hint is the biggest page's)."""

    def sizeHint(self) -> QSize:
        w = self.currentWidget()
        return w.sizeHint() if w is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:
        w = self.currentWidget()
        return w.minimumSizeHint() if w is not None else super().minimumSizeHint()


class _Table(QTableView):
    """A table whose size hint is its whole content (up to a number of rows), so it sits in a scroll area."""

    def __init__(self, parent=None, max_rows: int = 16):
        super().__init__(parent)
        self.max_rows = max_rows

    def sizeHint(self) -> QSize:
        m = self.model()
        if m is None:
            return super().sizeHint()
        vh, hh = self.verticalHeader(), self.horizontalHeader()
        rows, cols = m.rowCount(), m.columnCount()
        frame = 2 * self.frameWidth()
        w = (max(vh.sizeHint().width(), vh.minimumWidth()) if not vh.isHidden() else 0) + sum(self.columnWidth(j) for j in range(cols)) + frame
        shown = min(rows, self.max_rows)
        h = (hh.sizeHint().height() if not hh.isHidden() else 0) + shown * vh.defaultSectionSize() + frame
        if rows > shown:
            w += self.verticalScrollBar().sizeHint().width()
        return QSize(w, h)

    def minimumSizeHint(self) -> QSize:
        s = self.sizeHint()
        return QSize(min(s.width(), 120), s.height())


class MatrixView(QWidget):
    """A titled matrix: table (≤ 60 x 60) or heatmap, with copy actions and an optional accent colour."""

    def __init__(self, parent=None, *, theme: Theme = LIGHT, precision: int = DEFAULT_PRECISION,
                 max_rows: int = 16, compact: bool = False):
        super().__init__(parent)
        self._theme = theme
        self._precision = int(precision)
        self._accent: QColor | None = None
        self._compact = compact
        self._dense: np.ndarray | None = None      # the matrix, when we have it as one
        self._diag: np.ndarray | None = None       # or only its diagonal (a big diagonal/identity Jacobian)
        self._jacobian: Jacobian | None = None
        self._shape = (0, 0)
        self._rows: list[str] = []
        self._cols: list[str] = []
        self._scale = 0.0
        self._heatmap = False
        self._hover: tuple[int, int] | None = None

        self.model = MatrixModel(theme=theme, precision=precision)

        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.RichText)
        self.title_label.setWordWrap(True)
        self.shape_label = QLabel()
        self.shape_label.setTextFormat(Qt.TextFormat.PlainText)
        self.shape_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.title_label.setWordWrap(not compact)
        self.head = QWidget()
        head = QHBoxLayout(self.head)
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(10)
        head.addWidget(self.title_label, 0)
        head.addWidget(self.shape_label, 0)
        head.addStretch(1)

        self.table = _Table(max_rows=max_rows)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)  # ours, on the MatrixView
        self.table.setWordWrap(False)
        self.table.setCornerButtonEnabled(False)
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform row heights: no per-row measuring
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        hh.setHighlightSections(False)
        vh.setHighlightSections(False)
        self.table.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

        self._heat_page: QWidget | None = None   # built on first use: most matrices are small tables
        self.stack = _Stack()
        self.stack.addWidget(self.table)
        self.stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10 if not compact else 8, 2, 0, 2)
        layout.setSpacing(4)
        layout.addWidget(self.head)
        layout.addWidget(self.stack)
        self._caption = True

        self.copy_csv_action = QAction("Copy as CSV", self)
        self.copy_csv_action.setToolTip("The whole matrix at full precision, comma-separated")
        self.copy_csv_action.triggered.connect(lambda: self.copy("csv"))
        self.copy_latex_action = QAction("Copy as LaTeX (bmatrix)", self)
        self.copy_latex_action.triggered.connect(lambda: self.copy("latex"))
        self.addAction(self.copy_csv_action)
        self.addAction(self.copy_latex_action)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        self._apply_fonts()
        self._apply_theme()
        self._refresh_actions()

    def _heat(self) -> QWidget:
        """The heatmap page (heatmap, colour key, hover readout), made the first time it is needed."""
        if self._heat_page is None:
            self._heatmap_w = HeatmapWidget()
            self._heatmap_w.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
            self._heatmap_w.hovered.connect(self._on_hover)
            self._heatmap_w.image_made.connect(self._update_readout)
            self._readout = QLabel()
            self._readout.setWordWrap(True)       # a long readout wraps instead of widening the inspector
            self._readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self._scale_bar = ScaleBar()
            page = QWidget()
            hl = QVBoxLayout(page)
            hl.setContentsMargins(0, 0, 0, 0)
            hl.setSpacing(4)
            hl.addWidget(self._heatmap_w, 1)
            hl.addWidget(self._scale_bar)
            hl.addWidget(self._readout)
            self._heat_page = page
            self.stack.addWidget(page)
            self._apply_theme()
        return self._heat_page

    @property
    def heatmap(self) -> HeatmapWidget:
        self._heat()
        return self._heatmap_w

    @property
    def readout(self) -> QLabel:
        self._heat()
        return self._readout

    @property
    def scale_bar(self) -> ScaleBar:
        self._heat()
        return self._scale_bar

    # ---------------------------------------------------------------- data in
    def set_matrix(self, array, row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None,
                   title: str = "", *, dims: tuple[str, str] | None = None,
                   describe: Callable[[int, int], str | None] | None = None) -> None:
        """A 2-D array (a 1-D one is a column). title is rich text; dims (e.g. ('n^1', '1')) adds symbols to the shape."""
        a = as_matrix(array)
        self._jacobian = None
        self._show(a, None, a.shape, row_labels, col_labels, title, dims, describe)

    def set_jacobian(self, jacobian: Jacobian, title: str | None = None) -> None:
        """An edge's Jacobian with its headers; a big one (a heatmap) is drawn without dense():
        a diagonal/identity one from its diagonal, any other from J.rows()."""
        J = jacobian
        shape = tuple(J.shape)
        if title is None:
            title = f"d{rich(node_symbol(J.target))}/d{rich(node_symbol(J.source))}"
        describe = _jacobian_describe(J)
        self._jacobian = J
        if use_table(shape):
            self._show(np.asarray(J.dense()), None, shape, J.row_labels, J.col_labels, title, J.dims, describe)
        elif J.kind in ("diagonal", "identity") and J.diagonal is not None:
            self._show(None, np.asarray(J.diagonal, dtype=float), shape, J.row_labels, J.col_labels, title,
                       J.dims, describe)
        else:
            self._show(None, None, shape, J.row_labels, J.col_labels, title, J.dims, describe)

    def clear(self) -> None:
        self._jacobian = None
        self._show(np.zeros((0, 0)), None, (0, 0), None, None, "", None, None)

    def _show(self, dense, diag, shape, row_labels, col_labels, title, dims, describe) -> None:
        self._dense, self._diag, self._shape = dense, diag, (int(shape[0]), int(shape[1]))
        self._rows, self._cols = LazyLabels(row_labels), LazyLabels(col_labels)
        self._describe = describe
        self._hover = None
        self.title_label.setText(title)
        self.title_label.setVisible(bool(title))
        self.head.setVisible(self._caption)
        name = re.sub(r"<[^>]+>", "", title or "") or "matrix"
        self.table.setAccessibleName(f"{name}, {shape[0]} by {shape[1]}")
        r, c = self._shape
        self.shape_label.setText(pretty(dims_text(dims, self._shape)) if dims else f"{r} × {c}")
        self._heatmap = not use_table(self._shape)
        if self._heatmap:
            self.model.set_matrix(np.zeros((0, 0)))  # the table holds nothing it does not show
            self.stack.setCurrentWidget(self._heat())
            self._build_heatmap()
            self.stack.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        else:
            self.model.set_matrix(dense, row_labels, col_labels)
            self.model.set_describe(describe)
            if self._heat_page is not None:
                self._heatmap_w.clear()
            self.stack.setCurrentIndex(0)
            self.stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
            # a lone column or row without labels needs no header saying "1"
            self.table.horizontalHeader().setVisible(not (col_labels is None and c == 1 and r > 0))
            self.table.verticalHeader().setVisible(not (row_labels is None and r == 1 and c > 0))
            self._fit_table()
        self._update_readout()
        self._refresh_actions()
        self.updateGeometry()

    def _heatmap_rows(self) -> RowSource:
        return array_rows(self._dense) if self._dense is not None else self._jacobian.rows

    def _build_heatmap(self) -> None:
        """New numbers: their colour scale now (the key shows it, a pass over every cell), then the pixels."""
        self._scale = color_scale(self._diag) if self._diag is not None else rows_scale(self._heatmap_rows(),
                                                                                          self._shape)
        self._colour_heatmap()

    def _colour_heatmap(self) -> None:
        """The pixels in the current theme, made when the heatmap is painted, at its size on screen."""
        shape, theme, scale = self._shape, self._theme, self._scale
        if self._diag is not None:
            diag = self._diag

            def render(factors):
                return pixels_to_image(diagonal_pixels(diag, shape, theme, factors))
        else:
            rows = self._heatmap_rows()

            def render(factors):
                return pixels_to_image(matrix_pixels(rows, shape, theme, scale, factors=factors)[0])
        self.heatmap.set_source(render, shape)
        self.scale_bar.set_state(theme, scale, self._precision)

    def _fit_table(self) -> None:
        t = self.table
        fm = t.fontMetrics()
        row_h = fm.height() + 10
        t.verticalHeader().setDefaultSectionSize(row_h)
        t.verticalHeader().setMinimumSectionSize(row_h)
        t.horizontalHeader().setMinimumSectionSize(fm.horizontalAdvance("0") * 3 + 12)
        vh = t.verticalHeader()
        if vh.isVisibleTo(t) or not vh.isHidden():
            longest = max((fm.horizontalAdvance(self.model.row_name(i)) for i in range(min(self.model.rowCount(), 200))),
                          default=0)
            vh.setFixedWidth(longest + 16)  # a little air on both sides of "z¹₁"
        if self._shape[0] * self._shape[1] <= TABLE_LIMIT * TABLE_LIMIT:
            t.resizeColumnsToContents()  # measures every cell: only for small ones
            for j in range(self.model.columnCount()):  # a little air around the numbers
                t.setColumnWidth(j, t.columnWidth(j) + 8)
        else:
            w = fm.horizontalAdvance(MINUS_WIDTH_SAMPLE) + 16
            for j in range(self.model.columnCount()):
                t.setColumnWidth(j, w)
        hint = t.sizeHint()
        t.setMaximumWidth(hint.width())
        self._fit_height()
        t.updateGeometry()

    def _fit_height(self) -> None:
        """Rows plus, when the table is narrower than its columns, room for the horizontal scroll bar."""
        t = self.table
        hint = t.sizeHint()
        h = hint.height()
        if t.isVisible() and t.width() < hint.width():
            h += t.horizontalScrollBar().sizeHint().height()
        if t.height() != h or self.stack.height() != h:
            t.setFixedHeight(h)
            self.stack.setFixedHeight(h)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if not self._heatmap and self.model.rowCount():
            self._fit_height()

    # ---------------------------------------------------------------- data out
    def current_matrix(self) -> np.ndarray | None:
        """The matrix shown (for a big Jacobian this is where dense() finally happens, e.g. for Copy as CSV)."""
        if self._dense is not None:
            return None if self._dense.size == 0 and self._shape == (0, 0) else self._dense
        if self._diag is not None:
            self._dense = np.asarray(self._jacobian.dense()) if self._jacobian is not None else np.diag(self._diag)
            return self._dense
        if self._jacobian is not None:
            return np.asarray(self._jacobian.dense())   # the Jacobian keeps it: no second reference here
        return None

    def shape(self) -> tuple[int, int]:
        return self._shape

    def jacobian(self) -> Jacobian | None:
        return self._jacobian

    def is_heatmap(self) -> bool:
        return self._heatmap

    def value_at(self, i: int, j: int) -> float:
        """Entry (i, j), 0-based, without making a dense matrix."""
        if self._dense is not None:
            return float(self._dense[i, j])
        if self._diag is not None:
            return float(self._diag[i]) if i == j and i < self._diag.size else 0.0
        if self._jacobian is not None:
            return self._jacobian.entry(i, j)
        raise IndexError("no matrix")

    def row_labels(self) -> list[str]:
        return list(self._rows)

    def col_labels(self) -> list[str]:
        return list(self._cols)

    def title(self) -> str:
        return self.title_label.text()

    # ---------------------------------------------------------------- hover readout (heatmap)
    def _on_hover(self, i: int, j: int) -> None:
        self._hover = None if i < 0 else (i, j)
        self._update_readout()

    def hovered_cell(self) -> tuple[int, int] | None:
        return self._hover

    def readout_text(self) -> str:
        return self._readout.text() if self._heat_page is not None else ""

    def _update_readout(self) -> None:
        if not self._heatmap:
            if self._heat_page is not None:
                self._readout.setText("")
            return
        if self._hover is None:
            r, c = self._shape
            fr, fc = self.heatmap.factors()
            pooled = f", each pixel the largest |value| of {fr} × {fc} cells" if fr * fc > 1 else ""
            self.readout.setText(f"{r} × {c}{pooled}: point at a cell to read it")
            self.readout.setToolTip("")
            return
        i, j = self._hover
        v = self.value_at(i, j)
        where = f"row {i + 1}, col {j + 1}: {format_number(v, self._precision)}"
        labels = [s for s in ((self._rows[i] if self._rows else ""), (self._cols[j] if self._cols else "")) if s]
        what = self._describe(i, j) if self._describe else None
        extra = what or (" ↔ ".join(labels) if labels else "")
        self.readout.setText(where + (f"   ({extra})" if extra else ""))
        self.readout.setToolTip(f"{where.split(':')[0]}: {full_repr(v)}")

    # ---------------------------------------------------------------- options
    def set_precision(self, digits: int) -> None:
        self._precision = max(1, min(17, int(digits)))
        self.model.set_precision(self._precision)
        if self._heatmap:
            self.scale_bar.set_state(self._theme, self._scale, self._precision)
            self._update_readout()
        elif self.model.rowCount():
            self._fit_table()

    def precision(self) -> int:
        return self._precision

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.model.set_theme(theme)
        if self._heatmap:
            self._colour_heatmap()       # the same numbers: the scale stands
        self._apply_theme()

    def set_accent(self, color: QColor | None) -> None:
        """A coloured strip on the left and a coloured title (e.g. theme.grad for gradients)."""
        self._accent = QColor(color) if color is not None else None
        self._apply_theme()
        self.update()

    def set_caption_visible(self, visible: bool) -> None:
        """Show or hide the title/shape line (e.g. when a heading above already says it)."""
        self._caption = bool(visible)
        self.head.setVisible(self._caption)

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._apply_fonts()
            if not self._heatmap and self.model.rowCount():
                self._fit_table()  # column widths and row height follow the font

    def set_title(self, title: str) -> None:
        self.title_label.setText(title)
        self.title_label.setVisible(bool(title))

    def _apply_fonts(self) -> None:
        f = QFont(self.font())
        f.setBold(True)
        if not self._compact:
            f.setPointSizeF(f.pointSizeF() * 1.08)
        self.title_label.setFont(f)

    def _apply_theme(self) -> None:
        """Colours through palettes, not style sheets: style sheets make every child slow to create and show."""
        t = self._theme
        _set_colors(self.title_label, text=self._accent if self._accent is not None else t.text)
        _set_colors(self.shape_label, text=t.muted)
        grid = QColor(t.muted)
        grid.setAlphaF(0.45)
        p = self.table.palette()
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            p.setColor(group, QPalette.ColorRole.Base, t.surface)
            p.setColor(group, QPalette.ColorRole.AlternateBase, t.background)
            p.setColor(group, QPalette.ColorRole.Text, t.text)
            p.setColor(group, QPalette.ColorRole.Window, t.background)       # headers, scroll bars
            p.setColor(group, QPalette.ColorRole.Button, t.background)
            p.setColor(group, QPalette.ColorRole.ButtonText, t.muted)
            p.setColor(group, QPalette.ColorRole.WindowText, t.muted)
            p.setColor(group, QPalette.ColorRole.Mid, grid)
            p.setColor(group, QPalette.ColorRole.Highlight, t.selection)
            p.setColor(group, QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
        self.table.setPalette(p)
        self.table.setGridStyle(Qt.PenStyle.SolidLine)
        if self._heat_page is not None:
            self._heatmap_w.setPalette(p)
            self._scale_bar.setPalette(p)
            _set_colors(self._scale_bar, text=t.text)
            _set_colors(self._readout, text=t.text)

    def paintEvent(self, event):
        super().paintEvent(event)
        if self._accent is not None:
            fill_rect(QPainter(self), QRect(0, 2, 3, self.height() - 4), self._accent)

    # ---------------------------------------------------------------- copying
    def _refresh_actions(self) -> None:
        has = self._shape[0] > 0 and self._shape[1] > 0
        self.copy_csv_action.setEnabled(has)
        small = self._shape[0] <= LATEX_LIMIT and self._shape[1] <= LATEX_LIMIT
        self.copy_latex_action.setEnabled(has and small)
        self.copy_latex_action.setToolTip("" if small else f"only for matrices up to {LATEX_LIMIT} x {LATEX_LIMIT}")

    def copy(self, fmt: str) -> str:
        """Put the whole matrix on the clipboard ("csv" full precision, "latex" at 6 digits); returns the text."""
        a = self.current_matrix()
        if a is None:
            return ""
        return copy_matrix(a, fmt)


MINUS_WIDTH_SAMPLE = "\u22120.0000e\u221200"


def _set_colors(widget: QWidget, *, text: QColor | None = None) -> None:
    p = widget.palette()
    if text is not None:
        p.setColor(QPalette.ColorRole.WindowText, text)
        p.setColor(QPalette.ColorRole.Text, text)
    widget.setPalette(p)


def _jacobian_describe(J: Jacobian) -> Callable[[int, int], str]:
    """Which derivative entry (i, j) of this Jacobian is, in its layout."""
    rows, cols = LazyLabels(J.row_labels), LazyLabels(J.col_labels)
    if J.kind == "shorthand":
        w_rows = any("·" in s for s in J.row_labels)

        def describe(i, j):
            w = (rows[i] if w_rows else cols[j]).rstrip("·")
            return f"d zₖ / d {w}ₖ, the same for every unit k (shorthand)"
        return describe
    if J.layout == "numerator":
        return lambda i, j: f"d {rows[i]} / d {cols[j]}"
    return lambda i, j: f"d {cols[j]} / d {rows[i]}"
