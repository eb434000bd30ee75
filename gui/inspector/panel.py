"""The inspector: what the selected node or edge is, with its numbers, and what the current step does.

napari style: it listens to the Session (selection_changed, position_changed, layout_changed,
example_changed, net_changed, check_changed) and redraws; it never computes any math itself.
Everything it shows comes from session.jacobian(u, v), session.evaluation (values, grads),
session.known_values() / known_grads(), session.current / steps and fused_output_gradient.

    inspector = Inspector(session, theme)
    inspector.set_precision(6)
    inspector.set_theme(DARK)

Two sections in a scroll area (usable at 1280 x 720):
  * the selection: a node (symbol, kind, dims, value, gradient) or an edge (its Jacobian with
    row/column headers, symbol, dims, why it looks the way it does; W -> Z: the full 3-index tensor),
  * the current step: equation, shape algebra, note and the product with the actual numbers;
    with softmax + nllm, the fused shortcut dL/dZ^L = A^L − Y beside the two-step chain.
"""

from __future__ import annotations

import html
import re

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (QApplication, QFrame, QLabel, QLayout, QPushButton, QScrollArea,
                               QSizePolicy, QVBoxLayout, QWidget)

from chainview.core import Jacobian, Operand, dims_text, fused_output_gradient, node_dims, node_symbol, pretty, rich, split_id
from chainview.core.nodes import a_id, z_id

from chainview.core.budget import over_budget, tensor_estimate, tensor_slice

from .matrix_model import DEFAULT_PRECISION, format_number, pretty_label
from .matrix_view import MatrixView, use_table
from ..bind import Coalescer, follow
from ..theme import Theme, operand_color
from ..window.numbering import step_tag, step_words
from ..theme import palette as theme_palette

KIND_WORDS = {"A": "activation", "Z": "pre-activation", "W": "weights", "W0": "offsets",
              "Y": "target", "L": "loss"}
JACOBIAN_KIND_WORDS = {"dense": "full matrix", "diagonal": "diagonal", "identity": "identity",
                       "shorthand": "shorthand for a 3-index object"}
BASE_SCALE = 1.15         # the inspector's text relative to the application font
TENSOR_LIST_LIMIT = 6      # up to this many slices are listed; more go in a combo box


# ---------------------------------------------------------------- text helpers
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


def _no_break(text: str) -> str:
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


def _sym(node: str) -> str:
    """Rich symbol of a node: 'Z1' -> 'Z<sup>1</sup>'."""
    return rich(node_symbol(node))


def _label_stem(label: str) -> str:
    return label.rsplit("_", 1)[0] if "_" in label else label


# ---------------------------------------------------------------- a wrapping row (matrices with · = + between)
class FlowLayout(QLayout):
    """Items left to right, wrapping to a new row when the width runs out; each row centred vertically."""

    def __init__(self, parent=None, spacing: int = 8):
        super().__init__(parent)
        self._items: list = []
        self._spacing = spacing

    def addItem(self, item):
        self._items.append(item)

    def count(self):
        return len(self._items)

    def itemAt(self, index):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self):
        return True

    def heightForWidth(self, width):
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect):
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def sizeHint(self):
        return self.minimumSize()

    def minimumSize(self):
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _arrange(self, rect: QRect, apply: bool) -> int:
        m = self.contentsMargins()
        r = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        rows, row, x = [], [], 0
        items = self._items
        for k, item in enumerate(items):
            w = item.sizeHint().width()
            need = w
            if _glued(item) and k + 1 < len(items):  # a "·" or "=" starts the line of what follows it
                need += self._spacing + items[k + 1].sizeHint().width()
            if row and x + need > r.width() and not _glued(items[k - 1]):
                rows.append(row)
                row, x = [], 0
            row.append(item)
            x += w + self._spacing
        if row:
            rows.append(row)
        y = r.y()
        for row in rows:
            h = max(self._item_height(it, r.width()) for it in row)
            x = r.x()
            for it in row:
                w = min(it.sizeHint().width(), r.width())
                ih = self._item_height(it, w)
                if apply:
                    it.setGeometry(QRect(QPoint(x, y + (h - ih) // 2), QSize(w, ih)))
                x += w + self._spacing
            y += h + self._spacing
        return y - rect.y() - (self._spacing if rows else 0) + m.bottom()

    @staticmethod
    def _item_height(item, width: int) -> int:
        if item.hasHeightForWidth():
            return item.heightForWidth(width)
        return item.sizeHint().height()


def _card_text(card: QWidget) -> str:
    return "\n".join(plain(lab.text()) for lab in card.findChildren(QLabel)
                     if lab.text() and _not_hidden(lab, card))


def _not_hidden(widget: QWidget, ancestor: QWidget) -> bool:
    """Not hidden on purpose (a caption turned off), up to `ancestor`; a widget only waiting to be shown counts."""
    w = widget
    while w is not None and w is not ancestor:
        if w.isHidden() and w.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
            return False
        w = w.parentWidget()
    return True


def _glued(item) -> bool:
    w = item.widget() if item is not None else None
    return bool(w is not None and w.property("flowGlue"))


# ---------------------------------------------------------------- the inspector
class Inspector(QWidget):
    """Shows the selected node or edge and the current step, with numbers; see the module docstring."""

    def __init__(self, session, theme: Theme, parent=None, *, coalesce: bool = False):
        super().__init__(parent)
        self._session = session
        self._theme = theme
        self.line_providers: list = []   # node -> [(text, ok)]: other tools' verdicts on a node (gui/compare)
        self._precision = DEFAULT_PRECISION
        self._show_tensor = False
        self._tensor_slice = 0
        self._last_selection = object()
        self._built_key = None
        self._step_key = None
        # callable(step) -> bool, or None: gui/teaching hides the step's result as "?" until it is predicted
        self.conceal = None
        # callable(layout, step) -> None, or None: gui/teaching adds a TA's note (and its edit field) to the step card
        self.decorate_step = None
        # while a step's result is hidden, hide its Jacobian operands too (gui/teaching asks "diagonal or full?")
        self.conceal_jacobians = False
        self._reset_refs()
        self._follow_app_font()

        self.scroll = QScrollArea()
        # our own viewport widget: Qt's own reaches Python as a type PySide must look up, which at start-up
        # makes it create the Python enum types of dozens of unrelated widget classes (~6 ms)
        self._viewport = QWidget()
        self.scroll.setViewport(self._viewport)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        content = QWidget()
        content.setObjectName("inspectorContent")
        self._content = content
        col = QVBoxLayout(content)
        col.setContentsMargins(10, 10, 10, 10)
        col.setSpacing(12)
        self.selection_card = self._card("selectionCard")
        self.step_card = self._card("stepCard")
        col.addWidget(self.selection_card)
        col.addWidget(self.step_card)
        col.addStretch(1)
        self.scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll)
        self.setMinimumWidth(320)

        # coalesce (the window's inspector): a burst of changes in one event-loop turn is one refresh, plus
        # one at its end (gui/bind.py); off, every change refreshes at once (a lone inspector, its tests)
        self._refresh_soon = Coalescer(self, self.refresh, enabled=coalesce)
        self._binding = follow(self, (session.selection_changed, self._on_selection_changed),
                               (session.position_changed, self._on_position_changed),
                               (session.layout_changed, self._on_layout_changed),
                               (session.example_changed, self._on_example_changed),
                               (session.net_changed, self._on_net_changed),
                               (session.check_changed, self._on_check_changed))

        self._apply_theme()
        self.refresh()

    # ---------------------------------------------------------------- public API
    @property
    def session(self):
        return self._session

    def set_precision(self, digits: int) -> None:
        self._precision = max(1, min(17, int(digits)))
        for v in self.views:
            v.set_precision(self._precision)

    def precision(self) -> int:
        return self._precision

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._apply_theme()
        self.refresh(force=True)

    def set_font_scale(self, scale: float | None = None) -> None:
        """The application font changed (View ▸ Larger text): follow it, keeping the inspector a bit larger."""
        self._follow_app_font()
        self.refresh(force=True)

    def _follow_app_font(self) -> None:
        base = QFont(QApplication.font())  # the application font, a little larger: this is read from afar
        if base.pointSizeF() > 0:
            base.setPointSizeF(base.pointSizeF() * BASE_SCALE)
        elif base.pixelSize() > 0:
            base.setPixelSize(round(base.pixelSize() * BASE_SCALE))
        self.setFont(base)

    def event(self, event):
        if event.type() == QEvent.Type.ApplicationFontChange:
            self.set_font_scale()
        return super().event(event)

    def detach(self) -> None:
        """Stop listening to the session (done automatically when the widget is destroyed)."""
        self._binding.release()

    def refresh(self, force: bool = False) -> None:
        self._update_selection(force)
        self._update_step(force)

    def insert_card(self, widget: QWidget, index: int = 0) -> None:
        """Put another card (gui/teaching's question) into the inspector's column, at the top by default."""
        self._content.layout().insertWidget(index, widget)

    def _concealed(self, step) -> bool:
        return step is not None and self.conceal is not None and bool(self.conceal(step))

    def _concealed_items(self, step, items: list) -> list:
        """The step's items with what waits for a prediction as "?": the result, and (while gui/teaching asks
        "diagonal or full?") its Jacobian operands; one item for one, so positions stay."""
        if not self._concealed(step):
            return items
        out, ops = [], iter(step.operands)
        for item in items:
            op = next(ops, None) if item[0] == "m" else None
            if item[0] == "r":
                item = ("t", "?")
            elif op is not None and op.kind == "jacobian" and self.conceal_jacobians:
                item = ("t", f"{pretty(op.name)} = ?")
            out.append(item)
        return out

    def _hidden_selection(self) -> bool:
        """The selection is the current step's node and its result is hidden until predicted."""
        cur = self._session.current
        return self._concealed(cur) and self._session.selection == cur.node

    def matrix_views(self) -> list[MatrixView]:
        self._refresh_soon.flush()
        return list(self.views)

    def text(self) -> str:
        """All text on show, plain (for tests and accessibility checks)."""
        self._refresh_soon.flush()
        parts = []
        for lab in self._content.findChildren(QLabel):
            if lab.text() and _not_hidden(lab, self._content):
                parts.append(plain(lab.text()))
        for b in self._content.findChildren(QPushButton):
            parts.append(b.text())
        return "\n".join(parts)

    def selection_text(self) -> str:
        self._refresh_soon.flush()
        return _card_text(self.selection_card)

    def step_text(self) -> str:
        self._refresh_soon.flush()
        return _card_text(self.step_card)

    # ---------------------------------------------------------------- session slots
    def _on_selection_changed(self, selection) -> None:
        self._refresh_soon.request()  # the step section too: it leaves out what the selection already shows
        self.scroll.verticalScrollBar().setValue(0)  # what was just clicked is at the top

    def _on_position_changed(self, old=None, new=None) -> None:
        self._refresh_soon.request()

    def _on_layout_changed(self, layout=None) -> None:
        self._refresh_soon.request()

    def _on_example_changed(self, k=None) -> None:
        self._refresh_soon.request()

    def _on_net_changed(self) -> None:
        self._refresh_soon.request(force=True)

    def _on_check_changed(self, report=None) -> None:
        self._update_selection(force=True)

    # ---------------------------------------------------------------- building blocks
    def _reset_refs(self) -> None:
        self.views: list[MatrixView] = []
        self.value_view: MatrixView | None = None
        self.grad_view: MatrixView | None = None
        self.jacobian_view: MatrixView | None = None
        self.tensor_button: QPushButton | None = None
        self.tensor_combo: QComboBox | None = None
        self.tensor_views: list[MatrixView] = []
        self.fused_views: tuple = ()
        self.step_views: list[MatrixView] = []
        self.step_result_view: MatrixView | None = None

    def _card(self, name: str) -> "Card":
        f = Card(self._theme)
        f.setObjectName(name)
        lay = QVBoxLayout(f)
        lay.setContentsMargins(14, 12, 14, 14)
        lay.setSpacing(0)
        return f

    def _font(self, scale: float = 1.0, bold: bool = False) -> QFont:
        f = QFont(self.font())  # the application font, scaled: never smaller than what the user chose
        if scale != 1.0:
            if f.pointSizeF() > 0:
                f.setPointSizeF(f.pointSizeF() * scale)
            else:
                f.setPixelSize(round(f.pixelSize() * scale))
        f.setBold(bold)
        return f

    def _label(self, text: str, *, scale: float = 1.0, bold: bool = False, color: QColor | None = None,
               wrap: bool = True, name: str = "") -> QLabel:
        lab = QLabel(text)
        lab.setTextFormat(Qt.TextFormat.RichText)
        lab.setWordWrap(wrap)
        lab.setFont(self._font(scale, bold))
        lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if color is not None:
            _set_text_color(lab, color)
        if name:
            lab.setObjectName(name)
        return lab

    def _heading(self, text: str, color: QColor | None = None) -> QLabel:
        return self._label(text, scale=1.45, bold=True, color=color, name="heading")

    def _subheading(self, text: str, color: QColor | None = None) -> QLabel:
        return self._label(text, scale=1.15, bold=True, color=color, name="subheading")

    def _muted(self, text: str) -> QLabel:
        return self._label(text, color=self._theme.muted, name="muted")

    def _view(self, *, accent: QColor | None = None, compact: bool = False, max_rows: int = 16) -> MatrixView:
        v = MatrixView(theme=self._theme, precision=self._precision, compact=compact, max_rows=max_rows)
        v.setFont(self._font())  # explicit: a widget built before it has a parent does not always inherit it
        if accent is not None:
            v.set_accent(accent)
        self.views.append(v)
        return v

    def _token(self, text: str) -> QLabel:
        lab = QLabel(text)
        lab.setFont(self._font(2.2 if text == "·" else 1.5, True))
        _set_text_color(lab, self._theme.muted)
        lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lab.setProperty("flowGlue", True)
        return lab

    def _new_page(self) -> tuple[QWidget, QVBoxLayout]:
        """A section's new contents are built on a page with no parent, then put in place in one go."""
        page = QWidget()
        page.setFont(self.font())
        lay = QVBoxLayout(page)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        return page, lay

    @staticmethod
    def _install(card: QWidget, page: QWidget) -> None:
        card.layout().addWidget(page)
        # shown now, not by the queued show Qt uses for a child added to a visible parent: until then the
        # layout and the scroll area would size the section without it (and squash it)
        page.show()

    @staticmethod
    def _clear(widget: QWidget) -> None:
        lay = widget.layout()
        while lay.count():
            item = lay.takeAt(0)
            _delete_item(item)

    def _step_number(self, phase: str, node: str) -> int | None:
        for s in self._session.steps:
            if s.phase == phase and s.node == node:
                return s.index + 1
        return None

    def _not_yet(self, what: str, phase: str, node: str) -> str:
        k = self._step_number(phase, node)
        if k is None:
            return f"{what} is not computed in this pass."
        return f"{what}: not computed yet. It is computed at step {k} — press → to get there."

    def _batch(self) -> int:
        return self._session.net.batch

    # ---------------------------------------------------------------- the selection
    def _selection_key(self):
        """Everything the selection section depends on: when it is unchanged (most steps), nothing is rebuilt."""
        s = self._session
        sel = s.selection
        known, grads = s.known_values(), s.known_grads()
        if isinstance(sel, tuple):
            state = (tuple(p for p in s.graph.predecessors(sel[1]) if p not in known),)
        elif sel is not None:
            state = (sel in known, sel in grads)
        else:
            state = ()
        report = s.check_report
        return (sel, state, z_id(s.net.L) in grads, self._show_tensor, self._tensor_slice, id(s.net),
                id(s.evaluation), s.layout, s.example, self._theme.name, id(report))

    def _update_selection(self, force: bool = False) -> None:
        sel = self._session.selection
        if sel != self._last_selection:
            self._show_tensor, self._tensor_slice = False, 0
            self._last_selection = sel
        key = (self._selection_key(), self._hidden_selection())
        if not force and key == self._built_key:
            return
        self._built_key = key
        for v in list(self.views):
            if self.selection_card.isAncestorOf(v):
                self.views.remove(v)
        self.value_view = self.grad_view = self.jacobian_view = None
        self.tensor_button, self.tensor_combo, self.tensor_views = None, None, []
        self.fused_views = ()
        self._clear(self.selection_card)

        def build(lay):
            if sel is None:
                lay.addWidget(self._subheading("Nothing selected"))
                lay.addWidget(self._muted("Click a node or an edge in the graph (or press . and , to walk "
                                          "through them) to see its numbers, its gradient or its Jacobian here."))
            elif self._hidden_selection():
                cur = self._session.current
                lay.addWidget(self._heading(html.escape(pretty(cur.title)) + " = ?"))
                lay.addWidget(self._muted("Predict it first: answer the question above, then it shows here."))
            elif isinstance(sel, tuple):
                self._build_edge(lay, *sel)
            else:
                self._build_node(lay, sel)

        self._build_guarded(self.selection_card, build, self._what_selected(sel))

    def _build_guarded(self, card: QWidget, build, what: str) -> None:
        """Build a section on a new page; a MemoryError halfway leaves a one-line message, not a broken card.

        The views made on the failed page are forgotten with it (otherwise a later refresh would reach
        deleted C++ objects, and the next step crashed the app)."""
        known = len(self.views)
        page, lay = self._new_page()
        try:
            build(lay)
        except MemoryError:
            del self.views[known:]
            if card is self.selection_card:
                self.value_view = self.grad_view = self.jacobian_view = None
                self.tensor_button, self.tensor_combo, self.tensor_views = None, None, []
                self.fused_views = ()
            else:
                self.step_views, self.step_result_view = [], None
            page.deleteLater()
            page, lay = self._new_page()
            lay.addWidget(self._label(
                f"⚠ There is not enough memory to show {what}: its numbers are too big for this "
                f"machine. Nothing else is affected; pick a smaller node or edge, or a smaller net.",
                color=self._theme.bad))
        self._install(card, page)

    def _what_selected(self, sel) -> str:
        if sel is None:
            return "the selection"
        if isinstance(sel, tuple):
            return f"the edge {_sym(sel[0])} → {_sym(sel[1])}"
        return _sym(sel)

    # ---- a node
    def _node_labels(self, node: str, shape: tuple[int, int], grad: bool = False):
        """Row and column labels of a node's value (or gradient) matrix, node-shaped."""
        kind, l = split_id(node)
        b = self._batch()
        n = shape[0]
        if kind == "W":
            rows = [f"a^{l - 1}_{i + 1}" for i in range(shape[0])]
            cols = [f"z^{l}_{j + 1}" for j in range(shape[1])]
            return rows, cols
        prefix = {"A": f"a^{l}", "Z": f"z^{l}", "W0": f"w0^{l}", "Y": "y"}.get(kind)
        rows = [f"{prefix}_{i + 1}" for i in range(n)] if prefix else None
        if shape[1] == 1:
            sym = pretty(node_symbol(node))
            cols = [f"dL/d{sym}" if grad else sym]
        else:
            cols = [f"ex {k + 1}" for k in range(shape[1])]
        return rows, cols

    def _node_describe(self, node: str, grad: bool):
        kind, l = split_id(node)
        if kind == "W":
            sym = pretty(f"W^{l}")
            if grad:
                return lambda i, j: f"dL / d{sym}{pretty_label(f'_{i + 1}{j + 1}')}"
            return lambda i, j: f"{sym}{pretty_label(f'_{i + 1}{j + 1}')}"
        return None

    def _build_node(self, lay: QVBoxLayout, node: str) -> None:
        s, ev, t = self._session, self._session.evaluation, self._theme
        net = s.net
        L, b = net.L, net.batch
        kind, l = split_id(node)
        color = t.kinds.get(kind, t.text)
        lay.addWidget(self._heading(f"{_sym(node)} <span style='font-weight:normal; color:{t.muted.name()}'>"
                                    f"· {node_words(node, L)}</span>", color))
        value = ev.values[node]
        dims = node_dims(node, L, b)
        lay.addWidget(self._label(pretty(dims_text(dims, value.shape)), scale=1.1))
        if b > 1 and kind not in ("W", "W0", "L"):
            lay.addWidget(self._muted(f"A batch of b = {b} examples: column k is example k. "
                                      f"The edges' Jacobians use example {s.example + 1}."))
        problem = ev.problems.get(node)
        if problem:
            lay.addWidget(self._label("⚠ " + html.escape(problem), color=t.bad))

        # value
        lay.addWidget(self._subheading(f"Value {_sym(node)}", t.kinds.get(kind, t.value)))
        if node in s.known_values():
            given = {"A0": "given: the input X", "Y": "given: the target (data)"}.get(node)
            if given is None and kind in ("W", "W0"):
                given = "a parameter: given, and learned by gradient descent"
            if given:
                lay.addWidget(self._muted(given))
            v = self._view()
            rows, cols = self._node_labels(node, value.shape)
            v.set_matrix(value, rows, cols, title="", dims=dims, describe=self._node_describe(node, False))
            v.set_caption_visible(False)
            self.value_view = v
            lay.addWidget(v)
        else:
            lay.addWidget(self._muted(self._not_yet(f"{_sym(node)}", "forward", node)))

        # gradient
        lay.addWidget(self._subheading(f"Gradient dL/d{_sym(node)}", t.grad))
        if node == "L":
            lay.addWidget(self._muted("dL/dL = 1: this is where the backward pass starts."))
        elif node == "Y":
            lay.addWidget(self._muted("Y is data: nothing is learned from it, so the backward pass does not "
                                      "compute dL/dY (the edge Y → L shows how L would move with it)."))
        elif node in s.known_grads():
            grad = ev.grads[node]
            numerator = s.layout == "numerator"
            v = self._view(accent=t.grad)
            if kind == "W":
                rows, cols = self._node_labels(node, grad.shape, grad=True)
                v.set_matrix(grad, rows, cols, dims=dims, describe=self._node_describe(node, True))
                note = (f"Same shape as {_sym(node)} (m<sup>{l}</sup> × n<sup>{l}</sup>): entry (i, j) is "
                        f"dL/dW<sup>{l}</sup><sub>ij</sub>.")
                if numerator:
                    note = (f"Shown node-shaped (m<sup>{l}</sup> × n<sup>{l}</sup>, like {_sym(node)}), so each "
                            f"entry sits where its weight does; numerator layout writes dL/d{_sym(node)} as the "
                            f"transpose (n<sup>{l}</sup> × m<sup>{l}</sup>), as the step below does.")
                if b > 1:
                    note += f" Summed over the b = {b} examples."
                lay.addWidget(self._muted(note))
            else:
                rows, cols = self._node_labels(node, grad.shape, grad=True)
                gdims = dims
                if numerator:  # a gradient is a row in numerator layout
                    grad, rows, cols, gdims = grad.T, cols, rows, (dims[1], dims[0])
                v.set_matrix(grad, rows, cols, dims=gdims)
                if kind == "W0" and b > 1:
                    lay.addWidget(self._muted(f"Summed over the b = {b} examples."))
                if numerator:
                    lay.addWidget(self._muted("Numerator layout: the gradient of a scalar is a row."))
            v.set_caption_visible(False)
            self.grad_view = v
            lay.addWidget(v)
            if node == z_id(L):
                self._fused_box(lay)
        else:
            lay.addWidget(self._muted(self._not_yet(f"dL/d{_sym(node)}", "backward", node)))
        self._check_line(lay, node)
        for provide in self.line_providers:
            for text, ok in provide(node):
                lay.addWidget(self._label(html.escape(text), color=self._theme.ok if ok else self._theme.bad))

    # ---- an edge
    def _edge_needs(self, u: str, v: str) -> list[str]:
        """Nodes whose values this edge's Jacobian uses and that are not known yet (inputs of the target)."""
        known = self._session.known_values()
        return [p for p in self._session.graph.predecessors(v) if p not in known]

    def _build_edge(self, lay: QVBoxLayout, u: str, v: str) -> None:
        s, t = self._session, self._theme
        J = s.jacobian(u, v)
        b = self._batch()
        lay.addWidget(self._heading(f"{_sym(u)} → {_sym(v)} <span style='font-weight:normal; "
                                    f"color:{t.muted.name()}'>· edge</span>"))
        symbol = rich_text(J.symbol)
        deriv = f"d{_sym(v)}/d{_sym(u)}"
        if J.layout == "numerator":
            deriv = f"({deriv})<sup>T</sup>"
        eq = deriv if J.symbol.startswith("dL/") or J.symbol.startswith("(dL/") else f"{deriv} = {symbol}"
        lay.addWidget(self._label(eq, scale=1.3))
        lay.addWidget(self._label(f"{pretty(dims_text(J.dims, J.shape))} · "
                                  f"{JACOBIAN_KIND_WORDS.get(J.kind, J.kind)}", scale=1.1))
        lay.addWidget(self._muted(self._layout_text(J)))
        if b > 1:
            lay.addWidget(self._muted(f"Example {s.example + 1} of {b} (column {s.example + 1} of the batch)."))

        needs = self._edge_needs(u, v)
        if needs:
            first = needs[0]
            lay.addWidget(self._muted(f"Its numbers need {', '.join(_sym(n) for n in needs)}. "
                                      + self._not_yet(_sym(first), "forward", first)))
        else:
            view = self._view()
            view.set_jacobian(J, title="")
            view.set_caption_visible(False)
            self.jacobian_view = view
            lay.addWidget(view)

        why = self._label(rich_text(J.explanation))
        lay.addWidget(why)

        if J.kind == "shorthand" and not needs:
            self._tensor_section(lay, J)
        L = s.net.L
        if (u, v) == (z_id(L), a_id(L)) and z_id(L) in s.known_grads():
            self._fused_box(lay)
        self._check_line(lay, (u, v))

    def _layout_text(self, J) -> str:
        if J.kind == "shorthand":
            return ("The course's shorthand: one column standing for n slices of a 3-index object "
                    "(open the full tensor below).")

        def side(labels, index, what):
            if len(labels) == 1:
                sym = pretty_label(labels[0])
                return sym, f"its one {what} ↔ {sym}"
            sym = pretty_label(_label_stem(labels[0]) + f"_{index}")
            return sym, f"{what} {index} ↔ {sym}"

        r, rtext = side(J.row_labels, "i", "row")
        c, ctext = side(J.col_labels, "j", "column")
        if J.layout == "numerator":
            return (f"Numerator layout (the transpose of 6.390's): {rtext}, {ctext}; "
                    f"entry (i, j) = d{r} / d{c}.")
        return f"Denominator layout (6.390): {rtext}, {ctext}; entry (i, j) = d{c} / d{r}."

    def _tensor_section(self, lay: QVBoxLayout, J) -> None:
        t = self._theme
        _, l = split_id(J.target)
        n = self._session.net.n(l)  # slices; the tensor itself is built only when shown
        btn = QPushButton(("Hide" if self._show_tensor else "Show") + " full tensor dZ/dW")
        btn.setFont(self._font(1.0))
        btn.setCheckable(True)
        btn.setChecked(self._show_tensor)
        btn.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        btn.toggled.connect(self._toggle_tensor)
        self.tensor_button = btn
        lay.addWidget(btn)
        if not self._show_tensor:
            return
        m = self._session.net.m(l)
        why = over_budget(tensor_estimate(m, n, f"the full tensor {pretty(f'dZ^{l}/dW^{l}')} ({n} × {m} × {n} floats)"))
        if why:
            lay.addWidget(self._muted(f"{why[:1].upper()}{why[1:]}: here is one output unit's slice at a time instead."))
        lay.addWidget(self._muted(
            f"dZ<sup>{l}</sup>/dW<sup>{l}</sup> has n<sup>{l}</sup> = {n} slices, one per unit k: slice k is "
            f"dz<sup>{l}</sup><sub>k</sub>/dW<sup>{l}</sup>, shaped like W<sup>{l}</sup>"
            + (f" (transposed here: numerator layout)" if J.layout == "numerator" else "")
            + f". Only its {'row' if J.layout == 'numerator' else 'column'} k is non-zero, and it is "
            f"A<sup>{l - 1}</sup>: z<sub>k</sub> only sees column k of W."))
        m_rows = [f"a^{l - 1}_{i + 1}" for i in range(m)]
        z_cols = [f"z^{l}_{j + 1}" for j in range(n)]
        rows, cols = (m_rows, z_cols) if J.layout != "numerator" else (z_cols, m_rows)
        sdims = (f"m^{l}", f"n^{l}") if J.layout != "numerator" else (f"n^{l}", f"m^{l}")

        def slice_view(k):
            view = self._view(compact=True)
            zk = pretty_label(f"z^{l}_{k + 1}")
            w = pretty(f"W^{l}")
            # one slice from the shorthand: the n·m·n tensor is made only for a few slices (listed below)
            piece = J.tensor()[k] if n <= TENSOR_LIST_LIMIT and not why else tensor_slice(J, n, k)
            view.set_matrix(piece, rows, cols, title=f"slice {k + 1}: d{zk} / d{w}", dims=sdims,
                            describe=lambda i, j, zk=zk, w=w: f"d{zk} / d{w}{pretty_label(f'_{i + 1}{j + 1}')}")
            self.tensor_views.append(view)
            return view

        if n <= TENSOR_LIST_LIMIT and not why:
            for k in range(n):
                lay.addWidget(slice_view(k))
        else:
            from PySide6.QtWidgets import QComboBox   # only for the tensor's slices (start-up time)
            combo = QComboBox()
            combo.setFont(self._font(1.0))
            for k in range(n):
                combo.addItem(f"slice {k + 1}: d{pretty_label(f'z^{l}_{k + 1}')} / d{pretty(f'W^{l}')}")
            self._tensor_slice = min(self._tensor_slice, n - 1)
            combo.setCurrentIndex(self._tensor_slice)
            combo.currentIndexChanged.connect(self._choose_slice)
            self.tensor_combo = combo
            lay.addWidget(combo)
            lay.addWidget(slice_view(self._tensor_slice))

    def _toggle_tensor(self, on: bool) -> None:
        self._show_tensor = bool(on)
        self._update_selection()

    def _choose_slice(self, k: int) -> None:
        self._tensor_slice = k
        self._update_selection()

    def tensor_slice_count(self) -> int:
        """How many slices of dZ/dW are on offer (0 when the tensor is not open)."""
        if self.tensor_combo is not None:
            return self.tensor_combo.count()
        return len(self.tensor_views)

    # ---- fused shortcut (softmax + nllm)
    def _fused_box(self, lay: QVBoxLayout) -> None:
        s, t = self._session, self._theme
        fused = fused_output_gradient(s.evaluation)
        if fused is None:
            return
        shortcut, chain = fused
        L = s.net.L
        box = Card(self._theme, fill=t.background, border=t.grad)
        box.setObjectName("fusedBox")
        col = QVBoxLayout(box)
        col.setContentsMargins(12, 10, 12, 12)
        col.setSpacing(6)
        col.addWidget(self._subheading("Fused shortcut (softmax + nllm)", t.grad))
        col.addWidget(self._label(f"dL/dZ<sup>{L}</sup> = A<sup>{L}</sup> − Y", scale=1.25))
        col.addWidget(self._muted(f"The two-step chain dA<sup>{L}</sup>/dZ<sup>{L}</sup> · dL/dA<sup>{L}</sup> "
                                  f"(softmax's full Jacobian times −Y/A) collapses to A − Y; the course's "
                                  f"homework code uses this."))
        row = QWidget()
        row.setFont(self._font())
        flow = FlowLayout(row, spacing=10)
        flow.setContentsMargins(0, 0, 0, 0)
        rows = [f"z^{L}_{i + 1}" for i in range(shortcut.shape[0])]
        cols = [f"ex {k + 1}" for k in range(shortcut.shape[1])] if shortcut.shape[1] > 1 else None
        a = self._view(compact=True, accent=t.grad)
        a.set_matrix(shortcut, rows, cols, title=f"A<sup>{L}</sup> − Y (shortcut)")
        c = self._view(compact=True, accent=t.grad)
        c.set_matrix(chain, rows, cols, title="two-step chain")
        flow.addWidget(a)
        flow.addWidget(self._token("="))
        flow.addWidget(c)
        col.addWidget(row)
        with np.errstate(invalid="ignore"):
            diff = float(np.max(np.abs(shortcut - chain))) if shortcut.size else 0.0
        agree = diff <= 1e-9 * max(1.0, float(np.max(np.abs(chain))) if chain.size else 1.0)
        verdict = "They agree" if agree else "They differ"
        col.addWidget(self._label(f"{verdict}: max |difference| = {format_number(diff, 2)}",
                                  color=t.ok if agree else t.bad, bold=True))
        self.fused_views = (a, c)
        self.fused_difference = diff
        lay.addWidget(box)

    def _check_line(self, lay: QVBoxLayout, key) -> None:
        report = self._session.check_report
        if report is None:
            return
        res = report.edges.get(key) if isinstance(key, tuple) else report.nodes.get(key)
        if res is None:
            return
        t = self._theme
        text = (f"{'✓' if res.ok else '✗'} finite-difference check: max relative error "
                f"{format_number(res.max_error, 2)} over {res.checked} entries")
        if res.note:
            text += f" — {html.escape(res.note)}"
        lay.addWidget(self._label(text, color=t.ok if res.ok else t.bad))

    # ---------------------------------------------------------------- the current step
    def _fused_above(self) -> bool:
        """Whether the selection section already shows the fused shortcut (then the step section does not)."""
        s = self._session
        L = s.net.L
        return s.selection in (z_id(L), (z_id(L), a_id(L))) and z_id(L) in s.known_grads()

    def _update_step(self, force: bool = False) -> None:
        s = self._session
        key = (s.position, id(s.net), id(s.evaluation), s.layout, s.example, self._theme.name, self._fused_above(),
               self._concealed(s.current))
        if not force and key == self._step_key:
            return
        self._step_key = key
        for v in list(self.views):
            if self.step_card.isAncestorOf(v):
                self.views.remove(v)
        self.step_views, self.step_result_view = [], None
        self._clear(self.step_card)
        self._build_guarded(self.step_card, self._build_step, "this step's numbers")

    def _build_step(self, lay: QVBoxLayout) -> None:
        s, t = self._session, self._theme
        steps = s.steps
        step = s.current
        if step is None:
            lay.addWidget(self._label(f"Step 0 of {len(steps)}", scale=1.15, bold=True, color=t.muted))
            nxt = steps[0] if steps else None
            lay.addWidget(self._muted("Nothing is computed yet." + (" Press → to compute" if nxt else "")))
            if nxt is not None:
                lay.addWidget(self._label(_no_break(html.escape(pretty(nxt.equation))), scale=1.2))
            return
        phase_color = t.value if step.phase == "forward" else t.grad
        phase, where = step_words(step.index, s.forward_length, len(steps))     # as the chips and toolbar count
        lay.addWidget(self._label(
            f"<span style='color:{phase_color.name()}'>{step_tag(step.index, s.forward_length)} · {phase}</span>"
            f" {where}", scale=1.15, bold=True, color=t.muted))
        lay.addWidget(self._label(_no_break(html.escape(pretty(step.equation))), scale=1.35, bold=True))
        hidden = self._concealed(step)
        shapes = step.shapes.rsplit("->", 1)[0] + "-> ?" if hidden else step.shapes
        lay.addWidget(self._label(f"shapes: {shapes_text(shapes)}", scale=1.1))
        if step.note and not hidden:
            lay.addWidget(self._muted(html.escape(pretty(step.note))))
        if self.decorate_step is not None:
            self.decorate_step(lay, step)
        self._step_numbers(lay, step)
        if hidden:              # the fused shortcut would show the result
            return
        L = s.net.L
        if step.phase == "backward" and step.node == z_id(L) and not self._fused_above():
            self._fused_box(lay)

    # Each operand says where its numbers are (core.steps.Operand: kind, ref, transposed) and
    # which shape the step uses: a declared column (n x 1) of a batch quantity (n x b) is the
    # chosen example's column.
    def _operand(self, op):
        """(array, row labels, column labels) for a step's operand, before fitting to its shape."""
        s, ev = self._session, self._session.evaluation
        if op.kind == "jacobian":
            J = s.jacobian(*op.ref)
            # a heatmap-sized one stays a Jacobian: its view reads it in blocks (a 2048-unit softmax's
            # 32 MB matrix is never made to be drawn)
            arr = J if not op.transposed and not use_table(J.shape) else J.dense()
            rows, cols = list(J.row_labels), list(J.col_labels)
        else:
            arr = (ev.grads if op.kind == "grad" else ev.values)[op.ref]
            rows, cols = self._plain_labels(op.ref, arr.shape)
        if op.transposed:
            arr, rows, cols = arr.T, cols, rows
        return arr, rows, cols

    def _plain_labels(self, node: str, shape):
        kind, l = split_id(node)
        if kind == "W":
            return [f"a^{l - 1}_{i + 1}" for i in range(shape[0])], [f"z^{l}_{j + 1}" for j in range(shape[1])]
        prefix = {"A": f"a^{l}", "Z": f"z^{l}", "W0": f"w0^{l}", "Y": "y"}.get(kind)
        rows = [f"{prefix}_{i + 1}" for i in range(shape[0])] if prefix else None
        cols = [f"ex {k + 1}" for k in range(shape[1])] if shape[1] > 1 and kind not in ("W0", "L") else None
        return rows, cols

    def _fit(self, arr, rows, cols, shape):
        """The part of arr the step uses: all of it, or the chosen example's column (row) of a batch."""
        c, b = self._session.example, self._batch()
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
        s, t = self._session, self._theme
        b = self._batch()
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

    def _step_numbers(self, lay: QVBoxLayout, step) -> None:
        s = self._session
        items = self._concealed_items(step, self._step_items(step))
        b = s.net.batch
        if step.phase == "backward" and b > 1 and split_id(step.node)[0] not in ("W", "W0"):
            lay.addWidget(self._muted(f"With numbers, for example {s.example + 1} of {b}:"))
        else:
            lay.addWidget(self._muted("With numbers:"))
        for group in self._fork_rows(step, items) if step.terms else [items]:
            self._flow_row(lay, group)

    def _fork_rows(self, step, items) -> list:
        """A fork's step: each term on its own row (its operands = its numbers), then a row with the sum."""
        rows = []
        for i, term in enumerate(step.terms, start=1):
            group = items[2 * term.start: 2 * term.stop - 1]
            value, _, _ = self._fit(np.asarray(term.value), None, None, step.result_shape)
            group += [("t", "="), ("m", rich(f"term {i}"), value, None, None, self._theme.grad)]
            rows.append(group)
        # short whatever the number of terms: a token does not wrap, and a long one widened the whole inspector
        rows.append([("t", "sum of the terms ="), items[-1]])
        return rows

    def _flow_row(self, lay: QVBoxLayout, items) -> None:
        row = QWidget()
        row.setFont(self._font())
        flow = FlowLayout(row, spacing=8)
        flow.setContentsMargins(0, 0, 0, 0)
        for item in items:
            if item[0] == "t":
                flow.addWidget(self._token(item[1]))
                continue
            kind, title, arr, rows, cols, accent = item
            view = self._view(compact=True, accent=accent, max_rows=12)
            if isinstance(arr, Jacobian):
                view.set_jacobian(arr, title=title)
            else:
                try:
                    view.set_matrix(arr, rows, cols, title=title)
                except ValueError:  # labels that do not fit: the numbers matter more
                    view.set_matrix(arr, None, None, title=title)
            self.step_views.append(view)
            if kind == "r":
                self.step_result_view = view
            flow.addWidget(view)
        lay.addWidget(row)

    # ---------------------------------------------------------------- theme
    def _apply_theme(self) -> None:
        """Palettes and painted cards, no style sheets: those make every widget built per step slow."""
        t = self._theme
        pal = theme_palette(t)
        for w in (self, self._content, self._viewport):
            w.setPalette(pal)
            w.setAutoFillBackground(True)
        for card in (self.selection_card, self.step_card):
            card.set_colors(t)


class Card(QFrame):
    """A rounded panel (surface colour, thin border) painted directly."""

    def __init__(self, theme: Theme, fill: QColor | None = None, border: QColor | None = None, parent=None):
        super().__init__(parent)
        self._fill, self._border = fill, border
        self.set_colors(theme)

    def set_colors(self, theme: Theme) -> None:
        self._fill_c = QColor(self._fill or theme.surface)
        b = QColor(self._border or theme.muted)
        b.setAlphaF(0.6 if self._border is not None else 0.35)
        self._border_c = b
        self.update()

    def paintEvent(self, event):
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self._fill_c)
        p.drawRoundedRect(r, 8, 8)                    # the fill without antialiasing: fast for a big card
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(self._border_c, 1))             # the outline with it: smooth corners
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(r, 8, 8)


def _set_text_color(widget: QWidget, color: QColor) -> None:
    p = widget.palette()
    p.setColor(QPalette.ColorRole.WindowText, color)
    p.setColor(QPalette.ColorRole.Text, color)
    widget.setPalette(p)


def _delete_item(item) -> None:
    w = item.widget()
    if w is not None:
        w.hide()
        w.setParent(None)
        w.deleteLater()
        return
    sub = item.layout()
    if sub is not None:
        while sub.count():
            _delete_item(sub.takeAt(0))
        sub.deleteLater()

