"""The handout's graph picture: the canvas (gui/canvas/scene) drawn by gui/export, as PNG bytes, no window.

    graph_pictures(session, theme="light") -> [png bytes, ...]

A wide net (12 layers and more) is cut into parts at most MAX_PART_WIDTH pixels wide, one under
the other on the page, so the labels stay readable instead of shrinking to fit one page width.
"""

from __future__ import annotations

SCALE = 1.25                # pixels per scene unit: sharp in print, a modest file
MAX_PART_WIDTH = 3600       # pixels: a short net stays one picture; a long one is cut in parts
OVERLAP = 60                # pixels repeated at each cut, so a label on the cut is whole in one part


def graph_pictures(session, theme: str = "light", scale: float = SCALE) -> list[bytes]:
    from chainview.gui.startup import ensure_app, headless_env
    headless_env()

    from chainview.gui import theme as themes
    from chainview.gui.canvas.export import render_image
    from chainview.gui.canvas.scene import GraphScene
    from chainview.gui.png import png_bytes

    ensure_app()
    scene = GraphScene(session, themes.resolve(theme))
    try:
        image = render_image(scene, scale)
    finally:
        scene.detach()
        scene.deleteLater()
    parts = []
    width = image.width()
    # a middle part carries OVERLAP on both sides: those count toward its MAX_PART_WIDTH too
    count = 1 if width <= MAX_PART_WIDTH else -(-width // (MAX_PART_WIDTH - 2 * OVERLAP))
    step = -(-width // count)
    for k in range(count):
        left = max(0, k * step - (OVERLAP if k else 0))
        right = min(width, (k + 1) * step + (OVERLAP if k < count - 1 else 0))
        part = image.copy(left, 0, right - left, image.height()) if count > 1 else image
        parts.append(png_bytes(part))
    return parts
