"""MatrixModel, MatrixView (table and heatmap) and the clipboard formats."""

import io

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication

from chainview.core import Jacobian, Session, build_net
from chainview.gui.inspector.clipboard import copy_matrix, matrix_to_csv, matrix_to_latex
from chainview.gui.inspector.colors import LUT_HALF, diverging_lut, lut_index
from chainview.gui.inspector.heatmap_image import heatmap_pixels
from chainview.gui.inspector.matrix_model import VALUE_ROLE, MatrixModel, format_number, pretty_label
from chainview.gui.inspector.matrix_view import MatrixView, TABLE_LIMIT, use_table
from chainview.gui.theme import DARK, LIGHT, contrast

D, TT, BG, FG, AL = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.BackgroundRole,
                     Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.TextAlignmentRole)
H, V = Qt.Orientation.Horizontal, Qt.Orientation.Vertical

KNOWN = np.array([[1.5, -2.0, 0.0],
                  [1 / 3, 1e-7, -123456.789]])
ROWS = ("z^1_1", "z^1_2")
COLS = ("a^1_1", "a^1_2", "a^1_3")


@pytest.fixture
def model():
    return MatrixModel(KNOWN, ROWS, COLS)


def wide_net(units: int, batch: int = 1):
    rng = np.random.default_rng(7)
    return build_net(rng.normal(size=(3, batch)), rng.normal(size=(2, batch)), "squared",
                     [{"units": units, "activation": "tanh"}, {"units": 2, "activation": "identity"}])


# ---------------------------------------------------------------- the model
def test_model_passes_qtmodeltester(qtmodeltester, model):
    qtmodeltester.check(model)


@pytest.mark.parametrize("array, rows, cols", [
    (np.zeros((0, 0)), None, None),
    (np.arange(12.0).reshape(3, 4), None, None),
    (np.array([[np.nan, np.inf], [-np.inf, -0.0]]), None, None),
    (np.arange(5), ["y_1", "y_2", "y_3", "y_4", "y_5"], None),   # 1-D: a column
])
def test_model_passes_qtmodeltester_odd_inputs(qtmodeltester, array, rows, cols):
    qtmodeltester.check(MatrixModel(array, rows, cols))


def test_set_matrix_resets_and_keeps_passing(qtmodeltester, qtbot):
    m = MatrixModel()
    qtmodeltester.check(m)
    with qtbot.waitSignals([m.modelAboutToBeReset, m.modelReset]):
        m.set_matrix(KNOWN, ROWS, COLS)
    assert (m.rowCount(), m.columnCount()) == (2, 3)
    assert m.matrix() is not None and np.array_equal(m.matrix(), KNOWN)
    qtmodeltester.check(m)
    with pytest.raises(ValueError):
        m.set_matrix(KNOWN, ROWS[:1], COLS)


def test_display_tooltip_and_headers(model):
    ix = model.index
    assert model.data(ix(0, 0), D) == "1.5"
    assert model.data(ix(0, 1), D) == "−2"            # a real minus sign
    assert model.data(ix(0, 2), D) == "0"
    assert model.data(ix(1, 0), D) == "0.3333"        # 4 significant digits by default
    assert model.data(ix(1, 1), D) == "1e−07"
    assert model.data(ix(1, 2), D) == "−1.235e+05"
    assert model.data(ix(1, 0), VALUE_ROLE) == 1 / 3
    tip = model.data(ix(1, 0), TT)
    assert tip.startswith("row 2 ↔ z¹₂, column 1 ↔ a¹₁: ")
    assert tip.endswith(repr(1 / 3)) and "0.3333333333333333" in tip   # full precision
    assert model.headerData(0, H, D) == "a¹₁"
    assert model.headerData(2, H, D) == "a¹₃"
    assert model.headerData(1, V, D) == "z¹₂"
    assert model.headerData(3, H, D) is None
    align = model.data(ix(0, 0), AL)
    assert align & Qt.AlignmentFlag.AlignRight and align & Qt.AlignmentFlag.AlignVCenter
    assert model.data(QModelIndex(), D) is None


def test_tooltip_says_which_derivative(model):
    model.set_describe(lambda i, j: f"d {model.col_labels()[j]} / d {model.row_labels()[i]}")
    assert model.data(model.index(1, 0), TT) == (
        f"row 2 ↔ z¹₂, column 1 ↔ a¹₁: d a¹₁ / d z¹₂ = {repr(1 / 3)}")


def test_headers_without_labels_count_from_one():
    m = MatrixModel(np.eye(2))
    assert [m.headerData(k, H, D) for k in range(2)] == ["1", "2"]
    assert m.data(m.index(1, 1), TT) == "row 2, column 2: 1.0"


def test_the_same_shape_again_updates_in_place_without_a_reset(qtbot, model):
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    with qtbot.waitSignals([model.dataChanged, model.headerDataChanged]):
        model.set_matrix(-KNOWN, ROWS[::-1], COLS)
    assert resets == []                                   # an open cell editor or a selection stays
    assert model.data(model.index(0, 0), D) == "−1.5" and model.headerData(0, V, D) == "z¹₂"


def test_an_editable_model_hands_typed_text_to_its_owner_and_never_changes_the_array(qtmodeltester):
    seen = []

    def on_edit(row, col, text):
        seen.append((row, col, text))
        return None if text == "2" else "not a number"

    m = MatrixModel(KNOWN, on_edit=on_edit, colored=False, precision=4)
    qtmodeltester.check(m)
    seen.clear()
    ix = m.index(1, 0)
    assert m.editable() and m.flags(ix) & Qt.ItemFlag.ItemIsEditable
    assert m.data(ix, Qt.ItemDataRole.EditRole) == repr(1 / 3)   # the cell editor starts from every digit
    assert m.setData(ix, "abc") is False                          # refused: the owner says why
    assert m.setData(ix, "2") is True
    assert seen == [(1, 0, "abc"), (1, 0, "2")]
    assert np.array_equal(m.matrix(), KNOWN)            # the owner sets the new array (undoably), not the model


def test_a_read_only_model_refuses_edits(model):
    ix = model.index(0, 0)
    assert not model.editable() and not model.flags(ix) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(ix, "2") is False and model.data(ix, D) == "1.5"


def test_an_uncoloured_table_mutes_zeros_and_shows_a_typed_tiny_value():
    a = np.array([[0.0, 1e-20], [2.0, -1.0]])
    m = MatrixModel(a, on_edit=lambda r, c, text: None, colored=False, theme=DARK)
    assert m.data(m.index(0, 0), BG) is None and m.data(m.index(0, 0), FG) == DARK.muted
    assert m.data(m.index(1, 0), BG) is None and m.data(m.index(1, 0), FG) is None
    assert m.data(m.index(0, 1), D) == format_number(1e-20) == "1e−20"   # what was typed shows
    computed = MatrixModel(a)
    assert computed.data(computed.index(0, 1), D) == "0"                  # a result's rounding noise shows 0
    m.set_theme(LIGHT)
    assert m.data(m.index(0, 0), FG) == LIGHT.muted


def test_header_tips_name_what_a_row_or_column_is():
    m = MatrixModel(np.eye(2), ["in1", "in2"])
    assert m.headerData(1, V, TT) == "row 2 ↔ in2" and m.headerData(0, H, TT) == "column 1"
    m.row_tip = lambda k: f"input {k + 1}"
    assert m.headerData(1, V, TT) == "input 2" and m.headerData(0, H, TT) == "column 1"


def test_precision_changes_display(qtbot, model):
    ix = model.index(1, 0)
    with qtbot.waitSignal(model.dataChanged):
        model.set_precision(2)
    assert model.data(ix, D) == "0.33"
    model.set_precision(8)
    assert model.data(ix, D) == "0.33333333"
    assert model.data(ix, TT).endswith(repr(1 / 3))   # the tooltip stays at full precision
    assert format_number(-0.0) == "0" and format_number(float("nan")) == "NaN"
    assert format_number(float("-inf")) == "−∞"


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_diverging_colours(theme):
    a = np.array([[1.0, -1.0, 0.0, 0.25]])
    m = MatrixModel(a, theme=theme)
    pos, neg, zero, weak = (m.data(m.index(0, j), BG) for j in range(4))
    assert abs(pos.hueF() - neg.hueF()) > 0.2             # red-ish vs blue-ish
    assert zero == QColor(theme.surface)                   # 0 is the plain surface
    assert weak.hueF() == pytest.approx(pos.hueF(), abs=0.05)
    assert weak.saturationF() < pos.saturationF()          # |0.25| is paler than |1|
    for j in range(4):                                     # text stays readable on every cell
        assert contrast(m.data(m.index(0, j), BG), m.data(m.index(0, j), FG)) >= 4.5
    m.set_theme(DARK if theme is LIGHT else LIGHT)
    assert m.data(m.index(0, 2), BG) != zero


def test_colour_scale_is_max_abs():
    m = MatrixModel(np.array([[2.0, -4.0, 1.0]]))
    lut = diverging_lut(LIGHT)
    assert m.data(m.index(0, 1), BG) == QColor.fromRgba(int(lut[0]))        # −max: the end of the scale
    assert m.data(m.index(0, 0), BG) == QColor.fromRgba(int(lut[LUT_HALF + LUT_HALF // 2]))  # +max/2
    assert list(lut_index(np.array([-4.0, 0.0, 4.0, np.nan]), 4.0)) == [0, LUT_HALF, 2 * LUT_HALF, LUT_HALF]


def test_pretty_labels():
    assert pretty_label("z^1_2") == "z¹₂"
    assert pretty_label("W^2_3·") == "W²₃·"
    assert pretty_label("dz_k") == "dzₖ"
    assert pretty_label("w0^1_10") == "w0¹₁₀"
    assert pretty_label("L") == "L"


# ---------------------------------------------------------------- the view
def test_small_matrix_is_a_table(qtbot):
    v = MatrixView()
    qtbot.addWidget(v)
    v.set_matrix(KNOWN, ROWS, COLS, title="dA<sup>1</sup>/dZ<sup>1</sup>")
    assert not v.is_heatmap()
    assert np.array_equal(v.current_matrix(), KNOWN)
    assert v.table.model() is v.model and v.model.rowCount() == 2
    assert v.shape_label.text() == "2 × 3"
    v.set_precision(2)
    assert v.model.data(v.model.index(1, 0), D) == "0.33"
    v.set_matrix(np.ones((TABLE_LIMIT, TABLE_LIMIT)))
    assert not v.is_heatmap()
    v.set_matrix(np.ones((TABLE_LIMIT + 1, TABLE_LIMIT)))
    assert v.is_heatmap()
    assert use_table((500, 1)) and not use_table((61, 61))   # a long vector still reads as numbers


def test_big_matrix_is_a_fast_heatmap_with_hover_readout(qtbot):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2048, 2048))
    v = MatrixView()
    qtbot.addWidget(v)
    v.resize(600, 700)
    v.show()
    qtbot.waitExposed(v)
    v.set_matrix(a, title="big")   # its speed is measured in benchmarks/big_jacobian.py, not here
    assert v.is_heatmap()
    assert v.model.rowCount() == 0                      # no table behind it
    qtbot.wait(20)                                        # let the layout settle (the image follows its size)
    img = v.heatmap.image()
    rect = v.heatmap.image_rect()
    dpr = v.heatmap.devicePixelRatioF()
    # no more pixels than the screen area it is drawn on: each pixel stands for fr x fc cells ...
    fr, fc = v.heatmap.factors()
    assert (fr, fc) == (-(-2048 // int(rect.height() * dpr)), -(-2048 // int(rect.width() * dpr))) and fr > 1
    assert (img.width(), img.height()) == (-(-2048 // fc), -(-2048 // fr))
    assert img.width() <= rect.width() * dpr and img.height() <= rect.height() * dpr
    scale = np.abs(a).max()
    for i, j in [(0, 0), (1000, 17), (2047, 2047)]:     # ... in the colour of the one of largest |value|
        group = a[i // fr * fr:i // fr * fr + fr, j // fc * fc:j // fc * fc + fc].ravel()
        extreme = group[np.argmax(np.abs(group))]
        assert img.pixel(j // fc, i // fr) & 0xFFFFFF == int(heatmap_pixels(np.array([[extreme]]), LIGHT, scale)[0, 0]) & 0xFFFFFF
    assert rect.width() > 100 and rect.height() > 100
    pos = QPoint(int(rect.left() + 0.6 * rect.width()), int(rect.top() + 0.3 * rect.height()))
    # the cell under a pixel, worked out independently from where the image is drawn
    i = int((pos.y() - rect.top()) / rect.height() * 2048)
    j = int((pos.x() - rect.left()) / rect.width() * 2048)
    assert v.heatmap.cell_at(pos) == (i, j)
    qtbot.mouseMove(v.heatmap, pos)
    qtbot.waitUntil(lambda: v.hovered_cell() == (i, j), timeout=2000)
    assert v.readout_text().startswith(f"row {i + 1}, col {j + 1}: {format_number(a[i, j])}")
    assert v.value_at(i, j) == a[i, j]
    assert v.heatmap.cell_at(QPoint(int(rect.left()) - 5, int(rect.top()) - 5)) is None
    # a cell is less than a pixel high here: aim at its exact centre, not at a rounded pixel
    assert v.heatmap.cell_at(v.heatmap.cell_center(2047, 0)) == (2047, 0)


def test_heatmap_marks_non_finite_cells():
    a = np.zeros((70, 70))
    a[3, 4] = np.nan
    a[5, 6] = 1.0
    pix = heatmap_pixels(a, LIGHT)
    assert pix[3, 4] == np.uint32(LIGHT.bad.rgba())
    assert pix[0, 0] == diverging_lut(LIGHT, 1.0)[LUT_HALF]


def test_big_diagonal_jacobian_is_drawn_without_dense(qtbot, monkeypatch):
    s = Session(wide_net(300))
    J = s.jacobian("Z1", "A1")
    assert J.kind == "diagonal" and J.shape == (300, 300)
    calls = []
    real_dense = Jacobian.dense
    monkeypatch.setattr(Jacobian, "dense", lambda self: calls.append(1) or real_dense(self))
    v = MatrixView()
    qtbot.addWidget(v)
    v.set_jacobian(J)
    assert v.is_heatmap() and calls == []
    d = J.diagonal
    assert v.value_at(5, 5) == d[5] and v.value_at(5, 6) == 0.0
    img = v.heatmap.image()
    zero = diverging_lut(LIGHT, 1.0)[LUT_HALF] & 0xFFFFFF
    assert img.pixel(6, 5) & 0xFFFFFF == zero
    assert img.pixel(5, 5) & 0xFFFFFF != zero
    assert v.row_labels()[0] == "z¹₁" and v.col_labels()[299] == "a¹₃₀₀"
    assert calls == []
    dense = v.current_matrix()                            # asked for: now it is made
    assert calls == [1] and np.array_equal(dense, np.diag(d))

    I = s.jacobian("W0_1", "Z1")                          # the identity too
    calls.clear()
    v.set_jacobian(I)
    assert v.is_heatmap() and calls == [] and v.value_at(7, 7) == 1.0 and v.value_at(7, 8) == 0.0


def test_small_jacobian_headers_and_tooltips(qtbot, session):
    session.next()
    v = MatrixView()
    qtbot.addWidget(v)
    J = session.jacobian("Z1", "A1")
    v.set_jacobian(J)
    assert not v.is_heatmap()
    m = v.model
    assert [m.headerData(k, V, D) for k in range(3)] == ["z¹₁", "z¹₂", "z¹₃"]
    assert [m.headerData(k, H, D) for k in range(3)] == ["a¹₁", "a¹₂", "a¹₃"]
    assert m.data(m.index(1, 0), TT) == "row 2 ↔ z¹₂, column 1 ↔ a¹₁: d a¹₁ / d z¹₂ = 0.0"
    assert v.shape_label.text() == "n¹ × n¹ = 3 × 3"


def test_view_theme_and_accent(qtbot):
    v = MatrixView()
    qtbot.addWidget(v)
    v.set_matrix(np.array([[0.0, 1.0]]))
    light = v.model.data(v.model.index(0, 0), BG)
    v.set_theme(DARK)
    assert v.model.data(v.model.index(0, 0), BG) == QColor(DARK.surface) != light
    v.set_accent(DARK.grad)
    v.set_matrix(np.ones((100, 100)))
    v.set_theme(LIGHT)                                   # the heatmap is redrawn in the new colours
    assert v.heatmap.image().pixel(0, 0) & 0xFFFFFF == diverging_lut(LIGHT, 1.0)[-1] & 0xFFFFFF


def test_context_menu_actions_copy(qtbot):
    v = MatrixView()
    qtbot.addWidget(v)
    a = np.array([[1.0, 0.0], [0.0, 2.0]])
    v.set_matrix(a)
    assert v.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert [act.text() for act in v.actions()] == ["Copy as CSV", "Copy as LaTeX (bmatrix)"]
    v.copy_csv_action.trigger()
    assert QGuiApplication.clipboard().text() == "1.0,0.0\n0.0,2.0\n"
    v.copy_latex_action.trigger()
    assert QGuiApplication.clipboard().text() == r"\begin{bmatrix} 1 & 0 \\ 0 & 2 \end{bmatrix}"
    v.set_matrix(np.ones((100, 100)))
    assert v.copy_csv_action.isEnabled() and not v.copy_latex_action.isEnabled()


# ---------------------------------------------------------------- clipboard formats
def test_csv_round_trips_exactly():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(6, 5)) * 10.0 ** rng.integers(-30, 30, size=(6, 5))
    a[0, 0], a[0, 1], a[1, 0], a[1, 1] = -0.0, 1 / 3, 5e-324, -1.7976931348623157e308
    text = matrix_to_csv(a)
    back = np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2)
    assert back.shape == a.shape
    assert np.array_equal(back, a)
    assert np.signbit(back[0, 0])                         # even −0.0 survives
    nan = np.array([[np.nan, np.inf, -np.inf]])
    assert np.array_equal(np.loadtxt(io.StringIO(matrix_to_csv(nan)), delimiter=",", ndmin=2), nan, equal_nan=True)


def test_csv_with_precision_and_vectors():
    assert matrix_to_csv(np.array([[1 / 3, -2.0]]), precision=3) == "0.333,-2\n"
    assert matrix_to_csv(np.array([1.0, 2.0])) == "1.0\n2.0\n"         # a 1-D array is a column
    assert matrix_to_csv(np.array([[1, 2]])) == "1,2\n"


def test_latex_format():
    assert matrix_to_latex(np.array([[1, 0], [0, 2]])) == r"\begin{bmatrix} 1 & 0 \\ 0 & 2 \end{bmatrix}"
    assert matrix_to_latex(np.array([[1 / 3, -0.5]])) == r"\begin{bmatrix} 0.333333 & -0.5 \end{bmatrix}"
    assert matrix_to_latex(np.array([[1 / 3]]), precision=2) == r"\begin{bmatrix} 0.33 \end{bmatrix}"
    assert matrix_to_latex(np.array([[1.5e-8, 1e20, -0.0]])) == \
        r"\begin{bmatrix} 1.5 \times 10^{-8} & 10^{20} & 0 \end{bmatrix}"
    assert matrix_to_latex(np.array([[np.nan, -np.inf]])) == r"\begin{bmatrix} \mathrm{NaN} & -\infty \end{bmatrix}"


def test_copy_matrix_puts_text_on_the_clipboard(qapp):
    a = np.array([[0.1, -2.5]])
    assert copy_matrix(a, "csv") == "0.1,-2.5\n" == QGuiApplication.clipboard().text()
    assert copy_matrix(a, "latex") == QGuiApplication.clipboard().text() == \
        r"\begin{bmatrix} 0.1 & -2.5 \end{bmatrix}"
    with pytest.raises(ValueError):
        copy_matrix(a, "xml")
