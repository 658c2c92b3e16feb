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


def test_the_staff_list_names_active_clinicians_admins_and_superusers_only(
    clinician, other_clinician, admin_user, patient
):
    from clinic.models import Role
    from screening.selectors import clinicians
    from tests.factories import UserFactory

    UserFactory(email="gone@example.org", full_name="Gone Clinician", role=Role.CLINICIAN, is_active=False)
    root = UserFactory(email="root@example.org", full_name="Root Super", role=Role.PATIENT, is_superuser=True)

    names = [person.email for person in clinicians()]

    # In name order; the patient and the inactive clinician are not in it, a superuser is.
    assert names == [clinician.email, other_clinician.email, admin_user.email, root.email]


def test_the_staff_list_reads_role_members_by_primary_key_on_postgresql(clinician):
    from django.db import connection

    from screening.selectors import clinicians

    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    # Init plans (= ANY(ARRAY(...))): the members are found first, then read by primary key,
    # never by a scan of every account joined with the group members (issue 13).
    assert "= ANY(ARRAY(" in str(clinicians().query)
    with connection.cursor() as db:
        db.execute("SET LOCAL enable_seqscan = off")
        plan = clinicians().explain()
    assert "Index Cond: (id = ANY (" in plan
