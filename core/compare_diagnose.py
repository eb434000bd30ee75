"""How a person's number differs from chainview's: transposed, batch_sum, shape, scaled, nonfinite, values.

The first diagnosis that fits wins, most specific first (the issue's table). "Close" is the
gradient check's test (core.gradcheck's RTOL and ATOL): |yours − ours| ≤ ATOL + RTOL·max(|yours|, |ours|)
entry by entry, with NaN matching NaN and an infinity the same infinity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .gradcheck import ATOL, RTOL
from .nodes import a_id, w0_id, w_id, z_id
from .symbols import node_dims, node_symbol, pretty, shape_text, split_id


@dataclass(frozen=True)
class Diagnosis:
    kind: str        # shape | transposed | scaled | batch_sum | values | nonfinite (exception, timeout: compare.py)
    message: str


@dataclass
class Context:
    """What a diagnosis needs to speak in the notes' terms."""
    node: str
    phase: str                       # forward | backward | update
    L: int
    batch: int
    producer: str = ""               # e.g. "Tanh.backward"
    input_key: tuple | None = None   # (phase, node) of the value their call was given
    lr: float | None = None
    candidates: dict = field(default_factory=dict)   # (phase, node) -> correct array, for "yours equals ..."
    sizes: dict = field(default_factory=dict)        # "m^2" -> 3, "n^2" -> 2, "b" -> 4: to name their dimensions


def close(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        ok = np.isfinite(a) & np.isfinite(b) & (np.abs(a - b) <= ATOL + RTOL * np.maximum(np.abs(a), np.abs(b)))
    return bool(np.all(same | ok))


def title(phase: str, node: str) -> str:
    """'dL/dW²' for a gradient, 'Z¹' for a value, 'W² after the step' for an update."""
    sym = pretty(node_symbol(node))
    return {"forward": sym, "backward": f"dL/d{sym}", "update": f"the step on {sym}"}.get(phase, sym)


def diagnose(yours, expected: np.ndarray, ctx: Context) -> Diagnosis | None:
    """None when they agree; otherwise the most specific Diagnosis. `yours` may be None (nothing returned)
    or a text saying what came instead of an array."""
    name = title(ctx.phase, ctx.node)
    if yours is None:
        return Diagnosis("shape", f"{ctx.producer or 'your code'} gave no array (None); {name} is "
                                  f"{_dims(ctx, expected.shape)} - a missing `return`?")
    if isinstance(yours, str):                  # what the child says instead of an array
        return Diagnosis("shape", f"{ctx.producer or 'your code'}: {yours}; {name} is {_dims(ctx, expected.shape)}")
    t = np.asarray(yours, dtype=float)
    e = np.asarray(expected, dtype=float)
    if ctx.node == "L" and ctx.phase == "forward" and t.size == 1:
        t = t.reshape(1, 1)                       # the loss as a float or a 1 x 1 array: both fine
    if t.shape == e.shape and close(t, e):
        return None
    if t.ndim == 2 and t.shape == e.T.shape and close(t.T, e):
        return Diagnosis("transposed", _transposed(ctx, t, e))
    b = ctx.batch
    rows = t.reshape(1, -1) if t.ndim == 1 and e.shape == (1, 1) else t     # one number per example, as a row
    if b > 1 and e.ndim == 2 and e.shape[1] == 1 and rows.ndim == 2 and rows.shape == (e.shape[0], b) \
            and close(rows.sum(axis=1, keepdims=True), e):
        how = ("the loss is one number, the sum over the batch" if ctx.node == "L"
               else "np.sum(..., axis=1, keepdims=True)")
        return Diagnosis("batch_sum", f"yours is {shape_text(t.shape)}: the batch's {b} columns were not summed "
                                      f"({how}); {name} is {_dims(ctx, e.shape)}")
    if t.shape != e.shape:
        hint = _shape_hint(ctx, t, e)
        return Diagnosis("shape", f"yours is {_their_dims(ctx, t.shape)}; {name} is {_dims(ctx, e.shape)}{hint}"
                                  f"{_equals_other(ctx, t)}")
    bad = ~np.isfinite(t) & np.isfinite(e)
    if bad.any():
        idx = tuple(int(k) for k in np.argwhere(bad)[0])
        what = "NaN" if np.isnan(t[idx]) else "infinity"
        at = f" at {_where(idx, e.shape)}" if e.size > 1 else ""
        return Diagnosis("nonfinite", f"yours has {what}{at}, where {name} is {e[idx]:.6g}"
                                      + (" (NaN comes from 0/0, 0 · ∞ or ∞ − ∞, e.g. 0 · log(0))" if what == "NaN"
                                         else " (∞ comes from log(0), a division by 0 or an overflowing exp)"))
    scaled = _scale(t, e)
    hint = _scale_hint(scaled, ctx) if scaled is not None else ""
    if scaled is not None and (t.size > 1 or hint):   # any two numbers are "scaled": a lone one needs a known factor
        return Diagnosis("scaled", f"yours is {_fraction(scaled)} × {name}{hint}")
    if not np.any(t) and np.any(e):
        return Diagnosis("values", f"yours is all zeros; {name} is not" + (
            " - did sgd_step leave it unchanged?" if ctx.phase == "update" else f"{_equals_other(ctx, t)}"))
    with np.errstate(all="ignore"):
        diff = np.where(np.isfinite(t) & np.isfinite(e), np.abs(t - e), np.inf)
    idx = tuple(int(k) for k in np.unravel_index(int(np.argmax(diff)), diff.shape))
    return Diagnosis("values", f"largest difference at {_where(idx, e.shape)}: yours {t[idx]:.6g}, "
                               f"expected {e[idx]:.6g}{_slip(ctx, t, e) or _equals_other(ctx, t)}")


def _slip(ctx: Context, t: np.ndarray, e: np.ndarray) -> str:
    """A known slip that explains these numbers: W A for Wᵀ A (a square W), a forgotten W0, relu'(0) = 1."""
    kind, l = split_id(ctx.node)
    get = lambda node: ctx.candidates.get(("forward", node))
    if ctx.phase == "forward" and kind == "Z":
        W, W0, A = get(w_id(l)), get(w0_id(l)), get(a_id(l - 1))
        if W is None or W0 is None or A is None:
            return ""
        z, w, w0, a = (pretty(node_symbol(n)) for n in (z_id(l), w_id(l), w0_id(l), a_id(l - 1)))
        if W.shape[0] == W.shape[1] and close(t, W @ A + W0):
            return (f"; yours equals {w} {a} + {w0}: W not transposed - {w} is {pretty(f'm^{l} x n^{l}')}, "
                    f"so {z} = {w}ᵀ {a} + {w0}")
        if close(t, W.T @ A):
            return f"; yours equals {w}ᵀ {a}: the offset {w0} was not added"
    if ctx.phase == "backward" and kind == "Z" and ctx.producer.startswith("ReLU"):
        Z = get(z_id(l))
        wrong = ~np.isclose(t, e, rtol=RTOL, atol=ATOL)
        if Z is not None and Z.shape == t.shape and wrong.any() and np.all(Z[wrong] == 0):
            idx = tuple(int(k) for k in np.argwhere(wrong)[0])
            return (f"; {pretty(node_symbol(z_id(l)))} is exactly 0 at {_where(idx, Z.shape)}, relu's kink: the course "
                    f"takes relu'(0) = 0 (Z > 0, not Z >= 0)")
    return ""


def _shape_hint(ctx: Context, t: np.ndarray, e: np.ndarray) -> str:
    """Why the shape is wrong when the numbers say so: a lost column axis, a flattened matrix, the wrong axis summed."""
    if t.size == e.size and t.ndim < 2 and close(t.reshape(e.shape), e):
        if e.ndim == 2 and e.shape[1] == 1:
            return " - the numbers are right: keep it a column (keepdims=True, or .reshape(-1, 1))"
        return f" - the numbers are right but flattened: keep it {shape_text(e.shape)}"
    kind, l = split_id(ctx.node)
    dZ = ctx.candidates.get(("backward", z_id(l)))
    if ctx.phase == "backward" and kind == "W0" and dZ is not None and t.size == dZ.shape[1] \
            and close(t.reshape(-1), dZ.sum(axis=0)):
        return " - summed over axis 0 (each example's units); the batch is axis 1: np.sum(dLdZ, axis=1, keepdims=True)"
    return ""


def _where(idx, shape) -> str:
    """'entry (2, 3)' counted from 1 as a person reads a matrix, naming the example for a batch."""
    text = "entry (" + ", ".join(str(i + 1) for i in idx) + ")"
    return text


def _dims(ctx: Context, shape) -> str:
    """'m² × n² = 3 × 2' for this node."""
    rows, cols = node_dims(ctx.node, ctx.L, ctx.batch)
    if ctx.phase == "backward" and ctx.node[0] in "AZ" and ctx.batch == 1:
        cols = "1"
    return pretty(f"{rows} x {cols}") + f" = {shape_text(shape)}"


def _their_dims(ctx: Context, shape) -> str:
    """Their shape, each dimension named by the sizes of this node's layer it could be: '2 × 4 (n² × b)'."""
    if len(shape) != 2 or not ctx.sizes:
        return shape_text(shape)
    names = []
    for d in shape:
        options = [pretty(sym) for sym, size in ctx.sizes.items() if size == d]
        names.append("/".join(options) if options else str(d))
    return f"{shape_text(shape)} ({' × '.join(names)})" if any(not n.isdigit() for n in names) else shape_text(shape)


def _transposed(ctx: Context, t: np.ndarray, e: np.ndarray) -> str:
    kind, l = split_id(ctx.node)
    if ctx.phase == "backward" and kind == "W":
        prev = pretty(node_symbol(a_id(l - 1)))
        dz = f"dL/d{pretty(node_symbol(z_id(l)))}"
        return (f"yours is {dz} {prev}ᵀ ({shape_text(t.shape)}); the notes' {title('backward', ctx.node)} = "
                f"{prev} ({dz})ᵀ is {_dims(ctx, e.shape)}")
    return f"yours is the transpose ({shape_text(t.shape)}) of {title(ctx.phase, ctx.node)}, which is {_dims(ctx, e.shape)}"


def _scale(t: np.ndarray, e: np.ndarray) -> float | None:
    """c with yours ≈ c · ours (c ≠ 1, c ≠ 0), or None."""
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(e))):
        return None
    denom = float(np.sum(e * e))
    if denom <= ATOL ** 2:
        return None
    c = float(np.sum(t * e)) / denom
    if abs(c) < 1e-9 or abs(c - 1.0) <= 1e-6 or not close(t, c * e):
        return None
    return c


def _fraction(c: float) -> str:
    from fractions import Fraction
    f = Fraction(c).limit_denominator(64)
    if abs(float(f) - c) <= 1e-9 * max(1.0, abs(c)):
        return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
    return f"{c:.6g}"


def _near(c: float, target: float) -> bool:
    return abs(c - target) <= 1e-6 * max(1.0, abs(target))


def _scale_hint(c: float, ctx: Context) -> str:
    b, lr = ctx.batch, ctx.lr
    if ctx.phase == "update":
        if _near(c, -1.0):
            return ": the step went up the gradient (W + lr·dL/dW); SGD subtracts it"
        if lr and _near(c, 1.0 / lr):
            return f": the learning rate {lr:g} was not applied"
        if lr and _near(c, -1.0 / lr):
            return f": the learning rate {lr:g} was not applied, and the sign is flipped"
    if _near(c, 2.0):
        return ": a factor 2 - squared loss Σ(a−y)² has dL/da = 2(a−y); half-squared ½Σ(a−y)² has a−y"
    if _near(c, 0.5):
        mean = f"; or 1/b with b = {b}: a mean over the batch where the loss is a sum" if b == 2 else ""
        return ": a factor ½ - squared loss Σ(a−y)² has dL/da = 2(a−y), not a−y" + mean
    if _near(c, -1.0):
        return ": the sign is flipped"
    if b > 1 and _near(c, 1.0 / b):
        return f": 1/b with b = {b} - a mean over the batch where the loss (and its gradient) is a sum"
    if b > 1 and _near(c, float(b)):
        return f": b = {b} times too big - counted every example b times?"
    return ""


def _equals_other(ctx: Context, t: np.ndarray) -> str:
    """"; yours equals dL/dA² - did Tanh.backward return its input?" when it does."""
    for key, arr in ctx.candidates.items():
        if key == (ctx.phase, ctx.node) or arr.shape != t.shape or not np.any(np.abs(arr) > ATOL):
            continue
        if close(t, arr):
            text = f"; yours equals {title(*key)}"
            if "passed through" in ctx.producer and key == ("backward", a_id(ctx.L)):
                act = ctx.producer.split("passed through ")[1].split(".")[0]
                text += (f" - {act}.backward returned its input unchanged: that is the fused convention, where "
                         f"NLL.backward must return A − Y = dL/dZ; or keep NLL's dL/dA and apply {act}'s derivative "
                         f"in {act}.backward")
            elif key == ctx.input_key and ctx.producer:
                text += f" - did {ctx.producer} return its input?"
            elif ctx.node == a_id(ctx.L) and key == ("backward", z_id(ctx.L)):
                text += (" - that is the fused shortcut A − Y; with it, the output activation's backward "
                         "(SoftMax or Sigmoid) must pass its input through unchanged")
            elif key[0] == "forward" and ctx.phase == "backward":
                text += " (a value, not a gradient)"
            return text
    return ""
