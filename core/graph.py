"""The computation graph as a networkx DiGraph: built first, from the net, and read by everything else.

`net_graph(net)` is the model: one node per value (A0..AL, Z1..ZL, W^l for every layer with a W
of its own, W0_1..W0_L, Y, R with weight decay, L) and one edge per local dependency, each with
its "role" (see core.nodes). Everything else is a graph query on it, made once per shape of net
and cached (`Structure`): the drawing order, the edge list, the reading order, the step schedule,
and the forward / backward plans the engine walks.

`build_graph(ev)` is the same graph dressed with one evaluation's numbers: values, gradients and
lazy Jacobians (a diagonal one is not made dense until asked), with symbols and shapes for the
chosen layout and example. The canvas and the trace JSON read that.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .nodes import DECAY, INPUT, LOSS, ROLE_ORDER, TARGET, a_id, node_id, w0_id, w_id, z_id
from .symbols import node_dims, node_symbol

if TYPE_CHECKING:  # pragma: no cover
    import networkx
    from .engine import Evaluation
    from .net import Net


# ------------------------------------------------------------------ shape of a net


def signature(net_or_L) -> tuple:
    """What the graph depends on: per layer (tie, skip_from), and whether there is weight decay.

    An int L means a plain L-layer chain (today's MLP)."""
    if isinstance(net_or_L, int):
        return ((None, None),) * net_or_L, False
    return net_or_L.signature


@dataclass(frozen=True, eq=False)
class Structure:
    graph: "networkx.DiGraph"
    L: int
    node_ids: tuple[str, ...]                    # drawing order (topological, layer by layer)
    edge_list: tuple[tuple[str, str], ...]       # drawing order: by target, then role
    edge_set: frozenset
    node_set: frozenset
    reading_order: tuple                         # each node followed by the edges that leave it
    schedule: tuple[tuple[str, str], ...]        # (phase, node): forward values, then backward gradients
    forward_plan: tuple                          # (node, kind, layer, ((source, role), ...)) in topological order
    backward_plan: tuple                         # (node, ((target, role), ...)) in the backward schedule's order
    backward_program: tuple                      # the same with (target, role, layer, W id, A^(l-1) id) per edge
    givens: frozenset                            # nodes no edge feeds: A0, W, W0, Y
    w_of: dict                                   # layer l -> the W node Z^l uses (W^k when tied to k)
    roles: dict                                  # (source, target) -> role


def structure(net_or_L) -> Structure:
    """The cached Structure of a net (or of a plain L-layer chain)."""
    if isinstance(net_or_L, int):
        return _structure(signature(net_or_L))
    st = net_or_L.__dict__.get("_structure")
    if st is None:
        st = _structure(net_or_L.signature)
        object.__setattr__(net_or_L, "_structure", st)   # a Net never changes: ask the cache once
    return st


def net_graph(net_or_L) -> "networkx.DiGraph":
    """The DiGraph of a net's shape (shared and cached: do not change it)."""
    return structure(net_or_L).graph


@lru_cache(maxsize=128)
def _structure(sig: tuple) -> Structure:
    import networkx as nx
    layers, decay = sig
    L = len(layers)
    G = nx.DiGraph(L=L)
    rank = {"A0": 0, "W": 0, "W0": 1, "Z": 2, "A": 3}

    def add(node, kind, layer, order):
        G.add_node(node, kind=kind, layer=layer, order=order, symbol=node_symbol(node))

    add(INPUT, "A", 0, (0, 0))
    w_of = {}
    for l, (tie, skip) in enumerate(layers, start=1):
        if tie is None:
            add(w_id(l), "W", l, (l, rank["W"]))
        add(w0_id(l), "W0", l, (l, rank["W0"]))
        add(z_id(l), "Z", l, (l, rank["Z"]))
        add(a_id(l), "A", l, (l, rank["A"]))
        w_of[l] = w_id(l if tie is None else tie)
    add(TARGET, "Y", L, (L + 1, 0))
    if decay:
        add(DECAY, "R", L, (L + 1, 1))
    add(LOSS, "L", L, (L + 2, 0))

    for l, (tie, skip) in enumerate(layers, start=1):
        z = z_id(l)
        G.add_edge(a_id(l - 1), z, role="input")
        G.add_edge(w_of[l], z, role="weight")
        G.add_edge(w0_id(l), z, role="offset")
        if skip is not None:
            G.add_edge(a_id(skip), z, role="skip")
        G.add_edge(z, a_id(l), role="activation")
    G.add_edge(a_id(L), LOSS, role="output")
    G.add_edge(TARGET, LOSS, role="target")
    if decay:
        for l, (tie, _) in enumerate(layers, start=1):
            if tie is None:
                G.add_edge(w_id(l), DECAY, role="decay")
        G.add_edge(DECAY, LOSS, role="penalty")

    # drawing order: a topological order that goes layer by layer (A0, W1, W0_1, Z1, A1, ..., Y, R, L)
    nodes = tuple(nx.lexicographical_topological_sort(G, key=lambda n: G.nodes[n]["order"]))
    pos = {n: i for i, n in enumerate(nodes)}
    edges = tuple(sorted(G.edges, key=lambda e: (pos[e[1]], ROLE_ORDER[G.edges[e]["role"]], pos[e[0]])))
    leaving: dict[str, list] = {}
    for e in edges:
        leaving.setdefault(e[0], []).append(e)
    reading = tuple(x for n in nodes for x in [n, *leaving.get(n, ())])
    givens = frozenset(n for n in nodes if G.in_degree(n) == 0)

    # forward: every computed node, in drawing order (a topological order)
    fwd_nodes = [n for n in nodes if n not in givens]
    feeding: dict[str, list] = {}
    for e in edges:
        feeding.setdefault(e[1], []).append(e)
    forward_plan = tuple((n, G.nodes[n]["kind"], G.nodes[n]["layer"],
                          tuple((u, G.edges[u, n]["role"]) for u, _ in feeding[n])) for n in fwd_nodes)

    # backward: a node's gradient is ready once every node it feeds has one; among the ready ones
    # the highest layer first, and in a layer A, then Z, then W, then W0 (today's order for a chain)
    back_rank = {"A": 0, "Z": 1, "W": 2, "W0": 3, "R": 0, "Y": 1, "L": 0}

    def back_key(n):
        d = G.nodes[n]
        kind = d["kind"]
        level = {"R": L + 1, "L": L + 2, "Y": L + 2}.get(kind, d["layer"])
        return (-level, back_rank[kind])

    back_nodes = [n for n in nx.lexicographical_topological_sort(G.reverse(copy=False), key=back_key)
                  if n not in (LOSS, TARGET)]
    backward_plan = tuple((n, tuple((v, G.edges[n, v]["role"]) for _, v in leaving.get(n, ())))
                          for n in back_nodes)
    def _edge_program(v, role):
        l = G.nodes[v]["layer"]
        z_layer = role in ("input", "weight", "offset", "skip")
        return v, role, l, (w_of[l] if z_layer else None), (a_id(l - 1) if z_layer else None)

    backward_program = tuple((n, tuple(_edge_program(v, role) for v, role in outs)) for n, outs in backward_plan)
    schedule = tuple([("forward", n) for n in fwd_nodes] + [("backward", n) for n in back_nodes])
    roles = {e: G.edges[e]["role"] for e in edges}
    G.graph["frozen"] = True
    nx.freeze(G)
    return Structure(G, L, nodes, edges, frozenset(edges), frozenset(nodes), reading, schedule,
                     forward_plan, backward_plan, backward_program, givens, w_of, roles)


# ------------------------------------------------------------------ with numbers


def build_graph(ev: "Evaluation", *, layout: str = "denominator", example: int = 0,
                jacobian=None) -> "networkx.DiGraph":
    """net_graph(ev.net) with this evaluation's numbers; `jacobian(u, v)` lets a caller share its cache."""
    import networkx as nx
    from .jacobians import edge_jacobian
    net = ev.net
    if jacobian is None:
        jacobian = lambda u, v: edge_jacobian(ev, u, v, layout=layout, example=example)
    st = structure(net)
    L, b = net.L, net.batch
    S = st.graph
    G = nx.DiGraph(layout=layout, example=example, loss=ev.loss, L=L, batch=b)
    for node in st.node_ids:
        d = S.nodes[node]
        G.add_node(node, kind=d["kind"], layer=d["layer"], symbol=d["symbol"],
                   dims=node_dims(node, L, b), shape=tuple(ev.values[node].shape),
                   value=ev.values[node], grad=ev.grads.get(node))
    for u, v in st.edge_list:
        J = jacobian(u, v)
        G.add_edge(u, v, symbol=J.symbol, dims=J.dims, shape=J.shape, kind=J.kind, value=J, jacobian=J,
                   role=st.roles[(u, v)])
    return G


def edge_list(net_or_L) -> tuple[tuple[str, str], ...]:
    """Every (source, target) edge, in drawing order (a shared tuple)."""
    return structure(net_or_L).edge_list


def node_ids(net_or_L) -> tuple[str, ...]:
    """Every node id, in drawing order (a shared tuple)."""
    return structure(net_or_L).node_ids


def reading_order(net_or_L) -> tuple:
    """Every node and edge as a person reads the graph, left to right: each node (in drawing order)
    followed by the edges that leave it. The order a keyboard walks the selection in."""
    return structure(net_or_L).reading_order


def schedule(net_or_L) -> tuple[tuple[str, str], ...]:
    """(phase, node) in order: forward values, then backward gradients dL/d(node) (a shared tuple)."""
    return structure(net_or_L).schedule
