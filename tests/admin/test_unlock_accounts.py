"""An admin who is not a superuser can see failed logins and unlock a locked-out account."""

from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from clinic.models import Role
from tests.conftest import sign_in_staff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_non_superuser_admin_unlocks_a_locked_out_patient(client, patient):
    for _ in range(5):
        client.post(reverse("login"), {"username": patient.email, "password": "wrong-password-1"})
    attempt = AccessAttempt.objects.get(username=patient.email)
    admin = UserFactory(role=Role.ADMIN)
    assert not admin.is_superuser
    sign_in_staff(client, admin)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == HTTPStatus.OK
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert not AccessAttempt.objects.exists()


def test_a_clinician_cannot_see_login_attempts(client, clinician):
    sign_in_staff(client, clinician)
    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/admin/login/")
