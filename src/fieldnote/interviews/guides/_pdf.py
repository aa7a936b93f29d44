"""PDF export: the printable guide a human moderator keeps next to the call.

Same content as the Markdown export (sections with minutes and start times, numbered
questions, probes), laid out with fpdf2 (pure Python, optional extra ``pdf``). Text is
set in DejaVu Sans when the system has it (any Unicode: curly quotes, accents);
otherwise in the PDF core font Helvetica, where characters outside Latin-1 are
replaced by their nearest plain form, so an export never fails on a character.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fieldnote.interviews.guides._model import Guide, GuideError

__all__ = ["FONT_DIRS", "to_pdf"]

#: Where a Unicode font is looked for (Debian/Ubuntu, Fedora, macOS Homebrew).
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/TTF"),
    Path("/opt/homebrew/share/fonts"),
)
_PLAIN = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}


def _unicode_font() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def _latin1(char: str) -> str:
    """One character in Latin-1: itself if it is, else its plain form (an en dash
    becomes "-", o with a double acute "o"), else nothing."""
    if ord(char) < 256:
        return char
    if char in _PLAIN:
        return _PLAIN[char]
    return unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")


def _as_is(text: str) -> str:
    return text


def _latin1_text(text: str) -> str:
    return "".join(_latin1(c) for c in text)


def to_pdf(guide: Guide) -> bytes:
    """The guide as PDF bytes; ``GuideError`` if fpdf2 (extra ``pdf``) is not installed."""
    try:
        from fpdf import FPDF
    except ImportError:
        raise GuideError(
            "PDF export needs fpdf2: pip install 'fieldnote[pdf]' (or pip install fpdf2)"
        ) from None
    pdf: Any = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    font = _unicode_font()
    clean: Callable[[str], str]
    if font is not None:
        pdf.add_font("Guide", "", str(font[0]))
        pdf.add_font("Guide", "B", str(font[1]))
        family, clean = "Guide", _as_is
    else:
        family, clean = "Helvetica", _latin1_text
    version = f" (v{guide.version})" if guide.version is not None else ""
    pdf.set_title(clean(f"{guide.name}{version}"))
    pdf.add_page()

    def write(text: str, *, size: float = 11, bold: bool = False, indent: float = 0) -> None:
        pdf.set_font(family, "B" if bold else "", size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, size * 0.55, clean(text), new_x="LMARGIN", new_y="NEXT")

    write(f"{guide.name}{version}", size=18, bold=True)
    if guide.goal:
        write(f"Goal: {guide.goal}")
    write(f"{guide.template} guide, {guide.planned_minutes} minutes planned.", size=10)
    budgets = guide.budgets()
    elapsed = 0.0
    for section in guide.sections:
        minutes = budgets[section.key]
        pdf.ln(3)
        write(
            f"{section.title} - {minutes:g} min ({section.share * 100:g}%, "
            f"from {round(elapsed, 2):g} min)",
            size=13,
            bold=True,
        )
        elapsed += minutes
        for n, question in enumerate(section.questions, 1):
            write(f"{n}. {question.text}", indent=2)
            for probe in question.probes:
                write(f"Probe: {probe}", size=10, indent=8)
    return bytes(pdf.output())
