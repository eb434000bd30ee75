"""core.graph answers every query from plain node and edge tables and makes the networkx DiGraph
only when asked: that graph must be the tables exactly, and the engine must run without networkx."""

from __future__ import annotations

import subprocess
import sys

import networkx as nx
import numpy as np
import pytest

from chainview.core import build_net, net_graph
from chainview.core.graph import _structure, structure, topological_order


def _net(kind: str):
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    specs = [{"units": 3, "activation": "tanh"}, {"units": 3, "activation": "sigmoid"}, {"units": 3}]
    decay = 0.0
    if kind == "skip":
        specs[2]["skip_from"] = 0
        specs[1]["skip_from"] = 0
    elif kind == "tied":
        specs[2]["tie"] = 2
    elif kind == "decay":
        specs[1]["tie"] = 1
        decay = 0.1
    return build_net(X, Y, "squared", specs, seed=1, weight_decay=decay)


@pytest.mark.parametrize("kind", ["chain", "skip", "tied", "decay"])
def test_the_lazy_digraph_is_the_tables(kind):
    net = _net(kind)
    _structure.cache_clear()                  # a Structure of its own, whose graph is not made yet
    st = structure(net)
    assert "graph" not in st.__dict__         # nothing asked for it: not built
    G = net_graph(net)
    assert G is st.graph and nx.is_frozen(G) and G.graph == {"L": net.L, "frozen": True}
    assert list(G.nodes(data=True)) == [(n, a) for n, a in st.node_table]
    assert sorted(G.edges(data="role")) == sorted(st.edge_table)
    assert {e: G.edges[e]["role"] for e in G.edges} == st.roles
    assert {n: d["kind"] for n, d in G.nodes(data=True)} == st.kinds
    assert {n: d["layer"] for n, d in G.nodes(data=True)} == st.layers
    assert set(G.nodes) == st.node_set and set(G.edges) == st.edge_set
    assert st.givens == {n for n in G if G.in_degree(n) == 0}
    # the drawing order is networkx's own lexicographic topological order of that graph
    assert st.node_ids == tuple(nx.lexicographical_topological_sort(G, key=lambda n: G.nodes[n]["order"]))
    if kind == "skip":
        assert G.edges["A0", "Z3"]["role"] == "skip" and G.edges["A0", "Z2"]["role"] == "skip"
    if kind == "tied":
        assert "W3" not in G and G.edges["W2", "Z3"]["role"] == "weight"
    if kind == "decay":
        assert "W2" not in G and {u for u, _ in G.in_edges("R")} == {"W1", "W3"}


def test_the_backward_schedule_is_networkx_order_on_the_reversed_graph():
    """The same ready-first, key-then-insertion order networkx gives, on every kind of net."""
    for kind in ("chain", "skip", "tied", "decay"):
        net = _net(kind)
        st, G = structure(net), net_graph(net)
        rank = {"A": 0, "Z": 1, "W": 2, "W0": 3, "R": 0, "Y": 1, "L": 0}
        level = {"R": net.L + 1, "L": net.L + 2, "Y": net.L + 2}

        def key(n):
            kind_ = G.nodes[n]["kind"]
            return (-level.get(kind_, G.nodes[n]["layer"]), rank[kind_])

        expected = [n for n in nx.lexicographical_topological_sort(G.reverse(copy=False), key=key) if n not in "LY"]
        assert [n for phase, n in st.schedule if phase == "backward"] == expected


def test_topological_order_breaks_ties_by_the_given_order_and_puts_sources_first():
    nodes = ["c", "a", "b", "d"]
    edges = [("c", "d"), ("a", "d"), ("b", "a")]
    assert topological_order(nodes, edges, key=lambda n: 0) == ["c", "b", "a", "d"]
    assert topological_order(nodes, edges, key=lambda n: n) == ["b", "a", "c", "d"]


ENGINE_ONLY = r"""
import sys
import numpy as np
import chainview.core.engine as engine
from chainview.core import build_net, check_gradients, build_steps
from chainview.core.trace import trace_dict
from chainview.core.session import Session
rng = np.random.default_rng(0)
net = build_net(rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), "squared",
                [{"units": 2, "activation": "tanh"}, {"units": 2, "skip_from": 0}], seed=1, weight_decay=0.1)
ev = engine.evaluate(net)
assert ev.loss > 0 and ev.grads["W1"].shape == (2, 2)
assert check_gradients(ev).ok and len(build_steps(ev, "denominator")) > 0
assert len(trace_dict(Session(net))["edges"]) == len(engine.edge_list(net))
print("networkx" in sys.modules)
Session(net).graph
print("networkx" in sys.modules)
"""


def test_evaluating_checking_and_tracing_a_net_do_not_import_networkx():
    proc = subprocess.run([sys.executable, "-c", ENGINE_ONLY], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True"]     # and the canvas's graph still does


@pytest.mark.parametrize("kind", ["skip", "decay"])
def test_trace_json_lists_what_the_session_graph_holds_in_its_order(kind):
    """trace --json reads the plain tables, not session.graph, yet lists the same nodes and edges with the
    same labels, in the order networkx lists them (by source: a skip edge comes with its source)."""
    from chainview.core import Session
    from chainview.core.trace import trace_dict
    session = Session(_net(kind))
    data, G = trace_dict(session), session.graph
    assert list(data["nodes"]) == list(G.nodes)
    assert [(e["source"], e["target"]) for e in data["edges"]] == list(G.edges)
    assert list(G.edges) != list(structure(session.net).edge_list)      # the two orders really differ here
    for e in data["edges"]:
        d = G.edges[e["source"], e["target"]]
        assert (e["symbol"], tuple(e["dims"]), tuple(e["shape"]), e["kind"]) == (d["symbol"], d["dims"], d["shape"],
                                                                                  d["kind"])
    for node, n in data["nodes"].items():
        assert (n["kind"], n["layer"], n["symbol"], tuple(n["shape"])) == (
            G.nodes[node]["kind"], G.nodes[node]["layer"], G.nodes[node]["symbol"], G.nodes[node]["shape"])
