"""The inspector's words: engine text as Qt rich text and back, node names, entry labels.

Pure string functions (no widgets), shared by the inspector's pages and by gui/teaching.
"""

from __future__ import annotations

import html
import re

from chainview.core import node_symbol, rich, split_id

KIND_WORDS = {"A": "activation", "Z": "pre-activation", "W": "weights", "W0": "offsets",
              "Y": "target", "L": "loss"}


def rich_text(text: str) -> str:
    """Plain engine text to Qt rich text: ^ -> superscript, _i -> subscript, <-> -> ↔, ** -> power."""
    text = text.replace("<->", "↔").replace("**", "^").replace(" - ", " − ")
    text = re.sub(r"(?<=\w)\*(?=\w)", "·", text)
    out = rich(text)
    out = re.sub(r"_([0-9A-Za-z]+)", r"<sub>\1</sub>", out)
    return out


def shapes_text(shapes: str) -> str:
    """'(3x3)(3x1) -> (3x1)' -> '(3×3)(3×1) → (3×1)'."""
    return re.sub(r"(\d+)x(\d+)", r"\1×\2", shapes).replace("->", "→")


_SUP = str.maketrans("0123456789+-−=()TLijklmnb", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵀᴸⁱʲᵏˡᵐⁿᵇ")
_SUB = str.maketrans("0123456789+-=()aeijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")


WORD_JOINER = "\u2060"


def no_break(text: str) -> str:
    """Wrap an equation between its terms, never inside dL/dA (Qt would break after the slash)."""
    return text.replace("/", "/" + WORD_JOINER)


def plain(text: str) -> str:
    """Rich text as plain unicode (superscripts and subscripts kept): 'Z<sup>1</sup>' -> 'Z¹'."""
    text = re.sub(r"<sup>(.*?)</sup>", lambda m: re.sub(r"<[^>]+>", "", m.group(1)).translate(_SUP), text)
    text = re.sub(r"<sub>(.*?)</sub>", lambda m: re.sub(r"<[^>]+>", "", m.group(1)).translate(_SUB), text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace(WORD_JOINER, "")


def node_words(node: str, L: int) -> str:
    kind, l = split_id(node)
    if node == "A0":
        return "input"
    if kind == "A" and l == L:
        return "activation (the output)"
    return KIND_WORDS.get(kind, kind)


def rich_symbol(node: str) -> str:
    """Rich symbol of a node: 'Z1' -> 'Z<sup>1</sup>'."""
    return rich(node_symbol(node))


def label_stem(label: str) -> str:
    return label.rsplit("_", 1)[0] if "_" in label else label


def entry_labels(node: str, shape) -> tuple[list[str] | None, list[str] | None]:
    """Row and column labels of a node's matrix (None: no labels): W^l's rows a^(l-1)_i and columns z^l_j;
    otherwise its units down (a^l_i, z^l_i, w0^l_i, y_i) and, for a batch, its examples across."""
    kind, l = split_id(node)
    if kind == "W":
        return [f"a^{l - 1}_{i + 1}" for i in range(shape[0])], [f"z^{l}_{j + 1}" for j in range(shape[1])]
    prefix = {"A": f"a^{l}", "Z": f"z^{l}", "W0": f"w0^{l}", "Y": "y"}.get(kind)
    rows = [f"{prefix}_{i + 1}" for i in range(shape[0])] if prefix else None
    cols = [f"ex {k + 1}" for k in range(shape[1])] if shape[1] > 1 and kind not in ("W0", "L") else None
    return rows, cols
