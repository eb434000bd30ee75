"""Plain SGD on the whole batch: W <- W − η dL/dW for every W and W0."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .engine import evaluate
from .errors import NetError
from .net import Net


def sgd_step(net: Net, lr: float) -> Net:
    """One step; the returned net is new (the old one is untouched, so undo is trivial)."""
    check_learning_rate(lr)
    return _update(net, evaluate(net).grads, lr)


def _update(net: Net, grads: dict, lr: float) -> Net:
    with np.errstate(all="ignore"):
        new = {k: w - lr * grads[k] for k, w in net.weights().items()}
    bad = [k for k, w in new.items() if not np.all(np.isfinite(w))]
    if bad:
        raise NetError(f"the SGD step would make {bad[0]} NaN or infinite (gradients overflowed); "
                       f"try a smaller learning rate or smaller weights")
    return net.with_weights(new)


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
    for i in range(steps):
        if should_stop is not None and should_stop():
            return TrainResult(net, losses + [evaluate(net).loss], "cancelled")
        ev = evaluate(net)
        losses.append(ev.loss)
        if not np.isfinite(ev.loss):
            if i == 0:   # not the learning rate's doing: nothing has been trained yet
                return TrainResult(net, losses, f"the loss is already {ev.loss} before training (the net's "
                                                f"numbers overflow); change the weights or the input, then train")
            return TrainResult(net, losses, f"loss became {ev.loss} at step {i}; try a smaller learning rate")
        try:
            net = _update(net, ev.grads, lr)
        except NetError as err:  # keep what was trained so far
            return TrainResult(net, losses + [ev.loss], f"stopped at step {i}: {err.message}")
        if on_step is not None:
            on_step(i + 1, ev.loss)
    return TrainResult(net, losses + [evaluate(net).loss])


def check_learning_rate(lr) -> None:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not np.isfinite(lr) or lr <= 0:
        raise NetError(f"learning rate must be a positive number, e.g. 0.005; got {lr!r}")
