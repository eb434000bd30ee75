"""The graph canvas: one item per node and edge, labels in the course's symbols, stepping, selection both
ways, layout switch, gradient-check marks, rebuild on a new net, bounded updates on a 50-layer net,
no label overlaps, the view's zoom/fit, and offscreen renders in both themes."""

from __future__ import annotations


import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QKeySequence, QPainter
from PySide6.QtWidgets import QApplication

from chainview.core import Session, build_net, example_paths
from chainview.core.netfile import load_net
from chainview.gui.canvas.edge_item import EdgeItem
from chainview.gui.canvas.label_pill import EdgeLabelItem
from chainview.gui.canvas.node_item import NodeItem
from chainview.gui.canvas.text import fmt, matrix_cells, symbol_html
from chainview.gui.canvas.scene import GraphScene
from chainview.gui.canvas.view import GraphView
from chainview.gui.theme import DARK, LIGHT


@pytest.fixture
def scene(qtbot, session):
    sc = GraphScene(session, LIGHT)
    yield sc
    sc.detach()


def _net(L: int, units: int = 3, seed: int = 1):
    layers = [{"units": units, "activation": "tanh"} for _ in range(L - 1)] + [{"units": 1, "activation": "identity"}]
    return build_net([[1.0], [2.0]], [[0.5]], "squared", layers, seed=seed)


def _render(scene: GraphScene, path: str, w: int = 1600, h: int = 900) -> QImage:
    img = QImage(w, h, QImage.Format_ARGB32)
    img.fill(scene.theme.background)
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing)
    p.setRenderHint(QPainter.TextAntialiasing)
    scene.render(p, QRectF(0, 0, w, h), scene.items_bounds().adjusted(-30, -30, 30, 30), Qt.KeepAspectRatio)
    p.end()
    assert img.save(path)
    return img


def _solid_rects(scene: GraphScene) -> list[tuple[str, QRectF]]:
    out = []
    for node, item in scene.node_items.items():
        for k, r in enumerate(item.label_rects()):
            out.append((f"{node}#{k}", r))
    for (u, v), e in scene.edge_items.items():
        out.append((f"{u}->{v} pill", e.label.scene_rect()))
    return out


def _overlaps(scene: GraphScene) -> list[tuple[str, str]]:
    rects = _solid_rects(scene)
    bad = []
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1:]:
            inter = ra.intersected(rb)
            if inter.width() > 0.5 and inter.height() > 0.5:
                bad.append((a, b))
    return bad


# ---------------------------------------------------------------- structure and labels

def test_one_item_per_node_and_edge(scene, session):
    G = session.graph
    assert set(scene.node_items) == set(G.nodes)
    assert set(scene.edge_items) == set(G.edges)
    items = scene.items()
    assert sum(isinstance(i, NodeItem) for i in items) == G.number_of_nodes()
    assert sum(isinstance(i, EdgeItem) for i in items) == G.number_of_edges()
    assert sum(isinstance(i, EdgeLabelItem) for i in items) == G.number_of_edges()
    for node in G.nodes:
        assert scene.node_item(node).node == node
    for u, v in G.edges:
        e = scene.edge_item(u, v)
        assert (e.u, e.v) == (u, v)


def test_node_labels_are_rich_symbols_with_dims(scene):
    z1 = scene.node_item("Z1")
    assert z1.t_symbol.html == "Z<sup>1</sup>"
    assert z1.label_text() == "Z1\nn1 × 1 = 3 × 1"
    assert "n<sup>1</sup> × 1" in z1.t_dims[0].html
    w0 = scene.node_item("W0_2")
    assert w0.t_symbol.html == "W0<sup>2</sup>"
    assert w0.label_text().endswith("n2 × 1 = 2 × 1")
    assert scene.node_item("W1").label_text().endswith("m1 × n1 = 2 × 3")
    assert scene.node_item("L").label_text() == "L\n1 × 1 = 1 × 1"
    # each kind its own outline (shape, not only colour)
    kinds = {scene.node_item(n).kind: scene.node_item(n).path for n in ("A1", "Z1", "W1", "W0_1", "Y", "L")}
    counts = {k: p.elementCount() for k, p in kinds.items()}
    assert len(set(counts.values())) >= 5


def test_repeated_labels_are_laid_out_once_and_again_after_a_scale_change(scene):
    a1, z2 = scene.node_item("A1"), scene.node_item("Z2")
    w0 = scene.node_item("W0_1")
    assert [t.plain() for t in a1.t_dims] == [t.plain() for t in w0.t_dims] == ["n1 × 1", "= 3 × 1"]
    assert a1.t_dims[1] is w0.t_dims[1]                   # one laid-out "= 3 × 1" for the scene
    assert a1.t_placeholder is z2.t_placeholder
    before = a1.t_dims[1]
    scene.set_font_scale(1.5)
    assert a1.t_dims[1] is not before and a1.t_dims[1].width > before.width    # new fonts, new layout
    assert a1.t_dims[1] is w0.t_dims[1]


def test_edge_labels_show_jacobian_symbol_and_dims(scene):
    za = scene.edge_item("Z1", "A1").label_text()
    assert "diag(f'(Z" in za and "3 × 3" in za and "n1 × n1" in za
    assert za.startswith("∂A1/∂Z1")
    wz = scene.edge_item("W1", "Z1").label_text()
    assert "A0" in wz and "m1 × 1 = 2 × 1" in wz
    az = scene.edge_item("A0", "Z1").label_text()
    assert "W1" in az and "m1 × n1 = 2 × 3" in az
    bz = scene.edge_item("W0_1", "Z1").label_text()
    assert "\nI\n" in bz and "3 × 3" in bz
    soft = scene.edge_item("Z2", "A2").label_text()
    assert "diag(A2) − A2 (A2)T" in soft and "2 × 2" in soft
    loss = scene.edge_item("A2", "L").label_text()
    assert loss.startswith("∂L/∂A2") and "n2 × 1 = 2 × 1" in loss
    assert symbol_html("dL/dA^2") == "∂L/∂A<sup>2</sup>"
    assert "max relative error" not in scene.edge_item("Z1", "A1").toolTip()


def test_compact_numbers():
    assert fmt(0.46211715) == "0.462" and fmt(0) == "0" and fmt(-1234567) == "-1.2e6" and fmt(1e-5) == "1.0e-5"
    cells = matrix_cells(np.arange(10.0).reshape(10, 1))
    assert len(cells) == 4 and cells[-1] == ["⋮"]
    cells = matrix_cells(np.arange(20.0).reshape(2, 10))
    assert cells[0] == ["0", "1", "2", "…"]
    assert matrix_cells(np.arange(4.0).reshape(1, 4)) == [["0", "1", "2", "3"]]    # a batch of 4 whole


# ---------------------------------------------------------------- stepping

def test_step_shows_value_and_highlights_node_and_edges(scene, session):
    z1 = scene.node_item("Z1")
    used = {("A0", "Z1"), ("W1", "Z1"), ("W0_1", "Z1")}
    assert z1.shown_value() is None and not z1.known and not z1.current
    assert scene.node_item("A0").shown_value() == "1\n2"           # inputs are always known
    assert scene.node_item("W1").shown_value() is not None

    session.next()
    assert z1.known and z1.current and z1.phase == "forward"
    assert z1.shown_value() == "\n".join(fmt(x) for x in session.evaluation.values["Z1"].ravel())
    for edge, e in scene.edge_items.items():
        assert e.current == (edge in used), edge
        assert e.done == (edge in used), edge
    assert all(scene.edge_item(*e).phase == "forward" for e in used)
    assert not scene.node_item("A1").known

    session.next()                   # A1: Z1 is no longer the current node
    assert not z1.current and z1.known and scene.node_item("A1").current
    assert scene.edge_item("Z1", "A1").current and not scene.edge_item("A0", "Z1").current

    session.previous()
    session.previous()
    assert not z1.known and not z1.current and z1.shown_value() is None
    assert not any(e.current or e.done for e in scene.edge_items.values())


def test_shown_state_matches_session_at_every_position(scene, session):
    for k in range(len(session.steps) + 1):
        session.jump(k)
        shown = {n for n, it in scene.node_items.items() if it.shown_value() is not None}
        assert shown == session.known_values(), k
        grads = {n for n, it in scene.node_items.items() if it.shown_grad() is not None}
        assert grads == session.known_grads(), k
        current = [n for n, it in scene.node_items.items() if it.current]
        assert current == ([session.current.node] if session.current else [])
    # and backwards, jumping
    session.jump(3)
    assert {n for n, it in scene.node_items.items() if it.shown_value() is not None} == session.known_values()


def test_backward_shows_gradients_in_grad_colour_and_reverse_arrows(scene, session):
    session.run_to_end()
    z1 = scene.node_item("Z1")
    g = session.evaluation.grads["Z1"]
    assert z1.shown_grad() == "∂L/∂Z1 = " + "\n".join(fmt(x) for x in g.ravel())
    a0 = scene.node_item("A0")
    assert a0.current and a0.phase == "backward" and a0.shown_grad() is not None
    e = scene.edge_item("A0", "Z1")
    assert e.current and e.phase == "backward" and e.back_done
    assert scene.node_item("Y").shown_grad() is None and scene.node_item("L").shown_value() == fmt(session.evaluation.loss)
    # the gradient is drawn in theme.grad: a pixel of that colour exists in a render of the node
    img = QImage(400, 400, QImage.Format_ARGB32)
    img.fill(LIGHT.background)
    p = QPainter(img)
    r = z1.sceneBoundingRect()
    scene.render(p, QRectF(0, 0, 400, 400), r, Qt.KeepAspectRatio)
    p.end()
    grad = LIGHT.grad
    near = 0
    for y in range(0, 400, 2):
        for x in range(0, 400, 2):
            c = img.pixelColor(x, y)
            if abs(c.red() - grad.red()) < 40 and abs(c.green() - grad.green()) < 40 and abs(c.blue() - grad.blue()) < 40:
                near += 1
    assert near > 20


def test_tooltips(scene, session):
    z1 = scene.node_item("Z1")
    tip = z1.toolTip()
    assert "pre-activation" in tip and "Z<sup>1</sup>" in tip and "3 × 1" in tip and "not computed" in tip
    session.next()
    tip = z1.toolTip()
    assert "not computed" not in tip and fmt(session.evaluation.values["Z1"][0, 0]) in tip
    assert "input" in scene.node_item("A0").toolTip()
    assert "offset" in scene.node_item("W0_1").toolTip()
    assert "diag" in scene.edge_item("Z1", "A1").toolTip()


def test_a_tooltip_is_written_when_it_can_be_seen(scene, session):
    """Tooltips are made on hover (or when read), not on every step; what Qt shows is never stale."""
    from PySide6.QtWidgets import QGraphicsItem
    z1, edge = scene.node_item("Z1"), scene.edge_item("Z1", "A1")
    session.next()                                   # Z1 computed: its tooltip is due, not yet written
    z1.hoverEnterEvent(None)                         # the mouse arrives: Qt's own copy is up to date
    shown = QGraphicsItem.toolTip(z1)
    assert "not computed" not in shown and fmt(session.evaluation.values["Z1"][0, 0]) in shown
    session.jump(0)                                  # stepping while the mouse rests on it
    assert "not computed" in QGraphicsItem.toolTip(z1)
    z1.hoverLeaveEvent(None)
    session.next()                                   # not under the mouse: read on demand
    assert "not computed" not in z1.toolTip()
    edge.label.hoverEnterEvent(None)                 # the pill shows its edge's tooltip
    assert "diag" in QGraphicsItem.toolTip(edge.label) and "diag" in QGraphicsItem.toolTip(edge)


# ---------------------------------------------------------------- selection both ways

@pytest.fixture
def view(qtbot, scene):
    v = GraphView(scene)
    qtbot.addWidget(v)
    v.resize(1280, 720)
    v.show()
    qtbot.waitExposed(v)
    v.fit()
    return v


def _click(qtbot, view, scene_point: QPointF):
    pos = view.mapFromScene(scene_point)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=pos)


def _selections(session):
    """Every selection_changed the session sends (a click must select once, through the session alone)."""
    seen = []
    session.selection_changed.connect(seen.append)
    return seen


def test_click_node_selects_it(qtbot, view, scene, session):
    item = scene.node_item("Z1")
    seen = _selections(session)
    with qtbot.waitSignal(scene.inspect_requested, timeout=1000):
        _click(qtbot, view, item.scenePos())
    assert seen == ["Z1"]
    assert session.selection == "Z1"
    assert item.selected


def test_click_edge_and_pill_select_the_edge(qtbot, view, scene, session):
    e = scene.edge_item("Z1", "A1")
    seen = _selections(session)
    with qtbot.waitSignal(scene.inspect_requested, timeout=1000):
        _click(qtbot, view, e.label.scenePos())
    assert seen == [("Z1", "A1")]
    assert session.selection == ("Z1", "A1") and e.selected
    # the curve itself is clickable (a generous stroke), away from the pill
    w = scene.edge_item("W1", "Z1")
    point = w.path.pointAtPercent(0.15)
    assert scene.itemAt(point, view.transform()) in (w,)
    with qtbot.waitSignal(scene.inspect_requested, timeout=1000):
        _click(qtbot, view, point)
    assert seen == [("Z1", "A1"), ("W1", "Z1")] and session.selection == ("W1", "Z1")
    assert w.selected and not e.selected


def test_click_empty_space_clears_selection(qtbot, view, scene, session):
    session.select("A1")
    bounds = scene.items_bounds()
    empty = QPointF(bounds.center().x(), bounds.bottom() - 4)
    assert not [i for i in scene.items(empty) if isinstance(i, (NodeItem, EdgeItem, EdgeLabelItem))]
    seen = _selections(session)
    with qtbot.assertNotEmitted(scene.inspect_requested):
        _click(qtbot, view, empty)
    assert seen == [None]
    assert session.selection is None
    assert not scene.node_item("A1").selected


def test_session_select_marks_the_item(scene, session):
    session.select(("Z1", "A1"))
    assert scene.edge_item("Z1", "A1").selected
    session.select("W0_2")
    assert not scene.edge_item("Z1", "A1").selected and scene.node_item("W0_2").selected
    session.select(None)
    assert not any(i.selected for i in scene.node_items.values())
    assert not any(e.selected for e in scene.edge_items.values())


# ---------------------------------------------------------------- display options, checks, rebuild

def test_layout_switch_transposes_edge_dims(scene, session):
    session.set_layout("numerator")
    wz = scene.edge_item("W1", "Z1").label_text()
    assert "1 × m1 = 1 × 2" in wz and "(A0)T" in wz
    assert "n1 × m1 = 3 × 2" in scene.edge_item("A0", "Z1").label_text()
    assert "numerator" in scene.edge_item("A0", "Z1").toolTip()
    session.run_to_end()
    assert scene.node_item("Z1").shown_grad().count("\n") == 0            # a row in numerator layout
    assert _overlaps(scene) == []
    session.set_layout("denominator")
    assert "m1 × 1 = 2 × 1" in scene.edge_item("W1", "Z1").label_text()
    assert scene.node_item("Z1").shown_grad().count("\n") == 2


def test_example_switch_keeps_labels(example_net):
    s = Session(example_net("softmax-3class"))
    sc = GraphScene(s, LIGHT)
    before = {k: e.label_text() for k, e in sc.edge_items.items()}
    assert "ex 1 of 3" in before[("Z1", "A1")] and "ex 1 of 3" not in before[("A0", "Z1")]   # W is one for all
    s.set_example(2)
    after = {k: e.label_text() for k, e in sc.edge_items.items()}
    assert "ex 3 of 3" in after[("Z1", "A1")] and "ex 3 of 3" in after[("W1", "Z1")]
    assert {k: t.replace("ex 3 of 3", "ex 1 of 3") for k, t in after.items()} == before
    assert "n1 × b = 4 × 3" in sc.node_item("Z1").label_text()
    sc.detach()


def test_check_marks_ok_and_bad_with_note(qtbot, example_net):
    s = Session(example_net("relu-kink"))
    sc = GraphScene(s, LIGHT)
    report = s.run_check()
    bad = sc.edge_item("Z1", "A1")
    assert bad.check is report.edges[("Z1", "A1")] and not bad.check.ok
    assert "max relative error" in bad.toolTip() and "kink" in bad.toolTip() and "✗" in bad.toolTip()
    good = sc.edge_item("A0", "Z1")
    assert good.check.ok and "✓" in good.toolTip() and "max relative error" in good.toolTip()
    assert sc.node_item("Z1").check is report.nodes["Z1"] and not sc.node_item("Z1").check.ok
    assert sc.node_item("A2").check.ok
    assert sc.node_item("L").check is None                        # the loss itself is not checked
    s.check_changed.emit(None)
    assert all(i.check is None for i in sc.node_items.values())
    assert all(e.check is None for e in sc.edge_items.values())
    assert "max relative error" not in bad.toolTip()
    sc.detach()


def test_net_changed_rebuilds(scene, session):
    old = scene.node_item("Z1")
    session.select("A1")
    session.set_net(_net(3))
    assert len(scene.node_items) == 4 * 3 + 3 and len(scene.edge_items) == 4 * 3 + 2
    assert set(scene.node_items) == set(session.graph.nodes)
    assert sum(isinstance(i, NodeItem) for i in scene.items()) == 15
    assert old not in scene.items()
    assert scene.node_item("A1").selected                         # the selection survived the edit
    session.next()
    assert scene.node_item("Z1").current


def test_theme_and_font_scale(scene, session):
    scene.set_theme(DARK)
    assert scene.backgroundBrush().color() == DARK.background
    w = scene.edge_item("Z1", "A1").label.w
    width = scene.items_bounds().width()
    scene.set_font_scale(1.6)
    assert scene.edge_item("Z1", "A1").label.w == pytest.approx(w * 1.6, rel=0.15)
    assert scene.items_bounds().width() > width
    assert _overlaps(scene) == []


# ---------------------------------------------------------------- layout quality

@pytest.mark.parametrize("name", sorted(example_paths()))
@pytest.mark.parametrize("layout", ["denominator", "numerator"])
def test_no_label_overlaps_and_left_to_right(name, layout):
    s = Session(load_net(example_paths()[name]), layout=layout)
    sc = GraphScene(s, LIGHT)
    s.run_to_end()
    assert _overlaps(sc) == []
    L = s.net.L
    xs = [sc.node_item(n).x() for n in ["A0"] + [f"{k}{l}" for l in range(1, L + 1) for k in "ZA"] + ["L"]]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    for l in range(1, L + 1):
        w = next(u for u in s.graph.predecessors(f"Z{l}") if s.graph.nodes[u]["kind"] == "W")   # W^k when tied
        assert sc.node_item(w).y() < 0 < sc.node_item(f"W0_{l}").y()
        assert sc.node_item(f"A{l - 1}").x() < sc.edge_item(w, f"Z{l}").label.x() < sc.node_item(f"Z{l}").x()
    assert sc.node_item("Y").y() < 0 and sc.node_item("Y").x() < sc.node_item("L").x()
    # pills sit on their edge's corridor, between the two cards they join
    for (u, v), e in sc.edge_items.items():
        if sc.node_item(u).kind in ("A", "Z"):
            assert sc.node_item(u).x() < e.label.x() < sc.node_item(v).x()
    sc.detach()


# ---------------------------------------------------------------- performance

def _touch_counts(scene) -> int:
    return sum(i.refreshes for i in scene.node_items.values()) + sum(e.refreshes for e in scene.edge_items.values())


@pytest.mark.parametrize("L", [2, 50])
def test_stepping_touches_a_bounded_number_of_items(L):
    s = Session(_net(L))
    sc = GraphScene(s, LIGHT)
    assert len(sc.node_items) == 4 * L + 3
    counts = []
    for k in (len(s.steps) // 3, len(s.steps) - 2):
        s.jump(k)
        before = _touch_counts(sc)
        s.next()
        counts.append(_touch_counts(sc) - before)
        nodes, edges = sc.last_touched
        assert len(nodes) <= 2 and len(edges) <= 6
        before = _touch_counts(sc)
        s.previous()
        counts.append(_touch_counts(sc) - before)
    assert max(counts) <= 8, counts                 # the same bound for 2 and 50 layers
    assert sc.node_item(s.current.node).current
    sc.detach()


# ---------------------------------------------------------------- view

def test_view_zoom_fit_and_actions(qtbot, view, scene, session):
    assert view.renderHints() & QPainter.Antialiasing and view.renderHints() & QPainter.TextAntialiasing
    assert view.dragMode() == GraphView.ScrollHandDrag
    keys = {a: [s.toString() for s in getattr(view, a).shortcuts()]
            for a in ("zoom_in_action", "zoom_out_action", "reset_zoom_action", "fit_action")}
    assert "Ctrl+=" in keys["zoom_in_action"] and "Ctrl++" not in keys["zoom_in_action"]  # Ctrl++ clashed with Larger text
    assert keys["zoom_out_action"][0] in ("Ctrl+-",) and "Ctrl+0" in keys["reset_zoom_action"]
    assert "Ctrl+9" in keys["fit_action"]
    # fit: the whole graph inside the viewport
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(scene.items_bounds())
    z = view.zoom_factor
    assert 0.3 < z < 2.0
    view.zoom_in_action.trigger()
    assert view.zoom_factor == pytest.approx(z * 1.25)
    view.zoom_out()
    assert view.zoom_factor == pytest.approx(z)
    view.reset_zoom()
    assert view.zoom_factor == pytest.approx(1.0)
    view.fit_action.trigger()
    assert view.zoom_factor == pytest.approx(z)
    # F fits too, while the canvas has focus
    view.reset_zoom()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key_F)
    assert view.zoom_factor == pytest.approx(z)
    # larger text is larger on screen: the zoom stays, the same part of the graph stays in the middle
    view.fit()
    z = view.zoom_factor
    before = view.mapFromScene(scene.node_item("Z2").scenePos())
    scene.set_font_scale(1.5)
    assert view.zoom_factor == pytest.approx(z)
    after = view.mapFromScene(scene.node_item("Z2").scenePos())
    assert abs(after.x() - view.viewport().width() / 2) < abs(before.x() - view.viewport().width() / 2) * 1.5 + 40
    scene.set_font_scale(1.0)
    # a new net refits
    view.zoom_in()
    session.set_net(_net(4))
    qtbot.waitUntil(lambda: view.mapToScene(view.viewport().rect()).boundingRect().contains(scene.items_bounds()),
                    timeout=1000)


def test_view_follows_the_current_step_on_a_big_net(qtbot):
    s = Session(_net(12))
    sc = GraphScene(s, LIGHT)
    v = GraphView(sc)
    qtbot.addWidget(v)
    v.resize(1280, 720)
    v.show()
    qtbot.waitExposed(v)
    v.reset_zoom()
    v.centerOn(sc.node_item("A0"))
    s.jump(s.forward_length - 2)                 # far to the right
    visible = v.mapToScene(v.viewport().rect()).boundingRect()
    assert visible.contains(sc.node_item(s.current.node).sceneBoundingRect())
    assert v.zoom_factor == pytest.approx(1.0)
    v.detach()
    sc.detach()


# ---------------------------------------------------------------- pictures

@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_render_png(tmp_path, session, theme):
    sc = GraphScene(session, theme)
    session.jump(len(session.steps) - 3)
    session.select(("Z1", "A1"))
    img = _render(sc, str(tmp_path / f"canvas-{theme.name}.png"))
    bg = theme.background.rgb()
    ink = sum(1 for y in range(0, 900, 6) for x in range(0, 1600, 6) if img.pixel(x, y) != bg)
    assert ink > 0.08 * (150 * 267)
    sc.detach()


def test_the_graph_keeps_fitting_until_the_person_zooms(qtbot, view, session):
    """A smaller window, a docked editor or the numerator layout: the whole graph stays in view;
    once the person zooms, the view leaves the zoom alone."""
    def whole_graph_visible():
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        return shown.contains(view.scene().items_bounds())

    view.resize(1200, 700)
    QApplication.processEvents()
    view.fit()
    assert whole_graph_visible()
    view.resize(600, 500)                      # smaller: refitted
    QApplication.processEvents()
    assert whole_graph_visible()
    session.set_layout("numerator")            # wider labels: refitted
    QApplication.processEvents()
    assert whole_graph_visible()
    view.zoom_in()
    view.zoom_in()
    zoom = view.zoom_factor
    view.resize(900, 600)                      # the person zoomed: the zoom stays
    QApplication.processEvents()
    assert view.zoom_factor == pytest.approx(zoom)
