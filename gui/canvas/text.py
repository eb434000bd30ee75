"""The text a canvas item draws: rich-text labels (Z<sup>1</sup>, gui/canvas/rich_text.py), compact matrices of
numbers, symbols and derivatives as rich text, and the tooltip tables. No item state here."""

from __future__ import annotations

import math
import re

import numpy as np
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF

from chainview.core import dims_text, rich, split_id
from chainview.core.symbols import number_text

from .rich_text import RichText  # noqa: F401  (re-exported: the items' labels)

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

def dims_lines(dims, shape) -> list[str]:
    """'n^1 x 1 = 3 x 1' as two lines, ['n^1 x 1', '= 3 x 1'], so labels stay narrow."""
    text = dims_text(tuple(dims), tuple(shape))
    head, _, tail = text.partition(" = ")
    return [head, f"= {tail}"] if tail else [head]


def fmt(x: float) -> str:
    """A number in at most ~6 characters: 0.462, -0.291, 12.3, 1.2e-05. NaN, ±∞ and 0 as every table of
    the app spells them (core.symbols.number_text)."""
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return number_text(x)
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


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
