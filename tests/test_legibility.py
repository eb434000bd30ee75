"""Readable when screen-shared (issue 10): the canvas follows the step with every label of the current
step's items at least 14 px high on screen (font pixel size × the view's scale) at 1280×720 and
1024×768, larger text raises it, canvas text reaches 4.5:1 contrast in both themes, and the lit
operands are the equation's factors one to one."""

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from chainview.core import Session, build_net
from chainview.gui.canvas import camera
from chainview.gui.canvas.edge_item import EdgeItem
from chainview.gui.canvas.node_item import NodeItem
from chainview.gui.canvas.scene import GraphScene
from chainview.gui.window.main_window import MainWindow
from chainview.gui.settings import Settings
from chainview.gui.theme import DARK, LIGHT, MIN_CONTRAST, contrast, operand_color


def _net(layers: int, units: int = 3):
    spec = [{"units": units, "activation": "tanh"} for _ in range(layers - 1)]
    spec.append({"units": 2, "activation": "softmax"})
    return build_net([[0.5], [-1.0]], [[1.0], [0.0]], "nllm", spec, seed=3)


def _window(qtbot, net, size, **options):
    w = MainWindow(Session(net), settings=Settings.ephemeral(), theme="light", restore_geometry=False,
                   first_run_hint=False, **options)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.view.reduce_motion = True          # the camera lands at once: what is measured is where it stays
    QApplication.processEvents()
    return w


def _label_heights(w):
    """(smallest on-screen label height in px, the step's items) for the current step."""
    scale = w.view.transform().m11()
    items = camera.step_items(w.scene, w.session.current)
    sizes = [f.pixelSize() * scale for it in items for f in camera.label_fonts(it)]
    assert sizes, "the step's items have labels"
    return min(sizes), items


def _steps_to_check(session):
    n, fwd = len(session.steps), session.forward_length
    return sorted({1, 2, fwd // 2, fwd, fwd + 1, fwd + (n - fwd) // 2, n - 1, n})


@pytest.mark.parametrize("size", [(1280, 720), (1024, 768)], ids=["1280x720", "1024x768"])
@pytest.mark.parametrize("layers", [2, 4, 8])
def test_every_label_of_the_current_step_is_at_least_14px(qtbot, layers, size):
    w = _window(qtbot, _net(layers), size)
    s = w.session
    assert w.inspector_dock.isVisible() and w.steps_dock.isVisible()      # the panels as they open by default
    vp = QRectF(w.view.viewport().rect())
    for k in _steps_to_check(s):
        s.jump(k)
        QApplication.processEvents()
        smallest, items = _label_heights(w)
        assert smallest >= 14 - 1e-6, (layers, size, k, smallest)
        # and the result is on screen, not framed somewhere off to the side
        result = w.view.mapFromScene(items[0].sceneBoundingRect()).boundingRect()
        assert vp.intersects(QRectF(result)), (layers, size, k)
        assert vp.contains(QRectF(result).center()), (layers, size, k)
    w.set_modified(False)


def test_stepping_by_key_moves_the_camera_to_the_step_at_the_floor(qtbot):
    w = _window(qtbot, _net(8), (1280, 720))
    w.view.reduce_motion = False
    s = w.session
    s.jump(3)
    QApplication.processEvents()
    w.next_action.trigger()                      # animated: lands within 250 ms
    assert w.view.animating
    assert w.view._anim.duration() <= 250
    qtbot.waitUntil(lambda: not w.view.animating, timeout=5000)
    smallest, items = _label_heights(w)
    assert smallest >= 14 - 1e-6
    vp = QRectF(w.view.viewport().rect())
    assert w.view.viewport().rect().contains(w.view.mapFromScene(items[0].sceneBoundingRect().center()))
    w.set_modified(False)


def test_larger_text_raises_the_label_height(qtbot):
    w = _window(qtbot, _net(4), (1280, 720))
    s = w.session
    s.jump(s.forward_length + 3)
    QApplication.processEvents()
    before, _ = _label_heights(w)
    w.larger_text_action.trigger()
    w.larger_text_action.trigger()
    QApplication.processEvents()
    after, _ = _label_heights(w)
    assert after > before * 1.15
    assert after >= 14 * w.font_scale - 1e-6          # the floor grew with the text
    w.apply_font_scale(1.0)
    w.set_modified(False)


def test_a_zoom_by_hand_pauses_following_until_the_next_step(qtbot):
    w = _window(qtbot, _net(8), (1280, 720))
    s = w.session
    s.jump(4)
    QApplication.processEvents()
    w.view.zoom_out()
    w.view.zoom_out()
    z = w.view.zoom_factor
    w.resize(1200, 700)                           # no reframing while paused
    QApplication.processEvents()
    assert w.view.zoom_factor == pytest.approx(z)
    s.next()
    QApplication.processEvents()
    assert _label_heights(w)[0] >= 14 - 1e-6
    w.view.follow = False                          # View ▸ Follow the step off: the zoom stays
    w.view.zoom_out()
    z = w.view.zoom_factor
    s.next()
    QApplication.processEvents()
    assert w.view.zoom_factor == pytest.approx(z)
    w.set_modified(False)


def test_fit_all_still_fits_everything(qtbot):
    w = _window(qtbot, _net(8), (1280, 720))
    w.session.jump(10)
    QApplication.processEvents()
    w.view.fit_action.trigger()
    shown = w.view.mapToScene(w.view.viewport().rect()).boundingRect()
    assert shown.contains(w.scene.items_bounds())
    w.set_modified(False)


# ---------------------------------------------------------------- contrast

def _all_states(scene):
    """Every node and pill in every state the canvas draws: not computed, computed, current (forward
    and backward), lit as an operand, selected."""
    s = scene.session
    for k in range(len(s.steps) + 1):
        s.jump(k)
        yield from scene.node_items.values()
        yield from (e.label for e in scene.edge_items.values())


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])
def test_canvas_text_contrast_is_at_least_4_5(qtbot, default_net, theme):
    scene = GraphScene(Session(default_net), theme)
    worst = (99.0, None)
    for item in _all_states(scene):
        for role, (fg, bg) in item.colors().items():
            ratio = contrast(fg, bg)
            need = 3.0 if role.startswith("lit_") else MIN_CONTRAST     # a ring is a graphic: 3:1
            if ratio / need < worst[0]:
                worst = (ratio / need, (getattr(item, "node", None), role, fg.name(), bg.name(), ratio))
    assert worst[0] >= 1.0, worst
    scene.detach()


def test_highlighted_nodes_keep_their_contrast_in_dark(default_net):
    scene = GraphScene(Session(default_net), DARK)
    s = scene.session
    s.jump(s.forward_length + 3)                  # dL/dW²: W² current, A¹ and Z² lit
    for node in (s.current.node, "A1", "Z2"):
        item = scene.node_item(node)
        assert item.current or item.lit
        for role, (fg, bg) in item.colors().items():
            assert contrast(fg, bg) >= (3.0 if role.startswith("lit_") else MIN_CONTRAST), (node, role)
    scene.detach()


def test_contrast_is_computed_as_wcag_says():
    from PySide6.QtGui import QColor
    assert contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)


# ---------------------------------------------------------------- lighting the equation

def test_the_lit_items_are_the_equations_factors_one_to_one(default_net):
    scene = GraphScene(Session(default_net), LIGHT)
    s = scene.session
    for k in range(1, len(s.steps) + 1):
        s.jump(k)
        step = s.current
        lit = {}
        for node, item in scene.node_items.items():
            for part, color in item.lit.items():
                lit[(part, node)] = color.name()
        for (u, v), e in scene.edge_items.items():
            if e.lit is not None:
                lit[("jacobian", (u, v))] = e.lit.name()
        expected = {(op.kind, tuple(op.ref) if op.kind == "jacobian" else op.ref): operand_color(LIGHT, op.kind).name()
                    for op in step.operands}
        assert lit == expected, (k, step.equation)
    # dL/dW² = A¹ (dL/dZ²)ᵀ: A¹'s value and Z²'s gradient, in the step card's colours
    s.jump(s.forward_length + 3)
    assert s.current.node == "W2"
    assert set(scene.node_item("A1").lit) == {"value"} and set(scene.node_item("Z2").lit) == {"grad"}
    assert scene.node_item("Z2").lit["grad"] == LIGHT.grad
    assert scene.node_item("W2").current
    scene.detach()


def test_a_step_lights_and_frames_only_its_own_items(default_net):
    """O(1) in depth: the camera and the lighting see only the step's few items."""
    for layers in (2, 30):
        scene = GraphScene(Session(_net(layers)), LIGHT)
        s = scene.session
        s.jump(s.forward_length + 2)
        items = camera.step_items(scene, s.current)
        assert 1 <= len(items) <= 8
        assert all(isinstance(i, (NodeItem, EdgeItem)) or hasattr(i, "edge") for i in items)
        scene.detach()


# ---------------------------------------------------------------- minimap

def test_the_minimap_shows_the_net_and_a_click_looks_there(qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest
    from PySide6.QtCore import Qt as _Qt
    w = _window(qtbot, _net(8), (1280, 720))
    s = w.session
    s.jump(4)
    QApplication.processEvents()
    mm = w.view.minimap
    qtbot.waitUntil(mm.isVisible, timeout=2000)            # part of the net is out of view
    # it sits clear of the step it frames
    items = camera.step_items(w.scene, s.current)
    framed = QRectF(w.view.mapFromScene(camera.items_rect(items)).boundingRect())
    assert not QRectF(mm.geometry()).intersects(framed)
    mm.grab()                                                # paints: the picture is made
    before = w.view.mapToScene(w.view.viewport().rect().center())
    QTest.mouseClick(mm, _Qt.LeftButton, pos=QPoint(mm.width() - 6, mm.height() // 2))   # the far end: L
    after = w.view.mapToScene(w.view.viewport().rect().center())
    assert after.x() > before.x() + 200
    assert not w.view.following                              # looking around pauses following...
    s.next()
    QApplication.processEvents()
    assert w.view.following                                  # ...until the next step
    w.view.fit_action.trigger()
    QApplication.processEvents()
    assert not mm.isVisible()                                # everything in view: no overview needed
    w.set_modified(False)
