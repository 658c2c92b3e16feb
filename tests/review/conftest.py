"""Fixtures of the clinician review tests: cases in each state a clinician meets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from screening.models import Case, ScreeningTrigger
from screening.services import screening_run
from tests.factories import PatientFactory, SubmittedIntakeFactory, make_case


@pytest.fixture
def case(patient) -> Case:
    """Alice's submitted intake, screened with a canned result: BP-07 INCOMPLETE."""
    return make_case(user=patient)


@pytest.fixture
def urgent_case(other_patient) -> Case:
    """Bob's submitted intake with an unacknowledged URGENT_SAFETY flag."""
    return make_case(user=other_patient, flags=(("SAF-01", "URGENT_SAFETY"), ("BP-07", "INCOMPLETE")))


@pytest.fixture
def screened_case(patient) -> Case:
    """Alice's calm intake screened by the real engine (BP-07 INCOMPLETE: self-reported BP)."""
    intake = SubmittedIntakeFactory(patient=PatientFactory(user=patient))
    screening_run(intake=intake, trigger=ScreeningTrigger.SUBMIT)
    return Case.objects.get(intake=intake)


def act(client, case: Case, action: str, **data):
    """Post an action from the case page as it stands now (with the case's current version)."""
    case.refresh_from_db()
    data.setdefault("version", case.version)
    return client.post(reverse(f"review:{action}", args=[case.pk]), data)
