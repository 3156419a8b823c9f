"""PDF documents (fpdf2) written in a CJK-capable font, embedded as a subset, so Chinese text prints as itself.

fpdf2's core fonts are Latin-1 only (a Chinese product or destination printed as ``??``). Every
PDF of the service is started with :func:`new_pdf`, which embeds the TrueType font found by
:func:`cjk_font`: the path configured (``GREENPROOF_PDF_FONT``, :class:`~.settings.ApiSettings`),
else the first of :data:`CJK_FONT_CANDIDATES` present (``scripts/setup`` installs Debian's
``fonts-wqy-microhei``). Only the glyphs used go into the file (fpdf2 subsets), with a ToUnicode
map, so text extractors read the characters back. No font, no PDF: :class:`PdfFontMissingError`
names the paths tried and how to install one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from .errors import PdfFontMissingError

__all__ = ["CJK_FONT_CANDIDATES", "FONT_FAMILY", "TABLE_HEADINGS", "cjk_font", "new_pdf"]

#: Font files tried, in order, when none is configured (Debian packages fonts-wqy-microhei,
#: fonts-noto-cjk, fonts-wqy-zenhei).
CJK_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
#: Family name under which the font is registered in each document (one face: headings are set larger).
FONT_FAMILY = "cjk"
#: Style of table heading rows: the one face on a grey band (fpdf2's default heading is bold).
TABLE_HEADINGS = FontFace(emphasis="", fill_color=(226, 232, 236))


def cjk_font(configured: Path | None = None) -> Path:
    """Return the font file PDFs embed: ``configured`` if given, else the first candidate present.

    Raises
    ------
    PdfFontMissingError
        If ``configured`` does not exist, or no candidate does (the message names them).
    """
    return _find(configured)


@cache
def _find(configured: Path | None) -> Path:
    if configured is not None:
        if not configured.is_file():
            raise PdfFontMissingError(f"the PDF font {configured} (GREENPROOF_PDF_FONT) does not exist")
        return configured
    found = next((path for path in CJK_FONT_CANDIDATES if path.is_file()), None)
    if found is None:
        raise PdfFontMissingError(
            "no CJK-capable font for PDFs: none of " + ", ".join(map(str, CJK_FONT_CANDIDATES)) + " exists; "
            "install one (Debian: apt-get install fonts-wqy-microhei; scripts/setup does) or set "
            "GREENPROOF_PDF_FONT to a TrueType/OpenType font file with Chinese glyphs")
    return found


def new_pdf(font: Path | None = None) -> FPDF:
    """Return an A4 document with the CJK font registered as :data:`FONT_FAMILY` and set (9 pt).

    Raises
    ------
    PdfFontMissingError
        See :func:`cjk_font`.
    """
    path = cjk_font(font)
    pdf = FPDF(format="A4")
    pdf.add_font(FONT_FAMILY, fname=str(path))
    pdf.set_font(FONT_FAMILY, size=9)
    return pdf
