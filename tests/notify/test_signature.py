"""The reminder and the clinicians' e-mails end with the clinic's signature (name, phone,
address, hours), as the account e-mails do (issue 12); the signature names no patient."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test.utils import override_settings

from clinic.identity import SIGNATURE_DELIMITER, clinic_identity_save, forget_cached_identity
from clinic.models import ClinicIdentity
from intake.services import intake_start, patient_get_or_create
from screening.notify import emails
from screening.notify.services import reminders_send_due

pytestmark = pytest.mark.django_db

SIGNATURE = ["Env Clinic", "Phone: +1 555 010 0100", "1 Env Street", "Envtown, ST 00001", "Opening hours: Mon–Fri 9–5"]


@pytest.fixture(autouse=True)
def environment():
    with override_settings(
        CLINIC_NAME="Env Clinic",
        CLINIC_PHONE="+1 555 010 0100",
        CLINIC_ADDRESS="1 Env Street|Envtown, ST 00001",
        CLINIC_HOURS="Mon–Fri 9–5",
    ):
        forget_cached_identity()
        yield
    forget_cached_identity()


def _signature(body: str) -> list[str]:
    text, signature = body.split(SIGNATURE_DELIMITER, 1)
    assert text.strip()
    return signature.strip().splitlines()


@pytest.mark.parametrize(
    "email",
    [
        lambda: emails.urgent_alert(case_id=7, level="URGENT_SAFETY"),
        lambda: emails.resubmitted(case_id=7),
        lambda: emails.draft_reminder(intake_id=7, second=False),
        lambda: emails.draft_reminder(intake_id=7, second=True),
    ],
    ids=["urgent alert", "resubmitted", "first reminder", "last reminder"],
)
def test_each_notification_ends_with_the_clinic_signature(email):
    assert _signature(email().body) == SIGNATURE


def test_the_signature_follows_the_admin_record(admin_user):
    clinic_identity_save(identity=ClinicIdentity(name="Lakeside Clinic", phone="+1 555 777 0000"), actor=admin_user)
    assert _signature(emails.resubmitted(case_id=7).body)[:2] == ["Lakeside Clinic", "Phone: +1 555 777 0000"]


def test_a_reminder_sent_by_the_job_carries_the_signature(
    patient, django_capture_on_commit_callbacks, run_queued_tasks
):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        intake_start(patient=patient_get_or_create(user=patient))
    with time_machine.travel(start + dt.timedelta(days=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send_due()
        run_queued_tasks()
    [reminder] = mail.outbox
    assert _signature(reminder.body) == SIGNATURE
    assert patient.full_name not in reminder.body
