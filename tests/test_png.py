"""gui/png.py: the PNG files render, Export and the handout write, read back pixel for pixel."""

import os
import stat
import struct
import zlib

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from chainview.gui.png import png_bytes, write_png


def _picture(fmt=QImage.Format.Format_RGB32, w=123, h=45, background=QColor("white")) -> QImage:
    """Odd sizes (rows padded to 4 bytes), text, antialiased edges, a gradient of colours."""
    image = QImage(w, h, fmt)
    image.fill(background)
    p = QPainter(image)
    p.setRenderHint(QPainter.Antialiasing)
    for x in range(0, w, 7):
        p.fillRect(QRectF(x, 0, 3, h / 2), QColor.fromHsv((x * 5) % 360, 200, 220, 255))
    p.setPen(QColor(20, 40, 200))
    p.drawText(QRectF(0, h / 2, w, h / 2), Qt.AlignCenter, "dL/dW² = 3 × 2")
    p.drawEllipse(QPointF(w - 20, 10), 8, 8)
    p.end()
    return image


def _read(path_or_bytes) -> QImage:
    image = QImage()
    if isinstance(path_or_bytes, bytes):
        assert image.loadFromData(path_or_bytes, "PNG")
    else:
        assert image.load(os.fspath(path_or_bytes), "PNG")
    return image


def _chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    tags, pos = [], 8
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(tag + body)
        tags.append(tag)
        pos += 12 + n
    return tags


def test_an_opaque_picture_reads_back_pixel_for_pixel(qapp, tmp_path):
    image = _picture()
    path = tmp_path / "w.png"
    write_png(image, path)
    back = _read(path)
    assert back.size() == image.size()
    assert back.convertToFormat(QImage.Format.Format_RGB32) == image
    data = path.read_bytes()
    assert _chunks(data) == [b"IHDR", b"pHYs", b"IDAT", b"IEND"]
    assert data[25] == 2                                   # colour type 2: RGB, no alpha stored


@pytest.mark.parametrize("fmt", [QImage.Format.Format_ARGB32_Premultiplied, QImage.Format.Format_RGBA8888])
def test_a_tall_picture_is_written_band_by_band_and_reads_back(qapp, fmt):
    """Taller than a band of rows, with its only transparent pixel in the last band."""
    image = _picture(fmt, w=97, h=301)
    image.setPixelColor(96, 300, QColor(10, 20, 30, 128))
    data = png_bytes(image)
    assert data[25] == 6
    assert _read(data).convertToFormat(QImage.Format.Format_ARGB32) == image.convertToFormat(
        QImage.Format.Format_ARGB32)


def test_transparency_is_kept_and_an_opaque_argb_image_is_stored_as_rgb(qapp):
    clear = _picture(QImage.Format.Format_ARGB32_Premultiplied, background=QColor(0, 0, 0, 0))
    data = png_bytes(clear)
    assert data[25] == 6                                   # RGBA
    back = _read(data).convertToFormat(QImage.Format.Format_ARGB32)
    want = clear.convertToFormat(QImage.Format.Format_ARGB32)
    assert back.pixelColor(0, clear.height() - 1).alpha() == 0
    assert back == want
    opaque = _picture(QImage.Format.Format_ARGB32_Premultiplied)
    data = png_bytes(opaque)
    assert data[25] == 2                                   # nothing transparent: no alpha channel stored
    assert _read(data).convertToFormat(QImage.Format.Format_ARGB32) == opaque.convertToFormat(
        QImage.Format.Format_ARGB32)


def test_the_resolution_is_recorded_as_qt_records_it(qapp):
    image = _picture()
    image.setDotsPerMeterX(5906)      # 150 dpi
    image.setDotsPerMeterY(5906)
    back = _read(png_bytes(image))
    assert (back.dotsPerMeterX(), back.dotsPerMeterY()) == (5906, 5906)


def test_a_graph_picture_is_no_bigger_than_qt_writes_it(qapp, session, tmp_path):
    """Flat colour and text, the pictures we write: unfiltered rows deflate as well as libpng's choice."""
    from chainview.gui.canvas.export import render_image
    from chainview.gui.canvas.scene import GraphScene
    from chainview.gui.theme import LIGHT

    session.jump(len(session.steps))
    scene = GraphScene(session, LIGHT)
    image = render_image(scene, 1.5)
    assert image.save(str(tmp_path / "qt.png"), "PNG")
    ours = png_bytes(image)
    assert len(ours) <= 1.1 * (tmp_path / "qt.png").stat().st_size
    assert _read(ours).convertToFormat(QImage.Format.Format_ARGB32) == image.convertToFormat(
        QImage.Format.Format_ARGB32)
    scene.detach()


def test_a_failed_write_loses_nothing(qapp, tmp_path):
    image = _picture()
    with pytest.raises(OSError, match="does not exist"):
        write_png(image, tmp_path / "no" / "such" / "folder.png")
    with pytest.raises(OSError, match="is a folder"):
        write_png(image, tmp_path)
    keep = tmp_path / "keep.png"
    keep.write_bytes(b"an older picture")
    keep.chmod(0o444)
    with pytest.raises(OSError, match="read-only"):
        write_png(image, keep)
    assert keep.read_bytes() == b"an older picture"
    with pytest.raises(ValueError, match="empty image"):
        write_png(QImage(), tmp_path / "empty.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.png"]     # no temporary file left behind


def test_replacing_a_picture_keeps_its_permissions(qapp, tmp_path):
    path = tmp_path / "shared.png"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_png(_picture(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert _read(path).size() == _picture().size()


def test_the_two_halves_make_one_valid_zlib_stream(qapp):
    """The top and bottom halves are deflated at once and joined: zlib itself (which checks the stream's
    Adler-32) must inflate them back to exactly the rows, each behind its filter byte 0."""
    image = _picture(w=211, h=333)
    data = png_bytes(image)
    pos, idat = 8, b""
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        if data[pos + 4:pos + 8] == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    rows = zlib.decompress(idat)
    assert len(rows) == 333 * (1 + 211 * 3)
    assert all(rows[k * (1 + 211 * 3)] == 0 for k in range(333))
