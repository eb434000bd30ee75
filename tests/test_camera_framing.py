"""The camera frames a tied W's gradient step with the result and its operands inside the view: the
tie band sits just above the nodes it feeds (not above every W of the net), and the margins give way
before a framed item is cut at the view's edge. Before, the operands sat cut off at the bottom edge."""

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication

from test_presenting import _window

from chainview.core import example_path
from chainview.core.netfile import load_net
from chainview.gui.canvas import camera
from chainview.gui.canvas.node_item import NodeItem


def _tied_window(qtbot, size, present=False):
    w = _window(qtbot, size, net=load_net(example_path("unrolled-tied")))
    if present:
        w.presenter.set_active(True)
    s = w.session
    s.jump(next(k for k, st in enumerate(s.steps, 1) if st.phase == "backward" and st.node == "W1"))
    for _ in range(3):
        QApplication.processEvents()
    return w


def _on_screen(w, item) -> QRectF:
    return QRectF(w.view.mapFromScene(camera.item_rect(item)).boundingRect())


@pytest.mark.parametrize("size,present", [((1280, 720), False), ((1280, 720), True), ((1600, 900), False)],
                         ids=["1280x720", "1280x720-present", "1600x900"])
def test_a_tied_w_and_its_operands_sit_inside_the_view(qtbot, size, present):
    w = _tied_window(qtbot, size, present)
    items = camera.step_items(w.scene, w.session.current)
    result, operands = items[0], [it for it in items[1:] if isinstance(it, NodeItem)]
    assert result.node == "W1" and {"A0", "Z1", "A1", "Z2", "A2", "Z3"} <= {it.node for it in operands}
    vp = QRectF(w.view.available_rect())
    inner = vp.adjusted(camera.MIN_MARGIN_PX - 1, camera.MIN_MARGIN_PX - 1,
                        -camera.MIN_MARGIN_PX + 1, -camera.MIN_MARGIN_PX + 1)
    assert inner.contains(_on_screen(w, result))                     # the result whole, with a margin
    for op in operands:                                              # no operand cut at the top or bottom edge
        r = _on_screen(w, op)
        assert inner.top() <= r.top() and r.bottom() <= inner.bottom(), (op.node, r, vp)
    whole = [op.node for op in operands if inner.contains(_on_screen(w, op))]
    assert len(whole) >= 2, whole                                    # the operands beside it, wholly in view
    w.set_modified(False)


def test_the_tie_band_sits_just_above_the_nodes_it_feeds(qtbot):
    w = _tied_window(qtbot, (1280, 720))
    tied = w.scene.node_item("W1")
    fed_top = min(camera.item_rect(w.scene.node_item(z)).top() for z in ("Z1", "Z2", "Z3"))
    w4_top = camera.item_rect(w.scene.node_item("W4")).top()        # a W with a tall block elsewhere
    assert camera.item_rect(tied).bottom() < fed_top
    assert camera.item_rect(tied).bottom() > w4_top                  # not lifted over W4's block
    assert fed_top - camera.item_rect(tied).bottom() < 0.5 * (fed_top - w4_top) + 60
    w.set_modified(False)


def test_margins_give_way_before_the_framed_items_are_cut():
    avail = QRectF(0, 0, 800, 500)
    roomy = QRectF(0, 0, 300, 200)
    zoom, _ = camera.frame(roomy, roomy, avail, 1.0)
    assert zoom >= 1.0
    tight = QRectF(0, 0, 300, 480)                   # fits whole only with margins under MARGIN_PX
    zoom, centre = camera.frame(tight, QRectF(0, 0, 100, 100), avail, 1.0)
    half = (500 / 2) / zoom
    assert centre.y() - half <= tight.top() and tight.bottom() <= centre.y() + half
    assert camera._margin(500, 480) == camera.MIN_MARGIN_PX + 2
    assert camera._margin(500, 100) == camera.MARGIN_PX
