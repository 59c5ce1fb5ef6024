"""Shared PDF plumbing: the bundled Unicode font, paragraph styles, QR codes and images."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.graphics import renderPDF  # noqa: F401  (Drawing flowables draw through it)
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table, TableStyle

FONTS = Path(__file__).resolve().parent / "fonts"
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
GRID = colors.HexColor("#b0b0b0")
SHADE = colors.HexColor("#eeeeee")


def _register() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


_register()

BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444"))
TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=16, leading=20, spaceAfter=4)
HEAD = ParagraphStyle("head", parent=BODY, fontName=BOLD, fontSize=10, leading=13, spaceBefore=6)
RIGHT = ParagraphStyle("right", parent=BODY, alignment=2)
TOTAL = ParagraphStyle("total", parent=BODY, fontName=BOLD, fontSize=13, leading=17, alignment=2)


def esc(text: object) -> str:
    """Text for a Paragraph (which reads a little XML)."""
    return (str(text) if text is not None else "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(esc(text).replace("\n", "<br/>"), style)


def lines_para(lines: list[str | None], style: ParagraphStyle = BODY, bold_first: bool = False) -> Paragraph:
    parts = [esc(x) for x in lines if x]
    if bold_first and parts:
        parts[0] = f"<b>{parts[0]}</b>"
    return Paragraph("<br/>".join(parts), style)


def qr(payload: str, size: float = 38 * mm) -> Drawing:
    """A QR code drawing; error correction M as both SPAYD and EPC recommend."""
    widget = QrCodeWidget(payload, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def image(path: str | None, max_w: float, max_h: float) -> Image | None:
    """A logo or stamp scaled to fit; None when unset or unreadable (the PDF still prints)."""
    if not path or not Path(path).is_file():
        return None
    try:
        img = Image(path)
    except OSError:
        return None
    scale = min(max_w / img.imageWidth, max_h / img.imageHeight, 1.0)
    img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
    return img


def grid_table(rows: list[list], widths: list[float], *, header: bool = True,
               right_from: int | None = None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
             ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        style += [("FONTNAME", (0, 0), (-1, 0), BOLD), ("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    if right_from is not None:
        style.append(("ALIGN", (right_from, 0), (-1, -1), "RIGHT"))
    table.setStyle(TableStyle(style))
    return table


def build(story: list, *, title: str, author: str = "ispterm") -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm,
                            topMargin=14 * mm, bottomMargin=14 * mm, title=title, author=author)

    def footer(canvas, doc_) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawRightString(A4[0] - 16 * mm, 8 * mm, f"{title} · {doc_.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


CONTENT_WIDTH = A4[0] - 32 * mm
