"""Every edge Jacobian against HIPS autograd, per example column, in both layouts; shapes and
dimension symbols edge by edge against the conventions page; the notes' worked example.

Denominator layout (6.390): J[i, j] = d target_j / d source_i, so J is (source size) x (target size).
autograd.jacobian returns numerator layout [out, in]: the 6.390 Jacobian is its transpose.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import autograd  # noqa: E402,F401  the independent autodiff (a test dependency: never skipped)
import autograd.numpy as anp  # noqa: E402
from autograd import grad, jacobian  # noqa: E402

from chainview.core import (  # noqa: E402
    LAYOUTS, Session, build_net, edge_jacobian, edge_list, evaluate, example_path,
)
from chainview.core.netfile import load_net  # noqa: E402

from autograd_reference import ATOL, REF_ACT, REF_LOSS, RTOL  # noqa: E402


def make_net(act, loss, b, *, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, b))
    out = act if loss in ("squared", "half_squared") or act in ("sigmoid", "softmax") else (
        "sigmoid" if loss == "nll" else "softmax")
    Y = (np.eye(3)[:, rng.integers(0, 3, size=b)] if loss == "nllm"
         else rng.uniform(0.05, 0.95, size=(3, b)) if loss == "nll" else rng.normal(size=(3, b)))
    return build_net(X, Y, loss, [{"units": 4, "activation": act}, {"units": 3, "activation": out}], seed=seed + 1)


def reference_numerator(net, values, u, t, c):
    """autograd's Jacobian of edge u -> t for example column c, numerator layout [out, in].

    For W -> Z, the full 3-index [k, i, j] = dz_k / dW_ij."""
    col = lambda name: values[name][:, c]
    kind_t = t[0] if t != "L" else "L"
    if kind_t == "Z":
        l = int(t[1:])
        W, W0, a = values[f"W{l}"], values[f"W0_{l}"][:, 0], col(f"A{l - 1}")
        if u.startswith("A"):
            return jacobian(lambda x: anp.dot(W.T, x) + W0)(a)
        if u.startswith("W0_"):
            return jacobian(lambda x: anp.dot(W.T, a) + x)(W0)
        return jacobian(lambda x: anp.dot(x.T, a) + W0)(W)
    if kind_t == "A":
        l = int(t[1:])
        f = REF_ACT[net.layers[l - 1].activation.name]
        return jacobian(f)(col(f"Z{l}"))
    loss = REF_LOSS[net.loss.name]
    a, y = col(f"A{net.L}"), col("Y")
    if u == "Y":
        return grad(lambda x: loss(a, x))(y)[None, :]
    return grad(lambda x: loss(x, y))(a)[None, :]


CASES = [pytest.param(a, l, b, id=f"{a}-{l}-b{b}")
         for a, l, b in itertools.product(REF_ACT, REF_LOSS, (1, 3))]


@pytest.mark.parametrize("act, loss, b", CASES)
def test_every_edge_jacobian_matches_autograd_in_both_layouts(act, loss, b):
    net = make_net(act, loss, b)
    ev = evaluate(net)
    for c in range(b):
        for u, t in edge_list(net.L):
            ref = reference_numerator(net, ev.values, u, t, c)
            den = edge_jacobian(ev, u, t, example=c)
            num = edge_jacobian(ev, u, t, example=c, layout="numerator")
            where = f"{u}->{t} example {c}"
            if den.kind == "shorthand":
                # ref[k] = dz_k/dW (m x n): exactly slice k of the tensor
                np.testing.assert_allclose(den.tensor(), ref, rtol=RTOL, atol=ATOL, err_msg=where)
                np.testing.assert_allclose(num.tensor(), np.transpose(ref, (0, 2, 1)), rtol=RTOL, atol=ATOL)
                # the notes' shorthand A^(l-1): column k of slice k, the same for every k
                np.testing.assert_allclose(den.dense()[:, 0], ev.values[f"A{int(t[1:]) - 1}"][:, c], rtol=0, atol=0)
                for k in range(ref.shape[0]):
                    np.testing.assert_allclose(ref[k][:, k], den.dense()[:, 0], rtol=RTOL, atol=ATOL)
            else:
                np.testing.assert_allclose(den.dense(), ref.T, rtol=RTOL, atol=ATOL, err_msg=where)
                np.testing.assert_allclose(num.dense(), ref, rtol=RTOL, atol=ATOL, err_msg=where)
                np.testing.assert_array_equal(num.dense(), den.dense().T)
            assert num.shape == den.shape[::-1] and num.dims == den.dims[::-1]
            assert num.row_labels == den.col_labels and num.col_labels == den.row_labels
            assert np.asarray(den).shape == den.shape


def test_jacobians_differ_between_examples():
    """Per example column, not an average: two columns give two different Z -> A Jacobians."""
    ev = evaluate(make_net("tanh", "squared", 3))
    J0, J1 = (edge_jacobian(ev, "Z1", "A1", example=c).dense() for c in (0, 1))
    assert not np.allclose(J0, J1)
    np.testing.assert_allclose(np.diag(J1), 1 - np.tanh(ev.values["Z1"][:, 1]) ** 2, rtol=1e-14)


@pytest.mark.parametrize("text, f", [
    ("z**2", lambda z: z ** 2),
    ("sin(z) + z**3/3", lambda z: anp.sin(z) + z ** 3 / 3.0),
    ("log(1 + exp(z))", lambda z: anp.log(1.0 + anp.exp(z))),
    ("z*sigmoid(z)", lambda z: z / (1.0 + anp.exp(-z))),
    ("z/(1 + abs(z))", lambda z: z / (1.0 + anp.abs(z))),
])
def test_custom_activation_edge_jacobian_matches_autograd(text, f):
    rng = np.random.default_rng(11)
    net = build_net(rng.normal(size=(2, 3)), rng.normal(size=(1, 3)), "squared",
                    [{"units": 3, "activation": {"expr": text}}, {"units": 1, "activation": "identity"}], seed=5)
    ev = evaluate(net)
    for c in range(3):
        J = edge_jacobian(ev, "Z1", "A1", example=c)
        assert J.kind == "diagonal"
        ref = jacobian(f)(ev.values["Z1"][:, c])
        np.testing.assert_allclose(J.dense(), ref.T, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(J.diagonal, np.diag(ref), rtol=RTOL, atol=ATOL)


# ------------------------------------------------------------------- the notes' worked example
def test_notes_example_z_squared():
    net = load_net(example_path("notes-z-squared"))
    ev = evaluate(net)
    np.testing.assert_array_equal(ev.values["Z1"], [[1.0], [2.0], [3.0]])
    np.testing.assert_array_equal(ev.values["A1"], [[1.0], [4.0], [9.0]])
    for layout in LAYOUTS:
        J = edge_jacobian(ev, "Z1", "A1", layout=layout)
        assert J.shape == (3, 3) and J.dims == ("n^1", "n^1")
        np.testing.assert_array_equal(J.dense(), [[2, 0, 0], [0, 4, 0], [0, 0, 6]])
        np.testing.assert_array_equal(J.diagonal, [2.0, 4.0, 6.0])
    assert net.layers[0].activation.derivative_formula == "2*z"


# --------------------------------------------------------------- shapes and dims, edge by edge
def widths_net(widths, b=1, *, out="identity", loss="squared", seed=0):
    """Layers of the given widths (widths[0] is the input size)."""
    rng = np.random.default_rng(seed)
    layers = [{"units": n, "activation": "tanh"} for n in widths[1:-1]] + [{"units": widths[-1], "activation": out}]
    Y = np.eye(widths[-1])[:, :b] if loss == "nllm" else rng.normal(size=(widths[-1], b))
    return build_net(rng.normal(size=(widths[0], b)), Y, loss, layers, seed=seed)


SHAPE_NETS = {
    "default": lambda: load_net(example_path("default")),
    "2-5-3-4-1": lambda: widths_net([2, 5, 3, 4, 1]),
    "3-1 one layer": lambda: widths_net([3, 1]),
    "1-6-2 batch 4": lambda: widths_net([1, 6, 2], b=4),
    "4-3-5 softmax": lambda: widths_net([4, 3, 5], b=2, out="softmax", loss="nllm"),
}


@pytest.mark.parametrize("name", list(SHAPE_NETS))
def test_edge_shapes_and_dims_follow_the_conventions_page(name):
    net = SHAPE_NETS[name]()
    ev = evaluate(net)
    L = net.L
    expected = {}
    for l in range(1, L + 1):
        m, n = net.m(l), net.n(l)
        assert m == net.n(l - 1)
        expected[(f"A{l - 1}", f"Z{l}")] = ((m, n), (f"m^{l}", f"n^{l}"), f"W^{l}")
        expected[(f"W{l}", f"Z{l}")] = ((m, 1), (f"m^{l}", "1"), f"A^{l - 1}")
        expected[(f"W0_{l}", f"Z{l}")] = ((n, n), (f"n^{l}", f"n^{l}"), "I")
        expected[(f"Z{l}", f"A{l}")] = ((n, n), (f"n^{l}", f"n^{l}"), None)
    expected[(f"A{L}", "L")] = ((net.n(L), 1), (f"n^{L}", "1"), f"dL/dA^{L}")
    expected[("Y", "L")] = ((net.n(L), 1), (f"n^{L}", "1"), "dL/dY")
    assert set(expected) == set(edge_list(L))
    for c in range(net.batch):
        for (u, t), (shape, dims, symbol) in expected.items():
            J = edge_jacobian(ev, u, t, example=c)
            N = edge_jacobian(ev, u, t, example=c, layout="numerator")
            assert (J.shape, J.dims) == (shape, dims), (u, t)
            assert J.dense().shape == shape, (u, t)
            assert len(J.row_labels) == shape[0] and len(J.col_labels) == shape[1]
            assert (N.shape, N.dims) == (shape[::-1], dims[::-1]), (u, t)
            assert N.dense().shape == shape[::-1]
            if symbol is not None:
                assert J.symbol == symbol
                assert N.symbol == (symbol if symbol == "I" else f"({symbol})^T")
            if J.kind == "shorthand":           # the real 3-index object: n^l slices of m^l x n^l
                m, n = net.m(int(t[1:])), net.n(int(t[1:]))
                assert J.tensor().shape == (n, m, n)
                assert N.tensor().shape == (n, n, m)
                for k in range(n):
                    slice_k = J.tensor()[k]
                    np.testing.assert_array_equal(np.delete(slice_k, k, axis=1), 0.0)
                    np.testing.assert_array_equal(N.tensor()[k], slice_k.T)


def test_kinds_and_the_matrices_they_stand_for(default_net):
    ev = evaluate(default_net)
    A_Z = edge_jacobian(ev, "A0", "Z1")
    assert A_Z.kind == "dense"
    np.testing.assert_array_equal(A_Z.dense(), default_net.layers[0].W)
    I = edge_jacobian(ev, "W0_1", "Z1")
    assert I.kind == "identity"
    np.testing.assert_array_equal(I.dense(), np.eye(3))
    np.testing.assert_array_equal(I.diagonal, np.ones(3))
    D = edge_jacobian(ev, "Z1", "A1")
    assert D.kind == "diagonal"
    np.testing.assert_allclose(D.dense(), np.diag(1 - np.tanh(ev.values["Z1"][:, 0]) ** 2), rtol=1e-14)
    assert np.count_nonzero(D.dense() - np.diag(np.diag(D.dense()))) == 0
    assert D.tensor() is None and I.tensor() is None


def test_shared_identity_cannot_be_corrupted(default_net):
    """dense() of an identity is one shared matrix: writing to it must fail, not change every net."""
    ev = evaluate(default_net)
    I = edge_jacobian(ev, "W0_1", "Z1").dense()
    with pytest.raises(ValueError):
        I[0, 1] = 5.0
    np.testing.assert_array_equal(edge_jacobian(ev, "W0_1", "Z1").dense(), np.eye(3))


def test_softmax_jacobian_is_diag_a_minus_a_a_transpose_and_symmetric(example_net):
    net = example_net("softmax-3class")
    ev = evaluate(net)
    for c in range(net.batch):
        a = ev.values["A2"][:, c]
        for layout in LAYOUTS:
            J = edge_jacobian(ev, "Z2", "A2", example=c, layout=layout).dense()
            np.testing.assert_allclose(J, np.diag(a) - np.outer(a, a), rtol=1e-14, atol=1e-16)
            np.testing.assert_array_equal(J, J.T)
            np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-15)   # softmax sums to 1
        assert np.count_nonzero(J - np.diag(np.diag(J))) > 0             # full, not diagonal


def test_explanations_mention_the_transpose_only_in_numerator_layout(default_net):
    ev = evaluate(default_net)
    for u, t in edge_list(2):
        assert "transpose" not in edge_jacobian(ev, u, t).explanation
        assert "transpose" in edge_jacobian(ev, u, t, layout="numerator").explanation
    assert "f'(0) = 0" in edge_jacobian(evaluate(load_net(example_path("relu-kink"))), "Z1", "A1").explanation


def test_bad_layout_or_example_raises(default_net):
    ev = evaluate(default_net)
    with pytest.raises(ValueError, match="layout"):
        edge_jacobian(ev, "Z1", "A1", layout="row-major")
    for k in (-1, 1):
        with pytest.raises(ValueError, match="example"):
            edge_jacobian(ev, "Z1", "A1", example=k)


@pytest.mark.parametrize("source, target", [
    ("A1", "A0"), ("Z1", "L"), ("Y", "Z1"), ("A0", "Z2"), ("W1", "Z2"), ("W0_2", "Z1"),
    ("Z2", "A1"), ("A0", "L"), ("A1", "L"), ("Z1", "Z2"),
])
def test_a_pair_that_is_not_an_edge_raises_key_error(default_net, source, target):
    """Only the graph's edges have a one-step Jacobian; A0 -> Z2 is not W^2 (it is a chain)."""
    ev = evaluate(default_net)
    with pytest.raises(KeyError):
        edge_jacobian(ev, source, target)
    with pytest.raises(KeyError):
        Session(default_net).jacobian(source, target)


def test_session_jacobians_follow_layout_and_example(example_net):
    net = example_net("softmax-3class")
    s = Session(net)
    ev = s.evaluation
    np.testing.assert_array_equal(s.jacobian("Z1", "A1").dense(), edge_jacobian(ev, "Z1", "A1").dense())
    s.set_example(2)
    np.testing.assert_array_equal(s.jacobian("Z1", "A1").dense(), edge_jacobian(ev, "Z1", "A1", example=2).dense())
    s.set_layout("numerator")
    J = s.jacobian("A0", "Z1")
    assert J.layout == "numerator" and J.shape == (4, 2)
    np.testing.assert_array_equal(J.dense(), net.layers[0].W.T)


# --------------------------------------------------------------- reading a Jacobian without dense()
def _every_kind_net():
    """tanh (diagonal), softmax output (structured), W (dense), W0 (identity), W -> Z (shorthand), batch 3."""
    return make_net("tanh", "nllm", 3, seed=4)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rows_stacked_and_entries_are_dense_for_every_kind(layout):
    ev = evaluate(_every_kind_net())
    kinds = set()
    for c in range(3):
        for u, t in edge_list(ev.net.L):
            J = edge_jacobian(ev, u, t, layout=layout, example=c)
            kinds.add(J.kind)
            r, cols = J.shape
            for step in (1, 2, 3, r):
                buf = np.full((step, cols), np.nan)                # one buffer reused for every block
                fresh = np.vstack([J.rows(s, s + step) for s in range(0, r, step)])
                reused = np.vstack([J.rows(s, s + step, out=buf).copy() for s in range(0, r, step)])
                np.testing.assert_array_equal(fresh, J.dense(), err_msg=f"{u}->{t}")
                np.testing.assert_array_equal(reused, J.dense(), err_msg=f"{u}->{t}")
            D = J.dense()
            assert [[J.entry(i, j) for j in range(cols)] for i in range(r)] == D.tolist(), (u, t)
            assert J.rows(r - 1, r + 5).shape == (1, cols)          # clipped to the matrix, like a slice
            with pytest.raises(IndexError):
                J.entry(r, 0)
    assert kinds == {"dense", "diagonal", "identity", "shorthand"}


def test_rows_of_a_stored_matrix_cannot_write_into_the_net(default_net):
    ev = evaluate(default_net)
    block = edge_jacobian(ev, "A0", "Z1").rows(0, 1)
    with pytest.raises(ValueError):
        block[0, 0] = 99.0
    np.testing.assert_array_equal(edge_jacobian(ev, "A0", "Z1").dense(), default_net.layers[0].W)


def test_softmax_jacobian_is_kept_as_a_vector_until_dense_is_asked_for():
    net = build_net([[0.3], [-0.2]], [[1.0]] + [[0.0]] * 511, "nllm", [{"units": 512, "activation": "softmax"}],
                    seed=2)
    ev = evaluate(net)
    for layout in LAYOUTS:
        J = edge_jacobian(ev, "Z1", "A1", layout=layout)
        assert J.kind == "dense" and J.shape == (512, 512)      # what the UI and trace JSON call it is unchanged
        J.rows(0, 512), J.entry(3, 4)
        assert J._dense is None                                  # reading it made no 512 x 512 matrix
        D = J.dense()
        assert J.dense() is D                                    # built once, then kept
        a = ev.values["A1"][:, 0]
        old = np.multiply.outer(-a, a)                           # exactly what dense() returned before
        old[np.diag_indices_from(old)] += a
        np.testing.assert_array_equal(D, old)
        np.testing.assert_array_equal(D, D.T)
        assert not D.flags.writeable                             # shared: nobody can change what entry() reads
        with pytest.raises(ValueError):
            D[0, 0] = 99.0
        assert J.entry(0, 0) == old[0, 0]


def test_softmax_structured_jacobian_matches_finite_differences():
    """diag(a) − a aᵀ against central differences of the forward pass itself (no autodiff involved)."""
    rng = np.random.default_rng(3)
    net = build_net(rng.normal(size=(2, 2)), np.eye(7)[:, :2], "nllm", [{"units": 7, "activation": "softmax"}], seed=6)
    ev = evaluate(net)
    act = net.layers[0].activation
    for c in range(2):
        z = ev.values["Z1"][:, c]
        J = edge_jacobian(ev, "Z1", "A1", example=c)
        h = 1e-6
        fd = np.empty((7, 7))
        for i in range(7):                                       # row i <-> z_i (denominator layout)
            e = np.zeros(7)
            e[i] = h
            fd[i] = (act((z + e)[:, None])[:, 0] - act((z - e)[:, None])[:, 0]) / (2 * h)
        blocks = np.vstack([J.rows(s, s + 3) for s in range(0, 7, 3)])
        np.testing.assert_allclose(blocks, fd, rtol=1e-7, atol=1e-10)
        np.testing.assert_allclose([[J.entry(i, j) for j in range(7)] for i in range(7)], fd, rtol=1e-7, atol=1e-10)
