"""The selection card's pages without numbers: nothing is selected, or the selection is the result
gui/teaching hides until it is predicted."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QVBoxLayout

from chainview.core import pretty

from .page import Page


class NothingSelectedPage(Page):
    """No node or edge is selected: say how to select one."""

    def shows(self, selection) -> bool:
        return selection is None

    def build(self, lay: QVBoxLayout, selection) -> None:
        lay.addWidget(self.subheading("Nothing selected"))
        lay.addWidget(self.muted("Click a node or an edge in the graph (or press . and , to walk "
                                 "through them) to see its numbers, its gradient or its Jacobian here."))


class PredictFirstPage(Page):
    """The selection is the current step's node and its result is hidden until predicted."""

    def shows(self, selection) -> bool:
        return self.inspector.hidden_selection()

    def build(self, lay: QVBoxLayout, selection) -> None:
        cur = self.session.current
        lay.addWidget(self.heading(html.escape(pretty(cur.title)) + " = ?"))
        lay.addWidget(self.muted("Predict it first: answer the question above, then it shows here."))
