"""The inspector page for a selected edge: its Jacobian with row/column headers, symbol, dims and why it
looks the way it does; W -> Z also offers the full 3-index tensor dZ/dW, one slice per output unit."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QSizePolicy, QVBoxLayout

from chainview.core import dims_text, edge_list, pretty, split_id
from chainview.core.nodes import a_id, w_id, z_id

from .matrix_model import pretty_label
from .page import Page
from .text import entry_labels, label_stem, rich_symbol, rich_text

JACOBIAN_KIND_WORDS = {"dense": "full matrix", "diagonal": "diagonal", "identity": "identity",
                       "shorthand": "shorthand for a 3-index object"}
TENSOR_LIST_LIMIT = 6      # up to this many slices are listed; more go in a combo box


def missing_inputs(session, v: str) -> list[str]:
    """Nodes whose values an edge into v uses (the inputs of v) and that are not known yet."""
    known = session.known_values()
    return [u for u, w in edge_list(session.net) if w == v and u not in known]   # the shape's graph: no rebuild


def layout_text(J) -> str:
    """Which way round the Jacobian is written: rows and columns named, entry (i, j) as a derivative."""
    if J.kind == "shorthand":
        return ("The course's shorthand: one column standing for n slices of a 3-index object "
                "(open the full tensor below).")

    def side(labels, index, what):
        if len(labels) == 1:
            sym = pretty_label(labels[0])
            return sym, f"its one {what} ↔ {sym}"
        sym = pretty_label(label_stem(labels[0]) + f"_{index}")
        return sym, f"{what} {index} ↔ {sym}"

    r, rtext = side(J.row_labels, "i", "row")
    c, ctext = side(J.col_labels, "j", "column")
    if J.layout == "numerator":
        return (f"Numerator layout (the transpose of 6.390's): {rtext}, {ctext}; "
                f"entry (i, j) = d{r} / d{c}.")
    return f"Denominator layout (6.390): {rtext}, {ctext}; entry (i, j) = d{c} / d{r}."


class EdgePage(Page):
    """An edge of the graph (a (source, target) pair, e.g. ('Z1', 'A1')); the tensor's open/closed state and
    chosen slice live on the inspector (reset when the selection changes)."""

    def shows(self, selection) -> bool:
        return isinstance(selection, tuple)

    def build(self, lay: QVBoxLayout, edge: tuple[str, str]) -> None:
        u, v = edge
        s, t = self.session, self.theme
        J = s.jacobian(u, v)
        b = self.batch()
        lay.addWidget(self.heading(f"{rich_symbol(u)} → {rich_symbol(v)} <span style='font-weight:normal; "
                                   f"color:{t.muted.name()}'>· edge</span>"))
        symbol = rich_text(J.symbol)
        deriv = f"d{rich_symbol(v)}/d{rich_symbol(u)}"
        if J.layout == "numerator":
            deriv = f"({deriv})<sup>T</sup>"
        eq = deriv if J.symbol.startswith("dL/") or J.symbol.startswith("(dL/") else f"{deriv} = {symbol}"
        lay.addWidget(self.label(eq, scale=1.3))
        lay.addWidget(self.label(f"{pretty(dims_text(J.dims, J.shape))} · "
                                 f"{JACOBIAN_KIND_WORDS.get(J.kind, J.kind)}", scale=1.1))
        lay.addWidget(self.muted(layout_text(J)))
        if b > 1:
            lay.addWidget(self.muted(f"Example {s.example + 1} of {b} (column {s.example + 1} of the batch)."))

        needs = missing_inputs(s, v)
        if needs:
            first = needs[0]
            lay.addWidget(self.muted(f"Its numbers need {', '.join(rich_symbol(n) for n in needs)}. "
                                     + self.not_yet(rich_symbol(first), "forward", first)))
        else:
            view = self.view()
            view.set_jacobian(J, title="")
            view.set_caption_visible(False)
            self.inspector.jacobian_view = view
            lay.addWidget(view)

        why = self.label(rich_text(J.explanation))
        lay.addWidget(why)

        if J.kind == "shorthand" and not needs:
            self._tensor_section(lay, J)
        L = s.net.L
        if (u, v) == (z_id(L), a_id(L)) and z_id(L) in s.known_grads():
            self.fused_box(lay)
        self.check_line(lay, (u, v))

    def _tensor_section(self, lay: QVBoxLayout, J) -> None:
        t = self.theme
        _, l = split_id(J.target)
        n = self.session.net.n(l)  # slices; the tensor itself is built only when shown
        btn = QPushButton(("Hide" if self.inspector.show_tensor else "Show") + " full tensor dZ/dW")
        btn.setFont(self.font(1.0))
        btn.setCheckable(True)
        btn.setChecked(self.inspector.show_tensor)
        btn.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        btn.toggled.connect(self._toggle_tensor)
        self.inspector.tensor_button = btn
        lay.addWidget(btn)
        if not self.inspector.show_tensor:
            return
        from chainview.core.budget import over_budget, tensor_estimate, tensor_slice   # when the tensor is opened
        m = self.session.net.m(l)
        why = over_budget(tensor_estimate(m, n, f"the full tensor {pretty(f'dZ^{l}/dW^{l}')} ({n} × {m} × {n} floats)"))
        if why:
            lay.addWidget(self.muted(f"{why[:1].upper()}{why[1:]}: here is one output unit's slice at a time instead."))
        lay.addWidget(self.muted(
            f"dZ<sup>{l}</sup>/dW<sup>{l}</sup> has n<sup>{l}</sup> = {n} slices, one per unit k: slice k is "
            f"dz<sup>{l}</sup><sub>k</sub>/dW<sup>{l}</sup>, shaped like W<sup>{l}</sup>"
            + (f" (transposed here: numerator layout)" if J.layout == "numerator" else "")
            + f". Only its {'row' if J.layout == 'numerator' else 'column'} k is non-zero, and it is "
            f"A<sup>{l - 1}</sup>: z<sub>k</sub> only sees column k of W."))
        m_rows, z_cols = entry_labels(w_id(l), (m, n))     # each slice is shaped like W^l
        rows, cols = (m_rows, z_cols) if J.layout != "numerator" else (z_cols, m_rows)
        sdims = (f"m^{l}", f"n^{l}") if J.layout != "numerator" else (f"n^{l}", f"m^{l}")

        def slice_view(k):
            view = self.view(compact=True)
            zk = pretty_label(f"z^{l}_{k + 1}")
            w = pretty(f"W^{l}")
            # one slice from the shorthand: the n·m·n tensor is made only for a few slices (listed below)
            piece = J.tensor()[k] if n <= TENSOR_LIST_LIMIT and not why else tensor_slice(J, n, k)
            view.set_matrix(piece, rows, cols, title=f"slice {k + 1}: d{zk} / d{w}", dims=sdims,
                            describe=lambda i, j, zk=zk, w=w: f"d{zk} / d{w}{pretty_label(f'_{i + 1}{j + 1}')}")
            self.inspector.tensor_views.append(view)
            return view

        if n <= TENSOR_LIST_LIMIT and not why:
            for k in range(n):
                lay.addWidget(slice_view(k))
        else:
            from PySide6.QtWidgets import QComboBox   # only for the tensor's slices (start-up time)
            combo = QComboBox()
            combo.setFont(self.font(1.0))
            for k in range(n):
                combo.addItem(f"slice {k + 1}: d{pretty_label(f'z^{l}_{k + 1}')} / d{pretty(f'W^{l}')}")
            self.inspector.tensor_slice = min(self.inspector.tensor_slice, n - 1)
            combo.setCurrentIndex(self.inspector.tensor_slice)
            combo.currentIndexChanged.connect(self._choose_slice)
            self.inspector.tensor_combo = combo
            lay.addWidget(combo)
            lay.addWidget(slice_view(self.inspector.tensor_slice))

    def _toggle_tensor(self, on: bool) -> None:
        self.inspector.show_tensor = bool(on)
        self.inspector.refresh()

    def _choose_slice(self, k: int) -> None:
        self.inspector.tensor_slice = k
        self.inspector.refresh()
