"""The house PDF: one plain column, the clinic's font, a confidentiality footer, bookmarks.

Made with fpdf2 (pure Python, no system package): text is real text in reading order (one
column, each answer under its question), the document has a title, author, subject and
language, and every section is a bookmark. The font is FiraGO, shipped by the pymupdf-fonts
package (SIL Open Font License): Latin with every accent, Greek and Cyrillic, and more. A
character the font has no glyph for is printed as "?" rather than silently dropped (and never
logged: fpdf2's own warning would name the characters of a patient's name).

The patient's own copy of their intake is made in ``intake/pdf.py``, the staff chart copy of a
case in ``screening/pdf.py``; both are Documents.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pymupdf_fonts
from django.conf import settings
from django.utils import timezone
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

FONT = "FiraGO"
# pymupdf-fonts' names of the FiraGO faces.
_FACES = {"": ("figo", "FiraGO-Regular.ttf"), "B": ("figbo", "FiraGO-Bold.ttf")}
MISSING_GLYPH = "?"
PDF_CONTENT_TYPE = "application/pdf"

# fpdf2 logs the characters a font lacks; those may be a patient's name. Our own substitution
# runs first, so this only silences what can no longer happen.
logging.getLogger("fpdf").setLevel(logging.ERROR)
# fontTools lists the glyphs it keeps when it subsets the font: the letters of the text.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@cache
def _font_files() -> dict[str, str]:
    """The font faces as files (fpdf2 reads fonts from a path), written once per process."""
    # One folder per package version and user: a new pymupdf-fonts never reads an old file.
    folder = Path(tempfile.gettempdir()) / f"clinic-intake-fonts-{version('pymupdf-fonts')}-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    files = {}
    for style, (code, name) in _FACES.items():
        path = folder / name
        if not path.exists():
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(pymupdf_fonts.myfont(code))
            partial.replace(path)
        files[style] = str(path)
    return files


@cache
def _glyphs() -> frozenset[int]:
    cmaps = [set(TTFont(path)["cmap"].getBestCmap()) for path in _font_files().values()]
    return frozenset(set.intersection(*cmaps))


def printable(text: object) -> str:
    """``text`` with every character the font cannot draw replaced by a visible "?"."""
    glyphs = _glyphs()
    return "".join(ch if ord(ch) in glyphs or ch in "\n\t" else MISSING_GLYPH for ch in str(text))


def when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return f"{local:%B} {local.day}, {local.year} {local:%H:%M}"


def day(day: dt.date | None) -> str:
    return "—" if day is None else f"{day:%B} {day.day}, {day.year}"


class Document(FPDF):
    """A plain, one-column document with a confidentiality footer and bookmarked sections."""

    def __init__(self, *, title: str, subject: str, footer_note: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.footer_note = footer_note
        for style, path in _font_files().items():
            self.add_font(FONT, style, path)
        self.set_title(printable(title))
        self.set_subject(subject)
        self.set_author(printable(settings.CLINIC_NAME))
        self.set_creator("clinic-intake")
        self.set_lang("en-US")
        self.set_creation_date(timezone.now())
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.footer_note} · Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    def _write(self, text: object, *, size: float = 10, style: str = "", height: float = 5, indent: float = 0) -> None:
        self.set_font(FONT, style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, height, printable(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def title_block(self, title: str, *lines: str) -> None:
        self._write(title, size=17, style="B", height=8)
        for line in lines:
            self._write(line, size=10)
        self.ln(2)

    def heading(self, text: str, *, level: int = 0) -> None:
        if self.get_y() > self.h - 45:
            self.add_page()
        self.ln(3 if level else 4)
        self.start_section(printable(text), level=level)
        self._write(text, size=13 if level == 0 else 11, style="B", height=7 if level == 0 else 6)
        if level == 0:
            self.set_draw_color(180, 180, 180)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(1.5)

    def height_of(self, text: object, *, size: float, style: str = "", height: float, indent: float = 0) -> float:
        self.set_font(FONT, style, size)
        return float(
            self.multi_cell(
                self.epw - indent, height, printable(text), align="L", dry_run=True, output=MethodReturnValue.HEIGHT
            )
        )

    def keep_together(self, needed: float) -> None:
        """Start a new page unless ``needed`` millimetres fit on this one: a question is never
        parted from its answer (nor a flag from its message) by a page break."""
        if self.get_y() + needed > self.page_break_trigger:
            self.add_page()

    def field(self, label: str, value: object) -> None:
        """A question or label on one line, its answer under it in bold: reading order is linear."""
        self.keep_together(
            self.height_of(label, size=9.5, height=4.6) + self.height_of(value, size=10, style="B", height=5, indent=4)
        )
        self._write(label, size=9.5, height=4.6)
        self._write(value, size=10, style="B", height=5, indent=4)
        self.ln(0.8)

    def para(self, value: object, *, style: str = "", indent: float = 0, size: float = 10) -> None:
        self._write(value, style=style, indent=indent, size=size)

    def render(self) -> bytes:
        return bytes(self.output())

    def answer_sections(self, sections: Iterable[dict[str, Any]]) -> None:
        """Numbered sections of questions and answers; an answer with rows lists them as bullets."""
        for number, section in enumerate(sections, start=1):
            self.heading(f"{number}. {section['title']}", level=1)
            for answer in section["answers"]:
                if not answer["rows"]:
                    self.field(answer["label"], answer["value"])
                    continue
                first = self.height_of(f"• {answer['rows'][0]}", size=10, style="B", height=5, indent=4)
                self.keep_together(self.height_of(answer["label"], size=9.5, height=5) + first)
                self.para(answer["label"], size=9.5)
                for row in answer["rows"]:
                    self.para(f"• {row}", style="B", indent=4)
