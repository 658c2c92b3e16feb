"""Writes of the screening app: running the engine, raising urgent alerts, and the
clinician's actions on a case. Every service is keyword-only and atomic.

Clinician actions share one discipline (``_lock_for_action``): the case row is locked with
``select_for_update`` and the version the clinician saw is compared with the stored one, so
that two clinicians acting at once never both succeed on the same state of a case, and a
clinician never acts on a page that has changed since they opened it. An unacknowledged urgent
flag must be acknowledged before anything else is done to the case.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from clinic.audit import audit_record
from clinic.models import AuditAction, User
from intake.facts import build_facts
from intake.models import Intake, IntakeStatus
from screening import engine
from screening.models import (
    LEVEL_PRIORITY,
    URGENT_LEVELS,
    Case,
    CaseNote,
    CaseStatus,
    Decision,
    DecisionOutcome,
    InfoRequest,
    Level,
    MeasuredVitals,
    ScreeningResult,
    ScreeningTrigger,
    patient_search_text,
)
from screening.notify.services import notify_resubmitted, notify_urgent_alert

logger = logging.getLogger(__name__)


def clinic_today() -> dt.date:
    """Today in the clinic's time zone: the reference date of a screening."""
    return timezone.localdate()


def _patient_search(intake: Intake) -> str:
    """The new case's copy of its patient's name and e-mail, for the queue's search."""
    name, email = User.objects.filter(patient__pk=intake.patient_id).values_list("full_name", "email").get()
    return patient_search_text(full_name=name, email=email)


def _case_locked(intake: Intake) -> Case:
    """The intake's case, created if needed, with its row locked for this transaction."""
    case, _ = Case.objects.get_or_create(intake=intake, defaults={"patient_search": lambda: _patient_search(intake)})
    return Case.objects.select_for_update().get(pk=case.pk)


def _urgent_level(result: dict) -> str | None:
    for flag in result["flags"]:
        if flag["level"] in URGENT_LEVELS:
            return str(flag["level"])
    return None


def _urgent_flags(result: dict | None) -> set[tuple[str, str, str]]:
    """Each urgent flag of a result as (rule, level, inputs), to tell a new one from a repeat."""
    if not result:
        return set()
    return {
        (str(flag["rule"]), str(flag["level"]), json.dumps(flag.get("inputs") or {}, sort_keys=True, default=str))
        for flag in result.get("flags") or []
        if flag.get("level") in URGENT_LEVELS
    }


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
    # The e-mail is owed in this transaction and sent by the worker once it commits (no
    # health data or name in it: the level, the case number and a link).
    notify_urgent_alert(case=case, level=level)
    logger.warning("urgent alert raised: case=%s level=%s", case.pk, level)


def measured_vitals_of(case: Case | None) -> list[MeasuredVitals]:
    """Every row of vitals measured on the case, newest first (one query).

    The facts read each kind of measurement from the newest row that holds it
    (``intake.facts.measured_readings``), so a weight alone never hides a measured blood
    pressure: all rows are read, not only the newest.
    """
    if case is None or case.pk is None:
        return []
    return list(case.measured_vitals.order_by("-recorded_at", "-id"))


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
    facts = build_facts(intake, assessment_date=reference, vitals=measured_vitals_of(case))
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
    status_before = case.status
    previous = case.latest_result.result if case.latest_result_id else None
    case.latest_result = stored
    case.overall = result["overall"]
    case.priority = LEVEL_PRIORITY[result["overall"]]
    if case.status == CaseStatus.ALERT:
        case.status = CaseStatus.NEW
    if trigger == ScreeningTrigger.RESUBMIT:
        # The patient answered a request for more information: the request is resolved and
        # the case is back in the queue, with its clinician if it had one.
        answered = list(
            InfoRequest.objects.filter(case=case, resolved_at__isnull=True).order_by("-id").values_list("pk", flat=True)
        )
        InfoRequest.objects.filter(pk__in=answered).update(resolved_at=timezone.now())
        if answered:
            # The clinician who asked (or the one assigned) hears of the answer by e-mail.
            notify_resubmitted(case=case, info_request_id=answered[0])
        if case.status == CaseStatus.INFO_REQUESTED:
            case.status = CaseStatus.IN_REVIEW if case.assigned_to_id else CaseStatus.NEW
    if intake.submitted_at and case.submitted_at is None:
        case.submitted_at = intake.submitted_at
    urgent = _urgent_level(result)
    # An acknowledged alert is not raised again for the very same urgent flags (same rule,
    # same triggering answers): re-screening after, say, a measured weight must not page
    # the clinic twice about one answer. A new urgent flag, or new values, alert afresh.
    repeat = case.urgent_acknowledged_at is not None and _urgent_flags(result) <= _urgent_flags(previous)
    if urgent and not repeat:
        _raise_urgent(case=case, level=urgent, source=ScreeningTrigger(trigger).label)
    case.version += 1
    case.save()
    changes = {"overall": {"before": before, "after": result["overall"]}}
    if case.status != status_before:
        changes["status"] = {"before": status_before, "after": case.status}
    audit_record(
        actor=actor,
        action=AuditAction.SCREEN,
        target=case,
        summary=f"Screened ({ScreeningTrigger(trigger).label}): {result['overall']}",
        changes=changes,
        record=stored,
    )
    return stored


def screening_of_submission(*, intake: Intake, resubmission: bool, actor: User) -> None:
    """Screen a just-submitted intake (registered with the intake in ScreeningConfig.ready)."""
    screening_run(
        intake=intake,
        trigger=ScreeningTrigger.RESUBMIT if resubmission else ScreeningTrigger.SUBMIT,
        actor=actor,
        assessment_date=intake.assessment_date,
    )


# No savepoint of its own: called inside the step save's transaction, a failure here rolls the
# whole save back anyway (the exception is never caught in between).
@transaction.atomic(savepoint=False)
def safety_check_draft(*, intake: Intake) -> dict:
    """Screen a draft's answers so far and raise an urgent alert when they call for one.

    Safety rules work on a partial document (SCREENING_SPEC §1.3). Returns the engine's
    result so the caller can show crisis resources. Nothing is stored unless it is urgent.
    """
    facts = build_facts(intake, assessment_date=clinic_today(), vitals=())
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


# --- Clinician actions on a case -------------------------------------------------------------

#: Levels a clinician must answer, flag by flag, before approving despite them.
DEPARTING_LEVELS: tuple[str, ...] = (
    Level.URGENT_SAFETY,
    Level.URGENT_MEDICAL,
    Level.SAFETY_REVIEW,
    Level.EXCLUDE_PENDING_REVIEW,
    Level.INCOMPLETE,
)

ACKNOWLEDGE_FIRST_MESSAGE = "Acknowledge the urgent flag first: no other action is possible before it."
STALE_MESSAGE = "This case changed since you opened it: review the changes below; your text is kept."


class CaseActionError(Exception):
    """An action the case's present state does not allow. The message is for the clinician."""

    code = "not_allowed"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleCase(CaseActionError):
    """The case changed after the clinician loaded the page they acted from."""

    code = "stale"

    def __init__(self, message: str = STALE_MESSAGE) -> None:
        super().__init__(message)


class AcknowledgementRequired(CaseActionError):
    """An unacknowledged urgent flag stands: it must be acknowledged before anything else."""

    code = "acknowledge_first"

    def __init__(self, message: str = ACKNOWLEDGE_FIRST_MESSAGE) -> None:
        super().__init__(message)


def _lock_case(case_id: int) -> Case:
    """The case row, locked until the end of the transaction.

    Without the lock, two clinicians posting at once would both read version N, both pass
    the check and both write; with it the second waits, then reads N+1 and is refused.
    """
    return Case.objects.select_for_update().get(pk=case_id)


def _lock_for_action(*, case_id: int, version: int, acknowledging: bool = False) -> Case:
    case = _lock_case(case_id)
    if case.version != version:
        raise StaleCase()
    if case.needs_acknowledgement and not acknowledging:
        raise AcknowledgementRequired()
    return case


def _user_label(user: User | None) -> str | None:
    return user.email if user is not None else None


def _start_review(case: Case) -> None:
    """The first clinician action on a new case puts it in review."""
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.IN_REVIEW


def _save_case(case: Case) -> None:
    case.version += 1
    # Related rows are already locked or loaded; checking them again would only cost queries.
    case.full_clean(exclude=["intake", "latest_result", "assigned_to", "urgent_acknowledged_by"], validate_unique=False)
    case.save()


def _status_change(before: str, case: Case) -> dict[str, dict[str, str]]:
    return {"status": {"before": before, "after": case.status}} if before != case.status else {}


def _require_submitted(case: Case, action: str) -> None:
    if case.intake.status == IntakeStatus.DRAFT or case.latest_result_id is None:
        raise CaseActionError(f"The intake has not been submitted yet: {action} is possible once it is.")


def _require_open(case: Case, action: str) -> None:
    if case.status == CaseStatus.DECIDED:
        raise CaseActionError(f"This case is decided: {action} is no longer possible. Add a note instead.")
    if case.status == CaseStatus.INFO_REQUESTED:
        raise CaseActionError(
            f"The patient is answering a request for more information: {action} is possible once they resubmit."
        )


@transaction.atomic
def case_acknowledge(*, case_id: int, version: int, actor: User, note: str, request: HttpRequest | None = None) -> Case:
    """Acknowledge the case's urgent flag with a note: a person has seen it and acted."""
    case = _lock_for_action(case_id=case_id, version=version, acknowledging=True)
    if not case.needs_acknowledgement:
        raise CaseActionError("There is no unacknowledged urgent flag on this case.")
    note = note.strip()
    if not note:
        raise ValidationError({"note": ValidationError("Write what you did about the urgent flag.", code="required")})
    status_before = case.status
    case.urgent_acknowledged_at = timezone.now()
    case.urgent_acknowledged_by = actor
    case.urgent_acknowledgement_note = note
    _start_review(case)
    _save_case(case)
    audit_record(
        actor=actor,
        action=AuditAction.ACKNOWLEDGE,
        target=case,
        summary=f"Urgent flag acknowledged ({case.urgent_level})",
        changes={
            "urgent_acknowledged_at": {"before": None, "after": case.urgent_acknowledged_at.isoformat()},
            "urgent_acknowledged_by": {"before": None, "after": actor.email},
            "urgent_acknowledgement_note": {"before": "", "after": note},
            **_status_change(status_before, case),
        },
        request=request,
    )
    return case


@transaction.atomic
def case_assign(*, case_id: int, version: int, actor: User, assignee: User, request: HttpRequest | None = None) -> Case:
    """Give the case to a clinician (the actor or a colleague)."""
    case = _lock_for_action(case_id=case_id, version=version)
    if not (assignee.is_active and assignee.is_clinician_role):
        raise ValidationError({"assignee": ValidationError("Choose a clinician.", code="invalid_choice")})
    if case.assigned_to_id == assignee.pk:
        raise ValidationError({"assignee": ValidationError("The case is already assigned to them.", code="unchanged")})
    before = case.assigned_to
    status_before = case.status
    case.assigned_to = assignee
    _start_review(case)
    _save_case(case)
    audit_record(
        actor=actor,
        action=AuditAction.ASSIGN,
        target=case,
        summary="Case assigned",
        changes={
            "assigned_to": {"before": _user_label(before), "after": assignee.email},
            **_status_change(status_before, case),
        },
        request=request,
    )
    return case


@transaction.atomic
def case_add_note(
    *, case_id: int, version: int, actor: User, text: str, request: HttpRequest | None = None
) -> CaseNote:
    """Add a clinician's note to the case."""
    case = _lock_for_action(case_id=case_id, version=version)
    text = text.strip()
    note = CaseNote(case=case, author=actor, text=text)
    note.full_clean(exclude=["case", "author"])
    note.save()
    status_before = case.status
    _start_review(case)
    _save_case(case)
    audit_record(
        actor=actor,
        action=AuditAction.NOTE,
        target=case,
        summary="Note added",
        changes={"note": {"before": None, "after": text}, **_status_change(status_before, case)},
        request=request,
        record=note,
    )
    return note


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def case_record_vitals(
    *,
    case_id: int,
    version: int,
    actor: User,
    bp_systolic: int | None = None,
    bp_diastolic: int | None = None,
    bp_date: dt.date | None = None,
    weight_kg: Decimal | None = None,
    height_cm: Decimal | None = None,
    request: HttpRequest | None = None,
) -> ScreeningResult:
    """Record vitals measured by staff and re-screen the case with them.

    The new result is stored beside the earlier ones; the measured blood pressure replaces
    the patient's self-reported one in the facts (``bp_source: "measured"``). A row holding
    one kind of measurement leaves the others as the earlier rows (or the patient) gave them.
    """
    case = _lock_for_action(case_id=case_id, version=version)
    _require_submitted(case, "recording vitals")
    _require_open(case, "recording vitals")
    vitals = MeasuredVitals(
        case=case,
        recorded_by=actor,
        bp_systolic=bp_systolic,
        bp_diastolic=bp_diastolic,
        bp_date=bp_date,
        weight_kg=weight_kg,
        height_cm=height_cm,
    )
    if bp_date is not None and bp_date > clinic_today():
        raise ValidationError({"bp_date": ValidationError("The date cannot be in the future.", code="future")})
    vitals.full_clean(exclude=["case", "recorded_by"])
    vitals.save()
    status_before = case.status
    _start_review(case)
    _save_case(case)
    measured = {
        name: {"before": None, "after": _plain(getattr(vitals, name))}
        for name in ("bp_systolic", "bp_diastolic", "bp_date", "weight_kg", "height_cm")
        if getattr(vitals, name) is not None
    }
    audit_record(
        actor=actor,
        action=AuditAction.VITALS,
        target=case,
        summary="Measured vitals recorded",
        changes={**measured, **_status_change(status_before, case)},
        request=request,
        record=vitals,
    )
    # Re-screened as of today: the measurement was taken now, and the facts document refuses
    # a date after its assessment date.
    return screening_run(
        intake=case.intake, trigger=ScreeningTrigger.VITALS, actor=actor, assessment_date=clinic_today()
    )


@transaction.atomic
def case_request_info(
    *,
    case_id: int,
    version: int,
    actor: User,
    steps: Sequence[str],
    message: str,
    request: HttpRequest | None = None,
) -> InfoRequest:
    """Ask the patient for more information: reopen the chosen steps with a message.

    The patient can then change only those steps; their resubmission re-screens the case
    (``screening_run`` with trigger RESUBMIT), which resolves this request.
    """
    from screening.selectors import reopenable_step_keys

    case = _lock_for_action(case_id=case_id, version=version)
    _require_submitted(case, "requesting more information")
    _require_open(case, "requesting more information")
    known = reopenable_step_keys()
    chosen = [key for key in known if key in set(steps)]
    errors: dict[str, ValidationError] = {}
    if set(steps) - set(known):
        errors["steps"] = ValidationError("Choose sections from the list.", code="invalid_choice")
    elif not chosen:
        errors["steps"] = ValidationError("Choose at least one section of the intake to reopen.", code="required")
    message = message.strip()
    if not message:
        errors["message"] = ValidationError("Write a message the patient will read.", code="required")
    if errors:
        raise ValidationError(errors)
    info = InfoRequest(case=case, requested_by=actor, steps=chosen, message=message)
    info.full_clean(exclude=["case", "requested_by"])
    info.save()
    intake = Intake.objects.select_for_update().get(pk=case.intake_id)
    intake_before = {"status": intake.status, "reopened_steps": list(intake.reopened_steps)}
    intake.status = IntakeStatus.REOPENED
    intake.reopened_steps = chosen
    intake.save(update_fields=["status", "reopened_steps", "updated_at"])
    status_before = case.status
    case.status = CaseStatus.INFO_REQUESTED
    _save_case(case)
    audit_record(
        actor=actor,
        action=AuditAction.REQUEST_INFO,
        target=case,
        summary=f"More information requested ({len(chosen)} section(s) reopened)",
        changes={
            "intake.status": {"before": intake_before["status"], "after": intake.status},
            "intake.reopened_steps": {"before": intake_before["reopened_steps"], "after": chosen},
            "message": {"before": None, "after": message},
            **_status_change(status_before, case),
        },
        request=request,
        record=info,
    )
    return info


def departing_flags(result: Mapping[str, object] | None) -> list[dict]:
    """The flags of a result that an approval departs from: each needs its own reason."""
    if not result:
        return []
    flags = result.get("flags") or []
    return [flag for flag in flags if isinstance(flag, dict) and flag.get("level") in DEPARTING_LEVELS]


FLAG_REASON_REQUIRED = "Approving despite this flag needs a written reason."


def flags_lacking_a_reason(*, outcome: str, departing_rules: Sequence[str], given: Mapping[str, str]) -> list[str]:
    """The departing flags an approval gives no written reason for (none unless approving).

    The one statement of the rule: the decision form checks it to answer next to each field,
    and ``case_decide`` checks it again against the locked case's latest result.
    """
    if outcome != DecisionOutcome.APPROVED:
        return []
    return [rule for rule in departing_rules if not (given.get(rule) or "").strip()]


@transaction.atomic
def case_decide(
    *,
    case_id: int,
    version: int,
    actor: User,
    outcome: str,
    reason: str,
    flag_reasons: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> Decision:
    """Record the clinician's decision on the latest screening result.

    Approving while flags at EXCLUDE_PENDING_REVIEW or INCOMPLETE (or a safety level) stand
    departs from the screening: each such flag then needs its own written reason.
    """
    case = _lock_for_action(case_id=case_id, version=version)
    _require_submitted(case, "deciding")
    if case.status == CaseStatus.DECIDED:
        raise CaseActionError("This case is already decided; the earlier decision stands. Add a note instead.")
    _require_open(case, "deciding")
    result = ScreeningResult.objects.get(pk=case.latest_result_id)
    errors: dict[str, ValidationError] = {}
    if outcome not in DecisionOutcome.values:
        errors["outcome"] = ValidationError("Choose an outcome.", code="invalid_choice")
    reason = reason.strip()
    if not reason:
        errors["reason"] = ValidationError("Give the reason for your decision.", code="required")
    given = {rule: text.strip() for rule, text in (flag_reasons or {}).items()}
    departing = [str(flag["rule"]) for flag in departing_flags(result.result)]
    for rule in flags_lacking_a_reason(outcome=outcome, departing_rules=departing, given=given):
        errors[f"flag_reason_{rule}"] = ValidationError(FLAG_REASON_REQUIRED, code="required")
    kept = {rule: given[rule] for rule in departing if outcome == DecisionOutcome.APPROVED and given.get(rule)}
    if errors:
        raise ValidationError(errors)
    decision = Decision(case=case, decided_by=actor, outcome=outcome, reason=reason, flag_reasons=kept, result=result)
    decision.full_clean(exclude=["case", "decided_by", "result"])
    decision.save()
    status_before = case.status
    case.status = CaseStatus.DECIDED
    _save_case(case)
    audit_record(
        actor=actor,
        action=AuditAction.DECIDE,
        target=case,
        summary="Decision recorded",
        changes={
            "decision": {
                "before": None,
                "after": {"outcome": outcome, "reason": reason, "flag_reasons": kept, "result": result.pk},
            },
            **_status_change(status_before, case),
        },
        request=request,
        record=decision,
    )
    return decision


def case_record_view(*, case: Case, actor: User, request: HttpRequest | None = None) -> None:
    """Write who opened the case page, and when, to the audit trail."""
    audit_record(actor=actor, action=AuditAction.VIEW, target=case, summary="Case page viewed", request=request)


def case_record_export(*, case: Case, actor: User, what: str, request: HttpRequest | None = None) -> None:
    """Write who took a copy of the case out of the app (FHIR Bundle, PDF), and when, to the audit trail."""
    audit_record(actor=actor, action=AuditAction.EXPORT, target=case, summary=f"{what} exported", request=request)
