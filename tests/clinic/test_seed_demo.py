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
