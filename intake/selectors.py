"""Reads of the intake app: a patient's intakes, drafts, and the safety notice a page shows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from clinic.models import User
from intake.facts import build_facts
from intake.models import ConsentVersion, Intake, StepDraft
from screening import engine
from screening.engine.levels import URGENT_MEDICAL, URGENT_SAFETY
from screening.engine.rules import CRISIS_RULE_IDS

logger = logging.getLogger(__name__)



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


def safety_notice_from_result(intake: Intake, result: dict[str, Any]) -> SafetyNotice:
    """The notice for the engine's result: crisis resources when a crisis rule fired (the engine
    decides which answers are a crisis, see CRISIS_RULE_IDS) or the level is urgent-safety."""
    flags = result.get("flags", [])
    levels = {flag["level"] for flag in flags}
    return SafetyNotice(
        crisis=any(flag["rule"] in CRISIS_RULE_IDS for flag in flags) or URGENT_SAFETY in levels,
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
        # build_facts must never produce an invalid document; should it, the page errs on the
        # side of safety and shows the crisis resources. Only the field path is logged, never a value.
        logger.error("intake %s: invalid facts document at %s", intake.pk, error.path)
        return SafetyNotice(crisis=True)
    return safety_notice_from_result(intake, result)
