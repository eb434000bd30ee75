"""Pictures of the graph: PNG at 2x (themed or transparent) and SVG, and clean errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtGui import QImage

from chainview.gui.canvas.export import export_png, export_svg, render_image, scene_rect
from chainview.gui.canvas.scene import GraphScene
from chainview.gui.theme import DARK, LIGHT


@pytest.fixture
def scene(qapp, session):
    session.jump(8)
    session.select(("Z1", "A1"))
    sc = GraphScene(session, LIGHT)
    yield sc
    if hasattr(sc, "detach"):
        sc.detach()


def test_png_decodes_at_twice_the_scene_size(tmp_path, scene):
    path = tmp_path / "graph.png"
    written = export_png(scene, path)
    image = QImage()
    assert image.load(str(path))
    rect = scene_rect(scene)
    assert image.width() == round(rect.width() * 2) and image.height() == round(rect.height() * 2)
    assert (written.width(), written.height()) == (image.width(), image.height())
    # the themed background fills the corners; something darker (the graph) is drawn somewhere
    assert image.pixelColor(1, 1).name() == LIGHT.background.name()
    assert image.width() > 400 and image.height() > 100


def test_png_scale_and_transparency(tmp_path, scene):
    path = tmp_path / "graph-1x.png"
    export_png(scene, path, scale=1.0, background=None)
    image = QImage(str(path))
    rect = scene_rect(scene)
    assert image.width() == round(rect.width())
    assert image.hasAlphaChannel() and image.pixelColor(0, 0).alpha() == 0
    dark = render_image(scene, 0.5, background=DARK.background)
    assert dark.pixelColor(0, 0).name() == DARK.background.name()


def test_svg_parses_and_has_the_drawing(tmp_path, scene):
    path = tmp_path / "graph.svg"
    rect = export_svg(scene, path)
    text = path.read_text(encoding="utf-8")
    assert "<svg" in text
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert root.get("viewBox") == f"0 0 {int(rect.width())} {int(rect.height())}"
    # text stays text (selectable, sharp), and there is plenty drawn
    assert len(list(root.iter())) > 50
    assert any(el.tag.endswith("text") for el in root.iter())


def test_errors_are_one_line_oserrors(tmp_path, scene):
    with pytest.raises(OSError, match="does not exist"):
        export_png(scene, tmp_path / "missing" / "x.png")
    with pytest.raises(OSError, match="does not exist"):
        export_svg(scene, tmp_path / "missing" / "x.svg")
    with pytest.raises(ValueError):
        export_png(scene, tmp_path / "x.png", scale=0)
