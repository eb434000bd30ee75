"""Edits of a net's graph: add or remove a skip connection, tie or untie a W, set λ.

Pure functions from a Net to a new Net (the editor puts each on the undo stack), and the
choices an editor offers with the reason each impossible one is impossible, worded as core's
own checks word them, so a greyed-out entry's tooltip says why.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .errors import NetError
from .net import Net


def skip_choices(net: Net, l: int) -> dict[int, str]:
    """k -> "" (possible) or the reason not, for every A^k layer l could add (0 ≤ k ≤ l − 2)."""
    out = {}
    n = net.n(l)
    for k in range(0, l - 1):
        nk = net.n(k)
        out[k] = "" if nk == n else f"A^{k} has {nk} rows but Z^{l} has {n}; a skip connection needs equal sizes"
    return out


def tie_choices(net: Net, l: int) -> dict[int, str]:
    """k -> "" (possible) or the reason not, for every earlier layer whose W layer l could use."""
    out = {}
    layer = net.layers[l - 1]
    m = net.n(l - 1)
    for k in range(1, l):
        owner = net.layers[k - 1]
        if owner.tie is not None:
            out[k] = f"layer {k} uses W^{owner.tie} itself; tie to layer {owner.tie} instead"
        elif owner.W.shape != (m, layer.units):
            out[k] = (f"W^{k} is {owner.W.shape[0]} x {owner.W.shape[1]} but layer {l} needs "
                      f"m^{l} x n^{l} = {m} x {layer.units}")
        elif any(other.tie == l for other in net.layers):
            out[k] = f"another layer uses W^{l}; untie it first"
        else:
            out[k] = ""
    return out


def with_skip(net: Net, l: int, k: int | None) -> Net:
    """Layer l adds A^k to Z^l (k None: no skip connection). Core checks k and the sizes."""
    return net.replace_layer(l, skip_from=k)


def with_tie(net: Net, l: int, k: int | None) -> Net:
    """Layer l uses W^k itself (k None: layer l gets a W of its own again, a copy of the shared one)."""
    if k is None:
        layer = net.layers[l - 1]
        return net.replace_layer(l, tie=None, W=np.array(layer.W, dtype=float))
    reason = tie_choices(net, l).get(k)
    if reason:
        raise NetError(f"layers[{l - 1}].tie: {reason}", field=f"layers[{l - 1}].tie")
    return net.replace_layer(l, tie=k)


def with_weight_decay(net: Net, lam: float) -> Net:
    """λ in L = Σ loss + λ Σ ‖W‖²_F (0: no R node). Core checks it is a number ≥ 0."""
    return replace(net, weight_decay=float(lam) if isinstance(lam, (int, float)) and not isinstance(lam, bool)
                   else lam)


def relinked(old: Net, new: Net, origins: list[int | None]) -> Net:
    """`new` with each layer's skip and tie carried over from the layer of `old` it came from.

    origins[i] is the number (1-based) in `old` of new layer i + 1, or None for a new layer. A link
    whose source was removed, now comes later, or no longer fits is dropped, never an error.
    """
    where = {o: i + 1 for i, o in enumerate(origins) if o is not None}
    where[0] = 0                                                   # A^0 stays A^0
    net = new
    for i, o in enumerate(origins):
        if o is None:
            continue
        l, was = i + 1, old.layers[o - 1]
        if was.skip_from is not None and where.get(was.skip_from) is not None:
            k = where[was.skip_from]
            if k <= l - 2 and not skip_choices(net, l).get(k, "missing"):
                net = with_skip(net, l, k)
        if was.tie is not None and where.get(was.tie) is not None:
            k = where[was.tie]
            if 1 <= k < l and not tie_choices(net, l).get(k, "missing"):
                net = with_tie(net, l, k)
    return net
