"""The second factor of clinicians and admins: enrolment, the code page, replay, recovery
codes, the admin's reset, and wrong codes counting toward the lockout."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import AuditAction, AuditEvent
from tests.admin.conftest import changelist_url
from tests.conftest import authenticator_for, current_code, sign_in_staff

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
MFA = reverse("mfa")
ENROL = reverse("mfa_enrol")


def sign_in_with_password(client, user, password, ip="203.0.113.9"):
    return client.post(LOGIN, {"username": user.email, "password": password}, REMOTE_ADDR=ip)


def enter_code(client, code, ip="203.0.113.9", next_url="/review/"):
    return client.post(f"{MFA}?next={next_url}", {"code": code}, REMOTE_ADDR=ip)


def test_after_the_password_a_clinician_without_an_authenticator_is_sent_to_enrol(client, clinician, password):
    sign_in_with_password(client, clinician, password)
    response = client.get("/review/", follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL)
    html = response.content.decode()
    assert 'autocomplete="one-time-code"' in html
    assert 'src="data:image/svg+xml' in html
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=clinician, confirmed=False)
    assert secret == device.config_url.split("secret=")[1].split("&")[0]


def test_enrolment_is_confirmed_with_a_code_and_gives_recovery_codes(client, clinician, password, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off pause after the wrong code below
    sign_in_with_password(client, clinician, password)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=clinician, confirmed=False)
    wrong = client.post(ENROL, {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert "That code did not work" in wrong.content.decode()
    response = client.post(f"{ENROL}?next=/review/", {"code": current_code(device)})
    assert response.status_code == HTTPStatus.OK
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/review/").status_code == HTTPStatus.OK
    assert AuditEvent.objects.filter(action=AuditAction.MFA_ENROL, target_id=str(clinician.pk)).count() == 1


def test_with_an_authenticator_the_code_page_comes_after_the_password(client, clinician, password):
    device = authenticator_for(clinician)
    sign_in_with_password(client, clinician, password)
    response = client.get("/review/")
    assert response.url.startswith(MFA)
    page = client.get(response.url)
    assert 'autocomplete="one-time-code"' in page.content.decode()
    response = enter_code(client, current_code(device))
    assert response.url == "/review/"
    assert client.get("/review/").status_code == HTTPStatus.OK


def test_a_used_code_cannot_be_replayed(client, clinician, password):
    device = authenticator_for(clinician)
    with time_machine.travel(timezone.now(), tick=False):
        sign_in_with_password(client, clinician, password)
        code = current_code(device)
        assert enter_code(client, code).url == "/review/"
        client.logout()
        sign_in_with_password(client, clinician, password)
        response = enter_code(client, code)
    assert response.status_code == HTTPStatus.OK
    assert "That code did not work" in response.content.decode()
    assert client.get("/review/").url.startswith(MFA)


def test_a_code_from_the_previous_window_is_refused_once_a_later_one_was_used(client, clinician, password):
    device = authenticator_for(clinician)
    now = timezone.now().timestamp()
    earlier = f"{totp(device.bin_key, t0=device.t0, step=device.step, drift=-1, digits=6):06d}"
    with time_machine.travel(now, tick=False):
        sign_in_with_password(client, clinician, password)
        assert enter_code(client, current_code(device)).url == "/review/"
        client.logout()
        sign_in_with_password(client, clinician, password)
        assert enter_code(client, earlier).status_code == HTTPStatus.OK


def test_a_recovery_code_works_once(client, clinician, password):
    authenticator_for(clinician)
    sign_in_staff(client, clinician)
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", client.post(reverse("mfa_recovery")).content.decode())
    client.logout()
    sign_in_with_password(client, clinician, password)
    assert enter_code(client, codes[0]).url == "/review/"
    client.logout()
    sign_in_with_password(client, clinician, password)
    assert enter_code(client, codes[0]).status_code == HTTPStatus.OK
    assert StaticToken.objects.filter(device__user=clinician).count() == 9


def test_regenerating_recovery_codes_retires_the_old_ones(clinician_client, clinician):
    first = re.findall(r"<li>([a-z2-7]{8})</li>", clinician_client.post(reverse("mfa_recovery")).content.decode())
    second = re.findall(r"<li>([a-z2-7]{8})</li>", clinician_client.post(reverse("mfa_recovery")).content.decode())
    stored = set(StaticToken.objects.filter(device__user=clinician).values_list("token", flat=True))
    assert stored == set(second)
    assert not stored & set(first)
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODES, target_id=str(clinician.pk)).count() == 2


def test_five_wrong_codes_lock_the_account_out(client, clinician, password, settings):
    device = authenticator_for(clinician)
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    sign_in_with_password(client, clinician, password)
    for _ in range(4):
        assert enter_code(client, "000001").status_code == HTTPStatus.OK
    response = enter_code(client, "000001")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session
    # Locked: even the right password and code get nowhere now.
    assert sign_in_with_password(client, clinician, password).status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert enter_code(client, current_code(device)).url.startswith(LOGIN)
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED, target_id=str(clinician.pk)).count() == 5


def test_a_correct_password_does_not_wipe_earlier_failures_of_staff(client, clinician, password, settings):
    authenticator_for(clinician)
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    for _ in range(3):
        sign_in_with_password(client, clinician, "wrong-password-123")
    sign_in_with_password(client, clinician, password)
    enter_code(client, "000001")
    assert enter_code(client, "000001").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_an_admin_resets_a_clinicians_second_factor_and_it_is_audited(admin_client_, admin_user, clinician):
    authenticator_for(clinician)
    response = admin_client_.post(
        changelist_url(type(clinician)), {"action": "reset_second_factor", "_selected_action": [clinician.pk]}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not TOTPDevice.objects.filter(user=clinician).exists()
    event = AuditEvent.objects.get(action=AuditAction.MFA_RESET)
    assert (event.actor_id, event.target_id) == (admin_user.pk, str(clinician.pk))


def test_an_admin_cannot_reset_their_own_second_factor(admin_client_, admin_user):
    admin_client_.post(
        changelist_url(type(admin_user)), {"action": "reset_second_factor", "_selected_action": [admin_user.pk]}
    )
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_a_staff_member_with_an_authenticator_cannot_enrol_another_with_the_password_alone(client, clinician, password):
    authenticator_for(clinician)
    sign_in_with_password(client, clinician, password)
    assert client.get(ENROL).url == MFA
    assert TOTPDevice.objects.filter(user=clinician).count() == 1


def test_patients_sign_in_without_a_second_factor(client, patient, password):
    sign_in_with_password(client, patient, password)
    assert client.get(reverse("intake:home"), follow=True).status_code == HTTPStatus.OK
    assert client.get(MFA).status_code == HTTPStatus.NOT_FOUND


def test_the_code_page_sends_nowhere_outside_the_site(client, clinician, password):
    device = authenticator_for(clinician)
    sign_in_with_password(client, clinician, password)
    response = enter_code(client, current_code(device), next_url="https://evil.example/")
    assert response.url == "/"
