"""The colours of numbers: one diverging lookup table for a table cell and a heatmap pixel alike.

t = value / max|value| picks the colour: negative -> theme.negative, 0 -> theme.surface, positive ->
theme.positive, so a table cell and a heatmap pixel with the same value have the same colour. Text on a
coloured cell takes the theme's text colour when it reads well there (WCAG 4.5:1), else black or white.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PySide6.QtGui import QColor

from ..theme import LIGHT, MIN_CONTRAST, Theme, contrast

TABLE_STRENGTH = 0.5     # strongest cell colour in a table: half accent, half surface (text stays readable)
HEATMAP_STRENGTH = 1.0   # a heatmap has no text on it, so it may use the full accent
LUT_HALF = 255           # the lookup table has 2 * LUT_HALF + 1 entries, index LUT_HALF is zero


def _rgb(c: QColor) -> np.ndarray:
    return np.array([c.red(), c.green(), c.blue()], dtype=np.float64)


def diverging_lut(theme: Theme = LIGHT, strength: float = TABLE_STRENGTH) -> np.ndarray:
    """uint32 0xffRRGGBB colours for t = -1 .. 1 in 2 * LUT_HALF + 1 steps (read-only, cached).

    t = value / max|value|: negative -> theme.negative, 0 -> theme.surface, positive -> theme.positive,
    mixed linearly and at most `strength` of the accent.
    """
    return _lut(theme.surface.rgba(), theme.negative.rgba(), theme.positive.rgba(), float(strength))


@lru_cache(maxsize=16)
def _lut(surface_rgba: int, negative_rgba: int, positive_rgba: int, strength: float) -> np.ndarray:
    t = np.linspace(-1.0, 1.0, 2 * LUT_HALF + 1)
    surface = _rgb(QColor.fromRgba(surface_rgba))
    accent = np.where(t[:, None] < 0, _rgb(QColor.fromRgba(negative_rgba)), _rgb(QColor.fromRgba(positive_rgba)))
    w = (np.abs(t) * strength)[:, None]
    rgb = np.rint(surface * (1 - w) + accent * w).astype(np.uint32)
    lut = (0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]).astype(np.uint32)
    lut.flags.writeable = False
    return lut


def lut_index(values: np.ndarray, scale: float) -> np.ndarray:
    """Vectorised: values / scale in [-1, 1] -> uint16 indices into a diverging LUT (NaN -> the zero colour).

    Three passes over float32, no Python per cell: ~15 ms for 2048 x 2048.
    """
    values = np.asarray(values)
    if not scale or not np.isfinite(scale):
        return np.full(values.shape, LUT_HALF, dtype=np.uint16)
    if 1e-30 < scale < 1e30:
        t = np.multiply(values, np.float32(LUT_HALF / scale), dtype=np.float32, casting="unsafe")
    else:   # float32 would overflow (values past ~3e38) or underflow: divide in float64 first (issue 9)
        with np.errstate(all="ignore"):
            t = np.multiply(np.divide(values, scale, dtype=np.float64), LUT_HALF).astype(np.float32)
    t += np.float32(LUT_HALF + 0.5)               # +0.5 then truncation = rounding (t >= 0 after the clip)
    np.clip(t, 0, 2 * LUT_HALF, out=t)
    if values.dtype.kind == "f" and np.isnan(t).any():
        t[np.isnan(t)] = LUT_HALF
    return t.astype(np.uint16)


def color_scale(a: np.ndarray) -> float:
    """max |value| over the finite entries (0 when there are none)."""
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        m = max(float(np.max(a)), -float(np.min(a)))  # no |a| temporary
    if np.isfinite(m):
        return float(m)
    finite = np.abs(a[np.isfinite(a)])
    return float(finite.max()) if finite.size else 0.0


def readable_text(background: QColor, preferred: QColor) -> QColor:
    """The theme's text colour when it reads well on `background` (WCAG 4.5:1), else black or white."""
    if contrast(background, preferred) >= MIN_CONTRAST:
        return preferred
    black, white = QColor("#000000"), QColor("#ffffff")
    return black if contrast(background, black) >= contrast(background, white) else white

