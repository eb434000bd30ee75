"""What every canvas item shares: the theme's colours and the fonts at a presentation scale (`Style`,
one per scene), colour mixing, and the click that goes to the scene instead of the session."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsItem

from ..theme import Theme
from .rich_text import RichText

def mix(a: QColor, b: QColor, t: float) -> QColor:
    """a blended toward b by t (0 -> a, 1 -> b)."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                           a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t, 1.0)


def alpha(c: QColor, a: float) -> QColor:
    out = QColor(c)
    out.setAlphaF(a)
    return out


@dataclass
class Style:
    """Theme colours plus fonts and metrics at a presentation scale; shared by every item of a scene."""

    theme: Theme
    scale: float = 1.0
    fonts: dict = field(default_factory=dict)
    example: tuple[int, int] | None = None     # (k, b) of a batch's example the Jacobians are for, 0-based
    _texts: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.set_scale(self.scale)

    def text(self, html: str, font: str) -> "RichText":
        """The laid-out label for html in fonts[font], one per scene: labels repeat a lot (n¹ × 1, = 3 × 1,
        ?, I: 92 labels, 55 different, in the default example), and a RichText never changes once made."""
        key = (html, font)
        label = self._texts.get(key)
        if label is None:
            if len(self._texts) > 4096:     # values change with every edit (the loss): start afresh now and then
                self._texts.clear()
            label = self._texts[key] = RichText(html, self.fonts[font])
        return label

    def set_scale(self, scale: float) -> None:
        self.scale = float(scale)
        self._texts.clear()                 # new fonts: the labels are laid out again
        s = self.scale

        def font(px: float, bold=False, italic=False) -> QFont:
            f = QFont()
            f.setPixelSize(max(1, round(px * s)))
            f.setBold(bold)
            f.setItalic(italic)
            return f

        self.fonts = {
            "symbol": font(26, bold=True),
            "dims": font(16),
            # numbers in the UI's sans, not the monospace: OCR read its dotted 0 as "@" and missed whole
            # entries (a squeezed screen share blurs them the same way); MatrixText right-aligns the columns.
            # 17, not 16: at the label floor's zoom a 16 px "-0.464" still came back as "464" now and then
            "number": font(17),
            "grad_label": font(15),
            "pill_name": font(14),
            "pill_symbol": font(18, bold=True),
            "pill_dims": font(16),
            "placeholder": font(22),
        }

    def px(self, v: float) -> float:
        return v * self.scale

    @property
    def dark(self) -> bool:
        return self.theme.background.lightnessF() < 0.5

    def tint(self, kind: str) -> QColor:
        # dark: a faint tint, so text inside stays the brightest thing (a screen share's compression and OCR agree)
        return mix(self.theme.surface, self.theme.kinds[kind], 0.14 if self.dark else 0.20)

    def kind_color(self, kind: str) -> QColor:
        return self.theme.kinds[kind]


def forward_click(item: QGraphicsItem, event, selects: QGraphicsItem | None = None) -> None:
    """A left click goes to the scene, which selects `selects` (the item itself by default) in the session
    and re-emits; items never reach the session themselves. Other buttons are left to the view (panning)."""
    if event.button() == Qt.LeftButton and item.scene() is not None:
        item.scene()._item_clicked(item if selects is None else selects)
        event.accept()
    else:
        event.ignore()


class LazyTooltip:
    """A canvas item's tooltip, written when it can be seen (the mouse is on the item) or read (toolTip()),
    not whenever the item's state changes: a step changes the state of most items, and their tooltips'
    HTML with every number was ~10% of building and stepping the canvas. The item provides `hovered`,
    `tooltip_html()` and `show_tooltip(html)`, and calls `update_tooltip()` when what it says changes."""

    hovered = False
    _tip_stale = True

    def update_tooltip(self) -> None:
        self._tip_stale = True
        if self.hovered:                 # under the mouse: Qt may show it any moment
            self.sync_tooltip()

    def sync_tooltip(self) -> None:
        if self._tip_stale:
            self._tip_stale = False
            self.show_tooltip(self.tooltip_html())

    def toolTip(self) -> str:  # noqa: N802  (Qt's name)
        self.sync_tooltip()
        return super().toolTip()
