"""The net a person builds: input, target, loss and layers, with shapes checked once, here.

A `Net` is immutable; edits make a new one (`replace_layer`, `with_input`, ...), which keeps
undo simple and lets the GUI compare old and new. Shapes follow MIT 6.390: W^l is
m^l x n^l (inputs x units), W0^l is n^l x 1, A^0 = X is m^1 x b, Y is n^L x b.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np

from .activations import Activation, activation_from_spec
from .errors import NetError
from .losses import Loss, loss_from_name
from .nodes import w0_id, w_id
from .symbols import split_id

MAX_UNITS = 4096
MAX_LAYERS = 64
MAX_BATCH = 4096


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer: its units, activation and weights, and a skip or tied weights if it has one."""

    units: int
    activation: Activation
    W: np.ndarray        # m x n
    W0: np.ndarray       # n x 1
    skip_from: int | None = None   # k: Z^l also adds A^k (a skip connection; needs n^k = n^l)
    tie: int | None = None         # k: the layer uses W^k itself (no W^l node); W is that same array


@dataclass(frozen=True, eq=False)
class Net:
    """The whole net file as values: inputs, targets, loss and layers. Edits make a new Net (replace)."""

    X: np.ndarray                     # A^0: m^1 x b
    Y: np.ndarray                     # n^L x b
    loss: Loss
    layers: tuple[Layer, ...]
    name: str = ""
    description: str = ""
    notes: tuple[tuple[int, str], ...] = ()   # (step index, text): a TA's notes (the net file's "notes", version 2)
    seed: int = 0
    weight_decay: float = 0.0         # λ in L = Σ loss + λ Σ ‖W^l‖²_F (over the distinct W nodes)

    def __post_init__(self):
        _share_tied_weights(self)
        check_net(self)
        object.__setattr__(self, "_signature",   # asked on every graph query: made once (a Net never changes)
                           (tuple((layer.tie, layer.skip_from) for layer in self.layers), self.weight_decay > 0))
        # truly immutable: views hand these arrays out (a Jacobian's dense() is W itself)
        for arr in (self.X, self.Y, *(a for layer in self.layers for a in (layer.W, layer.W0))):
            arr.flags.writeable = False

    @property
    def signature(self) -> tuple:
        """The net's shape as core.graph needs it: per layer (tie, skip_from), and whether λ > 0."""
        return self._signature

    # sizes in the notes' symbols
    @property
    def L(self) -> int:
        return len(self.layers)

    @property
    def batch(self) -> int:
        return self.X.shape[1]

    def m(self, l: int) -> int:
        """m^l: inputs of layer l (1-based)."""
        return self.layers[l - 1].W.shape[0]

    def n(self, l: int) -> int:
        """n^l: units of layer l (1-based); n^0 is the input size."""
        return self.X.shape[0] if l == 0 else self.layers[l - 1].units

    # edits return a new Net
    def replace_layer(self, l: int, **changes) -> "Net":
        layers = list(self.layers)
        layers[l - 1] = replace(layers[l - 1], **changes)
        return replace(self, layers=tuple(layers))

    def with_weights(self, weights: dict[str, np.ndarray]) -> "Net":
        """A copy with some of W1.., W0_1.. replaced (by node id); a tied layer follows its W^k."""
        layers = list(self.layers)
        for node, value in weights.items():
            kind, l = parse_weight_id(node)
            if kind == "W" and 1 <= l <= len(layers) and layers[l - 1].tie is not None:
                raise KeyError(f"{node} is not a node: layer {l} uses W^{layers[l - 1].tie} (tied)")
            layers[l - 1] = replace(layers[l - 1], **{kind: np.array(value, dtype=float)})
        return replace(self, layers=tuple(layers))

    def weights(self) -> dict[str, np.ndarray]:
        """Every learned node by id: W^l of each layer with a W of its own, W0^l of every layer."""
        out = {}
        for l, layer in enumerate(self.layers, start=1):
            if layer.tie is None:
                out[w_id(l)] = layer.W
            out[w0_id(l)] = layer.W0
        return out


def parse_weight_id(node: str) -> tuple[str, int]:
    kind, l = split_id(node)
    if kind in ("W", "W0") and l is not None:
        return kind, l
    raise KeyError(f"{node} is not a weight node (W1, W0_1, ...)")


def _share_tied_weights(net: "Net") -> None:
    """A tied layer's W is its owner's array itself, so an edit of W^k moves every use of it."""
    if not any(layer.tie is not None for layer in net.layers):
        return
    layers = list(net.layers)
    for l, layer in enumerate(layers, start=1):
        k = layer.tie
        if k is None:
            continue
        where = f"layers[{l - 1}].tie"
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < l:
            raise NetError(f"{where} is {k!r}; layer {l} can share the W of an earlier layer k, 1 ≤ k < {l}"
                           if l > 1 else f"{where}: layer 1 has no earlier layer to share a W with; remove tie",
                           field=where)
        owner = layers[k - 1]
        m = net.X.shape[0] if l == 1 else layers[l - 2].units
        if owner.tie is not None:
            raise NetError(f"{where}: layer {k} uses W^{owner.tie} itself; tie layer {l} to {owner.tie} instead",
                           field=where)
        if owner.W.shape != (m, layer.units):
            raise NetError(f"{where}: W^{k} is {_dims(owner.W)} but layer {l} needs m^{l} x n^{l} = "
                           f"{m} x {layer.units}; a tied layer uses W^{k} itself, so the sizes must match",
                           field=where)
        layers[l - 1] = replace(layer, W=owner.W)
    object.__setattr__(net, "layers", tuple(layers))


def init_weights(m: int, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian with variance 1/m (the course's initialisation), zero offsets."""
    return rng.normal(0.0, 1.0 / np.sqrt(m), size=(m, n)), np.zeros((n, 1))


def build_net(X, Y, loss: str | Loss, layers: Sequence[dict], *, name: str = "", description: str = "",
              seed: int = 0, weight_decay: float = 0.0) -> Net:
    """Make a Net from plain values; W/W0 left out (None) are drawn at random from `seed`.

    `layers` holds dicts with "units", "activation" (name, {"expr": ...} or Activation) and
    optional "W", "W0", "skip_from" (k: Z^l adds A^k) and "tie" (k: the layer uses W^k itself,
    and gives no W). Raises NetError with a one-line message on any problem.
    """
    X = _matrix(X, "input")
    rng = None  # made only when a layer leaves its weights out (numpy.random is slow to import)
    built, m = [], X.shape[0]
    if not layers:
        raise NetError("layers is empty; a net needs at least one layer, e.g. {\"units\": 1, \"activation\": \"identity\"}",
                       field="layers")
    for i, spec in enumerate(layers):
        where = f"layers[{i}]"
        units = spec.get("units")
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
            raise NetError(f"{where}.units must be a whole number of at least 1; got {units!r}", field=f"{where}.units")
        if units > MAX_UNITS:
            raise NetError(f"{where}.units is {units}; chainview draws toy nets of at most {MAX_UNITS} units a layer",
                           field=f"{where}.units")
        act = spec.get("activation", "identity")
        act = act if isinstance(act, Activation) else activation_from_spec(act, field=f"{where}.activation")
        W0_default = None
        tie, skip = spec.get("tie"), spec.get("skip_from")
        if tie is not None:   # W^k itself (Net checks k and the sizes); offsets start at zero as drawn ones do
            if spec.get("W") is not None:
                raise NetError(f"{where}.W: a tied layer uses W^{tie} itself; leave W out", field=f"{where}.W")
            ok = isinstance(tie, (int, np.integer)) and not isinstance(tie, bool) and 1 <= tie <= len(built)
            W = built[tie - 1].W if ok else np.zeros((m, int(units)))
            W0 = (_matrix(spec["W0"], f"{where}.W0") if spec.get("W0") is not None else np.zeros((int(units), 1)))
            built.append(Layer(int(units), act, W, W0, skip, tie))
            m = int(units)
            continue
        if spec.get("W") is None or spec.get("W0") is None:
            rng = rng if rng is not None else np.random.default_rng(seed)
            W_default, W0_default = init_weights(m, units, rng)
        W = _matrix(spec["W"], f"{where}.W") if spec.get("W") is not None else W_default
        W0 = _matrix(spec["W0"], f"{where}.W0") if spec.get("W0") is not None else W0_default
        built.append(Layer(int(units), act, W, W0, skip))
        m = int(units)
    loss = loss if isinstance(loss, Loss) else loss_from_name(loss)
    return Net(X, _matrix(Y, "target"), loss, tuple(built), name=name, description=description, seed=seed,
               weight_decay=weight_decay)


def _matrix(value, field: str) -> np.ndarray:
    """A finite float matrix from nested lists; a flat list is one column."""
    try:
        arr = np.array(value)
        if arr.dtype.kind not in "iuf":  # refuse strings and booleans that numpy would convert
            raise TypeError
        arr = arr.astype(float)
    except (TypeError, ValueError):
        raise NetError(f"{field} must be a matrix of numbers (a list of equal-length rows); got {_describe(value)}",
                       field=field) from None
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2 or arr.size == 0:
        raise NetError(f"{field} must be a non-empty matrix (list of rows) or a flat list for one column", field=field)
    if not all_finite(arr):
        raise NetError(f"{field} contains NaN or Infinity; every entry must be a finite number", field=field)
    return arr


def all_finite(arr: np.ndarray) -> bool:
    """Whether every entry is finite; exact, and for the usual all-finite array one pass with no temporary.

    A NaN or ±inf entry makes the sum NaN or ±inf, so a finite sum proves every entry finite. A
    non-finite sum can also come from finite entries that overflow it, so only then look entry by entry.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(arr.sum()):
            return True
    return bool(np.isfinite(arr).all())


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _dims(a: np.ndarray) -> str:
    return f"{a.shape[0]} x {a.shape[1]}"


def check_net(net: Net) -> None:
    """Every shape against the conventions page; the first mismatch as a NetError that says how to fix it."""
    X, Y = net.X, net.Y
    if not net.layers:
        raise NetError("layers is empty; a net needs at least one layer", field="layers")
    if len(net.layers) > MAX_LAYERS:
        raise NetError(f"the net has {len(net.layers)} layers; chainview draws toy nets of at most {MAX_LAYERS}",
                       field="layers")
    if X.shape[1] > MAX_BATCH:
        raise NetError(f"input has {X.shape[1]} columns (examples); the limit is {MAX_BATCH}", field="input")
    m = X.shape[0]
    for l, layer in enumerate(net.layers, start=1):
        where = f"layers[{l - 1}]"
        n = layer.units
        if layer.W.shape != (m, n):
            hint = " - is it transposed?" if layer.W.shape == (n, m) else ""
            what = "inputs x units"
            if l == 1:
                what += f"; m^1 = {m} is the number of rows of input"
            raise NetError(f"{where}.W must be m^{l} x n^{l} = {m} x {n} ({what}); got {_dims(layer.W)}{hint}",
                           field=f"{where}.W")
        if layer.W0.shape != (n, 1):
            hint = " - is it transposed?" if layer.W0.shape == (1, n) else ""
            raise NetError(f"{where}.W0 must be n^{l} x 1 = {n} x 1 (one offset per unit); got {_dims(layer.W0)}{hint}",
                           field=f"{where}.W0")
        if layer.skip_from is not None:
            check_skip(net, l)
        m = n
    lam = net.weight_decay
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.integer, np.floating)) \
            or not np.isfinite(lam) or lam < 0:
        raise NetError(f"weight_decay must be a number ≥ 0 (λ in L = Σ loss + λ Σ ‖W‖²), e.g. 0.01; got {lam!r}",
                       field="weight_decay")
    nL = net.layers[-1].units
    if Y.shape[0] != nL:
        hint = " - is it transposed?" if Y.shape == (X.shape[1], nL) and nL != X.shape[1] else ""
        raise NetError(f"target must be n^L x b = {nL} x {X.shape[1]} (output units x examples); got {_dims(Y)}{hint}",
                       field="target")
    if Y.shape[1] != X.shape[1]:
        raise NetError(f"target has {Y.shape[1]} columns but input has {X.shape[1]}; each example is one column of both",
                       field="target")
    for name, arr in (("input", X), ("target", Y)):
        if not all_finite(arr):
            raise NetError(f"{name} contains NaN or Infinity; every entry must be a finite number", field=name)
    for l, layer in enumerate(net.layers, start=1):
        if not (all_finite(layer.W) and all_finite(layer.W0)):
            raise NetError(f"layers[{l - 1}] weights contain NaN or Infinity; every entry must be finite",
                           field=f"layers[{l - 1}]")


def check_skip(net: Net, l: int) -> None:
    """layer l's skip_from k: a whole number 0 ≤ k ≤ l − 2, with n^k = n^l."""
    k = net.layers[l - 1].skip_from
    where = f"layers[{l - 1}].skip_from"
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= l - 2:
        if l == 1:
            raise NetError(f"{where} is {k!r}; layer 1 cannot skip: a skip comes from A^k with k ≤ l − 2, "
                           f"so only layer 2 and later can have one", field=where)
        raise NetError(f"{where} is {k!r}; layer {l} can add A^k for a whole number 0 ≤ k ≤ {l - 2}", field=where)
    nk, nl = net.n(k), net.layers[l - 1].units
    if nk != nl:
        raise NetError(f"{where}: A^{k} has {nk} rows but Z^{l} has {nl}; a skip connection needs equal sizes",
                       field=where)
