"""PDF copies of a submitted intake: the staff chart copy and the patient's own copy.

Made with fpdf2 (pure Python, no system package): text is real text in reading order (one
column, each answer under its question), the document has a title, author, subject and
language, and every section is a bookmark. The font is FiraGO, shipped by the pymupdf-fonts
package (SIL Open Font License): Latin with every accent, Greek and Cyrillic, and more. A
character the font has no glyph for is printed as "?" rather than silently dropped (and never
logged: fpdf2's own warning would name the characters of a patient's name).
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

from clinic.models import AuditAction
from intake.models import Intake
from screening.models import Level
from screening.selectors import answers_by_section

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


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return f"{local:%B} {local.day}, {local.year} {local:%H:%M}"


def _day(day: dt.date | None) -> str:
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


def _answers(doc: Document, sections: Iterable[dict[str, Any]]) -> None:
    for number, section in enumerate(sections, start=1):
        doc.heading(f"{number}. {section['title']}", level=1)
        for answer in section["answers"]:
            if not answer["rows"]:
                doc.field(answer["label"], answer["value"])
                continue
            first = doc.height_of(f"• {answer['rows'][0]}", size=10, style="B", height=5, indent=4)
            doc.keep_together(doc.height_of(answer["label"], size=9.5, height=5) + first)
            doc.para(answer["label"], size=9.5)
            for row in answer["rows"]:
                doc.para(f"• {row}", style="B", indent=4)


def _contact_lines() -> list[str]:
    lines = [str(settings.CLINIC_NAME)]
    if settings.CLINIC_PHONE:
        lines.append(f"Phone: {settings.CLINIC_PHONE}")
    return lines


def patient_pdf(intake: Intake) -> bytes:
    """The patient's own copy: their answers and the clinic's contact details; no flags, no outcome."""
    user = intake.patient.user
    doc = Document(
        title=f"Your intake answers — {user.full_name}",
        subject="A copy of the answers you sent to the clinic",
        footer_note=f"{settings.CLINIC_NAME} · Your answers",
    )
    doc.title_block(
        "Your intake answers",
        f"{user.full_name}",
        f"Date of birth: {_day(intake.date_of_birth)}",
        f"Sent to {settings.CLINIC_NAME} on {_when(intake.submitted_at)}",
    )
    doc.para(
        "This is a copy of what you told us. A clinician reads every answer; these questions are not a "
        "diagnosis. If something is wrong or has changed, please tell the clinic."
    )
    doc.heading("Your answers")
    _answers(doc, answers_by_section(intake))
    if intake.consent_version_id:
        doc.heading("Consent")
        doc.field("Signed as", intake.consent_signature or "—")
        doc.field("Consent version", intake.consent_version.version)  # type: ignore[union-attr]
        doc.field("Signed at", _when(intake.consented_at))
    doc.heading("Contact the clinic")
    for line in _contact_lines():
        doc.para(line, style="B")
    doc.para("In a crisis, call or text 988 (Suicide & Crisis Lifeline). In an emergency, call 911.")
    return doc.render()


# --- The staff copy ----------------------------------------------------------------------------

# Timeline lines that only say someone looked at or copied the case: counted, not listed.
_QUIET_ACTIONS = (AuditAction.VIEW, AuditAction.EXPORT)


def _timeline_summary(timeline: Iterable[Any]) -> tuple[list[str], int]:
    lines, quiet = [], 0
    for entry in sorted(timeline, key=lambda e: e.at):
        if entry.kind in _QUIET_ACTIONS:
            quiet += 1
            continue
        who = entry.actor.full_name if entry.actor is not None else "system"
        detail = ""
        if entry.event is not None and entry.event.summary:
            detail = f": {entry.event.summary}"
        lines.append(f"{_when(entry.at)} — {entry.title} ({who}){detail}")
    return lines, quiet


def staff_pdf(context: dict[str, Any]) -> bytes:
    """The chart copy of a case, from the case page's own reads (``screening.selectors.case_page``)."""
    case, intake, user = context["case"], context["intake"], context["patient_user"]
    latest = context["latest"]
    doc = Document(
        title=f"Initial assessment — {user.full_name} — case {case.pk}",
        subject="clinic-intake: initial assessment, screening flags and review (confidential)",
        footer_note=f"Confidential health information · Case {case.pk}",
    )
    age = context.get("age")
    doc.title_block(
        f"{user.full_name or user.email}",
        f"Initial assessment · case {case.pk} · {case.get_status_display()}",
        f"Printed {_when(timezone.now())}",
    )
    doc.heading("Patient")
    doc.field("Date of birth", f"{_day(intake.date_of_birth)}" + (f" (age {age})" if age is not None else ""))
    doc.field("E-mail", user.email)
    doc.field("Phone", intake.phone or "—")
    doc.field("Routes screened", ", ".join(context["routes"]))
    doc.field("Submitted", _when(intake.submitted_at))
    doc.field("Assessment date", _day(intake.assessment_date))

    doc.heading("Screening outcome")
    if latest is None:
        doc.para("Not screened yet: the intake has not been submitted.")
    else:
        doc.field("Overall", Level(latest.overall).label)
        doc.field("Rule set", f"{latest.ruleset}, screened {_when(latest.created_at)}")
        doc.para("The app never decides: a clinician reviews every case.", size=9)
        for group in context["flag_groups"]:
            doc.heading(group["label"], level=1)
            for flag in group["flags"]:
                doc.keep_together(doc.height_of(flag.message, size=10, height=5, indent=4) + 10)
                doc.para(f"{flag.rule} · {flag.level}", style="B")
                doc.para(flag.message, indent=4)
                doc.para(f"Source: {flag.source}", indent=4, size=9)
                for _, label, value in flag.inputs:
                    doc.para(f"{label}: {value}", indent=4, size=9)
                if flag.missing:
                    doc.para("Missing: " + "; ".join(label for _, label in flag.missing), indent=4, size=9)
                doc.ln(1.5)

    doc.heading("Scores")
    for row in context["scores"]:
        doc.field(row["name"], " · ".join(part for part in (row["score"], row["band"]) if part) or "—")

    doc.heading("Answers")
    _answers(doc, context["answers"])

    doc.heading("Medications")
    if not context["medications"]:
        doc.para("None listed.")
    for row in context["medications"]:
        medication = row["medication"]
        doc.para(" ".join(part for part in (medication.name, medication.dose, medication.frequency) if part), style="B")
        matched = ", ".join(
            f"{part['name']}: {part['drug_class'] or 'no interaction class' if part['known'] else 'not recognised'}"
            for part in row["parts"]
        )
        doc.para(matched or "not recognised", indent=4, size=9)
        if row["needs_reconciliation"]:
            doc.para("Needs reconciliation with the patient.", indent=4, size=9)

    if context["vitals"]:
        doc.heading("Measured vitals")
        for vitals in context["vitals"]:
            parts = []
            if vitals.bp_systolic is not None:
                parts.append(f"BP {vitals.bp_systolic}/{vitals.bp_diastolic} mmHg on {_day(vitals.bp_date)}")
            if vitals.weight_kg is not None:
                parts.append(f"weight {vitals.weight_kg} kg")
            if vitals.height_cm is not None:
                parts.append(f"height {vitals.height_cm} cm")
            doc.para(f"{_when(vitals.recorded_at)} — {', '.join(parts)} ({vitals.recorded_by.full_name})")

    doc.heading("Decision")
    if not context["decisions"]:
        doc.para("No decision recorded yet.")
    for decision in context["decisions"]:
        doc.para(
            f"{decision.get_outcome_display()} — {_when(decision.decided_at)} ({decision.decided_by.full_name})",
            style="B",
        )
        doc.para(decision.reason, indent=4)
        for rule, reason in (decision.flag_reasons or {}).items():
            doc.para(f"{rule}: {reason}", indent=4, size=9)

    doc.heading("Timeline")
    lines, quiet = _timeline_summary(context["timeline"])
    for line in lines:
        doc.para(line, size=9)
    if quiet:
        doc.para(f"Opened or copied {quiet} time(s); the audit trail lists each.", size=9)
    return doc.render()
