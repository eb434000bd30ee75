"""trace JSON's matrices: exact floats, NaN and inf as null."""

from __future__ import annotations

import json
import math

import numpy as np

from chainview.core import Session, build_net
from chainview.core.trace import jsonable, trace_dict


def test_jsonable_keeps_every_float_and_turns_nan_and_inf_into_none():
    a = np.array([[1.0, -0.0, np.nan], [np.inf, -np.inf, 1e-308], [0.1, 2.0 ** 60, -3.5]])
    out = jsonable(a)
    assert out[0][2] is None and out[1][0] is None and out[1][1] is None
    assert [type(x) for row in out for x in row if x is not None] == [float] * 6
    assert out[0][0] == 1.0 and math.copysign(1.0, out[0][1]) == -1.0 and out[1][2] == 1e-308
    assert out[2] == [0.1, 2.0 ** 60, -3.5]
    assert jsonable(None) is None and jsonable(np.arange(4).reshape(2, 2)) == [[0.0, 1.0], [2.0, 3.0]]
    # any other shape too (a person's array in `chainview compare --json`)
    assert jsonable(np.array([1.0, np.nan])) == [1.0, None] and jsonable(np.float64(np.inf)) is None
    assert jsonable(np.full((1, 2, 1), -np.inf)) == [[[None], [None]]] and jsonable(2) == 2.0


def test_an_overflowing_net_writes_null_where_numbers_are_not_finite():
    net = build_net([[1000.0], [-1.0]], [[1.0]], "squared",
                    [{"units": 2, "activation": {"expr": "exp(z)"}}, {"units": 1, "activation": "identity"}], seed=3)
    data = trace_dict(Session(net))
    text = json.dumps(data, allow_nan=False)          # valid JSON: no NaN or Infinity tokens
    assert "null" in text and data["problems"]
    assert json.loads(text)["nodes"]["A0"]["value"] == [[1000.0], [-1.0]]
