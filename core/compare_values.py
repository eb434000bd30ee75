"""`chainview compare NET --values MINE.npz|.json`: arrays from any code (PyTorch, JAX, ...) beside the engine.

Arrays are named by node id for values (Z1, A1, ..., L) and d + node id for dL/d(node) (dZ1, dA1,
dW1, dW0_1, ...); the givens (A0, Y, W1, ...) are ignored, any other name is refused. An .npz is
read without pickles; a .json is one object of nested lists (null reads as NaN).
"""

from __future__ import annotations

import json
import os

import numpy as np

from .compare import CompareError, CompareReport, build_report
from .graph import node_ids, schedule
from .net import Net
from .nodes import w0_id, w_id, z_id


def _value_name(phase: str, node: str) -> str:
    """The documented array name for a step: Z1, A1, L for values; dZ1, dW1, dW0_1 for gradients."""
    return node if phase == "forward" else f"d{node}"


def load_values(path) -> dict:
    """name -> array from a .npz (no pickles) or a .json object of nested lists."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CompareError(f"no such file: {path}")
    name = os.path.basename(path)
    if path.lower().endswith(".npz"):
        import zipfile
        try:
            with np.load(path, allow_pickle=False) as data:
                return {k: np.asarray(data[k], dtype=float) for k in data.files}
        except (ValueError, OSError, zipfile.BadZipFile, TypeError) as err:
            raise CompareError(f"{name} is not a readable .npz of number arrays ({' '.join(str(err).split())}); "
                               f"save it with np.savez(path, Z1=..., dW1=...)") from None
    if path.lower().endswith(".json"):
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (ValueError, UnicodeDecodeError) as err:
            raise CompareError(f"{name} is not valid JSON ({' '.join(str(err).split())})") from None
        if not isinstance(data, dict):
            raise CompareError(f"{name} must hold one JSON object of arrays, e.g. {{\"Z1\": [[0.1], [0.2]]}}")
        out = {}
        for key, value in data.items():
            try:
                out[key] = np.asarray(value, dtype=float)  # null reads as NaN
            except (TypeError, ValueError):
                raise CompareError(f"{name}: {key} must be a matrix of numbers (a list of rows)") from None
        return out
    raise CompareError(f"{name}: --values takes a .npz or a .json file")


def compare_values(net: Net, path) -> CompareReport:
    """Compare arrays someone dumped from any framework (PyTorch, JAX, ...) with chainview's numbers."""
    arrays = load_values(path)
    names = {_value_name(p, n): (p, n) for p, n in schedule(net)}
    givens = set(node_ids(net)) - set(names)            # A0, Y, W1, W0_1, ...: the inputs, nothing to check
    arrays = {k: v for k, v in arrays.items() if k not in givens}
    unknown = [k for k in arrays if k not in names]
    if unknown:
        examples = ", ".join(list(names)[:3] + [_value_name("backward", n) for n in (z_id(1), w_id(1), w0_id(1))])
        raise CompareError(f"{os.path.basename(os.fspath(path))} has an array named {unknown[0]!r}; this net's names "
                           f"are {examples}, ... (node ids, and d + node id for dL/d(node))")
    theirs = {names[k]: v for k, v in arrays.items()}
    return build_report(net, theirs, source=os.fspath(path))
