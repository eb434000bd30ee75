"""A safe parser for a custom activation f(z) that a person types, e.g. ``tanh(z)``.

Why it looks like this: the text comes from a user, so no part of it is ever run as
Python. ``ast.parse`` only builds a syntax tree; a walk then copies that tree into our
own small immutable node classes and accepts only a WHITELIST of node kinds (numbers,
``z``, ``pi``, ``e``, ``+ - * / **``, unary minus and calls of ALLOWED_FUNCTIONS by
name). Anything else (attributes, subscripts, lambdas, comprehensions, comparisons,
strings, other names, keywords, ``*args``, ...) is refused with an ExpressionError whose
one-line message says what is wrong and how to fix it, and whose ``column`` is 1-based.
Size caps (length, brackets, node count, depth, numbers, exponents) are checked so that
parsing and evaluating can never hang or build huge integers.

Values come from numpy on our tree; f'(z) comes from symbolic differentiation of the same
tree (light simplification while building), printed by our own printer. If sympy is
installed, `derivative_formula` may use sympy.simplify on a sympy object BUILT node by node
from our tree (never from text), under a size cap and a wall-clock budget. Conventions at
kinks: abs'(0) = 0, relu'(0) = 0, and at a tie of max(a, b) or min(a, b) the derivative is
that of the FIRST argument, so max(0, z) has derivative 0 at z = 0, like relu.
"""

from __future__ import annotations

import ast
import inspect
import math
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, lru_cache
from typing import NoReturn

import numpy as np

from chainview.core.errors import ExpressionError

__all__ = ["MAX_LENGTH", "ALLOWED_FUNCTIONS", "Expression", "parse_expression"]

MAX_LENGTH = 200        # characters, checked before anything is parsed
MAX_BRACKETS = 30       # nesting of ( [ {, checked before anything is parsed
MAX_NODES = 100         # expression nodes in the parsed tree
MAX_DEPTH = 30          # levels of the parsed tree (z alone is 1)
MAX_CONSTANT = 1e6      # |number| typed by the user
MAX_EXPONENT = 16       # |n| in u**n; n must be a plain number
_SYMPY_MAX_NODES = 40   # sympy.simplify is only tried on derivatives this small
_SYMPY_SECONDS = 0.5    # ... and only for this long; then our own formula is shown

_ARITY = {"exp": 1, "log": 1, "sqrt": 1, "sin": 1, "cos": 1, "tan": 1, "tanh": 1, "sinh": 1,
          "cosh": 1, "sigmoid": 1, "relu": 1, "softplus": 1, "abs": 1, "max": 2, "min": 2}
ALLOWED_FUNCTIONS: tuple[str, ...] = tuple(_ARITY)
_CONSTANTS = {"pi": math.pi, "e": math.e}
_ALLOWED_TEXT = ", ".join(ALLOWED_FUNCTIONS)


# --------------------------------------------------------------------------- tree
class Node:
    """Base of the immutable expression tree (structural equality and hashing)."""


@dataclass(frozen=True)
class Const(Node):
    value: float
    name: str | None = None        # "pi" or "e" when typed by name


@dataclass(frozen=True)
class Var(Node):
    pass


@dataclass(frozen=True)
class Neg(Node):
    arg: Node


@dataclass(frozen=True)
class Bin(Node):
    op: str                        # one of + - * / **
    left: Node
    right: Node


@dataclass(frozen=True)
class Func(Node):
    name: str                      # ALLOWED_FUNCTIONS, plus "step" and "sign" in derivatives
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Where(Node):
    """``then if a OP b else other`` with OP ">=" (from max) or "<=" (from min)."""
    op: str
    a: Node
    b: Node
    then: Node
    other: Node


ZERO, ONE, TWO, Z = Const(0.0), Const(1.0), Const(2.0), Var()


# ----------------------------------------------------------- numeric evaluation
def _sigmoid(u):
    t = np.exp(-np.abs(u))                       # never overflows
    return np.where(u >= 0, 1.0 / (1.0 + t), t / (1.0 + t))


_NUMPY = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
          "tan": np.tan, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "abs": np.abs,
          "sigmoid": _sigmoid, "relu": lambda u: np.maximum(u, 0.0),
          "softplus": lambda u: np.logaddexp(0.0, u), "max": np.maximum, "min": np.minimum,
          "step": lambda u: np.where(u > 0, 1.0, 0.0), "sign": np.sign}
_BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power}


def _numeric(node: Node, z: np.ndarray):
    """Value of `node` at `z` with numpy (scalars stay numpy scalars; caller broadcasts)."""
    if isinstance(node, Const):
        return np.float64(node.value)
    if isinstance(node, Var):
        return z
    if isinstance(node, Neg):
        return np.negative(_numeric(node.arg, z))
    if isinstance(node, Bin):
        return _BINARY[node.op](_numeric(node.left, z), _numeric(node.right, z))
    if isinstance(node, Func):
        return _NUMPY[node.name](*(_numeric(arg, z) for arg in node.args))
    if isinstance(node, Where):
        a, b = _numeric(node.a, z), _numeric(node.b, z)
        chosen = (a >= b) if node.op == ">=" else (a <= b)
        return np.where(chosen, _numeric(node.then, z), _numeric(node.other, z))
    raise TypeError(f"not an expression node: {node!r}")


# ------------------------------------------- building with light simplification
def _is(node: Node, value: float) -> bool:
    return isinstance(node, Const) and node.name is None and node.value == value


def _fold(op: str, a: Node, b: Node) -> Node | None:
    """Const op Const as one Const when both are plain numbers and the result is small."""
    if not (isinstance(a, Const) and isinstance(b, Const) and a.name is None and b.name is None):
        return None
    x, y = a.value, b.value
    try:
        value = {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y,
                 "/": lambda: x / y, "**": lambda: x ** y}[op]()
    except (ArithmeticError, ValueError):
        return None
    if not (isinstance(value, float) and math.isfinite(value) and abs(value) <= MAX_CONSTANT):
        return None
    if len(_number(value)) > len(_number(x)) + len(op) + len(_number(y)):
        return None                                      # keep 1/3 rather than 0.3333333333333333
    return Const(value)


def _negative(node: Node) -> bool:
    """Neg(...), a negative number, or a product led by one (-2*z)."""
    return isinstance(node, Neg) or _split(node)[0] < 0


def _neg(a: Node) -> Node:
    if isinstance(a, Neg):
        return a.arg
    number, rest = _split(a)
    return Neg(a) if rest is a else _scaled(-number, rest)


def _add(a: Node, b: Node) -> Node:
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
    if _negative(b) and _fold("+", a, b) is None:
        return _sub(a, _neg(b))
    if a == b:
        return _mul(TWO, a)
    return _fold("+", a, b) or Bin("+", a, b)


def _sub(a: Node, b: Node) -> Node:
    if _is(b, 0):
        return a
    if _is(a, 0):
        return _neg(b)
    if _negative(b) and _fold("-", a, b) is None:
        return _add(a, _neg(b))
    if a == b:
        return ZERO
    return _fold("-", a, b) or Bin("-", a, b)


def _split(node: Node) -> tuple[float, Node | None]:
    """(number, rest) with node == number*rest; rest is None for a plain number."""
    if isinstance(node, Const) and node.name is None:
        return node.value, None
    if isinstance(node, Bin) and node.op == "*" and _split(node.left)[1] is None:
        return node.left.value, node.right
    return 1.0, node


def _scaled(number: float, rest: Node | None) -> Node:
    if rest is None:
        return Const(number)
    if isinstance(rest, Neg):
        return _neg(_scaled(number, rest.arg))
    if number in (1, -1):
        return rest if number == 1 else _neg(rest)
    return Bin("*", Const(number), rest)


def _mul(a: Node, b: Node) -> Node:
    if _is(a, 0) or _is(b, 0):
        return ZERO
    if _is(a, 1) or _is(b, 1):
        return b if _is(a, 1) else a
    if isinstance(a, Neg) or _is(a, -1):
        return _neg(_mul(_neg(a), b))
    if isinstance(b, Neg) or _is(b, -1):
        return _neg(_mul(a, _neg(b)))
    folded = _fold("*", a, b)
    if folded is not None:
        return folded
    if a == b:
        return _pow(a, TWO)
    if isinstance(b, Bin) and b.op == "/":                 # a*(n/d) -> a*n/d
        return _div(_mul(a, b.left), b.right)
    if isinstance(a, Bin) and a.op == "/":
        return _div(_mul(a.left, b), a.right)
    (x, rest_a), (y, rest_b) = _split(a), _split(b)
    if (x != 1 or y != 1) and abs(x * y) <= MAX_CONSTANT:     # numbers to the front: 2*z
        rest = rest_a if rest_b is None else rest_b if rest_a is None else _mul(rest_a, rest_b)
        return _scaled(x * y, rest)
    return Bin("*", a, b)


def _div(a: Node, b: Node) -> Node:
    if _is(a, 0):
        return ZERO
    if _is(b, 1):
        return a
    if isinstance(a, Neg):
        return _neg(_div(a.arg, b))
    if isinstance(b, Neg):
        return _neg(_div(a, b.arg))
    folded = _fold("/", a, b)
    if folded is not None:
        return folded
    (x, rest_a), (y, rest_b) = _split(a), _split(b)
    if y not in (0, 1) and (x / y).is_integer() and abs(x / y) <= MAX_CONSTANT:
        return _div(_scaled(x / y, rest_a), rest_b or ONE)      # 3*z**2/3 -> z**2
    return Bin("/", a, b)


def _pow(a: Node, n: Node) -> Node:
    if _is(n, 1):
        return a
    if _is(n, 0):
        return ONE
    return _fold("**", a, n) or Bin("**", a, n)


def _where(op: str, a: Node, b: Node, then: Node, other: Node) -> Node:
    if then == other:
        return then
    if _is(a, 0) and _is(then, 0):       # max(0, u)' = step(u)*u', min(0, u)' = step(-u)*u'
        return _mul(other, Func("step", (b if op == ">=" else _neg(b),)))
    return Where(op, a, b, then, other)


def _tidy(node: Node) -> Node:
    """The same function rebuilt through the simplifying constructors (2*3*z -> 6*z)."""
    if isinstance(node, Neg):
        return _neg(_tidy(node.arg))
    if isinstance(node, Bin):
        build = {"+": _add, "-": _sub, "*": _mul, "/": _div, "**": _pow}[node.op]
        return build(_tidy(node.left), _tidy(node.right))
    if isinstance(node, Func):
        return Func(node.name, tuple(_tidy(arg) for arg in node.args))
    return node


# ------------------------------------------------------------------ derivative
def _derive(node: Node) -> Node:
    """d node / dz, exact, as a new (lightly simplified) tree."""
    if isinstance(node, Const):
        return ZERO
    if isinstance(node, Var):
        return ONE
    if isinstance(node, Neg):
        return _neg(_derive(node.arg))
    if isinstance(node, Where):          # only in derivatives; piecewise constant there
        return _where(node.op, node.a, node.b, _derive(node.then), _derive(node.other))
    if isinstance(node, Bin):
        u, v = node.left, node.right
        du = _derive(u)
        if node.op == "**":              # the exponent is always a plain number
            return _mul(_mul(v, _pow(u, _sub(v, ONE))), du)
        dv = _derive(v)
        if node.op == "+":
            return _add(du, dv)
        if node.op == "-":
            return _sub(du, dv)
        if node.op == "*":
            return _add(_mul(du, v), _mul(u, dv))
        if _is(dv, 0):                   # "/"
            return _div(du, v)
        return _div(_sub(_mul(du, v), _mul(u, dv)), _pow(v, TWO))
    assert isinstance(node, Func), node
    if node.name in ("max", "min"):
        a, b = node.args
        return _where(">=" if node.name == "max" else "<=", a, b, _derive(a), _derive(b))
    (u,) = node.args
    du = _derive(u)
    if _is(du, 0) or node.name in ("step", "sign"):
        return ZERO
    if node.name == "log":
        return _div(du, u)
    if node.name == "sqrt":
        return _div(du, _mul(TWO, node))
    if node.name == "tan":
        return _div(du, _pow(Func("cos", (u,)), TWO))
    outer = {"exp": lambda: node, "sin": lambda: Func("cos", (u,)),
             "cos": lambda: _neg(Func("sin", (u,))), "tanh": lambda: _sub(ONE, _pow(node, TWO)),
             "sinh": lambda: Func("cosh", (u,)), "cosh": lambda: Func("sinh", (u,)),
             "sigmoid": lambda: _mul(node, _sub(ONE, node)),
             "softplus": lambda: Func("sigmoid", (u,)), "relu": lambda: Func("step", (u,)),
             "abs": lambda: Func("sign", (u,))}[node.name]()
    return _mul(du, outer)


# -------------------------------------------------------------------- printing
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _prec(node: Node) -> int:
    if isinstance(node, Bin):
        return _PREC[node.op]
    if isinstance(node, Neg) or (isinstance(node, Const) and node.value < 0):
        return 3                         # unary minus binds looser than ** and tighter than *
    return 5


def _number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _show(node: Node, pretty: bool) -> str:
    """Python-like text with minimal parentheses; `pretty` uses · − superscripts π √."""
    minus = "−" if pretty else "-"

    def wrap(child: Node, parens: bool) -> str:
        text = _show(child, pretty)
        return f"({text})" if parens or text.startswith(minus) else text

    if isinstance(node, Const):
        if node.name:
            return "π" if pretty and node.name == "pi" else node.name
        text = _number(node.value)
        return minus + text[1:] if text.startswith("-") else text
    if isinstance(node, Var):
        return "z"
    if isinstance(node, Neg):
        return minus + wrap(node.arg, _prec(node.arg) < 2)
    if isinstance(node, Func):
        args = ", ".join(_show(arg, pretty) for arg in node.args)
        return f"√({args})" if pretty and node.name == "sqrt" else f"{node.name}({args})"
    if isinstance(node, Where):
        a, b, then, other = (_show(x, pretty) for x in (node.a, node.b, node.then, node.other))
        op = {">=": "≥", "<=": "≤"}[node.op] if pretty else node.op
        return f"where({a} {op} {b}, {then}, {other})"
    p = _PREC[node.op]
    left = _show(node.left, pretty)
    if _prec(node.left) < p or (node.op == "**" and _prec(node.left) <= p):
        left = f"({left})"
    exponent = node.right
    if pretty and node.op == "**" and isinstance(exponent, Const) and exponent.value.is_integer():
        return left + _number(exponent.value).translate(_SUPERSCRIPT)
    same_level_needs_parens = _prec(node.right) == p and node.op in ("-", "/", "**")
    right = wrap(node.right, _prec(node.right) < p or same_level_needs_parens)
    symbol = {"+": " + ", "-": f" {minus} ", "*": "·" if pretty else "*", "/": "/",
              "**": "^" if pretty else "**"}[node.op]
    return left + symbol + right


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Neg):
        return (node.arg,)
    if isinstance(node, Bin):
        return (node.left, node.right)
    if isinstance(node, Func):
        return node.args
    if isinstance(node, Where):
        return (node.a, node.b, node.then, node.other)
    return ()


def _size(node: Node, limit: int) -> int:
    """Number of nodes as printed (shared subtrees count each time), stopping past `limit`."""
    count, stack = 0, [node]
    while stack and count <= limit:
        count += 1
        stack += _children(stack.pop())
    return count


def _function_names(node: Node) -> set[str]:
    names, stack = set(), [node]
    while stack:
        item = stack.pop()
        names |= {item.name} if isinstance(item, Func) else set()
        stack += _children(item)
    return names


def _to_sympy(node: Node, sympy, z):
    """Build a sympy object node by node (never from text); KeyError if sympy lacks a piece."""
    if isinstance(node, Const):
        if node.name:
            return {"pi": sympy.pi, "e": sympy.E}[node.name]
        exact = Fraction(repr(node.value))           # 0.5 -> 1/2, so sympy prints 1/2
        return sympy.Rational(exact.numerator, exact.denominator)
    if isinstance(node, Var):
        return z
    if isinstance(node, Neg):
        return -_to_sympy(node.arg, sympy, z)
    if isinstance(node, Bin):
        a, b = _to_sympy(node.left, sympy, z), _to_sympy(node.right, sympy, z)
        return {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "/": a.__truediv__,
                "**": a.__pow__}[node.op](b)
    if isinstance(node, Func):
        function = {"exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "sin": sympy.sin,
                    "cos": sympy.cos, "tan": sympy.tan, "tanh": sympy.tanh, "sinh": sympy.sinh,
                    "cosh": sympy.cosh}[node.name]
        return function(*(_to_sympy(arg, sympy, z) for arg in node.args))
    raise KeyError(type(node).__name__)


_RESUMABLE = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


class _OutOfTime(BaseException):
    """Raised inside sympy when its time is up (BaseException: `except Exception` can't eat it)."""


def _within(seconds: float, work):
    """work() with a wall-clock budget: a trace function checks the clock on every Python
    call and raises _OutOfTime. sympy.simplify can run for minutes even on a tiny tree
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


@lru_cache(maxsize=256)
def _simplified(tree: Node, fallback: str) -> str:
    """sympy's simplification of `tree`, used only when it is shorter, re-parses with our
    own parser, uses no function that `tree` does not, and agrees numerically."""
    if _size(tree, _SYMPY_MAX_NODES) > _SYMPY_MAX_NODES:
        return fallback
    try:
        import sympy  # slow to import: only here, only when a derivative is shown
        built = _to_sympy(tree, sympy, sympy.Symbol("z", real=True))
        text = str(_within(_SYMPY_SECONDS, lambda: sympy.simplify(built)))
        if len(text) >= len(fallback):
            return fallback
        candidate = parse_expression(text)
        if not _function_names(candidate.tree) <= _function_names(tree):
            return fallback                 # 1 - tanh(z)**2 reads better than cosh(z)**(-2)
        points = np.array([-2.3, -0.7, 0.4, 1.1, 2.9])
        with np.errstate(all="ignore"):
            expected = np.broadcast_to(_numeric(tree, points), points.shape)
        if not np.allclose(candidate(points), expected, rtol=1e-9, atol=1e-12, equal_nan=True):
            return fallback
        return candidate.formula
    except (Exception, _OutOfTime):  # any sympy trouble: our own printer is always right
        return fallback


# ------------------------------------------------------------------ public API
@dataclass(frozen=True)
class Expression:
    """A parsed activation f(z): call it for f(z), `.derivative` for f'(z)."""

    text: str
    tree: Node = field(repr=False)
    derivative_tree: Node = field(repr=False, compare=False)

    @cached_property
    def formula(self) -> str:
        return _show(self.tree, pretty=False)

    @cached_property
    def pretty(self) -> str:
        return _show(self.tree, pretty=True)

    @cached_property
    def derivative_formula(self) -> str:
        return _simplified(self.derivative_tree, _show(self.derivative_tree, pretty=False))

    @cached_property
    def derivative_pretty(self) -> str:
        return _show(self.derivative_tree, pretty=True)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self._values(self.tree, z)

    def derivative(self, z: np.ndarray) -> np.ndarray:
        return self._values(self.derivative_tree, z)

    @staticmethod
    def _values(tree: Node, z) -> np.ndarray:
        z = np.asarray(z, dtype=np.float64)
        with np.errstate(all="ignore"):
            return np.array(np.broadcast_to(_numeric(tree, z), z.shape), dtype=np.float64)


def parse_expression(text: str) -> Expression:
    """Parse a typed activation in z; raises ExpressionError (one line, with a column)."""
    if not isinstance(text, str):
        raise TypeError(f"expression must be a str, not {type(text).__name__}")
    source = text.strip()
    lead = len(text) - len(text.lstrip())
    if not source:
        raise ExpressionError("the expression is empty: type a function of z, e.g. tanh(z) or z**2")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"expression is {len(source)} characters; the limit is {MAX_LENGTH}")
    depth = 0
    for index, char in enumerate(source):
        column = lead + index + 1
        if not char.isprintable() and char != "\t":
            raise ExpressionError(f"character U+{ord(char):04X} at column {column} is not allowed: "
                                  "type the expression on one line", column=column)
        depth += (char in "([{") - (char in ")]}")
        if depth > MAX_BRACKETS:
            raise ExpressionError(f"brackets are nested more than {MAX_BRACKETS} deep at column "
                                  f"{column}: simplify the expression", column=column)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        column = lead + min(max(err.offset or len(source) + 1, 1), len(source) + 1)
        hint = _syntax_hint(source, str(err.msg))
        raise ExpressionError(f"syntax error at column {column}: {err.msg}{hint}",
                              column=column) from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise ExpressionError(f"the expression cannot be read: {err}") from None
    nodes = sum(isinstance(n, (ast.expr, ast.keyword)) for n in ast.walk(tree))
    if nodes > MAX_NODES:
        raise ExpressionError(f"expression has {nodes} parts; the limit is {MAX_NODES}: "
                              "simplify it")
    root = _Builder(source, lead).build(tree.body, 1)
    return Expression(source, root, _derive(_tidy(root)))


def _syntax_hint(source: str, message: str) -> str:
    if "^" in source or any(char in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻" for char in source):
        return "; use ** for powers, e.g. z**2"
    for char, ascii_char in {"·": "*", "×": "*", "÷": "/", "−": "-", "–": "-"}.items():
        if char in source:
            return f"; type {ascii_char} instead of {char}"
    return "; use * to multiply, e.g. 2*z" if "decimal literal" in message else ""


_REFUSED = {
    ast.Attribute: "attribute access is not allowed", ast.Lambda: "lambda is not allowed",
    ast.Subscript: "indexing with [] is not allowed", ast.BoolOp: "'and'/'or' are not allowed",
    ast.ListComp: "comprehensions are not allowed", ast.SetComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.List: "lists are not allowed", ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed", ast.Dict: "dicts are not allowed",
    ast.JoinedStr: "text strings are not allowed", ast.NamedExpr: "':=' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
}
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_PIECEWISE = "; for piecewise functions use max(a, b), min(a, b) or relu(z)"
_GENERIC = "; use numbers, z, pi, e, + - * / ** and functions like exp(z)"


class _Builder:
    """Copies a whitelisted Python syntax tree into our Node tree, refusing everything else."""

    def __init__(self, source: str, lead: int):
        self.encoded, self.lead = source.encode("utf-8"), lead

    def column(self, byte_offset: int) -> int:   # ast offsets are UTF-8 bytes
        return self.lead + len(self.encoded[:byte_offset].decode("utf-8", "ignore")) + 1

    def between(self, left: ast.AST, right: ast.AST) -> int:
        """Column of the operator between two operands (skips spaces and closing brackets)."""
        start, stop = self.column(left.end_col_offset), self.column(right.col_offset)
        text = self.encoded.decode("utf-8")
        for column in range(start, stop):
            if text[column - self.lead - 1] not in " \t)":
                return column
        return start

    def fail(self, message: str, column: int) -> NoReturn:
        """Raise with "@" in `message` replaced by "at column N"."""
        raise ExpressionError(message.replace("@", f"at column {column}"), column=column)

    def build(self, node: ast.AST, depth: int) -> Node:
        at = self.column(getattr(node, "col_offset", 0))
        if depth > MAX_DEPTH:
            self.fail(f"expression is nested more than {MAX_DEPTH} levels deep @: simplify it", at)
        if isinstance(node, ast.Constant):
            value = node.value
            if type(value) not in (int, float):
                kind = {bool: "True/False are", complex: "complex numbers are",
                        str: "text strings are"}.get(type(value), f"{value!r} is")
                self.fail(f"{kind} not allowed @; use real numbers like 0.5", at)
            if abs(value) > MAX_CONSTANT:
                typed = self.encoded[node.col_offset:node.end_col_offset].decode("utf-8", "ignore")
                self.fail(f"the number {typed} @ is too large: numbers must be between "
                          f"-{MAX_CONSTANT:.0f} and {MAX_CONSTANT:.0f}", at)
            return Const(float(value))
        if isinstance(node, ast.Name):
            if node.id == "z":
                return Z
            if node.id in _CONSTANTS:
                return Const(_CONSTANTS[node.id], node.id)
            if node.id in _ARITY:
                self.fail(f"'{node.id}' is a function @: call it, e.g. {node.id}(z)", at)
            self.fail(f"unknown name '{node.id}' @: the variable is z (constants: pi, e)", at)
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand, depth + 1)
            if isinstance(node.op, ast.USub):
                return Neg(operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            word = "not" if isinstance(node.op, ast.Not) else "~"
            self.fail(f"'{word}' is not allowed @{_GENERIC}", at)
        if isinstance(node, ast.BinOp):
            left = self.build(node.left, depth + 1)
            op = self.between(node.left, node.right)
            if isinstance(node.op, ast.BitXor):
                self.fail("'^' is not a power @: use ** for powers, e.g. z**2", op)
            symbol = _OPERATORS.get(type(node.op))
            if symbol is None:
                self.fail("this operator is not allowed @; allowed operators: + - * / **", op)
            if symbol == "**":
                return Bin("**", left, self.exponent(node.right))
            return Bin(symbol, left, self.build(node.right, depth + 1))
        if isinstance(node, ast.Call):
            return self.call(node, at, depth)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            self.build(node.value, depth + 1)                  # report what comes first first
            if isinstance(node, ast.Attribute):
                at = self.column(node.end_col_offset) - len(node.attr) - 1
            self.fail(_REFUSED[type(node)] + f" @{_GENERIC}", at)
        if isinstance(node, ast.Compare):
            self.build(node.left, depth + 1)
            at = self.between(node.left, node.comparators[0])
            self.fail(f"comparisons are not allowed @{_PIECEWISE}", at)
        if isinstance(node, ast.IfExp):
            self.build(node.body, depth + 1)
            at = self.between(node.body, node.test)
            self.fail(f"'if ... else' is not allowed @{_PIECEWISE}", at)
        refused = _REFUSED.get(type(node), f"{type(node).__name__} is not allowed")
        self.fail(f"{refused} @{_GENERIC}", at)

    def exponent(self, node: ast.AST) -> Const:
        sign, inner = 1.0, node
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            sign, inner = (-1.0 if isinstance(node.op, ast.USub) else 1.0), node.operand
        if (isinstance(inner, ast.Constant) and type(inner.value) in (int, float)
                and abs(inner.value) <= MAX_EXPONENT):
            return Const(sign * float(inner.value))
        self.fail(f"the exponent @ must be a number between -{MAX_EXPONENT} and {MAX_EXPONENT}, "
                  "e.g. z**2; for e**z write exp(z)", self.column(node.col_offset))

    def call(self, node: ast.Call, at: int, depth: int) -> Node:
        if not isinstance(node.func, ast.Name):
            self.build(node.func, depth + 1)                   # raises with the precise reason
            self.fail(f"only the allowed functions can be called @; allowed: {_ALLOWED_TEXT}", at)
        name = node.func.id
        if name not in _ARITY:
            if name in _CONSTANTS or name == "z":
                self.fail(f"'{name}' is not a function @: use * to multiply, e.g. {name}*(z + 1)",
                          at)
            self.fail(f"'{name}' is not an allowed function @; allowed: {_ALLOWED_TEXT}", at)
        if node.keywords:
            self.fail(f"keyword arguments are not allowed @: write {name}(z)",
                      self.column(node.keywords[0].col_offset))
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.fail(f"'*' unpacking is not allowed @: write {name}(z)",
                          self.column(arg.col_offset))
        if len(node.args) != _ARITY[name]:
            want = _ARITY[name]
            example = f"{name}(0, z)" if want == 2 else f"{name}(z)"
            self.fail(f"{name} takes {want} argument{'s' * (want > 1)} @, got {len(node.args)}: "
                      f"e.g. {example}", at)
        return Func(name, tuple(self.build(arg, depth + 1) for arg in node.args))
