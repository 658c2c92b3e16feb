"""Writes of the screening app: running the engine, raising urgent alerts, and (below) the
clinician's actions on a case. Every service is keyword-only and atomic."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic.audit import audit_record
from clinic.models import AuditAction, User
from intake.facts import build_facts
from intake.models import Intake
from screening import engine
from screening.models import (
    LEVEL_PRIORITY,
    URGENT_LEVELS,
    Case,
    CaseStatus,
    Level,
    MeasuredVitals,
    ScreeningResult,
    ScreeningTrigger,
)

logger = logging.getLogger(__name__)


def clinic_today() -> dt.date:
    """Today in the clinic's time zone: the reference date of a screening."""
    return timezone.localdate()


def _case_locked(intake: Intake) -> Case:
    """The intake's case, created if needed, with its row locked for this transaction."""
    case, _ = Case.objects.get_or_create(intake=intake)
    return Case.objects.select_for_update().get(pk=case.pk)


def _urgent_level(result: dict) -> str | None:
    for flag in result["flags"]:
        if flag["level"] in URGENT_LEVELS:
            return str(flag["level"])
    return None


def _raise_urgent(*, case: Case, level: str, source: str) -> None:
    """Put an urgent flag on the case (it goes to the top of the queue) and e-mail the clinic.

    A case keeps its first unacknowledged urgent alert; a more urgent level replaces a less
    urgent one. An acknowledged alert is raised afresh when a new urgent result arrives.
    """
    current = case.urgent_level
    if current is not None and case.urgent_acknowledged_at is None and LEVEL_PRIORITY[current] <= LEVEL_PRIORITY[level]:
        return
    case.urgent_level = level
    case.urgent_raised_at = timezone.now()
    case.urgent_acknowledged_at = None
    case.urgent_acknowledged_by = None
    case.urgent_acknowledgement_note = ""
    audit_record(actor=None, action=AuditAction.ALERT, target=case, summary=f"{level} alert raised ({source})")
    recipients = list(settings.CLINIC_ALERT_EMAILS)
    if recipients:
        # No health data or name in the e-mail: only the level and a link to the case.
        path = reverse("review:case", args=[case.pk])
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[clinic-intake] {Level(level).label}: case {case.pk}",
                message=f"An urgent flag was raised on case {case.pk}. Open it: {path}",
                from_email=None,
                recipient_list=recipients,
                fail_silently=True,
            )
        )
    logger.warning("urgent alert raised: case=%s level=%s", case.pk, level)


def latest_measured_vitals(case: Case | None) -> MeasuredVitals | None:
    if case is None or case.pk is None:
        return None
    return case.measured_vitals.order_by("-recorded_at", "-id").first()


@transaction.atomic
def screening_run(
    *,
    intake: Intake,
    trigger: ScreeningTrigger,
    actor: User | None = None,
    assessment_date: dt.date | None = None,
) -> ScreeningResult:
    """Screen a submitted intake and store the result beside the earlier ones.

    The facts document is built from the answers (plus the latest measured vitals, if any),
    the engine runs, and the case moves to the new outcome. Urgent outcomes alert at once.
    """
    case = _case_locked(intake)
    reference = assessment_date or intake.assessment_date or clinic_today()
    facts = build_facts(intake, assessment_date=reference, vitals=latest_measured_vitals(case))
    result = engine.screen(facts)
    stored = ScreeningResult.objects.create(
        intake=intake,
        trigger=trigger,
        created_by=actor,
        ruleset=result["ruleset"],
        overall=result["overall"],
        facts=facts,
        result=result,
    )
    before = case.overall
    case.latest_result = stored
    case.overall = result["overall"]
    case.priority = LEVEL_PRIORITY[result["overall"]]
    if case.status == CaseStatus.ALERT:
        case.status = CaseStatus.NEW
    if intake.submitted_at and case.submitted_at is None:
        case.submitted_at = intake.submitted_at
    urgent = _urgent_level(result)
    if urgent:
        _raise_urgent(case=case, level=urgent, source=ScreeningTrigger(trigger).label)
    case.version += 1
    case.save()
    audit_record(
        actor=actor,
        action=AuditAction.SCREEN,
        target=case,
        summary=f"Screened ({ScreeningTrigger(trigger).label}): {result['overall']}",
        changes={"overall": {"before": before, "after": result["overall"]}},
    )
    return stored


@transaction.atomic
def safety_check_draft(*, intake: Intake) -> dict:
    """Screen a draft's answers so far and raise an urgent alert when they call for one.

    Safety rules work on a partial document (SCREENING_SPEC §1.3). Returns the engine's
    result so the caller can show crisis resources. Nothing is stored unless it is urgent.
    """
    facts = build_facts(intake, assessment_date=clinic_today(), vitals=None)
    result = engine.screen(facts)
    urgent = _urgent_level(result)
    if urgent:
        case = _case_locked(intake)
        if case.latest_result_id is None:
            case.status = CaseStatus.ALERT
            case.overall = urgent
            case.priority = LEVEL_PRIORITY[urgent]
        before = case.urgent_level
        _raise_urgent(case=case, level=urgent, source=ScreeningTrigger.DRAFT_SAFETY.label)
        if case.urgent_level != before or case.pk is None:
            case.version += 1
        case.save()
    return result
