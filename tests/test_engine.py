"""The engine's values and gradients against an independent autodiff (HIPS autograd), plus the
course's identities, NaN handling, the gradient check on every example, and training.

The reference below is written from the conventions page alone (Z = W^T A + W0, A = f(Z),
loss summed over the batch's columns) in autograd.numpy; it shares no code with chainview.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

import autograd  # noqa: E402  the independent autodiff (a test dependency: never skipped)
import autograd.numpy as anp  # noqa: E402
from autograd import elementwise_grad, grad  # noqa: E402

from chainview.core import (  # noqa: E402
    NetError, build_net, check_gradients, evaluate, example_path, example_paths, fused_output_gradient,
    edge_list, node_ids, sgd_step, train,
)
from chainview.core.graph import signature as node_signature_of_chain
from chainview.core.engine import forward  # noqa: E402
from chainview.core.netfile import load_net  # noqa: E402

# the reference, by hand in autograd.numpy (shared with test_jacobians.py)
from autograd_reference import ATOL, REF_ACT, REF_LOSS, RTOL  # noqa: E402

ACTIVATIONS = tuple(REF_ACT)
LOSSES = tuple(REF_LOSS)


def ref_run(acts, loss, X, Y, Ws, W0s, *, start=None, value=None):
    """Forward + loss; with start=("Z", l) or ("A", l) the pass begins from that node's `value`."""
    kind, s = start if start is not None else (None, -1)
    A = value if kind == "A" else X
    for l in range(1, len(Ws) + 1):
        if (kind == "A" and l <= s) or (kind == "Z" and l < s):
            continue  # a later node is forced: the layers before it do not matter
        Z = value if (kind == "Z" and l == s) else anp.dot(Ws[l - 1].T, A) + W0s[l - 1]
        f = acts[l - 1]
        A = REF_ACT[f](Z) if isinstance(f, str) else f(Z)
    return REF_LOSS[loss](A, Y)


def ref_grads(net, acts):
    """dL/d(node) for every W, W0, Z, A node by autograd, node-shaped."""
    X, Y, loss = net.X, net.Y, net.loss.name
    Ws = [layer.W for layer in net.layers]
    W0s = [layer.W0 for layer in net.layers]
    ev_values = forward(net)[0]
    out = {}
    for l in range(1, net.L + 1):
        out[f"W{l}"] = grad(lambda W: ref_run(acts, loss, X, Y, Ws[:l - 1] + [W] + Ws[l:], W0s))(Ws[l - 1])
        out[f"W0_{l}"] = grad(lambda W0: ref_run(acts, loss, X, Y, Ws, W0s[:l - 1] + [W0] + W0s[l:]))(W0s[l - 1])
        out[f"Z{l}"] = grad(lambda Z: ref_run(acts, loss, X, Y, Ws, W0s, start=("Z", l), value=Z))(
            ev_values[f"Z{l}"])
    for l in range(0, net.L + 1):
        out[f"A{l}"] = grad(lambda A: ref_run(acts, loss, X, Y, Ws, W0s, start=("A", l), value=A))(
            ev_values[f"A{l}"])
    return out


def output_activation(act: str, loss: str) -> str:
    if loss in ("squared", "half_squared") or act in ("sigmoid", "softmax"):
        return act
    return "sigmoid" if loss == "nll" else "softmax"


def make_net(act, loss, b, *, seed=0, out_units=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, b))
    if loss == "nllm":
        Y = np.eye(out_units)[:, rng.integers(0, out_units, size=b)]     # one-hot columns
    elif loss == "nll":
        Y = rng.uniform(0.05, 0.95, size=(out_units, b))                  # soft labels: the general formula
    else:
        Y = rng.normal(size=(out_units, b))
    layers = [{"units": 4, "activation": act}, {"units": 3, "activation": act},
              {"units": out_units, "activation": output_activation(act, loss)}]
    return build_net(X, Y, loss, layers, seed=seed + 1)


CASES = [pytest.param(a, l, b, id=f"{a}-{l}-b{b}") for a, l, b in itertools.product(ACTIVATIONS, LOSSES, (1, 3))]


@pytest.mark.parametrize("act, loss, b", CASES)
def test_every_gradient_matches_autograd(act, loss, b):
    net = make_net(act, loss, b)
    ev = evaluate(net)
    assert ev.ok, ev.problems
    acts = [layer.activation.name for layer in net.layers]
    ref = ref_grads(net, acts)
    assert ev.loss == pytest.approx(float(ref_run(acts, loss, net.X, net.Y, [la.W for la in net.layers],
                                                  [la.W0 for la in net.layers])), rel=1e-12)
    expected_keys = {n for n in node_ids(net.L) if n not in ("Y", "L")}
    assert set(ev.grads) == expected_keys
    for node, g in ref.items():
        assert ev.grads[node].shape == ev.values[node].shape, node
        np.testing.assert_allclose(ev.grads[node], g, rtol=RTOL, atol=ATOL, err_msg=node)


def test_reference_is_not_trivially_equal():
    """The autograd reference sees a change of weights (so the comparison above can fail)."""
    net = make_net("tanh", "squared", 3)
    acts = [layer.activation.name for layer in net.layers]
    ref = ref_grads(net, acts)
    other = net.with_weights({"W1": net.layers[0].W + 0.1})
    assert not np.allclose(evaluate(other).grads["W1"], ref["W1"], rtol=RTOL, atol=ATOL)


# ----------------------------------------------------------- custom expressions vs by hand
CUSTOM = {
    "z**2": lambda z: z ** 2,
    "z**3 - 2*z": lambda z: z ** 3 - 2.0 * z,
    "sin(z)*z": lambda z: anp.sin(z) * z,
    "log(1 + exp(z))": lambda z: anp.log(1.0 + anp.exp(z)),
    "softplus(z)": lambda z: anp.logaddexp(0.0, z),
    "sigmoid(z)": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "tanh(z)**2 + sqrt(z*z + 1)": lambda z: anp.tanh(z) ** 2 + anp.sqrt(z * z + 1.0),
    "z/(1 + abs(z))": lambda z: z / (1.0 + anp.abs(z)),
    "max(0.1*z, z)": lambda z: anp.maximum(0.1 * z, z),
    "exp(-z**2/2)/sqrt(2*pi)": lambda z: anp.exp(-z ** 2 / 2.0) / anp.sqrt(2.0 * np.pi),
    "cosh(z) - sinh(z) + e*z": lambda z: anp.cosh(z) - anp.sinh(z) + np.e * z,
}


@pytest.mark.parametrize("text", list(CUSTOM))
def test_custom_expression_value_and_derivative_match_autograd(text):
    from chainview.core.expr import parse_expression
    f = CUSTOM[text]
    z = np.array([-2.1, -0.7, -0.3, 0.2, 0.9, 1.7])      # away from kinks (abs, max at 0)
    expr = parse_expression(text)
    np.testing.assert_allclose(expr(z), f(z), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(expr.derivative(z), elementwise_grad(f)(z), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("text", list(CUSTOM))
@pytest.mark.parametrize("b", (1, 3))
def test_net_with_custom_activation_matches_autograd(text, b):
    f = CUSTOM[text]
    rng = np.random.default_rng(7)
    X, Y = rng.normal(size=(2, b)), rng.normal(size=(2, b))
    net = build_net(X, Y, "half_squared", [{"units": 3, "activation": {"expr": text}},
                                            {"units": 2, "activation": "identity"}], seed=3)
    ev = evaluate(net)
    assert ev.ok, ev.problems
    ref = ref_grads(net, [f, "identity"])
    for node, g in ref.items():
        np.testing.assert_allclose(ev.grads[node], g, rtol=RTOL, atol=ATOL, err_msg=node)


# --------------------------------------------------------------------- the course's identities
@pytest.mark.parametrize("name", ["default", "softmax-3class", "relu-regression", "sigmoid-classifier"])
def test_dL_dW_is_A_prev_times_dL_dZ_transposed_summed_over_the_batch(example_net, name):
    net = example_net(name)
    ev = evaluate(net)
    for l in range(1, net.L + 1):
        A, dZ = ev.values[f"A{l - 1}"], ev.grads[f"Z{l}"]
        per_column = sum(A[:, [c]] @ dZ[:, [c]].T for c in range(net.batch))
        np.testing.assert_allclose(ev.grads[f"W{l}"], per_column, rtol=1e-12, atol=1e-15)
        assert ev.grads[f"W{l}"].shape == (net.m(l), net.n(l))
        np.testing.assert_allclose(ev.grads[f"W0_{l}"], dZ.sum(axis=1, keepdims=True), rtol=1e-12, atol=1e-15)
        assert ev.grads[f"W0_{l}"].shape == (net.n(l), 1)
        np.testing.assert_allclose(ev.grads[f"A{l - 1}"], net.layers[l - 1].W @ dZ, rtol=1e-12, atol=1e-15)


def test_batch_loss_and_weight_gradients_are_sums_over_columns(example_net):
    net = example_net("softmax-3class")
    ev = evaluate(net)
    singles = [evaluate(build_net(net.X[:, [c]], net.Y[:, [c]], net.loss,
                                  [{"units": la.units, "activation": la.activation, "W": la.W, "W0": la.W0}
                                   for la in net.layers])) for c in range(net.batch)]
    assert ev.loss == pytest.approx(sum(s.loss for s in singles), rel=1e-12)
    for key in ("W1", "W0_1", "W2", "W0_2"):
        np.testing.assert_allclose(ev.grads[key], sum(s.grads[key] for s in singles), rtol=1e-12, atol=1e-15)
    for c, s in enumerate(singles):   # per-column nodes are exactly the single-example ones
        np.testing.assert_allclose(ev.grads["Z1"][:, [c]], s.grads["Z1"], rtol=1e-12, atol=1e-15)


def test_relu_derivative_at_zero_is_zero():
    net = build_net([[1.0]], [[0.0]], "squared",
                    [{"units": 3, "activation": "relu", "W": [[-1.0, 0.0, 2.0]], "W0": [0.0, 0.0, 0.0]},
                     {"units": 1, "activation": "identity", "W": [[1.0], [1.0], [1.0]], "W0": [0.0]}])
    ev = evaluate(net)
    np.testing.assert_array_equal(ev.values["Z1"][:, 0], [-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(net.layers[0].activation.derivative(ev.values["Z1"])[:, 0], [0.0, 0.0, 1.0])
    assert ev.grads["Z1"][1, 0] == 0.0           # the unit at the kink passes no gradient back
    assert ev.grads["Z1"][2, 0] != 0.0


def test_softmax_with_nllm_fused_shortcut_equals_the_chain(example_net):
    for name in ("default", "softmax-3class"):
        ev = evaluate(example_net(name))
        fused, chain = fused_output_gradient(ev)
        np.testing.assert_allclose(fused, chain, rtol=1e-12, atol=1e-14)
        L = ev.net.L
        np.testing.assert_allclose(fused, ev.values[f"A{L}"] - ev.values["Y"], rtol=0, atol=0)
    assert fused_output_gradient(evaluate(example_net("relu-regression"))) is None
    assert fused_output_gradient(evaluate(make_net("softmax", "squared", 2))) is None   # softmax, other loss


def test_losses_dL_dA_formulas_from_the_table():
    a = np.array([[0.2], [0.7]])
    y = np.array([[0.0], [1.0]])
    ev = lambda loss: evaluate(build_net(a, y, loss, [{"units": 2, "activation": "identity",
                                                       "W": np.eye(2), "W0": [0.0, 0.0]}]))
    np.testing.assert_allclose(ev("squared").grads["A1"], 2 * (a - y))
    np.testing.assert_allclose(ev("half_squared").grads["A1"], a - y)
    np.testing.assert_allclose(ev("nll").grads["A1"], -(y / a) + (1 - y) / (1 - a))
    np.testing.assert_allclose(ev("nllm").grads["A1"], -y / a)
    assert ev("squared").loss == pytest.approx(0.2 ** 2 + 0.3 ** 2)
    assert ev("half_squared").loss == pytest.approx(0.5 * (0.2 ** 2 + 0.3 ** 2))
    assert ev("nll").loss == pytest.approx(-math.log(0.8) - math.log(0.7))
    assert ev("nllm").loss == pytest.approx(-math.log(0.7))


def test_nllm_one_hot_target_with_a_zero_probability_is_finite():
    """0 log 0 = 0: a class with target 0 and probability 0 (underflow) adds nothing."""
    net = build_net([[1.0]], [[1.0], [0.0]], "nllm",
                    [{"units": 2, "activation": "softmax", "W": [[0.0, -2000.0]], "W0": [0.0, 0.0]}])
    ev = evaluate(net)
    assert ev.values["A1"][1, 0] == 0.0
    assert ev.loss == 0.0
    # the loss does not depend on a_2 at all when y_2 = 0, so dL/da_2 = 0 (not -0/0 = NaN)
    assert ev.ok, ev.problems
    np.testing.assert_array_equal(ev.grads["A1"], [[-1.0], [0.0]])
    np.testing.assert_array_equal(ev.grads["W1"], [[0.0, 0.0]])


def test_nll_saturated_sigmoid_on_the_right_answer_has_zero_gradient_not_nan():
    """sigmoid(40) is exactly 1.0 in floats; with y = 1 the loss is -log 1 = 0 and dL/da = -1, not NaN."""
    net = build_net([[1.0]], [[1.0]], "nll", [{"units": 1, "activation": "sigmoid", "W": [[40.0]], "W0": [0.0]}])
    ev = evaluate(net)
    assert ev.values["A1"][0, 0] == 1.0 and ev.loss == 0.0
    assert ev.ok, ev.problems
    np.testing.assert_array_equal(ev.grads["A1"], [[-1.0]])
    np.testing.assert_array_equal(ev.grads["Z1"], [[0.0]])
    result = train(net, 0.1, 3)                    # a confident right answer must not poison training
    assert result.stopped == "" and all(np.isfinite(result.losses))


# ------------------------------------------------------------------------------- NaN / inf
def test_overflow_with_nll_is_recorded_on_the_first_node_and_never_raises():
    net = build_net([[1.0]], [[0.0]], "nll",
                    [{"units": 1, "activation": "sigmoid", "W": [[1e6]], "W0": [0.0]}])
    ev = evaluate(net)                                   # must not raise
    assert ev.values["A1"][0, 0] == 1.0                  # sigmoid saturated: log(1 - a) = log 0
    assert not ev.ok
    assert list(ev.problems) == ["L"]
    message = ev.problems["L"]
    assert message.startswith("L value has infinity") and "log of 0" in message
    assert "\n" not in message
    assert math.isinf(ev.loss)


def test_overflowing_activation_names_the_first_bad_node():
    net = build_net([[1.0]], [[0.0]], "squared",
                    [{"units": 1, "activation": {"expr": "exp(z)"}, "W": [[1000.0]], "W0": [0.0]},
                     {"units": 1, "activation": "identity", "W": [[1.0]], "W0": [0.0]}])
    ev = evaluate(net)
    assert list(ev.problems) == ["A1"]
    assert ev.problems["A1"].startswith("A1 value has infinity")
    assert "at entry 1 (z = 1000)" in ev.problems["A1"] and "overflows" in ev.problems["A1"]


def test_an_undefined_activation_points_at_the_entry():
    net = build_net([[1.0], [2.0]], [[0.0]], "squared",
                    [{"units": 3, "activation": {"expr": "log(z)"}, "W": [[1, 0, 0.2], [0, 1, -0.5]], "W0": [0, 0, 0]},
                     {"units": 1, "activation": "identity"}])
    ev = evaluate(net)                       # z = [1, 2, -0.8]: log of a negative number
    assert list(ev.problems) == ["A1"]
    assert ev.problems["A1"].startswith("A1 value has NaN at entry 3 (z = -0.8)")


def test_nan_in_a_gradient_only_is_found_in_the_backward_phase():
    # sqrt(z) at z = 0: value 0 is fine, the derivative 1/(2 sqrt(0)) is infinite -> 0 * inf = NaN later
    net = build_net([[0.0]], [[1.0]], "squared",
                    [{"units": 1, "activation": {"expr": "sqrt(z)"}, "W": [[1.0]], "W0": [0.0]}])
    ev = evaluate(net)
    assert np.isfinite(ev.loss)
    (node, message), = ev.problems.items()
    assert node == "Z1" and message.startswith("Z1 gradient has")


def test_finite_net_has_no_problems(default_net):
    assert evaluate(default_net).problems == {}


# -------------------------------------------------------------------------- gradient check
CHECK_EXAMPLES = sorted(example_paths())


@pytest.mark.parametrize("name", [n for n in CHECK_EXAMPLES if n != "relu-kink"])
def test_gradient_check_passes_on_every_example(name):
    net = load_net(example_path(name))
    for k in range(net.batch):
        report = check_gradients(net, example=k)
        failed = [key for key, r in (*report.nodes.items(), *report.edges.items()) if not r.ok]
        assert report.ok, (name, k, failed)
        assert set(report.nodes) == {n for n in node_ids(net) if n not in ("Y", "L")}
        assert set(report.edges) == set(edge_list(net))      # 4 L + 2 for a plain chain
        if net.signature == node_signature_of_chain(net.L):
            assert len(report.edges) == 4 * net.L + 2
        assert all(r.checked > 0 for r in (*report.nodes.values(), *report.edges.values()))
        assert report.max_error < 1e-5


def test_gradient_check_fails_on_relu_kink_only_around_the_kink():
    net = load_net(example_path("relu-kink"))
    ev = evaluate(net)
    assert np.any(ev.values["Z1"] == 0.0)
    report = check_gradients(ev)
    assert not report.ok
    failed_nodes = {k for k, r in report.nodes.items() if not r.ok}
    failed_edges = {k for k, r in report.edges.items() if not r.ok}
    # only what sits at or upstream of relu's kink: Z1 -> A1, and gradients flowing back through Z1
    assert failed_edges == {("Z1", "A1")}
    assert failed_nodes and failed_nodes <= {"Z1", "W1", "W0_1", "A0"}
    for key in ("A1", "Z2", "W2", "W0_2", "A2"):
        assert report.nodes[key].ok, key
    for r in [report.nodes[k] for k in failed_nodes] + [report.edges[k] for k in failed_edges]:
        assert "kink" in r.note
    for r in [r for r in (*report.nodes.values(), *report.edges.values()) if r.ok]:
        assert r.note == ""


def test_gradient_check_catches_a_wrong_derivative():
    """A check that cannot fail is no check: a broken f' must be reported."""
    from dataclasses import replace
    net = load_net(example_path("default"))
    broken = replace(net.layers[0].activation, _df=lambda z: 1.0 - np.tanh(z) ** 2 + 0.01,
                     _df_of_a=lambda a: 1.0 - a ** 2 + 0.01)      # f' from z and from a = f(z): both broken
    report = check_gradients(net.replace_layer(1, activation=broken))
    assert not report.ok
    assert not report.edges[("Z1", "A1")].ok
    assert not report.nodes["Z1"].ok and report.nodes["A1"].ok


# ---------------------------------------------------------------------------------- training
def test_sgd_step_lowers_the_loss_and_leaves_the_old_net_alone(example_net):
    net = example_net("relu-regression")
    W1 = net.layers[0].W.copy()
    new = sgd_step(net, 0.01)
    assert evaluate(new).loss < evaluate(net).loss
    np.testing.assert_array_equal(net.layers[0].W, W1)
    ev = evaluate(net)
    np.testing.assert_allclose(new.layers[0].W, W1 - 0.01 * ev.grads["W1"], rtol=1e-15)
    np.testing.assert_allclose(new.layers[1].W0, net.layers[1].W0 - 0.01 * ev.grads["W0_2"], rtol=1e-15)


def test_train_returns_n_plus_one_losses_decreasing_overall(example_net):
    net = example_net("relu-regression")
    seen = []
    result = train(net, 0.01, 40, on_step=lambda i, loss: seen.append((i, loss)))
    assert len(result.losses) == 41
    assert result.stopped == ""
    assert result.losses[0] == pytest.approx(evaluate(net).loss)
    assert result.losses[-1] == pytest.approx(evaluate(result.net).loss)
    assert result.losses[-1] < 0.5 * result.losses[0]
    assert [i for i, _ in seen] == list(range(1, 41))
    assert [loss for _, loss in seen] == result.losses[:-1]


def test_train_zero_steps():
    net = load_net(example_path("default"))
    result = train(net, 0.1, 0)
    assert result.losses == [pytest.approx(evaluate(net).loss)] and result.net is net


def test_should_stop_cancels(example_net):
    net = example_net("relu-regression")
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 5

    result = train(net, 0.01, 100, should_stop=should_stop)
    assert result.stopped == "cancelled"
    assert len(result.losses) == 6             # 5 steps done, then the loss of the net returned
    assert result.losses[-1] == pytest.approx(evaluate(result.net).loss)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), float("inf"), "0.1", None, True])
def test_bad_learning_rate_raises_net_error(example_net, lr):
    net = example_net("relu-regression")
    with pytest.raises(NetError, match="learning rate"):
        sgd_step(net, lr)
    with pytest.raises(NetError, match="learning rate"):
        train(net, lr, 3)


@pytest.mark.parametrize("steps", [-1, 2.5, "3", True])
def test_bad_step_count_raises_net_error(example_net, steps):
    with pytest.raises(NetError, match="steps"):
        train(example_net("relu-regression"), 0.01, steps)


def test_divergent_training_stops_with_a_reason(example_net):
    result = train(example_net("relu-regression"), 1e6, 200)
    assert result.stopped.startswith("loss became")
    assert "learning rate" in result.stopped
    assert not np.isfinite(result.losses[-1])
    json.dumps(result.stopped)


# ------------------------------------------- the finiteness fast path (a sum) stays exact
def _sum_overflow_net():
    """Z1 = A1 = [1e308, 1e308]: every entry finite, but their sum is inf. Y is the output, so L = 0."""
    X, W1, W2 = [[1e308]], [[1.0, 1.0]], [[1e-300], [1e-300]]
    out = (np.array(W2).T @ (np.array(W1).T @ np.array(X)))[0, 0]
    return build_net(X, [[out]], "squared", [{"units": 2, "activation": "identity", "W": W1, "W0": [0, 0]},
                                             {"units": 1, "activation": "identity", "W": W2, "W0": [0]}])


def test_finite_entries_whose_sum_overflows_are_not_a_problem():
    net = _sum_overflow_net()
    ev = evaluate(net)
    with np.errstate(over="ignore"):
        assert np.isinf(ev.values["Z1"].sum())          # so the entry-by-entry scan really ran
    assert ev.loss == 0.0 and ev.problems == {}


@pytest.mark.parametrize("bad, what", [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")])
def test_a_bad_entry_after_an_overflowing_sum_is_still_found_with_its_message(bad, what):
    from chainview.core.engine import find_problems
    net = _sum_overflow_net()
    ev = evaluate(net)
    values = dict(ev.values, Z2=np.array([[bad]]))   # Z1 (sum inf, entries fine) comes first in the schedule
    assert find_problems(net, values, ev.grads) == {
        "Z2": f"Z2 value has {what} at entry 1 - numbers overflowed; try smaller weights, inputs or learning rate"}
    values = dict(ev.values, Z1=np.array([[1e308], [bad]]))
    assert find_problems(net, values, ev.grads) == {
        "Z1": f"Z1 value has {what} at entry 2 - numbers overflowed; try smaller weights, inputs or learning rate"}


def test_the_first_bad_gradient_is_named_with_entry_and_example():
    from chainview.core.engine import find_problems
    net = make_net("tanh", "squared", 3)
    ev = evaluate(net)
    grad = ev.grads["W2"].copy()
    grad[1, 2], grad[3, 0] = np.inf, np.nan          # inf and NaN together: their sum is NaN
    problems = find_problems(net, ev.values, dict(ev.grads, W2=grad))
    assert problems == {"W2": "W2 gradient has infinity at entry 2, example 3 - numbers overflowed; "
                              "try smaller weights, inputs or learning rate"}


# --------------------------------------------------- node ids and edges: one shared, immutable copy
def test_node_ids_and_edges_are_shared_tuples_a_caller_cannot_change():
    from chainview.core import edge_list, schedule
    for structure in (node_ids, edge_list, schedule):
        first = structure(3)
        assert isinstance(first, tuple) and structure(3) is first
        with pytest.raises((TypeError, AttributeError)):
            first.append("extra")
        with pytest.raises(TypeError):
            first[0] = "extra"
        mine = list(first)                           # a caller that wants to extend makes its own list
        mine.append("extra")
        assert "extra" not in structure(3) and len(structure(3)) == len(first)
    assert node_ids(1) == ("A0", "W1", "W0_1", "Z1", "A1", "Y", "L")
    assert edge_list(1) == (("A0", "Z1"), ("W1", "Z1"), ("W0_1", "Z1"), ("Z1", "A1"), ("A1", "L"), ("Y", "L"))
    assert len(node_ids(8)) == 4 * 8 + 3 and len(edge_list(8)) == 4 * 8 + 2
