from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinic.models import Role, User
from intake.models import Intake
from screening.models import Case, Decision, ScreeningResult

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (User, Intake, Case, ScreeningResult, Decision))


def test_it_creates_the_demo_clinic_and_prints_the_logins(settings):
    settings.DEBUG = True
    output = seed()
    assert "admin@demo.clinic" in output
    assert "clinician1@demo.clinic" in output
    assert "patient8@demo.clinic" in output
    assert "demo-clinic-2026" in output
    admin = User.objects.get(email="admin@demo.clinic")
    assert admin.role == Role.ADMIN and admin.is_staff
    assert User.objects.get(email="clinician1@demo.clinic").role == Role.CLINICIAN
    assert admin.check_password("demo-clinic-2026")
    overall = set(Case.objects.values_list("overall", flat=True))
    assert {"URGENT_SAFETY", "URGENT_MEDICAL", "SAFETY_REVIEW", "EXCLUDE_PENDING_REVIEW", "INCOMPLETE"} <= overall


def test_running_it_twice_changes_nothing(settings):
    settings.DEBUG = True
    seed()
    before = counts()
    seed()
    assert counts() == before


def test_it_refuses_to_run_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=true"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.filter(email="admin@demo.clinic").exists()


def test_each_demo_staff_account_gets_a_fixed_totp_secret_printed_on_its_line(settings):
    import base64
    import re

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.DEBUG = True
    output = seed()
    for email in ("admin@demo.clinic", "clinician1@demo.clinic", "clinician2@demo.clinic"):
        line = next(line for line in output.splitlines() if email in line)
        secret = re.search(r"TOTP secret ([A-Z2-7]{32})\b", line).group(1)
        assert f"otpauth://totp/clinic-intake%3A{email.replace('@', '%40')}?secret={secret}" in line
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        key = base64.b32decode(secret)
        assert key == device.bin_key
        assert device.verify_token(f"{totp(key):06d}")
    patient_line = next(line for line in output.splitlines() if "patient1@demo.clinic" in line)
    assert "TOTP" not in patient_line
    # The same secrets on every run and every machine.
    assert re.findall(r"TOTP secret (\w+)", seed()) == re.findall(r"TOTP secret (\w+)", output)
