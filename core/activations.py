"""Activations, each with its forward rule and its derivative side by side (as in micrograd).

Element-wise activations expose `derivative(Z)` — the diagonal of dA/dZ — so a layer of
4096 units never needs a 4096 x 4096 matrix. Softmax is the one activation whose Jacobian
is full (diag(a) - a a^T); it says so with `elementwise = False`. Its Jacobian is still kept
as the vector a (`jacobian_vector(z)`), and `softmax_jacobian_rows` makes any block of rows
from it: n floats stored, not n^2, until someone wants the whole matrix (`jacobian(z)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import NetError
from .stable_math import sigmoid as _sigmoid


@dataclass(frozen=True)
class Activation:
    """f and f' side by side, with their formulas for display and the kink convention."""

    name: str                      # the id used in files: "relu", or "custom"
    _formula: str                  # f(z) for display
    _derivative_formula: str       # f'(z) for display
    _f: Callable[[np.ndarray], np.ndarray]
    _df: Callable[[np.ndarray], np.ndarray] | None = None
    elementwise: bool = True
    note: str = ""                 # e.g. relu's convention at the kink
    expr: object = None            # the parsed Expression for a custom activation
    _df_of_a: Callable[[np.ndarray], np.ndarray] | None = None   # f' from a = f(z), the same numbers, cheaper

    @property
    def formula(self) -> str:
        return self.expr.formula if self.expr is not None else self._formula

    @property
    def derivative_formula(self) -> str:
        """f'(z); for a typed expression it is simplified on first access (sympy is slow to load)."""
        return self.expr.derivative_formula if self.expr is not None else self._derivative_formula

    @property
    def label(self) -> str:
        """Short name for a graph: 'relu', or the typed formula."""
        return self.expr.text if self.expr is not None else self.name

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self._f(Z), dtype=float)

    def derivative(self, Z: np.ndarray) -> np.ndarray:
        """f'(Z) element by element: the diagonal of dA/dZ (element-wise activations only)."""
        if not self.elementwise:
            raise TypeError(f"{self.name} has a full Jacobian; use jacobian(z)")
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(self._df(Z), dtype=float), np.shape(Z)).copy()

    def jacobian(self, z: np.ndarray) -> np.ndarray:
        """dA/dZ for one example z (n,) as a dense n x n matrix (symmetric, so layout-free)."""
        z = np.asarray(z, dtype=float).reshape(-1)
        if self.elementwise:
            return np.diag(self.derivative(z))
        a = self.jacobian_vector(z)
        return softmax_jacobian_rows(a, 0, a.size)

    def jacobian_vector(self, z: np.ndarray) -> np.ndarray:
        """Softmax only: the a = softmax(z) with dA/dZ = diag(a) − a aᵀ, i.e. the whole Jacobian in n floats."""
        if self.elementwise:
            raise TypeError(f"{self.name} is element-wise; its Jacobian is diag(derivative(z))")
        z = np.asarray(z, dtype=float).reshape(-1)
        return self(z[:, None])[:, 0]

    def backward(self, Z: np.ndarray, A: np.ndarray, dA: np.ndarray) -> np.ndarray:
        """dL/dZ = dA/dZ . dL/dA for every column at once, without forming a Jacobian."""
        with np.errstate(all="ignore"):
            if self.elementwise:
                if self._df_of_a is not None:        # tanh, sigmoid: f'(z) from a (bit for bit the same)
                    return self._df_of_a(A) * dA
                return np.asarray(self._df(Z), dtype=float) * dA
            # softmax: (diag(a) - a a^T) g = a * g - a (a . g), column by column
            return A * dA - A * np.sum(A * dA, axis=0, keepdims=True)

    @property
    def spec(self):
        """How this activation is written in a net file."""
        return {"expr": self.expr.text} if self.expr is not None else self.name


def softmax_jacobian_rows(a: np.ndarray, start: int, stop: int, out: np.ndarray | None = None) -> np.ndarray:
    """Rows start..stop of diag(a) − a aᵀ (symmetric: the same in either layout), written into `out` if given.

    Entry (i, j) is (−a_i) a_j, plus a_i when i = j: the same arithmetic for a block as for the whole
    matrix, so blocks stacked are bit for bit `jacobian(z)`. A viewer can reuse one small `out`
    instead of paying for a fresh n x n array (32 MB at n = 2048, mostly page faults).
    """
    a = np.asarray(a, dtype=float)
    start, stop = max(0, start), min(a.size, stop)
    if out is not None:
        out = out[:max(0, stop - start)]
    J = np.multiply.outer(-a[start:stop], a, out=out)
    k = np.arange(J.shape[0])
    J[k, start + k] += a[start:stop]
    return J


def _softmax(Z):
    Z = np.asarray(Z, dtype=float)
    e = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


BUILTIN = {
    "identity": Activation("identity", "z", "1", lambda z: np.array(z, dtype=float),
                           lambda z: np.ones_like(z, dtype=float)),
    "relu": Activation("relu", "max(0, z)", "1 if z > 0 else 0",
                       lambda z: np.maximum(0.0, z), lambda z: (np.asarray(z) > 0).astype(float),
                       note="relu is not differentiable at z = 0; chainview takes f'(0) = 0, as the course does."),
    "sigmoid": Activation("sigmoid", "1/(1 + exp(-z))", "sigmoid(z) (1 - sigmoid(z))",
                          _sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)), _df_of_a=lambda a: a * (1.0 - a)),
    "tanh": Activation("tanh", "tanh(z)", "1 - tanh(z)**2",
                       np.tanh, lambda z: 1.0 - np.tanh(z) ** 2, _df_of_a=lambda a: 1.0 - a ** 2),
    "softmax": Activation("softmax", "exp(z_i) / Σ_k exp(z_k)", "diag(a) - a a^T",
                          _softmax, None, elementwise=False,
                          note="softmax mixes every unit, so its Jacobian diag(a) - a a^T is full, not diagonal."),
}

NAMES = tuple(BUILTIN)


def activation_from_spec(spec, *, field: str = "activation") -> Activation:
    """A built-in name ("relu") or {"expr": "z**2"} -> Activation; NetError naming `field` otherwise."""
    if isinstance(spec, str):
        if spec in BUILTIN:
            return BUILTIN[spec]
        raise NetError(f"{field} is '{spec}'; expected one of {', '.join(NAMES)} or {{\"expr\": \"z**2\"}}",
                       field=field)
    if isinstance(spec, dict) and set(spec) == {"expr"} and isinstance(spec["expr"], str):
        return custom_activation(spec["expr"], field=field)
    raise NetError(f"{field} must be a name ({', '.join(NAMES)}) or {{\"expr\": \"...\"}} in z; got {_short(spec)}",
                   field=field)


def custom_activation(text: str, *, field: str = "activation") -> Activation:
    from .expr import parse_expression
    from .errors import ExpressionError

    try:
        expr = parse_expression(text)
    except ExpressionError as err:
        raise ExpressionError(f"{field}.expr: {err.message}", column=err.column, field=field) from None
    return Activation("custom", "", "", expr, expr.derivative, expr=expr)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
