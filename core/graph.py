"""The computation graph of a net's shape: built first, from the net, and read by everything else.

The model is one node per value (A0..AL, Z1..ZL, W^l for every layer with a W of its own,
W0_1..W0_L, Y, R with weight decay, L) and one edge per local dependency, each with its "role"
(see core.nodes), kept as two plain tables (`Structure.node_table`, `edge_table`). Every query is
made from them once per shape of net and cached (`Structure`): the drawing order, the edge list,
the reading order, the step schedule, each node's kind and layer, and the forward / backward plans
the engine walks. `net_graph(net)` is the same tables as a networkx DiGraph, made on first request.

core.evaluated_graph.build_graph dresses that graph with one evaluation's numbers (what the canvas
and the trace JSON read).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from .nodes import DECAY, INPUT, LOSS, ROLE_ORDER, TARGET, a_id, w0_id, w_feeding, w_id, z_id
from .symbols import node_symbol

if TYPE_CHECKING:  # pragma: no cover
    import networkx


# ------------------------------------------------------------------ shape of a net


def signature(net_or_L) -> tuple:
    """What the graph depends on: per layer (tie, skip_from), and whether there is weight decay.

    An int L means a plain L-layer chain (today's MLP)."""
    if isinstance(net_or_L, int):
        return ((None, None),) * net_or_L, False
    return net_or_L.signature


@dataclass(frozen=True, eq=False)
class Structure:
    """A net's graph as the engine reads it, computed once per shape of net: orders, edges, plans."""

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
    kinds: dict                                  # node -> kind (A, W, W0, Z, Y, R, L)
    layers: dict                                 # node -> layer
    node_table: tuple                            # (node, {kind, layer, order, symbol}) in the order made
    edge_table: tuple                            # (source, target, role) in the order made

    @cached_property
    def graph(self) -> "networkx.DiGraph":
        """The tables as a frozen networkx DiGraph, made on first use: the model the canvas and trace read.

        Every query above is answered from the plain tables, so a command that never draws (compare,
        check, trace) does not import networkx: that saves its import, 0.18-0.22 s measured, a third of
        `chainview compare` (best of 7: 0.71 s against 1.15 s on a loaded machine)."""
        import networkx as nx
        G = nx.DiGraph(L=self.L)
        G.add_nodes_from((n, dict(attrs)) for n, attrs in self.node_table)
        G.add_edges_from((u, v, {"role": role}) for u, v, role in self.edge_table)
        G.graph["frozen"] = True
        return nx.freeze(G)


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


def topological_order(nodes, edges, key) -> list:
    """Kahn's algorithm, taking the smallest key(node) among the ready nodes (ties: the order of `nodes`).

    The same order as networkx's lexicographical_topological_sort over a graph built in that order."""
    index = {n: i for i, n in enumerate(nodes)}
    waiting = {n: 0 for n in nodes}
    children: dict = {n: [] for n in nodes}
    for u, v in edges:
        waiting[v] += 1
        children[u].append(v)
    ready = [(key(n), index[n], n) for n in nodes if waiting[n] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        n = heapq.heappop(ready)[2]
        order.append(n)
        for v in children[n]:
            waiting[v] -= 1
            if waiting[v] == 0:
                heapq.heappush(ready, (key(v), index[v], v))
    return order


@lru_cache(maxsize=128)
def _structure(sig: tuple) -> Structure:
    layers, decay = sig
    L = len(layers)
    rank = {"A0": 0, "W": 0, "W0": 1, "Z": 2, "A": 3}
    attrs: dict[str, dict] = {}        # node -> its attributes, in the order made
    made: list[tuple[str, str, str]] = []   # (source, target, role), in the order made

    def add(node, kind, layer, order):
        attrs[node] = {"kind": kind, "layer": layer, "order": order, "symbol": node_symbol(node)}

    add(INPUT, "A", 0, (0, 0))
    w_of = {}
    for l, (tie, skip) in enumerate(layers, start=1):
        if tie is None:
            add(w_id(l), "W", l, (l, rank["W"]))
        add(w0_id(l), "W0", l, (l, rank["W0"]))
        add(z_id(l), "Z", l, (l, rank["Z"]))
        add(a_id(l), "A", l, (l, rank["A"]))
        w_of[l] = w_feeding(l, tie)
    add(TARGET, "Y", L, (L + 1, 0))
    if decay:
        add(DECAY, "R", L, (L + 1, 1))
    add(LOSS, "L", L, (L + 2, 0))

    for l, (tie, skip) in enumerate(layers, start=1):
        z = z_id(l)
        made += [(a_id(l - 1), z, "input"), (w_of[l], z, "weight"), (w0_id(l), z, "offset")]
        if skip is not None:
            made.append((a_id(skip), z, "skip"))
        made.append((z, a_id(l), "activation"))
    made += [(a_id(L), LOSS, "output"), (TARGET, LOSS, "target")]
    if decay:
        made += [(w_id(l), DECAY, "decay") for l, (tie, _) in enumerate(layers, start=1) if tie is None]
        made.append((DECAY, LOSS, "penalty"))
    made_roles = {(u, v): role for u, v, role in made}
    kinds = {n: a["kind"] for n, a in attrs.items()}
    layer_of = {n: a["layer"] for n, a in attrs.items()}

    # drawing order: a topological order that goes layer by layer (A0, W1, W0_1, Z1, A1, ..., Y, R, L)
    nodes = tuple(topological_order(list(attrs), made_roles, key=lambda n: attrs[n]["order"]))
    pos = {n: i for i, n in enumerate(nodes)}
    edges = tuple(sorted(made_roles, key=lambda e: (pos[e[1]], ROLE_ORDER[made_roles[e]], pos[e[0]])))
    roles = {e: made_roles[e] for e in edges}
    leaving: dict[str, list] = {}
    feeding: dict[str, list] = {}
    for e in edges:
        leaving.setdefault(e[0], []).append(e)
        feeding.setdefault(e[1], []).append(e)
    reading = tuple(x for n in nodes for x in [n, *leaving.get(n, ())])
    givens = frozenset(n for n in nodes if n not in feeding)

    # forward: every computed node, in drawing order (a topological order)
    fwd_nodes = [n for n in nodes if n not in givens]
    forward_plan = tuple((n, kinds[n], layer_of[n], tuple((u, roles[u, n]) for u, _ in feeding[n]))
                         for n in fwd_nodes)

    # backward: a node's gradient is ready once every node it feeds has one; among the ready ones
    # the highest layer first, and in a layer A, then Z, then W, then W0 (today's order for a chain)
    back_rank = {"A": 0, "Z": 1, "W": 2, "W0": 3, "R": 0, "Y": 1, "L": 0}

    def back_key(n):
        kind = kinds[n]
        level = {"R": L + 1, "L": L + 2, "Y": L + 2}.get(kind, layer_of[n])
        return (-level, back_rank[kind])

    back_nodes = [n for n in topological_order(list(attrs), [(v, u) for u, v in made_roles], key=back_key)
                  if n not in (LOSS, TARGET)]
    backward_plan = tuple((n, tuple((v, roles[n, v]) for _, v in leaving.get(n, ())))
                          for n in back_nodes)

    def _edge_program(v, role):
        l = layer_of[v]
        z_layer = role in ("input", "weight", "offset", "skip")
        return v, role, l, (w_of[l] if z_layer else None), (a_id(l - 1) if z_layer else None)

    backward_program = tuple((n, tuple(_edge_program(v, role) for v, role in outs)) for n, outs in backward_plan)
    schedule = tuple([("forward", n) for n in fwd_nodes] + [("backward", n) for n in back_nodes])
    return Structure(L, nodes, edges, frozenset(edges), frozenset(nodes), reading, schedule,
                     forward_plan, backward_plan, backward_program, givens, w_of, roles, kinds, layer_of,
                     tuple(attrs.items()), tuple(made))


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
