"""Round trip: a patient types a golden case's answers into the forms, submits, and the stored
result is exactly what the engine says for that case.

The golden cases carry a *measured* blood pressure, but a patient can only type their own
reading, which the intake stores as self-reported. So each stored result is compared with
``engine.screen`` of the golden facts with ``vitals.bp_source`` set to ``"self_reported"``:
the facts document that the typed answers truly express. (For the case whose reading was
already self-reported, that changes nothing.) Time is frozen on the case's assessment date.
"""

from __future__ import annotations

import copy
import datetime as dt
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from intake.models import IntakeStatus
from intake.services import intake_start, patient_get_or_create
from screening import engine
from screening.models import Case, ScreeningResult
from tests.answers import form_posts_from_facts
from tests.intake.conftest import GOLDEN, post_step

# A patient cannot type these; the forms refuse them on purpose.
NOT_TYPEABLE = {
    # The form refuses a bottom number at or above the top number (a swapped reading).
    "BP values swapped",
}
CASES = [case for case in GOLDEN if case["name"] not in NOT_TYPEABLE]


def as_typed(facts: dict) -> dict:
    expressed = copy.deepcopy(facts)
    vitals = expressed.get("vitals")
    if vitals and (vitals.get("bp_systolic") is not None or vitals.get("bp_diastolic") is not None):
        vitals["bp_source"] = "self_reported"
    return expressed


def fill_and_submit(client, user, facts):
    intake = intake_start(patient=patient_get_or_create(user=user))
    for key, data in form_posts_from_facts(facts).items():
        response = post_step(client, intake, key, data)
        assert response.status_code == HTTPStatus.FOUND, (key, response.content.decode()[:2000])
    response = client.post(
        reverse("intake:submit", args=[intake.pk]),
        {"consent_version": "2026.1", "agree": "on", "signature": user.full_name},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("intake:confirmation", args=[intake.pk])
    intake.refresh_from_db()
    return intake


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_typed_answers_store_the_engines_result_for_the_case(patient_client, patient, case):
    facts = case["facts"]
    noon = dt.datetime.fromisoformat(facts["assessment_date"]).replace(hour=12, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=False):
        intake = fill_and_submit(patient_client, patient, facts)

    assert intake.status == IntakeStatus.SUBMITTED
    assert intake.assessment_date.isoformat() == facts["assessment_date"]
    stored = ScreeningResult.objects.get(intake=intake)
    expected = engine.screen(as_typed(facts))
    assert stored.result == expected
    assert stored.overall == expected["overall"]
    assert stored.ruleset == engine.RULESET_VERSION
    # The facts snapshot is the one the result was computed from.
    assert engine.screen(stored.facts) == stored.result


def test_the_base_patient_is_incomplete_only_for_want_of_a_measured_blood_pressure(patient_client, patient):
    base = GOLDEN[0]
    noon = dt.datetime.fromisoformat("2026-11-20T12:00").replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=False):
        intake = fill_and_submit(patient_client, patient, base["facts"])
    result = ScreeningResult.objects.get(intake=intake).result
    flags = sorted(f"{flag['rule']}:{flag['level']}" for flag in result["flags"])
    assert flags == sorted([*base["expect"]["flags"], "BP-07:INCOMPLETE"])
    assert result["scores"] == {**base["expect"]["scores"], "bp_category": "elevated"}


@pytest.mark.parametrize(
    ("name", "urgent_level"),
    [("PHQ-9 item 9 answered 1 with a low total", "URGENT_SAFETY"), ("BP 190/100 crisis", "URGENT_MEDICAL")],
)
def test_an_urgent_golden_case_alerts_the_clinic(patient_client, patient, name, urgent_level):
    facts = next(case for case in GOLDEN if case["name"] == name)["facts"]
    noon = dt.datetime.fromisoformat(facts["assessment_date"]).replace(hour=12, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=False):
        intake = fill_and_submit(patient_client, patient, facts)
    case = Case.objects.get(intake=intake)
    assert case.urgent_level == urgent_level
    assert case.overall == urgent_level
