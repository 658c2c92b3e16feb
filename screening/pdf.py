"""The staff chart copy of a case as a PDF: the patient, the screening outcome and every flag
with its source, scores, answers, medications, vitals, decisions and the timeline.

A Document of the house PDF (``clinic/pdf.py``), like the patient's own copy (``intake/pdf.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from clinic.models import AuditAction
from clinic.pdf import Document, day, when
from screening.models import Level

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
        lines.append(f"{when(entry.at)} — {entry.title} ({who}){detail}")
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
        f"Printed {when(timezone.now())}",
    )
    doc.heading("Patient")
    doc.field("Date of birth", f"{day(intake.date_of_birth)}" + (f" (age {age})" if age is not None else ""))
    doc.field("E-mail", user.email)
    doc.field("Phone", intake.phone or "—")
    doc.field("Routes screened", ", ".join(context["routes"]))
    doc.field("Submitted", when(intake.submitted_at))
    doc.field("Assessment date", day(intake.assessment_date))

    doc.heading("Screening outcome")
    if latest is None:
        doc.para("Not screened yet: the intake has not been submitted.")
    else:
        doc.field("Overall", Level(latest.overall).label)
        doc.field("Rule set", f"{latest.ruleset}, screened {when(latest.created_at)}")
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
    doc.answer_sections(context["answers"])

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
                parts.append(f"BP {vitals.bp_systolic}/{vitals.bp_diastolic} mmHg on {day(vitals.bp_date)}")
            if vitals.weight_kg is not None:
                parts.append(f"weight {vitals.weight_kg} kg")
            if vitals.height_cm is not None:
                parts.append(f"height {vitals.height_cm} cm")
            doc.para(f"{when(vitals.recorded_at)} — {', '.join(parts)} ({vitals.recorded_by.full_name})")

    doc.heading("Decision")
    if not context["decisions"]:
        doc.para("No decision recorded yet.")
    for decision in context["decisions"]:
        doc.para(
            f"{decision.get_outcome_display()} — {when(decision.decided_at)} ({decision.decided_by.full_name})",
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
