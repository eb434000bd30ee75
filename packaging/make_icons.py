"""Render the hicolor PNG icons from the SVG sources in assets/icons/.

    python packaging/make_icons.py            # writes assets/icons/hicolor/<N>x<N>/...
    python packaging/make_icons.py --out DIR  # writes DIR/<N>x<N>/... instead

Uses PySide6's QSvgRenderer (module QtSvg, part of PySide6-Essentials) with the offscreen
platform, so it needs no display. The PNGs are committed; run this again after editing an SVG.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
APP_ID = "dev.chainview.chainview"
MIME_ICON = "application-x-chainview-net+json"  # the MIME type with "/" -> "-"

# (source SVG, hicolor context, icon name)
SOURCES = (
    ("chainview.svg", "apps", APP_ID),
    ("chainview-file.svg", "mimetypes", MIME_ICON),
)


def render(svg: Path, size: int, out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"make_icons: cannot write {out}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ICONS / "hicolor", help="hicolor folder to write into")
    args = p.parse_args(argv)

    from PySide6.QtGui import QGuiApplication
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (keeps Qt alive)

    for name, context, icon in SOURCES:
        svg = ICONS / name
        for size in SIZES:
            out = args.out / f"{size}x{size}" / context / f"{icon}.png"
            render(svg, size, out)
        print(f"{svg.name} -> {args.out}/<N>x<N>/{context}/{icon}.png for N in {', '.join(map(str, SIZES))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
