"""intake/demo.py: demo patients get intakes in every state, filled in through the services."""

from __future__ import annotations

from clinic.models import Role
from intake.demo import seed_intakes
from intake.models import Intake, IntakeStatus
from screening.models import Case, ScreeningResult
from tests.factories import UserFactory


def test_it_seeds_intakes_in_every_state_and_is_idempotent(clinician):
    patients = {f"patient{n}": UserFactory(role=Role.PATIENT) for n in range(1, 9)}
    lines = seed_intakes(patients)
    assert len(lines) == 8

    def intake_of(name):
        return Intake.objects.get(patient__user=patients[name])

    def outcome(name):
        return ScreeningResult.objects.filter(intake=intake_of(name)).order_by("-id").first().overall

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

    again = seed_intakes(list(patients.values()))
    assert all("already has an intake" in line for line in again)
    assert Intake.objects.count() == 8
    # Six submissions, and three of them re-screened with a blood pressure measured by staff.
    assert ScreeningResult.objects.count() == 9
