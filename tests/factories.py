"""Factories for every model, in one place (factory_boy)."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from clinic.models import Role, User

DEMO_PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(DEMO_PASSWORD)

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: object) -> None:
        if not create:
            return
        role = extracted or Role.PATIENT
        self.groups.add(Group.objects.get(name=role))
        if role == Role.ADMIN:
            self.is_staff = True
            self.save(update_fields=["is_staff"])


# --- Intakes, cases and screening results (clinician review) ---------------------------------

import datetime as _dt  # noqa: E402

from django.utils import timezone  # noqa: E402

from intake.facts import MEDICAL_FIELDS, PSYCHIATRIC_FIELDS, SUBSTANCE_FIELDS  # noqa: E402
from intake.models import AntidepressantTrial, Intake, IntakeStatus, Patient  # noqa: E402
from screening.models import LEVEL_PRIORITY, URGENT_LEVELS, Case, CaseStatus, ScreeningResult, patient_search_text  # noqa: E402

# Every yes/no/unknown history answer answered "no" (hypertension_controlled is only asked
# when hypertension is diagnosed; the graded answers are "none" below).
_CALM_NO = tuple(
    name
    for name in (*MEDICAL_FIELDS, *PSYCHIATRIC_FIELDS, *SUBSTANCE_FIELDS)
    if name not in {"heart_failure", "arrhythmia", "liver_disease", "hypertension_controlled"}
)

#: A complete intake with calm answers. Screened, it raises only BP-07 INCOMPLETE (the blood
#: pressure is self-reported) and INFO flags: a measured blood pressure makes it NO_FLAGS_RAISED.
CALM_ANSWERS: dict[str, object] = {
    "date_of_birth": _dt.date(1980, 5, 1),
    "sex_at_birth": "female",
    "height_cm": 170,
    "weight_kg": 70,
    "pregnancy_possible": "no",
    "breastfeeding": "no",
    **dict.fromkeys(_CALM_NO, "no"),
    "heart_failure": "none",
    "arrhythmia": "none",
    "liver_disease": "none",
    "bp_known": "yes",
    "bp_systolic": 122,
    "bp_diastolic": 78,
    "antidepressants_tried": "yes",
    **{f"phq9_{n}": value for n, value in enumerate([2, 2, 2, 1, 1, 1, 1, 1, 0], start=1)},
    **{f"gad7_{n}": 1 for n in range(1, 8)},
    "cssrs_q1": "no",
    "cssrs_q2": "no",
    "cssrs_q6": "no",
    "auditc_1": 1,
    "auditc_2": 0,
    "auditc_3": 0,
    # DAST-10 item 3 scores 1 for "no" (Skinner 1982): "yes" there keeps the total at 0.
    **{f"dast10_{n}": "yes" if n == 3 else "no" for n in range(1, 11)},
    "takes_medications": "no",
    "treatment_goals": "Feel like myself again.",
    "has_ride_home": "yes",
    "route_preference": "esketamine",
}


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    user = factory.SubFactory(UserFactory)


class SubmittedIntakeFactory(factory.django.DjangoModelFactory):
    """A submitted intake with CALM_ANSWERS and two adequate failed antidepressant trials."""

    class Meta:
        model = Intake
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    status = IntakeStatus.SUBMITTED
    current_step = "consent"
    submitted_at = factory.LazyFunction(timezone.now)
    submission_count = 1
    assessment_date = factory.LazyFunction(timezone.localdate)
    bp_date = factory.LazyFunction(lambda: timezone.localdate() - _dt.timedelta(days=3))
    consent_signature = factory.LazyAttribute(lambda intake: intake.patient.user.full_name)
    consented_at = factory.LazyAttribute(lambda intake: intake.submitted_at)

    @classmethod
    def _adjust_kwargs(cls, **kwargs: object) -> dict[str, object]:
        return {**CALM_ANSWERS, **kwargs}

    @factory.post_generation
    def trials(self, create: bool, extracted: int | None, **kwargs: object) -> None:
        if not create:
            return
        for position in range(2 if extracted is None else extracted):
            AntidepressantTrial.objects.create(
                intake=self,
                position=position,
                name=["sertraline", "escitalopram"][position % 2],
                weeks=8,
                full_dose="yes",
                helped="no",
            )


def canned_result(*flags: tuple[str, str], overall: str | None = None) -> dict[str, object]:
    """A result document (SCREENING_SPEC §6) with the given (rule, level) flags."""
    from screening.models import Level

    levels = [level for _rule, level in flags if level != Level.INFO]
    if overall is None:
        overall = min(levels, key=LEVEL_PRIORITY.__getitem__) if levels else Level.NO_FLAGS_RAISED
    return {
        "schema": "screening-result/1",
        "ruleset": "2026.1",
        "overall": overall,
        "flags": [
            {
                "rule": rule,
                "level": level,
                "message": f"{rule} message",
                "inputs": {"vitals.bp_systolic": 150} if rule.startswith("BP") else {},
                "missing": [],
                "source": f"{rule} source",
            }
            for rule, level in sorted(flags, key=lambda f: (LEVEL_PRIORITY[f[1]], f[0]))
        ],
        "scores": {
            "age": 45,
            "bmi": 24.2,
            "phq9": {"total": 11, "band": "moderate"},
            "gad7": {"total": 7, "band": "mild"},
            "auditc": {"total": 1, "positive": False},
            "dast10": {"total": 0, "band": "none"},
            "cssrs": {"risk": "none"},
            "bp_category": "normal",
        },
    }


def make_case(
    *,
    user: User | None = None,
    flags: tuple[tuple[str, str], ...] = (("BP-07", "INCOMPLETE"),),
    status: str = CaseStatus.NEW,
    submitted_at: _dt.datetime | None = None,
    urgent_acknowledged: bool = False,
    assigned_to: User | None = None,
    intake: Intake | None = None,
) -> Case:
    """A submitted, screened case with a canned result, without running the engine."""
    if intake is None:
        patient = PatientFactory(user=user) if user is not None else PatientFactory()
        intake = SubmittedIntakeFactory(patient=patient, submitted_at=submitted_at or timezone.now())
    document = canned_result(*flags)
    result = ScreeningResult.objects.create(
        intake=intake, trigger="submit", ruleset="2026.1", overall=document["overall"], facts={}, result=document
    )
    urgent = next((level for _rule, level in flags if level in URGENT_LEVELS), None)
    now = timezone.now()
    return Case.objects.create(
        intake=intake,
        status=status,
        overall=document["overall"],
        priority=LEVEL_PRIORITY[document["overall"]],
        latest_result=result,
        assigned_to=assigned_to,
        urgent_level=urgent,
        urgent_raised_at=intake.submitted_at if urgent else None,
        urgent_acknowledged_at=now if urgent and urgent_acknowledged else None,
        urgent_acknowledgement_note="Called the patient." if urgent and urgent_acknowledged else "",
        submitted_at=intake.submitted_at,
        patient_search=patient_search_text(full_name=intake.patient.user.full_name, email=intake.patient.user.email),
    )


# --- Back office (admin): consent versions, drafts and the review record ---------------------

from intake.models import ConsentVersion, IntakeMedication, StepDraft  # noqa: E402
from screening.models import CaseNote, Decision, InfoRequest, MeasuredVitals  # noqa: E402


class ConsentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentVersion

    version = factory.Sequence(lambda n: f"1.{n}")
    title = "Consent to ketamine and esketamine assessment"
    text = factory.LazyAttribute(lambda version: f"Wording of consent version {version.version}.")
    is_current = False


class DraftIntakeFactory(factory.django.DjangoModelFactory):
    """An intake the patient is still filling in: about-you answers only."""

    class Meta:
        model = Intake

    patient = factory.SubFactory(PatientFactory)
    status = IntakeStatus.DRAFT
    current_step = "pregnancy"
    date_of_birth = _dt.date(1990, 2, 3)
    sex_at_birth = "male"


class IntakeMedicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeMedication

    intake = factory.SubFactory(SubmittedIntakeFactory)
    name = "lisinopril"
    dose = "10 mg"
    frequency = "daily"


class StepDraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepDraft

    intake = factory.SubFactory(DraftIntakeFactory)
    step = "about"
    data = factory.LazyFunction(lambda: {"height": "5 ft 9", "weight": "160 lb"})
    is_valid = True


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision on a case (made with make_case), against the case's latest result."""

    class Meta:
        model = Decision

    case = factory.LazyFunction(make_case)
    decided_by = factory.SubFactory(UserFactory, role=Role.CLINICIAN)
    outcome = "approved"
    reason = "Reviewed the history with the patient by phone."
    result = factory.LazyAttribute(lambda decision: decision.case.latest_result)


class CaseNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseNote

    case = factory.LazyFunction(make_case)
    author = factory.SubFactory(UserFactory, role=Role.CLINICIAN)
    text = "Left a voicemail."


class MeasuredVitalsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasuredVitals

    case = factory.LazyFunction(make_case)
    recorded_by = factory.SubFactory(UserFactory, role=Role.CLINICIAN)
    bp_systolic = 128
    bp_diastolic = 82
    bp_date = factory.LazyFunction(timezone.localdate)


class InfoRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InfoRequest

    case = factory.LazyFunction(make_case)
    requested_by = factory.SubFactory(UserFactory, role=Role.CLINICIAN)
    steps = factory.LazyFunction(lambda: ["heart"])
    message = "Please tell us the date of your heart attack."
