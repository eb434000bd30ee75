"""A correct 6.390 homework file in a second student's style (@, keepdims, a stable softmax, Sigmoid keeps self.A).
tests/test_compare_cases.py makes course bugs from it (BUGS_B)."""
import numpy as np


class Module:
    def sgd_step(self, lrate):
        pass


class Linear(Module):
    def __init__(self, m, n):
        self.m, self.n = (m, n)
        self.W0 = np.zeros([self.n, 1])
        self.W = np.random.normal(0, 1.0 * m ** (-.5), [m, n])

    def forward(self, A):
        self.A = A
        return self.W.T @ A + self.W0

    def backward(self, dLdZ):
        self.dLdW = self.A @ dLdZ.T
        self.dLdW0 = np.sum(dLdZ, axis=1, keepdims=True)
        return self.W @ dLdZ

    def sgd_step(self, lrate):
        self.W = self.W - lrate * self.dLdW
        self.W0 = self.W0 - lrate * self.dLdW0


class Tanh(Module):
    def forward(self, Z):
        self.A = np.tanh(Z)
        return self.A

    def backward(self, dLdA):
        return dLdA * (1 - self.A ** 2)


class ReLU(Module):
    def forward(self, Z):
        self.A = np.maximum(0, Z)
        return self.A

    def backward(self, dLdA):
        return dLdA * (self.A > 0)


class Sigmoid(Module):
    def forward(self, Z):
        self.A = 1 / (1 + np.exp(-Z))
        return self.A

    def backward(self, dLdA):
        return dLdA * self.A * (1 - self.A)


class SoftMax(Module):
    def forward(self, Z):
        expz = np.exp(Z - np.max(Z, axis=0))
        return expz / np.sum(expz, axis=0)

    def backward(self, dLdZ):
        return dLdZ

    def class_fun(self, Ypred):
        return np.argmax(Ypred, axis=0)


class NLL(Module):
    def forward(self, Ypred, Y):
        self.Ypred = Ypred
        self.Y = Y
        return float(np.sum(-Y * np.log(Ypred)))

    def backward(self):
        return self.Ypred - self.Y


class SquaredLoss(Module):
    def forward(self, Ypred, Y):
        self.Ypred, self.Y = Ypred, Y
        return float(np.sum((Ypred - Y) ** 2))

    def backward(self):
        return 2 * (self.Ypred - self.Y)


class HalfSquaredLoss(Module):
    def forward(self, Ypred, Y):
        self.Ypred, self.Y = Ypred, Y
        return float(0.5 * np.sum((Ypred - Y) ** 2))

    def backward(self):
        return self.Ypred - self.Y
