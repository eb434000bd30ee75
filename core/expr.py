"""A safe parser for a custom activation f(z) that a person types, e.g. ``tanh(z)``.

Why it looks like this: the text comes from a user, so no part of it is ever run as Python.
``ast.parse`` only builds a syntax tree; a walk accepts only a WHITELIST of node kinds (numbers,
``z``, ``pi``, ``e``, ``+ - * / **``, unary minus and calls of ALLOWED_FUNCTIONS by name) and
builds the sympy object node by node from them (core/symbolic.py). Anything else (attributes,
subscripts, lambdas, comprehensions, comparisons, strings, other names, keywords, ``*args``, ...)
is refused with an ExpressionError whose one-line message says what is wrong and how to fix it,
and whose ``column`` is 1-based. Size caps (length, brackets, node count, depth, numbers,
exponents) keep parsing and evaluating from hanging or building huge numbers.

sympy then differentiates, simplifies (under a time budget) and prints (text, unicode, LaTeX);
numpy evaluates through lambdify of that vetted object. sympy is imported on the first parse only:
nets without a typed f(z) never load it. Kinks: relu'(0) = abs'(0) = 0, and max/min take the
first argument's slope at a tie (see core/symbolic.py).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property
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

_ARITY = {"exp": 1, "log": 1, "sqrt": 1, "sin": 1, "cos": 1, "tan": 1, "tanh": 1, "sinh": 1,
          "cosh": 1, "sigmoid": 1, "relu": 1, "softplus": 1, "abs": 1, "max": 2, "min": 2}
ALLOWED_FUNCTIONS: tuple[str, ...] = tuple(_ARITY)
_CONSTANTS = ("pi", "e")
_ALLOWED_TEXT = ", ".join(ALLOWED_FUNCTIONS)


def _symbolic():
    from chainview.core import symbolic   # sympy loads here, on the first typed f(z) only
    return symbolic


@dataclass(frozen=True)
class Expression:
    """A parsed activation f(z): call it for f(z), `.derivative` for f'(z)."""

    text: str
    tree: object = field(repr=False)      # the sympy object built from the vetted syntax tree

    @cached_property
    def derivative_tree(self):
        return self.tree.diff(_symbolic().Z)

    @cached_property
    def _shown_derivative(self):          # simplified once, for the three printed forms
        return _symbolic().simplest(self.derivative_tree)

    @cached_property
    def formula(self) -> str:
        return _symbolic().text(self.tree)

    @cached_property
    def pretty(self) -> str:
        return _symbolic().unicode(self.tree)

    @cached_property
    def latex(self) -> str:
        return _symbolic().latex(self.tree)

    @cached_property
    def derivative_formula(self) -> str:
        return _symbolic().text(self._shown_derivative)

    @cached_property
    def derivative_pretty(self) -> str:
        return _symbolic().unicode(self._shown_derivative)

    @cached_property
    def derivative_latex(self) -> str:
        return _symbolic().latex(self._shown_derivative)

    @cached_property
    def _f(self):
        return _symbolic().numpy_function(self.tree)

    @cached_property
    def _df(self):
        return _symbolic().numpy_function(self.derivative_tree)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return _values(self._f, z)

    def derivative(self, z: np.ndarray) -> np.ndarray:
        return _values(self._df, z)


def _values(function, z) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.array(np.broadcast_to(function(z), z.shape), dtype=np.float64)


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
    return Expression(source, _Builder(source, lead).build(tree.body, 1))


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
    """Builds sympy from a whitelisted Python syntax tree, node by node; refuses everything else."""

    def __init__(self, source: str, lead: int):
        self.encoded, self.lead = source.encode("utf-8"), lead

    @cached_property
    def sym(self):                        # on the first node built: a refusal never loads sympy
        return _symbolic()

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

    def build(self, node: ast.AST, depth: int):
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
            return self.sym.number(float(value))
        if isinstance(node, ast.Name):
            if node.id == "z":
                return self.sym.Z
            if node.id in _CONSTANTS:
                return self.sym.CONSTANTS[node.id]
            if node.id in _ARITY:
                self.fail(f"'{node.id}' is a function @: call it, e.g. {node.id}(z)", at)
            self.fail(f"unknown name '{node.id}' @: the variable is z (constants: pi, e)", at)
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand, depth + 1)
            if isinstance(node.op, ast.USub):
                return self.sym.apply("neg", [operand])
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
                return self.sym.apply("**", [left, self.exponent(node.right)])
            return self.sym.apply(symbol, [left, self.build(node.right, depth + 1)])
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

    def exponent(self, node: ast.AST):
        sign, inner = 1.0, node
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            sign, inner = (-1.0 if isinstance(node.op, ast.USub) else 1.0), node.operand
        if (isinstance(inner, ast.Constant) and type(inner.value) in (int, float)
                and abs(inner.value) <= MAX_EXPONENT):
            return self.sym.number(sign * float(inner.value))
        self.fail(f"the exponent @ must be a number between -{MAX_EXPONENT} and {MAX_EXPONENT}, "
                  "e.g. z**2; for e**z write exp(z)", self.column(node.col_offset))

    def call(self, node: ast.Call, at: int, depth: int):
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
        return self.sym.apply(name, [self.build(arg, depth + 1) for arg in node.args])
