"""Requesting more information: the chosen sections reopen with a message; the patient's
resubmission re-screens the case and resolves the request."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from clinic.models import AuditAction, AuditEvent
from intake.models import IntakeStatus
from screening.models import CaseStatus, InfoRequest, ScreeningTrigger
from screening.selectors import open_info_request_for_intake
from screening.services import screening_run
from tests.review.conftest import act

pytestmark = pytest.mark.django_db

MESSAGE = "Please give the date of your heart attack."


def test_it_reopens_the_chosen_sections_with_the_message(clinician_client, clinician, screened_case):
    response = act(clinician_client, screened_case, "request_info", steps=["heart", "medications"], message=MESSAGE)

    assert response.status_code == HTTPStatus.FOUND
    screened_case.refresh_from_db()
    intake = screened_case.intake
    intake.refresh_from_db()
    assert screened_case.status == CaseStatus.INFO_REQUESTED
    assert intake.status == IntakeStatus.REOPENED
    assert intake.reopened_steps == ["heart", "medications"]
    request = open_info_request_for_intake(intake)
    assert (request.message, request.steps, request.requested_by) == (MESSAGE, ["heart", "medications"], clinician)


def test_the_steps_are_kept_in_intake_order(clinician_client, screened_case):
    act(clinician_client, screened_case, "request_info", steps=["goals", "about"], message=MESSAGE)
    assert InfoRequest.objects.get().steps == ["about", "goals"]


def test_the_trail_holds_the_request_with_before_and_after(clinician_client, screened_case):
    act(clinician_client, screened_case, "request_info", steps=["heart"], message=MESSAGE)
    event = AuditEvent.objects.get(action=AuditAction.REQUEST_INFO)
    assert event.changes["intake.status"] == {"before": "submitted", "after": "reopened"}
    assert event.changes["intake.reopened_steps"] == {"before": [], "after": ["heart"]}
    assert event.changes["status"] == {"before": "new", "after": "info_requested"}
    assert "heart attack" not in event.summary


def test_the_case_page_says_it_waits_for_the_patient(clinician_client, screened_case):
    response = act(clinician_client, screened_case, "request_info", steps=["heart"], message=MESSAGE)
    body = clinician_client.get(response.url).content.decode()
    assert "Waiting for the patient" in body
    assert MESSAGE in body
    assert "Heart and circulation" in body


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"message": MESSAGE}, "steps"),
        ({"steps": ["heart", "astrology"], "message": MESSAGE}, "steps"),
        ({"steps": ["heart"], "message": "   "}, "message"),
        ({"steps": ["heart"], "message": "x" * 4001}, "message"),
    ],
)
def test_invalid_requests_are_refused_beside_the_field_and_kept(clinician_client, screened_case, data, field):
    response = act(clinician_client, screened_case, "request_info", **data)
    assert response.status_code == HTTPStatus.OK
    assert field in response.context["forms"]["request_info"].errors
    assert not InfoRequest.objects.exists()
    if data.get("message", "").strip():
        assert data["message"] in response.content.decode()


def test_a_second_request_waits_for_the_first_answer(clinician_client, screened_case):
    act(clinician_client, screened_case, "request_info", steps=["heart"], message=MESSAGE)
    response = act(clinician_client, screened_case, "request_info", steps=["about"], message="And your weight")
    assert response.status_code == HTTPStatus.CONFLICT
    assert InfoRequest.objects.count() == 1


def test_a_resubmission_resolves_the_request_and_returns_the_case_to_the_queue(
    clinician_client, clinician, screened_case
):
    act(clinician_client, screened_case, "assign", assignee=clinician.pk)
    act(clinician_client, screened_case, "request_info", steps=["heart"], message=MESSAGE)
    intake = screened_case.intake
    intake.refresh_from_db()
    # What the patient side does on resubmission, in short: submitted again, then screened.
    intake.status = IntakeStatus.SUBMITTED
    intake.reopened_steps = []
    intake.save()

    screening_run(intake=intake, trigger=ScreeningTrigger.RESUBMIT)

    screened_case.refresh_from_db()
    assert screened_case.status == CaseStatus.IN_REVIEW
    assert open_info_request_for_intake(intake) is None
    assert InfoRequest.objects.get().resolved_at is not None
    event = AuditEvent.objects.filter(action=AuditAction.SCREEN).order_by("-id").first()
    assert event.changes["status"] == {"before": "info_requested", "after": "in_review"}


def test_an_unassigned_case_returns_as_new(clinician_client, screened_case):
    act(clinician_client, screened_case, "request_info", steps=["heart"], message=MESSAGE)
    screening_run(intake=screened_case.intake, trigger=ScreeningTrigger.RESUBMIT)
    screened_case.refresh_from_db()
    assert screened_case.status == CaseStatus.NEW


def test_there_is_no_open_request_for_an_intake_never_asked(screened_case):
    assert open_info_request_for_intake(screened_case.intake) is None
