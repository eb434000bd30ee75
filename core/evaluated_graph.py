"""The net's graph dressed with one evaluation's numbers: what the canvas and the trace JSON read.

`build_graph(ev)` is core.graph's DiGraph of the net's shape with, on every node, its value,
gradient, symbol, dims and shape, and on every edge its lazy Jacobian (a diagonal one is not made
dense until asked), for the chosen layout and example. It lives above the engine and the Jacobians
(it needs both), so core.graph stays the plain shape of a net that they are built on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .engine import Evaluation
from .graph import structure
from .jacobians import edge_jacobian
from .symbols import node_dims, node_symbol

if TYPE_CHECKING:  # pragma: no cover
    import networkx


def dressed_tables(ev: Evaluation, *, layout: str = "denominator", example: int = 0,
                   jacobian=None) -> tuple[dict, list, list]:
    """build_graph's content as plain tables: (graph attributes, [(node, attributes)], [(u, v, attributes)]),
    in drawing order. `chainview trace --json` reads these, so it does not import networkx."""
    net = ev.net
    if jacobian is None:
        jacobian = lambda u, v: edge_jacobian(ev, u, v, layout=layout, example=example)
    st = structure(net)
    L, b = net.L, net.batch
    nodes = [(node, {"kind": st.kinds[node], "layer": st.layers[node], "symbol": node_symbol(node),
                     "dims": node_dims(node, L, b), "shape": tuple(ev.values[node].shape),
                     "value": ev.values[node], "grad": ev.grads.get(node)})
             for node in st.node_ids]
    edges = []
    for u, v in st.edge_list:
        J = jacobian(u, v)
        edges.append((u, v, {"symbol": J.symbol, "dims": J.dims, "shape": J.shape, "kind": J.kind, "value": J,
                             "jacobian": J, "role": st.roles[(u, v)]}))
    return {"layout": layout, "example": example, "loss": ev.loss, "L": L, "batch": b}, nodes, edges


def build_graph(ev: Evaluation, *, layout: str = "denominator", example: int = 0,
                jacobian=None) -> "networkx.DiGraph":
    """net_graph(ev.net) with this evaluation's numbers; `jacobian(u, v)` lets a caller share its cache."""
    import networkx as nx
    attrs, nodes, edges = dressed_tables(ev, layout=layout, example=example, jacobian=jacobian)
    G = nx.DiGraph(**attrs)
    G.add_nodes_from(nodes)
    G.add_edges_from(edges)
    return G
