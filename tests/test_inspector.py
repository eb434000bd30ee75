"""The inspector: node and edge numbers, the current step's product, the fused softmax shortcut."""

import os
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea

from chainview.core import Session, fused_output_gradient
from chainview.gui.inspector.panel import Inspector
from chainview.gui.inspector.matrix_model import format_number
from chainview.gui.theme import DARK, LIGHT

D = Qt.ItemDataRole.DisplayRole
H, V = Qt.Orientation.Horizontal, Qt.Orientation.Vertical


@pytest.fixture
def make(qtbot):
    def make(session, theme=LIGHT, size=(520, 800)):
        insp = Inspector(session, theme)
        qtbot.addWidget(insp)
        insp.resize(*size)
        return insp
    return make


def shown(view):
    """The numbers a MatrixView shows, as the strings on screen."""
    m = view.model
    return [[m.data(m.index(i, j), D) for j in range(m.columnCount())] for i in range(m.rowCount())]


def step_to(session, phase, node):
    k = next(s.index for s in session.steps if s.phase == phase and s.node == node)
    session.jump(k + 1)


# ---------------------------------------------------------------- nodes
def test_node_not_computed_then_computed(make, session):
    insp = make(session)
    session.select("Z1")
    assert insp.value_view is None
    text = insp.selection_text()
    assert "not computed yet" in text and "step 1" in text and "press →" in text
    assert "Z1" not in text and "Z¹" in text and "pre-activation" in text
    assert "n¹ × 1 = 3 × 1" in text

    session.next()
    z = session.evaluation.values["Z1"]
    assert insp.value_view is not None
    assert np.array_equal(insp.value_view.current_matrix(), z)
    assert shown(insp.value_view) == [[format_number(x)] for x in z[:, 0]]
    assert "not computed yet" in insp.selection_text()          # the gradient still is not
    assert insp.grad_view is None


def test_gradient_appears_after_its_backward_step(make, session):
    insp = make(session)
    session.select("Z1")
    step_to(session, "backward", "Z1")
    g = session.evaluation.grads["Z1"]
    assert insp.grad_view is not None
    assert np.array_equal(insp.grad_view.current_matrix(), g)
    session.previous()
    assert insp.grad_view is None and "computed at step 11" in insp.selection_text()


def test_givens_are_known_from_the_start(make, session):
    insp = make(session)
    session.select("W1")
    assert np.array_equal(insp.value_view.current_matrix(), session.evaluation.values["W1"])
    assert "weights" in insp.selection_text() and "m¹ × n¹ = 2 × 3" in insp.selection_text()
    m = insp.value_view.model
    assert m.headerData(0, V, D) == "a⁰₁" and m.headerData(2, H, D) == "z¹₃"   # W_ij joins a_i to z_j
    session.select("Y")
    assert "target" in insp.selection_text() and "nothing is learned" in insp.selection_text()


def test_weight_gradient_in_numerator_layout_is_node_shaped(make, session):
    insp = make(session)
    session.set_layout("numerator")
    session.select("W1")
    session.run_to_end()
    g = session.evaluation.grads["W1"]
    assert insp.grad_view.current_matrix().shape == g.shape == (2, 3)
    assert np.array_equal(insp.grad_view.current_matrix(), g)
    assert "node-shaped" in insp.selection_text()
    session.select("Z1")                                           # a vector's gradient is a row there
    assert insp.grad_view.current_matrix().shape == (1, 3)


# ---------------------------------------------------------------- edges
def test_edge_z1_a1_is_diagonal_tanh_derivative(make, session):
    insp = make(session)
    session.select(("Z1", "A1"))
    assert insp.jacobian_view is None                             # needs Z1, which step 1 computes
    assert "not computed yet" in insp.selection_text()
    session.next()
    view = insp.jacobian_view
    assert view is not None and not view.is_heatmap()
    J = view.current_matrix()
    assert J.shape == (3, 3)
    z = session.evaluation.values["Z1"][:, 0]
    assert np.all(J[~np.eye(3, dtype=bool)] == 0)
    np.testing.assert_allclose(np.diag(J), 1 - np.tanh(z) ** 2, rtol=1e-12)
    m = view.model
    assert [m.headerData(k, V, D) for k in range(3)] == ["z¹₁", "z¹₂", "z¹₃"]
    assert [m.headerData(k, H, D) for k in range(3)] == ["a¹₁", "a¹₂", "a¹₃"]
    assert shown(view)[0][1] == "0" and shown(view)[1][1] == format_number(1 - np.tanh(z[1]) ** 2)
    text = insp.selection_text()
    assert "n¹ × n¹ = 3 × 3" in text and "diagonal" in text
    assert "dA¹/dZ¹ = diag(f'(Z¹))" in text
    assert "only the diagonal" in text                            # J.explanation
    assert "row i ↔ z¹ᵢ, column j ↔ a¹ⱼ" in text


def test_layout_switch_transposes_the_edge(make, session):
    insp = make(session)
    session.select(("A0", "Z1"))
    den = insp.jacobian_view.current_matrix()
    assert den.shape == (2, 3) and np.array_equal(den, session.evaluation.values["W1"])
    session.set_layout("numerator")
    num = insp.jacobian_view.current_matrix()
    assert num.shape == (3, 2) and np.array_equal(num, den.T)
    assert insp.jacobian_view.model.headerData(0, V, D) == "z¹₁"
    assert "Numerator layout" in insp.selection_text()


def test_w_to_z_full_tensor(make, session, qtbot):
    insp = make(session)
    session.select(("W1", "Z1"))
    btn = insp.tensor_button
    assert btn is not None and btn.text() == "Show full tensor dZ/dW"
    assert insp.tensor_slice_count() == 0
    assert insp.jacobian_view.current_matrix().shape == (2, 1)     # the shorthand A^0
    qtbot.mouseClick(btn, Qt.MouseButton.LeftButton)
    n, m = session.net.n(1), session.net.m(1)
    assert insp.tensor_slice_count() == n == 3
    a = session.evaluation.values["A0"][:, 0]
    for k, view in enumerate(insp.tensor_views):
        S = view.current_matrix()
        assert S.shape == (m, n)
        np.testing.assert_array_equal(S[:, k], a)                   # slice k: only column k, and it is a
        assert np.count_nonzero(np.delete(S, k, axis=1)) == 0
    assert insp.tensor_button.text().startswith("Hide")
    session.next()                                                # stays open while the edge is selected
    assert insp.tensor_slice_count() == 3
    session.select("Z1")
    session.select(("W1", "Z1"))
    assert insp.tensor_slice_count() == 0


def test_notes_example_diag_2_4_6(make, example_net):
    s = Session(example_net("notes-z-squared"))
    insp = make(s)
    s.next()
    s.select(("Z1", "A1"))
    np.testing.assert_array_equal(insp.jacobian_view.current_matrix(), np.diag([2.0, 4.0, 6.0]))
    assert shown(insp.jacobian_view) == [["2", "0", "0"], ["0", "4", "0"], ["0", "0", "6"]]


def test_batch_example_switch(make, example_net):
    s = Session(example_net("softmax-3class"))
    insp = make(s)
    s.next()
    s.select(("Z1", "A1"))
    assert "Example 1 of 3" in insp.selection_text()
    s.set_example(1)
    z = s.evaluation.values["Z1"][:, 1]
    np.testing.assert_allclose(np.diag(insp.jacobian_view.current_matrix()), 1 - np.tanh(z) ** 2, rtol=1e-12)
    assert "Example 2 of 3" in insp.selection_text()
    s.select("Z1")
    assert insp.value_view.current_matrix().shape == (4, 3)          # a node shows its whole batch
    assert insp.value_view.model.headerData(2, H, D) == "ex 3"


# ---------------------------------------------------------------- the current step
def test_step_section_before_and_during(make, session):
    insp = make(session)
    assert "Step 0 of 14" in insp.step_text() and "Press → to compute" in insp.step_text()
    session.next()
    text = insp.step_text()
    assert "F1 · Forward step 1 of 5" in text and "Z¹ = W¹ᵀ A⁰ + W0¹" in text and "(3×2)(2×1) + (3×1) → (3×1)" in text
    W, A, W0 = (v.current_matrix() for v in insp.step_views[:3])
    np.testing.assert_allclose(W @ A + W0, insp.step_result_view.current_matrix())


def test_a_big_softmax_jacobian_in_the_chain_rule_is_drawn_without_making_it(make):
    """dL/dZ¹ = dA¹/dZ¹ · dL/dA¹ with 300 softmax units: the Jacobian is a heatmap read from its vector."""
    from chainview.core import build_net
    n = 300
    net = build_net([[0.3], [-0.2]], [[1.0]] + [[0.0]] * (n - 1), "nllm",
                    [{"units": n, "activation": "softmax"}], seed=2)
    session = Session(net)
    insp = make(session)
    step_to(session, "backward", "Z1")
    assert "dL/dZ¹ = dA¹/dZ¹ · dL/dA¹" in insp.step_text()
    J = session.jacobian("Z1", "A1")
    view = insp.step_views[0]
    assert view.is_heatmap() and view.jacobian() is J and J._dense is None
    a = session.evaluation.values["A1"][:, 0]
    for i, j in [(0, 0), (5, 7), (299, 3)]:
        assert view.value_at(i, j) == (-a[i]) * a[j] + (a[i] if i == j else 0.0)
    assert J._dense is None                             # read entry by entry: never made whole
    np.testing.assert_array_equal(view.current_matrix(), J.dense())     # asked for (Copy): made then


def test_backward_step_shows_the_chain_rule_with_numbers(make, session):
    insp = make(session)
    step_to(session, "backward", "Z1")
    text = insp.step_text()
    assert "dL/dZ¹ = dA¹/dZ¹ · dL/dA¹" in text and "(3×3)(3×1) → (3×1)" in text
    J, dA = (v.current_matrix() for v in insp.step_views[:2])
    ev = session.evaluation
    np.testing.assert_array_equal(J, session.jacobian("Z1", "A1").dense())
    np.testing.assert_array_equal(dA, ev.grads["A1"][:, :1])
    np.testing.assert_allclose(J @ dA, insp.step_result_view.current_matrix(), rtol=1e-12)
    np.testing.assert_array_equal(insp.step_result_view.current_matrix(), ev.grads["Z1"])


@pytest.mark.parametrize("name", ["default", "softmax-3class", "relu-regression", "sigmoid-classifier"])
@pytest.mark.parametrize("layout", ["denominator", "numerator"])
def test_every_product_step_multiplies_out(make, example_net, name, layout):
    s = Session(example_net(name), layout=layout)
    s.set_example(s.net.batch - 1)
    insp = make(s)
    for step in s.steps:
        s.jump(step.index + 1)
        ops = [v.current_matrix() for v in insp.step_views if v is not insp.step_result_view]
        assert len(ops) == len(step.operands), step.node
        assert [o.shape for o in ops] == [tuple(o.shape) for o in step.operands] or step.node.startswith("W0"), \
            (step.node, step.shapes)
        result = insp.step_result_view.current_matrix()
        if step.phase == "backward" and step.node[0] in "AZW" and not step.node.startswith("W0") \
                and step.node != f"A{s.net.L}":
            np.testing.assert_allclose(np.linalg.multi_dot(ops) if len(ops) > 2 else ops[0] @ ops[1], result,
                                       rtol=1e-10, atol=1e-14, err_msg=f"{step.node} {step.equation}")


# ---------------------------------------------------------------- fused softmax + nllm shortcut
def test_fused_shortcut_agrees(make, example_net):
    s = Session(example_net("softmax-3class"))
    insp = make(s)
    s.select("Z2")
    assert insp.fused_views == ()
    step_to(s, "backward", "Z2")
    shortcut, chain = fused_output_gradient(s.evaluation)
    a, c = insp.fused_views
    np.testing.assert_array_equal(a.current_matrix(), shortcut)
    np.testing.assert_array_equal(c.current_matrix(), chain)
    text = insp.selection_text()
    assert "dL/dZ² = A² − Y" in text and "They agree: max |difference| = " in text
    diff = float(re.search(r"max \|difference\| = (\S+)", text).group(1).replace("−", "-"))
    assert diff < 1e-12 and insp.fused_difference == pytest.approx(np.max(np.abs(shortcut - chain)))
    assert "Fused shortcut" not in insp.step_text()                 # shown once, with the selection

    s.select(None)                                                 # then the step section shows it
    assert "Fused shortcut" in insp.step_text() and len(insp.fused_views) == 2
    s.select(("Z2", "A2"))
    assert "Fused shortcut" in insp.selection_text()


def test_no_fused_shortcut_without_softmax_nllm(make, example_net):
    s = Session(example_net("relu-regression"))
    insp = make(s)
    s.select("Z2")
    s.run_to_end()
    assert insp.fused_views == () and "Fused" not in insp.text()


# ---------------------------------------------------------------- options, lifetime, layout
def test_precision_propagates(make, session):
    insp = make(session)
    session.select(("A0", "Z1"))
    session.next()
    insp.set_precision(2)
    assert all(v.precision() == 2 for v in insp.matrix_views()) and len(insp.matrix_views()) >= 4
    w = session.evaluation.values["W1"]
    assert shown(insp.jacobian_view)[0] == [format_number(x, 2) for x in w[0]]
    session.next()                                                 # views made later use it too
    assert all(v.precision() == 2 for v in insp.matrix_views())


def test_theme_switch(make, session):
    insp = make(session, DARK)
    session.select("W1")
    zero_bg = insp.value_view.model.data(insp.value_view.model.index(0, 0), Qt.ItemDataRole.BackgroundRole)
    insp.set_theme(LIGHT)
    assert insp.palette().color(insp.backgroundRole()) == LIGHT.background
    m = insp.value_view.model
    assert m.data(m.index(0, 0), Qt.ItemDataRole.BackgroundRole) != zero_bg


def test_net_change_and_selection_loss(make, session, example_net):
    insp = make(session)
    session.select("Z2")
    session.run_to_end()
    session.set_net(example_net("relu-kink"))
    assert session.selection == "Z2" and insp.value_view is not None
    np.testing.assert_array_equal(insp.value_view.current_matrix(), session.evaluation.values["Z2"])
    session.set_net(example_net("notes-z-squared"))
    assert insp.value_view is not None


def test_stops_listening_when_destroyed(qtbot, session):
    insp = Inspector(session, LIGHT)
    insp.deleteLater()
    qtbot.waitUntil(lambda: not session.position_changed._callbacks, timeout=2000)
    session.next()
    session.select("Z1")                                           # nothing left to call: no crash


def test_scrolls_at_small_sizes_and_uses_a_bigger_font(make, session, qapp):
    insp = make(session, size=(360, 300))
    session.select("Z2")
    session.run_to_end()
    insp.show()
    assert isinstance(insp.scroll, QScrollArea)
    qapp.processEvents()
    assert insp.scroll.verticalScrollBar().maximum() > 0
    assert insp.font().pointSizeF() > qapp.font().pointSizeF()
    session.select("A1")              # built while shown: its labels wait for the event loop to show them
    assert "A¹ · activation" in insp.selection_text() and "B9 · Backward step 9 of 9" in insp.text()


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize("selection, steps", [("Z1", 1), (("Z1", "A1"), 2), (("Z2", "A2"), 7)],
                         ids=["node", "edge", "fused"])
def test_renders(make, session, qapp, tmp_path, theme, selection, steps):
    insp = make(session, theme)
    session.jump(steps)
    session.select(selection)
    insp.show()
    qapp.processEvents()
    img = insp.grab().toImage()
    assert (img.width(), img.height()) == (520, 800)
    # not blank: many colours on screen (text, tables, diverging cells)
    colours = {img.pixel(x, y) for x in range(0, 520, 7) for y in range(0, 800, 7)}
    assert len(colours) > 20
    out = os.environ.get("CHAINVIEW_SHOTS")
    if out:
        name = selection if isinstance(selection, str) else "-".join(selection)
        img.save(os.path.join(out, f"inspector-{name}-{theme.name}.png"))


def test_follows_the_application_font(make, session, qapp):
    insp = make(session)
    session.select("W1")
    before = insp.font().pointSizeF()
    old = qapp.font()
    try:
        f = qapp.font()
        f.setPointSizeF(old.pointSizeF() * 1.5)
        qapp.setFont(f)
        qapp.processEvents()
        assert insp.font().pointSizeF() == pytest.approx(before * 1.5)
        assert insp.value_view.font().pointSizeF() == pytest.approx(before * 1.5)
    finally:
        qapp.setFont(old)
        qapp.processEvents()
    assert insp.font().pointSizeF() == pytest.approx(before)


def test_numerator_tensor_slices_are_transposed(make, session, qtbot):
    insp = make(session)
    session.set_layout("numerator")
    session.select(("W1", "Z1"))
    qtbot.mouseClick(insp.tensor_button, Qt.MouseButton.LeftButton)
    a = session.evaluation.values["A0"][:, 0]
    assert insp.tensor_slice_count() == 3
    for k, view in enumerate(insp.tensor_views):
        S = view.current_matrix()
        assert S.shape == (3, 2)
        np.testing.assert_array_equal(S[k], a)
    assert "transposed here" in insp.selection_text()


def test_text_leaves_out_hidden_captions(make, session):
    insp = make(session)
    session.select("W1")
    assert insp.selection_text().count("m¹ × n¹ = 2 × 3") == 1


def test_nothing_is_squashed_when_built_while_shown(make, session, qapp):
    """Sections rebuilt while the inspector is on screen get their full height (the scroll area grows)."""
    insp = make(session, size=(335, 600))
    insp.show()
    qapp.processEvents()
    session.jump(7)
    session.select(("Z2", "A2"))
    qapp.processEvents()
    from PySide6.QtWidgets import QLabel
    labels = [lab for lab in insp.selection_card.findChildren(QLabel) if lab.isVisible() and lab.wordWrap()]
    assert labels
    for lab in labels:
        assert lab.height() >= lab.heightForWidth(lab.width()) - 1, lab.text()[:40]
    table = insp.jacobian_view.table
    assert table.height() == table.sizeHint().height() or table.height() >= table.sizeHint().height()
    assert insp.scroll.verticalScrollBar().maximum() > 0


@pytest.mark.parametrize("name", ["unrolled-tied", "residual-skip", "ridge-regression"])
def test_fork_steps_fit_the_inspector_width(make, example_net, qtbot, name):
    """A fork's step card (every term, then the sum) wraps inside the inspector: nothing is wider than
    the scroll area, so no text is cut off at its right edge (a 3-term sum label once widened it)."""
    s = Session(example_net(name))
    insp = make(s, size=(420, 800))
    insp.show()
    area = insp.findChild(QScrollArea)
    forks = [st for st in s.steps if st.terms]
    assert forks, f"{name} has no fork step"
    for st in forks:
        s.jump(st.index + 1)
        qtbot.waitUntil(lambda: bool(insp.step_views))
        QApplication.processEvents()
        content = area.widget()
        assert content.minimumSizeHint().width() <= area.viewport().width(), st.title


# ---------------------------------------------------------------- pages
def test_a_new_page_listed_in_selection_pages_shows_its_selection(make, session, monkeypatch):
    """The extension point the module docstring names: a Page subclass, listed before the pages that would
    also say yes, builds the selection card with the Page's building blocks; the others are untouched."""
    from chainview.gui.inspector import panel
    from chainview.gui.inspector.page import Page

    class LossPage(Page):
        def shows(self, selection) -> bool:
            return selection == "L"

        def build(self, lay, selection) -> None:
            lay.addWidget(self.heading("The loss, on a page of its own"))
            view = self.view()
            view.set_matrix(self.session.evaluation.values["L"])
            self.inspector.value_view = view
            lay.addWidget(view)

    monkeypatch.setattr(panel, "SELECTION_PAGES", (LossPage,) + panel.SELECTION_PAGES)
    insp = make(session)
    session.jump(len(session.steps))
    session.select("L")
    assert "The loss, on a page of its own" in insp.selection_text()
    assert insp.value_view.current_matrix()[0, 0] == session.evaluation.values["L"][0, 0]
    session.select("Z1")                                   # the node page, as before
    assert "The loss, on a page of its own" not in insp.selection_text()
    assert "pre-activation" in insp.selection_text()
    assert isinstance(insp.selection_page("Z1"), panel.NodePage)
    assert isinstance(insp.selection_page(("Z1", "A1")), panel.EdgePage)
    assert isinstance(insp.selection_page(None), panel.NothingSelectedPage)
