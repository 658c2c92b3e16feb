"""Every security event and every read of a list is one line in the audit trail, naming
the account by id and the filters used, never a name, an e-mail address or an answer."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent
from intake.models import Intake
from screening.models import Case
from tests.admin.conftest import changelist_url
from tests.factories import make_case

pytestmark = pytest.mark.django_db

PERSONAL = ("alice", "Alice", "example.org", "Patient")


def _only(action: AuditAction) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, events
    return events[0]


def _says_nothing_personal(event: AuditEvent) -> None:
    text = f"{event.summary} {event.changes} {event.target_id}"
    assert not any(word in text for word in PERSONAL), text


def test_sign_in_sign_out_and_a_failed_sign_in_are_audited(client, patient, password):
    client.post(reverse("login"), {"username": "ALICE@example.org", "password": "wrong-password-1"})
    failed = _only(AuditAction.LOGIN_FAILED)
    assert failed.target_id == str(patient.pk)
    client.post(reverse("login"), {"username": "alice@example.org", "password": password})
    login = _only(AuditAction.LOGIN)
    client.post(reverse("logout"))
    logout = _only(AuditAction.LOGOUT)
    assert login.actor_id == logout.actor_id == patient.pk
    for event in (failed, login, logout):
        _says_nothing_personal(event)


def test_a_failed_sign_in_for_an_unknown_address_names_no_address(client):
    client.post(reverse("login"), {"username": "nobody@example.org", "password": "wrong-password-1"})
    event = _only(AuditAction.LOGIN_FAILED)
    assert event.target_id == "unknown"
    _says_nothing_personal(event)


def test_a_lockout_is_audited(client, patient):
    for _ in range(5):
        client.post(reverse("login"), {"username": patient.email, "password": "wrong-password-1"})
    client.post(reverse("login"), {"username": patient.email, "password": "wrong-password-1"})
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, target_id=str(patient.pk)).exists()


def test_a_password_change_is_audited(patient_client, patient, password):
    new = "quartz-meadow-lantern-71"
    response = patient_client.post(
        reverse("password_change"), {"old_password": password, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == HTTPStatus.FOUND
    event = _only(AuditAction.PASSWORD_CHANGE)
    assert (event.actor_id, event.target_id) == (patient.pk, str(patient.pk))


def test_a_password_reset_is_audited(client, patient):
    client.post(reverse("password_reset"), {"email": patient.email})
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    form_url = client.get(link).url
    new = "quartz-meadow-lantern-71"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == HTTPStatus.FOUND
    assert _only(AuditAction.PASSWORD_RESET).target_id == str(patient.pk)


def test_the_queue_adds_one_line_with_its_filters(clinician_client, clinician):
    make_case()
    clinician_client.get(reverse("review:queue"), {"level": "URGENT_SAFETY"})
    event = _only(AuditAction.LIST)
    assert (event.actor_id, event.target_type) == (clinician.pk, "screening.case")
    assert "level=URGENT_SAFETY" in event.summary


def test_a_search_adds_one_line_that_does_not_hold_the_terms(clinician_client):
    make_case()
    response = clinician_client.post(reverse("review:search"), {"q": "Alice"})
    clinician_client.get(response.url)
    event = _only(AuditAction.LIST)
    assert "search" in event.summary
    _says_nothing_personal(event)


def test_an_admin_list_adds_one_line_and_a_search_leaves_no_term(admin_client_):
    make_case()
    admin_client_.get(changelist_url(Intake), {"status": "submitted"})
    event = _only(AuditAction.LIST)
    assert event.target_type == "intake.intake"
    assert "status" in event.summary
    response = admin_client_.post(reverse("admin:search", args=["intake", "intake"]), {"q": "Alice"})
    admin_client_.get(response.url)
    latest = AuditEvent.objects.filter(action=AuditAction.LIST).order_by("-id").first()
    assert "search" in latest.summary
    _says_nothing_personal(latest)


def test_an_admin_change_page_of_a_record_adds_one_line(admin_client_):
    case = make_case()
    admin_client_.get(reverse("admin:screening_case_change", args=[case.pk]))
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, target_type="screening.case").count() == 1


def test_an_export_adds_exactly_one_line(admin_client_):
    intakes = [make_case().intake for _ in range(3)]
    response = admin_client_.post(
        changelist_url(Intake), {"action": "export_csv", "_selected_action": [intake.pk for intake in intakes]}
    )
    assert response.status_code == HTTPStatus.OK
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.LIST).exists()


def test_case_list_reads_are_recorded_as_cases(clinician_client):
    clinician_client.get(reverse("review:queue"))
    assert _only(AuditAction.LIST).target_type == Case._meta.label_lower
