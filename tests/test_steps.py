"""The schedule a person steps through, each step's equation and shape algebra, in both layouts."""

from __future__ import annotations

import re

import numpy as np
import pytest

from chainview.core import LAYOUTS, Session, build_net, build_steps, edge_list, evaluate, example_paths, schedule
from chainview.core.netfile import load_net


def expected_schedule(L):
    """Written out from the issue: forward Z1, A1, ..., AL, L; backward dL/dAL, dL/dZL, dL/dWL,
    dL/dW0_L, dL/dA(L-1), ..., dL/dW1, dL/dW0_1, dL/dA0."""
    fwd = [("forward", n) for l in range(1, L + 1) for n in (f"Z{l}", f"A{l}")] + [("forward", "L")]
    bwd = [("backward", f"A{L}")]
    for l in range(L, 0, -1):
        bwd += [("backward", f"Z{l}"), ("backward", f"W{l}"), ("backward", f"W0_{l}"), ("backward", f"A{l - 1}")]
    return fwd + bwd


def test_schedule_for_two_layers_exactly():
    assert schedule(2) == (
        ("forward", "Z1"), ("forward", "A1"), ("forward", "Z2"), ("forward", "A2"), ("forward", "L"),
        ("backward", "A2"), ("backward", "Z2"), ("backward", "W2"), ("backward", "W0_2"), ("backward", "A1"),
        ("backward", "Z1"), ("backward", "W1"), ("backward", "W0_1"), ("backward", "A0"),
    )


def test_schedule_for_three_layers_exactly():
    assert schedule(3) == (
        ("forward", "Z1"), ("forward", "A1"), ("forward", "Z2"), ("forward", "A2"), ("forward", "Z3"),
        ("forward", "A3"), ("forward", "L"),
        ("backward", "A3"), ("backward", "Z3"), ("backward", "W3"), ("backward", "W0_3"), ("backward", "A2"),
        ("backward", "Z2"), ("backward", "W2"), ("backward", "W0_2"), ("backward", "A1"),
        ("backward", "Z1"), ("backward", "W1"), ("backward", "W0_1"), ("backward", "A0"),
    )


@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_schedule_general(L):
    assert list(schedule(L)) == expected_schedule(L)
    assert len(schedule(L)) == 6 * L + 2


def test_steps_follow_the_schedule(default_net):
    steps = build_steps(evaluate(default_net))
    assert [(s.phase, s.node) for s in steps] == list(schedule(2))
    assert [s.index for s in steps] == list(range(len(steps)))
    assert [s.title for s in steps] == ["Z^1", "A^1", "Z^2", "A^2", "L", "dL/dA^2", "dL/dZ^2", "dL/dW^2",
                                        "dL/dW0^2", "dL/dA^1", "dL/dZ^1", "dL/dW^1", "dL/dW0^1", "dL/dA^0"]


# --------------------------------------------------------------- the default example, exactly
DEFAULT_DENOMINATOR = [
    ("Z^1 = W^1^T A^0 + W0^1", "(3x2)(2x1) + (3x1) -> (3x1)"),
    ("A^1 = f^1(Z^1),  f(z) = tanh(z)", "(3x1) -> (3x1)"),
    ("Z^2 = W^2^T A^1 + W0^2", "(2x3)(3x1) + (2x1) -> (2x1)"),
    ("A^2 = f^2(Z^2),  f(z) = exp(z_i) / Σ_k exp(z_k)", "(2x1) -> (2x1)"),
    ("L = −Σ_k Y_k log A^L_k", "(2x1), (2x1) -> (1x1)"),
    ("dL/dA^L = −Y / A^L", "(2x1), (2x1) -> (2x1)"),
    ("dL/dZ^2 = dA^2/dZ^2 · dL/dA^2", "(2x2)(2x1) -> (2x1)"),
    ("dL/dW^2 = A^1 (dL/dZ^2)^T", "(3x1)(1x2) -> (3x2)"),
    ("dL/dW0^2 = dL/dZ^2", "(2x1) -> (2x1)"),
    ("dL/dA^1 = W^2 · dL/dZ^2", "(3x2)(2x1) -> (3x1)"),
    ("dL/dZ^1 = dA^1/dZ^1 · dL/dA^1", "(3x3)(3x1) -> (3x1)"),
    ("dL/dW^1 = A^0 (dL/dZ^1)^T", "(2x1)(1x3) -> (2x3)"),
    ("dL/dW0^1 = dL/dZ^1", "(3x1) -> (3x1)"),
    ("dL/dA^0 = W^1 · dL/dZ^1", "(2x3)(3x1) -> (2x1)"),
]

DEFAULT_NUMERATOR_BACKWARD = [
    ("dL/dA^L = −Y / A^L", "(2x1), (2x1) -> (1x2)"),
    ("dL/dZ^2 = dL/dA^2 · dA^2/dZ^2", "(1x2)(2x2) -> (1x2)"),
    ("dL/dW^2 = (dL/dZ^2)^T (A^1)^T  (numerator layout: n^2 x m^2)", "(2x1)(1x3) -> (2x3)"),
    ("dL/dW0^2 = dL/dZ^2", "(1x2) -> (1x2)"),
    ("dL/dA^1 = dL/dZ^2 · W^2^T", "(1x2)(2x3) -> (1x3)"),
    ("dL/dZ^1 = dL/dA^1 · dA^1/dZ^1", "(1x3)(3x3) -> (1x3)"),
    ("dL/dW^1 = (dL/dZ^1)^T (A^0)^T  (numerator layout: n^1 x m^1)", "(3x1)(1x2) -> (3x2)"),
    ("dL/dW0^1 = dL/dZ^1", "(1x3) -> (1x3)"),
    ("dL/dA^0 = dL/dZ^1 · W^1^T", "(1x3)(3x2) -> (1x2)"),
]


def test_default_example_equations_and_shapes_denominator(default_net):
    steps = build_steps(evaluate(default_net))
    assert [(s.equation, s.shapes) for s in steps] == DEFAULT_DENOMINATOR


def test_default_example_equations_and_shapes_numerator(default_net):
    steps = build_steps(evaluate(default_net), "numerator")
    assert [(s.equation, s.shapes) for s in steps[:5]] == DEFAULT_DENOMINATOR[:5]   # forward is layout-free
    assert [(s.equation, s.shapes) for s in steps[5:]] == DEFAULT_NUMERATOR_BACKWARD


def test_operands_match_the_shapes_string(default_net):
    for layout in LAYOUTS:
        for s in build_steps(evaluate(default_net), layout):
            assert re.findall(r"\((\d+)x(\d+)\)", s.shapes)[:-1] == [tuple(map(str, o.shape)) for o in s.operands]
            for o in s.operands:
                assert o.name and "^" in o.name or o.name == "Y"


# ------------------------------------------------------------------ shape algebra, everywhere
SHAPE = r"\((\d+)x(\d+)\)"


def _shape_algebra_ok(shapes: str) -> tuple[bool, str]:
    """Products must chain, '+' must match or broadcast an n x 1 offset, '->' must be the product's shape.

    A fork's step is a sum of products (one chain-rule term per path): each term must chain and
    give the same shape."""
    lhs, rhs = shapes.split(" -> ")
    result = tuple(map(int, re.fullmatch(SHAPE, rhs).groups()))
    if ", " in lhs:                      # a list of inputs (the loss): nothing to multiply
        return all(re.fullmatch(f"{SHAPE}(?:, {SHAPE})*(?: \\+ {SHAPE})?", lhs) for _ in [0]), "list"
    shape = None
    for term in lhs.split(" + "):
        product = [tuple(map(int, m)) for m in re.findall(SHAPE, term)]
        assert "".join(f"({r}x{c})" for r, c in product) == term, shapes
        rows, cols = product[0]
        for r, c in product[1:]:
            if r != cols:
                return False, f"inner dimensions {cols} and {r} differ"
            cols = c
        if shape is None:
            shape = (rows, cols)
        elif (rows, cols) != shape and not (rows == shape[0] and cols == 1):
            return False, f"cannot add ({rows}x{cols}) to {shape}"
    return shape == result, f"product is {shape}, result says {result}"


def _all_nets():
    nets = {name: load_net(path) for name, path in example_paths().items()}
    rng = np.random.default_rng(0)
    nets["3-layer 2-5-3-4 batch 2"] = build_net(
        rng.normal(size=(2, 2)), rng.normal(size=(4, 2)), "half_squared",
        [{"units": 5, "activation": "relu"}, {"units": 3, "activation": "sigmoid"},
         {"units": 4, "activation": "identity"}])
    return nets


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", list(_all_nets()))
def test_shape_algebra_is_consistent_in_every_step(name, layout):
    net = _all_nets()[name]
    for s in build_steps(evaluate(net), layout):
        if s.node == "R" and s.phase == "forward":   # R = λ Σ ‖W‖²: a function of its inputs, not a product
            assert s.shapes.endswith("-> (1x1)")
            continue
        ok, why = _shape_algebra_ok(s.shapes)
        assert ok, f"{name} {layout} step {s.index} ({s.node}): {s.shapes}: {why}"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", list(_all_nets()))
def test_step_values_are_the_evaluation_numbers(name, layout):
    net = _all_nets()[name]
    ev = evaluate(net)
    num = layout == "numerator"
    edges = set(edge_list(net))
    for s in build_steps(ev, layout):
        if s.phase == "forward":
            np.testing.assert_array_equal(s.value, ev.values[s.node])
            assert s.shapes.endswith(f"-> ({s.value.shape[0]}x{s.value.shape[1]})")
        else:
            np.testing.assert_array_equal(s.value, ev.grads[s.node].T if num else ev.grads[s.node])
            if net.batch == 1 or s.node.startswith("W"):     # per-example steps show one column's shapes
                assert s.shapes.endswith(f"-> ({s.value.shape[0]}x{s.value.shape[1]})"), (s.node, s.shapes)
        assert s.edges and set(s.edges) <= edges, (s.node, s.edges)
        assert all(s.node in edge for edge in s.edges)
        assert not s.note.startswith((";", ",", " ")), (s.node, s.note)


def test_gradient_step_shapes_in_numerator_layout_are_transposed(example_net):
    net = example_net("softmax-3class")
    den, num = (build_steps(evaluate(net), layout) for layout in LAYOUTS)
    for d, n in zip(den, num):
        assert (d.phase, d.node) == (n.phase, n.node)
        if d.phase == "backward":
            assert n.value.shape == d.value.shape[::-1]
            np.testing.assert_array_equal(n.value, d.value.T)
            rd = tuple(map(int, re.findall(SHAPE, d.shapes)[-1]))
            rn = tuple(map(int, re.findall(SHAPE, n.shapes)[-1]))
            assert rn == rd[::-1], (d.node, d.shapes, n.shapes)


def test_batch_notes(example_net):
    net = example_net("softmax-3class")      # b = 3
    steps = {(s.phase, s.node): s for s in build_steps(evaluate(net))}
    assert "summed over the 3 columns" in steps[("forward", "L")].note
    assert "W0 is added to every column" in steps[("forward", "Z1")].note
    for node in ("W1", "W2"):
        assert "summed over the 3 columns" in steps[("backward", node)].note
    for node in ("A2", "Z2", "A1", "Z1", "A0"):
        assert "per example, for each of the b = 3 columns" in steps[("backward", node)].note, node
    assert steps[("backward", "A0")].note.startswith("A^0 is the input")
    assert steps[("backward", "A1")].note.startswith("per example")
    assert "(summed over the batch)" in steps[("backward", "W0_1")].equation
    assert "softmax's Jacobian is full" in steps[("backward", "Z2")].note
    assert "diag(f'(Z^1))" in steps[("backward", "Z1")].note


def test_single_example_has_no_batch_notes(default_net):
    for s in build_steps(evaluate(default_net)):
        assert "batch" not in s.note and "per example" not in s.note and "summed over" not in s.equation


def test_equations_name_the_course_symbols(default_net):
    den = {s.node: s for s in build_steps(evaluate(default_net)) if s.phase == "backward"}
    num = {s.node: s for s in build_steps(evaluate(default_net), "numerator") if s.phase == "backward"}
    # denominator layout multiplies from the variable toward the loss: dA/dZ . dL/dA
    assert [o.name for o in den["Z1"].operands] == ["dA^1/dZ^1", "dL/dA^1"]
    assert [o.name for o in num["Z1"].operands] == ["dL/dA^1", "dA^1/dZ^1"]
    assert [o.name for o in den["A1"].operands] == ["W^2", "dL/dZ^2"]
    assert [o.name for o in num["A1"].operands] == ["dL/dZ^2", "W^2^T"]
    assert den["Z1"].edges == (("Z1", "A1"),) and den["A1"].edges == (("A1", "Z2"),)
    assert den["W1"].edges == (("W1", "Z1"),) and den["A2"].edges == (("A2", "L"),)


@pytest.mark.parametrize("layout", ["denominator", "numerator"])
@pytest.mark.parametrize("name", ["default", "relu-regression", "softmax-3class", "notes-z-squared"])
def test_every_operand_says_where_its_numbers_are(example_net, name, layout):
    """Operand.kind/ref/transposed fetch a matrix of exactly the declared shape (a batch's column for per-example ones)."""
    s = Session(example_net(name), layout=layout)
    ev, b = s.evaluation, s.net.batch
    joiner_count = 0
    for step in s.steps:
        assert len(step.joiners) == len(step.operands) - 1
        joiner_count += len(step.joiners)
        for op in step.operands:
            source = {"value": lambda r: ev.values[r], "grad": lambda r: ev.grads[r],
                      "jacobian": lambda r: s.jacobian(*r).dense()}[op.kind](op.ref)
            arr = source.T if op.transposed else source
            if arr.shape != op.shape:   # a per-example operand: one column (or row) of the batch
                assert b > 1 and (arr.shape, op.shape) in (((op.shape[0], b), (op.shape[0], 1)),
                                                           ((b, op.shape[1]), (1, op.shape[1])))
    assert joiner_count > 0


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", list(_all_nets()))
def test_every_part_of_a_step_is_a_tuple_and_built_afresh(name, layout):
    """Steps are immutable all the way down, and two builds share no Step (only the cached schedule)."""
    ev = evaluate(_all_nets()[name])
    first, second = build_steps(ev, layout), build_steps(ev, layout)
    assert isinstance(first, list) and first is not second
    for a, b in zip(first, second):
        assert a is not b
        assert a.operands == b.operands and a.equation == b.equation and a.shapes == b.shapes
        for part in (a.operands, a.joiners, a.result_shape, a.edges, *a.edges, *(o.shape for o in a.operands)):
            assert type(part) is tuple, (a.node, part)
        assert len(a.joiners) == len(a.operands) - 1
