"""Forward and backward pass over a whole net, once, with every value and gradient kept.

Both passes walk the net's graph (core.graph): forward in topological order, each node by its
kind's rule (core.nodes); backward in the reverse schedule, where a node's gradient is the sum,
over the edges that leave it, of that edge's term (local Jacobian · the target's gradient).
Where a node forks (several outgoing edges) the terms are kept too, so a step can show them.
The walk itself is a per-Net program (`_Program`): the Structure's plans with each kind's rule bound
to this net's ids, activations and loss, made once, so a pass (or 1000 SGD steps) does no dispatch.

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
    forced = ov and not ov.keys() <= values.keys()     # a computed node's value is forced (gradient check)
    with np.errstate(all="ignore"):
        for node, rule in _program(net).forward:
            if forced and node in ov:
                values[node] = ov[node]
                continue
            values[node] = rule(values)
    return values, float(values[LOSS][0, 0])   # the 1 x 1 array holds the float exactly


def backward(net: Net, values: dict[str, np.ndarray], terms: dict | None = None) -> dict[str, np.ndarray]:
    """dL/d(node) for every node but Y and L, node-shaped; W and W0 summed over the batch.

    A node's gradient is the sum over its outgoing edges of that edge's term; at a fork the terms
    are also put in `terms` (node -> ((edge, term), ...)) when a dict is given."""
    grads: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):
        for node, rules, edges in _program(net).backward:
            if len(rules) == 1:
                grads[node] = rules[0](values, grads)
                continue
            parts = [rule(values, grads) for rule in rules]
            total = parts[0]
            for t in parts[1:]:
                total = total + t
            grads[node] = total
            if terms is not None:
                terms[node] = tuple(zip(edges, parts))
    return grads


@dataclass(frozen=True)
class _Program:
    """A net's two passes as bound rules, made once per Net from its Structure (the graph's plans):
    forward: (node, rule(values) -> value) in topological order; backward: (node, (rule(values, grads)
    -> term, ...), (edge, ...)) in the backward schedule, one rule per outgoing edge. Each rule is its
    kind's (core.nodes) with the ids, activation and loss of this net bound, so a pass does no lookups."""
    forward: tuple
    backward: tuple


def _program(net: Net) -> _Program:
    prog = net.__dict__.get("_program")
    if prog is None:
        prog = _make_program(net)
        object.__setattr__(net, "_program", prog)   # a Net never changes (as structure() caches)
    return prog


def _make_program(net: Net) -> _Program:
    st = structure(net)
    layers, lam, loss_fn = net.layers, net.weight_decay, net.loss
    Zk, Ak, Rk, Lk = KINDS["Z"], KINDS["A"], KINDS["R"], KINDS["L"]
    fwd = []
    for node, kind, l, ins in st.forward_plan:
        ids = tuple(u for u, _ in ins)
        if kind == "Z":
            fwd.append((node, Zk.forward_rule(*ids)))
        elif kind == "A":
            fwd.append((node, Ak.forward_rule(layers[l - 1].activation, ids[0])))
        elif kind == "R":
            fwd.append((node, Rk.forward_rule(lam, ids)))
        else:
            fwd.append((node, Lk.forward_rule(loss_fn, ids)))
    back = []
    for node, outs in st.backward_program:
        rules = []
        for v, role, l, w, a in outs:
            if role == "activation":
                rules.append(Ak.term_rule(layers[l - 1].activation, node, v))
            elif role in ("output", "penalty"):
                rules.append(Lk.term_rule(role, loss_fn, node, TARGET))
            elif role == "decay":
                rules.append(Rk.term_rule(lam, node, v))
            else:                                    # the W the forward pass used (it honours overrides)
                rules.append(Zk.term_rule(role, v, w, a))
        back.append((node, tuple(rules), tuple((node, o[0]) for o in outs)))
    return _Program(tuple(fwd), tuple(back))


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
