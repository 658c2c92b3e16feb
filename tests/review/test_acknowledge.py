"""Acknowledging an urgent flag: a note is required, and nothing else can be done before it."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from clinic.models import AuditAction, AuditEvent
from screening.models import CaseStatus
from screening.services import ACKNOWLEDGE_FIRST_MESSAGE, STALE_MESSAGE, case_acknowledge
from tests.review.conftest import act

pytestmark = pytest.mark.django_db


def test_it_acknowledges_the_urgent_flag_with_the_note(clinician_client, clinician, urgent_case):
    response = act(clinician_client, urgent_case, "acknowledge", note="Called the patient; safety plan agreed.")

    assert response.status_code == HTTPStatus.FOUND
    urgent_case.refresh_from_db()
    assert not urgent_case.needs_acknowledgement
    assert urgent_case.urgent_acknowledged_by == clinician
    assert urgent_case.urgent_acknowledgement_note == "Called the patient; safety plan agreed."
    assert urgent_case.status == CaseStatus.IN_REVIEW


def test_it_writes_who_acknowledged_with_before_and_after(clinician_client, urgent_case):
    act(clinician_client, urgent_case, "acknowledge", note="Called the patient.")
    event = AuditEvent.objects.get(action=AuditAction.ACKNOWLEDGE)
    assert event.changes["urgent_acknowledgement_note"] == {"before": "", "after": "Called the patient."}
    assert event.changes["urgent_acknowledged_by"] == {"before": None, "after": "carol@example.org"}
    assert "Called" not in event.summary


def test_a_note_is_required(clinician_client, urgent_case):
    response = act(clinician_client, urgent_case, "acknowledge", note="   ")
    assert response.status_code == HTTPStatus.OK
    assert "note" in response.context["forms"]["acknowledge"].errors
    urgent_case.refresh_from_db()
    assert urgent_case.needs_acknowledgement


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("note", {"text": "Before acknowledging"}),
        ("assign", {}),
        ("decide", {"outcome": "not_eligible", "reason": "Too risky"}),
        ("vitals", {"bp_systolic": 120, "bp_diastolic": 80, "bp_date": "2026-01-01"}),
        ("request_info", {"steps": ["heart"], "message": "Please check"}),
    ],
)
def test_no_other_action_is_possible_before_acknowledgement(clinician_client, clinician, urgent_case, action, data):
    if action == "assign":
        data = {"assignee": clinician.pk}
    response = act(clinician_client, urgent_case, action, **data)
    assert response.status_code == HTTPStatus.CONFLICT
    assert ACKNOWLEDGE_FIRST_MESSAGE in response.content.decode()
    signing_in_and_reading = [AuditAction.VIEW, AuditAction.LOGIN]
    assert not AuditEvent.objects.exclude(action__in=signing_in_and_reading).filter(actor=clinician).exists()


def test_a_case_without_an_urgent_flag_has_nothing_to_acknowledge(clinician_client, case):
    response = act(clinician_client, case, "acknowledge", note="Nothing to see")
    assert response.status_code == HTTPStatus.CONFLICT
    assert "no unacknowledged urgent flag" in response.content.decode()


def test_a_stale_page_is_told_and_keeps_the_typed_note(clinician_client, urgent_case):
    version = urgent_case.version
    urgent_case.version += 1
    urgent_case.save()

    response = act(clinician_client, urgent_case, "acknowledge", note="My careful note", version=version)

    assert response.status_code == HTTPStatus.CONFLICT
    body = response.content.decode()
    assert STALE_MESSAGE.split(":")[0] in body
    assert "My careful note" in body
    form = response.context["forms"]["acknowledge"]
    assert form.data["version"] == str(urgent_case.version)


def test_when_a_colleague_acknowledged_first_the_typed_note_is_shown_back(
    clinician_client, other_clinician, urgent_case
):
    seen = urgent_case.version
    case_acknowledge(case_id=urgent_case.pk, version=seen, actor=other_clinician, note="Dan called first.")

    response = act(clinician_client, urgent_case, "acknowledge", note="My own careful note", version=seen)

    assert response.status_code == HTTPStatus.CONFLICT
    kept = response.content.decode().split('data-testid="kept-text"', 1)[1]
    assert "My own careful note" in kept
    assert "Dan called first." in response.content.decode()
