"""The independent reference the engine and the Jacobians are tested against: every built-in activation
and loss written again in autograd.numpy (softmax over the batch axis, which is the whole vector for one
example), and the tolerances those tests use."""

import autograd.numpy as anp

RTOL, ATOL = 1e-10, 1e-12

REF_ACT = {
    "identity": lambda z: z,
    "relu": lambda z: anp.maximum(0.0, z),
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "tanh": lambda z: anp.tanh(z),
    "softmax": lambda z: anp.exp(z - anp.max(z, axis=0, keepdims=True))
    / anp.sum(anp.exp(z - anp.max(z, axis=0, keepdims=True)), axis=0, keepdims=True),
}
REF_LOSS = {
    "squared": lambda a, y: anp.sum((a - y) ** 2),
    "half_squared": lambda a, y: 0.5 * anp.sum((a - y) ** 2),
    "nll": lambda a, y: -anp.sum(y * anp.log(a) + (1.0 - y) * anp.log(1.0 - a)),
    "nllm": lambda a, y: -anp.sum(y * anp.log(a)),
}
