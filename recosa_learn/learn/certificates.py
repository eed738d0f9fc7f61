"""Certificate PDFs (fpdf2) in the learner's language; Arabic is shaped right-to-left with HarfBuzz."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"


@dataclass(frozen=True)
class CertificateData:
    name: str
    course_title: str
    variant: str  #: the country variant followed ("" for the base course)
    completed_on: object  #: a date or datetime
    hours: float | None
    code: str
    verify_url: str
    lang: str


def _font_dir() -> Path:
    return Path(current_app.config.get("CERTIFICATE_FONT_DIR") or DEFAULT_FONT_DIR)


def _hours(hours: float | None) -> str:
    if not hours:
        return ""
    text = f"{hours:.1f}".rstrip("0").rstrip(".")
    return _("Duration: %(hours)s hours", hours=text)


def certificate_pdf(data: CertificateData) -> bytes:
    """The certificate as PDF bytes (A4 landscape), every text in ``data.lang``."""
    fonts = _font_dir()
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 20, 20)
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(True)
    pdf.set_title("Certificate")
    pdf.add_page()
    pdf.set_draw_color(11, 94, 85)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    width = pdf.w - 40

    with force_locale(data.lang):
        lines = [
            ("B", 26, _("Certificate of completion"), 20),
            ("", 14, _("This certifies that"), 12),
            ("B", 22, data.name, 14),
            ("", 14, _("has completed the course"), 10),
            ("B", 18, data.course_title, 10),
        ]
        if data.variant:
            lines.append(("", 12, data.variant, 10))
        lines.append(("", 12, _("Completed on %(date)s", date=format_date(data.completed_on, "long")), 8))
        if data.hours:
            lines.append(("", 12, _hours(data.hours), 8))
        lines.append(("", 10, _("Verification code: %(code)s", code=data.code), 7))
        lines.append(("", 10, _("Check this certificate at %(url)s", url=data.verify_url), 7))
        pdf.set_y(32)
        for style, size, text, height in lines:
            pdf.set_font("DejaVu", style, size)
            pdf.multi_cell(width, height, text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        pdf.set_y(pdf.h - 32)
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(width, 5, "recosa_learn — " + _("South-South cooperation on migration"), align="C")
    return bytes(pdf.output())
