"""The clinician who asked for more information is e-mailed when the patient resubmits,
through the same queue as the alerts."""

from __future__ import annotations

import pytest
from django.core import mail

from intake import selectors, services
from screening.notify.models import Notification, NotificationKind, NotificationStatus
from screening.services import case_assign, case_request_info
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def _resubmit(case) -> None:
    intake = case.intake
    intake.refresh_from_db()
    services.intake_submit(
        intake=intake, signature=intake.patient.user.full_name, consent_version=selectors.current_consent()
    )


@pytest.fixture
def reopened(patient, clinician):
    case = make_case(user=patient)
    case_request_info(
        case_id=case.pk, version=case.version, actor=clinician, steps=["heart"], message="When was the heart event?"
    )
    case.refresh_from_db()
    return case


def test_the_clinician_who_asked_is_emailed_when_the_patient_resubmits(
    reopened, django_capture_on_commit_callbacks, run_queued_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        _resubmit(reopened)
    assert run_queued_tasks() == [NotificationStatus.SENT]
    [message] = mail.outbox
    assert message.to == ["carol@example.org"]
    assert message.subject == (
        f"[clinic-intake] Case {reopened.pk}: the patient answered the request for more information"
    )
    assert f"https://intake.clinic.example/review/cases/{reopened.pk}/" in message.body
    notification = Notification.objects.get()
    assert (notification.kind, notification.case) == (NotificationKind.RESUBMITTED, reopened)


def test_the_assigned_clinician_is_emailed_rather_than_the_one_who_asked(
    patient, clinician, other_clinician, django_capture_on_commit_callbacks, run_queued_tasks
):
    case = make_case(user=patient)
    case = case_assign(case_id=case.pk, version=case.version, actor=clinician, assignee=other_clinician)
    case_request_info(case_id=case.pk, version=case.version, actor=clinician, steps=["heart"], message="Date?")
    with django_capture_on_commit_callbacks(execute=True):
        _resubmit(case)
    run_queued_tasks()
    assert [message.to for message in mail.outbox] == [["dan@example.org"]]


def test_a_first_submission_emails_no_clinician(patient, django_capture_on_commit_callbacks, run_queued_tasks):
    make_case(user=patient)
    assert not Notification.objects.filter(kind=NotificationKind.RESUBMITTED).exists()
    assert run_queued_tasks() == []
