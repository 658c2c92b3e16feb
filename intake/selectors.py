"""Reads of the intake app: a patient's intakes, drafts, and the safety notice a page shows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from clinic.models import User
from intake.facts import build_facts
from intake.models import ConsentVersion, Intake, StepDraft, YesNo
from screening import engine

logger = logging.getLogger(__name__)

CSSRS_COLUMNS = (
    "cssrs_q1",
    "cssrs_q2",
    "cssrs_q3",
    "cssrs_q4",
    "cssrs_q5",
    "cssrs_q6",
    "cssrs_q6_past_3_months",
)
URGENT_SAFETY = "URGENT_SAFETY"
URGENT_MEDICAL = "URGENT_MEDICAL"


@dataclass(frozen=True)
class SafetyNotice:
    """What a patient page must show above everything else."""

    # Call or text 988; 911 in an emergency.
    crisis: bool = False
    # The engine raised URGENT_SAFETY: the clinic was alerted.
    urgent_safety: bool = False
    # A blood pressure in the crisis range: seek urgent care if there are symptoms.
    urgent_medical: bool = False


def patient_intakes(user: User) -> QuerySet[Intake]:
    """A patient's intakes, newest first (index intake_patient_created_idx)."""
    return Intake.objects.filter(patient__user=user).order_by("-created_at", "-id")


def step_draft(intake: Intake, step_key: str) -> StepDraft | None:
    return StepDraft.objects.filter(intake=intake, step=step_key).first()


def current_consent() -> ConsentVersion | None:
    return ConsentVersion.objects.filter(is_current=True).first()


def crisis_answers(intake: Intake) -> bool:
    """PHQ-9 item 9 above 0, or a yes to any C-SSRS question (the triggers of SAF-01, SAF-03,
    SAF-04 and SAF-05). Read from the saved answers, so it holds on every later page."""
    if intake.phq9_9 is not None and intake.phq9_9 >= 1:
        return True
    return any(getattr(intake, column) == YesNo.YES for column in CSSRS_COLUMNS)


def safety_notice_from_result(intake: Intake, result: dict[str, Any]) -> SafetyNotice:
    levels = {flag["level"] for flag in result.get("flags", [])}
    return SafetyNotice(
        crisis=crisis_answers(intake) or URGENT_SAFETY in levels,
        urgent_safety=URGENT_SAFETY in levels,
        urgent_medical=URGENT_MEDICAL in levels,
    )


def safety_notice(intake: Intake) -> SafetyNotice:
    """The notice for the intake's answers as they stand, decided by the screening engine.

    Uses the intake's prefetched rows when there are any (build_facts reads them).
    """
    reference = intake.assessment_date or timezone.localdate()
    try:
        result = engine.screen(build_facts(intake, assessment_date=reference))
    except engine.FactsError as error:
        # build_facts must never produce an invalid document; should it, the crisis answers
        # still decide the crisis banner. Only the field path is logged, never a value.
        logger.error("intake %s: invalid facts document at %s", intake.pk, error.path)
        return SafetyNotice(crisis=crisis_answers(intake))
    return safety_notice_from_result(intake, result)
