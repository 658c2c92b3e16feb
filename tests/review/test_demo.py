"""The demo clinic (screening/demo.py): patients with intakes in every state, written as the
patient's answers and posted through the same services as a real patient; then a review
history with every kind of case in the queue. Both idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from clinic.models import Role
from intake.models import Intake, IntakeStatus, StepDraft
from intake.selectors import current_consent
from screening.demo import as_post, calm_answers, demo_scenarios, seed_intakes, seed_review, seed_scenario
from screening.models import Case, CaseNote, Decision, InfoRequest, Level, MeasuredVitals, ScreeningResult
from tests.answers import BASE_FACTS, form_posts_from_facts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCENARIOS = {scenario.label: scenario for scenario in demo_scenarios()}


@pytest.fixture
def demo_clinic():
    clinicians = [
        UserFactory(email=f"clinician{n}@demo.clinic", full_name=f"Dr Demo {n}", role=Role.CLINICIAN) for n in (1, 2)
    ]
    patients = [UserFactory(email=f"patient{n}@demo.clinic", role=Role.PATIENT) for n in range(1, 9)]
    seed_intakes(patients, clinician=clinicians[0])
    return clinicians


def _latest(intake: Intake) -> ScreeningResult | None:
    return ScreeningResult.objects.filter(intake=intake).order_by("-created_at", "-id").first()


def test_the_calm_answers_are_the_golden_base_patient():
    """The demo's baseline, written as answers, is what the golden base patient's facts give."""
    reported = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    facts = {**BASE_FACTS, "vitals": {**BASE_FACTS["vitals"], "bp_date": reported}}
    expected = form_posts_from_facts(facts)
    calm = calm_answers()

    assert list(calm) == list(expected)
    for step, answers in calm.items():
        assert as_post(step, answers) == expected[step], step


@pytest.mark.parametrize("label", list(SCENARIOS))
def test_each_demo_scenario_screens_to_the_level_it_is_named_for(label, clinician):
    scenario = SCENARIOS[label]
    user = UserFactory(role=Role.PATIENT)

    line = seed_scenario(user, scenario, consent=current_consent(), clinician=clinician)

    intake = Intake.objects.get(patient__user=user)
    assert intake.status == (IntakeStatus.SUBMITTED if scenario.submit else IntakeStatus.DRAFT), line
    case = Case.objects.filter(intake=intake).first()
    if scenario.submit:
        assert _latest(intake).overall == scenario.level, line
        assert case.overall == scenario.level
    else:
        # A draft is never screened in full; its safety check raises the urgent level, or nothing.
        assert _latest(intake) is None
        assert (case.urgent_level if case else None) == scenario.level
        assert intake.current_step == scenario.stop_before
    assert StepDraft.objects.filter(intake=intake, is_valid=True).count() == len(scenario.steps())


def test_it_seeds_intakes_in_every_state_and_is_idempotent(clinician):
    patients = {f"patient{n}": UserFactory(role=Role.PATIENT) for n in range(1, 9)}
    lines = seed_intakes(patients)
    assert len(lines) == 8

    def intake_of(name):
        return Intake.objects.get(patient__user=patients[name])

    def outcome(name):
        return _latest(intake_of(name)).overall

    assert intake_of("patient1").status == IntakeStatus.DRAFT
    assert intake_of("patient1").current_step == "phq9"
    assert outcome("patient2") == "NO_FLAGS_RAISED"
    assert outcome("patient3") == "EXCLUDE_PENDING_REVIEW"
    assert outcome("patient4") == "INCOMPLETE"
    assert outcome("patient5") == "CAUTION"
    urgent_draft = intake_of("patient6")
    assert urgent_draft.status == IntakeStatus.DRAFT
    assert Case.objects.get(intake=urgent_draft).urgent_level == "URGENT_SAFETY"
    assert outcome("patient7") == "URGENT_MEDICAL"
    assert outcome("patient8") == "SAFETY_REVIEW"
    # Staff measured the reading each of three patients reported, today, as the first clinician.
    measured = {
        row.case.intake.patient.user_id: (row.bp_systolic, row.bp_diastolic, row.bp_date, row.recorded_by)
        for row in MeasuredVitals.objects.select_related("case__intake__patient", "recorded_by")
    }
    today = timezone.localdate()
    assert measured == {
        patients["patient2"].pk: (124, 78, today, clinician),
        patients["patient5"].pk: (150, 85, today, clinician),
        patients["patient8"].pk: (124, 78, today, clinician),
    }

    again = seed_intakes(list(patients.values()))
    assert all("already has an intake" in line for line in again)
    assert Intake.objects.count() == 8
    # Six submissions, and three of them re-screened with a blood pressure measured by staff.
    assert ScreeningResult.objects.count() == 9


def test_the_demo_queue_shows_every_kind_of_case(demo_clinic):
    lines = seed_review(demo_clinic)

    assert len(lines) >= 4
    cases = Case.objects.all()
    assert cases.filter(urgent_level__isnull=False, urgent_acknowledged_at__isnull=True).exists()
    assert cases.filter(urgent_acknowledged_at__isnull=False).exists()
    assert cases.filter(assigned_to__isnull=False).exists()
    assert CaseNote.objects.exists()
    assert InfoRequest.objects.filter(resolved_at__isnull=True).exists()
    assert Decision.objects.filter(outcome="approved").exists()
    assert {Level.EXCLUDE_PENDING_REVIEW, Level.INCOMPLETE, Level.CAUTION} <= set(
        cases.values_list("overall", flat=True)
    )
    statuses = set(cases.values_list("status", flat=True))
    assert {"alert", "in_review", "info_requested", "decided"} <= statuses


def test_seeding_twice_adds_nothing(demo_clinic):
    seed_review(demo_clinic)
    counts = (CaseNote.objects.count(), Decision.objects.count(), InfoRequest.objects.count())

    assert seed_review(demo_clinic) == ["review history: already in place"]
    assert (CaseNote.objects.count(), Decision.objects.count(), InfoRequest.objects.count()) == counts


def test_without_clinicians_it_says_so():
    assert seed_review([]) == ["review history: no clinician to act, skipped"]
