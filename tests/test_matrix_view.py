"""Big heatmaps drawn from blocks of rows: never the dense matrix, pooled to display size, exact hover readout."""

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
from PySide6.QtCore import QPoint

from chainview.core import build_net, evaluate, edge_jacobian
from chainview.gui.inspector.colors import LUT_HALF, color_scale, diverging_lut
from chainview.gui.inspector.heatmap_image import (IMAGE_MAX_SIDE, array_rows, diagonal_pixels, heatmap_pixels,
                                                   matrix_pixels, pool_factors, rows_scale)
from chainview.gui.inspector.matrix_model import format_number
from chainview.gui.inspector.matrix_view import MatrixView
from chainview.gui.theme import DARK, LIGHT


def softmax_jacobian(units: int, layout: str = "denominator"):
    """A units x units softmax Jacobian with spread-out a's (a few big ones), and its a."""
    rng = np.random.default_rng(1)
    net = build_net([[1.0], [0.5]], np.eye(units)[:, :1], "nllm",
                    [{"units": units, "activation": "softmax", "W": rng.normal(size=(2, units)) * 2.5,
                      "W0": np.zeros((units, 1))}])
    ev = evaluate(net)
    return edge_jacobian(ev, "Z1", "A1", layout=layout), ev.values["A1"][:, 0]


def image_array(img) -> np.ndarray:
    """A QImage's pixels as uint32 0xffRRGGBB (rows x cols)."""
    ptr = img.constBits()
    return np.frombuffer(ptr, dtype=np.uint32, count=img.height() * img.bytesPerLine() // 4).reshape(
        img.height(), img.bytesPerLine() // 4)[:, :img.width()].copy()


def extreme_cells(a: np.ndarray, fr: int, fc: int) -> np.ndarray:
    """Reference pooling, one group at a time: the value of largest |value| (non-finite first), sign kept."""
    H, W = -(-a.shape[0] // fr), -(-a.shape[1] // fc)
    out = np.empty((H, W))
    for p in range(H):
        for q in range(W):
            g = a[p * fr:(p + 1) * fr, q * fc:(q + 1) * fc].ravel()
            bad = g[~np.isfinite(g)]
            out[p, q] = bad[0] if bad.size else g[np.argmax(np.abs(g))]
    return out


# ---------------------------------------------------------------- the pixels
@pytest.mark.parametrize("layout", ["denominator", "numerator"])
def test_heatmap_from_row_blocks_is_the_heatmap_of_the_dense_matrix(layout):
    J, _ = softmax_jacobian(300, layout)                   # under IMAGE_MAX_SIDE: one pixel per cell
    pix, scale, factors = matrix_pixels(J.rows, J.shape, LIGHT)
    assert J._dense is None and factors == (1, 1)
    D = J.dense()
    assert scale == color_scale(D) == rows_scale(J.rows, J.shape)
    np.testing.assert_array_equal(pix, heatmap_pixels(D, LIGHT, color_scale(D)))


def test_pooled_pixel_shows_the_extreme_cell_of_its_group():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(301, 203))                       # groups of 5 x 4; the last row and column are partial
    a[7, 7] = -40.0                                       # a lone strong entry: its pixel must be it, sign and all
    a[120, 50] = np.nan
    a[200, 201] = np.inf
    pix, scale, (fr, fc) = matrix_pixels(array_rows(a), a.shape, LIGHT, max_side=64)
    assert (fr, fc) == (5, 4) and pix.shape == (61, 51)
    assert scale == 40.0                                  # max |finite| over every cell, not over the pixels
    np.testing.assert_array_equal(pix, heatmap_pixels(extreme_cells(a, fr, fc), LIGHT, 40.0))
    lut = diverging_lut(LIGHT, 1.0)
    assert pix[1, 1] == lut[0]                            # -40 is the most negative colour
    assert pix[24, 12] == pix[40, 50] == np.uint32(LIGHT.bad.rgba())   # NaN and inf still show


@pytest.mark.parametrize("shape", [(23, 17), (8, 8), (1, 40), (40, 1), (64, 2048)])
@pytest.mark.parametrize("factors", [(1, 3), (3, 1), (2, 2), (7, 5), (8, 8)])
def test_pooling_any_shape_and_factors_matches_the_group_by_group_reference(shape, factors):
    rng = np.random.default_rng(sum(shape) * 31 + sum(factors))
    a = rng.normal(size=shape) * rng.choice([1.0, 100.0], size=shape)
    a.flat[rng.integers(a.size)] = np.nan
    a.flat[rng.integers(a.size)] = -np.inf
    pix, scale, _ = matrix_pixels(array_rows(a), a.shape, LIGHT, factors=factors)
    np.testing.assert_array_equal(pix, heatmap_pixels(extreme_cells(a, *factors), LIGHT, scale))


def test_2048_softmax_pooled_from_rows_matches_pooling_the_dense_matrix():
    J, _ = softmax_jacobian(2048)
    pix, scale, factors = matrix_pixels(J.rows, J.shape, DARK)
    assert J._dense is None and factors == (2, 2) and pix.shape == (1024, 1024)
    D = J.dense()
    assert scale == color_scale(D)
    groups = D.reshape(1024, 2, 1024, 2).transpose(0, 2, 1, 3).reshape(1024, 1024, 4)   # each pixel's 2 x 2 cells
    extreme = np.take_along_axis(groups, np.abs(groups).argmax(axis=-1)[..., None], axis=-1)[..., 0]
    np.testing.assert_array_equal(pix, heatmap_pixels(extreme, DARK, scale))


def test_pooled_diagonal_keeps_every_diagonal_entry_visible():
    d = np.random.default_rng(3).normal(size=1500)
    d[::3] = 0.0                                         # groups with one zero and one non-zero entry
    d[10] = np.nan
    shape = (1500, 1500)
    factors = pool_factors(shape)
    assert factors == (2, 2)
    pix = diagonal_pixels(d, shape, LIGHT, factors)
    dense = np.diag(d)
    ref, _, _ = matrix_pixels(array_rows(dense), shape, LIGHT, scale=color_scale(d))
    np.testing.assert_array_equal(pix, ref)
    assert pix[5, 5] == np.uint32(LIGHT.bad.rgba())
    assert pix[0, 1] == diverging_lut(LIGHT, 1.0)[LUT_HALF]


# ---------------------------------------------------------------- the view
def test_showing_a_2048_softmax_jacobian_never_makes_the_dense_matrix(qtbot):
    J, a = softmax_jacobian(2048)
    v = MatrixView()
    qtbot.addWidget(v)
    v.resize(600, 700)
    v.show()
    qtbot.waitExposed(v)
    tracemalloc.start()
    try:
        v.set_jacobian(J)
        qtbot.wait(10)                                   # painted too
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert v.is_heatmap() and J._dense is None
    assert peak < 12e6, f"peak {peak / 1e6:.1f} MB: a 2048 x 2048 float matrix alone is 33.5 MB"
    img = v.heatmap.image()
    f, fc = v.heatmap.factors()                           # the widget is ~590 px: 4 x 4 cells a pixel at 1x
    rect, dpr = v.heatmap.image_rect(), v.heatmap.devicePixelRatioF()
    assert f == fc == -(-2048 // int(rect.width() * dpr)) and (img.width(), img.height()) == (-(-2048 // f),) * 2
    assert v.readout_text() == (f"2048 × 2048, each pixel the largest |value| of {f} × {f} cells: "
                                "point at a cell to read it")      # the picture says it is pooled
    top = int(np.argmax(a))                               # the strongest entry: a_k (1 - a_k) on the diagonal
    assert image_array(img)[top // f, top // f] == diverging_lut(LIGHT, 1.0)[-1]
    assert v.scale_bar._scale == pytest.approx(a[top] * (1 - a[top]), rel=1e-15)

    # hover: the exact cell under the mouse, not the image pixel; its value from J.entry
    qtbot.wait(20)
    rect = v.heatmap.image_rect()
    for i, j in [(top, top), (top, 7), (2047, 0), (1, 2046)]:
        assert v.heatmap.cell_at(v.heatmap.cell_center(i, j)) == (i, j)
    pos = QPoint(int(rect.left() + 0.37 * rect.width()), int(rect.top() + 0.81 * rect.height()))
    i = int((pos.y() - rect.top()) / rect.height() * 2048)
    j = int((pos.x() - rect.left()) / rect.width() * 2048)
    qtbot.mouseMove(v.heatmap, pos)
    qtbot.waitUntil(lambda: v.hovered_cell() == (i, j), timeout=2000)
    expected = (-a[i]) * a[j] + (a[i] if i == j else 0.0)
    assert v.value_at(i, j) == expected
    assert v.readout_text().startswith(f"row {i + 1}, col {j + 1}: {format_number(expected)}")
    assert v.readout.toolTip().endswith(repr(float(expected)))
    assert v.value_at(top, top) == a[top] - a[top] * a[top]
    assert J._dense is None                              # reading entries made nothing big either

    csv = v.copy("csv")                                  # the whole matrix, asked for: now it is made
    assert J._dense is not None and csv.count("\n") == 2048


def test_theme_change_redraws_a_jacobian_heatmap_from_rows(qtbot):
    J, a = softmax_jacobian(2048)
    v = MatrixView()
    qtbot.addWidget(v)
    v.set_jacobian(J)
    v.set_theme(DARK)
    top = int(np.argmax(a))
    assert v.heatmap.factors() == (2, 2)                  # not on screen: IMAGE_MAX_SIDE a side
    assert image_array(v.heatmap.image())[top // 2, top // 2] == diverging_lut(DARK, 1.0)[-1]
    assert J._dense is None


def test_a_table_never_touches_qimage_or_gradients():
    """The first frame is all small tables: QImage / QLinearGradient (and their enums) load with the first heatmap."""
    code = r"""
import enum, sys
made = []
real = enum.EnumType._create_
enum.EnumType._create_ = lambda cls, name, *a, **k: made.append(name) or real(cls, name, *a, **k)
from PySide6.QtWidgets import QApplication
app = QApplication([])
from chainview.gui.inspector.matrix_view import MatrixView
from PySide6.QtGui import QColor
v = MatrixView()
v.set_matrix([[1.0, -2.0], [3.0, 4.0]])
v.set_accent(QColor("#c0392b"))                  # the accent strip is painted too
v.show()
app.processEvents()
v.grab()
before = set(made)
v.set_matrix([[float(i - j) for j in range(100)] for i in range(100)])
v.grab()
print(sorted(before & {"Preset", "InvertMode"}), sorted(set(made) & {"Preset", "InvertMode"}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[0] == "[] ['InvertMode', 'Preset']"


def test_a_heatmap_drawn_one_pixel_per_cell_says_nothing_about_pooling(qtbot):
    v = MatrixView()
    qtbot.addWidget(v)
    v.set_matrix(np.arange(100 * 90, dtype=float).reshape(100, 90))
    assert v.is_heatmap() and v.heatmap.factors() == (1, 1)
    assert v.readout_text() == "100 × 90: point at a cell to read it"
    v.set_matrix(np.ones((1500, 2500)))
    assert v.heatmap.factors() == (2, 3)
    assert "largest |value| of 2 × 3 cells" in v.readout_text()


@pytest.mark.parametrize("shape, cells", [
    ((2048, 2048), [(0, 0), (2047, 2047), (1000, 3), (5, 2040), (777, 1234), (3, 1)]),
    ((999, 999), [(998, 998), (0, 998), (998, 0), (500, 501)]),          # ragged: the last group is partial
    ((2049, 1201), [(2048, 1200), (2048, 0), (1024, 600)]),
    ((700, 3001), [(699, 3000), (0, 2999), (350, 7)]),
])
def test_a_lone_entry_stays_visible_on_screen(qtbot, shape, cells):
    """The image has no more pixels than the widget: drawing it onto the screen drops no row or column."""
    v = MatrixView()
    qtbot.addWidget(v)
    v.resize(600, 700)
    v.show()
    qtbot.waitExposed(v)
    top = diverging_lut(LIGHT, 1.0)[-1] & 0xFFFFFF
    r, c = shape
    for i, j in cells:
        a = np.zeros(shape)
        a[i, j] = 1.0
        v.set_matrix(a)
        qtbot.wait(5)
        shot = image_array(v.heatmap.grab().toImage()) & 0xFFFFFF    # what the widget paints, at its size
        fr, fc = v.heatmap.factors()
        img = v.heatmap.image()
        rect, dpr = v.heatmap.image_rect(), v.heatmap.devicePixelRatioF()
        assert img.width() <= rect.width() * dpr and img.height() <= rect.height() * dpr
        # where the image pixel holding cell (i, j) is drawn, in device pixels
        ph, pw = rect.height() * dpr / img.height(), rect.width() * dpr / img.width()
        y0, x0 = rect.top() * dpr + (i // fr) * ph, rect.left() * dpr + (j // fc) * pw
        drawn = shot[int(y0):int(np.ceil(y0 + ph)) + 1, int(x0):int(np.ceil(x0 + pw)) + 1]
        assert (drawn == top).any(), (shape, i, j, (fr, fc))            # it shows ...
        assert (shot == top).sum() <= 9                                   # ... alone
        # ... within a pixel of where the cell itself is (the readout's place for it)
        cy, cx = rect.top() * dpr + (i + 0.5) * rect.height() * dpr / r, rect.left() * dpr + (j + 0.5) * rect.width() * dpr / c
        assert y0 - 1 - ph <= cy <= y0 + 2 * ph + 1 and x0 - 1 - pw <= cx <= x0 + 2 * pw + 1


def test_resizing_remakes_the_image_at_the_new_scale(qtbot):
    v = MatrixView()
    qtbot.addWidget(v)
    v.resize(600, 700)
    v.show()
    qtbot.waitExposed(v)
    v.set_matrix(np.random.default_rng(3).normal(size=(2048, 2048)))
    qtbot.wait(5)
    before = v.heatmap.factors()
    assert v.heatmap.image().width() == -(-2048 // before[1])
    with qtbot.waitSignal(v.heatmap.image_made, timeout=2000):
        v.resize(300, 400)                                # fewer screen pixels: more cells per pixel
    after = v.heatmap.factors()
    assert after[0] > before[0] and v.heatmap.image().width() == -(-2048 // after[1])
    assert f"of {after[0]} × {after[1]} cells" in v.readout_text()


@pytest.mark.parametrize("shape,labels", [((3, 3), True), ((3, 1), False), ((1, 4), True), ((7, 2), True),
                                          ((2, 2), False), ((60, 2), True)])
def test_columns_are_as_wide_as_qt_would_make_them(qtbot, shape, labels):
    """The table's columns are measured from the numbers' text, not by Qt asking the model every role of
    every cell: the widths must be the ones resizeColumnsToContents gives (plus our 8 px of air)."""
    rng = np.random.default_rng(3)
    for scale in (1.0, 1e-3, -7e5, 1e-20, 0.0):
        v = MatrixView()
        qtbot.addWidget(v)
        rows = [f"z^1_{i + 1}" for i in range(shape[0])] if labels else None
        cols = [f"a^10_{j + 1}" for j in range(shape[1])] if labels else None
        v.set_matrix(rng.standard_normal(shape) * scale, rows, cols, title="X")
        ours = [v.table.columnWidth(j) for j in range(shape[1])]
        v.table.resizeColumnsToContents()
        assert ours == [v.table.columnWidth(j) + 8 for j in range(shape[1])], (shape, scale)
