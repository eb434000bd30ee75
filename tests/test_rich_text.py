"""The canvas's one-line rich text (gui/canvas/rich_text.py) measures and reads as Qt's QTextDocument does."""

from __future__ import annotations

import math

import pytest
from PySide6.QtGui import QFont, QTextDocument

from chainview.gui.canvas.rich_text import RichText, parse_runs

LABELS = ["m<sup>1</sup> × n<sup>1</sup>", "= 2 × 3", "∂L/∂W<sup>12</sup>", "W0<sub>2</sub>",
          "<span>0.368</span>", "(A<sup>1</sup>)<sup>T</sup>", "a &lt; b &amp; c", "<b>Z</b><sup>3</sup>", "?"]


def _document(html: str, font: QFont) -> QTextDocument:
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setDefaultFont(font)
    doc.setHtml(html)
    return doc


@pytest.mark.parametrize("px", [9, 14, 26])
@pytest.mark.parametrize("html", LABELS)
def test_measures_and_reads_like_qt(qapp, html, px):
    font = QFont()
    font.setPixelSize(px)
    doc, label = _document(html, font), RichText(html, font)
    assert label._doc is None                                   # the fast path, not the fallback
    assert label.width == pytest.approx(doc.idealWidth(), abs=1.0)   # Qt rounds each script run
    assert label.height == pytest.approx(doc.size().height(), abs=1.0)
    assert label.plain() == doc.toPlainText()


@pytest.mark.parametrize("html", ["a<br>b", "<table><tr><td>1</td></tr></table>", "x &eacute;",
                                  "a<sup>b<sub>c</sub></sup>", "<sup>open", "a < b"])
def test_anything_else_goes_to_qt(qapp, html):
    assert parse_runs(html) is None
    font = QFont()
    font.setPixelSize(14)
    label = RichText(html, font)
    doc = _document(html, font)
    assert label._doc is not None and label.plain() == doc.toPlainText()
    assert math.isclose(label.width, doc.idealWidth())


def test_runs_carry_their_script():
    assert parse_runs("n<sup>1</sup> × 1") == [("n", None, False, False), ("1", "sup", False, False),
                                              (" × 1", None, False, False)]
