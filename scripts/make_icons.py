"""Regenerate app.png (256 px) and app.ico (16–256 px, PNG-compressed entries) from app.svg with Qt.

    QT_QPA_PLATFORM=offscreen python scripts/make_icons.py
"""
from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(data)


def write_ico(path: Path, images: list[bytes], sizes: tuple[int, ...]) -> None:
    """ICO container with PNG entries (Windows Vista and later read these at every size)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, blobs = b"", b""
    for size, blob in zip(sizes, images):
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    path.write_bytes(header + entries + blobs)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)  # noqa: F841 - needed for rendering
    renderer = QSvgRenderer(str(HERE / "app.svg"))
    if not renderer.isValid():
        print("app.svg is not valid SVG", file=sys.stderr)
        return 1
    render(renderer, 256).save(str(HERE / "app.png"), "PNG")
    write_ico(HERE / "app.ico", [png_bytes(render(renderer, s)) for s in ICO_SIZES], ICO_SIZES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
