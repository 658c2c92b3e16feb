"""Fixtures of the patient intake tests: Alice's intake in progress, Bob's, and helpers that
post a step as the browser would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from intake.models import Intake
from intake.services import intake_start, patient_get_or_create
from tests.factories import DraftIntakeFactory, PatientFactory

GOLDEN = json.loads((Path(__file__).resolve().parents[1] / "data" / "golden.json").read_text())


def golden_case(name: str) -> dict[str, Any]:
    return next(case for case in GOLDEN if case["name"] == name)


def step_url(intake: Intake, key: str) -> str:
    return reverse("intake:step", args=[intake.pk, key])


def post_step(client, intake: Intake, key: str, data: dict[str, Any], action: str = "next"):
    return client.post(step_url(intake, key), {**data, "action": action})


@pytest.fixture
def intake(patient) -> Intake:
    """Alice's intake, just started."""
    return intake_start(patient=patient_get_or_create(user=patient))


@pytest.fixture
def other_intake(other_patient) -> Intake:
    """Bob's intake in progress, which Alice must never reach."""
    return DraftIntakeFactory(patient=PatientFactory(user=other_patient))
