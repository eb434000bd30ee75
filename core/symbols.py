"""Symbols for nodes and dimensions, as the course writes them (Z^1, W0^2, m^1 x n^1)."""

from __future__ import annotations

import math
import re
from functools import lru_cache

_ID = re.compile(r"^(A|Z|W0_|W)(\d+)$")


@lru_cache(maxsize=4096)  # a regex and an int() (~5 µs): ~30 calls a step on a 50-layer net, 7% of a trace
def split_id(node: str) -> tuple[str, int | None]:
    """'W0_2' -> ('W0', 2), 'Z1' -> ('Z', 1), 'Y' -> ('Y', None)."""
    m = _ID.match(node)
    if not m:
        return node, None
    kind = m.group(1).rstrip("_")
    return kind, int(m.group(2))


def node_symbol(node: str) -> str:
    """'Z1' -> 'Z^1', 'W0_2' -> 'W0^2', 'L' -> 'L'."""
    kind, l = split_id(node)
    return kind if l is None else f"{kind}^{l}"


def node_dims(node: str, L: int, batch: int) -> tuple[str, str]:
    """A node's shape in symbols: rows and columns (b for a batch, 1 for one example)."""
    kind, l = split_id(node)
    cols = "b" if batch > 1 else "1"
    if kind == "A":
        return (f"m^1" if l == 0 else f"n^{l}"), cols
    if kind == "Z":
        return f"n^{l}", cols
    if kind == "W":
        return f"m^{l}", f"n^{l}"
    if kind == "W0":
        return f"n^{l}", "1"
    if kind == "Y":
        return f"n^{L}", cols
    return "1", "1"


def dims_text(dims: tuple[str, str], shape: tuple[int, int] | None = None) -> str:
    """('n^1', 'n^1'), (3, 3) -> 'n^1 x n^1 = 3 x 3'."""
    text = f"{dims[0]} x {dims[1]}"
    return text if shape is None else f"{text} = {shape[0]} x {shape[1]}"


def shape_text(shape) -> str:
    """An array's shape as text shows it: (3, 2) -> '3 × 2', (4,) -> 'a 1-D array of 4', () -> 'a single number'."""
    if len(shape) == 0:
        return "a single number"
    if len(shape) == 1:
        return f"a 1-D array of {shape[0]}"
    return " × ".join(str(d) for d in shape)


_SUP = str.maketrans("0123456789-TL", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀᴸ")
_SUB = str.maketrans("0123456789ijk", "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖ")


_SUBSCRIPT = re.compile(r"(?<=[A-Za-zΣ])_([0-9ijk])\b")
_SUP_GROUP = re.compile(r"\^\(([^)]*)\)")
_SUP_PLAIN = re.compile(r"\^([0-9TL]+)")
_SUP_WORD = re.compile(r"\^([0-9A-Za-z]+)")


@lru_cache(maxsize=4096)  # the same few hundred symbols are drawn again at every step and repaint
def pretty(symbol: str) -> str:
    """Plain symbol to unicode for a terminal: 'W0^2' -> 'W0²', 'm^1 x n^1' -> 'm¹ × n¹', 'Σ_k' -> 'Σₖ'."""
    out = _SUBSCRIPT.sub(lambda m: m.group(1).translate(_SUB), symbol)
    out = _SUP_GROUP.sub(lambda m: m.group(1).translate(_SUP), out)
    out = _SUP_PLAIN.sub(lambda m: m.group(1).translate(_SUP), out)
    return out.replace(" x ", " × ")


@lru_cache(maxsize=4096)
def rich(symbol: str) -> str:
    """Plain symbol to Qt rich text: 'W0^2' -> 'W0<sup>2</sup>'."""
    out = symbol.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _SUP_GROUP.sub(r"<sup>\1</sup>", out)
    out = _SUP_WORD.sub(r"<sup>\1</sup>", out)
    return out.replace(" x ", " × ")


def number_text(x, digits: int = 4) -> str:
    """A number as every table shows it (the app's matrices, the handout): `digits` significant, a real
    minus sign, -0 as 0, NaN and ±∞ spelled out."""
    v = float(x)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    return f"{v:.{max(1, int(digits))}g}".replace("-", "−")
