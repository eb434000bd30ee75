"""The graph canvas: one item per node and per edge of `session.graph`, laid out left to right by layer.

Layout (every gap measured from the labels it must hold, so it scales with the font):

        W¹ (above)                W² (above)                Y (above)
    A⁰ ──────────▶ Z¹ ──────▶ A¹ ──────────▶ Z² ──────▶ A² ──────────▶ L
        W0¹ (below)               W0² (below)

Where everything goes is computed from the graph by gui/canvas/placement.py (skip connections arc
over the chain, a tied W sits between the layers it feeds, R beside L); this scene measures its
items and applies the result.

Main-path nodes (A, Z, L) are "cards" with their value and gradient inside; W, W0 and Y hang
above/below the corridor that feeds Z (or L) and keep their numbers on the side away from the path.
Each corridor holds a vertical stack of label pills: W's (top), the path's (middle), W0's (bottom).

The scene follows the session (Qt-free signals) and updates only what changed:
position_changed touches the nodes and edges of the steps between the old and new position and
the old/new current step; layout/example changes relabel edges from the session's Jacobians (the
networkx graph is not rebuilt for that); a new net rebuilds everything.
A click selects in the session and nothing else: the scene marks the item when the session's
selection_changed comes back, like every other view (one path for each signal, issue 14).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsScene

from chainview.core import Session
from chainview.core.graph import structure

from ..bind import Coalescer, follow
from .placement import NodeSize, place
from .edge_item import EdgeItem
from .label_pill import EdgeLabelItem
from .node_item import NodeItem
from .shapes import side_x
from .style import Style
from ..theme import Theme, operand_color

INF = float("inf")


class GraphScene(QGraphicsScene):
    # a click on a node or an edge: the person wants to inspect it (the window brings its Inspector
    # forward). Not the selection itself: that comes from the session's selection_changed alone.
    inspect_requested = Signal()
    rebuilt = Signal()                 # after a structural rebuild (a new net): views fit the new graph
    # the items were placed again (the scene's geometry; "layout" is the session's Jacobian convention); why:
    # "font" (views keep their place) or "convention" (a layout switch relabelled the edges: a fitted view refits)
    items_moved = Signal(str)

    def __init__(self, session: Session, theme: Theme, parent=None):
        super().__init__(parent)
        self.session = session
        self.theme = theme
        self.style = Style(theme, 1.0)
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[tuple[str, str], EdgeItem] = {}
        self._selected = None
        # callable(step) -> bool, or None: gui/teaching hides the current step's result as "?" until predicted
        self.conceal = None
        self._empty_press = None
        self.last_touched: tuple[set, set] = (set(), set())   # what the last position change refreshed
        self._lit: list = []             # items lit as operands of the current equation
        self.setBackgroundBrush(theme.background)
        self.setItemIndexMethod(QGraphicsScene.BspTreeIndex)
        # a burst of new nets in one event-loop turn (undo, redo, a file) is one rebuild (gui/bind.py)
        self._rebuild_soon = Coalescer(self, self.rebuild)
        self._binding = follow(self, (session.net_changed, "_on_net_changed"),
                               (session.position_changed, "_on_position_changed"),
                               (session.layout_changed, "_on_layout_changed"),
                               (session.example_changed, "_on_example_changed"),
                               (session.selection_changed, "_on_selection_changed"),
                               (session.check_changed, "_on_check_changed"))
        self.rebuild()

    def detach(self) -> None:
        """Stop following the session (the scene is being replaced)."""
        self._binding.release()

    # ------------------------------------------------------------ public
    def node_item(self, node: str) -> NodeItem:
        self._rebuild_soon.flush()          # readers see the latest net, even within the turn it came in
        return self._nodes[node]

    def edge_item(self, u: str, v: str) -> EdgeItem:
        self._rebuild_soon.flush()
        return self._edges[(u, v)]

    @property
    def node_items(self) -> dict[str, NodeItem]:
        self._rebuild_soon.flush()
        return dict(self._nodes)

    @property
    def edge_items(self) -> dict[tuple[str, str], EdgeItem]:
        self._rebuild_soon.flush()
        return dict(self._edges)

    def items_bounds(self) -> QRectF:
        """The rect around every node, edge and label (what a view fits)."""
        self._rebuild_soon.flush()
        r = QRectF()
        for item in self._nodes.values():
            r = r.united(item.sceneBoundingRect())
        for e in self._edges.values():
            r = r.united(e.sceneBoundingRect()).united(e.label.sceneBoundingRect())
        return r

    def set_theme(self, theme: Theme) -> None:
        """Colours only: no geometry changes, so every item just repaints."""
        self.theme = theme
        self.style.theme = theme
        self.setBackgroundBrush(theme.background)
        self._light_operands()           # operand colours are the theme's
        for item in self._nodes.values():
            item.update()
        for e in self._edges.values():
            e.update()
            e.label.update()

    def set_font_scale(self, scale: float) -> None:
        """Presentation zoom for labels: every text and the gaps that hold them grow together."""
        scale = max(0.5, min(float(scale), 4.0))
        if abs(scale - self.style.scale) > 1e-9:
            self.style.set_scale(scale)
            for item in self._nodes.values():
                item.restyle()
            for e in self._edges.values():
                e.label.set_texts()
            self._place_items()
            self.items_moved.emit("font")

    @property
    def font_scale(self) -> float:
        return self.style.scale

    # ------------------------------------------------------------ building
    def rebuild(self) -> None:
        """Make every item again from session.graph (a structural change: a new net)."""
        self._selected = None
        for item in list(self.items()):
            if item.parentItem() is None:
                self.removeItem(item)
        self._nodes.clear()
        self._edges.clear()
        s = self.session
        G = s.graph
        ev = s.evaluation
        self._index_steps()
        self._lit = []
        self.style.example = (s.example, s.net.batch)
        numerator = s.layout == "numerator"
        for node, data in G.nodes(data=True):
            kind = data["kind"]
            placement = "card" if kind in ("A", "Z", "L") else ("below" if kind in ("W0", "R") else "above")
            item = NodeItem(node, data, ev.values[node], ev.grads.get(node), self.style, placement)
            item.set_numerator(numerator)
            self.addItem(item)
            self._nodes[node] = item
        for u, v, data in G.edges(data=True):
            e = EdgeItem(u, v, data, self.style)
            self.addItem(e)
            self.addItem(e.label)
            self._edges[(u, v)] = e
        self._place_items()
        self._refresh_all()
        self._on_selection_changed(s.selection)
        self._on_check_changed(s.check_report)
        self.rebuilt.emit()

    def _index_steps(self) -> None:
        """Which step computes each node's value / gradient and uses each edge (O(net) once per net)."""
        self._fwd: dict[str, int] = {}
        self._bwd: dict[str, int] = {}
        self._edge_fwd: dict[tuple, int] = {}
        self._edge_bwd: dict[tuple, int] = {}
        for st in self.session.steps:
            fwd = st.phase == "forward"
            (self._fwd if fwd else self._bwd).setdefault(st.node, st.index)
            for e in st.edges:
                (self._edge_fwd if fwd else self._edge_bwd).setdefault(tuple(e), st.index)

    # ------------------------------------------------------------ placement
    def _place_items(self) -> None:
        """Place every node and route every edge as gui/canvas/placement.py computes from the graph."""
        G = structure(self.session.net).graph       # kinds, layers and roles: the same for every layout and example
        N = self._nodes
        cards = [item for item in N.values() if item.placement == "card" and item.kind != "L"]
        H = max(c.natural_card_height() for c in cards)      # every A/Z card equally tall: a straight path
        for c in cards:
            c.set_card_height(H)
        sizes = {n: NodeSize(it.w, it.h, it.placement, it.block_w, it.block_h, 8 * self.style.scale)
                 for n, it in N.items()}
        labels = {edge: (e.label.w, e.label.h) for edge, e in self._edges.items()}
        anchor = lambda n, dy, out: side_x(N[n].kind, N[n].w, N[n].h, dy, out)
        P = place(G, sizes, labels, scale=self.style.scale, anchor_dx=anchor)
        for n, (x, y) in P.nodes.items():
            N[n].setPos(x, y)
        for edge, e in self._edges.items():
            if edge in P.polylines:
                e.route_via(P.polylines[edge])
            else:
                e.route(N[edge[0]].out_anchor(), N[edge[1]].in_anchor(P.curves.get(edge, 0.0)))
            if edge in P.labels:
                e.label.setPos(*P.labels[edge])
        bounds = self.items_bounds()
        m = 16 * self.style.scale          # small: a fitted view then needs no scroll bars
        self.setSceneRect(bounds.adjusted(-m, -m, m, m))

    # ------------------------------------------------------------ state
    def _current(self):
        cur = self.session.current
        if cur is None:
            return None, None, ()
        return cur.node, cur.phase, tuple(tuple(e) for e in cur.edges)

    def _refresh_node(self, node: str, pos: int, cur) -> None:
        item = self._nodes.get(node)
        if item is None:
            return
        known = self._fwd.get(node, -1) < pos
        grad = self._bwd.get(node, INF) < pos
        is_cur = cur[0] == node
        item.set_state(known, grad, is_cur, cur[1] if is_cur else None)
        item.set_concealed(is_cur and self.conceal is not None and bool(self.conceal(self.session.current)))

    def refresh_current(self) -> None:
        """Redraw the current step's node (a prediction was answered: its result may show now)."""
        cur = self._current()
        if cur[0] is not None:
            self._refresh_node(cur[0], self.session.position, cur)

    def _refresh_edge(self, edge, pos: int, cur) -> None:
        e = self._edges.get(edge)
        if e is None:
            return
        done = self._edge_fwd.get(edge, INF) < pos
        back = self._edge_bwd.get(edge, INF) < pos
        is_cur = edge in cur[2]
        e.set_state(done, back, is_cur, cur[1] if is_cur else None)

    def _refresh_all(self) -> None:
        pos, cur = self.session.position, self._current()
        for node in self._nodes:
            self._refresh_node(node, pos, cur)
        for edge in self._edges:
            self._refresh_edge(edge, pos, cur)
        self._light_operands()

    # ------------------------------------------------------------ lighting the current equation
    def lit_operands(self) -> list[tuple[str, object]]:
        """(kind, ref) of every factor of the current equation, as lit on the canvas, in its order:
        ("value", "A1"), ("grad", "Z2"), ("jacobian", ("Z1", "A1"))."""
        cur = self.session.current
        return [] if cur is None else [(op.kind, tuple(op.ref) if op.kind == "jacobian" else op.ref)
                                       for op in cur.operands]

    def _light_operands(self) -> None:
        """Light the current equation's factors in the step card's operand colours (O(operands))."""
        for item in self._lit:
            item.set_lit({} if isinstance(item, NodeItem) else None)
        self._lit = []
        lit_nodes: dict[str, dict] = {}
        for kind, ref in self.lit_operands():
            color = operand_color(self.theme, kind)
            if kind == "jacobian":
                e = self._edges.get(ref)
                if e is not None:
                    e.set_lit(color)
                    self._lit.append(e)
            elif ref in self._nodes:
                lit_nodes.setdefault(ref, {})["value" if kind == "value" else "grad"] = color
        for node, parts in lit_nodes.items():
            self._nodes[node].set_lit(parts)
            self._lit.append(self._nodes[node])

    def _on_position_changed(self, old: int, new: int) -> None:
        """Refresh only the nodes/edges of steps in [min, max) plus the old and new current step."""
        if self._rebuild_soon.pending:      # a rebuild comes at the end of this turn and refreshes them all
            return
        steps = self.session.steps
        lo, hi = sorted((old, new))
        idx = set(range(lo, hi))
        for k in (old - 1, new - 1):
            if 0 <= k < len(steps):
                idx.add(k)
        nodes, edges = set(), set()
        for i in idx:
            st = steps[i]
            nodes.add(st.node)
            edges.update(tuple(e) for e in st.edges)
        cur = self._current()
        for node in nodes:
            self._refresh_node(node, new, cur)
        for edge in edges:
            self._refresh_edge(edge, new, cur)
        self._light_operands()
        self.last_touched = (nodes, edges)

    def _update_edge_labels(self) -> None:
        """Jacobian symbols and dims for the new layout or example, straight from the session's Jacobians
        (the attributes core.graph.build_graph puts on an edge), without building a new graph."""
        s = self.session
        for (u, v), e in self._edges.items():
            J = s.jacobian(u, v)
            e.set_data({"symbol": J.symbol, "dims": J.dims, "shape": J.shape, "kind": J.kind, "jacobian": J})

    def _on_layout_changed(self, layout: str) -> None:
        if self._rebuild_soon.pending:
            return
        self._update_edge_labels()
        numerator = layout == "numerator"
        for item in self._nodes.values():
            item.set_numerator(numerator)
            item.update_tooltip()
        self._place_items()          # pill and value widths changed: move things, no rebuild
        self.items_moved.emit("convention")

    def _on_example_changed(self, k: int) -> None:
        if self._rebuild_soon.pending:
            return
        self.style.example = (k, self.session.net.batch)
        self._update_edge_labels()

    def _on_net_changed(self) -> None:
        self._rebuild_soon.request()

    def _item_for(self, selection):
        if selection is None:
            return None
        if isinstance(selection, tuple):
            return self._edges.get(tuple(selection))
        return self._nodes.get(selection)

    def _on_selection_changed(self, selection) -> None:
        if self._rebuild_soon.pending:
            return
        old = self._item_for(self._selected)
        if old is not None:
            old.set_selected(False)
        self._selected = selection
        new = self._item_for(selection)
        if new is not None:
            new.set_selected(True)

    def _on_check_changed(self, report) -> None:
        if self._rebuild_soon.pending:
            return
        for node, item in self._nodes.items():
            item.set_check(report.nodes.get(node) if report is not None else None)
        for edge, e in self._edges.items():
            e.set_check(report.edges.get(edge) if report is not None else None)

    def set_marks(self, marks) -> None:
        """Node badges from elsewhere than the gradient check (gui/compare): node -> an object with `ok`
        and `tooltip`, drawn as the check's ✓/✗ are; None clears them."""
        for node, item in self._nodes.items():
            item.set_check(marks.get(node) if marks else None)

    # ------------------------------------------------------------ input
    def _item_clicked(self, item) -> None:
        """An item was clicked: select it in the session (every view, this one too, follows from there)."""
        if isinstance(item, EdgeLabelItem):
            item = item.edge
        if isinstance(item, NodeItem):
            self.session.select(item.node)
        elif isinstance(item, EdgeItem):
            self.session.select((item.u, item.v))
        else:
            return
        self.inspect_requested.emit()

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        # an unaccepted press is empty space: leave it unaccepted so a view can hand-drag, and
        # treat it as a click (select nothing) if the release comes without a drag
        if not event.isAccepted() and event.button() == Qt.LeftButton:
            self._empty_press = event.screenPos()
        else:
            self._empty_press = None

    def mouseReleaseEvent(self, event) -> None:
        press, self._empty_press = self._empty_press, None
        if press is not None and event.button() == Qt.LeftButton:
            if (event.screenPos() - press).manhattanLength() <= 4:
                self.session.select(None)
        super().mouseReleaseEvent(event)
