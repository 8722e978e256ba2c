"""Print preview and printing of a return already rendered to PDF by core (so what is printed is
exactly what is exported): each PDF page is rasterised and painted, scaled, onto the printer's page.

Pages are rasterised with Qt's own PDF module (``PySide6.QtPdf.QPdfDocument``, package
``PySide6-Pdf``) when it is installed, otherwise with poppler's ``pdftoppm`` if it is on PATH.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from core.errors import DataError

MIN_DPI, MAX_DPI = 150, 300   # sharp enough for print, bounded memory (A4 at 300 dpi ≈ 35 MB a page)
PREVIEW_DPI = 110
NO_BACKEND = ("无法显示打印预览或打印：缺少 PDF 显示组件（PySide6 的 QtPdf 模块）。"
              "可以先“导出 PDF”，再用其他软件打开并打印。")


class PdfPages(Protocol):
    page_count: int

    def page_size_pt(self, page: int) -> QSizeF: ...
    def image(self, page: int, dpi: int) -> QImage: ...
    def close(self) -> None: ...


class _QtPdfPages:
    def __init__(self, path: Path):
        from PySide6.QtPdf import QPdfDocument
        self._doc = QPdfDocument(None)
        error = self._doc.load(str(path))
        if error != QPdfDocument.Error.None_ or self._doc.pageCount() <= 0:
            raise DataError(f"无法读取 PDF 文件 {path.name}（{error.name}）。")
        self.page_count = self._doc.pageCount()

    def page_size_pt(self, page: int) -> QSizeF:
        return self._doc.pagePointSize(page)

    def image(self, page: int, dpi: int) -> QImage:
        pt = self.page_size_pt(page)
        size = QSize(round(pt.width() / 72 * dpi), round(pt.height() / 72 * dpi))
        return self._doc.render(page, size)

    def close(self) -> None:
        self._doc.close()


class _PopplerPages:
    """Fallback: poppler-utils (pdfinfo/pdftoppm), one page at a time into a private temp folder."""

    def __init__(self, path: Path):
        self._path = path
        try:
            info = subprocess.run(["pdfinfo", "-f", "1", "-l", "100000", str(path)], capture_output=True,
                                  text=True, check=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError) as e:
            raise DataError(f"无法读取 PDF 文件 {path.name}。") from e
        sizes = re.findall(r"Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+) pts", info)
        if not sizes:
            raise DataError(f"无法读取 PDF 文件 {path.name}：没有页面。")
        self._sizes = [QSizeF(float(w), float(h)) for w, h in sizes]
        self.page_count = len(self._sizes)
        self._tmp = Path(tempfile.mkdtemp(prefix="wj-preview-"))

    def page_size_pt(self, page: int) -> QSizeF:
        return self._sizes[page]

    def image(self, page: int, dpi: int) -> QImage:
        out = self._tmp / f"p{page}"
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page + 1), "-l", str(page + 1), "-png",
                        "-singlefile", str(self._path), str(out)], check=True, capture_output=True, timeout=120)
        image = QImage(str(out) + ".png")
        Path(str(out) + ".png").unlink(missing_ok=True)
        return image

    def close(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)


def open_pdf(path: str | Path) -> PdfPages:
    path = Path(path)
    try:
        import PySide6.QtPdf  # noqa: F401
    except ImportError:
        if shutil.which("pdftoppm") and shutil.which("pdfinfo"):
            return _PopplerPages(path)
        raise DataError(NO_BACKEND) from None
    return _QtPdfPages(path)


def prepare_printer(printer: QPrinter, pages: PdfPages) -> None:
    """Paper and orientation as the PDF's first page; no extra margins (the PDF has its own)."""
    pt = pages.page_size_pt(0)
    landscape = pt.width() > pt.height()
    portrait_pt = QSizeF(min(pt.width(), pt.height()), max(pt.width(), pt.height()))
    size = QPageSize(portrait_pt, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    printer.setPageLayout(QPageLayout(size, QPageLayout.Orientation.Landscape if landscape
                                      else QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    printer.setFullPage(True)


def paint_pages(printer: QPrinter, pages: PdfPages) -> int:
    """Paint every PDF page onto the printer (or preview, or a PDF-format QPrinter): one page each,
    scaled to fit the paper and centred. Returns the number of pages painted."""
    painter = QPainter()
    if not painter.begin(printer):
        raise DataError("无法开始打印：打印机不可用或输出文件无法写入。")
    try:
        if painter.paintEngine().type() == QPaintEngine.Type.Picture:
            # The preview records the pages and shrinks them to the window: a raster near screen
            # resolution keeps thin table rules visible (a 300 dpi one loses every other line).
            dpi = PREVIEW_DPI
        else:
            dpi = max(MIN_DPI, min(MAX_DPI, printer.resolution()))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        for i in range(pages.page_count):
            if i and not printer.newPage():
                raise DataError(f"打印第 {i + 1} 页时出错。")
            image = pages.image(i, dpi)
            paper = printer.paperRect(QPrinter.Unit.DevicePixel)
            target = QRectF(0, 0, paper.width(), paper.height())
            scaled = image.size().toSizeF().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (target.width() - scaled.width()) / 2
            y = (target.height() - scaled.height()) / 2
            painter.drawImage(QRectF(x, y, scaled.width(), scaled.height()), image)
    finally:
        painter.end()
    return pages.page_count


def paint_pdf(printer: QPrinter, pdf_path: str | Path) -> int:
    pages = open_pdf(pdf_path)
    try:
        return paint_pages(printer, pages)
    finally:
        pages.close()


def preview_dialog(pdf_path: str | Path, parent: QWidget | None = None, title: str = "",
                   delete_when_closed: bool = False) -> QPrintPreviewDialog:
    """A print preview over the PDF (not yet shown: call ``open()``; tests grab it instead)."""
    pdf_path = Path(pdf_path)
    pages = open_pdf(pdf_path)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title or pdf_path.stem)
    prepare_printer(printer, pages)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"打印预览 — {title}" if title else "打印预览")
    dialog.resize(1100, 760)
    dialog.paintRequested.connect(lambda p: paint_pages(p, pages))
    dialog._printer = printer   # keep alive as long as the dialog

    def cleanup(_result: int) -> None:
        pages.close()
        if delete_when_closed:
            discard_temp_pdf(pdf_path)
    dialog.finished.connect(cleanup)
    return dialog


def temp_pdf_path(stem: str) -> Path:
    """A fresh private folder for a PDF rendered only to be previewed or printed."""
    return Path(tempfile.mkdtemp(prefix="wj-print-")) / f"{stem}.pdf"


def discard_temp_pdf(path: Path) -> None:
    path.unlink(missing_ok=True)
    if path.parent.name.startswith("wj-print-"):
        shutil.rmtree(path.parent, ignore_errors=True)


def print_pdf(path: str | Path, parent: QWidget | None = None, title: str = "") -> bool:
    """Choose a printer (QPrintDialog) and print the PDF. False when the user cancelled."""
    pages = open_pdf(path)
    try:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(title or Path(path).stem)
        prepare_printer(printer, pages)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(f"打印 — {title}" if title else "打印")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        paint_pages(printer, pages)
        return True
    finally:
        pages.close()
