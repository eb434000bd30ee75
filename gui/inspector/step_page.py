"""The inspector page for the current step: its equation, shape algebra, note, and the product with the
actual numbers (a fork's terms one row each); with softmax + nllm, the fused shortcut dL/dZ^L = A^L − Y
beside the two-step chain, unless the selection's page already shows it.

gui/teaching can hide the step's result (and its Jacobian operands) as "?" until it is predicted
(inspector.conceal, inspector.conceal_jacobians) and add a TA's note (inspector.decorate_step).
"""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtWidgets import QVBoxLayout, QWidget

from chainview.core import Jacobian, Operand, pretty, rich, split_id
from chainview.core.nodes import a_id, z_id

from .matrix_view import use_table
from .page import Page
from .text import entry_labels, no_break, shapes_text
from .widgets import FlowLayout
from ..theme import operand_color
from ..numbering import step_tag, step_words


def fused_above(session) -> bool:
    """Whether the selection's page already shows the fused shortcut (then the step's page does not)."""
    L = session.net.L
    return session.selection in (z_id(L), (z_id(L), a_id(L))) and z_id(L) in session.known_grads()


class StepPage(Page):
    """The session's current step (or, before the first, what the first will compute)."""

    def shows(self, selection) -> bool:
        return True

    def build(self, lay: QVBoxLayout, selection=None) -> None:
        s, t = self.session, self.theme
        steps = s.steps
        step = s.current
        if step is None:
            lay.addWidget(self.label(f"Step 0 of {len(steps)}", scale=1.15, bold=True, color=t.muted))
            nxt = steps[0] if steps else None
            lay.addWidget(self.muted("Nothing is computed yet." + (" Press → to compute" if nxt else "")))
            if nxt is not None:
                lay.addWidget(self.label(no_break(html.escape(pretty(nxt.equation))), scale=1.2))
            return
        phase_color = t.value if step.phase == "forward" else t.grad
        phase, where = step_words(step.index, s.forward_length, len(steps))     # as the chips and toolbar count
        lay.addWidget(self.label(
            f"<span style='color:{phase_color.name()}'>{step_tag(step.index, s.forward_length)} · {phase}</span>"
            f" {where}", scale=1.15, bold=True, color=t.muted))
        lay.addWidget(self.label(no_break(html.escape(pretty(step.equation))), scale=1.35, bold=True))
        hidden = self.inspector.concealed(step)
        shapes = step.shapes.rsplit("->", 1)[0] + "-> ?" if hidden else step.shapes
        lay.addWidget(self.label(f"shapes: {shapes_text(shapes)}", scale=1.1))
        if step.note and not hidden:
            lay.addWidget(self.muted(html.escape(pretty(step.note))))
        if self.inspector.decorate_step is not None:
            self.inspector.decorate_step(lay, step)
        self._step_numbers(lay, step)
        if hidden:              # the fused shortcut would show the result
            return
        L = s.net.L
        if step.phase == "backward" and step.node == z_id(L) and not fused_above(self.session):
            self.fused_box(lay)

    # Each operand says where its numbers are (core.steps.Operand: kind, ref, transposed) and
    # which shape the step uses: a declared column (n x 1) of a batch quantity (n x b) is the
    # chosen example's column.
    def _operand(self, op):
        """(array, row labels, column labels) for a step's operand, before fitting to its shape."""
        s, ev = self.session, self.session.evaluation
        if op.kind == "jacobian":
            J = s.jacobian(*op.ref)
            # a heatmap-sized one stays a Jacobian: its view reads it in blocks (a 2048-unit softmax's
            # 32 MB matrix is never made to be drawn)
            arr = J if not op.transposed and not use_table(J.shape) else J.dense()
            rows, cols = list(J.row_labels), list(J.col_labels)
        else:
            arr = (ev.grads if op.kind == "grad" else ev.values)[op.ref]
            rows, cols = entry_labels(op.ref, arr.shape)
        if op.transposed:
            arr, rows, cols = arr.T, cols, rows
        return arr, rows, cols

    def _fit(self, arr, rows, cols, shape):
        """The part of arr the step uses: all of it, or the chosen example's column (row) of a batch."""
        c, b = self.session.example, self.batch()
        shape = tuple(shape)
        if arr.shape == shape:
            return arr, rows, cols
        if shape[1] == 1 and arr.shape == (shape[0], b):
            return arr[:, c:c + 1], rows, None
        if shape[0] == 1 and arr.shape == (b, shape[1]):
            return arr[c:c + 1, :], None, cols
        raise ValueError(f"{arr.shape} does not fit {shape}")

    def _step_items(self, step):
        """("m", title, array, rows, cols, accent) for a matrix, ("t", text) for a symbol between them;
        the result last, as ("r", ...)."""
        s, t = self.session, self.theme
        b = self.batch()
        kind, l = split_id(step.node)
        G = t.grad
        backward = step.phase == "backward"
        joiners = [j.strip() for j in step.joiners]
        summed = kind == "W0" and backward and b > 1  # dL/dW0 adds the batch's columns: show them all
        items = []
        for k, op in enumerate(step.operands):
            arr, rows, cols = self._operand(op)
            if not summed:
                arr, rows, cols = self._fit(arr, rows, cols, op.shape)
            accent = operand_color(t, op.kind)     # the colour the canvas lights this factor in
            items.append(("m", rich(op.name), arr, rows, cols, accent))
            if k < len(joiners):
                items.append(("t", {"": "·", "+": "+", ",": ","}.get(joiners[k], joiners[k] or "·")))
        if step.phase == "forward" and kind == "A":
            items.append(("t", f"f{pretty(f'^{l}')} →"))
        elif summed:
            items.append(("t", "Σ over the batch →"))
        elif "," in joiners:
            items.append(("t", "→"))
        else:
            items.append(("t", "="))
        res_shape = step.result_shape
        value = np.asarray(step.value)
        rows = cols = None
        if step.node != "L":   # labels for the result, transposed as the step shows it
            result = Operand("", res_shape, "grad" if backward else "value", step.node,
                             backward and s.layout == "numerator")
            _, rows, cols = self._operand(result)
            if (len(rows) if rows else value.shape[0]) != value.shape[0] or \
                    (len(cols) if cols else value.shape[1]) != value.shape[1]:
                rows = cols = None
        value, rows, cols = self._fit(value, rows, cols, res_shape)
        title = rich(step.title)      # one name for it: the equation's (in numerator layout it is n x m)
        items.append(("r", title, value, rows, cols, G if backward else None))
        return items

    def _concealed_items(self, step, items: list) -> list:
        """The step's items with what waits for a prediction as "?": the result, and (while gui/teaching asks
        "diagonal or full?") its Jacobian operands; one item for one, so positions stay."""
        if not self.inspector.concealed(step):
            return items
        out, ops = [], iter(step.operands)
        for item in items:
            op = next(ops, None) if item[0] == "m" else None
            if item[0] == "r":
                item = ("t", "?")
            elif op is not None and op.kind == "jacobian" and self.inspector.conceal_jacobians:
                item = ("t", f"{pretty(op.name)} = ?")
            out.append(item)
        return out

    def _step_numbers(self, lay: QVBoxLayout, step) -> None:
        s = self.session
        items = self._concealed_items(step, self._step_items(step))
        b = s.net.batch
        if step.phase == "backward" and b > 1 and split_id(step.node)[0] not in ("W", "W0"):
            lay.addWidget(self.muted(f"With numbers, for example {s.example + 1} of {b}:"))
        else:
            lay.addWidget(self.muted("With numbers:"))
        for group in self._fork_rows(step, items) if step.terms else [items]:
            self._flow_row(lay, group)

    def _fork_rows(self, step, items) -> list:
        """A fork's step: each term on its own row (its operands = its numbers), then a row with the sum."""
        rows = []
        for i, term in enumerate(step.terms, start=1):
            group = items[2 * term.start: 2 * term.stop - 1]
            value, _, _ = self._fit(np.asarray(term.value), None, None, step.result_shape)
            group += [("t", "="), ("m", rich(f"term {i}"), value, None, None, self.theme.grad)]
            rows.append(group)
        # short whatever the number of terms: a token does not wrap, and a long one widened the whole inspector
        rows.append([("t", "sum of the terms ="), items[-1]])
        return rows

    def _flow_row(self, lay: QVBoxLayout, items) -> None:
        row = QWidget()
        row.setFont(self.font())
        flow = FlowLayout(row, spacing=8)
        flow.setContentsMargins(0, 0, 0, 0)
        for item in items:
            if item[0] == "t":
                flow.addWidget(self.token(item[1]))
                continue
            kind, title, arr, rows, cols, accent = item
            view = self.view(compact=True, accent=accent, max_rows=12)
            if isinstance(arr, Jacobian):
                view.set_jacobian(arr, title=title)
            else:
                try:
                    view.set_matrix(arr, rows, cols, title=title)
                except ValueError:  # labels that do not fit: the numbers matter more
                    view.set_matrix(arr, None, None, title=title)
            self.inspector.step_views.append(view)
            if kind == "r":
                self.inspector.step_result_view = view
            flow.addWidget(view)
        lay.addWidget(row)
