"""Colours and fonts for light and dark themes, in one place so every widget agrees.

Node colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies);
node kinds also differ in shape, so colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

THEMES = ("light", "dark", "system")


@dataclass(frozen=True)
class Theme:
    """Every colour the app paints with, for one theme."""

    name: str
    background: QColor
    surface: QColor            # node fill behind text
    text: QColor
    muted: QColor              # secondary text, inactive edges
    edge: QColor
    highlight: QColor          # current step
    selection: QColor
    value: QColor              # forward values
    grad: QColor               # gradients (the "second colour")
    ok: QColor
    bad: QColor
    kinds: dict                # node kind -> accent colour
    negative: QColor           # diverging matrix colours
    positive: QColor


_OKABE_ITO = {
    "A": "#0072B2",   # blue
    "Z": "#009E73",   # bluish green
    "W": "#E69F00",   # orange
    "W0": "#CC79A7",  # reddish purple
    "Y": "#56B4E9",   # sky blue
    "L": "#D55E00",   # vermillion
    "R": "#9A8700",   # Okabe-Ito's yellow, darkened to read on white: weight decay
}


def _c(hex_: str) -> QColor:
    return QColor(hex_)


LIGHT = Theme("light", _c("#fbfbfa"), _c("#ffffff"), _c("#1d1d1f"), _c("#6e6e73"), _c("#8a8f98"),
              _c("#f5c400"), _c("#0a84ff"), _c("#1d1d1f"), _c("#c2185b"), _c("#1b8a3a"), _c("#c62828"),
              {k: _c(v) for k, v in _OKABE_ITO.items()}, _c("#2166ac"), _c("#b2182b"))

DARK = Theme("dark", _c("#1e1f22"), _c("#2b2d31"), _c("#e8e8ea"), _c("#9a9aa2"), _c("#7d828c"),
             _c("#ffd60a"), _c("#4aa3ff"), _c("#e8e8ea"), _c("#ff6fa8"), _c("#4cd06a"), _c("#ff6b6b"),
             {k: _c(v).lighter(115) for k, v in _OKABE_ITO.items()}, _c("#6baed6"), _c("#f4a582"))


def resolve(name: str) -> Theme:
    """'light', 'dark' or 'system' (follows the platform's colour scheme) -> Theme."""
    if name == "dark":
        return DARK
    if name == "system":
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QGuiApplication
        app = QGuiApplication.instance()
        if app is not None and app.styleHints().colorScheme() == Qt.ColorScheme.Dark:
            return DARK
    return LIGHT


def palette(theme: Theme) -> QPalette:
    """A QPalette for the whole application, so docks, tables and menus follow the theme."""
    p = QPalette()
    base = theme.surface
    p.setColor(QPalette.Window, theme.background)
    p.setColor(QPalette.WindowText, theme.text)
    p.setColor(QPalette.Base, base)
    p.setColor(QPalette.AlternateBase, theme.background)
    p.setColor(QPalette.Text, theme.text)
    p.setColor(QPalette.Button, base)
    p.setColor(QPalette.ButtonText, theme.text)
    p.setColor(QPalette.ToolTipBase, base)
    p.setColor(QPalette.ToolTipText, theme.text)
    p.setColor(QPalette.Highlight, theme.selection)
    p.setColor(QPalette.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.PlaceholderText, theme.muted)
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        p.setColor(QPalette.Disabled, role, theme.muted)
    return p


def fill_rect(painter, rect, color: QColor) -> None:
    """painter.fillRect(rect, color) without its overload lookup, which makes PySide build QGradient's enum
    types (~2 ms of start-up) to rule out fillRect(rect, QGradient.Preset). Leaves the pen off."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawRect(rect)


# ---------------------------------------------------------------- contrast (WCAG 2)

MIN_CONTRAST = 4.5          # WCAG AA for small text: what a screen share's canvas text must reach


def luminance(c: QColor) -> float:
    """WCAG relative luminance of an opaque colour (0 black .. 1 white)."""
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(fg: QColor, bg: QColor) -> float:
    """WCAG contrast ratio between two opaque colours, 1 .. 21."""
    a, b = luminance(fg), luminance(bg)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def blend(a: QColor, b: QColor, t: float) -> QColor:
    """a blended toward b by t (0 -> a, 1 -> b), opaque."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t, 1.0)


_READABLE: dict = {}


def readable(fg: QColor, bg: QColor, minimum: float = MIN_CONTRAST) -> QColor:
    """fg, or fg moved toward black or white (whichever bg contrasts more with) just far enough to reach
    `minimum` contrast on bg: the hue stays, so a gradient's pink is still pink, only darker or lighter."""
    key = (fg.rgb(), bg.rgb(), minimum)
    out = _READABLE.get(key)
    if out is None:
        if contrast(fg, bg) >= minimum:
            out = QColor(fg)
        else:
            end = QColor("#000000") if contrast(QColor("#000000"), bg) >= contrast(QColor("#ffffff"), bg) \
                else QColor("#ffffff")
            out = end
            for k in range(1, 21):
                c = blend(fg, end, k / 20)
                if contrast(c, bg) >= minimum:
                    out = c
                    break
        if len(_READABLE) > 2048:
            _READABLE.clear()
        _READABLE[key] = out
    return QColor(out)


def operand_color(theme: Theme, kind: str) -> QColor:
    """The accent of an operand of a step's equation, the same on the canvas and on the step card:
    gradients in the theme's gradient colour, values and Jacobians in a violet of their own."""
    if kind == "grad":
        return theme.grad
    return QColor(_OPERAND_VALUE["dark" if theme.background.lightnessF() < 0.5 else "light"])


# a violet no node kind uses (Okabe–Ito has none): a lit operand never looks like a node's own colour
_OPERAND_VALUE = {"light": "#5e35b1", "dark": "#b39ddb"}
