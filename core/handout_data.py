"""The handout's content as plain data (what core.handout collects and its writers lay out).

Matrix, StepBlock, EdgeBlock and Handout, with the few words every format prints the same way
(number_text, shape_algebra, edge_words). core.handout_html and core.handout_text read these;
core.handout, above all three, collects them from a session and picks the writer by the suffix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .symbols import number_text as _number_text
from .symbols import pretty

BIG = 12                     # past this many rows or columns a matrix shows its corners
CORNER = 5                   # rows / columns kept from each corner
DEFAULT_DIGITS = 4
MAX_DIGITS = 17


def number_text(x, digits: int = DEFAULT_DIGITS) -> str:
    """As the app's tables show it: core.symbols.number_text at the handout's default digits."""
    return _number_text(x, digits)


@dataclass
class Matrix:
    ref: str                          # unique in the handout: "step-7-result", "edge-Z1-A1", "given-W1"
    title: str                        # plain symbol, e.g. "dL/dW^2"
    array: np.ndarray
    digits: int = DEFAULT_DIGITS

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.array.shape)

    @property
    def big(self) -> bool:
        return self.array.shape[0] > BIG or self.array.shape[1] > BIG

    def cells(self) -> list[list[str | None]]:
        """Rows of number texts; a big matrix keeps its corners, None marks the ⋯ row or column."""
        a = self.array
        rows = _keep(a.shape[0]) if a.shape[0] > BIG else list(range(a.shape[0]))
        cols = _keep(a.shape[1]) if a.shape[1] > BIG else list(range(a.shape[1]))
        return [[None if (i is None or j is None) else number_text(a[i, j], self.digits) for j in cols]
                for i in rows]

    def csv(self) -> str:
        return "\n".join(",".join(repr(float(x)) for x in row) for row in self.array.tolist()) + "\n"


def _keep(n: int) -> list[int | None]:
    return list(range(CORNER)) + [None] + list(range(n - CORNER, n))


@dataclass
class StepBlock:
    index: int
    phase: str
    title: str                       # plain: "dL/dW^2"
    equation: str
    shapes: str                      # "(3x1)(1x2) -> (3x2)"
    note: str
    operands: list[Matrix]
    joiners: tuple[str, ...]
    result: Matrix                   # as the step card shows it (a batch's backward A/Z: the chosen example)
    full: Matrix | None              # every example of a batch, when the result shows one
    explanation: str                 # the shape algebra in a sentence (core.predict.explain)
    user_note: str = ""              # a TA's annotation (the net file's "notes")
    arrow: str = "="                 # between operands and result: "=", "->" (a list), "f^l" (an activation)


@dataclass
class EdgeBlock:
    source: str
    target: str
    name: str                        # "dA^1/dZ^1"
    symbol: str                      # "diag(f'(Z^1))"
    dims: str                        # "n^1 x n^1 = 3 x 3"
    kind: str
    reason: str
    matrix: Matrix


@dataclass
class Handout:
    title: str
    description: str
    layout: str
    example: int
    batch: int
    digits: int
    predict: bool
    layers: list[tuple[str, str, str, str]]        # (l, units, activation, f(z))
    loss: tuple[str, str]                          # (name, formula)
    givens: list[Matrix]
    steps: list[StepBlock]
    edges: list[EdgeBlock]
    check_ok: bool
    check_rows: list[tuple[str, bool, str, str]]   # (what, ok, max rel error, note)
    loss_value: str
    problems: list[str] = field(default_factory=list)


def edge_words(e: EdgeBlock) -> str:
    return pretty(e.name)


def shape_algebra(s: StepBlock, predict: bool) -> str:
    """A step's shape algebra as the handout prints it, '(3 × 1)(1 × 2) → (3 × 2)'; a worksheet hides the result."""
    text = s.shapes.replace("x", " × ").replace("->", "→")
    return text.rsplit("→", 1)[0] + "→ ?" if predict else text
