"""What every inspector page is: a `Page` builds one card's contents for the session's state.

A page is asked `shows(selection)` by the inspector (gui/inspector/panel.py keeps the list and asks
in order) and then `build(layout, selection)` fills a fresh layout. A page never listens to the session and
never keeps widgets between builds: the inspector rebuilds it when what it depends on changes. The
building blocks below (labels, headings, matrix views, the fused softmax box, the gradient check's
line) are shared by every page, so each page's module holds only what it says.
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from chainview.core import fused_output_gradient
from chainview.core.nodes import z_id

from .matrix_model import format_number
from .matrix_view import MatrixView
from .text import entry_labels
from .widgets import Card, FlowLayout, scaled_font, set_text_color


class Page:
    """One kind of content of an inspector card; subclasses say when they apply and build it."""

    def __init__(self, inspector):
        self.inspector = inspector

    @property
    def session(self):
        return self.inspector.session

    @property
    def theme(self):
        return self.inspector.theme

    def shows(self, selection) -> bool:
        """Whether this page is the one for `selection` (the first page that says yes is built)."""
        return False

    def build(self, lay: QVBoxLayout, selection) -> None:
        raise NotImplementedError

    # ---------------------------------------------------------------- building blocks
    def font(self, scale: float = 1.0, bold: bool = False) -> QFont:
        return scaled_font(self.inspector.font(), scale, bold)

    def label(self, text: str, *, scale: float = 1.0, bold: bool = False, color: QColor | None = None,
              wrap: bool = True, name: str = "") -> QLabel:
        lab = QLabel()            # the text last: each setter before it would lay the rich text out again
        lab.setTextFormat(Qt.TextFormat.RichText)
        lab.setWordWrap(wrap)
        lab.setFont(self.font(scale, bold))
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if color is not None:
            set_text_color(lab, color)
        if name:
            lab.setObjectName(name)
        lab.setText(text)
        return lab

    def heading(self, text: str, color: QColor | None = None) -> QLabel:
        return self.label(text, scale=1.45, bold=True, color=color, name="heading")

    def subheading(self, text: str, color: QColor | None = None) -> QLabel:
        return self.label(text, scale=1.15, bold=True, color=color, name="subheading")

    def muted(self, text: str) -> QLabel:
        return self.label(text, color=self.theme.muted, name="muted")

    def view(self, *, accent: QColor | None = None, compact: bool = False, max_rows: int = 16) -> MatrixView:
        """A new matrix view, in the inspector's theme and digits; the inspector keeps it in `views`."""
        v = MatrixView(theme=self.theme, precision=self.inspector.precision(), compact=compact, max_rows=max_rows)
        v.setFont(self.font())  # explicit: a widget built before it has a parent does not always inherit it
        if accent is not None:
            v.set_accent(accent)
        self.inspector.views.append(v)
        return v

    def token(self, text: str) -> QLabel:
        """A symbol between matrices (·, =, +, →) that keeps to the line of what follows it."""
        lab = QLabel(text)
        lab.setFont(self.font(2.2 if text == "·" else 1.5, True))
        set_text_color(lab, self.theme.muted)
        lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lab.setProperty("flowGlue", True)
        return lab

    def batch(self) -> int:
        return self.session.net.batch

    def not_yet(self, what: str, phase: str, node: str) -> str:
        """'what: not computed yet. It is computed at step k' (or not in this pass at all)."""
        k = next((s.index + 1 for s in self.session.steps if s.phase == phase and s.node == node), None)
        if k is None:
            return f"{what} is not computed in this pass."
        return f"{what}: not computed yet. It is computed at step {k} — press → to get there."

    # ---------------------------------------------------------------- shared sections
    def fused_box(self, lay: QVBoxLayout) -> None:
        """softmax + nllm: the shortcut dL/dZ^L = A^L − Y beside the two-step chain, and whether they agree."""
        s, t = self.session, self.theme
        fused = fused_output_gradient(s.evaluation)
        if fused is None:
            return
        shortcut, chain = fused
        L = s.net.L
        box = Card(self.theme, fill=t.background, border=t.grad)
        box.setObjectName("fusedBox")
        col = QVBoxLayout(box)
        col.setContentsMargins(12, 10, 12, 12)
        col.setSpacing(6)
        col.addWidget(self.subheading("Fused shortcut (softmax + nllm)", t.grad))
        col.addWidget(self.label(f"dL/dZ<sup>{L}</sup> = A<sup>{L}</sup> − Y", scale=1.25))
        col.addWidget(self.muted(f"The two-step chain dA<sup>{L}</sup>/dZ<sup>{L}</sup> · dL/dA<sup>{L}</sup> "
                                 f"(softmax's full Jacobian times −Y/A) collapses to A − Y; the course's "
                                 f"homework code uses this."))
        row = QWidget()
        row.setFont(self.font())
        flow = FlowLayout(row, spacing=10)
        flow.setContentsMargins(0, 0, 0, 0)
        rows, cols = entry_labels(z_id(L), shortcut.shape)
        a = self.view(compact=True, accent=t.grad)
        a.set_matrix(shortcut, rows, cols, title=f"A<sup>{L}</sup> − Y (shortcut)")
        c = self.view(compact=True, accent=t.grad)
        c.set_matrix(chain, rows, cols, title="two-step chain")
        flow.addWidget(a)
        flow.addWidget(self.token("="))
        flow.addWidget(c)
        col.addWidget(row)
        with np.errstate(invalid="ignore"):
            diff = float(np.max(np.abs(shortcut - chain))) if shortcut.size else 0.0
        agree = diff <= 1e-9 * max(1.0, float(np.max(np.abs(chain))) if chain.size else 1.0)
        verdict = "They agree" if agree else "They differ"
        col.addWidget(self.label(f"{verdict}: max |difference| = {format_number(diff, 2)}",
                                 color=t.ok if agree else t.bad, bold=True))
        self.inspector.fused_views = (a, c)
        self.inspector.fused_difference = diff
        lay.addWidget(box)

    def check_line(self, lay: QVBoxLayout, key) -> None:
        """The gradient check's verdict on a node or an edge (key), when a check was run."""
        report = self.session.check_report
        if report is None:
            return
        res = report.edges.get(key) if isinstance(key, tuple) else report.nodes.get(key)
        if res is None:
            return
        t = self.theme
        text = (f"{'✓' if res.ok else '✗'} finite-difference check: max relative error "
                f"{format_number(res.max_error, 2)} over {res.checked} entries")
        if res.note:
            text += f" — {html.escape(res.note)}"
        lay.addWidget(self.label(text, color=t.ok if res.ok else t.bad))
