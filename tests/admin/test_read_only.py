"""The admin cannot quietly rewrite the record: clinical records and the audit trail are
view-only, and nothing is deleted through the admin, not even by a superuser."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.forms.models import model_to_dict

from clinic.audit import audit_record
from clinic.models import AuditAction, AuditEvent
from intake.models import ConsentVersion, Intake, IntakeStatus
from screening.models import Case
from tests.admin.conftest import OWN_MODELS, RECORD_BUILDERS, add_url, change_url, changelist_url, delete_url
from tests.factories import DraftIntakeFactory, make_case

pytestmark = pytest.mark.django_db

CHANGEABLE = {"clinic.User", "intake.ConsentVersion", "notify.AlertRecipient", "clinic.ClinicIdentity"}
VIEW_ONLY = [model for model in OWN_MODELS if model._meta.label not in CHANGEABLE]


def _form_data(obj) -> dict[str, object]:
    """What a browser would post for the object's fields, with the values changed."""
    data = {key: "" if value is None else value for key, value in model_to_dict(obj).items()}
    return {key: value for key, value in data.items() if not isinstance(value, (list, dict))}


def test_a_forged_post_to_change_a_submitted_intake_is_refused(admin_client_):
    intake = make_case().intake
    before = model_to_dict(intake)
    data = {**_form_data(intake), "bp_systolic": 210, "cssrs_q4": "yes", "_save": "Save"}
    response = admin_client_.post(change_url(intake), data)
    assert response.status_code == HTTPStatus.FORBIDDEN
    intake.refresh_from_db()
    assert model_to_dict(intake) == before


def test_a_forged_post_to_change_a_draft_intake_is_refused(admin_client_):
    intake = DraftIntakeFactory()
    response = admin_client_.post(change_url(intake), {**_form_data(intake), "status": IntakeStatus.SUBMITTED})
    assert response.status_code == HTTPStatus.FORBIDDEN
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.DRAFT


def test_a_forged_post_to_change_an_audit_record_is_refused(admin_client_):
    case = make_case()
    event = audit_record(actor=None, action=AuditAction.ALERT, target=case, summary="URGENT_SAFETY alert raised")
    data = {"action": AuditAction.VIEW, "summary": "nothing happened", "target_id": "999", "_save": "Save"}
    response = admin_client_.post(change_url(event), data)
    assert response.status_code == HTTPStatus.FORBIDDEN
    event.refresh_from_db()
    assert (event.action, event.summary, event.target_id) == (
        AuditAction.ALERT,
        "URGENT_SAFETY alert raised",
        str(case.pk),
    )


def test_a_superuser_cannot_delete_an_audit_record(admin_client_, admin_user):
    assert admin_user.is_superuser
    event = audit_record(actor=admin_user, action=AuditAction.VIEW, target=make_case())
    assert admin_client_.get(delete_url(event)).status_code == HTTPStatus.FORBIDDEN
    assert admin_client_.post(delete_url(event), {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_bulk_delete_action_is_not_offered_on_the_audit_trail(admin_client_, admin_user):
    event = audit_record(actor=admin_user, action=AuditAction.VIEW, target=make_case())
    response = admin_client_.get(changelist_url(AuditEvent))
    # No action at all is offered on the trail, so there is no action form.
    assert response.context["action_form"] is None
    response = admin_client_.post(
        changelist_url(AuditEvent), {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("model", VIEW_ONLY, ids=lambda model: model._meta.label)
def test_a_view_only_record_refuses_a_forged_change(admin_client_, model):
    record = RECORD_BUILDERS[model]()
    before = model_to_dict(record)
    response = admin_client_.post(change_url(record), {**_form_data(record), "_save": "Save"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    record.refresh_from_db()
    assert model_to_dict(record) == before


@pytest.mark.parametrize("model", VIEW_ONLY, ids=lambda model: model._meta.label)
def test_a_view_only_record_cannot_be_added(admin_client_, model):
    count = model.objects.count()
    assert admin_client_.get(add_url(model)).status_code == HTTPStatus.FORBIDDEN
    assert admin_client_.post(add_url(model), {}).status_code == HTTPStatus.FORBIDDEN
    assert model.objects.count() == count


@pytest.mark.parametrize("model", OWN_MODELS, ids=lambda model: model._meta.label)
def test_nothing_is_deleted_through_the_admin(admin_client_, model):
    record = RECORD_BUILDERS[model]()
    assert admin_client_.post(delete_url(record), {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", VIEW_ONLY, ids=lambda model: model._meta.label)
def test_a_view_only_change_page_offers_no_save_button(admin_client_, model):
    response = admin_client_.get(change_url(RECORD_BUILDERS[model]()))
    assert response.status_code == HTTPStatus.OK
    assert b'name="_save"' not in response.content
    assert response.context["has_change_permission"] is False


def test_an_admin_cannot_reassign_a_case_through_the_admin(admin_client_, other_clinician):
    case = make_case()
    data = {**_form_data(case), "assigned_to": other_clinician.pk}
    assert admin_client_.post(change_url(case), data).status_code == HTTPStatus.FORBIDDEN
    assert Case.objects.get(pk=case.pk).assigned_to is None


def test_consent_versions_users_alert_addresses_and_the_clinic_identity_are_the_only_models_admins_change():
    changeable = {model._meta.label for model in OWN_MODELS if model not in VIEW_ONLY}
    assert changeable == {ConsentVersion._meta.label, "clinic.User", "notify.AlertRecipient", "clinic.ClinicIdentity"}
    assert Intake in VIEW_ONLY


def test_the_trail_filters_by_record_type(admin_client_, admin_user):
    case = make_case()
    on_case = audit_record(actor=admin_user, action=AuditAction.VIEW, target=case)
    on_intake = audit_record(actor=admin_user, action=AuditAction.VIEW, target=case.intake)
    response = admin_client_.get(changelist_url(AuditEvent), {"target_type": "screening.case"})
    assert on_case in response.context["cl"].result_list
    assert on_intake not in response.context["cl"].result_list
