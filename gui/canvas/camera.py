"""Where the canvas looks: each step frames its result, operands and edges with every label at least
FLOOR_PX pixels high on screen (font pixel size × the view's scale), however big the net or small the window.

    items = step_items(scene, step)             # the result item first
    zoom, centre = frame(rects, result_rect, available, min_zoom(items, floor_px(...)))

Everything here works from the items' bounding rects and fonts, never from layer numbers, so it does
not care how the scene places nodes, and it touches only the few items of one step: O(1) in the net's
depth. The view (gui/canvas/view.py) applies the result, animated or not.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

FLOOR_PX = 14.0               # the smallest label height on screen a screen share can still be read at
SHARE_SIZE = (1280, 720)      # "sharing at 1280×720": a bigger window is seen scaled down to this
HEADROOM = 1.3                # a step that fits easily is shown up to this much above the floor, no more
MARGIN_PX = 28                # screen pixels kept around the framed items
MIN_MARGIN_PX = 8             # what that margin gives way to before a framed item is cut at the view's edge
ANIMATION_MS = 220            # the camera's move (≤ 250 ms); none with reduce motion or in a render


def floor_px(text_scale: float = 1.0, share_factor: float = 1.0) -> float:
    """The label floor in screen pixels: 14 px, times "Larger text", times how much a share shrinks it."""
    return FLOOR_PX * max(text_scale, 0.1) * max(share_factor, 1.0)


def share_factor(width: int, height: int) -> float:
    """How much a window of this size shrinks when shared at 1280×720 (1 for one that small or smaller)."""
    return max(1.0, min(width / SHARE_SIZE[0], height / SHARE_SIZE[1]))


def step_items(scene, step) -> list:
    """The items a step is about: its result node first, then its operands' nodes, its edges and their pills."""
    out = []

    def add(item):
        if item is not None and item not in out:
            out.append(item)

    try:
        add(scene.node_item(step.node))
    except KeyError:
        return out
    for op in step.operands:
        try:
            if op.kind == "jacobian":
                e = scene.edge_item(*op.ref)
                add(e)
                add(e.label)
            else:
                add(scene.node_item(op.ref))
        except (KeyError, TypeError):
            continue
    for u, v in step.edges:
        try:
            e = scene.edge_item(u, v)
        except KeyError:
            continue
        add(e)
        add(e.label)
    return out


def label_fonts(item) -> list:
    fonts = getattr(item, "label_fonts", None)
    return fonts() if callable(fonts) else []


def min_zoom(items, floor: float) -> float:
    """The smallest view scale at which every label of these items is at least `floor` pixels high."""
    sizes = [f.pixelSize() for item in items for f in label_fonts(item) if f.pixelSize() > 0]
    return floor / min(sizes) if sizes else 1.0


def item_rect(item) -> QRectF:
    """What of an item must be in view: its solid parts (a node's outline and value block), not the room
    its bounding rect keeps for a glow."""
    parts = getattr(item, "label_rects", None)
    rects = parts() if callable(parts) else []
    if not rects:
        return item.sceneBoundingRect()
    r = QRectF()
    for part in rects:
        r = r.united(part)
    return r


def items_rect(items) -> QRectF:
    r = QRectF()
    for item in items:
        r = r.united(item_rect(item))
    return r


def _margin(available: float, extent: float) -> float:
    """MARGIN_PX, or less (down to MIN_MARGIN_PX) when that is what lets `extent` screen pixels fit whole."""
    spare = (available - extent) / 2
    return MARGIN_PX if spare >= MARGIN_PX else max(MIN_MARGIN_PX, spare)


def frame(rect: QRectF, result: QRectF, available: QRectF, zmin: float,
          zmax: float = 8.0) -> tuple[float, QPointF]:
    """(zoom, scene point to put at the centre of `available`) that shows `rect`, never below zmin.

    If rect does not fit at zmin, the result stays wholly in view (when it can) and the rest is
    shown as far as it fits around it: the camera centres on the result and pans toward the others.
    """
    mx, my = _margin(available.width(), rect.width() * zmin), _margin(available.height(), rect.height() * zmin)
    aw, ah = max(available.width() - 2 * mx, 40.0), max(available.height() - 2 * my, 40.0)
    fit = min(aw / max(rect.width(), 1.0), ah / max(rect.height(), 1.0))
    z = max(zmin, min(fit, zmin * HEADROOM, zmax))
    hx, hy = aw / 2 / z, ah / 2 / z
    c = rect.center()

    def clamp(centre, lo, hi, half):
        # the visible span [centre - half, centre + half] must hold [lo, hi] when it can
        if hi - lo > 2 * half:
            return (lo + hi) / 2
        return min(max(centre, hi - half), lo + half)

    return z, QPointF(clamp(c.x(), result.left(), result.right(), hx),
                      clamp(c.y(), result.top(), result.bottom(), hy))


def free_rect(viewport: QRectF, covered: QRectF | None, content: QRectF | None = None) -> QRectF:
    """The strip of the viewport beside a floating card (the presenter's) that shows `content` (a size to
    frame) largest, else the biggest one, so the camera keeps the card's corner clear; the whole
    viewport when nothing covers it."""
    if covered is None or covered.isEmpty() or not viewport.intersects(covered):
        return QRectF(viewport)
    v, c = viewport, covered.intersected(viewport)
    strips = [QRectF(v.left(), v.top(), c.left() - v.left(), v.height()),
              QRectF(c.right(), v.top(), v.right() - c.right(), v.height()),
              QRectF(v.left(), v.top(), v.width(), c.top() - v.top()),
              QRectF(v.left(), c.bottom(), v.width(), v.bottom() - c.bottom())]
    if content is not None and not content.isEmpty():
        return max(strips, key=lambda r: min(max(r.width(), 0) / content.width(),
                                             max(r.height(), 0) / content.height()))
    return max(strips, key=lambda r: max(r.width(), 0) * max(r.height(), 0))
