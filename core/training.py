"""Plain SGD on the whole batch: W <- W − η dL/dW for every W and W0 (a tied W is one node: it moves once).

`train` keeps the weights as plain arrays between steps (core.engine's forward takes them as
overrides) and makes a Net only at the end, so a step costs the arithmetic, not a Net's checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .engine import backward, evaluate, forward
from .errors import NetError
from .net import Net, all_finite


def sgd_step(net: Net, lr: float) -> Net:
    """One step; the returned net is new (the old one is untouched, so undo is trivial)."""
    check_learning_rate(lr)
    return _update(net, evaluate(net).grads, lr)


def _update(net: Net, grads: dict, lr: float) -> Net:
    return net.with_weights(_stepped(net.weights(), grads, lr))


def _stepped(weights: dict, grads: dict, lr: float) -> dict:
    """W − η dL/dW for every learned node; NetError if one would become NaN or infinite."""
    with np.errstate(all="ignore"):
        new = {k: w - lr * grads[k] for k, w in weights.items()}
        # a sum is finite only if every entry is (all_finite's test, under this one errstate)
        bad = [k for k, w in new.items() if not math.isfinite(w.sum()) and not all_finite(w)]
    if bad:
        raise NetError(f"the SGD step would make {bad[0]} NaN or infinite (gradients overflowed); "
                       f"try a smaller learning rate or smaller weights")
    return new


@dataclass
class TrainResult:
    net: Net
    losses: list[float]        # loss before each step, then the final loss
    stopped: str = ""          # why it stopped early ("cancelled", "loss became NaN ..."), or ""


def train(net: Net, lr: float, steps: int, *, on_step: Callable[[int, float], None] | None = None,
          should_stop: Callable[[], bool] | None = None) -> TrainResult:
    """`steps` SGD steps; on_step(i, loss) after each; should_stop() is polled to cancel."""
    check_learning_rate(lr)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise NetError(f"steps must be a whole number of at least 0; got {steps!r}")
    losses: list[float] = []
    start = weights = net.weights()
    with_weights = lambda w: net if w is start else net.with_weights(w)   # no step taken: the same Net
    for i in range(steps):
        if should_stop is not None and should_stop():
            done = with_weights(weights)
            return TrainResult(done, losses + [forward(done)[1]], "cancelled")
        values, loss = forward(net, weights)
        losses.append(loss)
        if not np.isfinite(loss):
            if i == 0:   # not the learning rate's doing: nothing has been trained yet
                return TrainResult(net, losses, f"the loss is already {loss} before training (the net's "
                                                f"numbers overflow); change the weights or the input, then train")
            return TrainResult(with_weights(weights), losses, f"loss became {loss} at step {i}; try a smaller learning rate")
        try:
            weights = _stepped(weights, backward(net, values), lr)
        except NetError as err:  # keep what was trained so far
            return TrainResult(with_weights(weights), losses + [loss], f"stopped at step {i}: {err.message}")
        if on_step is not None:
            on_step(i + 1, loss)
    done = with_weights(weights)
    return TrainResult(done, losses + [forward(done)[1]])


def check_learning_rate(lr) -> None:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not np.isfinite(lr) or lr <= 0:
        raise NetError(f"learning rate must be a positive number, e.g. 0.005; got {lr!r}")
