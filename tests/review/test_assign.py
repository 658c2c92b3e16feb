"""Assigning a case to oneself or to another clinician."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from clinic.models import AuditAction, AuditEvent
from screening.models import CaseStatus
from tests.review.conftest import act

pytestmark = pytest.mark.django_db


def test_a_clinician_takes_a_case(clinician_client, clinician, case):
    response = act(clinician_client, case, "assign", assignee=clinician.pk)
    assert response.status_code == HTTPStatus.FOUND
    case.refresh_from_db()
    assert case.assigned_to == clinician
    assert case.status == CaseStatus.IN_REVIEW


def test_a_clinician_gives_a_case_to_a_colleague_and_the_trail_shows_before_and_after(
    clinician_client, clinician, other_clinician, case
):
    act(clinician_client, case, "assign", assignee=clinician.pk)
    act(clinician_client, case, "assign", assignee=other_clinician.pk)

    case.refresh_from_db()
    assert case.assigned_to == other_clinician
    last = AuditEvent.objects.filter(action=AuditAction.ASSIGN).order_by("-id").first()
    assert last.changes["assigned_to"] == {"before": "carol@example.org", "after": "dan@example.org"}
    assert last.actor == clinician


def test_the_page_shows_the_assignee_after_assigning(clinician_client, other_clinician, case):
    response = act(clinician_client, case, "assign", assignee=other_clinician.pk)
    page = clinician_client.get(response.url)
    assert "Dan Clinician" in page.content.decode().split('data-testid="assigned-to">', 1)[1][:100]


def test_a_patient_cannot_be_given_a_case(clinician_client, other_patient, case):
    response = act(clinician_client, case, "assign", assignee=other_patient.pk)
    assert response.status_code == HTTPStatus.OK
    assert "assignee" in response.context["forms"]["assign"].errors
    case.refresh_from_db()
    assert case.assigned_to is None


def test_a_missing_or_garbled_assignee_is_an_error_not_a_500(clinician_client, case):
    assert act(clinician_client, case, "assign", assignee="nonsense").status_code == HTTPStatus.OK
    assert act(clinician_client, case, "assign").status_code == HTTPStatus.OK


def test_assigning_to_the_present_assignee_says_so(clinician_client, clinician, case):
    act(clinician_client, case, "assign", assignee=clinician.pk)
    response = act(clinician_client, case, "assign", assignee=clinician.pk)
    assert "already assigned" in str(response.context["forms"]["assign"].errors["assignee"])


def test_a_garbled_version_is_an_error_not_a_500(clinician_client, clinician, case):
    response = act(clinician_client, case, "assign", assignee=clinician.pk, version="abc")
    assert response.status_code == HTTPStatus.OK
    case.refresh_from_db()
    assert case.assigned_to is None
