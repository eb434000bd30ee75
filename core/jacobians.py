"""The Jacobian on every edge, in denominator layout (6.390) or, on request, numerator layout.

Denominator layout: for column vectors v (p) and w (q), dw/dv is p x q, row i <-> v_i,
column j <-> w_j. Numerator layout is the transpose of every one of them. Each edge's Jacobian is
its target kind's (core.nodes: ZNode, ANode, RNode, LNode .jacobian, by the edge's role in the
graph); edge_jacobian applies the layout here, once for all of them.

Jacobians are built lazily: a diagonal one keeps only its diagonal, an identity keeps only
its size, a softmax one keeps only a (it is diag(a) - a a^T), so a 4096-unit layer allocates
4096^2 floats only when someone asks for `dense()`. A viewer reads one without the whole
matrix through `rows(start, stop)` (a block of rows) and `entry(i, j)`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

from .activations import softmax_jacobian_rows
from .engine import Evaluation
from .graph import structure
from .nodes import KINDS, TARGET, _labels, _w_tensor, a_id, z_id  # noqa: F401  (_labels, _w_tensor: re-exported)
from .symbols import split_id

LAYOUTS = ("denominator", "numerator")


@dataclass(frozen=True, eq=False)
class Jacobian:
    """One edge's Jacobian in a layout: symbol, dims and labels, with its numbers made on demand."""

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


def edge_jacobian(ev: Evaluation, source: str, target: str, *, layout: str = "denominator",
                  example: int = 0) -> Jacobian:
    """The Jacobian d(target)/d(source) for one example (a column of the batch)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}; got {layout!r}")
    net, values = ev.net, ev.values
    if not 0 <= example < net.batch:
        raise ValueError(f"example must be 0..{net.batch - 1}; got {example}")
    numerator = layout == "numerator"
    key = (_words_key(net), source, target, layout)
    known = _WORDS.get(key)
    if known is not None:    # the words are known for this shape of net: only the numbers are new
        numbers, role, words = known
        diag, dense, tensor, softmax = numbers(role, ev, source, target, example, numerator)
        if numerator and dense is not None:
            dense = dense.T
        return _jacobian(source, target, layout, *words, diag, dense, tensor, softmax)
    st = structure(net)
    role = st.roles.get((source, target))
    if role is None:  # A0 -> Z2 is a chain, not an edge: it is not W^2
        raise KeyError(f"no edge {source} -> {target}")
    t_kind = st.kinds[target]
    parts = KINDS[t_kind].jacobian(role, ev, source, target, example, numerator)
    symbol, dims, kind, rows, cols, why, diag, dense, tensor, softmax = parts

    shape = (len(rows), len(cols))
    if numerator:
        dims, shape, rows, cols = (dims[1], dims[0]), (shape[1], shape[0]), cols, rows
        symbol = symbol if symbol in ("I", "1") else f"({symbol})^T"
        if dense is not None:
            dense = dense.T
        why += " Numerator layout: this is the transpose of the 6.390 (denominator-layout) Jacobian."
    if len(_WORDS) >= _WORDS_MAX:
        _WORDS.pop(next(iter(_WORDS)))
    _WORDS[key] = (KINDS[t_kind].numbers, role, (symbol, dims, shape, kind, rows, cols, why))
    return _jacobian(source, target, layout, symbol, dims, shape, kind, rows, cols, why, diag, dense, tensor,
                     softmax)


_WORDS: dict = {}    # (shape of net, edge, layout) -> (its kind's numbers(), role, words: symbol, dims, shape,
                     # kind, labels, why)
_WORDS_MAX = 8192    # a 50-layer net has ~250 edges a layout; the labels are shared tuples (_labels' cache)
_FIELDS = tuple(f.name for f in fields(Jacobian))


def _jacobian(*values) -> Jacobian:
    """Jacobian(*values) without the frozen dataclass's per-field object.__setattr__ (~5 µs a Jacobian)."""
    J = object.__new__(Jacobian)
    J.__dict__.update(zip(_FIELDS, values))
    return J


def _words_key(net) -> tuple:
    """A number for everything a Jacobian's words depend on (not its numbers): the graph, the sizes, the
    formulas, λ. Kept on the Net (it never changes), as core.graph.structure keeps its Structure."""
    key = net.__dict__.get("_jacobian_words_key")
    if key is None:
        acts = tuple((layer.units, layer.activation.name, layer.activation.formula,
                      layer.activation.derivative_formula, layer.activation.note, layer.activation.elementwise)
                     for layer in net.layers)
        full = (net.signature, net.X.shape[0], net.loss.name, net.loss.formula, net.loss.grad_formula,
                float(net.weight_decay), acts)
        key = _SHAPES.setdefault(full, len(_SHAPES))   # a small int: hashed on every call, unlike the tuple
        object.__setattr__(net, "_jacobian_words_key", key)
    return key


_SHAPES: dict = {}   # words key -> its number (a few per session: one per shape of net ever opened)


def fused_output_gradient(ev: Evaluation) -> tuple[np.ndarray, np.ndarray] | None:
    """With softmax + nllm: (A^L − Y, the two-step chain dA/dZ . dL/dA), which must agree; else None."""
    net = ev.net
    L = net.L
    if net.loss.name != "nllm" or net.layers[-1].activation.name != "softmax":
        return None
    return ev.values[a_id(L)] - ev.values[TARGET], ev.grads[z_id(L)]
