"""Central finite differences against every node gradient and every edge Jacobian (HIPS autograd's check).

A difference is a failure when |analytic − numeric| > atol + rtol · max(|analytic|, |numeric|).
The check is bounded: at most `limit` entries of each node and edge are perturbed, analytic rows
are read one at a time (never the n·m·n tensor dZ/dW nor an n x n softmax Jacobian), `progress`
is called after each node and edge and `should_stop` can cancel (CheckCancelled). On a net whose
values are already NaN or infinite there is nothing to compare: the report says why
(`report.unchecked`) and marks nothing wrong.

Where a check fails at a kink (relu, abs, max at 0), the report says so: finite differences
average the two one-sided slopes there, while chainview follows the course and takes f'(0) = 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .engine import Evaluation, evaluate, forward
from .graph import structure
from .jacobians import edge_jacobian
from .nodes import KINDS, a_id, z_id
from .symbols import split_id

EPS = 1e-6
RTOL = 1e-5
ATOL = 1e-7


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    max_error: float          # largest relative error over the entries checked
    checked: int              # entries compared
    note: str = ""


class CheckCancelled(Exception):
    """should_stop() said stop: the check ended early and has no report."""


@dataclass
class CheckReport:
    nodes: dict[str, CheckResult] = field(default_factory=dict)
    edges: dict[tuple[str, str], CheckResult] = field(default_factory=dict)
    unchecked: str = ""       # why nothing could be checked ("can't check: the values are NaN from A², step 4")
    sampled: str = ""         # why only a random subset of entries was checked ('' for the usual check)

    @property
    def ok(self) -> bool:
        return (not self.unchecked and all(r.ok for r in self.nodes.values())
                and all(r.ok for r in self.edges.values()))

    @property
    def max_error(self) -> float:
        errs = [r.max_error for r in (*self.nodes.values(), *self.edges.values())]
        return max(errs, default=0.0)


def _compare(analytic: np.ndarray, numeric: np.ndarray) -> tuple[bool, float]:
    a, n = np.asarray(analytic, float).ravel(), np.asarray(numeric, float).ravel()
    if a.size == 0:
        return True, 0.0
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(n))):
        return False, float("inf")
    diff = np.abs(a - n)
    scale = np.maximum(np.abs(a), np.abs(n))
    rel = diff / np.maximum(scale, 1e-12)
    rel = np.where(diff <= 1e-12, 0.0, rel)  # only exact agreement reads as 0; pass/fail uses ATOL
    return bool(np.all(diff <= ATOL + RTOL * scale)), float(np.max(rel))


def _numeric(f, x: np.ndarray, indices) -> np.ndarray:
    """Central differences of f (-> array) at x for the given flat indices; rows follow indices.

    The step is relative (EPS · max(1, |x|)) and the quotient uses the step actually taken,
    so entries of 1e10 are not perturbed by less than their own rounding."""
    x = np.array(x, dtype=float)
    out = []
    with np.errstate(all="ignore"):
        for idx in indices:
            old = x.flat[idx]
            h = EPS * max(1.0, abs(old))
            x.flat[idx] = old + h
            up, hi = np.asarray(f(x), dtype=float), x.flat[idx]
            x.flat[idx] = old - h
            down, lo = np.asarray(f(x), dtype=float), x.flat[idx]
            x.flat[idx] = old
            out.append((up - down) / (hi - lo))
    return np.array(out)


def _sample(size: int, limit: int, rng: np.random.Generator) -> np.ndarray:
    return np.arange(size) if size <= limit else np.sort(rng.choice(size, limit, replace=False))


def _kink_layer(ev: Evaluation) -> tuple[int, str]:
    """The last layer whose activation sits exactly at a kink (z = 0), with the note to show; (0, "") if none."""
    found = (0, "")
    for l, layer in enumerate(ev.net.layers, start=1):
        act = layer.activation
        kinked = act.name == "relu" or (act.expr is not None and any(
            k in act.formula for k in ("max(", "min(", "abs(", "relu(")))
        if kinked and np.any(np.abs(ev.values[z_id(l)]) < EPS * 10):
            rule = ("chainview takes f'(0) = 0 as the course does" if act.name == "relu" else
                    "chainview takes one of the one-sided slopes (relu'(0) = abs'(0) = 0; max and min follow "
                    "their first argument at a tie)")
            found = (l, f"Z^{l} has an entry at the kink z = 0 of {act.label}: finite differences see the "
                        f"average of the two one-sided slopes, while {rule}; this ✗ is expected there, not a bug.")
    return found


def _upstream(node: str, layer: int) -> bool:
    """Whether dL/d(node) passes through layer `layer`'s activation (so a kink there explains its ✗)."""
    kind, l = split_id(node)
    return kind in ("A", "Z", "W", "W0") and l is not None and (l < layer or (l == layer and kind != "A"))


def check_gradients(net_or_ev, *, example: int = 0, limit: int = 64, seed: int = 0,
                    progress: Callable[[int, int], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> CheckReport:
    """Check every node gradient dL/d(node) and every edge Jacobian (for one example).

    At most `limit` entries per node or edge are perturbed (chosen at random) so a big net stays quick;
    core.budget.check_plan picks a smaller `limit` when even that would be over the time budget.
    """
    ev = net_or_ev if isinstance(net_or_ev, Evaluation) else evaluate(net_or_ev)
    net, rng = ev.net, np.random.default_rng(seed)
    report = CheckReport(unchecked=cannot_check(ev))
    if report.unchecked:
        return report
    kink_layer, kink = _kink_layer(ev)
    st = structure(net)
    total, done = len(ev.grads) + len(st.edge_list), 0

    def tick():
        nonlocal done
        if should_stop is not None and should_stop():
            raise CheckCancelled()
        if progress is not None:
            progress(done, total)
        done += 1

    for node, grad in ev.grads.items():
        tick()
        x = ev.values[node]
        idx = _sample(x.size, limit, rng)
        numeric = _numeric(lambda val: forward(net, {node: val})[1], x, idx)
        ok, err = _compare(grad.ravel()[idx], numeric)
        report.nodes[node] = CheckResult(ok, err, idx.size, kink if not ok and _upstream(node, kink_layer) else "")

    c = example
    v = ev.values
    for u, t in st.edge_list:
        tick()
        J = edge_jacobian(ev, u, t, example=c)
        f, x = _edge_function(net, v, u, t, c)
        idx = _sample(x.size, limit, rng)
        numeric = _numeric(f, x, idx)          # rows: perturbed source entries
        if st.roles[(u, t)] == "decay":
            analytic = J.dense().reshape(-1, 1)[idx, :]     # scalar by matrix (dR/dW), shaped like W
        elif J.kind == "shorthand":
            analytic = _shorthand_rows(J, idx, net.n(split_id(t)[1]))
        else:
            analytic = _rows(J, idx)
        ok, err = _compare(analytic, numeric.reshape(analytic.shape))
        note = kink if not ok and (u, t) == (z_id(kink_layer), a_id(kink_layer)) else ""
        report.edges[(u, t)] = CheckResult(ok, err, int(analytic.size), note)
    return report


def _shorthand_rows(J, idx: np.ndarray, n: int) -> np.ndarray:
    """Rows idx of dZ/dW flattened (row r = dz/dW.flat[r]), from the shorthand a = A^(l-1) alone.

    dz_k/dW_pq = a_p when q = k, else 0: the n·m·n tensor is never made (256 GiB for 4096 x 2048)."""
    a = np.asarray(J.dense(), dtype=float).ravel()
    out = np.zeros((idx.size, n))
    out[np.arange(idx.size), idx % n] = a[idx // n]
    return out


def _rows(J, idx: np.ndarray) -> np.ndarray:
    """Rows idx of the Jacobian, one at a time: a softmax or identity one is never made n x n."""
    return np.stack([J.rows(int(i), int(i) + 1)[0] for i in idx]) if idx.size else np.zeros((0, J.shape[1]))


def cannot_check(ev: Evaluation) -> str:
    """'' when the values can be checked; else why not, naming the first NaN or infinity and its step.

    Finite differences of NaN are NaN: every comparison would fail, blaming edges that are right."""
    if not ev.problems:
        return ""
    from .steps import schedule
    from .symbols import node_symbol, pretty

    for k, (phase, node) in enumerate(schedule(ev.net), start=1):
        arr = ev.values.get(node) if phase == "forward" else ev.grads.get(node)
        if arr is None or np.all(np.isfinite(arr)):
            continue
        bad = "NaN" if np.isnan(arr).any() else "infinite"
        sym = pretty(node_symbol(node))
        what = f"the values are {bad} from {sym}" if phase == "forward" else f"the gradients are {bad} from dL/d{sym}"
        return f"can't check: {what}, step {k}"
    return "can't check: " + next(iter(ev.problems.values()))


def _edge_function(net, v, u: str, t: str, c: int):
    """target(source) for one example column, and the source's value there: the target's own forward
    rule (core.nodes) on its inputs from the graph, with the source replaced."""
    st = structure(net)
    ins = next(ins for node, _, _, ins in st.forward_plan if node == t)
    kind, l = split_id(t)
    givens = ("W", "W0", "R")          # not batch-shaped: used whole
    local = {s: (v[s] if split_id(s)[0] in givens else v[s][:, c:c + 1]) for s, _ in ins}
    shape = local[u].shape

    def f(x):
        vals = dict(local)
        vals[u] = x.reshape(shape)
        args = [vals[s] for s, _ in ins]
        if kind == "Z":
            return KINDS["Z"].forward(*args).ravel()
        if kind == "A":
            return KINDS["A"].forward(net.layers[l - 1].activation, args[0]).ravel()
        if kind == "R":
            return KINDS["R"].forward(net.weight_decay, args).ravel()
        return np.array([KINDS["L"].forward(net.loss, *args)])
    return f, local[u].ravel()
