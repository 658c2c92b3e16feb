"""Login, lockout after five failures per account and address, session limits."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

LOGIN = reverse("login")
HOME = "/intake/"

pytestmark = pytest.mark.django_db


def attempt(client, email, password, ip="203.0.113.5"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_the_right_password_signs_in_whatever_the_email_case(client, patient, password):
    response = attempt(client, "ALICE@example.org", password)
    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(patient.pk)


def test_a_wrong_password_shows_the_form_again(client, patient):
    response = attempt(client, patient.email, "not-the-password")
    assert response.status_code == HTTPStatus.OK
    assert "_auth_user_id" not in client.session


def test_the_sixth_attempt_after_five_wrong_passwords_is_locked_out(client, patient, password):
    for _ in range(5):
        attempt(client, patient.email, "wrong-password-123")
    response = attempt(client, patient.email, password)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert b"Too many sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock_the_account(client, patient, password):
    for _ in range(4):
        attempt(client, patient.email, "wrong-password-123")
    response = attempt(client, patient.email, password)
    assert response.status_code == HTTPStatus.FOUND


def test_a_lockout_is_per_account_and_address(client, patient, other_patient, password):
    for _ in range(5):
        attempt(client, patient.email, "wrong-password-123")
    assert attempt(client, other_patient.email, password).status_code == HTTPStatus.FOUND
    client.logout()
    assert attempt(client, patient.email, password, ip="198.51.100.7").status_code == HTTPStatus.FOUND


def test_the_lockout_ends_after_the_cool_off(client, patient, password, settings):
    for _ in range(5):
        attempt(client, patient.email, "wrong-password-123")
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert attempt(client, patient.email, password).status_code == HTTPStatus.FOUND


def test_an_idle_session_expires_after_thirty_minutes(client, patient, password):
    attempt(client, patient.email, password)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.get(HOME)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("login"))


def test_activity_keeps_the_session_alive(client, patient, password):
    attempt(client, patient.email, password)
    start = timezone.now()
    for minutes in (20, 40, 60):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            response = client.get(HOME, follow=False)
            assert not response.get("Location", "").startswith(reverse("login"))


def test_a_session_ends_twelve_hours_after_login_however_active(client, patient, password):
    attempt(client, patient.email, password)
    start = timezone.now()
    # Active every 20 minutes, so the idle limit never ends it.
    for step in range(1, 36):
        with time_machine.travel(start + timedelta(minutes=20 * step)):
            client.get(HOME)
            assert client.session.get("_auth_user_id") == str(patient.pk)
    with time_machine.travel(start + timedelta(hours=12, minutes=5)):
        response = client.get(HOME)
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post(client, patient, password):
    attempt(client, patient.email, password)
    response = client.post(reverse("logout"))
    assert response.status_code == HTTPStatus.FOUND
    assert "_auth_user_id" not in client.session


def test_a_password_reset_mails_a_link_without_revealing_accounts(client, patient, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": patient.email})
    assert response.status_code == HTTPStatus.FOUND
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body
    client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert len(mailoutbox) == 1
