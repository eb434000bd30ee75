"""One matrix on screen, with its title and shape: a table up to 60 x 60, a heatmap beyond.

    view = MatrixView(theme=theme)
    view.set_jacobian(session.jacobian("Z1", "A1"))   # headers z¹ᵢ / a¹ⱼ, title dA¹/dZ¹, n¹ × n¹ = 3 × 3
    view.set_matrix(values, row_labels, col_labels, title="Z<sup>1</sup>")

The table is a QTableView over one MatrixModel (no widget per cell). A bigger matrix is a
heatmap (heatmap.py: the widget, its colour key and the hover readout; heatmap_image.py: its
pixels, from numpy lookups into the diverging colour table, read a block of rows at a time).
The image has no more pixels than the screen area it is drawn on: each pixel is the cell of
largest |value| in its group, so a lone entry stays visible; hovering still reads the exact cell.
A Jacobian is never made whole to be drawn: a diagonal or identity one is drawn from its
diagonal, any other from `Jacobian.rows()` (a 2048-unit softmax keeps 2048 floats, not 32 MB),
and the hover readout uses `Jacobian.entry()`. Only "Copy as CSV" asks for `dense()`.
Right click: "Copy as CSV" (full precision) and "Copy as LaTeX (bmatrix)".
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QSizePolicy,
                               QStackedWidget, QTableView, QVBoxLayout, QWidget)

from chainview.core import Jacobian, dims_text, node_symbol, pretty, rich

from .matrix_model import DEFAULT_PRECISION, LazyLabels, MatrixModel, as_matrix, format_number, full_repr
from .widgets import set_text_color
from ..theme import LIGHT, Theme, fill_rect

if TYPE_CHECKING:       # the heatmap's modules load with the first big matrix, the clipboard's on a copy
    from .heatmap import HeatmapPanel, HeatmapWidget, ScaleBar
    from .heatmap_image import RowSource

TABLE_LIMIT = 60            # up to 60 x 60: a table; bigger: a heatmap
VECTOR_TABLE_ROWS = 1000    # ... except a thin matrix (a vector, a small batch), which reads better as numbers
VECTOR_TABLE_COLS = 8
LATEX_LIMIT = 60            # LaTeX of a bigger matrix is of no use to anyone


def use_table(shape: tuple[int, int]) -> bool:
    r, c = shape
    if r <= TABLE_LIMIT and c <= TABLE_LIMIT:
        return True
    return (c <= VECTOR_TABLE_COLS and r <= VECTOR_TABLE_ROWS) or (r <= VECTOR_TABLE_COLS and c <= VECTOR_TABLE_ROWS)


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
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        vh.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)   # "z¹₁" by its row
        self.table.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

        self._heat_page: HeatmapPanel | None = None   # built on first use: most matrices are small tables
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

    def _heat(self) -> HeatmapPanel:
        """The heatmap page (heatmap, colour key, hover readout), made the first time it is needed."""
        if self._heat_page is None:
            from .heatmap import HeatmapPanel
            self._heat_page = HeatmapPanel()
            self._heat_page.heatmap.hovered.connect(self._on_hover)
            self._heat_page.heatmap.image_made.connect(self._update_readout)
            self.stack.addWidget(self._heat_page)
            self._apply_theme()
        return self._heat_page

    @property
    def heatmap(self) -> HeatmapWidget:
        return self._heat().heatmap

    @property
    def readout(self) -> QLabel:
        return self._heat().readout

    @property
    def scale_bar(self) -> ScaleBar:
        return self._heat().scale_bar

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
                self._heat_page.heatmap.clear()
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
        from .heatmap_image import array_rows
        return array_rows(self._dense) if self._dense is not None else self._jacobian.rows

    def _build_heatmap(self) -> None:
        """New numbers: their colour scale now (the key shows it, a pass over every cell), then the pixels."""
        from .colors import color_scale
        from .heatmap_image import rows_scale
        self._scale = color_scale(self._diag) if self._diag is not None else rows_scale(self._heatmap_rows(),
                                                                                          self._shape)
        self._colour_heatmap()

    def _colour_heatmap(self) -> None:
        """The pixels in the current theme, made when the heatmap is painted, at its size on screen."""
        from .heatmap_image import diagonal_pixels, matrix_pixels, pixels_to_image
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
            # what resizeColumnsToContents gives (the widest text + the item's 2 × 3 px margins + 1, or the
            # header's own hint), measured from the numbers' text: Qt's way asks the model ~8 roles a cell
            # through the delegate, a tenth of the first frame's inspector
            cells = QFontMetricsF(t.font())
            header = t.horizontalHeader()
            m = self.model
            for j in range(m.columnCount()):
                text = max((cells.horizontalAdvance(m.display_text(i, j)) for i in range(m.rowCount())), default=0)
                width = max(math.ceil(text) + 7, header.minimumSectionSize())
                if not header.isHidden():
                    width = max(width, header.sectionSizeHint(j))
                t.setColumnWidth(j, width + 8)       # a little air around the numbers
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
        return self._heat_page.readout.text() if self._heat_page is not None else ""

    def _update_readout(self) -> None:
        if not self._heatmap:
            if self._heat_page is not None:
                self._heat_page.readout.setText("")
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
        digits = max(1, min(17, int(digits)))
        if digits == self._precision:
            return                       # the window sets the saved digits once its panes are built
        self._precision = digits
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
        set_text_color(self.title_label, self._accent if self._accent is not None else t.text)
        set_text_color(self.shape_label, t.muted)
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
            self._heat_page.set_colors(p, t.text)

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
        from .clipboard import copy_matrix
        return copy_matrix(a, fmt)


MINUS_WIDTH_SAMPLE = "\u22120.0000e\u221200"


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
