"""Demo review history, so that the demo queue shows every kind of case.

``intake/demo.py`` creates the demo patients' intakes (submitted and screened, some with a
measured blood pressure); ``seed_review`` then acts on them as clinicians would, through the
same services, so the audit trail and timeline are real. The ``seed_demo`` command calls both.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from clinic.models import User
from screening import services
from screening.models import (
    Case,
    CaseNote,
    CaseStatus,
    Decision,
    DecisionOutcome,
    InfoRequest,
    Level,
    MeasuredVitals,
)

# Only the demo patients' cases are touched (seed_demo's accounts use this domain).
DEMO_EMAIL_DOMAIN = "@demo.clinic"


def _demo_cases() -> QuerySet[Case]:
    return Case.objects.filter(intake__patient__user__email__iendswith=DEMO_EMAIL_DOMAIN).order_by("id")


def _fresh(case: Case) -> Case:
    case.refresh_from_db()
    return case


def _acknowledge_one_urgent(clinician: User) -> str | None:
    # The draft's suicide-risk alert stays unacknowledged: the demo queue opens with it on top.
    if _demo_cases().filter(urgent_acknowledged_at__isnull=False).exists():
        return None
    case = _demo_cases().filter(urgent_level=Level.URGENT_MEDICAL, urgent_acknowledged_at__isnull=True).first()
    if case is None:
        return None
    services.case_acknowledge(
        case_id=case.pk,
        version=case.version,
        actor=clinician,
        note="Phoned the patient: no headache, chest pain or vision change. Asked them to come in for a measured BP.",
    )
    services.case_assign(case_id=case.pk, version=_fresh(case).version, actor=clinician, assignee=clinician)
    return f"case {case.pk}: urgent medical flag acknowledged and assigned to {clinician.email}"


def _assign_and_note(clinician: User, colleague: User) -> str | None:
    if CaseNote.objects.filter(case__in=_demo_cases()).exists():
        return None
    case = _demo_cases().filter(overall=Level.EXCLUDE_PENDING_REVIEW, status=CaseStatus.NEW).first()
    if case is None:
        return None
    services.case_assign(case_id=case.pk, version=case.version, actor=clinician, assignee=colleague)
    services.case_add_note(
        case_id=case.pk,
        version=_fresh(case).version,
        actor=colleague,
        text="Requested the psychiatrist's letter about the diagnosis before deciding.",
    )
    return f"case {case.pk}: assigned to {colleague.email}, note added"


def _record_vitals(clinician: User) -> str | None:
    if MeasuredVitals.objects.filter(case__in=_demo_cases()).exists():
        return None
    case = _demo_cases().filter(overall=Level.INCOMPLETE, status=CaseStatus.NEW).first()
    if case is None:
        return None
    services.case_record_vitals(
        case_id=case.pk,
        version=case.version,
        actor=clinician,
        bp_systolic=128,
        bp_diastolic=82,
        bp_date=timezone.localdate(),
        weight_kg=None,
    )
    return f"case {case.pk}: measured blood pressure recorded and re-screened"


def _request_info(clinician: User) -> str | None:
    if InfoRequest.objects.filter(case__in=_demo_cases()).exists():
        return None
    case = _demo_cases().filter(overall=Level.INCOMPLETE, status__in=[CaseStatus.NEW, CaseStatus.IN_REVIEW]).first()
    if case is None:
        return None
    services.case_request_info(
        case_id=case.pk,
        version=case.version,
        actor=clinician,
        steps=["heart", "medications"],
        message=(
            "Thank you for your answers. Could you tell us whether you have ever been told you have an aneurysm, "
            "and list the medicines you take now?"
        ),
    )
    return f"case {case.pk}: more information requested (heart, medications)"


def _decide_one(clinician: User) -> str | None:
    if Decision.objects.filter(case__in=_demo_cases()).exists():
        return None
    case = (
        _demo_cases().filter(overall=Level.NO_FLAGS_RAISED, status__in=[CaseStatus.NEW, CaseStatus.IN_REVIEW]).first()
    )
    if case is None:
        return None
    services.case_decide(
        case_id=case.pk,
        version=case.version,
        actor=clinician,
        outcome=DecisionOutcome.APPROVED,
        reason="Treatment-resistant depression, no contraindication found on review; measured BP normal.",
    )
    return f"case {case.pk}: approved for initial assessment"


@transaction.atomic
def seed_review(clinicians: list[User]) -> list[str]:
    """Act on the demo cases as clinicians would: acknowledge an urgent flag, assign a case
    and note on it, record vitals, request more information, decide one.

    Idempotent: each kind of action is taken once; a second run finds it done and does
    nothing. Returns lines to print.
    """
    if not clinicians:
        return ["review history: no clinician to act, skipped"]
    first = clinicians[0]
    second = clinicians[1] if len(clinicians) > 1 else first
    steps = [
        _acknowledge_one_urgent(first),
        _assign_and_note(first, second),
        _record_vitals(second),
        _request_info(first),
        _decide_one(second),
    ]
    done = [line for line in steps if line]
    return done or ["review history: already in place"]
