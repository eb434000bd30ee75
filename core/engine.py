"""Forward and backward pass over a whole net, once, with every value and gradient kept.

Both passes walk the net's graph (core.graph): forward in topological order, each node by its
kind's rule (core.nodes); backward in the reverse schedule, where a node's gradient is the sum,
over the edges that leave it, of that edge's term (local Jacobian · the target's gradient).
Where a node forks (several outgoing edges) the terms are kept too, so a step can show them.

Stepping only moves a cursor over these results, so a step costs nothing; an edit makes a
new Net and a new Evaluation. Non-finite numbers (log 0, overflow) do not raise: they are
recorded on the first node where they appear, so the GUI can mark it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .graph import edge_list, node_ids, reading_order, schedule, structure  # noqa: F401  (re-exported)
from .net import Net, all_finite
from .symbols import split_id
from .nodes import INPUT, KINDS, LOSS, TARGET, a_id, z_id


@dataclass
class Evaluation:
    """Values and dL/d(node) for every node of one net (n x b matrices; L is 1 x 1).

    `problems` (the first NaN or infinity, see find_problems) is found on first use and kept."""

    net: Net
    values: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    loss: float
    _problems: dict[str, str] | None = None
    terms: dict = field(default_factory=dict)   # fork node -> ((edge, dL/d(node) through it), ...)

    @property
    def problems(self) -> dict[str, str]:
        if self._problems is None:
            self._problems = find_problems(self.net, self.values, self.grads)
        return self._problems

    @property
    def ok(self) -> bool:
        return not self.problems


def forward(net: Net, overrides: dict[str, np.ndarray] | None = None) -> tuple[dict[str, np.ndarray], float]:
    """All values, optionally with some node's value forced (used by the gradient check)."""
    ov = overrides or {}
    values: dict[str, np.ndarray] = {INPUT: net.X, TARGET: net.Y, **net.weights()}
    if ov:
        values.update((k, v) for k, v in ov.items() if k in values)
    layers, lam = net.layers, net.weight_decay
    loss = 0.0
    Z, A, R, L = KINDS["Z"], KINDS["A"], KINDS["R"], KINDS["L"]
    with np.errstate(all="ignore"):
        for node, kind, l, ins in structure(net).forward_plan:
            if node in ov:
                values[node] = ov[node]
                if kind == "L":
                    loss = float(ov[node][0, 0])
                continue
            if kind == "Z":
                values[node] = Z.forward(values[ins[0][0]], values[ins[1][0]], values[ins[2][0]],
                                         values[ins[3][0]] if len(ins) > 3 else None)
            elif kind == "A":
                values[node] = A.forward(layers[l - 1].activation, values[ins[0][0]])
            elif kind == "R":
                values[node] = R.forward(lam, [values[u] for u, _ in ins])
            else:
                loss = L.forward(net.loss, values[ins[0][0]], values[ins[1][0]],
                                 values[ins[2][0]] if len(ins) > 2 else None)
                values[node] = np.array([[loss]])
    return values, loss


def backward(net: Net, values: dict[str, np.ndarray], terms: dict | None = None) -> dict[str, np.ndarray]:
    """dL/d(node) for every node but Y and L, node-shaped; W and W0 summed over the batch.

    A node's gradient is the sum over its outgoing edges of that edge's term; at a fork the terms
    are also put in `terms` (node -> ((edge, term), ...)) when a dict is given."""
    grads: dict[str, np.ndarray] = {}
    layers, lam = net.layers, net.weight_decay
    Zk, Ak, Rk, Lk = KINDS["Z"], KINDS["A"], KINDS["R"], KINDS["L"]
    with np.errstate(all="ignore"):
        for node, outs in structure(net).backward_program:
            parts = []
            for v, role, l, w, a in outs:   # target, edge role, target's layer, the W and A^(l-1) Z^l reads
                g = grads.get(v)
                if role == "activation":
                    t = Ak.term(layers[l - 1].activation, values[node], values[v], g)
                elif role in ("output", "penalty"):
                    t = Lk.term(role, net.loss, values[node], values[TARGET])
                elif role == "decay":
                    t = Rk.term(lam, values[node], g)
                else:                        # the W the forward pass used (it honours overrides)
                    t = Zk.term(role, g, W=values[w], A=values[a])
                parts.append(t)
            total = parts[0]
            for t in parts[1:]:
                total = total + t
            grads[node] = total
            if terms is not None and len(parts) > 1:
                terms[node] = tuple(((node, o[0]), t) for o, t in zip(outs, parts))
    return grads


def evaluate(net: Net) -> Evaluation:
    values, loss = forward(net)
    terms: dict = {}
    grads = backward(net, values, terms)
    return Evaluation(net, values, grads, loss, None, terms)


def find_problems(net: Net, values: dict, grads: dict) -> dict[str, str]:
    """The first node (in schedule order) whose value or gradient is NaN or infinite, with a hint why."""
    problems: dict[str, str] = {}
    with np.errstate(over="ignore", invalid="ignore"):   # once, not per array: it costs as much as a sum
        bad = next(((phase, node) for phase, node in schedule(net)  # the order a person meets the numbers
                    if not _finite(values[node] if phase == "forward" else grads.get(node))), None)
    for phase, node in (bad,) if bad else ():
        arr = values[node] if phase == "forward" else grads[node]
        what = "value" if phase == "forward" else "gradient"
        i, j = (int(k) for k in np.argwhere(~np.isfinite(arr))[0])
        kind_of_bad = "NaN" if np.isnan(arr[i, j]) else "infinity"
        where = f" at entry {i + 1}" + (f", example {j + 1}" if arr.shape[1] > 1 else "")
        kind, l = split_id(node)
        if phase == "forward" and kind == "A" and node != INPUT:
            where += f" (z = {values[z_id(l)][i, j]:.4g})"
        problems[node] = f"{node} {what} has {kind_of_bad}{where}{_hint(net, node, phase)}"
        break  # everything after the first one is a consequence of it
    return problems


def _finite(arr) -> bool:
    """all_finite without its own errstate (the caller holds one): the sum first, entries only if it is not."""
    if arr is None or math.isfinite(arr.sum()):
        return True
    return bool(np.isfinite(arr).all())


def _hint(net: Net, node: str, phase: str) -> str:
    if node == LOSS or (phase == "backward" and node == a_id(net.L)):
        if net.loss.name in ("nll", "nllm"):
            return " - log of 0: an output probability reached 0 or 1; try smaller weights or inputs"
    if split_id(node)[0] == "A" and phase == "forward":
        return (" - the activation is undefined or overflows at some entry of Z (e.g. log or sqrt of a "
                "negative number, exp of a large one); check f(z) and the weights")
    return " - numbers overflowed; try smaller weights, inputs or learning rate"
