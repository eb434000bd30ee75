"""Session: the step cursor, what is known at each position, selection, layout/example switches,
and the signals a view listens to."""

from __future__ import annotations

import numpy as np
import pytest

from chainview.core import (LAYOUTS, Session, build_net, edge_list, evaluate, node_ids, reading_order, schedule,
                            sgd_step)


class Recorder:
    """Connects to every signal of a session and keeps (name, args) in order."""

    NAMES = ("net_changed", "position_changed", "layout_changed", "example_changed", "selection_changed",
             "check_changed")

    def __init__(self, session):
        self.calls = []
        for name in self.NAMES:
            getattr(session, name).connect(lambda *args, _n=name: self.calls.append((_n, args)))

    def of(self, name):
        return [args for n, args in self.calls if n == name]

    def clear(self):
        self.calls.clear()


def three_layer_net(b=1):
    rng = np.random.default_rng(3)
    return build_net(rng.normal(size=(2, b)), rng.normal(size=(1, b)), "squared",
                     [{"units": 3, "activation": "tanh"}, {"units": 2, "activation": "relu"},
                      {"units": 1, "activation": "identity"}], seed=4)


# ------------------------------------------------------------------------------- the cursor
def test_starts_at_zero_with_nothing_done(session):
    assert session.position == 0 and session.current is None and session.done() == []
    assert len(session.steps) == 14 and session.forward_length == 5


def test_next_previous_jump_reset_run_to_end_finish_forward(session):
    rec = Recorder(session)
    session.next()
    assert session.position == 1 and session.current.node == "Z1" and session.current.phase == "forward"
    session.next()
    session.next()
    assert session.current.node == "Z2"
    session.previous()
    assert session.current.node == "A1"
    session.finish_forward()
    assert session.position == 5 and session.current.node == "L"
    session.jump(8)
    assert session.current.node == "W2" and session.current.phase == "backward"
    session.finish_forward()                      # never moves backward
    assert session.position == 8
    session.run_to_end()
    assert session.position == 14 and session.current.node == "A0"
    session.reset()
    assert session.position == 0 and session.current is None
    assert rec.of("position_changed") == [(0, 1), (1, 2), (2, 3), (3, 2), (2, 5), (5, 8), (8, 14), (14, 0)]
    assert {n for n, _ in rec.calls} == {"position_changed"}


def test_clamping_and_no_signal_without_a_move(session):
    rec = Recorder(session)
    session.previous()
    session.reset()
    session.jump(-5)
    assert session.position == 0
    session.jump(999)
    assert session.position == 14
    session.next()
    session.run_to_end()
    session.jump(14.0)
    assert session.position == 14
    assert rec.of("position_changed") == [(0, 14)]
    session.jump("3")                           # int() of what a spin box gives
    assert session.position == 3


def test_current_and_done_follow_the_schedule(session):
    order = schedule(2)
    for k in range(len(order) + 1):
        session.jump(k)
        assert [(s.phase, s.node) for s in session.done()] == list(order[:k])
        if k:
            assert (session.current.phase, session.current.node) == order[k - 1]
    assert [s.node for s in session.done(3)] == ["Z1", "A1", "Z2"]


def test_known_values_and_grads(session):
    givens = {"A0", "Y", "W1", "W0_1", "W2", "W0_2"}
    assert session.known_values() == givens and session.known_grads() == set()
    session.jump(2)
    assert session.known_values() == givens | {"Z1", "A1"}
    session.finish_forward()
    assert session.known_values() == givens | {"Z1", "A1", "Z2", "A2", "L"}
    assert session.known_grads() == set()
    session.jump(7)
    assert session.known_grads() == {"A2", "Z2"}
    session.run_to_end()
    assert session.known_values() == set(node_ids(2))
    assert session.known_grads() == {n for n in node_ids(2) if n not in ("Y", "L")}
    session.jump(6)
    assert session.known_grads() == {"A2"}          # going back forgets


# ------------------------------------------------------------------------------ set_net
def test_set_net_keeps_position_example_and_selection(example_net):
    net = example_net("softmax-3class")
    s = Session(net, example=2)
    s.jump(9)
    s.select(("Z1", "A1"))
    old_eval = s.evaluation
    old_steps = s.steps
    old_J = s.jacobian("Z1", "A1")
    rec = Recorder(s)
    trained = sgd_step(net, 0.1)
    s.set_net(trained)
    assert s.net is trained
    assert s.position == 9 and s.example == 2 and s.selection == ("Z1", "A1")
    assert rec.of("net_changed") == [()]
    # caches are gone: the new numbers are there
    assert s.evaluation is not old_eval and s.steps is not old_steps
    assert s.evaluation.loss == pytest.approx(evaluate(trained).loss)
    assert s.evaluation.loss != pytest.approx(old_eval.loss)
    assert not np.allclose(s.jacobian("Z1", "A1").dense(), old_J.dense())
    np.testing.assert_array_equal(s.steps[0].value, evaluate(trained).values["Z1"])


def test_set_net_clamps_what_no_longer_exists(example_net):
    s = Session(three_layer_net(b=3), example=2)
    s.run_to_end()
    assert s.position == 20
    s.select("Z3")
    s.run_check()
    assert s.check_report is not None
    smaller = example_net("default")             # 2 layers, 1 example
    s.set_net(smaller)
    assert s.position == len(s.steps) == 14
    assert s.example == 0
    assert s.selection is None
    assert s.check_report is None
    s.set_net(three_layer_net())
    assert s.position == 14                       # kept where it still exists
    assert s.current.node == "W2"


# ------------------------------------------------------------------------------ selection
def test_selection(session):
    rec = Recorder(session)
    session.select("Z1")
    session.select("Z1")                          # no change, no signal
    session.select(["Z1", "A1"])                  # a list from JSON or a view becomes a tuple
    assert session.selection == ("Z1", "A1")
    session.select(("A1", "Z2"))
    session.select(None)
    assert session.selection is None
    assert rec.of("selection_changed") == [("Z1",), (("Z1", "A1"),), (("A1", "Z2"),), (None,)]


@pytest.mark.parametrize("bad", ["Z3", "W0_0", "X", ("A1", "Z1"), ("Z1", "Z2"), ("A0", "Z2"), ("Y", "A2"), "z1"])
def test_select_unknown_raises_key_error_and_keeps_the_selection(session, bad):
    session.select("A1")
    rec = Recorder(session)
    with pytest.raises(KeyError):
        session.select(bad)
    assert session.selection == "A1" and rec.calls == []


def test_every_node_and_edge_can_be_selected(session):
    for node in node_ids(2):
        session.select(node)
        assert session.selection == node
    for edge in edge_list(2):
        session.select(edge)
        assert session.selection == edge


# -------------------------------------------------------------------- layout and example
def test_layout_switch_invalidates_steps_graph_and_jacobians(session):
    session.jump(11)
    steps, graph, J, ev = session.steps, session.graph, session.jacobian("A0", "Z1"), session.evaluation
    rec = Recorder(session)
    session.set_layout("numerator")
    assert session.evaluation is ev                                # the layout does not change the numbers
    assert rec.of("layout_changed") == [("numerator",)]
    assert session.layout == "numerator" and session.position == 11
    assert session.steps is not steps and session.graph is not graph
    assert session.graph.graph["layout"] == "numerator"
    J2 = session.jacobian("A0", "Z1")
    assert J2.layout == "numerator"
    np.testing.assert_array_equal(J2.dense(), J.dense().T)
    assert session.current.shapes == "(1x3)(3x3) -> (1x3)"        # dL/dZ^1 as a row
    session.set_layout("numerator")                                # same: nothing happens
    assert rec.of("layout_changed") == [("numerator",)]
    with pytest.raises(ValueError):
        session.set_layout("transposed")
    assert session.layout == "numerator"
    session.set_layout("denominator")
    assert session.current.shapes == "(3x3)(3x1) -> (3x1)"
    assert [a for a in rec.of("layout_changed")] == [("numerator",), ("denominator",)]


def test_example_switch_invalidates_graph_and_jacobians(example_net):
    s = Session(example_net("softmax-3class"))
    graph, J = s.graph, s.jacobian("Z2", "A2")
    evaluation, steps = s.evaluation, s.steps
    rec = Recorder(s)
    s.set_example(1)
    assert rec.of("example_changed") == [(1,)]
    assert s.example == 1 and s.graph is not graph and s.graph.graph["example"] == 1
    J1 = s.jacobian("Z2", "A2")
    assert not np.allclose(J1.dense(), J.dense())
    a = evaluation.values["A2"][:, 1]
    np.testing.assert_allclose(J1.dense(), np.diag(a) - np.outer(a, a), rtol=1e-14, atol=1e-16)
    assert s.evaluation is evaluation and s.steps is steps      # the example does not change the numbers
    s.set_example(1)
    assert rec.of("example_changed") == [(1,)]
    for bad in (-1, 3):
        with pytest.raises(ValueError):
            s.set_example(bad)
    assert s.example == 1


def test_constructor_checks_layout_and_example(default_net):
    for layout in LAYOUTS:
        assert Session(default_net, layout=layout).layout == layout
    with pytest.raises(ValueError):
        Session(default_net, layout="transposed")
    with pytest.raises(ValueError):
        Session(default_net, example=1)             # the default example has one column


# ---------------------------------------------------------------------- graph and check
def test_graph_holds_every_node_and_edge_with_its_numbers(session):
    G = session.graph
    assert set(G.nodes) == set(node_ids(2))
    assert list(G.edges) == list(edge_list(2))
    assert G.nodes["W1"]["shape"] == (2, 3) and G.nodes["W1"]["dims"] == ("m^1", "n^1")
    assert G.nodes["Z1"]["layer"] == 1 and G.nodes["Y"]["layer"] == 2
    np.testing.assert_array_equal(G.nodes["Z1"]["grad"], session.evaluation.grads["Z1"])
    assert G.nodes["L"]["grad"] is None
    edge = G.edges["Z1", "A1"]
    assert edge["shape"] == (3, 3) and edge["dims"] == ("n^1", "n^1") and edge["kind"] == "diagonal"
    np.testing.assert_array_equal(edge["value"].dense(), session.jacobian("Z1", "A1").dense())


def test_run_check_emits_the_report(session):
    rec = Recorder(session)
    report = session.run_check()
    assert report.ok and session.check_report is report
    assert rec.of("check_changed") == [(report,)]


@pytest.mark.parametrize("L", [1, 2, 5])
def test_reading_order_is_every_node_then_the_edges_leaving_it(L):
    order = reading_order(L)
    nodes = [x for x in order if isinstance(x, str)]
    edges = [x for x in order if isinstance(x, tuple)]
    assert nodes == list(node_ids(L)) and sorted(edges) == sorted(edge_list(L))
    for k, item in enumerate(order):
        if isinstance(item, tuple):                       # an edge comes right after its source's run
            src = order.index(item[0])
            assert src < k and all(isinstance(x, tuple) and x[0] == item[0] for x in order[src + 1:k])


def test_select_next_walks_every_item_and_wraps(session):
    order = reading_order(session.net.L)
    session.select_next()                                 # nothing selected, step 0: the first item
    seen = [session.selection]
    for _ in range(len(order) - 1):
        session.select_next()
        seen.append(session.selection)
    assert seen == list(order)
    session.select_next()
    assert session.selection == order[0]                  # wraps around
    session.select_next(-1)
    assert session.selection == order[-1]                 # and back


def test_select_next_starts_at_the_current_steps_node(session):
    session.jump(3)
    changes = []
    session.selection_changed.connect(changes.append)
    session.select_next()
    assert session.selection == session.current.node == "Z2" and changes == ["Z2"]
    session.select_next()
    assert session.selection == ("Z2", "A2")
    session.select(None)
    session.jump(0)
    session.select_next(-1)
    assert session.selection == "L"
