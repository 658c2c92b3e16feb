"""Admins create staff accounts, set roles, deactivate accounts and reset passwords."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent, Role, User
from tests.admin.conftest import add_url, change_url, changelist_url, delete_url, messages_of
from tests.conftest import sign_in_staff
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern-orchard-trellis-57"


def _create(client, **overrides: str):
    data = {
        "email": "Frank.Nurse@Example.org",
        "full_name": "Frank Nurse",
        "role": Role.CLINICIAN,
        "usable_password": "true",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "_save": "Save",
        **overrides,
    }
    return client.post(add_url(User), data)


def _change(client, user: User, **overrides: str):
    data = {"email": user.email, "full_name": user.full_name, "role": user.role, "_save": "Save", **overrides}
    return client.post(change_url(user), data)


def _audit(user: User, action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(target_type="clinic.user", target_id=str(user.pk), action=action))


def _can_log_in(email: str, password: str) -> bool:
    """Whether the app's own login form accepts these credentials."""
    client = Client()
    client.post(reverse("login"), {"username": email, "password": password})
    return "_auth_user_id" in client.session


def test_an_admin_creates_a_clinician_who_can_log_in_but_not_to_the_admin(admin_client_, admin_user):
    response = _create(admin_client_)
    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(email="frank.nurse@example.org")
    assert user.role == Role.CLINICIAN
    assert not user.is_staff
    assert not user.is_superuser
    assert _can_log_in("frank.nurse@example.org", NEW_PASSWORD)
    [event] = _audit(user, AuditAction.CREATE)
    assert event.actor == admin_user
    assert event.changes["role"]["after"] == Role.CLINICIAN
    assert NEW_PASSWORD not in str(event.changes)


def test_an_admin_creates_another_admin_with_admin_site_access(admin_client_):
    _create(admin_client_, role=Role.ADMIN)
    user = User.objects.get(email="frank.nurse@example.org")
    assert user.role == Role.ADMIN
    assert user.is_staff
    assert not user.is_superuser


def test_a_staff_account_may_be_created_without_a_password_to_be_reset_by_email(admin_client_):
    _create(admin_client_, usable_password="false", password1="", password2="")
    user = User.objects.get(email="frank.nurse@example.org")
    assert not user.has_usable_password()


def test_the_new_account_form_offers_only_staff_roles(admin_client_):
    response = admin_client_.get(add_url(User))
    assert dict(response.context["adminform"].form.fields["role"].choices) == {
        Role.CLINICIAN: "Clinician",
        Role.ADMIN: "Admin",
    }
    response = _create(admin_client_, role=Role.PATIENT)
    assert response.status_code == HTTPStatus.OK
    assert not User.objects.filter(email="frank.nurse@example.org").exists()


def test_an_email_already_in_use_in_another_case_is_refused(admin_client_, clinician):
    response = _create(admin_client_, email="CAROL@example.org")
    assert response.status_code == HTTPStatus.OK
    assert "already exists" in str(response.context["adminform"].form.errors["email"])
    assert User.objects.filter(email__iexact="carol@example.org").count() == 1


def test_a_weak_password_is_refused(admin_client_):
    response = _create(admin_client_, password1="frank nurse", password2="frank nurse")
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["password2"]
    assert not User.objects.filter(email="frank.nurse@example.org").exists()


def test_an_admin_promotes_a_clinician_to_admin_and_it_is_audited(admin_client_, admin_user, clinician):
    response = _change(admin_client_, clinician, role=Role.ADMIN)
    assert response.status_code == HTTPStatus.FOUND
    clinician = User.objects.get(pk=clinician.pk)
    assert clinician.role == Role.ADMIN
    assert clinician.is_staff
    [event] = _audit(clinician, AuditAction.CHANGE)
    assert event.actor == admin_user
    assert event.changes == {"role": {"before": Role.CLINICIAN, "after": Role.ADMIN}}


def test_an_admin_made_a_clinician_loses_the_admin_site(admin_client_):
    other_admin = UserFactory(role=Role.ADMIN)
    _change(admin_client_, other_admin, role=Role.CLINICIAN)
    other_admin = User.objects.get(pk=other_admin.pk)
    assert other_admin.role == Role.CLINICIAN
    assert not other_admin.is_staff


def test_an_admin_cannot_remove_their_own_admin_role(admin_client_):
    admin = UserFactory(role=Role.ADMIN)
    sign_in_staff(admin_client_, admin)
    response = _change(admin_client_, admin, role=Role.CLINICIAN)
    assert response.status_code == HTTPStatus.OK
    assert "own admin role" in str(response.context["adminform"].form.errors["role"])
    assert User.objects.get(pk=admin.pk).role == Role.ADMIN


def test_a_superuser_stays_an_admin(admin_client_):
    superuser = UserFactory(role=Role.ADMIN, is_superuser=True)
    response = _change(admin_client_, superuser, role=Role.CLINICIAN)
    assert response.status_code == HTTPStatus.OK
    assert User.objects.get(pk=superuser.pk).role == Role.ADMIN


def test_an_account_with_a_patient_record_stays_a_patient(admin_client_, patient):
    PatientFactory(user=patient)
    response = _change(admin_client_, patient, role=Role.CLINICIAN)
    assert response.status_code == HTTPStatus.OK
    assert "patient record" in str(response.context["adminform"].form.errors["role"])
    patient = User.objects.get(pk=patient.pk)
    assert patient.role == Role.PATIENT
    assert not patient.groups.filter(name=Role.CLINICIAN).exists()


def test_an_admin_corrects_a_name_and_email_and_the_trail_keeps_both(admin_client_, clinician):
    _change(admin_client_, clinician, email="Carol.C@Example.org", full_name="Carol Clinic")
    clinician.refresh_from_db()
    assert (clinician.email, clinician.full_name) == ("carol.c@example.org", "Carol Clinic")
    [event] = _audit(clinician, AuditAction.CHANGE)
    assert event.changes == {
        "email": {"before": "carol@example.org", "after": "carol.c@example.org"},
        "full_name": {"before": "Carol Clinician", "after": "Carol Clinic"},
    }


def test_saving_an_account_unchanged_writes_no_audit_line(admin_client_, clinician):
    assert _change(admin_client_, clinician).status_code == HTTPStatus.FOUND
    assert _audit(clinician, AuditAction.CHANGE) == []


def test_an_admin_cannot_make_someone_staff_or_superuser_by_a_forged_field(admin_client_, patient):
    _change(admin_client_, patient, is_staff="on", is_superuser="on", is_active="")
    patient = User.objects.get(pk=patient.pk)
    assert (patient.is_staff, patient.is_superuser, patient.is_active) == (False, False, True)


def test_deactivating_accounts_keeps_them_and_stops_their_login(admin_client_, admin_user, clinician, password):
    response = admin_client_.post(
        changelist_url(User), {"action": "deactivate", "_selected_action": [clinician.pk, admin_user.pk]}
    )
    assert response.status_code == HTTPStatus.FOUND
    clinician.refresh_from_db()
    admin_user.refresh_from_db()
    assert not clinician.is_active
    assert admin_user.is_active
    assert not _can_log_in(clinician.email, password)
    [event] = _audit(clinician, AuditAction.CHANGE)
    assert event.changes == {"is_active": {"before": True, "after": False}}
    messages = messages_of(response)
    assert "erin@example.org: You cannot deactivate your own account." in messages
    assert "1 account(s) deactivated." in messages


def test_a_deactivated_person_is_signed_out_at_their_next_request(admin_client_, clinician):
    clinician_client = Client()
    sign_in_staff(clinician_client, clinician)
    assert clinician_client.get("/")["Location"] != reverse("login")
    admin_client_.post(changelist_url(User), {"action": "deactivate", "_selected_action": [clinician.pk]})
    response = clinician_client.get("/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


def test_reactivating_an_account_lets_them_log_in_again(admin_client_, clinician, password):
    clinician.is_active = False
    clinician.save(update_fields=["is_active"])
    admin_client_.post(changelist_url(User), {"action": "reactivate", "_selected_action": [clinician.pk]})
    assert _can_log_in(clinician.email, password)


def test_no_account_can_be_deleted_even_without_clinical_history(admin_client_, clinician):
    assert admin_client_.get(delete_url(clinician)).status_code == HTTPStatus.FORBIDDEN
    response = admin_client_.get(changelist_url(User))
    assert "delete_selected" not in dict(response.context["action_form"].fields["action"].choices)
    assert User.objects.filter(pk=clinician.pk).exists()


def test_an_admin_resets_a_password_through_the_password_form(admin_client_, admin_user, clinician):
    url = reverse("admin:auth_user_password_change", args=[clinician.pk])
    # The account page links to the password form ("../password/" from .../<id>/change/).
    assert 'href="../password/">Reset password</a>' in admin_client_.get(change_url(clinician)).content.decode()
    assert url == change_url(clinician).replace("/change/", "/password/")
    response = admin_client_.post(
        url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "set-password": "1"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert _can_log_in(clinician.email, NEW_PASSWORD)
    [event] = _audit(clinician, AuditAction.CHANGE)
    assert event.actor == admin_user
    assert event.summary == "Password set by an admin"
    assert NEW_PASSWORD not in str(event.changes)


def test_a_refused_password_reset_is_not_audited(admin_client_, clinician, password):
    url = reverse("admin:auth_user_password_change", args=[clinician.pk])
    response = admin_client_.post(url, {"usable_password": "true", "password1": "short", "password2": "short"})
    assert response.status_code == HTTPStatus.OK
    assert _can_log_in(clinician.email, password)
    assert _audit(clinician, AuditAction.CHANGE) == []


def test_the_user_list_shows_each_role_and_filters_by_it(admin_client_, admin_user, patient, clinician):
    response = admin_client_.get(changelist_url(User))
    content = response.content.decode()
    for label in ("Admin", "Clinician", "Patient"):
        assert f'<td class="field-role_label">{label}</td>' in content
    for role, expected in ((Role.CLINICIAN, {clinician}), (Role.PATIENT, {patient}), (Role.ADMIN, {admin_user})):
        response = admin_client_.get(changelist_url(User), {"role": role})
        assert set(response.context["cl"].result_list) == expected, role


def test_the_user_list_links_a_patient_to_their_record(admin_client_, patient):
    record = PatientFactory(user=patient)
    content = admin_client_.get(changelist_url(User)).content.decode()
    assert reverse("admin:intake_patient_change", args=[record.pk]) in content


def test_an_account_cannot_take_another_accounts_email(admin_client_, clinician, other_clinician):
    response = _change(admin_client_, clinician, email="DAN@example.org")
    assert response.status_code == HTTPStatus.OK
    assert "already exists" in str(response.context["adminform"].form.errors["email"])
    assert User.objects.get(pk=clinician.pk).email == "carol@example.org"
