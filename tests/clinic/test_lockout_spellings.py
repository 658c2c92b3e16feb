"""The lockout counts failures on the account, however its address is spelt, on every login
form: the site's and the admin's."""

from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

pytestmark = pytest.mark.django_db

SPELLINGS = ["Alice@Example.org", "alice@example.org", "ALICE@EXAMPLE.ORG", " alice@Example.ORG ", "aLiCe@example.org"]


def _post(client, url, email, password, ip="203.0.113.40"):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_in_five_spellings_lock_the_account(client, patient, password):
    for spelling in SPELLINGS:
        _post(client, reverse("login"), spelling, "wrong-password-123")
    assert AccessAttempt.objects.get().username == "alice@example.org"
    response = _post(client, reverse("login"), "alice@example.org", password)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session


def test_failures_on_the_admin_login_and_the_site_login_add_up(client, admin_user, password):
    erin = ["Erin@Example.org", "erin@example.org", "ERIN@EXAMPLE.ORG", " erin@Example.ORG ", "eRiN@example.org"]
    for index, spelling in enumerate(erin):
        url = "/admin/login/" if index % 2 else reverse("login")
        _post(client, url, spelling, "wrong-password-123")
    assert _post(client, "/admin/login/", "ERIN@example.org", password).status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert _post(client, reverse("login"), "erin@example.org", password).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_another_spelling_from_another_address_is_still_counted_apart(client, patient, password):
    for spelling in SPELLINGS:
        _post(client, reverse("login"), spelling, "wrong-password-123")
    assert _post(client, reverse("login"), "ALICE@example.org", password, ip="198.51.100.3").status_code == (
        HTTPStatus.FOUND
    )
