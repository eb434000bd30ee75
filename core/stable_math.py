"""Overflow-free numpy functions shared by the built-in activations (core.activations) and a typed
f(z) (core.symbolic's lambdify table), so both compute sigmoid with the very same arithmetic."""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    """1 / (1 + exp(-z)) element-wise, without overflow: exp is only ever taken of a number <= 0."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out
