"""A draft left alone gets one reminder after 2 days and a second after 7, then none; never
after submission or after the patient opted out; running the job twice sends nothing twice."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent
from intake.services import intake_start, patient_get_or_create
from screening.notify.emails import opt_out_token
from screening.notify.models import Notification, NotificationKind, NotificationStatus, ReminderOptOut
from screening.notify.services import reminders_send_due
from tests.factories import SubmittedIntakeFactory
from tests.intake.conftest import post_step

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def draft(patient):
    """Alice's intake, started at START and not touched since."""
    with time_machine.travel(START, tick=False):
        return intake_start(patient=patient_get_or_create(user=patient))


@pytest.fixture
def remind(django_capture_on_commit_callbacks, run_queued_tasks):
    """The reminder job at a given moment, then the worker: the e-mails sent by that run."""

    def run(at: dt.datetime) -> list[mail.EmailMessage]:
        before = len(mail.outbox)
        with time_machine.travel(at, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                reminders_send_due()
            run_queued_tasks()
        return mail.outbox[before:]

    return run


def days(n: float) -> dt.timedelta:
    return dt.timedelta(days=n)


def test_a_draft_left_alone_gets_a_reminder_after_two_days_and_a_second_after_seven_then_none(draft, remind):
    assert remind(START + days(2) - dt.timedelta(minutes=1)) == []
    [first] = remind(START + days(2))
    assert first.to == ["alice@example.org"]
    assert first.subject == "Your clinic intake is waiting for you"
    assert "https://intake.clinic.example/intake/" in first.body
    assert remind(START + days(2) + dt.timedelta(hours=1)) == []  # once only
    assert remind(START + days(6)) == []
    [second] = remind(START + days(7))
    assert second.subject == "A last reminder: your clinic intake"
    assert remind(START + days(7) + dt.timedelta(hours=1)) == []
    assert remind(START + days(30)) == []
    kinds = list(Notification.objects.order_by("id").values_list("kind", "status"))
    assert kinds == [
        (NotificationKind.REMINDER_FIRST, NotificationStatus.SENT),
        (NotificationKind.REMINDER_SECOND, NotificationStatus.SENT),
    ]


def test_running_the_reminder_job_twice_sends_nothing_twice(draft, remind):
    with time_machine.travel(START + days(3), tick=False):
        assert len(reminders_send_due()) == 1
        assert len(reminders_send_due()) == 0
        call_command("send_draft_reminders", stdout=__import__("io").StringIO())
    assert Notification.objects.count() == 1


def test_the_management_command_for_cron_queues_the_reminders_due(draft, capsys):
    from io import StringIO

    out = StringIO()
    with time_machine.travel(START + days(3), tick=False):
        call_command("send_draft_reminders", stdout=out)
        call_command("send_draft_reminders", stdout=out)
    assert out.getvalue().splitlines() == ["1 reminder(s) queued.", "0 reminder(s) queued."]


def test_activity_on_the_draft_restarts_the_wait(draft, patient, remind):
    client = Client()
    client.force_login(patient)
    with time_machine.travel(START + days(1), tick=False):
        post_step(client, draft, "gad7", {"gad7_1": "1"})
    assert remind(START + days(2)) == []
    assert len(remind(START + days(3))) == 1


def test_a_second_reminder_waits_for_the_first_one(draft, remind):
    # The job did not run for eight days: the first reminder now, the second later.
    [first] = remind(START + days(8))
    assert first.subject == "Your clinic intake is waiting for you"
    assert remind(START + days(9)) == []
    [second] = remind(START + days(13))
    assert second.subject == "A last reminder: your clinic intake"


def test_no_reminder_for_a_submitted_intake(patient, remind):
    with time_machine.travel(START, tick=False):
        SubmittedIntakeFactory(patient=patient_get_or_create(user=patient))
    assert remind(START + days(3)) == []
    assert remind(START + days(10)) == []
    assert not Notification.objects.exists()


def test_a_reminder_queued_before_submission_is_not_sent_after_it(
    draft, django_capture_on_commit_callbacks, run_queued_tasks
):
    with time_machine.travel(START + days(3), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send_due()
        type(draft).objects.filter(pk=draft.pk).update(status="submitted", submitted_at=START + days(3))
        assert run_queued_tasks() == [NotificationStatus.CANCELLED]
    assert mail.outbox == []


def test_the_opt_out_link_in_the_reminder_stops_the_next_one_without_signing_in(draft, remind):
    [first] = remind(START + days(2))
    link = next(line for line in first.body.splitlines() if "/notifications/reminders/stop/" in line)
    path = link.removeprefix("https://intake.clinic.example")
    anonymous = Client()
    # Opening the link only asks: mail scanners open links too.
    page = anonymous.get(path)
    assert page.status_code == HTTPStatus.OK
    assert "Stop reminders" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    assert not ReminderOptOut.objects.exists()
    done = anonymous.post(path)
    assert done.status_code == HTTPStatus.OK
    assert 'data-testid="opt-out-done"' in done.content.decode()
    assert ReminderOptOut.objects.filter(intake=draft).exists()
    assert AuditEvent.objects.filter(action=AuditAction.REMINDER_OPT_OUT, target_id=str(draft.pk)).count() == 1
    assert remind(START + days(7)) == []
    assert remind(START + days(30)) == []


def test_opting_out_cancels_a_reminder_still_queued(draft, django_capture_on_commit_callbacks, run_queued_tasks):
    with time_machine.travel(START + days(3), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send_due()
        Client().post(reverse("notify:opt_out", args=[opt_out_token(draft.pk)]))
        assert run_queued_tasks() == [NotificationStatus.CANCELLED]
    assert mail.outbox == []


FORGED = {
    "garbage": lambda intake_id: "garbage",
    "unsigned": lambda intake_id: str(intake_id),
    "tampered": lambda intake_id: opt_out_token(intake_id)[:-3] + "abc",
    "cut short": lambda intake_id: opt_out_token(intake_id)[:-10],
}


@pytest.mark.parametrize("kind", sorted(FORGED))
def test_a_forged_or_damaged_opt_out_link_is_refused_with_a_message(draft, kind):
    token = FORGED[kind](draft.pk)
    response = Client().post(reverse("notify:opt_out", args=[token]))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This link is not valid" in response.content.decode()
    assert not ReminderOptOut.objects.exists()


def test_an_opt_out_link_for_another_intake_does_not_stop_this_ones_reminders(draft, other_patient, remind):
    other = intake_start(patient=patient_get_or_create(user=other_patient))
    Client().post(reverse("notify:opt_out", args=[opt_out_token(other.pk)]))
    assert len(remind(START + days(2))) == 1
