"""A hand-over package as a PDF: headings and label/value lines, in Latin characters (the PDF
core fonts), with names transliterated where they are written in another script."""

from __future__ import annotations

from typing import Any

from anyascii import anyascii
from fpdf import FPDF


def _text(value: Any) -> str:
    text = "" if value is None else str(value)
    return anyascii(text) if any(ord(c) > 255 for c in text) else text


def _lines(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, inner in value.items():
            rows += _lines(f"{prefix}{key}." if prefix else f"{key}.", inner)
        return rows
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return [(prefix.rstrip("."), ", ".join(_text(item) for item in value))]
        rows = []
        for index, item in enumerate(value, start=1):
            rows += _lines(f"{prefix.rstrip('.')}[{index}].", item)
        return rows
    return [(prefix.rstrip("."), _text(value))]


def package_pdf(package: dict[str, Any]) -> bytes:
    """Every key and value of ``package`` (already redacted), one line each, by section."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creator("Wayhome")
    reference = _text((package.get("case") or {}).get("reference", ""))
    pdf.set_title(f"Hand-over {reference}")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 9, f"Hand-over package {reference}", new_x="LMARGIN", new_y="NEXT")
    for section, value in package.items():
        if section == "version":
            continue
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 8, _text(section).replace("_", " ").capitalize(), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        for label, text in _lines("", value) or [("", "")]:
            pdf.multi_cell(
                0, 5, f"{label}: {text}" if label else text, new_x="LMARGIN", new_y="NEXT"
            )
    return bytes(pdf.output())
