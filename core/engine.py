"""Forward and backward pass over a whole net, once, with every value and gradient kept.

Stepping only moves a cursor over these results, so a step costs nothing; an edit makes a
new Net and a new Evaluation. Non-finite numbers (log 0, overflow) do not raise: they are
recorded on the first node where they appear, so the GUI can mark it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .net import Net, all_finite


@lru_cache(maxsize=128)  # one entry per depth in use (nets have at most 64 layers)
def node_ids(L: int) -> tuple[str, ...]:
    """Every node id of an L-layer net, in drawing order (a shared tuple: callers cannot change it)."""
    ids = ["A0"]
    for l in range(1, L + 1):
        ids += [f"W{l}", f"W0_{l}", f"Z{l}", f"A{l}"]
    return tuple(ids + ["Y", "L"])


@lru_cache(maxsize=128)  # edge_jacobian checks its edge against this on every call (35 times a trace)
def edge_list(L: int) -> tuple[tuple[str, str], ...]:
    """Every (source, target) edge of an L-layer net, in drawing order (a shared tuple)."""
    edges = []
    for l in range(1, L + 1):
        edges += [(f"A{l - 1}", f"Z{l}"), (f"W{l}", f"Z{l}"), (f"W0_{l}", f"Z{l}"), (f"Z{l}", f"A{l}")]
    return tuple(edges + [(f"A{L}", "L"), ("Y", "L")])


@lru_cache(maxsize=128)
def reading_order(L: int) -> tuple:
    """Every node and edge as a person reads the graph, left to right: each node (in drawing order)
    followed by the edges that leave it. The order a keyboard walks the selection in."""
    leaving: dict[str, list] = {}
    for edge in edge_list(L):
        leaving.setdefault(edge[0], []).append(edge)
    order = []
    for node in node_ids(L):
        order += [node] + leaving.get(node, [])
    return tuple(order)


@dataclass
class Evaluation:
    """Values and dL/d(node) for every node of one net (n x b matrices; L is 1 x 1)."""

    net: Net
    values: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]
    loss: float
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def forward(net: Net, overrides: dict[str, np.ndarray] | None = None) -> tuple[dict[str, np.ndarray], float]:
    """All values, optionally with some node's value forced (used by the gradient check)."""
    ov = overrides or {}
    values: dict[str, np.ndarray] = {"A0": ov.get("A0", net.X), "Y": ov.get("Y", net.Y)}
    A = values["A0"]
    with np.errstate(all="ignore"):
        for l, layer in enumerate(net.layers, start=1):
            W, W0 = ov.get(f"W{l}", layer.W), ov.get(f"W0_{l}", layer.W0)
            values[f"W{l}"], values[f"W0_{l}"] = W, W0
            Z = ov.get(f"Z{l}")
            if Z is None:
                Z = W.T @ A + W0
            values[f"Z{l}"] = Z
            A = ov.get(f"A{l}")
            if A is None:
                A = layer.activation(Z)
            values[f"A{l}"] = A
        loss = net.loss.value(A, values["Y"])
    values["L"] = np.array([[loss]])
    return values, loss


def backward(net: Net, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """dL/d(node) for every A, Z, W, W0, node-shaped; W and W0 summed over the batch."""
    L = net.L
    grads: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):
        dA = net.loss.grad(values[f"A{L}"], values["Y"])
        grads[f"A{L}"] = dA
        for l in range(L, 0, -1):
            layer = net.layers[l - 1]
            dZ = layer.activation.backward(values[f"Z{l}"], values[f"A{l}"], dA)
            grads[f"Z{l}"] = dZ
            grads[f"W{l}"] = values[f"A{l - 1}"] @ dZ.T
            grads[f"W0_{l}"] = np.sum(dZ, axis=1, keepdims=True)
            dA = values[f"W{l}"] @ dZ  # the W the forward pass used (it honours overrides)
            grads[f"A{l - 1}"] = dA
    return grads


def evaluate(net: Net) -> Evaluation:
    values, loss = forward(net)
    grads = backward(net, values)
    return Evaluation(net, values, grads, loss, find_problems(net, values, grads))


def find_problems(net: Net, values: dict, grads: dict) -> dict[str, str]:
    """The first node (in schedule order) whose value or gradient is NaN or infinite, with a hint why."""
    from .steps import schedule  # the schedule order is the order a person meets the numbers

    problems: dict[str, str] = {}
    for phase, node in schedule(net.L):
        arr = values[node] if phase == "forward" else grads.get(node)
        if arr is None or all_finite(arr):
            continue
        what = "value" if phase == "forward" else "gradient"
        i, j = (int(k) for k in np.argwhere(~np.isfinite(arr))[0])
        bad = "NaN" if np.isnan(arr[i, j]) else "infinity"
        where = f" at entry {i + 1}" + (f", example {j + 1}" if arr.shape[1] > 1 else "")
        if phase == "forward" and node.startswith("A") and node != "A0":
            where += f" (z = {values['Z' + node[1:]][i, j]:.4g})"
        problems[node] = f"{node} {what} has {bad}{where}{_hint(net, node, phase)}"
        break  # everything after the first one is a consequence of it
    return problems


def _hint(net: Net, node: str, phase: str) -> str:
    if node == "L" or (phase == "backward" and node == f"A{net.L}"):
        if net.loss.name in ("nll", "nllm"):
            return " - log of 0: an output probability reached 0 or 1; try smaller weights or inputs"
    if node.startswith("A") and phase == "forward":
        return (" - the activation is undefined or overflows at some entry of Z (e.g. log or sqrt of a "
                "negative number, exp of a large one); check f(z) and the weights")
    return " - numbers overflowed; try smaller weights, inputs or learning rate"
