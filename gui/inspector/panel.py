"""The inspector: the selected node or edge, with its numbers, and what the current step does.

napari style: it listens to the Session (selection_changed, position_changed, layout_changed,
example_changed, net_changed, check_changed) and redraws; it never computes any math itself.
Everything it shows comes from session.jacobian(u, v), session.evaluation (values, grads),
session.known_values() / known_grads(), session.current / steps and fused_output_gradient.

    inspector = Inspector(session, theme)
    inspector.set_precision(6)
    inspector.set_theme(DARK)

Two cards in a scroll area (usable at 1280 x 720), each filled by a page (gui/inspector/page.py):
  * the selection card: the first of SELECTION_PAGES whose `shows(selection)` is true builds it:
    nothing selected, a result hidden until predicted (placeholder_pages.py), an edge (edge_page.py:
    its Jacobian, why it looks that way, W -> Z's full 3-index tensor) or a node (node_page.py:
    symbol, kind, dims, value, gradient);
  * the step card: STEP_PAGE (step_page.py): equation, shape algebra, note and the product with the
    actual numbers; with softmax + nllm, the fused shortcut dL/dZ^L = A^L − Y beside the two-step chain.

A new inspector page: a `Page` subclass in its own module here (shows + build, using the Page's
building blocks), listed in SELECTION_PAGES before any page that would also say yes. This module only
picks the page, decides when a card must be rebuilt (a key of what it depends on) and keeps the
views the pages made, for the window (digits, copy) and for tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from chainview.core.nodes import z_id

from .edge_page import EdgePage, missing_inputs
from .matrix_model import DEFAULT_PRECISION
from .matrix_view import MatrixView
from .node_page import NodePage
from .page import Page
from .placeholder_pages import NothingSelectedPage, PredictFirstPage
from .step_page import StepPage, fused_above
from .text import plain, rich_symbol
from .widgets import Card, card_text, delete_item, not_hidden, scaled_font
from ..bind import Coalescer, follow
from ..theme import Theme
from ..theme import palette as theme_palette

if TYPE_CHECKING:
    from PySide6.QtWidgets import QComboBox   # made only for a tensor's slices (start-up time)

# The selection card's pages, asked in this order: the first whose shows(selection) is true builds the card.
SELECTION_PAGES: tuple[type[Page], ...] = (NothingSelectedPage, PredictFirstPage, EdgePage, NodePage)
STEP_PAGE: type[Page] = StepPage
BASE_SCALE = 1.15         # the inspector's text relative to the application font


class Inspector(QWidget):
    """Shows the selected node or edge and the current step, with numbers; see the module docstring."""

    def __init__(self, session, theme: Theme, parent=None, *, coalesce: bool = False):
        super().__init__(parent)
        self._session = session
        self._theme = theme
        self.line_providers: list = []   # node -> [(text, ok)]: other tools' verdicts on a node (gui/compare)
        self._precision = DEFAULT_PRECISION
        # the edge page's full tensor dZ/dW: open or not, and which slice; reset when the selection changes
        self.show_tensor = False
        self.tensor_slice = 0
        self._last_selection = object()
        self._built_key = None
        self._step_key = None
        # callable(step) -> bool, or None: gui/teaching hides the step's result as "?" until it is predicted
        self.conceal = None
        # callable(layout, step) -> None, or None: gui/teaching adds a TA's note (and its edit field) to the step card
        self.decorate_step = None
        # while a step's result is hidden, hide its Jacobian operands too (gui/teaching asks "diagonal or full?")
        self.conceal_jacobians = False
        self.selection_pages = [page(self) for page in SELECTION_PAGES]
        self.step_page = STEP_PAGE(self)
        self.views: list[MatrixView] = []
        self._forget_selection_views()
        self._forget_step_views()
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
                               (session.check_changed, self._on_check_changed),
                               # the application's font (View ▸ Larger text): a signal, not an event() override,
                               # which would put every event of the inspector through Python
                               (QApplication.instance().fontChanged, self._on_app_font))

        self._apply_theme()
        self.refresh()

    # ---------------------------------------------------------------- public API
    @property
    def session(self):
        return self._session

    @property
    def theme(self) -> Theme:
        return self._theme

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

    def _on_app_font(self, _font) -> None:
        self.set_font_scale()

    def detach(self) -> None:
        """Stop listening to the session (done automatically when the widget is destroyed)."""
        self._binding.release()

    def refresh(self, force: bool = False) -> None:
        self._update_selection(force)
        self._update_step(force)

    def insert_card(self, widget: QWidget, index: int = 0) -> None:
        """Put another card (gui/teaching's question) into the inspector's column, at the top by default."""
        self._content.layout().insertWidget(index, widget)

    def concealed(self, step) -> bool:
        """Whether gui/teaching hides this step's result until it is predicted."""
        return step is not None and self.conceal is not None and bool(self.conceal(step))

    def hidden_selection(self) -> bool:
        """The selection is the current step's node and its result is hidden until predicted."""
        cur = self._session.current
        return self.concealed(cur) and self._session.selection == cur.node

    def matrix_views(self) -> list[MatrixView]:
        self._refresh_soon.flush()
        return list(self.views)

    def text(self) -> str:
        """All text on show, plain (for tests and accessibility checks)."""
        self._refresh_soon.flush()
        parts = []
        for lab in self._content.findChildren(QLabel):
            if lab.text() and not_hidden(lab, self._content):
                parts.append(plain(lab.text()))
        for b in self._content.findChildren(QPushButton):
            parts.append(b.text())
        return "\n".join(parts)

    def selection_text(self) -> str:
        self._refresh_soon.flush()
        return card_text(self.selection_card)

    def step_text(self) -> str:
        self._refresh_soon.flush()
        return card_text(self.step_card)

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

    def _forget_selection_views(self) -> None:
        """The selection page's matrix views and controls are gone (rebuilt, or lost to a MemoryError)."""
        self.value_view: MatrixView | None = None
        self.grad_view: MatrixView | None = None
        self.jacobian_view: MatrixView | None = None
        self.tensor_button: QPushButton | None = None
        self.tensor_combo: QComboBox | None = None
        self.tensor_views: list[MatrixView] = []
        self.fused_views: tuple = ()

    def _forget_step_views(self) -> None:
        self.step_views: list[MatrixView] = []
        self.step_result_view: MatrixView | None = None

    def _font(self, scale: float = 1.0, bold: bool = False) -> QFont:
        """The inspector's font scaled (gui/teaching's note field matches the cards with it)."""
        return scaled_font(self.font(), scale, bold)

    def _card(self, name: str) -> Card:
        f = Card(self._theme)
        f.setObjectName(name)
        lay = QVBoxLayout(f)
        lay.setContentsMargins(14, 12, 14, 14)
        lay.setSpacing(0)
        return f

    def _new_page(self) -> tuple[QWidget, QVBoxLayout]:
        """A section's new contents are built on a widget with no parent, then put in place in one go."""
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

    def _clear(self, card: QWidget) -> None:
        """Empty a card and forget the matrix views that were on it."""
        self.views[:] = [v for v in self.views if not card.isAncestorOf(v)]
        lay = card.layout()
        while lay.count():
            delete_item(lay.takeAt(0))

    # ---------------------------------------------------------------- the selection
    def _selection_key(self):
        """Everything the selection section depends on: when it is unchanged (most steps), nothing is rebuilt."""
        s = self._session
        sel = s.selection
        known, grads = s.known_values(), s.known_grads()
        if isinstance(sel, tuple):
            state = (tuple(missing_inputs(s, sel[1])),)
        elif sel is not None:
            state = (sel in known, sel in grads)
        else:
            state = ()
        report = s.check_report
        return (sel, state, z_id(s.net.L) in grads, self.show_tensor, self.tensor_slice, id(s.net),
                id(s.evaluation), s.layout, s.example, self._theme.name, id(report))

    def selection_page(self, selection) -> Page:
        """The page that shows `selection` (the first of SELECTION_PAGES that says so)."""
        return next(page for page in self.selection_pages if page.shows(selection))

    def _update_selection(self, force: bool = False) -> None:
        sel = self._session.selection
        if sel != self._last_selection:
            self.show_tensor, self.tensor_slice = False, 0
            self._last_selection = sel
        key = (self._selection_key(), self.hidden_selection())
        if not force and key == self._built_key:
            return
        self._built_key = key
        self._forget_selection_views()
        self._clear(self.selection_card)
        self._build_guarded(self.selection_card, self.selection_page(sel), sel, self._what_selected(sel))

    def _build_guarded(self, card: QWidget, page: Page, selection, what: str) -> None:
        """Build a card's page on a new widget; a MemoryError halfway leaves a one-line message, not a broken card.

        The views made on the failed widget are forgotten with it (otherwise a later refresh would reach
        deleted C++ objects, and the next step crashed the app)."""
        known = len(self.views)
        contents, lay = self._new_page()
        try:
            page.build(lay, selection)
        except MemoryError:
            del self.views[known:]
            if card is self.selection_card:
                self._forget_selection_views()
            else:
                self._forget_step_views()
            contents.deleteLater()
            contents, lay = self._new_page()
            lay.addWidget(page.label(
                f"⚠ There is not enough memory to show {what}: its numbers are too big for this "
                f"machine. Nothing else is affected; pick a smaller node or edge, or a smaller net.",
                color=self._theme.bad))
        self._install(card, contents)

    @staticmethod
    def _what_selected(sel) -> str:
        if sel is None:
            return "the selection"
        if isinstance(sel, tuple):
            return f"the edge {rich_symbol(sel[0])} → {rich_symbol(sel[1])}"
        return rich_symbol(sel)

    def tensor_slice_count(self) -> int:
        """How many slices of dZ/dW are on offer (0 when the tensor is not open)."""
        if self.tensor_combo is not None:
            return self.tensor_combo.count()
        return len(self.tensor_views)

    # ---------------------------------------------------------------- the current step
    def _update_step(self, force: bool = False) -> None:
        s = self._session
        key = (s.position, id(s.net), id(s.evaluation), s.layout, s.example, self._theme.name, fused_above(s),
               self.concealed(s.current))
        if not force and key == self._step_key:
            return
        self._step_key = key
        self._forget_step_views()
        self._clear(self.step_card)
        self._build_guarded(self.step_card, self.step_page, None, "this step's numbers")

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
