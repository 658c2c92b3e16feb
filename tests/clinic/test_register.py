"""Patient self-registration: specific errors beside each field, nothing typed lost."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from clinic.models import Role, User

URL = reverse("register")
GOOD = {
    "full_name": "Nora Newpatient",
    "email": "Nora@Example.org",
    "password1": "lantern-orchard-sextant-9",
    "password2": "lantern-orchard-sextant-9",
}

pytestmark = pytest.mark.django_db


def test_it_shows_the_registration_form(client):
    response = client.get(URL)
    assert response.status_code == HTTPStatus.OK
    assert b'name="email"' in response.content


def test_it_creates_a_patient_account_and_signs_in(client):
    response = client.post(URL, GOOD)
    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(email="nora@example.org")
    assert user.role == Role.PATIENT
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_duplicate_email_is_refused_whatever_its_case(client, patient):
    response = client.post(URL, {**GOOD, "email": "ALICE@example.org"})
    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["email"]] == ["duplicate_email"]
    assert User.objects.filter(email__iexact="alice@example.org").count() == 1


def test_a_weak_password_is_refused_beside_the_password_field(client):
    response = client.post(URL, {**GOOD, "password1": "password", "password2": "password"})
    codes = {e.code for e in response.context["form"].errors.as_data()["password1"]}
    assert {"password_too_short", "password_too_common"} <= codes
    assert not User.objects.filter(email="nora@example.org").exists()


def test_a_password_like_the_name_is_refused(client):
    response = client.post(URL, {**GOOD, "password1": "noranewpatient", "password2": "noranewpatient"})
    codes = {e.code for e in response.context["form"].errors.as_data()["password1"]}
    assert "password_too_similar" in codes


def test_mismatched_passwords_are_reported_beside_the_confirmation(client):
    response = client.post(URL, {**GOOD, "password2": "lantern-orchard-sextant-8"})
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["password2"]] == ["password_mismatch"]
    assert "password1" not in errors


def test_what_was_typed_is_kept_when_a_field_fails(client, patient):
    response = client.post(URL, {**GOOD, "email": "alice@example.org"})
    html = response.content.decode()
    assert 'value="Nora Newpatient"' in html
    assert 'value="alice@example.org"' in html
    assert "already exists" in html
    # Passwords are never echoed back into the page.
    assert "lantern-orchard-sextant-9" not in html


def test_the_error_summary_links_to_each_failing_field(client, patient):
    response = client.post(URL, {**GOOD, "email": "alice@example.org", "password2": "x"})
    html = response.content.decode()
    assert 'href="#id_email"' in html
    assert 'href="#id_password2"' in html
