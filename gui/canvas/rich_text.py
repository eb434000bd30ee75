"""One line of the canvas's rich text (Z<sup>1</sup>, ∂L/∂W<sup>2</sup>, n<sup>1</sup> × 1): measured once,
drawn in any colour.

The canvas's labels use a tiny subset of Qt's rich text: plain text, `<sup>`, `<sub>`, `<b>`, `<i>`,
`<span>` and the entities &amp; &lt; &gt;. That subset is laid out here with font metrics and drawn run by
run with QPainter.drawText, the way QTextDocument draws it (a script run in a font 2/3 the size, a
superscript's baseline raised by half its font's height, a subscript's lowered by a sixth). A
QTextDocument per label costs ~0.6 ms to lay out; a scene has ~60 labels, so this roughly halves the
time of the first frame's canvas and of every restyle. Anything outside the subset still goes to a
QTextDocument, so no label is ever drawn wrong.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

_TOKEN = re.compile(r"<(/?)([a-z]+)>|([^<]+)")
_SIMPLE_TAGS = {"sup", "sub", "b", "i", "span"}
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&nbsp;", "\u00a0"), ("&amp;", "&"))
SCRIPT_SCALE = 2 / 3          # QTextDocument's size for <sup> and <sub>
SUPER_RAISE = 0.5             # a superscript's baseline, up by this part of its own font's height (Qt's default)
SUB_DROP = 1 / 6              # a subscript's baseline, down by this part (Qt's default)


def _unescape(text: str) -> str:
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def parse_runs(html: str) -> list[tuple[str, str | None, bool, bool]] | None:
    """(text, script, bold, italic) runs of html, or None when it uses more than the canvas's subset."""
    runs: list[tuple[str, str | None, bool, bool]] = []
    open_tags: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(html):
        if m.start() != pos:
            return None                               # a "<" that opens no tag we know
        pos = m.end()
        closing, tag, text = m.groups()
        if text is not None:
            if "&" in text and re.search(r"&(?!(lt|gt|quot|nbsp|amp);)", text):
                return None                           # an entity Qt knows and we don't
            script = next((t for t in reversed(open_tags) if t in ("sup", "sub")), None)
            runs.append((_unescape(text), script, "b" in open_tags, "i" in open_tags))
        elif tag not in _SIMPLE_TAGS:
            return None
        elif closing:
            if not open_tags or open_tags[-1] != tag:
                return None
            open_tags.pop()
        elif tag in ("sup", "sub") and any(t in ("sup", "sub") for t in open_tags):
            return None                               # a script inside a script: Qt's own layout
        else:
            open_tags.append(tag)
    if pos != len(html) or open_tags:
        return None
    return runs


class RichText:
    """One line of rich text in a font: `width`, `height`, `plain()`, `draw(p, x, y, color)`."""

    __slots__ = ("html", "width", "height", "_runs", "_baseline", "_doc")

    def __init__(self, html: str, font: QFont):
        self.html = html
        self._doc = None
        runs = parse_runs(html)
        if runs is None:
            self._init_document(html, font)
            return
        metrics = {}

        def font_for(script, bold, italic):
            key = (script, bold, italic)
            if key not in metrics:
                f = QFont(font)
                if bold:
                    f.setBold(True)
                if italic:
                    f.setItalic(True)
                if script:
                    if f.pixelSize() > 0:
                        f.setPixelSize(max(1, round(f.pixelSize() * SCRIPT_SCALE)))
                    else:
                        f.setPointSizeF(f.pointSizeF() * SCRIPT_SCALE)
                metrics[key] = (f, QFontMetricsF(f))
            return metrics[key]

        base = QFontMetricsF(font)
        placed = []
        x = 0.0
        for text, script, bold, italic in runs:
            f, fm = font_for(script, bold, italic)
            shift = 0.0
            if script == "sup":
                shift = -fm.height() * SUPER_RAISE
            elif script == "sub":
                shift = fm.height() * SUB_DROP
            placed.append((x, shift, text, f))
            x += fm.horizontalAdvance(text)
        self._runs = placed
        # as QTextDocument measures a line: the base font's height rounded up, whatever its scripts
        self._baseline = base.ascent()
        self.width = x
        self.height = float(math.ceil(base.height()))

    def _init_document(self, html: str, font: QFont) -> None:
        from PySide6.QtGui import QTextDocument
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setUndoRedoEnabled(False)
        doc.setDefaultFont(font)
        doc.setHtml(html)
        self._doc = doc
        self._runs = ()
        self._baseline = 0.0
        # measured once: the document never changes, and laying it out again for every query adds up
        self.width = doc.idealWidth()
        self.height = doc.size().height()

    def plain(self) -> str:
        if self._doc is not None:
            return self._doc.toPlainText()
        return "".join(text for _, _, text, _ in self._runs)

    def draw(self, p: QPainter, x: float, y: float, color: QColor) -> None:
        if self._doc is not None:
            self._draw_document(p, x, y, color)
            return
        p.save()
        p.setPen(color)
        baseline = y + self._baseline
        for dx, shift, text, font in self._runs:
            p.setFont(font)
            p.drawText(QPointF(x + dx, baseline + shift), text)
        p.restore()

    def _draw_document(self, p: QPainter, x: float, y: float, color: QColor) -> None:
        from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette
        p.save()
        p.translate(x, y)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        pal = ctx.palette
        pal.setColor(QPalette.Text, color)
        ctx.palette = pal
        self._doc.documentLayout().draw(p, ctx)
        p.restore()

    def draw_centered(self, p: QPainter, cx: float, y: float, color: QColor) -> None:
        self.draw(p, cx - self.width / 2, y, color)
