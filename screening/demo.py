"""The demo clinic's patients and review history, made through the same services as real use.

``seed_intakes`` gives the demo patients intakes in every state. Each scenario is written as
the patient's answers: one calm answer set (``calm_answers``, the golden base patient of
SCREENING_SPEC's cases) and the answers each scenario changes. They are posted step by step
through ``intake_save_step`` and submitted through ``intake_submit``, as a patient would, so
the screening, the alerts and the audit trail are real. ``seed_review`` then acts on the cases
as clinicians would. The ``seed_demo`` command calls both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from clinic.models import Role, User
from intake import services as intake_services
from intake.date_input import DateInputField, date_post
from intake.models import ConsentVersion, Intake
from intake.selectors import current_consent
from intake.steps import STEP_BY_KEY, STEP_KEYS
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
    ScreeningResult,
)

# --- The demo patients' answers -------------------------------------------------------------

# One step's answers as posted, except that the rows of a step with rows (antidepressants
# tried, medicines taken) are a list under the formset's prefix: ``{"meds": [{"name": …}]}``.
StepAnswers = dict[str, Any]


def _reading_days_ago(days: int) -> StepAnswers:
    """The day, month and year boxes of a blood-pressure reading taken ``days`` ago."""
    return date_post("bp_date", timezone.localdate() - dt.timedelta(days=days))


def _no_to_each(step: str, **answers: str) -> StepAnswers:
    """Every yes/no question of ``step`` answered "no" (dates left empty), except those given."""
    fields = STEP_BY_KEY[step].form_class.base_fields
    dates = [name for name in STEP_BY_KEY[step].columns if isinstance(fields[name], DateInputField)]
    no = {name: "no" for name in STEP_BY_KEY[step].columns if name not in dates}
    empty = {key: text for name in dates for key, text in date_post(name, None).items()}
    return {**no, **empty, **answers}


def _items(prefix: str, *answers: int | str) -> StepAnswers:
    return {f"{prefix}_{number}": str(answer) for number, answer in enumerate(answers, start=1)}


def _failed_trial(name: str) -> dict[str, str]:
    """An adequate antidepressant trial that did not help: 8 weeks at the full dose."""
    return {"name": name, "weeks": "8", "full_dose": "yes", "helped": "no"}


def calm_answers() -> dict[str, StepAnswers]:
    """The answers of a patient with nothing of concern (the golden base patient): three failed
    antidepressants, a self-reported blood pressure of 124/78 five days ago."""
    return {
        "about": {
            **date_post("date_of_birth", "1984-03-15"),
            "sex_at_birth": "female",
            "height_cm": "168",
            "weight_kg": "68",
            "phone": "(555) 010-0199",
        },
        "pregnancy": {"pregnancy_possible": "yes", "pregnant": "no", "breastfeeding": "no", "planning_pregnancy": "no"},
        "heart": _no_to_each(
            "heart",
                        heart_failure="none",
            arrhythmia="none",
            bp_known="yes",
            bp_systolic="124",
            bp_diastolic="78",
            **_reading_days_ago(5),
        ),
        "medical": _no_to_each("medical", liver_disease="none"),
        "mental_health": {
            **_no_to_each("mental_health", antidepressants_tried="yes"),
            "trials": [_failed_trial(name) for name in ("Sertraline", "Escitalopram", "Venlafaxine")],
        },
        "phq9": _items("phq9", 2, 2, 2, 1, 1, 2, 1, 1, 0),
        "gad7": _items("gad7", 1, 1, 1, 1, 0, 1, 1),
        # The patient saw every follow-up question the skip logic shows after their answers.
        "cssrs": {
            **_no_to_each("cssrs", cssrs_q3="", cssrs_q4="", cssrs_q5="", cssrs_q6_past_3_months=""),
            "shown": ["q3_q5", "q6_timing"],
        },
        "substances": {
            **_no_to_each("substances"),
            **_items("auditc", 1, 1, 0),
            **_items("dast10", "no", "no", "yes", "no", "no", "no", "no", "no", "no", "no"),
        },
        "medications": {
            "takes_medications": "yes",
            "meds": [{"name": "Sertraline 100 mg", "dose": "", "frequency": ""}],
        },
        "goals": {
            "treatment_goals": "Feel like myself again and get back to work.",
            "has_ride_home": "yes",
            "route_preference": "unsure",
        },
    }


def as_post(step: str, answers: StepAnswers) -> dict[str, Any]:
    """The post of ``answers``: rows become the formset's fields, as the browser sends them."""
    post: dict[str, Any] = {}
    prefix = STEP_BY_KEY[step].form_class.formset_prefix
    for name, value in answers.items():
        if prefix and name == prefix:
            post.update({f"{prefix}-TOTAL_FORMS": str(len(value)), f"{prefix}-INITIAL_FORMS": "0"})
            for index, row in enumerate(value):
                post.update({f"{prefix}-{index}-{key}": item for key, item in row.items()})
        else:
            post[name] = value
    return post


@dataclass(frozen=True)
class Scenario:
    label: str
    description: str
    # The level the scenario is made to show: the outcome of its latest screening, or for a
    # draft the urgent level its safety check raised (None: a draft that raises nothing).
    level: Level | None
    # The answers that differ from the calm patient's, step by step.
    changes: Mapping[str, StepAnswers] = field(default_factory=dict)
    submit: bool = True
    # A draft stops before this step.
    stop_before: str | None = None
    # Staff measure the blood pressure the patient reported (the patient's reading is only
    # self-reported), so that the outcome can be calmer than INCOMPLETE (rule BP-07).
    measured: bool = False

    def answers(self) -> dict[str, StepAnswers]:
        calm = calm_answers()
        return {step: {**calm[step], **self.changes.get(step, {})} for step in calm}

    def steps(self) -> tuple[str, ...]:
        if self.stop_before is None:
            return STEP_KEYS
        return STEP_KEYS[: STEP_KEYS.index(self.stop_before)]


def demo_scenarios() -> list[Scenario]:
    """The demo intakes, in the order demo patients get them."""
    return [
        Scenario(
            "draft",
            "a draft, half filled in (stopped before the PHQ-9)",
            level=None,
            submit=False,
            stop_before="phq9",
        ),
        Scenario(
            "no_flags",
            "submitted with the golden base patient's answers, BP measured by staff (NO_FLAGS_RAISED)",
            level=Level.NO_FLAGS_RAISED,
            measured=True,
        ),
        Scenario(
            "exclude",
            "submitted: schizophrenia (EXCLUDE_PENDING_REVIEW)",
            level=Level.EXCLUDE_PENDING_REVIEW,
            changes={"mental_health": {"psychotic_disorder": "yes"}},
        ),
        Scenario(
            "incomplete",
            "submitted: aneurysm unknown, medications not answered (INCOMPLETE)",
            level=Level.INCOMPLETE,
            changes={"heart": {"aneurysm": "unknown"}, "medications": {"takes_medications": "", "meds": []}},
        ),
        Scenario(
            "caution",
            "submitted: bipolar history, BP 150/85 measured by staff (CAUTION)",
            level=Level.CAUTION,
            changes={
                "heart": {"bp_systolic": "150", "bp_diastolic": "85", **_reading_days_ago(3)},
                "mental_health": {"bipolar_or_mania_history": "yes"},
            },
            measured=True,
        ),
        Scenario(
            "urgent_safety_draft",
            "a draft with PHQ-9 item 9 = 2, never submitted (urgent safety alert raised)",
            level=Level.URGENT_SAFETY,
            changes={"phq9": _items("phq9", 2, 3, 2, 2, 1, 2, 2, 1, 2)},
            submit=False,
            stop_before="gad7",
        ),
        Scenario(
            "urgent_medical",
            "submitted: BP 190/100 (URGENT_MEDICAL)",
            level=Level.URGENT_MEDICAL,
            changes={"heart": {"bp_systolic": "190", "bp_diastolic": "100", **_reading_days_ago(1)}},
        ),
        Scenario(
            "safety_review",
            "submitted: C-SSRS wish to be dead in the past month, no plan (SAFETY_REVIEW)",
            level=Level.SAFETY_REVIEW,
            changes={"cssrs": {"cssrs_q1": "yes"}},
            measured=True,
        ),
    ]


def answer_steps(intake: Intake, answers: Mapping[str, StepAnswers], steps: Iterable[str]) -> None:
    """Post each step's answers through ``intake_save_step``, as the patient would."""
    for key in steps:
        post = intake_services.as_querydict(as_post(key, answers[key]))
        saved = intake_services.intake_save_step(intake=intake, step=STEP_BY_KEY[key], data=post)
        if not saved.valid:
            raise ValueError(f"demo answers for step {key} are invalid: {saved.form.errors.as_json()}")


def _measure_reported_bp(intake: Intake, heart: StepAnswers, clinician: User) -> None:
    """Staff measure the blood pressure and find the reading the patient reported."""
    case = Case.objects.get(intake=intake)
    services.case_record_vitals(
        case_id=case.pk,
        version=case.version,
        actor=clinician,
        bp_systolic=int(heart["bp_systolic"]),
        bp_diastolic=int(heart["bp_diastolic"]),
        bp_date=timezone.localdate(),
    )


def _some_clinician() -> User | None:
    return User.objects.filter(groups__name=Role.CLINICIAN, is_active=True).order_by("id").first()


def seed_scenario(user: User, scenario: Scenario, *, consent: ConsentVersion | None, clinician: User | None) -> str:
    """Give one demo patient the scenario's intake; returns the line to print."""
    patient = intake_services.patient_get_or_create(user=user)
    if Intake.objects.filter(patient=patient).exists():
        return f"{user.email}: already has an intake, left as it is"
    intake = intake_services.intake_start(patient=patient)
    answers = scenario.answers()
    answer_steps(intake, answers, scenario.steps())
    if scenario.submit:
        if consent is None:
            return f"{user.email}: left as a draft (no current consent text)"
        intake_services.intake_submit(intake=intake, signature=user.full_name, consent_version=consent)
        if scenario.measured and clinician is not None:
            _measure_reported_bp(intake, answers["heart"], clinician)
    intake.refresh_from_db()
    latest = ScreeningResult.objects.filter(intake=intake).order_by("-created_at", "-id").first()
    outcome = "" if latest is None else f" -> {latest.overall}"
    return f"{user.email}: {scenario.description} [{intake.get_status_display().lower()}{outcome}]"


@transaction.atomic
def seed_intakes(patients: Mapping[str, User] | Iterable[User], *, clinician: User | None = None) -> list[str]:
    """Give demo patients intakes in different states, filled in through the services.

    Patients are matched to ``demo_scenarios()`` in order; extra patients get nothing.
    Idempotent: a patient who already has an intake is left alone. ``clinician`` (by default
    the first clinician account) records the measured blood pressure of the scenarios that
    need one; users are never created here. Returns lines to print.
    """
    users = list(patients.values()) if isinstance(patients, Mapping) else list(patients)
    consent = current_consent()
    measurer = clinician or _some_clinician()
    return [
        seed_scenario(user, scenario, consent=consent, clinician=measurer)
        for user, scenario in zip(users, demo_scenarios(), strict=False)
    ]


# --- The review history ---------------------------------------------------------------------

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
