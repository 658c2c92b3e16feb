"""Opening a patient's record in the admin is written to the audit trail, like a view in
the app."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.contrib import admin

from clinic.admin_helpers import AuditedViewAdminMixin
from clinic.models import AuditAction, AuditEvent, User
from intake.models import Intake, Patient
from screening.models import Case, ScreeningResult
from tests.admin.conftest import RECORD_BUILDERS, change_url, changelist_url
from tests.conftest import sign_in_staff
from tests.factories import PatientFactory, make_case

pytestmark = pytest.mark.django_db

AUDITED = sorted(
    (model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, AuditedViewAdminMixin)),
    key=lambda model: model._meta.label,
)


def _views_of(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.VIEW, target_type=obj._meta.label_lower, target_id=str(obj.pk)
        ).select_related("actor")
    )


def test_the_records_of_patients_are_the_audited_pages():
    labels = {model._meta.label for model in AUDITED}
    assert {
        "clinic.User",
        "intake.Patient",
        "intake.Intake",
        "intake.StepDraft",
        "screening.Case",
        "screening.ScreeningResult",
        "screening.Decision",
    } <= labels
    assert "clinic.AuditEvent" not in labels
    assert "intake.ConsentVersion" not in labels


@pytest.mark.parametrize("model", [m for m in AUDITED if m is not User], ids=lambda model: model._meta.label)
def test_opening_a_record_writes_one_view_line(admin_client_, admin_user, model):
    record = RECORD_BUILDERS[model]()
    response = admin_client_.get(change_url(record), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == HTTPStatus.OK
    [event] = _views_of(record)
    assert event.actor == admin_user
    assert event.ip_address == "203.0.113.9"
    assert event.summary.endswith("viewed in the admin")


def test_opening_an_intake_twice_writes_two_lines(admin_client_):
    intake = make_case().intake
    admin_client_.get(change_url(intake))
    admin_client_.get(change_url(intake))
    assert len(_views_of(intake)) == 2
    assert _views_of(intake)[0].summary == "Intake viewed in the admin"


def test_opening_a_patients_account_is_audited_but_a_staff_account_is_not(admin_client_, patient, clinician):
    PatientFactory(user=patient)
    admin_client_.get(change_url(patient))
    admin_client_.get(change_url(clinician))
    assert len(_views_of(patient)) == 1
    assert _views_of(clinician) == []


@pytest.mark.parametrize("model", [Patient, Intake, ScreeningResult, Case])
def test_a_list_page_is_not_a_record_view(admin_client_, model):
    make_case()
    admin_client_.get(changelist_url(model))
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_refused_post_writes_no_view_line(admin_client_):
    intake = make_case().intake
    assert admin_client_.post(change_url(intake), {"status": "draft"}).status_code == HTTPStatus.FORBIDDEN
    assert _views_of(intake) == []


def test_a_missing_record_writes_no_view_line(admin_client_):
    response = admin_client_.get("/admin/intake/intake/987654/change/")
    assert response.status_code == HTTPStatus.FOUND
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_clinician_refused_the_admin_writes_no_view_line(client, clinician):
    intake = make_case().intake
    sign_in_staff(client, clinician)
    client.get(change_url(intake))
    assert _views_of(intake) == []
