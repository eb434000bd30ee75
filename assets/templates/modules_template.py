"""Your backprop, checked by chainview: fill in the methods, then

    chainview compare NET.json --modules THIS_FILE.py        # or File > Compare with my code... in the app

A batch is the columns of a matrix: A is m x b, Z is n x b. W is m x n (inputs x units) and W0 is
n x 1, as in MIT 6.390's notes. chainview makes Linear(m, n) for each layer, then sets W and W0 to
the net's weights (copies), runs forward on the whole batch, the loss, backward, and (with --lr)
sgd_step, and compares every number with its own. Only numpy is available. Delete the classes
your net does not use; Identity is optional (a layer without it uses A = Z). The full API is in
docs/compare.md.
"""

import numpy as np


class Linear:
    def __init__(self, m, n):
        self.m, self.n = m, n
        self.W = np.zeros((m, n))      # chainview replaces these with the net's weights
        self.W0 = np.zeros((n, 1))

    def forward(self, A):
        """A: m x b. Return Z = W^T A + W0 (n x b); keep what backward needs."""
        raise NotImplementedError

    def backward(self, dLdZ):
        """dLdZ: n x b. Set self.dLdW (m x n) and self.dLdW0 (n x 1, summed over the batch); return dL/dA (m x b)."""
        raise NotImplementedError

    def sgd_step(self, lrate):
        """Optional (checked with --lr): W <- W - lrate dL/dW, W0 <- W0 - lrate dL/dW0."""
        raise NotImplementedError


class Tanh:
    def forward(self, Z):
        raise NotImplementedError

    def backward(self, dLdA):
        """Return dL/dZ, the same shape as dLdA."""
        raise NotImplementedError


class ReLU:
    def forward(self, Z):
        raise NotImplementedError

    def backward(self, dLdA):
        raise NotImplementedError


class Sigmoid:
    def forward(self, Z):
        raise NotImplementedError

    def backward(self, dLdA):
        raise NotImplementedError


class SoftMax:
    def forward(self, Z):
        """Each column of Z to probabilities."""
        raise NotImplementedError

    def backward(self, dLdZ):
        """The homework's convention: NLL.backward already returns dL/dZ = A - Y, so pass it through.
        (Or have NLL.backward return dL/dA = -Y/A and apply softmax's Jacobian here: also right.)"""
        raise NotImplementedError


class NLL:
    def forward(self, Ypred, Y):
        """Return the loss, a float: -sum(Y log Ypred) over every column."""
        raise NotImplementedError

    def backward(self):
        """No argument: use what forward kept. Return A - Y (dL/dZ, fused with SoftMax) or -Y/A (dL/dA)."""
        raise NotImplementedError


class SquaredLoss:
    def forward(self, Ypred, Y):
        """sum((Ypred - Y)**2), a float."""
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError


class HalfSquaredLoss:
    def forward(self, Ypred, Y):
        """0.5 * sum((Ypred - Y)**2), a float."""
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError
