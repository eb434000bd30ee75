"""Net construction's finiteness check (net.all_finite): a sum first, the entry-by-entry scan only when needed."""

from __future__ import annotations

import numpy as np
import pytest

from chainview.core import NetError, build_net
from chainview.core.net import all_finite


@pytest.mark.parametrize("arr, expected", [
    (np.zeros((0, 3)), True),
    (np.arange(6.0).reshape(2, 3), True),
    (np.array([[1e308], [1e308], [-1e308], [1e308]]), True),    # the sum overflows; every entry is finite
    (np.full((300, 300), 1e306), True),                        # likewise, in numpy's pairwise sum
    (np.array([[1.0], [np.nan]]), False),
    (np.array([[np.inf], [1.0]]), False),
    (np.array([[-np.inf], [1.0]]), False),
    (np.array([[np.inf, -np.inf]]), False),                    # inf - inf: the sum is NaN
    (np.array([[1e308], [1e308], [np.nan]]), False),           # the sum overflows and one entry is NaN
    (np.array([[1e308], [1e308], [-np.inf]]), False),
    (np.arange(6).reshape(2, 3), True),                        # integers are always finite
])
def test_all_finite_is_exact(arr, expected):
    with np.errstate(all="raise"):                             # and it never warns about its own overflow
        assert all_finite(arr) is expected
    assert expected == bool(np.all(np.isfinite(arr)))


def test_huge_but_finite_numbers_are_accepted():
    net = build_net([[1e308], [1e308]], [[1e308]], "squared",
                    [{"units": 1, "activation": "identity", "W": [[1e308], [1e308]], "W0": [1e308]}])
    assert net.X[0, 0] == 1e308


@pytest.mark.parametrize("field, bad", [("input", np.nan), ("target", np.inf), ("layers[0]", -np.inf)])
def test_nan_or_infinity_is_refused_even_when_the_sum_already_overflows(field, bad):
    X, Y, W = [[1e308], [1e308]], [[1.0]], [[1.0], [1.0]]
    if field == "input":
        X = [[1e308], [1e308], [bad]]
        W = [[1.0], [1.0], [1.0]]
    elif field == "target":
        Y = [[bad]]
    with pytest.raises(NetError) as err:
        if field == "layers[0]":
            from chainview.core import Net, Layer
            from chainview.core.activations import activation_from_spec
            from chainview.core.losses import loss_from_name
            layer = Layer(1, activation_from_spec("identity"), np.array([[1e308], [bad]]), np.zeros((1, 1)))
            Net(np.array(X), np.array(Y), loss_from_name("squared"), (layer,))
        else:
            build_net(X, Y, "squared", [{"units": 1, "activation": "identity", "W": W, "W0": [0.0]}])
    assert err.value.field == field and "NaN or Infinity" in str(err.value)
