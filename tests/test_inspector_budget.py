"""Issue 9's critical crash, reproduced first: "Show full tensor" on a wide layer built n·m·n floats with no
limit (1 GB at 512 x 512); a MemoryError halfway left deleted views behind, and the next step crashed.

Here the budget is made small so a modest layer is "too big" and the tests stay light."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from chainview.core import Session, budget, build_net
from chainview.gui.inspector.panel import Inspector
from chainview.gui.inspector.matrix_view import MatrixView
from chainview.gui.theme import LIGHT


@pytest.fixture
def small_budget():
    before = budget.budget()
    budget.set_budget(nbytes=1 * 2 ** 20)          # 1 MB: a 64 x 64 layer's tensor (2 MB) is over it
    yield
    budget.set_budget(*before)


def wide_session(units=64):
    net = build_net([[0.5]] * units, [[1.0]], "squared",
                    [{"units": units, "activation": "tanh"}, {"units": 1, "activation": "identity"}], seed=2)
    s = Session(net)
    s.jump(len(s.steps))
    return s


def test_show_full_tensor_over_budget_says_why_and_offers_one_units_slices(qtbot, small_budget, monkeypatch):
    s = wide_session()
    insp = Inspector(s, LIGHT)
    qtbot.addWidget(insp)
    s.select(("W1", "Z1"))
    J = s.jacobian("W1", "Z1")
    monkeypatch.setattr(type(J), "tensor", lambda self: pytest.fail("the full tensor was built over budget"))
    qtbot.mouseClick(insp.tensor_button, Qt.MouseButton.LeftButton)
    text = insp.selection_text()
    assert "over the 1 MB budget" in text and "2 MB" in text
    assert insp.tensor_slice_count() == 64                  # every unit's slice is on offer, one at a time
    assert len(insp.tensor_views) == 1
    S = insp.tensor_views[0].current_matrix()
    a = s.evaluation.values["A0"][:, 0]
    assert S.shape == (64, 64)
    np.testing.assert_array_equal(S[:, 0], a)
    assert np.count_nonzero(S[:, 1:]) == 0
    insp.tensor_combo.setCurrentIndex(5)
    S = insp.tensor_views[0].current_matrix()
    np.testing.assert_array_equal(S[:, 5], a)
    s.previous()                                                # the next step after it must not crash
    s.next()


def test_a_memory_error_while_building_leaves_the_inspector_usable_and_says_what(qtbot, monkeypatch):
    s = wide_session(8)
    insp = Inspector(s, LIGHT)
    qtbot.addWidget(insp)
    real = MatrixView.set_matrix

    def too_big(self, matrix, *args, **kwargs):
        if np.asarray(matrix).shape == (8, 8):
            raise MemoryError()
        return real(self, matrix, *args, **kwargs)

    monkeypatch.setattr(MatrixView, "set_matrix", too_big)
    s.select("W1")                                          # its value is 8 x 8: "too big" here
    text = insp.selection_text()
    assert "not enough memory" in text and "W¹" in text
    for view in insp.matrix_views():                        # none of them is a deleted C++ object
        view.set_precision(4)
    monkeypatch.setattr(MatrixView, "set_matrix", real)
    s.select("Z1")
    s.previous()
    s.next()
    s.select("W1")
    assert insp.value_view is not None and insp.value_view.current_matrix().shape == (8, 8)


def test_copying_a_matrix_too_big_for_the_budget_says_why_and_copies_nothing(qtbot, small_budget):
    from PySide6.QtGui import QGuiApplication
    from chainview.gui.app import create_main_window
    from chainview.gui.settings import Settings
    s = wide_session(200)                                   # 200 x 200 cells: ~4 MB of text work, over 1 MB
    w = create_main_window(s, Settings.ephemeral())
    qtbot.addWidget(w)
    QGuiApplication.clipboard().setText("before")
    s.select("W1")
    assert w.copy_matrix("csv") is False
    assert "Not copied" in w.statusBar().currentMessage() and "budget" in w.statusBar().currentMessage()
    assert QGuiApplication.clipboard().text() == "before"
