"""Node ids and node kinds: the one place that spells an id, and each kind's rules side by side.

Ids (the only builder of them; everything else asks here or reads the graph):
    A0 (the input X), W1, W0_1, Z1, A1, ..., Y (the target), R (weight decay), L (the loss).

Each kind that is computed (Z, A, R, L) keeps, micrograd-style, in one small class:
  - its equation in 6.390 notation (`equation`);
  - its forward rule (`forward`);
  - for each incoming edge, by the edge's role: the backward term dL/d(source) contributed
    through that edge (`term`: the local Jacobian times the target's gradient, without forming the
    Jacobian), and the local Jacobian itself in denominator layout (`jacobian`; numerator layout is
    its transpose, applied in one place by core.jacobians.edge_jacobian).

Edge roles (the "role" attribute of every edge of core.graph.net_graph):
    input    A^(l-1) -> Z^l     dZ/dA = W (the W node feeding Z^l)
    weight   W^k -> Z^l         the shorthand A^(l-1); dL/dW = A^(l-1) (dL/dZ)^T
    offset   W0^l -> Z^l        I
    skip     A^k -> Z^l         I (n^k x n^l)
    activation Z^l -> A^l       diag(f'(Z^l)), softmax's full diag(a) - a a^T
    output   A^L -> L           dL/dA^L from the loss
    target   Y -> L             dL/dY
    decay    W^k -> R           2λ W^k (shaped like W^k)
    penalty  R -> L             1
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

INPUT, TARGET, LOSS, DECAY = "A0", "Y", "L", "R"


@lru_cache(maxsize=1024)
def node_id(kind: str, l: int | None = None) -> str:
    """('W0', 2) -> 'W0_2', ('Z', 1) -> 'Z1', ('Y',) -> 'Y': the one spelling of every id."""
    if l is None:
        return kind
    return f"W0_{l}" if kind == "W0" else f"{kind}{l}"


def a_id(l: int) -> str:
    return node_id("A", l)


def z_id(l: int) -> str:
    return node_id("Z", l)


def w_id(l: int) -> str:
    return node_id("W", l)


def w0_id(l: int) -> str:
    return node_id("W0", l)


ROLE_ORDER = {"input": 0, "weight": 1, "offset": 2, "skip": 3, "activation": 0,
              "output": 0, "target": 1, "penalty": 2, "decay": 0}


# ------------------------------------------------------------------ the kinds


class ZNode:
    """Z^l = W^l^T A^(l-1) + W0^l (+ A^k with a skip connection)."""

    @staticmethod
    def equation(l: int, w: int, skip: int | None) -> str:
        return f"Z^{l} = W^{w}^T A^{l - 1} + W0^{l}" + (f" + A^{skip}" if skip is not None else "")

    @staticmethod
    def forward(A, W, W0, S=None):
        Z = W.T @ A + W0
        return Z if S is None else Z + S

    @staticmethod
    def term(role: str, g, *, W=None, A=None):
        """dL/d(source) through this edge, for all columns; g = dL/dZ (n x b)."""
        if role == "input":
            return W @ g
        if role == "weight":
            if g.shape[1] == 1:                 # one example: an outer product, each entry one multiply
                return A * g.T                  # (the same numbers as A @ g.T, several times faster)
            return A @ g.T                      # summed over the batch
        if role == "offset":
            return np.sum(g, axis=1, keepdims=True)
        return g                                 # skip: I . g


class ANode:
    """A^l = f^l(Z^l)."""

    @staticmethod
    def equation(l: int, formula: str) -> str:
        return f"A^{l} = f^{l}(Z^{l}),  f(z) = {formula}"

    @staticmethod
    def forward(activation, Z):
        """activation(Z) without its own np.errstate (the engine holds one for the whole pass)."""
        return np.asarray(activation._f(Z), dtype=float)

    @staticmethod
    def term(activation, Z, A, g):
        """dA/dZ . g without forming the Jacobian (activation.backward's arithmetic, the engine's errstate)."""
        if activation.elementwise:
            if activation._df_of_a is not None:
                return activation._df_of_a(A) * g
            return np.asarray(activation._df(Z), dtype=float) * g
        return A * g - A * np.sum(A * g, axis=0, keepdims=True)


class RNode:
    """R = λ Σ_l ‖W^l‖²_F over the distinct W nodes (W0 not included)."""

    @staticmethod
    def equation(ws: tuple[int, ...]) -> str:
        return "R = λ (" + " + ".join(f"‖W^{k}‖²_F" for k in ws) + ")"

    @staticmethod
    def forward(lam: float, Ws) -> np.ndarray:
        return np.array([[lam * sum(float(np.sum(W * W)) for W in Ws)]])

    @staticmethod
    def term(lam: float, W, g):
        """dL/dW through R: dR/dW · dL/dR = 2λ W · dL/dR."""
        return (2.0 * lam * float(g[0, 0])) * W

    @staticmethod
    def jacobian(lam: float, W):
        return 2.0 * lam * W


class LNode:
    """L = Σ_examples loss(A^L, Y) (+ R with weight decay)."""

    @staticmethod
    def equation(formula: str, with_r: bool) -> str:
        return formula + (" + R" if with_r else "")

    @staticmethod
    def forward(loss, A, Y, R=None) -> float:
        value = float(np.sum(loss._value(A, Y)))     # loss.value's arithmetic, the engine's errstate
        return value if R is None else value + float(R[0, 0])

    @staticmethod
    def term(role: str, loss, A, Y):
        if role == "output":
            return np.asarray(loss._grad(A, Y), dtype=float)
        return np.ones((1, 1))                   # penalty: dL/dR = 1


KINDS = {"Z": ZNode, "A": ANode, "R": RNode, "L": LNode}
