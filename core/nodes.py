"""Node ids and node kinds: the one place that spells an id, and each kind's rules side by side.

Ids (the only builder of them; everything else asks here or reads the graph):
    A0 (the input X), W1, W0_1, Z1, A1, ..., Y (the target), R (weight decay), L (the loss).

Each kind that is computed (Z, A, R, L) keeps, micrograd-style, in one small class:
  - its equation in 6.390 notation (`equation`);
  - its forward rule (`forward`);
  - for each incoming edge, by the edge's role: the backward term dL/d(source) contributed
    through that edge (`term`: the local Jacobian times the target's gradient, without forming the
    Jacobian), and the local Jacobian itself (`jacobian`: symbol, dims, labels, explanation and
    numbers in denominator layout; the numerator layout is the transpose of every one of them,
    which core.jacobians.edge_jacobian applies in one place, and W -> Z's 3-index tensor is made
    for the layout asked).
  - `numbers`: the Jacobian's numbers alone (its words are made once per shape of net and kept);
  - `forward_rule` / `term_rule`: forward and term with one net's ids bound, for core.engine's program.

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

from functools import lru_cache, partial

import numpy as np

from .symbols import node_dims, node_symbol, split_id

INPUT, TARGET, LOSS, DECAY = "A0", "Y", "L", "R"


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

    @staticmethod
    def forward_rule(a: str, w: str, w0: str, skip: str | None = None):
        """forward with this Z's ids bound: values -> Z (core.engine's compiled pass)."""
        if skip is None:
            return lambda v: v[w].T @ v[a] + v[w0]
        return lambda v: (v[w].T @ v[a] + v[w0]) + v[skip]

    @staticmethod
    def term_rule(role: str, z: str, w: str, a: str):
        """term with the edge's ids bound: (values, grads) -> dL/d(source) through this edge."""
        if role == "input":
            return lambda v, g: v[w] @ g[z]
        if role == "weight":
            def weight(v, g):
                gz = g[z]
                if gz.shape[1] == 1:             # one example: an outer product (see term)
                    return v[a] * gz.T
                return v[a] @ gz.T
            return weight
        if role == "offset":
            return lambda v, g: g[z].sum(axis=1, keepdims=True)   # np.sum's own reduction, no wrapper
        return lambda v, g: g[z]                 # skip: I . g

    @staticmethod
    def jacobian(role: str, ev, source: str, target: str, c: int, numerator: bool) -> tuple:
        """dZ^l/d(source) for example c, denominator layout: W (input), I (offset, skip), the shorthand
        A^(l-1) with its true 3-index tensor (weight)."""
        net = ev.net
        s_l, l = split_id(source)[1], split_id(target)[1]
        m, n = net.m(l), net.n(l)
        zs = _labels("z", l, n)
        w = w_feeding(l, net.layers[l - 1].tie)
        diag, dense, tensor, softmax = ZNode.numbers(role, ev, source, target, c, numerator)
        if role == "input":
            symbol, dims, kind = node_symbol(w), (f"m^{l}", f"n^{l}"), "dense"
            rows = _labels("a", l - 1, m)
            W = node_symbol(w)
            why = (f"z^{l}_j = sum_i {W}_ij a^{l - 1}_i + W0^{l}_j, so dz_j/da_i = {W}_ij: "
                   f"the Jacobian is {W} itself, m^{l} x n^{l} (row i <-> a_i, column j <-> z_j).")
        elif role == "offset":
            symbol, dims, kind = "I", (f"n^{l}", f"n^{l}"), "identity"
            rows = _labels("w0", l, n)
            why = f"z^{l}_j = ... + W0^{l}_j, so dz_j/dW0_i is 1 when i = j and 0 otherwise: the identity."
        elif role == "skip":
            k = s_l
            symbol, dims, kind = "I", (node_dims(source, net.L, 1)[0], f"n^{l}"), "identity"
            rows = _labels("a", k, n)
            why = (f"a skip connection: z^{l}_j = ... + a^{k}_j, so dz_j/da_i is 1 when i = j and 0 otherwise: "
                   f"the identity, n^{k} x n^{l} (the sizes must be equal).")
        elif role == "weight":
            symbol, dims, kind = f"A^{l - 1}", (f"m^{l}", "1"), "shorthand"
            W = node_symbol(source)
            rows = _labels("W", s_l, m, "·")
            zs = ("dz_k",)
            why = (f"dZ/dW is really a 3-index object (z_k depends on column k of {W}: dz_k/dW_ik = a_i). "
                   f"The notes write the shorthand A^{l - 1} (m^{l} x 1) and mean the rule "
                   f"dL/d{W} = A^{l - 1} (dL/dZ^{l})^T, an m^{l} x n^{l} matrix.")
            if s_l != l:
                why += f" Layer {l} is tied to layer {s_l}: this is one of the terms dL/d{W} sums."
        else:
            raise KeyError(f"no edge {source} -> {target}")
        cols = zs
        return symbol, dims, kind, rows, cols, why, diag, dense, tensor, softmax

    @staticmethod
    def numbers(role: str, ev, source: str, target: str, c: int, numerator: bool) -> tuple:
        """jacobian's numbers alone (diag, dense, tensor, softmax), for when its words are already known."""
        l = split_id(target)[1]
        if role == "input":
            return None, ev.values[w_feeding(l, ev.net.layers[l - 1].tie)], None, None
        if role == "weight":
            a = ev.values[a_id(l - 1)][:, c:c + 1]
            return None, a, partial(_w_tensor, a[:, 0].copy(), ev.net.n(l), numerator), None  # lazy: n x m x n
        if role in ("offset", "skip"):
            return None, None, None, None
        raise KeyError(f"no edge {source} -> {target}")


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

    @staticmethod
    def forward_rule(activation, z: str):
        f = activation._f
        return lambda v: np.asarray(f(v[z]), dtype=float)

    @staticmethod
    def term_rule(activation, z: str, a: str):
        """term with the ids bound: (values, grads) -> dL/dZ^l (the same arithmetic as term)."""
        if activation.name == "identity":          # f' = 1: 1.0 * g is g, bit for bit
            return lambda v, g: g[a].copy()
        if activation.elementwise:
            if activation._df_of_a is not None:
                dfa = activation._df_of_a
                return lambda v, g: dfa(v[a]) * g[a]
            df = activation._df
            return lambda v, g: np.asarray(df(v[z]), dtype=float) * g[a]
        return lambda v, g: ANode.term(activation, None, v[a], g[a])

    @staticmethod
    def jacobian(role: str, ev, source: str, target: str, c: int, numerator: bool) -> tuple:
        """dA^l/dZ^l for example c: diag(f'(Z^l)), or softmax's full diag(a) - a a^T (kept as a)."""
        net = ev.net
        l = split_id(target)[1]
        act = net.layers[l - 1].activation
        n = net.n(l)
        rows, cols = _labels("z", l, n), _labels("a", l, n)
        dims = (f"n^{l}", f"n^{l}")
        diag, dense, tensor, softmax = ANode.numbers(role, ev, source, target, c, numerator)
        if act.elementwise:
            symbol, kind = f"diag(f'(Z^{l}))", "diagonal"
            why = (f"a_j = f(z_j) depends on z_j alone, so da_j/dz_i = 0 unless i = j: only the diagonal "
                   f"f'(z_i) is non-zero (f(z) = {act.formula}, f'(z) = {act.derivative_formula}).")
            if act.note:
                why += " " + act.note
        else:
            symbol, kind = f"diag(A^{l}) - A^{l} (A^{l})^T", "dense"
            why = ("softmax divides every exp(z_j) by the same sum, so each a_j depends on every z_i: "
                   "da_j/dz_i = a_j (δ_ij − a_i), a full symmetric matrix diag(a) − a aᵀ.")
        return symbol, dims, kind, rows, cols, why, diag, dense, tensor, softmax

    @staticmethod
    def numbers(role: str, ev, source: str, target: str, c: int, numerator: bool) -> tuple:
        """diag(f'(Z^l)) for example c, or softmax's a (n floats; n x n only when dense() is asked for)."""
        l = split_id(target)[1]
        act = ev.net.layers[l - 1].activation
        if not act.elementwise:
            return None, None, None, act.jacobian_vector(ev.values[z_id(l)][:, c])
        if act._df_of_a is not None:          # tanh, sigmoid: f'(z) from a = f(z), the same numbers
            with np.errstate(all="ignore"):
                return act._df_of_a(ev.values[target][:, c]), None, None, None
        return act.derivative(ev.values[z_id(l)][:, c]), None, None, None


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
    def forward_rule(lam: float, ws: tuple[str, ...]):
        return lambda v: RNode.forward(lam, [v[u] for u in ws])

    @staticmethod
    def term_rule(lam: float, w: str, r: str):
        return lambda v, g: (2.0 * lam * float(g[r][0, 0])) * v[w]

    @staticmethod
    def matrix(lam: float, W):
        """dR/dW = 2λ W, as a matrix shaped like W."""
        return 2.0 * lam * W

    @staticmethod
    def jacobian(role: str, ev, source: str, target: str, c: int, numerator: bool) -> tuple:
        """dR/dW^k = 2λ W^k, shaped like W^k (a scalar by a matrix)."""
        net = ev.net
        s_l = split_id(source)[1]
        W = node_symbol(source)
        m, n = ev.values[source].shape
        symbol, dims, kind = f"2λ {W}", (f"m^{s_l}", f"n^{s_l}"), "dense"
        diag, dense, tensor, softmax = RNode.numbers(role, ev, source, target, c, numerator)
        rows, cols = _labels("a", s_l - 1, m), _labels("z", s_l, n)     # shaped like W: row i <-> input i, column j <-> unit j
        why = (f"R = λ Σ ‖W‖²_F, so dR/d{W}_ij = 2λ {W}_ij: a scalar by a matrix, shaped like {W} "
               f"(λ = {net.weight_decay:g}).")
        return symbol, dims, kind, rows, cols, why, diag, dense, tensor, softmax

    @staticmethod
    def numbers(role: str, ev, source: str, target: str, c: int, numerator: bool) -> tuple:
        # dL/dR is 1, so the backward pass's term through this edge is this very matrix: share it
        dense = dict(ev.terms.get(source, ())).get((source, target))
        dR = ev.grads.get(target)
        if dense is None or dR is None or float(dR[0, 0]) != 1.0:
            dense = RNode.matrix(ev.net.weight_decay, ev.values[source])
        return None, dense, None, None


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

    @staticmethod
    def forward_rule(loss, ids: tuple[str, ...]):
        """values -> L as a 1 x 1 array; ids are A^L, Y (and R with weight decay)."""
        a, y, r = (*ids, None)[:3]
        if r is None:
            return lambda v: np.array([[LNode.forward(loss, v[a], v[y])]])
        return lambda v: np.array([[LNode.forward(loss, v[a], v[y], v[r])]])

    @staticmethod
    def term_rule(role: str, loss, source: str, target: str):
        if role == "output":
            grad = loss._grad
            return lambda v, g: np.asarray(grad(v[source], v[target]), dtype=float)
        return lambda v, g: np.ones((1, 1))

    @staticmethod
    def jacobian(role: str, ev, source: str, target: str, c: int, numerator: bool) -> tuple:
        """dL/dA^L (output) and dL/dY (target) from the loss, for example c; dL/dR = 1 (penalty)."""
        net = ev.net
        if role == "penalty":
            return "1", ("1", "1"), "identity", ("R",), ("L",), "L = Σ loss + R, so dL/dR = 1.", None, None, None, None
        L = net.L
        nL = net.n(L)
        dense = LNode.numbers(role, ev, source, target, c, numerator)[1]
        if role == "output":
            symbol = f"dL/dA^{L}"
            rows = _labels("a", L, nL)
            why = f"The loss gives this one: {net.loss.grad_formula} (loss: {net.loss.formula})."
        else:
            symbol = "dL/dY"
            rows = _labels("y", None, nL)
            why = f"How the loss moves with the target; the target is data, so nothing is learned from it."
        dims, kind, cols = (f"n^{L}", "1"), "dense", ("L",)
        return symbol, dims, kind, rows, cols, why, None, dense, None, None

    @staticmethod
    def numbers(role: str, ev, source: str, target: str, c: int, numerator: bool) -> tuple:
        """dL/dA^L (output) or dL/dY (target) for example c; nothing for R -> L (its 1 is the kind)."""
        if role == "penalty":
            return None, None, None, None
        net, values = ev.net, ev.values
        a, y = values[a_id(net.L)][:, c:c + 1], values[TARGET][:, c:c + 1]
        return None, (net.loss.grad(a, y) if role == "output" else net.loss.grad_target(a, y)), None, None


def w_feeding(l: int, tie: int | None) -> str:
    """The W node Z^l uses: W^l, or W^k when layer l is tied to layer k (its Layer.tie)."""
    return w_id(l if tie is None else tie)


def _w_tensor(a: np.ndarray, n: int, numerator: bool) -> np.ndarray:
    """dZ/dW for one example: slice k is dz_k/dW, zero except column k, which is a (A^(l-1))."""
    t = np.zeros((n, a.size, n))
    t[np.arange(n), :, np.arange(n)] = a
    return np.transpose(t, (0, 2, 1)) if numerator else t


@lru_cache(maxsize=512)  # pure and immutable; a 256-unit net would otherwise format ~15000 labels a trace
def _labels(prefix: str, l: int | None, count: int, suffix: str = "", before: str = "") -> tuple[str, ...]:
    """('a', 1, 3) -> a^1_1, a^1_2, a^1_3; suffix "·" -> W^1_1· (a row of W); before "·" -> W^1_·1 (a column)."""
    sup = "" if l is None else f"^{l}"
    return tuple(f"{prefix}{sup}_{before}{i + 1}{suffix}" for i in range(count))


KINDS = {"Z": ZNode, "A": ANode, "R": RNode, "L": LNode}
