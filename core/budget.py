"""A work budget: how big and how slow something will be, estimated BEFORE it is built.

Anything whose size grows with the net (the full dZ/dW tensor, a dense Jacobian, the gradient
check, an export) is priced here from the net's shape alone, so a front end can refuse it with one
line and offer what fits, instead of freezing or running out of memory halfway.

    est = tensor_estimate(m, n)             # Estimate(bytes, seconds, what)
    why = over_budget(est)                  # "" when it fits, else one line saying why not
    plan = check_plan(net)                  # entries per node the gradient check may perturb
    tensor_slice(J, k)                      # one output unit's slice of dZ/dW, m x n, no tensor

The budget itself (default 256 MB or 0.5 s) is a setting: set_budget(bytes, seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_BYTES = 256 * 2 ** 20
DEFAULT_SECONDS = 0.5
CHECK_SECONDS = 3.0                 # `chainview check` / `render --check` sample the gradient check past this
BACKGROUND_SECONDS = 0.1            # longer work goes off the GUI thread, with progress and Cancel
FLOAT = 8                           # bytes of a float64
# rough speeds of this kind of work (numpy on one core of a small laptop), on the slow side on purpose
FLOPS = 1.0e9                       # multiply-adds per second in W.T @ A
FILL = 1.0e9                        # bytes written per second filling a big array
CALL = 20e-6                        # Python overhead of one small numpy call

_budget = {"bytes": DEFAULT_BYTES, "seconds": DEFAULT_SECONDS}


@dataclass(frozen=True)
class Estimate:
    bytes: int
    seconds: float
    what: str                       # "the full tensor dZ²/dW² (512 × 512 × 512 floats)"


def set_budget(nbytes: int | None = None, seconds: float | None = None) -> None:
    """Change the budget (a setting); None keeps that part. Values are clamped to something sane."""
    if nbytes is not None:
        _budget["bytes"] = int(min(max(nbytes, 1 * 2 ** 20), 64 * 2 ** 30))
    if seconds is not None:
        _budget["seconds"] = float(min(max(seconds, 0.05), 600.0))


def budget() -> tuple[int, float]:
    return _budget["bytes"], _budget["seconds"]


def size_text(nbytes: float) -> str:
    """1536 -> '1.5 KB', 3 * 2**30 -> '3.0 GB' (binary units, as a system monitor shows)."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if nbytes < 1024 or unit == "TB":
            return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}".replace(".0 ", " ")
        nbytes /= 1024
    return f"{nbytes:.1f} TB"


def time_text(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 120:
        return f"{seconds:.1f} s"
    return f"{seconds / 60:.0f} min"


def over_budget(est: Estimate) -> str:
    """'' if `est` fits the budget, else one line: what, how big or slow, and the budget."""
    nbytes, seconds = budget()
    if est.bytes > nbytes:
        return (f"{est.what} would need {size_text(est.bytes)}, over the {size_text(nbytes)} budget")
    if est.seconds > seconds:
        return (f"{est.what} would take about {time_text(est.seconds)}, over the {time_text(seconds)} budget")
    return ""


def fits(est: Estimate) -> bool:
    return not over_budget(est)


# ---------------------------------------------------------------- what things cost

def dense_estimate(rows: int, cols: int, what: str = "") -> Estimate:
    nbytes = int(rows) * int(cols) * FLOAT
    return Estimate(nbytes, nbytes / FILL, what or f"a dense {rows} × {cols} matrix")


def tensor_estimate(m: int, n: int, what: str = "") -> Estimate:
    """dZ/dW of one layer: n slices of m x n, n·m·n floats (1 GB at 512 x 512)."""
    nbytes = int(n) * int(m) * int(n) * FLOAT
    return Estimate(nbytes, nbytes / FILL,
                    what or f"the full tensor dZ/dW ({n} × {m} × {n} floats)")


def export_estimate(width: int, height: int, scale: float = 2.0, what: str = "the image") -> Estimate:
    """A PNG of width x height at `scale`: 4 bytes a pixel while it is painted."""
    pixels = int(width * scale) * int(height * scale)
    return Estimate(pixels * 4, pixels * 4 / (FILL / 20), what)


def text_estimate(rows: int, cols: int, what: str = "") -> Estimate:
    """A matrix written out as text (CSV, LaTeX): each cell is formatted in Python (~1 µs, ~100 bytes
    of short-lived strings while the text is joined)."""
    cells = int(rows) * int(cols)
    return Estimate(cells * 100, cells * 1e-6, what or f"the {rows} × {cols} matrix as text")


def forward_cost(net) -> float:
    """Seconds of one forward pass of `net` (the unit the gradient check pays per perturbed entry)."""
    b = net.batch
    flops = sum(net.m(l) * net.n(l) * b + 4 * net.n(l) * b for l in range(1, net.L + 1))
    return flops / FLOPS + CALL * (3 * net.L + 2)


def measured_forward_cost(net, repeats: int = 2) -> float:
    """Seconds of one real forward pass (best of `repeats`): numpy's speed varies with shapes and machine
    load far more than a flop count says (W.T @ A with one column runs ~10x under BLAS speed)."""
    import time
    from .engine import forward
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        forward(net)
        best = min(best, time.perf_counter() - start)
    return best


def check_targets(net, forward_seconds: float | None = None) -> list[tuple[int, float]]:
    """(entries, seconds per perturbed entry) for every node gradient and edge Jacobian the check perturbs."""
    b, L = net.batch, net.L
    fwd = 2 * (forward_cost(net) if forward_seconds is None else forward_seconds)   # a node entry: 2 passes
    slow = 1.0 if forward_seconds is None else max(1.0, forward_seconds / forward_cost(net))  # as measured
    targets = [(net.m(1) * b, fwd)]                # A0
    for l in range(1, L + 1):
        m, n = net.m(l), net.n(l)
        targets += [(n * b, fwd), (n * b, fwd), (m * n, fwd), (n, fwd)]     # Z, A, W, W0
        z_edge = 2 * (3 * CALL + m * n / FLOPS) * slow   # an edge entry: the target of one example, twice
        targets += [(m, z_edge), (m * n, z_edge), (n, z_edge), (n, 2 * (3 * CALL + 8 * n / FLOPS))]
    targets += [(net.n(L), 2 * CALL * 3)] * 2      # A^L -> L, Y -> L
    return targets


def check_estimate(net, limit: int = 64, forward_seconds: float | None = None) -> Estimate:
    """The gradient check perturbing at most `limit` entries of every node and edge."""
    seconds = sum(min(size, limit) * per for size, per in check_targets(net, forward_seconds))
    widest = max(max(net.n(l), net.m(l)) for l in range(1, net.L + 1))
    nbytes = int(limit * widest * FLOAT * 4 + sum(layer.W.nbytes for layer in net.layers))
    return Estimate(nbytes, seconds, "the gradient check")


@dataclass(frozen=True)
class CheckPlan:
    limit: int              # entries perturbed per node or edge
    estimate: Estimate
    sampled: bool           # True when over budget: fewer entries than the usual check
    why: str                # the one line saying why it was cut down ('' when not)


def check_plan(net, limit: int = 64, seconds: float | None = None) -> CheckPlan:
    """The usual check if it fits the time budget (or `seconds`); else a random subset small enough to fit.

    Like PyTorch's fast gradcheck: fewer entries, still every node and edge, still a real check. A check
    that may take a while is priced with one real forward pass timed, not the flop count alone."""
    fwd = None
    if check_estimate(net, limit).seconds > BACKGROUND_SECONDS / 4:
        try:
            fwd = max(forward_cost(net), measured_forward_cost(net))
        except Exception:           # only a shape to price (no weights): the flop count it is
            fwd = None
    full = check_estimate(net, limit, fwd)
    nbytes, budget_seconds = budget()
    seconds = budget_seconds if seconds is None else seconds
    if full.seconds <= seconds and full.bytes <= nbytes:
        return CheckPlan(limit, full, False, "")
    why = (f"the usual check ({limit} entries of each node and edge) would take about {time_text(full.seconds)}, "
           f"over the {time_text(seconds)} budget")
    k = limit
    while k > 1 and check_estimate(net, k, fwd).seconds > seconds:
        k = max(1, k // 2)
    return CheckPlan(k, check_estimate(net, k, fwd), True, why)


# ---------------------------------------------------------------- feasible pieces

def tensor_slice(J, n: int, k: int) -> np.ndarray:
    """Slice k of W^l -> Z^l's dZ/dW (dz_k/dW): m x n, or n x m in numerator layout, never the n·m·n tensor.

    Zero except column k (row k in numerator layout), which is a = A^(l-1) of the example shown
    (the notes' shorthand, J.dense())."""
    a = np.asarray(J.dense(), dtype=float).ravel()
    if not 0 <= k < n:
        raise IndexError(f"slice {k + 1} of {n}")
    if J.layout == "numerator":
        out = np.zeros((n, a.size))
        out[k, :] = a
    else:
        out = np.zeros((a.size, n))
        out[:, k] = a
    return out
