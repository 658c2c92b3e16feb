"""The patient's own PDF copy of a sent intake: their answers, their consent and the clinic's
contact details; no screening flags, no outcome (the staff chart copy is ``screening/pdf.py``)."""

from __future__ import annotations

from django.conf import settings

from clinic.pdf import Document, day, when
from intake.models import Intake
from intake.selectors import answers_by_section


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
        f"Date of birth: {day(intake.date_of_birth)}",
        f"Sent to {settings.CLINIC_NAME} on {when(intake.submitted_at)}",
    )
    doc.para(
        "This is a copy of what you told us. A clinician reads every answer; these questions are not a "
        "diagnosis. If something is wrong or has changed, please tell the clinic."
    )
    doc.heading("Your answers")
    doc.answer_sections(answers_by_section(intake))
    if intake.consent_version_id:
        doc.heading("Consent")
        doc.field("Signed as", intake.consent_signature or "—")
        doc.field("Consent version", intake.consent_version.version)  # type: ignore[union-attr]
        doc.field("Signed at", when(intake.consented_at))
    doc.heading("Contact the clinic")
    for line in _contact_lines():
        doc.para(line, style="B")
    doc.para("In a crisis, call or text 988 (Suicide & Crisis Lifeline). In an emergency, call 911.")
    return doc.render()
