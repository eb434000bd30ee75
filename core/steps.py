"""The one schedule a person steps through: forward Z1, A1, ..., L; then backward down to A0.

Each Step knows its node, its equation in symbols, its operands with shapes, the shape
algebra ((3x3)(3x1) -> (3x1)), the edges it uses (for highlighting) and its numbers.
Steps are described lazily from an Evaluation, so building the list is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import Evaluation
from .symbols import node_symbol, split_id


def schedule(L: int) -> list[tuple[str, str]]:
    """(phase, node) in order: forward values, then backward gradients dL/d(node)."""
    order = [("forward", n) for l in range(1, L + 1) for n in (f"Z{l}", f"A{l}")]
    order.append(("forward", "L"))
    order.append(("backward", f"A{L}"))
    for l in range(L, 0, -1):
        order += [("backward", n) for n in (f"Z{l}", f"W{l}", f"W0_{l}", f"A{l - 1}")]
    return order


@dataclass(frozen=True)
class Operand:
    name: str                 # symbol as written in the equation, e.g. "dA^1/dZ^1"
    shape: tuple[int, int]


@dataclass(frozen=True, eq=False)
class Step:
    index: int                # 0-based position in the schedule
    phase: str                # "forward" or "backward"
    node: str                 # node id whose value (forward) or gradient (backward) this step makes
    equation: str             # in symbols, in the chosen layout
    operands: tuple[Operand, ...]
    shapes: str               # shape algebra with numbers: "(3x3)(3x1) -> (3x1)"
    edges: tuple[tuple[str, str], ...]
    value: np.ndarray         # the result as shown (a gradient is node-shaped in denominator layout)
    note: str = ""

    @property
    def title(self) -> str:
        sym = node_symbol(self.node)
        return sym if self.phase == "forward" else f"dL/d{sym}"


def _s(shape) -> str:
    return f"({shape[0]}x{shape[1]})"


def build_steps(ev: Evaluation, layout: str = "denominator") -> list[Step]:
    net, v, g = ev.net, ev.values, ev.grads
    L, b = net.L, net.batch
    num = layout == "numerator"
    per_example = f"; per example, for each of the b = {b} columns" if b > 1 else ""
    steps: list[Step] = []

    def add(phase, node, equation, operands, result_shape, edges, value, joiner="", note=""):
        """joiner: "" for a product (3x3)(3x1), ", " for a list of inputs, " + " for a sum."""
        ops = tuple(Operand(n, tuple(s)) for n, s in operands)
        shapes = joiner.join(_s(o.shape) for o in ops)
        steps.append(Step(len(steps), phase, node, equation, ops, f"{shapes} -> {_s(result_shape)}",
                          tuple(edges), value, note))

    for phase, node in schedule(L):
        if phase == "forward":
            if node == "L":
                aL = f"A{L}"
                add(phase, node, net.loss.formula, [(f"A^{L}", v[aL].shape), ("Y", v["Y"].shape)], (1, 1),
                    [(aL, "L"), ("Y", "L")], v["L"], ", ",
                    note=f"summed over the {b} columns of the batch" if b > 1 else "")
                continue
            kind, l = node[0], int(node[1:])
            if kind == "Z":
                add(phase, node, f"Z^{l} = W^{l}^T A^{l - 1} + W0^{l}",
                    [(f"W^{l}^T", v[f"W{l}"].T.shape), (f"A^{l - 1}", v[f"A{l - 1}"].shape),
                     (f"W0^{l}", v[f"W0_{l}"].shape)],
                    v[node].shape, [(f"A{l - 1}", node), (f"W{l}", node), (f"W0_{l}", node)], v[node], "",
                    note="W0 is added to every column" if b > 1 else "")
                o = steps[-1].operands  # W^T A + W0: a product, then a sum
                object.__setattr__(steps[-1], "shapes",
                                   f"{_s(o[0].shape)}{_s(o[1].shape)} + {_s(o[2].shape)} -> {_s(v[node].shape)}")
            else:
                act = net.layers[l - 1].activation
                add(phase, node, f"A^{l} = f^{l}(Z^{l}),  f(z) = {act.formula}", [(f"Z^{l}", v[f"Z{l}"].shape)],
                    v[node].shape, [(f"Z{l}", node)], v[node], "")
            continue

        # backward: dL/d(node); per-example shapes (columns are independent until W sums them)
        kind, l = split_id(node)
        n_of = lambda nid: v[nid].shape[0]
        col = lambda nid: (n_of(nid), 1)
        row = lambda nid: (1, n_of(nid))
        grad_shape = row if num else col
        value = g[node].T if num else g[node]
        if kind == "A" and l == L:
            add(phase, node, net.loss.grad_formula, [(f"A^{L}", col(node)), ("Y", col("Y"))], grad_shape(node),
                [(node, "L")], value, ", ", note=per_example.lstrip("; "))
        elif kind == "Z":
            J = (n_of(node), n_of(node))
            dA = (f"dL/dA^{l}", grad_shape(f"A{l}"))
            jac = (f"dA^{l}/dZ^{l}", J)
            ops = [dA, jac] if num else [jac, dA]
            eq = (f"dL/dZ^{l} = dL/dA^{l} · dA^{l}/dZ^{l}" if num else f"dL/dZ^{l} = dA^{l}/dZ^{l} · dL/dA^{l}")
            act = net.layers[l - 1].activation
            note = ("softmax's Jacobian is full" if not act.elementwise
                    else f"dA^{l}/dZ^{l} = diag(f'(Z^{l})), so this is f'(Z^{l}) ⊙ dL/dA^{l}")
            add(phase, node, eq, ops, grad_shape(node), [(f"Z{l}", f"A{l}")], value, "", note=note + per_example)
        elif kind == "W":
            m, n = v[node].shape
            if num:
                add(phase, node, f"dL/dW^{l} = (dL/dZ^{l})^T (A^{l - 1})^T  (numerator layout: n^{l} x m^{l})",
                    [(f"(dL/dZ^{l})^T", (n, b)), (f"(A^{l - 1})^T", (b, m))], (n, m), [(node, f"Z{l}")], value, "",
                    note=f"summed over the {b} columns of the batch" if b > 1 else "")
            else:
                add(phase, node, f"dL/dW^{l} = A^{l - 1} (dL/dZ^{l})^T",
                    [(f"A^{l - 1}", (m, b)), (f"(dL/dZ^{l})^T", (b, n))], (m, n), [(node, f"Z{l}")], value, "",
                    note=f"summed over the {b} columns of the batch" if b > 1 else "")
        elif kind == "W0":
            n = v[node].shape[0]
            eq = f"dL/dW0^{l} = dL/dZ^{l}" + (" (summed over the batch)" if b > 1 else "")
            add(phase, node, eq, [(f"dL/dZ^{l}", (1, n) if num else (n, 1))], (1, n) if num else (n, 1),
                [(node, f"Z{l}")], value, "", note="dZ/dW0 = I")
        else:  # A(l-1) from layer l
            nxt = l + 1
            Wsh = v[f"W{nxt}"].shape
            dZ = (f"dL/dZ^{nxt}", grad_shape(f"Z{nxt}"))
            ops = [dZ, (f"W^{nxt}^T", (Wsh[1], Wsh[0]))] if num else [(f"W^{nxt}", Wsh), dZ]
            eq = (f"dL/dA^{l} = dL/dZ^{nxt} · W^{nxt}^T" if num else f"dL/dA^{l} = W^{nxt} · dL/dZ^{nxt}")
            add(phase, node, eq, ops, grad_shape(node), [(node, f"Z{nxt}")], value, "",
                note=(("A^0 is the input: its gradient is shown, nothing is learned from it" if l == 0 else "")
                      + per_example).lstrip("; "))
    return steps
