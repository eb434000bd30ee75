"""Losses: value, dL/dA^L and dL/dY side by side. A batch's loss is the sum over its columns.

Each loss carries its formula and its gradient's formula so steps can show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import NetError


@dataclass(frozen=True)
class Loss:
    """A loss by name, its formulas in symbols, and its value and gradients side by side."""

    name: str
    formula: str            # L in symbols
    grad_formula: str       # dL/dA^L in symbols
    _value: Callable        # (A, Y) -> per-entry loss, summed by value()
    _grad: Callable         # (A, Y) -> dL/dA, n x b
    _grad_y: Callable       # (A, Y) -> dL/dY, n x b

    def value(self, A: np.ndarray, Y: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            return float(np.sum(self._value(A, Y)))

    def grad(self, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self._grad(A, Y), dtype=float)

    def grad_target(self, A: np.ndarray, Y: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.asarray(self._grad_y(A, Y), dtype=float)


def _xlogy(y, a):
    """y log a with 0 log 0 = 0, so a one-hot target never turns a zero probability into NaN."""
    return np.where(y == 0, 0.0, y * np.log(np.where(y == 0, 1.0, a)))


def _xdivy(y, a):
    """y / a with 0 / a = 0 even at a = 0: where y = 0 the loss does not depend on a at all."""
    return np.where(y == 0, 0.0, y / np.where(y == 0, 1.0, a))


LOSSES = {
    "squared": Loss("squared", "L = Σ (A^L − Y)²", "dL/dA^L = 2 (A^L − Y)",
                    lambda a, y: (a - y) ** 2, lambda a, y: 2.0 * (a - y), lambda a, y: -2.0 * (a - y)),
    "half_squared": Loss("half_squared", "L = ½ Σ (A^L − Y)²", "dL/dA^L = A^L − Y",
                         lambda a, y: 0.5 * (a - y) ** 2, lambda a, y: a - y, lambda a, y: y - a),
    "nll": Loss("nll", "L = −Σ [Y log A^L + (1 − Y) log(1 − A^L)]",
                "dL/dA^L = −Y / A^L + (1 − Y) / (1 − A^L)",
                lambda a, y: -(_xlogy(y, a) + _xlogy(1.0 - y, 1.0 - a)),
                lambda a, y: -_xdivy(y, a) + _xdivy(1.0 - y, 1.0 - a),
                lambda a, y: -(np.log(a) - np.log(1.0 - a))),
    "nllm": Loss("nllm", "L = −Σ_k Y_k log A^L_k", "dL/dA^L = −Y / A^L",
                 lambda a, y: -_xlogy(y, a), lambda a, y: -_xdivy(y, a), lambda a, y: -np.log(a)),
}

NAMES = tuple(LOSSES)


def loss_from_name(name, *, field: str = "loss") -> Loss:
    if isinstance(name, str) and name in LOSSES:
        return LOSSES[name]
    raise NetError(f"{field} is {name!r}; expected one of {', '.join(NAMES)}", field=field)
