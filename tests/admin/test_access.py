"""Only admins get the back office: clinicians and patients never see an admin page."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from clinic.models import Role
from intake.models import Intake
from tests.admin.conftest import OWN_MODELS, change_url, changelist_url
from tests.conftest import authenticator_for, current_code, sign_in_staff
from tests.factories import UserFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["clinician", "patient"])
@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/intake/intake/", "/admin/clinic/user/", "/admin/clinic/auditevent/"]
)
def test_a_clinician_or_patient_is_sent_to_the_admin_login(client, request, persona, path):
    sign_in_staff(client, request.getfixturevalue(persona))
    response = client.get(path)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("persona", ["clinician", "patient"])
def test_a_clinician_or_patient_cannot_open_a_record_in_the_admin(client, request, persona):
    case = make_case()
    sign_in_staff(client, request.getfixturevalue(persona))
    response = client.get(change_url(case.intake), follow=True)
    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert "Intake" not in response.context.get("title", "")
    assert case.intake.patient.user.full_name.encode() not in response.content


def test_an_anonymous_visitor_is_sent_to_the_admin_login(client):
    response = client.get("/admin/intake/intake/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/admin/login/")


def test_a_clinician_cannot_log_in_to_the_admin(client, clinician, password):
    response = client.post("/admin/login/", {"username": clinician.email, "password": password})
    assert response.status_code == HTTPStatus.OK
    assert "_auth_user_id" not in client.session


def test_an_admin_logs_in_to_the_admin_with_email_password_and_a_code(client, admin_user, password):
    device = authenticator_for(admin_user)
    response = client.post("/admin/login/?next=/admin/", {"username": "ERIN@example.org", "password": password})
    assert response.status_code == HTTPStatus.FOUND
    response = client.get("/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("mfa"))
    response = client.post(response.url, {"code": current_code(device)})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == HTTPStatus.OK


def test_a_staff_clinician_without_the_admin_role_gets_no_admin_page(client, staff_clinician):
    sign_in_staff(client, staff_clinician)
    response = client.get("/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/admin/login/")


@pytest.mark.parametrize("model", OWN_MODELS, ids=lambda model: model._meta.label)
def test_a_staff_clinician_without_the_admin_role_gets_no_list(client, staff_clinician, model):
    sign_in_staff(client, staff_clinician)
    response = client.get(changelist_url(model))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/admin/login/")


def test_a_staff_clinician_without_the_admin_role_cannot_open_an_intake(client, staff_clinician):
    intake = make_case().intake
    sign_in_staff(client, staff_clinician)
    response = client.get(change_url(intake))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/admin/login/")


def test_an_admin_who_is_not_a_superuser_runs_the_back_office(client):
    admin = UserFactory(role=Role.ADMIN)
    assert not admin.is_superuser
    case = make_case()
    sign_in_staff(client, admin)
    assert client.get(changelist_url(Intake)).status_code == HTTPStatus.OK
    assert client.get(change_url(case.intake)).status_code == HTTPStatus.OK
    names = {app["app_label"] for app in client.get("/admin/").context["app_list"]}
    assert {"clinic", "intake", "screening"} <= names


def test_a_deactivated_admin_loses_the_back_office(client):
    admin = UserFactory(role=Role.ADMIN)
    sign_in_staff(client, admin)
    admin.is_active = False
    admin.save(update_fields=["is_active"])
    response = client.get(changelist_url(Intake))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/admin/login/")


def test_the_role_groups_have_no_admin_page_of_their_own(admin_client_):
    # Roles are set on the user page; renaming or re-permissioning a group would break them.
    assert admin_client_.get("/admin/auth/group/").status_code == HTTPStatus.NOT_FOUND
