"""A correct module file as students write the 6.390 homework: a Module base class, np.dot, a Sequential,
module-level code, `from numpy import *`; binary NLL for a sigmoid output. Bugs are made from it by tests/test_compare_cases.py."""
import math
import numpy as np
from numpy import *  # students do this
import numpy as np

np.random.seed(0)


class Module:
    def sgd_step(self, lrate):
        pass  # For modules w/o weights


class Linear(Module):
    def __init__(self, m, n):
        self.m, self.n = (m, n)  # (in size, out size)
        self.W0 = np.zeros([self.n, 1])  # (n x 1)
        self.W = np.random.normal(0, 1.0 * m ** (-.5), [m, n])  # (m x n)

    def forward(self, A):
        self.A = A  # (m x b)
        return np.dot(self.W.T, self.A) + self.W0  # (n x b)

    def backward(self, dLdZ):  # dLdZ is (n x b), uses stored self.A
        self.dLdW = np.dot(self.A, dLdZ.T)
        self.dLdW0 = dLdZ.sum(axis=1).reshape((self.n, 1))
        return np.dot(self.W, dLdZ)  # (m x b)

    def sgd_step(self, lrate):  # Gradient descent step
        self.W = self.W - lrate * self.dLdW
        self.W0 = self.W0 - lrate * self.dLdW0


class Tanh(Module):
    def forward(self, Z):
        self.A = np.tanh(Z)
        return self.A

    def backward(self, dLdA):  # Uses stored self.A
        return dLdA * (1.0 - (self.A ** 2))


class ReLU(Module):
    def forward(self, Z):
        self.A = np.maximum(0, Z)
        return self.A

    def backward(self, dLdA):
        return dLdA * (self.A != 0)


class Sigmoid(Module):
    def forward(self, Z):
        self.out = 1.0 / (1.0 + np.exp(-Z))
        return self.out

    def backward(self, dLdA):
        return dLdA * self.out * (1 - self.out)


class SoftMax(Module):
    def forward(self, Z):
        return np.exp(Z) / np.sum(np.exp(Z), axis=0)

    def backward(self, dLdZ):  # Assume that dLdZ is passed in
        return dLdZ

    def class_fun(self, Ypred):
        return np.argmax(Ypred, axis=0)


class NLL(Module):
    def forward(self, Ypred, Y):
        self.Ypred = Ypred
        self.Y = Y
        if Ypred.shape[0] == 1:  # binary NLL for a sigmoid output
            return float(-np.sum(Y * np.log(Ypred) + (1 - Y) * np.log(1 - Ypred)))
        return float(np.sum(-Y * np.log(Ypred)))

    def backward(self):
        if self.Ypred.shape[0] == 1:
            return (self.Ypred - self.Y) / (self.Ypred * (1 - self.Ypred))
        return self.Ypred - self.Y


class SquaredLoss(Module):
    def forward(self, Ypred, Y):
        self.Ypred, self.Y = Ypred, Y
        return np.sum((Ypred - Y) ** 2)

    def backward(self):
        return 2 * (self.Ypred - self.Y)


class HalfSquaredLoss(Module):
    def forward(self, Ypred, Y):
        self.Ypred, self.Y = Ypred, Y
        return 0.5 * np.sum(np.square(Ypred - Y))

    def backward(self):
        return np.matmul(np.eye(self.Ypred.shape[0]), self.Ypred - self.Y)


class Sequential:
    def __init__(self, modules, loss):
        self.modules = modules
        self.loss = loss

    def forward(self, Xt):
        for m in self.modules:
            Xt = m.forward(Xt)
        return Xt

    def backward(self, delta):
        for m in self.modules[::-1]:
            delta = m.backward(delta)

    def sgd_step(self, lrate):
        for m in self.modules:
            m.sgd_step(lrate)

    def print_accuracy(self, it, X, Y, cur_loss, every=250):
        if it % every == 1:
            print("Iteration", it, "acc", np.mean(np.argmax(self.forward(X), axis=0) == np.argmax(Y, axis=0)))


print("module loaded", math.pi)

if __name__ == "__main__":
    raise SystemExit("must not run")
