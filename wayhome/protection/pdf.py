"""The subject-access bundle as a PDF in the person's language.

Text is set in DejaVu Sans (Latin, Cyrillic, Greek, Arabic) with HarfBuzz shaping, so Arabic
letters join and lines run right to left. The font comes from the operating system
(``WAYHOME_PDF_FONT_DIR``, Debian's ``fonts-dejavu-core`` by default); without it the PDF falls
back to the core Helvetica font with non-Latin text transliterated, and says so on its first page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from anyascii import anyascii
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from wayhome.protection.subject_access import Bundle

RTL = {"ar", "fa", "he", "ur", "ps"}


def font_dir() -> Path:
    return Path(settings.PDF_FONT_DIR or "/usr/share/fonts/truetype/dejavu")


class _Writer:
    def __init__(self, language: str) -> None:
        self.pdf = FPDF(orientation="P", unit="mm", format="A4")
        self.pdf.set_creator("Wayhome")
        self.pdf.set_auto_page_break(auto=True, margin=14)
        self.pdf.set_lang(language)
        self.rtl = language in RTL
        regular, bold = font_dir() / "DejaVuSans.ttf", font_dir() / "DejaVuSans-Bold.ttf"
        self.unicode = regular.is_file() and bold.is_file()
        if self.unicode:
            self.pdf.add_font("DejaVu", "", str(regular))
            self.pdf.add_font("DejaVu", "B", str(bold))
            self.pdf.set_text_shaping(
                use_shaping_engine=True, direction="rtl" if self.rtl else "ltr"
            )
            self.family = "DejaVu"
        else:
            self.family = "Helvetica"
        self.pdf.add_page()

    def text(self, value: Any) -> str:
        text = str(value)
        if self.unicode:
            return text
        return anyascii(text) if any(ord(c) > 255 for c in text) else text

    def line(self, text: str, *, size: float = 9, bold: bool = False, height: float = 5) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(
            0,
            height,
            self.text(text),
            align="R" if self.rtl else "L",
            new_x="LMARGIN",
            new_y="NEXT",
        )


def bundle_pdf(data: Bundle) -> bytes:
    with translation.override(data.language):
        writer = _Writer(data.language)
        writer.pdf.set_title(_("Your personal data"))
        writer.line(_("Your personal data held by this programme"), size=15, bold=True, height=9)
        writer.line(
            _("Produced on %(date)s by %(officer)s.")
            % {
                "date": date_format(timezone.localtime(data.produced_at), "DATETIME_FORMAT"),
                "officer": data.produced_by,
            }
        )
        writer.line(
            _(
                "This document lists every record we hold about you, and who read or changed "
                "them. Names of other people have been replaced by %(mark)s. To have a record "
                "corrected, tell the data protection officer."
            )
            % {"mark": "[…]"}
        )
        if not writer.unicode:
            writer.line(
                _("The fonts for your script are not installed: some text is transliterated.")
            )
        for section in data.sections:
            writer.pdf.ln(3)
            writer.line(section.title, size=12, bold=True, height=7)
            for number, record in enumerate(section.records, start=1):
                if len(section.records) > 1:
                    writer.line(f"{section.title} {number}", size=9, bold=True)
                for value in record.values:
                    writer.line(f"{value.label.capitalize()}: {value.text}")
                writer.pdf.ln(1)
        writer.pdf.ln(3)
        writer.line(_("Who read or changed your records"), size=12, bold=True, height=7)
        if not data.accesses:
            writer.line(_("Nobody."))
        for access in data.accesses:
            writer.line(
                f"{date_format(timezone.localtime(access.at), 'DATETIME_FORMAT')} · {access.actor}"
                f"{' (' + access.office + ')' if access.office else ''} · {access.label}"
            )
        return bytes(writer.pdf.output())
