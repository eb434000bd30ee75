"""core/expr.py: a typed activation in z is parsed safely, evaluated and differentiated exactly."""

from __future__ import annotations

import builtins
import dataclasses
import os
import pathlib
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

from chainview.core import expr as expr_module
from chainview.core.errors import ExpressionError
from chainview.core.expr import ALLOWED_FUNCTIONS, MAX_LENGTH, Expression, parse_expression


# ------------------------------------------------------------------ values
def test_notes_example_square():
    f = parse_expression("z**2")
    z = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(f(z), [1.0, 4.0, 9.0])
    np.testing.assert_array_equal(f.derivative(z), [2.0, 4.0, 6.0])
    assert f.formula == "z**2"
    assert f.derivative_formula == "2*z"
    assert f.pretty == "z²"
    assert f.derivative_pretty == "2·z"


# (text, sampler of points away from kinks and outside the domain's edges)
def _anywhere(rng, n):
    points = rng.uniform(-2.5, 2.5, n)
    return points[np.abs(points) > 0.1]


def _positive(rng, n):
    return rng.uniform(0.2, 3.0, n)


DIFFERENTIABLE = [
    ("z**2", _anywhere), ("tanh(z)", _anywhere), ("max(0, z)", _anywhere),
    ("1/(1+exp(-z))", _anywhere), ("0.5*z", _anywhere), ("-z", _anywhere), ("sin(z)", _anywhere),
    ("log(1+exp(z))", _anywhere), ("abs(z)", _anywhere), ("sqrt(z*z+1)", _anywhere),
    ("min(z, 1)", _anywhere),
    ("exp(-z**2)", _anywhere), ("sigmoid(z)", _anywhere), ("softplus(z)", _anywhere),
    ("relu(z)", _anywhere), ("cos(z)*sinh(z)/cosh(z)", _anywhere), ("tan(z/2)", _anywhere),
    ("log(z)", _positive), ("z**-2 + z**0.5", _positive), ("(1+z**2)**3/3 - pi*z", _anywhere),
    ("e**2*z - (z - 1)/(z*z + 2)", _anywhere), ("-(-z)**3 + 2*3*z", _anywhere),
]


@pytest.mark.parametrize("text,sample", DIFFERENTIABLE, ids=[t for t, _ in DIFFERENTIABLE])
def test_derivative_matches_central_differences(text, sample):
    f = parse_expression(text)
    z = sample(np.random.default_rng(6390), 40)
    z = z[np.abs(z - 1) > 0.1] if "min" in text else z
    h = 1e-5
    finite = (f(z + h) - f(z - h)) / (2 * h)
    np.testing.assert_allclose(f.derivative(z), finite, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("text,sample", DIFFERENTIABLE, ids=[t for t, _ in DIFFERENTIABLE])
def test_printed_formulas_mean_the_same_function(text, sample):
    f = parse_expression(text)
    z = sample(np.random.default_rng(1), 20)
    np.testing.assert_allclose(parse_expression(f.formula)(z), f(z), rtol=1e-12)
    try:
        derivative = parse_expression(f.derivative_formula)
    except ExpressionError:  # step(z), sign(z), where(...) are for reading, not for typing
        return
    np.testing.assert_allclose(derivative(z), f.derivative(z), rtol=1e-9, atol=1e-12)


def test_kink_conventions():
    at_zero = np.array([0.0])
    assert parse_expression("max(0, z)").derivative(at_zero)[0] == 0.0      # like relu
    assert parse_expression("relu(z)").derivative(at_zero)[0] == 0.0
    assert parse_expression("abs(z)").derivative(at_zero)[0] == 0.0
    assert parse_expression("min(0, z)").derivative(at_zero)[0] == 0.0
    assert parse_expression("max(z, 0)").derivative(at_zero)[0] == 1.0      # tie: first argument
    relu_like = parse_expression("max(0, z)")
    np.testing.assert_array_equal(relu_like.derivative(np.array([-1.0, 2.0])), [0.0, 1.0])


# (text, kink, f'(kink) by chainview's conventions: relu'(0) = abs'(0) = 0, a tie takes the
# first argument's slope)
KINKS = [
    ("max(0, z)", 0, 0), ("relu(z)", 0, 0), ("abs(z)", 0, 0), ("min(0, z)", 0, 0),
    ("max(z, 0)", 0, 1), ("min(z, 0)", 0, 1), ("relu(-z)", 0, 0), ("abs(z - 1)", 1, 0),
    ("max(0.1*z, z)", 0, 0.1), ("max(z, 0.1*z)", 0, 1), ("min(2*z, z)", 0, 2),
    ("max(z**2, z)", 0, 0), ("max(z**2, z)", 1, 2), ("min(z, z**2)", 1, 1),
    ("3*max(0, z) + abs(z)", 0, 0), ("relu(z - 2)", 2, 0), ("max(z, z)", 0, 1),
    ("abs(sin(z))", 0, 0), ("max(0, tanh(z))", 0, 0), ("max(z, -z)", 0, 1), ("min(-z, z)", 0, -1),
]


@pytest.mark.parametrize("text,kink,slope", KINKS, ids=[f"{t}@{k}" for t, k, _ in KINKS])
def test_exact_slope_at_every_kink(text, kink, slope):
    f = parse_expression(text)
    assert f.derivative(np.array([float(kink)]))[0] == pytest.approx(slope, abs=1e-15)
    h = 1e-6                     # and the one-sided slopes around it are the finite differences'
    for side in (-1e-3, 1e-3):
        z = np.array([kink + side])
        finite = (f(z + h) - f(z - h)) / (2 * h)
        np.testing.assert_allclose(f.derivative(z), finite, rtol=1e-6, atol=1e-8)


def _random_expression(rng, depth):
    """A random f(z) from the whole vocabulary, with kinks, so they are crossed too."""
    if depth == 0:
        return str(rng.choice(["z", "z", "0.5", "2", "pi", "e"]))
    a, b = _random_expression(rng, depth - 1), _random_expression(rng, depth - 1)
    return str(rng.choice([
        f"tanh({a})", f"sin({a})", f"cos({a})", f"sigmoid({a})", f"softplus({a})", f"exp(-({a})**2)",
        f"sqrt({a}*{a} + 1)", f"log(1 + ({a})**2)", f"abs({a})", f"relu({a})", f"({a}) + ({b})",
        f"({a}) - ({b})", f"({a})*({b})", f"({a})/(1 + ({b})**2)", f"max({a}, {b})", f"min({a}, {b})",
        f"({a})**3", f"sinh({a})/cosh({b})", f"tan({a}/8)"]))


def test_random_expressions_have_finite_difference_derivatives():
    """Property-style: f' by sympy, evaluated by lambdify, equals central differences wherever f
    is smooth (two step sizes agree there); kinks are crossed but not sampled."""
    rng = np.random.default_rng(2024)
    for _ in range(60):
        text = _random_expression(rng, int(rng.integers(1, 4)))
        f = parse_expression(text)
        z = rng.uniform(-2.0, 2.0, 64)
        finite = (f(z + 1e-6) - f(z - 1e-6)) / 2e-6
        coarse = (f(z + 2e-6) - f(z - 2e-6)) / 4e-6
        smooth = np.isfinite(finite) & (np.abs(finite - coarse) <= 1e-6 * (1 + np.abs(finite)))
        assert smooth.sum() >= 48, text
        np.testing.assert_allclose(f.derivative(z)[smooth], finite[smooth], rtol=1e-5, atol=1e-6,
                                   err_msg=text)


def test_readable_derivative_formulas():
    assert parse_expression("tanh(z)").derivative_formula == "1 - tanh(z)**2"
    assert parse_expression("sigmoid(z)").derivative_formula == "(1 - sigmoid(z))*sigmoid(z)"
    assert parse_expression("max(0, z)").derivative_formula == "step(z)"
    assert parse_expression("min(0, z)").derivative_formula == "step(-z)"
    assert parse_expression("max(z, 0)").derivative_formula == "where(z >= 0, 1, 0)"   # tie: 1
    assert parse_expression("max(0.1*z, z)").derivative_formula == "9*step(z)/10 + 1/10"
    assert parse_expression("abs(z)").derivative_formula == "sign(z)"
    assert parse_expression("z*z").derivative_formula == "2*z"
    assert parse_expression("z**3/3").derivative_formula == "z**2"
    assert parse_expression("exp(-z**2)").derivative_formula == "-2*z*exp(-z**2)"
    assert parse_expression("z**-1").pretty == "z⁻¹"
    assert parse_expression("sqrt(pi*z)").pretty == "√(π)·√(z)"           # sympy splits the root
    assert parse_expression("1/(1 + exp(-z))").pretty == "1/(1 + exp(−z))"
    assert parse_expression("z**0.3").derivative_formula == "3/(10*z**0.7)"  # our parser reads it back
    assert parse_expression("1/(1 + exp(-z))").formula == "1/(1 + exp(-z))"
    assert parse_expression("(-z)**2 - -2").formula == "z**2 + 2"          # sympy's canonical form


def test_sympy_simplify_cannot_hang_the_caller():
    f = parse_expression("z + sinh((2+z)**3)**3")   # sympy.simplify alone runs for minutes
    start = time.perf_counter()
    formula = f.derivative_formula
    assert time.perf_counter() - start < 5
    z = np.array([-0.3, 0.2])
    np.testing.assert_allclose(parse_expression(formula)(z), f.derivative(z), rtol=1e-9)


def test_shapes_dtype_and_constants():
    z = np.arange(6, dtype=np.int64).reshape(2, 3)
    f = parse_expression("0.5*z")
    assert f(z).shape == (2, 3) and f(z).dtype == np.float64
    c = parse_expression("3 + pi")
    np.testing.assert_allclose(c(z), np.full((2, 3), 3 + np.pi))
    np.testing.assert_array_equal(c.derivative(z), np.zeros((2, 3)))
    assert c.derivative(z).flags.writeable
    assert parse_expression("e").formula == "e"


def test_overflow_and_invalid_values_come_back_without_raising():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(parse_expression("exp(z)")(np.array([1000.0])))[0]
        assert np.isnan(parse_expression("log(z)")(np.array([-1.0])))[0]
        assert np.isinf(parse_expression("1/z")(np.array([0.0])))[0]
        assert np.isnan(parse_expression("(0-1)**0.5")(np.array([0.0])))[0]
        s = parse_expression("sigmoid(z)")
        np.testing.assert_allclose(s(np.array([-1000.0, 0.0, 1000.0])), [0.0, 0.5, 1.0])
        np.testing.assert_allclose(parse_expression("softplus(z)")(np.array([1000.0])), [1000.0])


def test_expression_is_immutable_and_text_is_stripped():
    f = parse_expression("  tanh(z) ")
    assert isinstance(f, Expression) and f.text == "tanh(z)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.text = "z"


def test_every_allowed_function_parses():
    assert set(ALLOWED_FUNCTIONS) >= {"exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sinh",
                                      "cosh", "sigmoid", "relu", "abs", "max", "min"}
    for name in ALLOWED_FUNCTIONS:
        f = parse_expression(f"{name}(z, 1)" if name in ("max", "min") else f"{name}(z)")
        assert f(np.array([0.5])).shape == (1,)


# ------------------------------------------------------------------ refusals
HOSTILE = [
    "__import__('os').system('echo hi')", "().__class__", "z.__class__", "[z for z in ()]",
    "lambda: 1", "9**9**9", "z**1000", "1e309", "10**100", "'a'", "x+1", "open('f')",
    "z if z else 1", "z < 1", "z" * (MAX_LENGTH + 1), "(" * 99 + "z" + ")" * 99, "True", "1j",
    "exp(z, 2)", "exp(z=1)", "*z", "", "z^2", "-" * 60 + "z", "z+" * 60 + "z", "exp(*z)",
    "z[0]", "{}", "f'{z}'", "(y := 1)", "z // 2", "not z", "z and 1", "exp(z)(2)", "z(2)",
    "exp", "z\n+1", "2z", "z²", "__builtins__", "getattr(z, 'real')", "exp(" * 31 + "z" + ")" * 31,
    "z.__class__.__bases__[0].__subclasses__()", "max(z)", "sin.__globals__",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_refused_quickly(text):
    parse_expression("z")       # sympy loads on the first parse; the guard below is about hangs
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert time.perf_counter() - start < 1.0   # a guard against hangs (9**9**9), not a speed target
    message = str(caught.value)
    assert message and "\n" not in message
    column = caught.value.column
    assert column is None or 1 <= column <= len(text) + 1


@pytest.mark.parametrize("text,column,words", [
    ("z + x", 5, "unknown name 'x' at column 5"),
    ("  z + y", 7, "the variable is z"),
    ("__import__('os').system('echo hi')", 1, "'__import__' is not an allowed function"),
    ("open('f')", 1, "allowed: exp, log"),
    ("z.__class__", 2, "attribute"),
    ("z^2", 2, "use ** for powers"),
    ("(z)^2", 4, "**"),
    ("z**1000", 4, "between -16 and 16"),
    ("9**9**9", 4, "exponent"),
    ("10**100", 5, "exponent"),
    ("1e309", 1, "too large"),
    ("z < 1", 3, "max(a, b)"),
    ("z if z else 1", 3, "if"),
    ("exp(z=1)", 5, "keyword"),
    ("exp(z, 2)", 1, "exp takes 1 argument"),
    ("max(z)", 1, "max takes 2 arguments"),
    ("2 + *z", 5, "syntax error at column 5"),
    ("2z", 1, "use * to multiply"),
    ("z²", 2, "**"),
    ("True", 1, "True/False"),
    ("1j", 1, "complex"),
    ("'a'", 1, "text"),
    ("lambda: 1", 1, "lambda"),
    ("(" * 40 + "z" + ")" * 40, 31, "nested"),
    ("-" * 60 + "z", 31, "nested"),
])
def test_refusals_say_what_and_where(text, column, words):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert caught.value.column == column
    assert words in str(caught.value)


def test_whole_text_refusals_have_no_column():
    for text, words in [("", "empty"), ("   ", "empty"),
                        ("z" * 250, "expression is 250 characters; the limit is 200"),
                        ("z+" * 60 + "z", "the limit is 100")]:
        with pytest.raises(ExpressionError, match=words) as caught:
            parse_expression(text)
        assert caught.value.column is None
    assert parse_expression("z" + " " * 300).text == "z"   # the limit is on what was typed


def test_hostile_input_has_no_side_effects(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    imported: list[str] = []
    real_import = builtins.__import__

    def spy(name, *args, **kwargs):
        imported.append(name)
        return real_import(name, *args, **kwargs)

    def forbidden(*args, **kwargs):
        raise AssertionError("the parser ran a command")

    monkeypatch.setattr(os, "system", forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    payloads = ["__import__('os').system('touch pwned')", "open('pwned', 'w').write('x')",
                "exp(__import__('os').system('touch pwned'))", "[open('pwned','w')][0]",
                "(lambda: open('pwned', 'w'))()", "z.__class__.__init__.__globals__['os']"]
    parse_expression("z")       # sympy, loaded by the first parse, imports os itself
    monkeypatch.setattr(builtins, "__import__", spy)
    try:
        for payload in payloads:
            with pytest.raises(ExpressionError):
                parse_expression(payload)
    finally:
        monkeypatch.setattr(builtins, "__import__", real_import)
    assert "os" not in imported and "subprocess" not in imported
    assert not (tmp_path / "pwned").exists()


def test_module_never_runs_text_as_code():
    source = pathlib.Path(expr_module.__file__).read_text(encoding="utf-8")
    source += pathlib.Path(symbolic_module_path()).read_text(encoding="utf-8")
    for word in ["ev" + "al(", "ex" + "ec(", "sym" + "pify(", "parse" + "_expr(", "comp" + "ile(",
                 "lamb" + "dify(text", "lamb" + "dify(source"]:
        assert word not in source       # lambdify only ever sees the sympy object built node by node


def symbolic_module_path() -> str:
    import importlib.util
    return importlib.util.find_spec("chainview.core.symbolic").origin


def test_latex_for_handouts():
    f = parse_expression("sigmoid(z)")
    assert f.latex == r"\sigma\left(z\right)"
    assert f.derivative_latex == r"\left(1 - \sigma\left(z\right)\right) \sigma\left(z\right)"
    assert parse_expression("z**2").derivative_latex == "2 z"
    assert parse_expression("max(0, z)").derivative_latex == r"\mathbf{1}\left[z > 0\right]"  # 0 at 0
    assert parse_expression("max(z, 0)").derivative_latex == r"\mathbf{1}\left[z \geq 0\right]"
    assert parse_expression("abs(z)/2").latex == r"\frac{\left|z\right|}{2}"
    assert parse_expression("exp(-z**2)").derivative_latex == r"- 2 z e^{- z^{2}}"


def test_sympy_loads_only_for_a_typed_expression():
    code = ("import sys, chainview.core, chainview.core.expr, chainview.core.activations as a\n"
            "from chainview.core import evaluate, example_path, load_net\n"
            "evaluate(load_net(example_path('default')))\n"
            "print('sympy' in sys.modules)\n"
            "a.custom_activation('tanh(z)')\n"
            "print('sympy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True"]
