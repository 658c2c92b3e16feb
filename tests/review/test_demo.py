"""The demo review history: every kind of case in the demo queue, and idempotent."""

from __future__ import annotations

import pytest

from clinic.models import Role
from intake.demo import seed_intakes
from screening.demo import seed_review
from screening.models import Case, CaseNote, Decision, InfoRequest, Level
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_clinic():
    clinicians = [
        UserFactory(email=f"clinician{n}@demo.clinic", full_name=f"Dr Demo {n}", role=Role.CLINICIAN) for n in (1, 2)
    ]
    patients = [UserFactory(email=f"patient{n}@demo.clinic", role=Role.PATIENT) for n in range(1, 9)]
    seed_intakes(patients, clinician=clinicians[0])
    return clinicians


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
