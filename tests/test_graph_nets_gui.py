"""The inspector and the canvas on nets with skips, ties and weight decay: every node, edge and step
shows without error, and a fork's step card lists its terms one under the other, then the sum."""

from __future__ import annotations

import numpy as np
import pytest

from chainview.core import Session, example_path
from chainview.core.netfile import load_net
from chainview.gui.canvas.scene import GraphScene
from chainview.gui.inspector.panel import Inspector
from chainview.gui.theme import LIGHT

V2 = ["residual-skip", "ridge-regression", "unrolled-tied"]


@pytest.mark.parametrize("name", V2)
@pytest.mark.parametrize("layout", ["denominator", "numerator"])
def test_every_step_node_and_edge_shows_in_the_inspector(qtbot, name, layout):
    s = Session(load_net(example_path(name)), layout=layout)
    insp = Inspector(s, LIGHT)
    qtbot.addWidget(insp)
    insp.resize(520, 800)
    sc = GraphScene(s, LIGHT)
    try:
        for k in range(len(s.steps) + 1):
            s.jump(k)
            step = s.current
            if step is not None and step.terms:
                # one row per term (its operands, "=", the term), then the sum: 2 views per operand pair
                results = [v for v in insp.step_views if v is not insp.step_result_view]
                assert insp.step_result_view is not None
                assert len(results) == len(step.operands) + len(step.terms)
                current = {e for e, item in sc.edge_items.items() if item.current}
                assert current == set(step.edges)           # every term's edge is highlighted
        for item in list(s.graph.nodes) + list(s.graph.edges):
            s.select(item)
    finally:
        sc.detach()


def test_a_fork_card_shows_each_terms_numbers(qtbot):
    s = Session(load_net(example_path("residual-skip")))
    insp = Inspector(s, LIGHT)
    qtbot.addWidget(insp)
    step = next(st for st in s.steps if st.phase == "backward" and st.node == "A1")
    s.jump(step.index + 1)
    ev, c = s.evaluation, s.example
    expected = [ev.values["W2"] @ ev.grads["Z2"][:, c:c + 1], ev.grads["Z3"][:, c:c + 1]]
    titled = {v.title(): v for v in insp.step_views}
    for i, want in enumerate(expected, start=1):
        view = next(v for t, v in titled.items() if f"term {i}" in t)
        np.testing.assert_allclose(view.model.matrix(), want, rtol=1e-12)
    np.testing.assert_allclose(insp.step_result_view.model.matrix(), expected[0] + expected[1], rtol=1e-12)
