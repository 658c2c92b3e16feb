"""Patient self-registration: specific errors beside each field, nothing typed lost; a known
address answers exactly as a new one; the intake opens once the address is confirmed."""

import re
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent, Role, User

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


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_it_creates_an_inactive_patient_account_and_mails_a_confirmation_link(client):
    response = client.post(URL, GOOD)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("register_done")
    user = User.objects.get(email="nora@example.org")
    assert user.is_patient_role and not user.is_active
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mail.outbox] == [["nora@example.org"]]
    assert "/accounts/confirm/" in _link(mail.outbox[0])


def test_the_confirmation_link_opens_the_intake_once(client):
    client.post(URL, GOOD)
    link = _link(mail.outbox[0])
    response = client.get(link)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("intake:home")
    user = User.objects.get(email="nora@example.org")
    assert user.is_active and user.role == Role.PATIENT
    assert client.session["_auth_user_id"] == str(user.pk)
    opened = client.get(reverse("intake:home"), follow=True)
    assert opened.status_code == HTTPStatus.OK
    assert opened.redirect_chain == [] or "/accounts/login/" not in opened.redirect_chain[-1][0]
    assert AuditEvent.objects.filter(action=AuditAction.EMAIL_CONFIRM, target_id=str(user.pk)).exists()
    client.logout()
    assert client.get(link).status_code == HTTPStatus.BAD_REQUEST


def test_a_forged_or_mangled_link_is_refused(client):
    client.post(URL, GOOD)
    link = _link(mail.outbox[0])
    assert client.get(link[:-3] + "abc/").status_code == HTTPStatus.BAD_REQUEST
    assert client.get(reverse("confirm_email", args=["zzzz", "nope"])).status_code == HTTPStatus.BAD_REQUEST
    assert not User.objects.get(email="nora@example.org").is_active


def test_an_unconfirmed_account_cannot_sign_in(client):
    client.post(URL, GOOD)
    client.post(reverse("login"), {"username": GOOD["email"], "password": GOOD["password1"]})
    assert "_auth_user_id" not in client.session


def test_a_known_address_answers_exactly_as_a_new_one_and_mails_its_owner(client, patient, password):
    new = client.post(URL, GOOD)
    known = client.post(URL, {**GOOD, "email": "ALICE@example.org"})
    assert (known.status_code, known.url) == (new.status_code, new.url)
    assert client.get(known.url).content == client.get(new.url).content
    assert User.objects.filter(email__iexact="alice@example.org").count() == 1
    to_alice = [m for m in mail.outbox if m.to == ["alice@example.org"]]
    assert len(to_alice) == 1
    assert "already has one" in to_alice[0].body
    patient.refresh_from_db()
    assert patient.check_password(password)


def test_registering_again_before_confirming_sends_a_new_link(client):
    client.post(URL, GOOD)
    client.post(URL, GOOD)
    assert len(mail.outbox) == 2
    assert "/accounts/confirm/" in _link(mail.outbox[1])
    assert User.objects.filter(email="nora@example.org").count() == 1


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


def test_what_was_typed_is_kept_when_a_field_fails(client):
    response = client.post(URL, {**GOOD, "password2": "lantern-orchard-sextant-8"})
    html = response.content.decode()
    assert 'value="Nora Newpatient"' in html
    assert 'value="nora@example.org"' in html or 'value="Nora@Example.org"' in html
    # Passwords are never echoed back into the page.
    assert "lantern-orchard-sextant-9" not in html


def test_the_error_summary_links_to_each_failing_field(client):
    response = client.post(URL, {**GOOD, "email": "not-an-address", "password2": "x"})
    html = response.content.decode()
    assert 'href="#id_email"' in html
    assert 'href="#id_password2"' in html
