"""The baseline of benchmarks/compare.py: a person's homework file run by hand on the net's weights.

    python _compare_plain.py NET.json hw.py      # prints the loss
"""

import importlib.util
import json
import sys

import numpy as np

spec = importlib.util.spec_from_file_location("hw", sys.argv[2])
hw = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hw)
net = json.load(open(sys.argv[1]))
X, Y = np.array(net["input"]), np.array(net["target"])
classes = {"tanh": hw.Tanh, "softmax": hw.SoftMax, "relu": hw.ReLU, "sigmoid": hw.Sigmoid}
modules = []
for layer in net["layers"]:
    W = np.array(layer["W"])
    linear = hw.Linear(*W.shape)
    linear.W, linear.W0 = W, np.array(layer["W0"])
    modules += [linear, classes[layer["activation"]]()]
A = X
for m in modules:
    A = m.forward(A)
loss = hw.NLL()
value = loss.forward(A, Y)
d = loss.backward()
for m in reversed(modules):
    d = m.backward(d)
print(value)
