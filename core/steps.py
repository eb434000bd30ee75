"""The one schedule a person steps through: forward Z1, A1, ..., L; then backward down to A0.

Each Step knows its node, its equation in symbols, its operands with shapes, the shape
algebra ((3x3)(3x1) -> (3x1)), the edges it uses (for highlighting) and its numbers.
Steps are described lazily from an Evaluation, so building the list is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .engine import Evaluation
from .symbols import node_symbol, split_id


@lru_cache(maxsize=128)  # build_steps and find_problems walk it on every evaluation
def schedule(L: int) -> tuple[tuple[str, str], ...]:
    """(phase, node) in order: forward values, then backward gradients dL/d(node) (a shared tuple)."""
    order = [("forward", n) for l in range(1, L + 1) for n in (f"Z{l}", f"A{l}")]
    order.append(("forward", "L"))
    order.append(("backward", f"A{L}"))
    for l in range(L, 0, -1):
        order += [("backward", n) for n in (f"Z{l}", f"W{l}", f"W0_{l}", f"A{l - 1}")]
    return tuple(order)


@dataclass(frozen=True)
class Operand:
    """One matrix of a step's equation, and where its numbers come from.

    kind "value": Evaluation.values[ref]; "grad": Evaluation.grads[ref] (node-shaped);
    "jacobian": the Jacobian of edge ref = (source, target) in the step's layout. `transposed`:
    the equation uses the transpose of that. A batch quantity (n x b) whose `shape` says one
    column (or row) means the chosen example's column (or row).
    """
    name: str                 # symbol as written in the equation, e.g. "dA^1/dZ^1"
    shape: tuple[int, int]
    kind: str = "value"
    ref: object = None        # node id, or (source, target) for a Jacobian
    transposed: bool = False


@dataclass(frozen=True, eq=False)
class Step:
    index: int                # 0-based position in the schedule
    phase: str                # "forward" or "backward"
    node: str                 # node id whose value (forward) or gradient (backward) this step makes
    equation: str             # in symbols, in the chosen layout
    operands: tuple[Operand, ...]
    joiners: tuple[str, ...]  # between operands: "" a product, " + " a sum, ", " a list of inputs
    shapes: str               # shape algebra with numbers: "(3x3)(3x1) -> (3x1)"
    result_shape: tuple[int, int]  # the right-hand side of `shapes` (per example for a batch's backward A, Z)
    edges: tuple[tuple[str, str], ...]
    value: np.ndarray         # the result as shown (a gradient is node-shaped in denominator layout)
    note: str = ""

    @property
    def title(self) -> str:
        sym = node_symbol(self.node)
        return sym if self.phase == "forward" else f"dL/d{sym}"


def _s(shape) -> str:
    return f"({shape[0]}x{shape[1]})"


def _shapes(ops: tuple[Operand, ...], joins: tuple[str, ...], result_shape: tuple[int, int]) -> str:
    """The shape algebra with numbers: "(3x3)(3x1) + (3x1) -> (3x1)"."""
    text = _s(ops[0].shape)
    for join, op in zip(joins, ops[1:]):
        text += join + _s(op.shape)
    return f"{text} -> {_s(result_shape)}"


def build_steps(ev: Evaluation, layout: str = "denominator") -> list[Step]:
    """Every step of the schedule; a step's value is the evaluation's own array (or its transpose), not a copy."""
    net, v, g = ev.net, ev.values, ev.grads
    L, b = net.L, net.batch
    num = layout == "numerator"
    per_example = f"; per example, for each of the b = {b} columns" if b > 1 else ""
    steps: list[Step] = []

    def add(phase, node, equation, ops, result_shape, edges, value, joiners="", note=""):
        """ops: a tuple of Operands; joiners: one string for every gap, or a tuple with one each."""
        joins = (joiners,) * (len(ops) - 1) if isinstance(joiners, str) else joiners
        steps.append(Step(len(steps), phase, node, equation, ops, joins, _shapes(ops, joins, result_shape),
                          result_shape, edges, value, note))

    val = lambda name, shape, node, t=False: Operand(name, shape, "value", node, t)
    grd = lambda name, shape, node, t=False: Operand(name, shape, "grad", node, t)
    # backward shapes are per example: a node's column (denominator layout) or row (numerator layout)
    n_of = lambda nid: v[nid].shape[0]
    col = lambda nid: (n_of(nid), 1)
    row = lambda nid: (1, n_of(nid))
    grad_shape = row if num else col

    for phase, node in schedule(L):
        if phase == "forward":
            if node == "L":
                aL = f"A{L}"
                add(phase, node, net.loss.formula, (val(f"A^{L}", v[aL].shape, aL), val("Y", v["Y"].shape, "Y")), (1, 1),
                    ((aL, "L"), ("Y", "L")), v["L"], ", ",
                    note=f"summed over the {b} columns of the batch" if b > 1 else "")
                continue
            kind, l = split_id(node)
            if kind == "Z":
                add(phase, node, f"Z^{l} = W^{l}^T A^{l - 1} + W0^{l}",
                    (val(f"W^{l}^T", v[f"W{l}"].T.shape, f"W{l}", True),
                     val(f"A^{l - 1}", v[f"A{l - 1}"].shape, f"A{l - 1}"),
                     val(f"W0^{l}", v[f"W0_{l}"].shape, f"W0_{l}")),
                    v[node].shape, ((f"A{l - 1}", node), (f"W{l}", node), (f"W0_{l}", node)), v[node], ("", " + "),
                    note="W0 is added to every column" if b > 1 else "")
            else:
                act = net.layers[l - 1].activation
                add(phase, node, f"A^{l} = f^{l}(Z^{l}),  f(z) = {act.formula}", (val(f"Z^{l}", v[f"Z{l}"].shape, f"Z{l}"),),
                    v[node].shape, ((f"Z{l}", node),), v[node], "")
            continue

        # backward: dL/d(node); per-example shapes (columns are independent until W sums them)
        kind, l = split_id(node)
        value = g[node].T if num else g[node]
        if kind == "A" and l == L:
            add(phase, node, net.loss.grad_formula, (val(f"A^{L}", col(node), node), val("Y", col("Y"), "Y")),
                grad_shape(node),
                ((node, "L"),), value, ", ", note=per_example.lstrip("; "))
        elif kind == "Z":
            J = (n_of(node), n_of(node))
            dA = grd(f"dL/dA^{l}", grad_shape(f"A{l}"), f"A{l}", num)
            jac = Operand(f"dA^{l}/dZ^{l}", J, "jacobian", (f"Z{l}", f"A{l}"))
            ops = (dA, jac) if num else (jac, dA)
            eq = (f"dL/dZ^{l} = dL/dA^{l} · dA^{l}/dZ^{l}" if num else f"dL/dZ^{l} = dA^{l}/dZ^{l} · dL/dA^{l}")
            act = net.layers[l - 1].activation
            note = ("softmax's Jacobian is full" if not act.elementwise
                    else f"dA^{l}/dZ^{l} = diag(f'(Z^{l})), so this is f'(Z^{l}) ⊙ dL/dA^{l}")
            add(phase, node, eq, ops, grad_shape(node), ((f"Z{l}", f"A{l}"),), value, "", note=note + per_example)
        elif kind == "W":
            m, n = v[node].shape
            if num:
                add(phase, node, f"dL/dW^{l} = (dL/dZ^{l})^T (A^{l - 1})^T  (numerator layout: n^{l} x m^{l})",
                    (grd(f"(dL/dZ^{l})^T", (n, b), f"Z{l}"), val(f"(A^{l - 1})^T", (b, m), f"A{l - 1}", True)),
                    (n, m), ((node, f"Z{l}"),), value, "",
                    note=f"summed over the {b} columns of the batch" if b > 1 else "")
            else:
                add(phase, node, f"dL/dW^{l} = A^{l - 1} (dL/dZ^{l})^T",
                    (val(f"A^{l - 1}", (m, b), f"A{l - 1}"), grd(f"(dL/dZ^{l})^T", (b, n), f"Z{l}", True)),
                    (m, n), ((node, f"Z{l}"),), value, "",
                    note=f"summed over the {b} columns of the batch" if b > 1 else "")
        elif kind == "W0":
            n = v[node].shape[0]
            eq = f"dL/dW0^{l} = dL/dZ^{l}" + (" (summed over the batch)" if b > 1 else "")
            add(phase, node, eq, (grd(f"dL/dZ^{l}", (1, n) if num else (n, 1), f"Z{l}", num),), (1, n) if num else (n, 1),
                ((node, f"Z{l}"),), value, "", note="dZ/dW0 = I")
        else:  # A(l-1) from layer l
            nxt = l + 1
            Wsh = v[f"W{nxt}"].shape
            dZ = grd(f"dL/dZ^{nxt}", grad_shape(f"Z{nxt}"), f"Z{nxt}", num)
            ops = ((dZ, val(f"W^{nxt}^T", (Wsh[1], Wsh[0]), f"W{nxt}", True)) if num
                   else (val(f"W^{nxt}", Wsh, f"W{nxt}"), dZ))
            eq = (f"dL/dA^{l} = dL/dZ^{nxt} · W^{nxt}^T" if num else f"dL/dA^{l} = W^{nxt} · dL/dZ^{nxt}")
            add(phase, node, eq, ops, grad_shape(node), ((node, f"Z{nxt}"),), value, "",
                note=(("A^0 is the input: its gradient is shown, nothing is learned from it" if l == 0 else "")
                      + per_example).lstrip("; "))
    return steps
