"""PNG files of a QImage, written with zlib instead of Qt's image writer.

    png_bytes(image) -> bytes          the PNG file's bytes (RGB, or RGBA when the image has alpha)
    write_png(image, path)             to a temporary file beside path, then renamed over it
    check_target(path)                 OSError now if path cannot be written (before any work is done)

Why not `QImage.save(path, "PNG")`: Qt hands each row to libpng, which tries all five PNG filters on
every row to pick one. For a 1600×900 window that is ~60 ms whatever the compression level, a
tenth of `chainview render`'s time. A window or a graph is mostly flat colour, so rows stored
unfiltered and deflated at level 1 come out as small (187 KB against Qt's 209 KB for the default
example's window) in ~13 ms, the two halves deflated at once. The pixels are the same: a file read
back equals the image.

A failed write leaves any older file at `path` as it was (never truncated), and a read-only file
is not replaced.
"""

from __future__ import annotations

import os
import struct
import sys
import threading
import zlib

import numpy as np
from PySide6.QtGui import QImage

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_LEVEL = 1           # deflate level: flat UI colour compresses nearly as well at 1 as at 6, 2x faster
_BAND = 64           # rows converted and deflated at a time (~300 KB for a 1600-pixel-wide window)


def _chunk(tag: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))


def png_bytes(image: QImage) -> bytes:
    """The image as a PNG (8 bits a channel; RGBA, not premultiplied, when it has an alpha channel)."""
    if image.isNull():
        raise ValueError("cannot write an empty image as PNG")
    w, h = image.width(), image.height()
    alpha = image.hasAlphaChannel() and not _opaque(image)    # a picture on its background is stored as RGB
    target = QImage.Format.Format_RGBA8888 if alpha else QImage.Format.Format_RGB888
    channels = 4 if alpha else 3
    # the two halves are deflated at once, the top one in a thread (zlib lets go of the GIL while it
    # works): one deflate stream ends where the next begins, as pigz does it. ~8 of render's ~20 ms.
    middle = _BAND * max(1, (h // 2) // _BAND) if h > 2 * _BAND else h
    top_half: list = []
    if middle < h:
        worker = threading.Thread(target=lambda: top_half.append(_deflate(image, 0, middle, target, channels, False)))
        worker.start()
        bottom = _deflate(image, middle, h, target, channels, True)
        worker.join()
        (top_data, top_adler, _), (bottom_data, bottom_adler, bottom_len) = top_half[0], bottom
        data, adler = top_data + bottom_data, _adler32_combine(top_adler, bottom_adler, bottom_len)
    else:
        data, adler, _ = _deflate(image, 0, h, target, channels, True)
    header = struct.pack(">IIBBBBB", w, h, 8, 6 if alpha else 2, 0, 0, 0)
    parts = [_SIGNATURE, _chunk(b"IHDR", header)]
    dpm_x, dpm_y = image.dotsPerMeterX(), image.dotsPerMeterY()
    if dpm_x > 0 and dpm_y > 0:                       # the resolution, as Qt's writer records it
        parts.append(_chunk(b"pHYs", struct.pack(">IIB", dpm_x, dpm_y, 1)))
    zlib_stream = b"\x78\x01" + data + struct.pack(">I", adler)     # header for the fastest level, then Adler-32
    parts.append(_chunk(b"IDAT", zlib_stream))
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


def _deflate(image: QImage, start: int, stop: int, target, channels: int, last: bool) -> tuple[bytes, int, int]:
    """Rows start..stop as raw deflate data (ending the stream when `last`, else on a byte boundary the
    next part can follow), their Adler-32 and their length: a band of rows at a time, so there is never
    a second copy of the whole picture."""
    w = image.width()
    deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
    data, adler, length = [], 1, 0
    bgrx = _bgrx_pixels(image) if channels == 3 else None     # read in place, no converted copy
    for top in range(start, stop, _BAND):
        n = min(_BAND, stop - top)
        rows = np.empty((n, 1 + w * channels), dtype=np.uint8)
        rows[:, 0] = 0                        # filter type 0: the row as it is
        if bgrx is not None:
            rgb, src = rows[:, 1:].reshape(n, w, 3), bgrx[top:top + n]
            rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2] = src[:, :, 2], src[:, :, 1], src[:, :, 0]   # (a plane each: 3x faster)
        else:
            rows[:, 1:] = _band(image, top, n, target)[:, :w * channels]
        view = memoryview(rows)
        adler = zlib.adler32(view, adler)
        length += rows.size
        data.append(deflate.compress(view))
    data.append(deflate.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
    return b"".join(data), adler, length


def _bgrx_pixels(image: QImage):
    """An opaque 32-bit image's pixels as a (h, w, 4) array of B, G, R, x bytes, in place (no copy), or
    None for other formats: Qt's RGB32 and ARGB32 store 0xAARRGGBB, little-endian in memory."""
    if sys.byteorder != "little" or image.format() not in (
            QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32, QImage.Format.Format_ARGB32_Premultiplied):
        return None
    h, w = image.height(), image.width()
    return _bytes(image)[:, :w * 4].reshape(h, w, 4)


def _bytes(image: QImage) -> np.ndarray:
    """The image's memory as (height, bytes per line) uint8, in place (rows are padded to 4 bytes)."""
    h = image.height()
    return np.frombuffer(image.constBits(), dtype=np.uint8, count=image.bytesPerLine() * h).reshape(h, -1)


def _band(image: QImage, top: int, n: int, fmt) -> np.ndarray:
    """Rows top..top+n converted to `fmt`, as their bytes (a band: no copy of the whole picture). Copied out
    of the converted image, which goes when this returns (its memory with it)."""
    band = image.copy(0, top, image.width(), n).convertToFormat(fmt)
    return _bytes(band).copy()


def _adler32_combine(adler1: int, adler2: int, length2: int) -> int:
    """The Adler-32 of A + B from those of A and B and B's length (zlib's adler32_combine)."""
    base = 65521
    rem = length2 % base
    sum1 = adler1 & 0xFFFF
    sum2 = (rem * sum1) % base
    sum1 += (adler2 & 0xFFFF) + base - 1
    sum2 += ((adler1 >> 16) & 0xFFFF) + ((adler2 >> 16) & 0xFFFF) + base - rem
    return (sum1 % base) | ((sum2 % base) << 16)


def _opaque(image: QImage) -> bool:
    """Every pixel's alpha is 255: read in place for Qt's 32-bit ARGB formats, else band by band."""
    bgra = _bgrx_pixels(image)                            # alpha is each pixel's 4th byte, in place
    if bgra is not None:
        return bool(bgra[:, :, 3].min() == 255)
    h, w = image.height(), image.width()
    return all(_band(image, top, min(_BAND, h - top), QImage.Format.Format_RGBA8888)[:, 3:w * 4:4].min() == 255
               for top in range(0, h, _BAND))


def check_target(path) -> tuple[str, str, int | None]:
    """(the file written through links, its folder, its permissions if it exists), or OSError with a
    one-line reason: no folder, a folder, a read-only file (never replaced)."""
    path = os.fspath(path)
    target = os.path.realpath(path)
    folder = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(folder):
        raise OSError(f"cannot write {path}: the folder {folder} does not exist")
    if os.path.isdir(target):
        raise OSError(f"cannot write {path}: it is a folder")
    mode = None
    if os.path.exists(target):
        mode = os.stat(target).st_mode & 0o777
        if mode & 0o222 == 0 or not os.access(target, os.W_OK):     # root passes os.access: the bits too
            raise OSError(f"cannot write {path}: the file is read-only")
    return target, folder, mode


def write_png(image: QImage, path) -> None:
    """Write image to path as PNG; OSError with a one-line reason when it cannot."""
    path = os.fspath(path)
    target, folder, mode = check_target(path)
    data = png_bytes(image)
    tmp = os.path.join(folder, f".{os.path.basename(target)}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        if mode is not None:
            os.chmod(tmp, mode)                       # a replaced picture keeps its permissions
        os.replace(tmp, target)
    except OSError as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OSError(f"cannot write {path}: {err.strerror or err}") from err
