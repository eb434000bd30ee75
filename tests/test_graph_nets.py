"""Skip connections, tied weights and weight decay: values, gradients and every edge Jacobian against
HIPS autograd and central finite differences (float64), fork steps, and the graph the engine walks.

The reference is written from the issue and the conventions page alone, in autograd.numpy:
Z^l = W^T A^(l-1) + W0^l (+ A^k), W = W^k for a tied layer, A^l = f(Z^l),
L = Σ loss + λ Σ ‖W‖²_F over the distinct W. It shares no code with chainview.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import autograd.numpy as anp  # the independent autodiff (a test dependency: never skipped)
from autograd import grad, jacobian

from chainview.core import (
    NetError, Session, build_net, check_gradients, edge_jacobian, edge_list, evaluate, net_graph, node_ids,
    schedule, sgd_step, train,
)
from chainview.core.engine import forward
from chainview.core.netfile import dumps_net, parse_net
from chainview.core.trace import trace_dict

RTOL, ATOL = 1e-10, 1e-12

ACT = {
    "identity": lambda z: z,
    "tanh": lambda z: anp.tanh(z),
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "softmax": lambda z: anp.exp(z - anp.max(z, axis=0, keepdims=True))
    / anp.sum(anp.exp(z - anp.max(z, axis=0, keepdims=True)), axis=0, keepdims=True),
}
LOSS = {
    "squared": lambda a, y: anp.sum((a - y) ** 2),
    "nllm": lambda a, y: -anp.sum(y * anp.log(a)),
}


# ----------------------------------------------------------------- random nets with skips, ties, decay

def random_net(seed: int, b: int = 2):
    """2..5 layers of width 2 or 3; every skip and tie the sizes allow is taken at random."""
    rng = np.random.default_rng(seed)
    L = int(rng.integers(2, 6))
    widths = [int(rng.integers(2, 4)) for _ in range(L + 1)]     # n^0 .. n^L
    loss = "nllm" if seed % 2 else "squared"
    specs = []
    for l in range(1, L + 1):
        act = ("softmax" if loss == "nllm" else "identity") if l == L else ["tanh", "sigmoid"][l % 2]
        spec = {"units": widths[l], "activation": act}
        skips = [k for k in range(0, l - 1) if widths[k] == widths[l]]
        if skips and rng.random() < 0.7:
            spec["skip_from"] = int(rng.choice(skips))
        ties = [k for k in range(1, l) if "tie" not in specs[k - 1]
                and widths[k - 1] == widths[l - 1] and widths[k] == widths[l]]
        if ties and rng.random() < 0.7:
            spec["tie"] = int(rng.choice(ties))
        specs.append(spec)
    X = rng.normal(size=(widths[0], b))
    Y = np.eye(widths[L])[:, rng.integers(0, widths[L], size=b)] if loss == "nllm" else rng.normal(size=(widths[L], b))
    lam = float(rng.choice([0.0, 0.05, 0.3]))
    specs = [dict(s, W0=rng.normal(size=(s["units"], 1)) * 0.3) for s in specs]
    return build_net(X, Y, loss, specs, seed=seed, weight_decay=lam)


def spec_of(net):
    return [(layer.activation.name, layer.skip_from, layer.tie) for layer in net.layers]


def ref_loss(net, params, force=None):
    """L from the issue's definitions; params: {"W1": .., "W0_1": ..}; force=(node, value) replaces a node."""
    def forced(node, value):
        return force[1] if force is not None and force[0] == node else value

    A = [forced("A0", net.X)]
    for l, (act, skip, tie) in enumerate(spec_of(net), start=1):
        W = params[f"W{tie or l}"]
        Z = anp.dot(W.T, A[l - 1]) + params[f"W0_{l}"]
        if skip is not None:
            Z = Z + A[skip]
        Z = forced(f"Z{l}", Z)
        A.append(forced(f"A{l}", ACT[act](Z)))
    R = net.weight_decay * sum(anp.sum(params[f"W{l}"] ** 2) for l, (_, _, tie) in
                               enumerate(spec_of(net), start=1) if tie is None)
    R = forced("R", R)
    return LOSS[net.loss.name](A[-1], net.Y) + R


SEEDS = list(range(24))


@pytest.mark.parametrize("seed", SEEDS)
def test_every_value_and_gradient_matches_autograd(seed):
    net = random_net(seed)
    ev = evaluate(net)
    assert ev.ok, ev.problems
    params = {k: np.array(v) for k, v in net.weights().items()}
    assert ev.loss == pytest.approx(float(ref_loss(net, params)), rel=1e-12)
    for node, g in ev.grads.items():
        if node in params:
            ref = grad(lambda x: ref_loss(net, {**params, node: x}))(params[node])
        else:
            value = ev.values[node]
            ref = grad(lambda x: ref_loss(net, params, (node, x)))(value if node != "R" else float(value[0, 0]))
            ref = np.reshape(ref, np.shape(value))
        assert g.shape == ev.values[node].shape, node
        np.testing.assert_allclose(g, ref, rtol=RTOL, atol=ATOL, err_msg=f"dL/d{node}")


@pytest.mark.parametrize("seed", SEEDS)
def test_every_edge_jacobian_matches_autograd_in_both_layouts_and_finite_differences(seed):
    net = random_net(seed)
    ev = evaluate(net)
    v, G = ev.values, net_graph(net)
    for c in range(net.batch):
        for u, t in edge_list(net):
            role = G.edges[u, t]["role"]
            col = lambda n: v[n][:, c]
            if t.startswith("Z"):
                ins = {s: (v[s] if s.startswith("W") else col(s)) for s in G.predecessors(t)}
                W0 = [s for s in ins if s.startswith("W0_")][0]
                W = [s for s in ins if s.startswith("W") and s != W0][0]
                l = int(t[1:])

                def z_of(x, u=u, ins=ins, W=W, W0=W0, l=l):
                    vals = {**ins, u: x}
                    z = anp.dot(vals[W].T, vals[f"A{l - 1}"]) + vals[W0][:, 0] if u != W0 else (
                        anp.dot(vals[W].T, vals[f"A{l - 1}"]) + x[:, 0])
                    for s in ins:
                        if G.edges[s, t]["role"] == "skip":
                            z = z + vals[s]
                    return z
                ref = jacobian(z_of)(ins[u])
            elif t.startswith("A"):
                ref = jacobian(ACT[net.layers[int(t[1:]) - 1].activation.name])(col(u))
            elif t == "R":
                ref = jacobian(lambda x: net.weight_decay * anp.sum(x ** 2))(v[u])
            elif u == "R":
                ref = np.ones((1, 1))
            else:
                a, y = col(f"A{net.L}"), col("Y")
                f = LOSS[net.loss.name]
                ref = (grad(lambda x: f(x, y))(a) if u != "Y" else grad(lambda x: f(a, x))(y))[None, :]
            den = edge_jacobian(ev, u, t, example=c)
            num = edge_jacobian(ev, u, t, example=c, layout="numerator")
            where = f"{u}->{t} ({role}) example {c}"
            if role == "weight":
                ref = np.reshape(ref, (-1,) + v[u].shape)               # [k, i, j] = dz_k/dW_ij
                np.testing.assert_allclose(den.tensor(), ref, rtol=RTOL, atol=ATOL, err_msg=where)
            elif role == "offset":
                np.testing.assert_allclose(den.dense(), np.reshape(ref, (ref.shape[0], -1)).T, rtol=RTOL, atol=ATOL)
            elif role == "decay":   # scalar by matrix: shaped like W in denominator layout, its transpose otherwise
                np.testing.assert_allclose(den.dense(), ref, rtol=RTOL, atol=ATOL, err_msg=where)
                np.testing.assert_allclose(num.dense(), ref.T, rtol=RTOL, atol=ATOL, err_msg=where)
            else:
                ref = np.reshape(ref, (-1, np.size(ins[u]) if t.startswith("Z") else np.shape(ref)[-1]))
                np.testing.assert_allclose(den.dense(), ref.T, rtol=RTOL, atol=ATOL, err_msg=where)
                np.testing.assert_allclose(num.dense(), ref, rtol=RTOL, atol=ATOL, err_msg=where)
            assert num.shape == den.shape[::-1]
    # and central finite differences, through the gradient check (every node and edge)
    report = check_gradients(ev, example=net.batch - 1)
    assert report.ok, {k: r for k, r in {**report.nodes, **report.edges}.items() if not r.ok}
    assert set(report.edges) == set(edge_list(net)) and set(report.nodes) == set(ev.grads)


def test_the_random_nets_cover_skips_ties_and_weight_decay_together():
    nets = [random_net(s) for s in SEEDS]
    assert sum(any(la.skip_from is not None for la in n.layers) for n in nets) >= 8
    assert sum(any(la.tie is not None for la in n.layers) for n in nets) >= 8
    assert sum(n.weight_decay > 0 for n in nets) >= 8
    assert any(n.weight_decay > 0 and any(la.tie for la in n.layers) and any(la.skip_from is not None for la in n.layers)
               for n in nets)


def test_the_reference_sees_a_skip_a_tie_and_lambda():
    """So the comparisons above can fail: dropping any of the three changes the reference's loss."""
    net = build_net([[1.0], [2.0]], [[0.5], [0.1]], "squared",
                    [{"units": 2, "activation": "tanh"}, {"units": 2, "activation": "tanh", "tie": 1},
                     {"units": 2, "activation": "identity", "skip_from": 1}], seed=3, weight_decay=0.2)
    params = {k: np.array(v) for k, v in net.weights().items()}
    base = evaluate(net).loss
    assert float(ref_loss(net, params)) == pytest.approx(base, rel=1e-12)
    # an untied copy of W^1 gives the same forward pass but is counted twice in R
    copy = build_net(net.X, net.Y, "squared", [
        {"units": 2, "activation": "tanh", "W": net.layers[0].W, "W0": net.layers[0].W0},
        {"units": 2, "activation": "tanh", "W": net.layers[0].W.copy(), "W0": net.layers[1].W0},
        {"units": 2, "activation": "identity", "W": net.layers[2].W, "W0": net.layers[2].W0, "skip_from": 1}],
        weight_decay=0.2)
    assert evaluate(copy).loss == pytest.approx(base + 0.2 * np.sum(net.layers[0].W ** 2), rel=1e-12)
    # λ counts W^1 once, not once per use
    no_decay = build_net(net.X, net.Y, "squared", [dict(units=2, activation="tanh", W=net.layers[0].W, W0=net.layers[0].W0),
                                                    dict(units=2, activation="tanh", tie=1, W0=net.layers[1].W0),
                                                    dict(units=2, activation="identity", skip_from=1,
                                                         W=net.layers[2].W, W0=net.layers[2].W0)])
    R = 0.2 * (np.sum(net.layers[0].W ** 2) + np.sum(net.layers[2].W ** 2))
    assert base == pytest.approx(evaluate(no_decay).loss + R, rel=1e-12)


# ----------------------------------------------------------------- the graph and the fork steps

def residual():
    return build_net([[1.0], [-0.5]], [[0.0], [1.0], [0.0]], "nllm",
                     [{"units": 3, "activation": "tanh"}, {"units": 2, "activation": "tanh"},
                      {"units": 3, "activation": "softmax", "skip_from": 1}], seed=4)


def test_the_graph_has_the_skip_edge_the_tied_edge_and_r():
    net = build_net([[1.0], [2.0]], [[0.5], [0.1]], "squared",
                    [{"units": 2, "activation": "tanh"}, {"units": 2, "activation": "tanh", "tie": 1},
                     {"units": 2, "activation": "identity", "skip_from": 0}], weight_decay=0.1)
    G = net_graph(net)
    assert "W2" not in G and ("W1", "Z2") in G.edges and ("A0", "Z3") in G.edges
    assert G.edges["A0", "Z3"]["role"] == "skip" and G.nodes["R"]["kind"] == "R"
    assert set(G.predecessors("R")) == {"W1", "W3"} and ("R", "L") in G.edges
    assert node_ids(net) == ("A0", "W1", "W0_1", "Z1", "A1", "W0_2", "Z2", "A2", "W3", "W0_3", "Z3", "A3",
                             "Y", "R", "L")
    order = [n for _, n in schedule(net)]
    for u, v in G.edges:                 # forward: a node after what feeds it; backward: after what it feeds
        if ("forward", v) in schedule(net) and ("forward", u) in schedule(net):
            assert order.index(u) < order.index(v)
    back = [n for p, n in schedule(net) if p == "backward"]
    for u, v in G.edges:
        if u in back and v in back:
            assert back.index(v) < back.index(u), (u, v)


def test_a_plain_chain_keeps_todays_ids_and_schedule():
    net = build_net([[1.0]], [[1.0]], "squared", [{"units": 2, "activation": "tanh"}, {"units": 1}])
    assert node_ids(net) == node_ids(2) == ("A0", "W1", "W0_1", "Z1", "A1", "W2", "W0_2", "Z2", "A2", "Y", "L")
    assert [n for _, n in schedule(net)] == ["Z1", "A1", "Z2", "A2", "L", "A2", "Z2", "W2", "W0_2", "A1", "Z1",
                                             "W1", "W0_1", "A0"]


@pytest.mark.parametrize("layout", ["denominator", "numerator"])
def test_a_fork_step_shows_every_term_and_their_sum(layout):
    s = Session(residual(), layout=layout)
    step = next(st for st in s.steps if st.phase == "backward" and st.node == "A1")
    num = layout == "numerator"
    if num:
        assert step.equation == "dL/dA^1 = dL/dZ^2 · W^2^T + dL/dZ^3 · I"
        assert step.shapes == "(1x2)(2x3) + (1x3)(3x3) -> (1x3)"
    else:
        assert step.equation == "dL/dA^1 = W^2 · dL/dZ^2 + I · dL/dZ^3"
        assert step.shapes == "(3x2)(2x1) + (3x3)(3x1) -> (3x1)"
    assert step.joiners == ("", " + ", "")
    assert set(step.edges) == {("A1", "Z2"), ("A1", "Z3")}
    assert [t.edge for t in step.terms] == [("A1", "Z2"), ("A1", "Z3")]
    ev = s.evaluation
    W2, dZ2, dZ3 = ev.values["W2"], ev.grads["Z2"], ev.grads["Z3"]
    terms = [W2 @ dZ2, dZ3]
    for t, ref in zip(step.terms, terms):
        np.testing.assert_array_equal(t.value, ref.T if num else ref)
    np.testing.assert_array_equal(step.value, (terms[0] + terms[1]).T if num else terms[0] + terms[1])
    # the operands of each term are the ones its equation names
    first = step.operands[step.terms[0].start:step.terms[0].stop]
    assert [o.ref for o in first] == (["Z2", "W2"] if num else ["W2", "Z2"])
    assert step.operands[step.terms[1].start].ref == (("Z3" if num else ("A1", "Z3")))


def test_a_tied_w_sums_both_uses_and_weight_decay_and_sgd_moves_the_one_w():
    net = build_net([[1.0, 0.5], [2.0, -1.0]], [[0.5, 0.0], [0.1, 1.0]], "squared",
                    [{"units": 2, "activation": "tanh"}, {"units": 2, "activation": "tanh", "tie": 1},
                     {"units": 2, "activation": "identity"}], seed=2, weight_decay=0.1)
    s = Session(net)
    step = next(st for st in s.steps if st.phase == "backward" and st.node == "W1")
    assert step.equation == "dL/dW^1 = A^0 (dL/dZ^1)^T + A^1 (dL/dZ^2)^T + 2λ W^1 · dL/dR"
    assert len(step.terms) == 3 and [t.edge[1] for t in step.terms] == ["Z1", "Z2", "R"]
    ev = s.evaluation
    v, g = ev.values, ev.grads
    np.testing.assert_allclose(g["W1"], v["A0"] @ g["Z1"].T + v["A1"] @ g["Z2"].T + 0.2 * v["W1"], rtol=1e-14)
    new = sgd_step(net, 0.1)
    np.testing.assert_allclose(new.layers[0].W, net.layers[0].W - 0.1 * g["W1"], rtol=1e-14)
    assert new.layers[1].W is new.layers[0].W and new.layers[1].tie == 1
    result = train(net, 0.05, 30)
    assert result.losses[-1] < result.losses[0] and result.net.layers[1].W is result.net.layers[0].W


def test_trace_json_of_a_fork_lists_the_terms_with_plus_joiners_and_r_is_a_node():
    net = build_net([[1.0], [-0.5]], [[0.0], [1.0]], "squared",
                    [{"units": 2, "activation": "tanh"}, {"units": 2, "activation": "tanh"},
                     {"units": 2, "activation": "identity", "skip_from": 1}], seed=4, weight_decay=0.01)
    data = json.loads(json.dumps(trace_dict(Session(net)), allow_nan=False))
    assert data["nodes"]["R"]["kind"] == "R"
    step = next(st for st in data["steps"] if st["phase"] == "backward" and st["node"] == "A1")
    assert [o["name"] for o in step["operands"]] == ["W^2", "dL/dZ^2", "I", "dL/dZ^3"]
    assert step["joiners"] == ["", " + ", ""]
    assert [t["equation"] for t in step["terms"]] == ["W^2 · dL/dZ^2", "I · dL/dZ^3"]
    fwd = next(st for st in data["steps"] if st["phase"] == "forward" and st["node"] == "L")
    assert fwd["equation"].endswith(" + R") and [o["name"] for o in fwd["operands"]] == ["A^3", "Y", "R"]
    skip = next(e for e in data["edges"] if (e["source"], e["target"]) == ("A1", "Z3"))
    assert skip["symbol"] == "I" and skip["dims"] == ["n^1", "n^3"] and skip["value"] == [[1.0, 0.0], [0.0, 1.0]]
    decay = next(e for e in data["edges"] if (e["source"], e["target"]) == ("W1", "R"))
    np.testing.assert_allclose(decay["value"], 0.02 * net.layers[0].W, rtol=1e-15)
    assert "joiners" not in data["steps"][0]     # a step without a fork keeps today's keys


def test_fused_softmax_shortcut_still_applies_with_a_skip():
    from chainview.core import fused_output_gradient
    ev = evaluate(residual())
    fused, chain = fused_output_gradient(ev)
    np.testing.assert_allclose(fused, chain, rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------- the file format, version 2

def v2(**top):
    layers = top.pop("layers", [{"units": 2, "activation": "tanh"}, {"units": 3, "activation": "tanh"},
                                {"units": 3, "activation": "identity", "skip_from": 1}])
    return {"format": "chainview-net", "version": 2, "input": [[1.0], [2.0]], "target": [[0.0], [1.0], [0.5]],
            "loss": "squared", "layers": layers, **top}


def test_a_v2_file_round_trips_and_a_v1_net_is_still_written_as_v1():
    data = v2(weight_decay=0.25, layers=[{"units": 2, "activation": "tanh"}, {"units": 2, "activation": "tanh", "tie": 1},
                                         {"units": 3, "activation": "identity"}],
              target=[[0.0], [1.0], [0.5]])
    net = parse_net(json.dumps(data))
    assert net.layers[1].tie == 1 and net.weight_decay == 0.25
    text = dumps_net(net)
    back = json.loads(text)
    assert back["version"] == 2 and "W" not in back["layers"][1] and back["layers"][1]["tie"] == 1
    again = parse_net(text)
    assert evaluate(again).loss == evaluate(net).loss
    plain = parse_net(json.dumps(dict(data, version=1, weight_decay=None) | {"layers": [
        {"units": 2}, {"units": 3}]}).replace(', "weight_decay": null', ""))
    assert json.loads(dumps_net(plain))["version"] == 1


BAD = [
    ({"layers": [{"units": 2}, {"units": 2}, {"units": 3, "skip_from": 0}]}, "layers[2].skip_from",
     "layers[2].skip_from: A^0 has 2 rows but Z^3 has 3; a skip connection needs equal sizes"),
    ({"layers": [{"units": 2, "skip_from": 0}, {"units": 3}, {"units": 3}]}, "layers[0].skip_from",
     "only layer 2 and later"),
    ({"layers": [{"units": 2}, {"units": 3, "skip_from": 0}, {"units": 3}]}, "layers[1].skip_from",
     "layers[1].skip_from: A^0 has 2 rows but Z^2 has 3"),
    ({"layers": [{"units": 2}, {"units": 3}, {"units": 3, "skip_from": 2}]}, "layers[2].skip_from", "0 ≤ k ≤ 1"),
    ({"layers": [{"units": 2}, {"units": 3}, {"units": 3, "skip_from": "1"}]}, "layers[2].skip_from",
     "skip_from is '1'"),
    ({"layers": [{"units": 2}, {"units": 3}, {"units": 3, "skip_from": 1.5}]}, "layers[2].skip_from", "whole number"),
    ({"layers": [{"units": 2}, {"units": 3, "tie": 1}, {"units": 3}]}, "layers[1].tie",
     "W^1 is 2 x 2 but layer 2 needs m^2 x n^2 = 2 x 3"),
    ({"layers": [{"units": 2}, {"units": 2, "tie": 2}, {"units": 3}]}, "layers[1].tie", "1 ≤ k ≤ 1"),
    ({"layers": [{"units": 2, "tie": 1}, {"units": 3}]}, "layers[0].tie", "layer 1 has no earlier layer"),
    ({"layers": [{"units": 2}, {"units": 2, "tie": 1}, {"units": 2, "tie": 2}, {"units": 3}]}, "layers[2].tie",
     "layer 2 uses W^1 itself; tie layer 3 to 1 instead"),
    ({"layers": [{"units": 2}, {"units": 2, "tie": 1, "W": [[1, 0], [0, 1]]}, {"units": 3}]}, "layers[1].W",
     "uses W^1 itself; leave W out"),
    ({"weight_decay": -0.1}, "weight_decay", "weight_decay must be a number ≥ 0"),
    ({"weight_decay": "0.1"}, "weight_decay", "got '0.1'"),
    ({"weight_decay": True}, "weight_decay", "got true"),
    ({"version": 1}, "layers[2].skip_from", "needs \"version\": 2"),
    ({"version": 1, "weight_decay": 0.1}, "weight_decay", "needs \"version\": 2"),
]


@pytest.mark.parametrize("changes, field, text", BAD, ids=[b[1] + ":" + b[2][:24] for b in BAD])
def test_v2_field_errors_are_one_line_and_name_the_field(changes, field, text):
    with pytest.raises(NetError) as err:
        parse_net(json.dumps(v2(**changes)), source="net.json")
    msg = err.value.message
    assert "\n" not in msg and msg.startswith("net.json: ") and text in msg, msg
    assert err.value.field == field


def test_build_net_checks_a_skip_the_same_way():
    with pytest.raises(NetError, match=r"A\^0 has 1 rows but Z\^3 has 2"):
        build_net([[1.0]], [[1.0], [0.0]], "squared", [{"units": 2}, {"units": 2}, {"units": 2, "skip_from": 0}])


def test_forward_overrides_still_drive_the_gradient_check_on_r():
    net = random_net(3)
    values, loss = forward(net, {"R": np.array([[5.0]])}) if net.weight_decay else forward(net)
    assert np.isfinite(loss)


def test_the_text_trace_shows_each_term_then_the_sum():
    from chainview.core.trace import format_trace
    text = format_trace(Session(residual()))
    block = text[text.index("dL/dA¹ = W² · dL/dZ² + I · dL/dZ³"):]
    assert block.index("term W² · dL/dZ²:") < block.index("term I · dL/dZ³:") < block.index("sum:")
