"""train: 1000 SGD steps of a 4-layer, 32-unit net through chainview.core.train against a hand-written
numpy SGD loop doing the same arithmetic.

The net: input 32, four layers of 32 units (tanh on the three hidden ones, identity output),
squared loss, a batch of 32 examples, learning rate 0.001. chainview side: `train(net, lr, 1000)`
(every step: forward and backward walking the graph, the loss recorded, NaN checks, the update).
Baseline: the same forward, backward and update written by hand, the loss recorded each step.
The final weights and the loss curves are checked equal before timing. Best of 5, alternated,
garbage collector off. Goal: ratio <= 1.5.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import alternate, tanh_net, weights_of  # noqa: E402

NAME = "train"
GOAL = 1.5
LAYERS, UNITS, BATCH, STEPS, LR = 4, 32, 32, 1000, 0.001
REPEAT = 5


def make_net():
    return tanh_net(LAYERS, UNITS, BATCH)


def chainview_train(net):
    from chainview.core import train
    return train(net, LR, STEPS)


def hand_written(X, Y, Ws, W0s):
    Ws, W0s = [W.copy() for W in Ws], [W0.copy() for W0 in W0s]
    L = len(Ws)
    losses = []
    for _ in range(STEPS):
        A, As = X, [X]
        for l in range(L):
            Z = Ws[l].T @ A + W0s[l]
            A = np.tanh(Z) if l < L - 1 else Z
            As.append(A)
        losses.append(float(np.sum((A - Y) ** 2)))
        dA = 2.0 * (A - Y)
        for l in range(L, 0, -1):
            dZ = dA if l == L else (1.0 - As[l] ** 2) * dA
            dW, dW0 = As[l - 1] @ dZ.T, np.sum(dZ, axis=1, keepdims=True)
            dA = Ws[l - 1] @ dZ
            Ws[l - 1] = Ws[l - 1] - LR * dW
            W0s[l - 1] = W0s[l - 1] - LR * dW0
    return losses, Ws, W0s


def measure(repeat: int = REPEAT) -> float:
    net = make_net()
    Ws, W0s = weights_of(net)
    result = chainview_train(net)
    losses, hWs, hW0s = hand_written(net.X, net.Y, Ws, W0s)
    assert not result.stopped and np.allclose(result.losses[:-1], losses, rtol=1e-12)
    for layer, W, W0 in zip(result.net.layers, hWs, hW0s):
        assert np.allclose(layer.W, W, rtol=1e-12, atol=1e-14) and np.allclose(layer.W0, W0, rtol=1e-12, atol=1e-14)
    return alternate(lambda: chainview_train(net), lambda: hand_written(net.X, net.Y, Ws, W0s), repeat)


if __name__ == "__main__":
    print(f"{NAME} ratio={measure():.2f} goal={GOAL}")
