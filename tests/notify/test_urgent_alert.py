"""An urgent answer owes one alert e-mail in the transaction that raised it; the worker
delivers it to the clinic's SMTP server, retrying with backoff until the server answers."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_q.models import OrmQ

from clinic.models import AuditAction, AuditEvent
from intake.models import Intake
from screening.models import Case, Level
from screening.notify.models import AlertRecipient, Notification, NotificationKind, NotificationStatus
from screening.notify.services import backoff
from screening.services import safety_check_draft
from tests.intake.conftest import post_step
from tests.notify.conftest import body_of

pytestmark = pytest.mark.django_db

PHQ9_CALM = {f"phq9_{n}": "1" for n in range(1, 9)}
ITEM_9 = {**PHQ9_CALM, "phq9_9": "2"}


def _audit(case: Case, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(target_type="screening.case", target_id=str(case.pk), action=action))


def test_an_urgent_draft_answer_owes_exactly_one_alert_in_the_transaction_that_raised_it(
    patient_client, intake, alert_emails, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        post_step(patient_client, intake, "phq9", ITEM_9)
        # Written in the request's transaction, before it commits; nothing is queued yet.
        assert Notification.objects.filter(kind=NotificationKind.URGENT_ALERT).count() == 1
        assert OrmQ.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.QUEUED
    assert notification.case == Case.objects.get(intake=intake)
    assert notification.level == "URGENT_SAFETY"
    assert OrmQ.objects.count() == 1


def test_an_urgent_answer_in_a_transaction_that_rolls_back_owes_nothing(
    intake, alert_emails, django_capture_on_commit_callbacks
):
    Intake.objects.filter(pk=intake.pk).update(**{key: int(value) for key, value in ITEM_9.items()})
    intake.refresh_from_db()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        safety_check_draft(intake=intake)
        assert Notification.objects.count() == 1
        raise RuntimeError("the request failed after the alert was raised")
    assert not Notification.objects.exists()
    assert not Case.objects.filter(intake=intake).exists()
    assert callbacks == []
    assert OrmQ.objects.count() == 0


def test_saving_the_same_urgent_answer_again_owes_no_second_alert(
    patient_client, intake, alert_emails, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_step(patient_client, intake, "phq9", ITEM_9)
        post_step(patient_client, intake, "phq9", {**PHQ9_CALM, "phq9_9": "3"})
    assert Notification.objects.count() == 1
    assert OrmQ.objects.count() == 1


def test_the_worker_delivers_the_alert_to_a_real_smtp_server(
    patient_client, staff_client, intake, alert_emails, smtp_server, run_queued_tasks,
    django_capture_on_commit_callbacks,
):
    smtp_server.start()
    with django_capture_on_commit_callbacks(execute=True):
        post_step(patient_client, intake, "phq9", ITEM_9)
    assert run_queued_tasks() == [NotificationStatus.SENT]
    case = Case.objects.get(intake=intake)
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["alerts@clinic.example"]
    assert message["Subject"] == f"[clinic-intake] {Level.URGENT_SAFETY.label}: case {case.pk}"
    body = body_of(message)
    # An absolute link from CLINIC_SITE_URL: the e-mail is read outside the app.
    assert f"https://intake.clinic.example/review/cases/{case.pk}/" in body
    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.SENT
    assert notification.attempts == 1
    assert notification.recipient_count == 1
    [sent] = _audit(case, AuditAction.NOTIFY_SENT)
    assert "delivered to 1 address(es) on attempt 1" in sent.summary
    # The clinician sees on the case page that the alert went out, and it is on the timeline.
    page = staff_client.get(reverse("review:case", args=[case.pk])).content.decode()
    assert 'data-testid="notification-sent"' in page
    assert "E-mail delivered" in page


def test_with_the_mail_server_down_the_alert_is_retried_and_delivered_once_it_is_up(
    patient_client, staff_client, intake, alert_emails, smtp_server, run_queued_tasks,
    django_capture_on_commit_callbacks, dispatch,
):
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        post_step(patient_client, intake, "phq9", ITEM_9)
    case = Case.objects.get(intake=intake)
    # First try: nothing listens on the port.
    assert run_queued_tasks() == [NotificationStatus.QUEUED]
    notification = Notification.objects.get()
    assert notification.attempts == 1
    assert notification.last_error == "ConnectionRefusedError"
    assert notification.next_attempt_at == pytest.approx(start + backoff(1), abs=dt.timedelta(seconds=30))
    # Not due yet: the periodic dispatch hands nothing out.
    assert dispatch() == 0
    page = staff_client.get(reverse("review:case", args=[case.pk])).content.decode()
    assert 'data-testid="notification-queued"' in page
    assert "1 attempt failed (ConnectionRefusedError)" in page
    with time_machine.travel(start + dt.timedelta(minutes=2)):
        assert dispatch() == 1
        assert run_queued_tasks() == [NotificationStatus.QUEUED]  # still down: attempt 2
    notification.refresh_from_db()
    assert notification.attempts == 2
    smtp_server.start()
    with time_machine.travel(start + dt.timedelta(minutes=3)):
        assert dispatch() == 0  # the second wait (2 minutes) is not over
    with time_machine.travel(start + dt.timedelta(minutes=5)):
        assert dispatch() == 1
        assert run_queued_tasks() == [NotificationStatus.SENT]
        # Delivered once: a later dispatch finds nothing to do.
        assert dispatch() == 0
    assert len(smtp_server.messages) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 3)
    # Each attempt and the delivery are in the audit trail and on the case timeline.
    assert len(_audit(case, AuditAction.NOTIFY_ATTEMPT)) == 2
    assert len(_audit(case, AuditAction.NOTIFY_SENT)) == 1
    page = staff_client.get(reverse("review:case", args=[case.pk])).content.decode()
    assert page.count("E-mail attempt failed") == 2
    assert "delivered to 1 address(es) on attempt 3" in page


def test_the_waits_between_tries_double_up_to_thirty_minutes():
    assert [backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_after_the_last_try_the_alert_is_marked_not_delivered(
    patient_client, staff_client, intake, alert_emails, smtp_server, run_queued_tasks, settings,
    django_capture_on_commit_callbacks, dispatch,
):
    settings.CLINIC_NOTIFY_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        post_step(patient_client, intake, "phq9", ITEM_9)
    assert run_queued_tasks() == [NotificationStatus.FAILED]
    case = Case.objects.get(intake=intake)
    assert len(_audit(case, AuditAction.NOTIFY_FAILED)) == 1
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert dispatch() == 0
    page = staff_client.get(reverse("review:case", args=[case.pk])).content.decode()
    assert 'data-testid="notification-failed"' in page
    assert "gave up after 1 attempt" in page


def test_alerts_go_to_the_active_addresses_an_admin_set(
    patient_client, intake, run_queued_tasks, django_capture_on_commit_callbacks
):
    from django.core import mail

    AlertRecipient.objects.create(email="oncall@clinic.example")
    AlertRecipient.objects.create(email="director@clinic.example")
    AlertRecipient.objects.create(email="left@clinic.example", active=False)
    with django_capture_on_commit_callbacks(execute=True):
        post_step(patient_client, intake, "phq9", ITEM_9)
    run_queued_tasks()
    assert [message.to for message in mail.outbox] == [["director@clinic.example", "oncall@clinic.example"]]


def test_with_no_alert_address_the_alert_waits_for_one(
    patient_client, intake, run_queued_tasks, django_capture_on_commit_callbacks
, dispatch):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        post_step(patient_client, intake, "phq9", ITEM_9)
    assert run_queued_tasks() == [NotificationStatus.QUEUED]
    assert Notification.objects.get().last_error == "NoRecipients"
    AlertRecipient.objects.create(email="oncall@clinic.example")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        dispatch()
        assert run_queued_tasks() == [NotificationStatus.SENT]
    assert mail.outbox[0].to == ["oncall@clinic.example"]


def test_a_broker_that_is_down_does_not_fail_the_patients_save(
    patient_client, intake, alert_emails, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr("django_q.tasks.async_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_step(patient_client, intake, "phq9", ITEM_9)
    assert response.status_code == HTTPStatus.FOUND
    # Still owed: the periodic dispatch hands it out once its lease is over.
    assert Notification.objects.get().status == NotificationStatus.QUEUED
