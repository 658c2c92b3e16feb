"""Two submits of one intake at the same moment (two tabs, a double click that reaches two
workers): the row lock makes one submission and one screening result."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from clinic.models import Role
from intake.models import ConsentVersion, Intake, IntakeStatus
from intake.services import intake_start, intake_submit, patient_get_or_create
from screening.models import ScreeningResult
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_submits_make_one_submission():
    if connection.vendor != "postgresql":
        pytest.skip("SELECT ... FOR UPDATE needs PostgreSQL; SQLite runs one writer at a time anyway")
    user = UserFactory(email="alice@example.org", full_name="Alice Patient", role=Role.PATIENT)
    intake = intake_start(patient=patient_get_or_create(user=user))
    consent = ConsentVersion.objects.get(is_current=True)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            intake_submit(intake=Intake.objects.get(pk=intake.pk), signature="Alice Patient", consent_version=consent)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    intake.refresh_from_db()
    assert intake.status == IntakeStatus.SUBMITTED
    assert intake.submission_count == 1
    assert ScreeningResult.objects.filter(intake=intake).count() == 1
