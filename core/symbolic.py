"""sympy's side of a typed activation: our functions, the printers and numpy's names for them.

core/expr.py vets the typed text and calls `apply` once per syntax node, so the sympy object is
built node by node from whitelisted pieces and never from text. This module imports sympy at the
top, so only the first typed f(z) pays for loading it (~0.3 s); expr.py imports it lazily.

Kink conventions (the course's, kept exactly): relu'(0) = 0 and max(0, z)' = Heaviside(z, 0);
abs'(0) = sign(0) = 0; at a tie of max(a, b) or min(a, b) the slope is the FIRST argument's.
sympy's own Abs/Max/Min would lose these (Max sorts its arguments), hence our small classes.
"""

from __future__ import annotations

import inspect
import math
import operator
import sys
import time
from fractions import Fraction
from functools import lru_cache
from itertools import islice

import numpy as np
import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from .stable_math import sigmoid as _sigmoid   # the built-in sigmoid's overflow-free numpy

Z = sp.Symbol("z", real=True)
CONSTANTS = {"pi": sp.pi, "e": sp.E}
SIMPLIFY_MAX_NODES = 40     # sympy.simplify is only tried on derivatives this small
SIMPLIFY_SECONDS = 0.5      # ... and only for this long; then sympy's plain derivative is shown


def _heaviside(u, at_zero):
    """Heaviside(u, at_zero): [u > 0], or [u >= 0] when at_zero is 1 (np.heaviside is 8x slower)."""
    return (np.greater_equal(u, 0) if at_zero else np.greater(u, 0)).astype(np.float64)


# what lambdify calls for each function name the printers write
NUMPY = {"sigmoid": _sigmoid, "softplus": lambda u: np.logaddexp(0.0, u),
         "relu": lambda u: np.maximum(u, 0.0), "abs": np.abs, "max": np.maximum, "min": np.minimum,
         "Heaviside": _heaviside}


def _function(name: str, nargs: int, slopes, latex: str, closed):
    """A sympy function `name` whose partial derivatives are `slopes(*args)` (one per argument);
    `closed(*args)` is its value in sympy's own terms, used when every argument is a number."""
    def fdiff(self, argindex=1):
        return slopes(*self.args)[argindex - 1]

    def _latex(self, printer):
        return latex.format(*(printer._print(arg) for arg in self.args))

    return type(name, (sp.Function,), {"nargs": nargs, "fdiff": fdiff, "_latex": _latex,
                                       "closed_form": staticmethod(closed)})


H = sp.Heaviside


def _tie_step(d, at_zero):
    """Heaviside(d, at_zero) with d's numeric factor taken out and [-x >= 0] written 1 - [x > 0],
    so max(0.1*z, z)' reads 9*step(z)/10 + 1/10 and min(0, z)' reads step(-z)."""
    factor, rest = d.as_coeff_Mul()
    if factor.is_positive:
        return H(rest, at_zero)
    if factor.is_negative:
        return 1 - H(rest, 0) if at_zero else H(-rest, 0)
    return H(d, at_zero)


sigmoid = _function("sigmoid", 1, lambda u: (sigmoid(u) * (1 - sigmoid(u)),),
                    r"\sigma\left({}\right)", lambda u: 1 / (1 + sp.exp(-u)))
softplus = _function("softplus", 1, lambda u: (sigmoid(u),),
                     r"\operatorname{{softplus}}\left({}\right)", lambda u: sp.log(1 + sp.exp(u)))
relu = _function("relu", 1, lambda u: (H(u, 0),), r"\operatorname{{relu}}\left({}\right)",
                 lambda u: sp.Max(0, u))
absolute = _function("abs", 1, lambda u: (sp.sign(u),), r"\left|{}\right|", sp.Abs)
maximum = _function("max", 2, lambda a, b: (_tie_step(a - b, 1), _tie_step(b - a, 0)),
                    r"\max\left({}, {}\right)", sp.Max)
minimum = _function("min", 2, lambda a, b: (_tie_step(b - a, 1), _tie_step(a - b, 0)),
                    r"\min\left({}, {}\right)", sp.Min)

_SYMPY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
          "**": operator.pow, "neg": operator.neg, "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt,
          "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "tanh": sp.tanh, "sinh": sp.sinh,
          "cosh": sp.cosh, "sigmoid": sigmoid, "softplus": softplus, "relu": relu,
          "abs": absolute, "max": maximum, "min": minimum}
_FLOAT = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power,
          "neg": np.negative, **{name: getattr(np, name) for name in
                                 ("exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sinh", "cosh")},
          **NUMPY}


def number(value: float) -> sp.Expr:
    """A typed number, exact when it is a short decimal (0.5 -> 1/2), so sympy prints z/2."""
    exact = Fraction(repr(value))
    if exact.denominator > 10**6:
        return sp.Float(value)
    return sp.Rational(exact.numerator, exact.denominator)


def apply(name: str, args: list) -> sp.Expr:
    """`name` ("+", "neg", "exp", "max", ...) applied to sympy objects, as numpy would on reals.

    Numbers are combined in floats first: what numpy finds infinite or undefined becomes oo or
    nan (so 9e5**16**... never builds a huge integer), and anything sympy finds complex, like
    log(-1), becomes nan, as numpy's value is."""
    if all(arg.is_number for arg in args):
        with np.errstate(all="ignore"):
            value = float(_FLOAT[name](*(float(arg) for arg in args)))
        if not math.isfinite(value):
            return sp.nan if math.isnan(value) else sp.oo if value > 0 else -sp.oo
        if name == "**" and not 1e-300 < abs(value) < 1e300:
            return sp.Float(value)
        node = getattr(_SYMPY[name], "closed_form", _SYMPY[name])(*args)
    else:
        node = _SYMPY[name](*args)
    return sp.nan if node.has(sp.I, sp.zoo) else node


# ------------------------------------------------------------------ printing
class _Text(StrPrinter):
    """Python-like text that core/expr.py reads back (abs, e, decimal exponents), plus step()."""

    def _print_Exp1(self, expr):
        return "e"

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Heaviside(self, expr):
        u = self._print(expr.args[0])
        return f"step({u})" if expr.args[1] == 0 else f"where({u} >= 0, 1, 0)"

    def _print_Pow(self, expr, rational=False):
        power = expr.exp
        if power.is_Rational and power.q not in (1, 2):          # z**(3/10) -> z**0.3
            shown = repr(float(power))
            base = self.parenthesize(expr.base, PRECEDENCE["Pow"], strict=False)
            return f"{base}**{shown}" if power > 0 else f"{base}**({shown})"
        return super()._print_Pow(expr, rational)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class _Unicode(_Text):
    """One line for a label: z², 2·z, √(z), π, −."""

    def _print_Pi(self, expr):
        return "π"

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_Integer and (expr.exp > 0 or expr.base.is_Atom):     # z⁻¹, but 1/(1 + z)
            base = self.parenthesize(expr.base, PRECEDENCE["Pow"], strict=False)
            return base + str(expr.exp).translate(_SUPERSCRIPT)
        if expr.exp is sp.S.Half:
            return f"√({self._print(expr.base)})"
        if expr.exp is -sp.S.Half:
            return f"1/√({self._print(expr.base)})"
        return super()._print_Pow(expr, rational)


class _Latex(LatexPrinter):
    """sympy's LaTeX, with the kink convention visible: step(z) is 1[z > 0]."""

    def _print_Heaviside(self, expr, exp=None):
        relation = ">" if expr.args[1] == 0 else r"\geq"
        return rf"\mathbf{{1}}\left[{self._print(expr.args[0])} {relation} 0\right]"


def text(expr: sp.Expr) -> str:
    return _Text().doprint(expr)


def unicode(expr: sp.Expr) -> str:
    shown = _Unicode().doprint(expr)
    return shown.replace("**", "^").replace("*", "·").replace("-", "−").replace(">=", "≥")


def latex(expr: sp.Expr) -> str:
    return _Latex().doprint(expr)


def numpy_function(expr: sp.Expr):
    """A numpy function of z for the vetted sympy object (common subexpressions computed once)."""
    # numpy as a module, not "numpy": that would run `from numpy import *`, which needs
    # numpy.testing, and the bundle leaves it out
    return sp.lambdify(Z, expr, modules=[NUMPY, np], cse=True)


# ------------------------------------------------------------------ simplifying under a budget
class _OutOfTime(BaseException):
    """Raised inside sympy when its time is up (BaseException: `except Exception` can't eat it)."""


_RESUMABLE = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def _within(seconds: float, work):
    """work() with a wall-clock budget: a trace function checks the clock on every Python call
    and raises _OutOfTime. sympy.simplify can run for minutes even on a tiny tree
    (z + sinh((2+z)**3)**3 is 21 characters), so a node count alone is not a guard."""
    deadline = time.perf_counter() + seconds

    def tracer(frame, event, arg):
        # only in sympy's own code, and not in generator frames: an exception raised in a
        # finalizer, a weakref callback or importlib would be printed and swallowed there
        if (time.perf_counter() > deadline and not frame.f_code.co_flags & _RESUMABLE
                and str(frame.f_globals.get("__name__", "")).startswith("sympy")):
            raise _OutOfTime
        return None                      # no per-line tracing: cheap

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        return work()
    finally:
        sys.settrace(previous)


def _functions(expr: sp.Expr) -> set:
    return {type(f) for f in expr.atoms(sp.Function)}


@lru_cache(maxsize=256)
def simplest(expr: sp.Expr) -> sp.Expr:
    """sympy.simplify(expr) when it prints shorter, uses no new function (1 - tanh(z)**2 reads
    better than cosh(z)**(-2)) and agrees numerically, kinks included; else expr."""
    if sum(1 for _ in islice(sp.preorder_traversal(expr), SIMPLIFY_MAX_NODES + 1)) > SIMPLIFY_MAX_NODES:
        return expr
    try:
        candidate = _within(SIMPLIFY_SECONDS, lambda: sp.simplify(expr))
        if len(text(candidate)) >= len(text(expr)) or not _functions(candidate) <= _functions(expr):
            return expr
        points = np.array([-2.3, -0.7, 0.0, 0.4, 1.1, 2.9])
        with np.errstate(all="ignore"):
            same = np.allclose(numpy_function(candidate)(points), numpy_function(expr)(points),
                               rtol=1e-9, atol=1e-12, equal_nan=True)
        return candidate if same else expr
    except (Exception, _OutOfTime):      # any sympy trouble: its plain derivative is always right
        return expr
