"""Edits of a Net for the editor, Qt-free: each takes the net and returns a new one (or raises
NetError), for `commands.apply_edit`. Shapes follow the units (MIT 6.390: W^l is m^l x n^l)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Callable

import numpy as np

from chainview.core import Layer, Net, NetError, activation_from_spec, init_weights, w0_id, w_id


def _fit(a: np.ndarray | None, shape: tuple[int, int], fresh: Callable[[], np.ndarray]) -> np.ndarray:
    """`a` reshaped to `shape`: the overlapping top-left block kept, the rest from `fresh()`."""
    if a is not None and a.shape == shape:
        return a
    out = np.array(fresh(), dtype=float)
    if a is not None:
        r, c = min(a.shape[0], shape[0]), min(a.shape[1], shape[1])
        out[:r, :c] = a[:r, :c]
    return out


def fitted_net(net: Net, layers: list[tuple], rng: np.random.Generator) -> Net:
    """A net with these (units, activation, W, W0[, origin]) layers, every shape made to fit.

    W^l keeps the entries that still fit and gets new ones from `init_weights` (Gaussian,
    variance 1/m^l); W0^l and new rows of the target Y are 0. `origin` is the layer's number in
    `net` (from `_parts`): its skip connection and tie follow it to its new place, and are dropped
    where their source is gone or no longer fits (core.graph_edits.relinked).
    """
    from chainview.core.graph_edits import relinked
    m, built = net.X.shape[0], []
    for part in layers:
        units, activation, W, W0 = part[:4]
        W = _fit(W, (m, units), lambda m=m, units=units: init_weights(m, units, rng)[0])
        W0 = _fit(W0, (units, 1), lambda units=units: np.zeros((units, 1)))
        built.append(Layer(int(units), activation, W, W0))
        m = units
    Y = _fit(net.Y, (m, net.batch), lambda: np.zeros((m, net.batch)))
    origins = [part[4] if len(part) > 4 else None for part in layers]
    return relinked(net, replace(net, layers=tuple(built), Y=Y), origins)


def _parts(net: Net) -> list:
    return [(layer.units, layer.activation, layer.W, layer.W0, l) for l, layer in enumerate(net.layers, start=1)]


def with_units(net: Net, l: int, units: int, rng: np.random.Generator) -> Net:
    parts = _parts(net)
    parts[l - 1] = (units,) + parts[l - 1][1:]
    return fitted_net(net, parts, rng)


def with_layer_inserted(net: Net, after: int, rng: np.random.Generator) -> Net:
    """A new layer after layer `after` (0 = first), as wide as its input, so nothing else changes shape."""
    parts = _parts(net)
    units = net.n(after)
    last = after == net.L
    activation = activation_from_spec("identity" if last else "relu")
    parts.insert(after, (units, activation, None, None, None))
    return fitted_net(net, parts, rng)


def with_layer_removed(net: Net, l: int, rng: np.random.Generator) -> Net:
    if net.L <= 1:
        raise NetError("a net needs at least one layer; this is the last one")
    parts = _parts(net)
    del parts[l - 1]
    return fitted_net(net, parts, rng)


def with_layers_swapped(net: Net, l: int, rng: np.random.Generator) -> Net:
    """Layers l and l + 1 change places; each keeps its weights where they still fit."""
    parts = _parts(net)
    parts[l - 1], parts[l] = parts[l], parts[l - 1]
    return fitted_net(net, parts, rng)


def with_example_added(net: Net) -> Net:
    """One more example: a column of zeros in both X and Y."""
    return replace(net, X=np.hstack([net.X, np.zeros((net.X.shape[0], 1))]),
                   Y=np.hstack([net.Y, np.zeros((net.Y.shape[0], 1))]))


def with_example_removed(net: Net, k: int) -> Net:
    if net.batch <= 1:
        raise NetError("the batch needs at least one example; this is the only column of X and Y")
    return replace(net, X=np.delete(net.X, k, axis=1), Y=np.delete(net.Y, k, axis=1))


def with_random_weights(net: Net, seed: int) -> Net:
    """Every W and W0 drawn afresh with core.init_weights from np.random.default_rng(seed)."""
    rng = np.random.default_rng(seed)
    weights = {}
    for l in range(1, net.L + 1):
        W, weights[w0_id(l)] = init_weights(net.m(l), net.n(l), rng)
        if net.layers[l - 1].tie is None:     # a tied layer has no W of its own
            weights[w_id(l)] = W
    return replace(net.with_weights(weights), seed=seed)


def parse_number(text: str) -> float | str:
    """A typed table entry: a float when it reads as one (also with a typographic minus), else the text."""
    cleaned = str(text).strip().replace("−", "-").replace("–", "-")
    try:
        return float(cleaned)
    except ValueError:
        return cleaned


def with_entry(net: Net, which: str, l: int, row: int, col: int, text: str) -> Net:
    """`which` is "X", "Y", "W" or "W0" (of layer l); a non-number or non-finite entry raises core's NetError."""
    value = parse_number(text)
    if isinstance(value, float) and math.isfinite(value):
        if which in ("X", "Y"):
            arr = (net.X if which == "X" else net.Y).copy()
            arr[row, col] = value
            return replace(net, **{which: arr})
        node = w_id(net.layers[l - 1].tie or l) if which == "W" else w0_id(l)
        arr = net.weights()[node].copy()
        arr[row, col] = value
        return net.with_weights({node: arr})
    # Let core word the refusal, exactly as it does for a net file ("layers[0].W[0][1] is the text 'abc'; ...").
    from chainview.core.netfile import net_from_dict, net_to_dict
    data = net_to_dict(net)
    target = {"X": lambda: data["input"], "Y": lambda: data["target"],
              "W": lambda: data["layers"][l - 1]["W"], "W0": lambda: data["layers"][l - 1]["W0"]}[which]()
    target[row][col] = value
    net_from_dict(data)
    raise NetError(f"{value!r} is not a finite number; every entry must be finite")  # core always refuses first
