"""The computation graph as a networkx DiGraph, the one structure both the CLI and the canvas draw.

Node ids are exactly A0..AL, Z1..ZL, W1..WL, W0_1..W0_L, Y, L. Edges carry their Jacobian
(lazy: a diagonal one is not made dense until asked) under "value", with its symbol and its
shape in symbols and numbers, for the chosen layout and example.
"""

from __future__ import annotations

from .engine import Evaluation, edge_list, node_ids  # noqa: F401  (edge_list: re-exported)
from .jacobians import edge_jacobian
from .symbols import node_dims, node_symbol, split_id


def build_graph(ev: Evaluation, *, layout: str = "denominator", example: int = 0, jacobian=None) -> "networkx.DiGraph":
    """`jacobian(u, v)` lets a caller share its cache of Jacobians (Session does)."""
    import networkx as nx  # slow to import (~0.15 s): trace, check and train never need it
    net = ev.net
    if jacobian is None:
        jacobian = lambda u, v: edge_jacobian(ev, u, v, layout=layout, example=example)
    L, b = net.L, net.batch
    G = nx.DiGraph(layout=layout, example=example, loss=ev.loss, L=L, batch=b)
    for node in node_ids(L):
        kind, l = split_id(node)
        layer = l if l is not None else L
        G.add_node(node, kind=kind, layer=layer, symbol=node_symbol(node),
                   dims=node_dims(node, L, b), shape=tuple(ev.values[node].shape),
                   value=ev.values[node], grad=ev.grads.get(node))
    for u, v in edge_list(L):
        J = jacobian(u, v)
        G.add_edge(u, v, symbol=J.symbol, dims=J.dims, shape=J.shape, kind=J.kind, value=J, jacobian=J)
    return G
