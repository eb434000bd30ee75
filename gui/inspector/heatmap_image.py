"""A heatmap's pixels, vectorised: numpy lookups into the diverging colour table, no Python per cell.

A matrix is read a block of rows at a time into one reused buffer (CHUNK_CELLS floats), so a 2048 x 2048
Jacobian is never made whole to be drawn: `matrix_pixels` takes a RowSource (an array's rows, or
`Jacobian.rows`), `diagonal_pixels` a diagonal alone. When the matrix has more cells than the screen area
has pixels, each pixel shows the cell of largest |value| in its group (sign kept), so a lone entry
stays visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from .colors import HEATMAP_STRENGTH, LUT_HALF, color_scale, diverging_lut, lut_index
from .matrix_model import as_matrix
from ..theme import LIGHT, Theme

# QImage is imported where a heatmap is drawn, not here: touching it makes PySide build its enum types
# (~4 ms), and the first frame has no heatmap (small matrices are tables).
if TYPE_CHECKING:
    from PySide6.QtGui import QImage

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
