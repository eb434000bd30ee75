"""The inspector page for a selected node: what it is, its dims, its value and its gradient (when known).

A W^l shows node-shaped in both layouts (each dL/dW entry where its weight is); any other gradient is a
column in denominator layout and a row in numerator layout. Z^L of softmax + nllm adds the fused shortcut.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QVBoxLayout

from chainview.core import dims_text, node_dims, node_symbol, pretty, split_id
from chainview.core.nodes import z_id

from .matrix_model import pretty_label
from .page import Page
from .text import entry_labels, node_words, rich_symbol


def node_describe(node: str, grad: bool):
    """What entry (i, j) of a W^l value (or its gradient) is, for its tooltip; None for other nodes."""
    kind, l = split_id(node)
    if kind == "W":
        sym = pretty(f"W^{l}")
        if grad:
            return lambda i, j: f"dL / d{sym}{pretty_label(f'_{i + 1}{j + 1}')}"
        return lambda i, j: f"{sym}{pretty_label(f'_{i + 1}{j + 1}')}"
    return None


def node_labels(node: str, shape: tuple[int, int], grad: bool = False):
    """Row and column labels of a node's value (or gradient) matrix, node-shaped: a column is named
    for what it is (Z¹ or dL/dZ¹), a batch's columns for their examples."""
    rows, cols = entry_labels(node, shape)
    if split_id(node)[0] != "W" and shape[1] == 1:
        sym = pretty(node_symbol(node))
        cols = [f"dL/d{sym}" if grad else sym]
    return rows, cols


class NodePage(Page):
    """A node of the graph (its id, e.g. 'Z1')."""

    def shows(self, selection) -> bool:
        return isinstance(selection, str)

    def build(self, lay: QVBoxLayout, node: str) -> None:
        s, ev, t = self.session, self.session.evaluation, self.theme
        net = s.net
        L, b = net.L, net.batch
        kind, l = split_id(node)
        color = t.kinds.get(kind, t.text)
        lay.addWidget(self.heading(f"{rich_symbol(node)} <span style='font-weight:normal; color:{t.muted.name()}'>"
                                   f"· {node_words(node, L)}</span>", color))
        value = ev.values[node]
        dims = node_dims(node, L, b)
        lay.addWidget(self.label(pretty(dims_text(dims, value.shape)), scale=1.1))
        if b > 1 and kind not in ("W", "W0", "L"):
            lay.addWidget(self.muted(f"A batch of b = {b} examples: column k is example k. "
                                     f"The edges' Jacobians use example {s.example + 1}."))
        problem = ev.problems.get(node)
        if problem:
            lay.addWidget(self.label("⚠ " + html.escape(problem), color=t.bad))

        # value
        lay.addWidget(self.subheading(f"Value {rich_symbol(node)}", t.kinds.get(kind, t.value)))
        if node in s.known_values():
            given = {"A0": "given: the input X", "Y": "given: the target (data)"}.get(node)
            if given is None and kind in ("W", "W0"):
                given = "a parameter: given, and learned by gradient descent"
            if given:
                lay.addWidget(self.muted(given))
            v = self.view()
            rows, cols = node_labels(node, value.shape)
            v.set_matrix(value, rows, cols, title="", dims=dims, describe=node_describe(node, False))
            v.set_caption_visible(False)
            self.inspector.value_view = v
            lay.addWidget(v)
        else:
            lay.addWidget(self.muted(self.not_yet(f"{rich_symbol(node)}", "forward", node)))

        # gradient
        lay.addWidget(self.subheading(f"Gradient dL/d{rich_symbol(node)}", t.grad))
        if node == "L":
            lay.addWidget(self.muted("dL/dL = 1: this is where the backward pass starts."))
        elif node == "Y":
            lay.addWidget(self.muted("Y is data: nothing is learned from it, so the backward pass does not "
                                     "compute dL/dY (the edge Y → L shows how L would move with it)."))
        elif node in s.known_grads():
            grad = ev.grads[node]
            numerator = s.layout == "numerator"
            v = self.view(accent=t.grad)
            if kind == "W":
                rows, cols = node_labels(node, grad.shape, grad=True)
                v.set_matrix(grad, rows, cols, dims=dims, describe=node_describe(node, True))
                note = (f"Same shape as {rich_symbol(node)} (m<sup>{l}</sup> × n<sup>{l}</sup>): entry (i, j) is "
                        f"dL/dW<sup>{l}</sup><sub>ij</sub>.")
                if numerator:
                    note = (f"Shown node-shaped (m<sup>{l}</sup> × n<sup>{l}</sup>, like {rich_symbol(node)}), so "
                            f"each entry sits where its weight does; numerator layout writes dL/d{rich_symbol(node)} "
                            f"as the transpose (n<sup>{l}</sup> × m<sup>{l}</sup>), as the step below does.")
                if b > 1:
                    note += f" Summed over the b = {b} examples."
                lay.addWidget(self.muted(note))
            else:
                rows, cols = node_labels(node, grad.shape, grad=True)
                gdims = dims
                if numerator:  # a gradient is a row in numerator layout
                    grad, rows, cols, gdims = grad.T, cols, rows, (dims[1], dims[0])
                v.set_matrix(grad, rows, cols, dims=gdims)
                if kind == "W0" and b > 1:
                    lay.addWidget(self.muted(f"Summed over the b = {b} examples."))
                if numerator:
                    lay.addWidget(self.muted("Numerator layout: the gradient of a scalar is a row."))
            v.set_caption_visible(False)
            self.inspector.grad_view = v
            lay.addWidget(v)
            if node == z_id(L):
                self.fused_box(lay)
        else:
            lay.addWidget(self.muted(self.not_yet(f"dL/d{rich_symbol(node)}", "backward", node)))
        self.check_line(lay, node)
        for provide in self.inspector.line_providers:
            for text, ok in provide(node):
                lay.addWidget(self.label(html.escape(text), color=self.theme.ok if ok else self.theme.bad))
