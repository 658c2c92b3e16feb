"""No e-mail the app sends names the patient, gives an address or repeats an answer: the
urgent alert, the resubmission notice and both reminders, subject and body."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client

from intake.models import Intake
from intake.selectors import current_consent
from intake.services import intake_start, intake_submit, patient_get_or_create
from screening.notify.services import reminders_send_due
from screening.services import case_request_info
from tests.factories import make_case
from tests.intake.conftest import post_step

pytestmark = pytest.mark.django_db

FORBIDDEN = [
    "Alice",
    "Alice Patient",
    "alice@",
    "Bob",
    "Otherpatient",
    "bob@",
    "example.org",
    "1990",  # her date of birth
    "phq",
    "item 9",
    "Nearly every day",
    "More than half the days",
    "heart event",  # the clinician's message to her
    "heart",
    "190",  # her blood pressure
]


def test_no_email_holds_a_name_an_address_or_an_answer(
    patient, other_patient, alert_emails, clinician, django_capture_on_commit_callbacks, run_queued_tasks
):
    client = Client()
    client.force_login(patient)
    # An urgent alert from a draft with her answers in it.
    intake = intake_start(patient=patient_get_or_create(user=patient))
    Intake.objects.filter(pk=intake.pk).update(date_of_birth=dt.date(1990, 2, 3))
    with django_capture_on_commit_callbacks(execute=True):
        post_step(client, intake, "phq9", {**{f"phq9_{n}": "2" for n in range(1, 9)}, "phq9_9": "3"})
        post_step(client, intake, "heart", {"bp_known": "yes", "bp_systolic": "190", "bp_diastolic": "100"})
    # Bob's resubmission after a request that quotes his answers.
    case = make_case(user=other_patient)
    case_request_info(
        case_id=case.pk, version=case.version, actor=clinician, steps=["heart"], message="When was the heart event?"
    )
    bobs = Intake.objects.get(pk=case.intake_id)
    with django_capture_on_commit_callbacks(execute=True):
        intake_submit(intake=bobs, signature="Bob Otherpatient", consent_version=current_consent())
    # Both reminders for her draft.
    for days in (3, 8):
        with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=days), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                reminders_send_due()
            run_queued_tasks()
    run_queued_tasks()
    subjects = sorted(message.subject for message in mail.outbox)
    # The alert (the blood pressure's medical level ranks below the safety one already raised),
    # the resubmission notice, two reminders.
    assert len(mail.outbox) == 4, subjects
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for word in FORBIDDEN:
            assert word.lower() not in text.lower(), (word, text)
