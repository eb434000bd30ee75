"""The Jacobian on every edge, in denominator layout (6.390) or, on request, numerator layout.

Denominator layout: for column vectors v (p) and w (q), dw/dv is p x q, row i <-> v_i,
column j <-> w_j. Numerator layout is the transpose of every one of them.

Jacobians are built lazily: a diagonal one keeps only its diagonal, an identity keeps only
its size, a softmax one keeps only a (it is diag(a) - a a^T), so a 4096-unit layer allocates
4096^2 floats only when someone asks for `dense()`. A viewer reads one without the whole
matrix through `rows(start, stop)` (a block of rows) and `entry(i, j)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from .activations import softmax_jacobian_rows
from .engine import Evaluation
from .graph import structure
from .nodes import KINDS, TARGET, a_id, z_id
from .symbols import node_dims, node_symbol, split_id

LAYOUTS = ("denominator", "numerator")


@dataclass(frozen=True, eq=False)
class Jacobian:
    source: str
    target: str
    layout: str
    symbol: str                   # e.g. "diag(f'(Z^1))", "W^2", "A^(0)"; numerator layout adds ^T
    dims: tuple[str, str]         # in this layout, e.g. ("m^1", "n^1")
    shape: tuple[int, int]        # in this layout
    kind: str                     # "dense", "diagonal", "identity" or "shorthand"
    row_labels: tuple[str, ...]   # which entry each row belongs to (row i <-> v_i in denominator layout)
    col_labels: tuple[str, ...]
    explanation: str
    _diag: np.ndarray | None = None
    _dense: np.ndarray | None = None
    _tensor: np.ndarray | None = None
    _softmax: np.ndarray | None = None   # kind "dense" kept as a: the matrix is diag(a) - a a^T (symmetric)

    @property
    def diagonal(self) -> np.ndarray | None:
        """The diagonal of a diagonal or identity Jacobian (no n x n allocation)."""
        if self.kind == "identity":
            return np.ones(self.shape[0])
        return self._diag

    def dense(self) -> np.ndarray:
        """The full matrix, in this layout. Allocates rows x cols floats for a diagonal one; the identity
        is one shared read-only matrix per size; a softmax one is built on the first call and kept."""
        if self._dense is not None:
            return self._dense
        if self._softmax is not None:
            dense = softmax_jacobian_rows(self._softmax, 0, self.shape[0])
            dense.flags.writeable = False              # kept and shared: entry() and rows() read it too
            object.__setattr__(self, "_dense", dense)  # frozen dataclass: cache it once, as tensor() does
            return dense
        if self.kind == "identity":
            return _eye(self.shape[0])
        return np.diag(self.diagonal)

    def rows(self, start: int, stop: int, out: np.ndarray | None = None) -> np.ndarray:
        """Rows start..stop of `dense()` (this layout), without making the whole matrix when it is not kept.

        So a viewer can walk a 2048 x 2048 Jacobian in small blocks. `out` (at least stop - start rows
        of `shape[1]` floats) is written into and reused; without it a stored matrix (W, or a softmax
        one once dense() has made it) gives a read-only view, and one kept by structure (softmax,
        diagonal, identity) a new array.
        """
        r, c = self.shape
        start, stop = max(0, int(start)), min(r, int(stop))
        n = max(0, stop - start)
        if self._dense is not None:
            block = self._dense[start:stop]
            if out is None:
                block = block.view()
                block.flags.writeable = False  # a view of the net's own W: not to be written through
                return block
            out = out[:n]
            out[...] = block
            return out
        if self._softmax is not None:
            return softmax_jacobian_rows(self._softmax, start, stop, out)
        block = np.zeros((n, c)) if out is None else out[:n]
        if out is not None:
            block.fill(0.0)
        k = np.arange(start, min(stop, c))
        block[k - start, k] = self.diagonal[k]
        return block

    def entry(self, i: int, j: int) -> float:
        """dense()[i, j] as a float, computed from what is kept (the same arithmetic, so the same bits)."""
        r, c = self.shape
        if not (0 <= i < r and 0 <= j < c):
            raise IndexError(f"entry ({i}, {j}) is outside a {r} x {c} Jacobian")
        if self._dense is not None:
            return float(self._dense[i, j])
        if self._softmax is not None:
            a = self._softmax
            v = -a[i] * a[j]
            return float(v + a[i] if i == j else v)
        return float(self.diagonal[i]) if i == j else 0.0

    def __array__(self, dtype=None, copy=None):
        out = self.dense()
        return out if dtype is None else out.astype(dtype)

    def tensor(self) -> np.ndarray | None:
        """For W^l -> Z^l: the true 3-index dZ/dW as n^l slices of m^l x n^l (slice k: dz_k/dW).

        Built on the first call, not by edge_jacobian: it holds n^l * m^l * n^l floats (134 MB at 256 x 256).
        """
        if callable(self._tensor):
            object.__setattr__(self, "_tensor", self._tensor())  # frozen dataclass: cache it once
        return self._tensor


@lru_cache(maxsize=64)
def _eye(n: int) -> np.ndarray:
    """One shared, read-only identity per size: W0 -> Z of every layer and every net."""
    eye = np.eye(n)
    eye.flags.writeable = False
    return eye


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


def edge_jacobian(ev: Evaluation, source: str, target: str, *, layout: str = "denominator",
                  example: int = 0) -> Jacobian:
    """The Jacobian d(target)/d(source) for one example (a column of the batch)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}; got {layout!r}")
    net, values = ev.net, ev.values
    if not 0 <= example < net.batch:
        raise ValueError(f"example must be 0..{net.batch - 1}; got {example}")
    st = structure(net)
    role = st.roles.get((source, target))
    if role is None:  # A0 -> Z2 is a chain, not an edge: it is not W^2
        raise KeyError(f"no edge {source} -> {target}")
    c = example
    s_kind, s_l = split_id(source)
    t_kind, t_l = split_id(target)
    diag = dense = tensor = softmax = None

    if t_kind == "Z":
        l = t_l
        m, n = net.m(l), net.n(l)
        zs = _labels("z", l, n)
        w = st.w_of[l]
        if role == "input":
            symbol, dims, kind = node_symbol(w), (f"m^{l}", f"n^{l}"), "dense"
            dense = values[w]
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
            a = values[a_id(l - 1)][:, c:c + 1]
            symbol, dims, kind = f"A^{l - 1}", (f"m^{l}", "1"), "shorthand"
            dense = a
            tensor = partial(_w_tensor, a[:, 0].copy(), n, layout == "numerator")  # lazy: n x m x n floats
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
    elif role == "activation":
        l = t_l
        act = net.layers[l - 1].activation
        n = net.n(l)
        z = values[z_id(l)][:, c]
        rows, cols = _labels("z", l, n), _labels("a", l, n)
        dims = (f"n^{l}", f"n^{l}")
        if act.elementwise:
            symbol, kind = f"diag(f'(Z^{l}))", "diagonal"
            if act._df_of_a is not None:      # tanh, sigmoid: f'(z) from a = f(z), the same numbers
                with np.errstate(all="ignore"):
                    diag = act._df_of_a(values[target][:, c])
            else:
                diag = act.derivative(z)
            why = (f"a_j = f(z_j) depends on z_j alone, so da_j/dz_i = 0 unless i = j: only the diagonal "
                   f"f'(z_i) is non-zero (f(z) = {act.formula}, f'(z) = {act.derivative_formula}).")
            if act.note:
                why += " " + act.note
        else:
            symbol, kind = f"diag(A^{l}) - A^{l} (A^{l})^T", "dense"
            softmax = act.jacobian_vector(z)   # n floats; n x n only when dense() is asked for
            why = ("softmax divides every exp(z_j) by the same sum, so each a_j depends on every z_i: "
                   "da_j/dz_i = a_j (δ_ij − a_i), a full symmetric matrix diag(a) − a aᵀ.")
    elif role == "decay":
        W = node_symbol(source)
        m, n = values[source].shape
        symbol, dims, kind = f"2λ {W}", (f"m^{s_l}", f"n^{s_l}"), "dense"
        # dL/dR is 1, so the backward pass's term through this edge is this very matrix: share it
        dense = dict(ev.terms.get(source, ())).get((source, target))
        dR = ev.grads.get(target)
        if dense is None or dR is None or float(dR[0, 0]) != 1.0:
            dense = KINDS["R"].jacobian(net.weight_decay, values[source])
        rows, cols = _labels("W", s_l, m, "·"), _labels("W", s_l, n, "", "·")
        why = (f"R = λ Σ ‖W‖²_F, so dR/d{W}_ij = 2λ {W}_ij: a scalar by a matrix, shaped like {W} "
               f"(λ = {net.weight_decay:g}).")
    elif role == "penalty":
        symbol, dims, kind = "1", ("1", "1"), "identity"
        rows, cols = ("R",), ("L",)
        why = "L = Σ loss + R, so dL/dR = 1."
    elif t_kind == "L":
        L = net.L
        nL = net.n(L)
        a, y = values[a_id(L)][:, c:c + 1], values[TARGET][:, c:c + 1]
        if role == "output":
            symbol, dense = f"dL/dA^{L}", net.loss.grad(a, y)
            rows = _labels("a", L, nL)
            why = f"The loss gives this one: {net.loss.grad_formula} (loss: {net.loss.formula})."
        else:
            symbol, dense = "dL/dY", net.loss.grad_target(a, y)
            rows = _labels("y", None, nL)
            why = f"How the loss moves with the target; the target is data, so nothing is learned from it."
        dims, kind, cols = (f"n^{L}", "1"), "dense", ("L",)
    else:
        raise KeyError(f"no edge {source} -> {target}")

    shape = (len(rows), len(cols))
    if layout == "numerator":
        dims, shape, rows, cols = (dims[1], dims[0]), (shape[1], shape[0]), cols, rows
        symbol = symbol if symbol in ("I", "1") else f"({symbol})^T"
        if dense is not None:
            dense = dense.T
        why += " Numerator layout: this is the transpose of the 6.390 (denominator-layout) Jacobian."
    return Jacobian(source, target, layout, symbol, dims, shape, kind, rows, cols, why, diag, dense, tensor,
                    softmax)


def fused_output_gradient(ev: Evaluation) -> tuple[np.ndarray, np.ndarray] | None:
    """With softmax + nllm: (A^L − Y, the two-step chain dA/dZ . dL/dA), which must agree; else None."""
    net = ev.net
    L = net.L
    if net.loss.name != "nllm" or net.layers[-1].activation.name != "softmax":
        return None
    return ev.values[a_id(L)] - ev.values[TARGET], ev.grads[z_id(L)]
