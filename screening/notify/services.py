"""Writes of the notify app: owing an e-mail, delivering it, draft reminders and opting out.

The shape is a transactional outbox. ``notification_owe`` writes a ``Notification`` row in the
caller's transaction and hands its id to the task queue only once that transaction commits:
an event rolled back owes nothing, and a broker that is down loses nothing (the row stays
queued and ``notifications_dispatch_due`` hands it out again). ``notification_deliver`` runs
in the worker: it sends, or records the failed attempt and when the next one is due.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from clinic.audit import audit_record
from clinic.models import AuditAction
from intake.models import Intake, IntakeStatus
from screening.models import Case, InfoRequest
from screening.notify import emails
from screening.notify.models import (
    REMINDER_KINDS,
    AlertRecipient,
    Notification,
    NotificationKind,
    NotificationStatus,
    ReminderOptOut,
    WorkerHeartbeat,
)

logger = logging.getLogger(__name__)

#: After a notification is handed to the queue, it is handed out again only if it is still
#: queued this much later (the worker was down, or the broker lost it).
LEASE = dt.timedelta(minutes=5)
#: The first retry waits a minute; each next one twice as long, at most this.
BACKOFF_FIRST = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(minutes=30)
HEARTBEAT = "worker"


class NoRecipients(Exception):
    """Nobody to send to (e.g. no active alert address): retried, as an admin may add one."""


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, 8, 16, 30, 30 … minutes."""
    return min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def _enqueue_delivery(notification_id: int) -> None:
    from django_q.tasks import async_task

    async_task("screening.notify.tasks.deliver", notification_id, task_name=f"notification-{notification_id}")


def notification_owe(
    *, kind: str, key: str, intake: Intake, case: Case | None = None, level: str = ""
) -> Notification:
    """Owe one e-mail, once per ``key``, in the caller's transaction; queue it on commit.

    A key already owed returns the existing notification and queues nothing again.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                key=key,
                defaults={"kind": kind, "intake": intake, "case": case, "level": level, "next_attempt_at": now + LEASE},
            )
    except IntegrityError:
        # The (intake, kind) constraint of reminders: another run owed it first.
        return Notification.objects.get(intake=intake, kind=kind)
    if created:
        notification_id = notification.pk
        # robust: a broker that is down must not turn the patient's saved answer into an
        # error page; the row stays queued and the periodic dispatch hands it out.
        transaction.on_commit(lambda: _enqueue_delivery(notification_id), robust=True)
    return notification


def notify_urgent_alert(*, case: Case, level: str) -> Notification:
    """The clinic's alert addresses are e-mailed about an urgent flag just raised on ``case``."""
    raised = case.urgent_raised_at or timezone.now()
    return notification_owe(
        kind=NotificationKind.URGENT_ALERT,
        key=f"urgent_alert:case:{case.pk}:{raised.isoformat()}",
        intake=case.intake,
        case=case,
        level=level,
    )


def notify_resubmitted(*, case: Case, info_request_id: int) -> Notification:
    """The clinician is e-mailed that the patient answered their request for more information."""
    return notification_owe(
        kind=NotificationKind.RESUBMITTED,
        key=f"resubmitted:inforequest:{info_request_id}",
        intake=case.intake,
        case=case,
    )


def _alert_addresses() -> list[str]:
    return list(AlertRecipient.objects.filter(active=True).order_by("email").values_list("email", flat=True))


def _recipients(notification: Notification) -> list[str]:
    kind = notification.kind
    if kind == NotificationKind.URGENT_ALERT:
        return _alert_addresses()
    if kind == NotificationKind.RESUBMITTED:
        case = notification.case
        assert case is not None
        if case.assigned_to is not None and case.assigned_to.is_active:
            return [case.assigned_to.email]
        latest = (
            InfoRequest.objects.filter(case=case, requested_by__is_active=True)
            .select_related("requested_by")
            .order_by("-requested_at", "-id")
            .first()
        )
        if latest is not None:
            return [latest.requested_by.email]
        return _alert_addresses()
    user = notification.intake.patient.user
    return [user.email] if user.is_active else []


def _compose(notification: Notification) -> emails.Email:
    kind = notification.kind
    if kind == NotificationKind.URGENT_ALERT:
        return emails.urgent_alert(case_id=notification.case_id or 0, level=notification.level)
    if kind == NotificationKind.RESUBMITTED:
        return emails.resubmitted(case_id=notification.case_id or 0)
    return emails.draft_reminder(
        intake_id=notification.intake_id, second=kind == NotificationKind.REMINDER_SECOND
    )


def _no_longer_needed(notification: Notification) -> str:
    """Why a queued reminder must not go out any more, or "" (it must)."""
    if notification.kind not in REMINDER_KINDS:
        return ""
    if notification.intake.status != IntakeStatus.DRAFT:
        return "Submitted"
    if ReminderOptOut.objects.filter(intake_id=notification.intake_id).exists():
        return "Opted out"
    return ""


def _failure_label(exc: BaseException) -> str:
    """The kind of failure, without the server's text (it may echo an address)."""
    label = type(exc).__name__
    code = getattr(exc, "smtp_code", None)
    return f"{label} {code}" if code else label


def _audit_target(notification: Notification) -> Case | Intake:
    return notification.case if notification.case is not None else notification.intake


@transaction.atomic
def notification_deliver(*, notification_id: int) -> Notification | None:
    """Try once to send a queued notification; record the attempt either way.

    Runs in the worker. The row is locked so that two workers handed the same notification
    (a retry racing a re-dispatch) send it once: the second finds it sent. Returns None for
    an id that no longer exists.
    """
    notification = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("case__assigned_to", "intake__patient__user")
        .filter(pk=notification_id)
        .first()
    )
    if notification is None or notification.status != NotificationStatus.QUEUED:
        return notification
    reason = _no_longer_needed(notification)
    if reason:
        notification.status = NotificationStatus.CANCELLED
        notification.last_error = reason
        notification.save()
        return notification
    now = timezone.now()
    notification.attempts += 1
    label = notification.get_kind_display()
    try:
        recipients = _recipients(notification)
        if not recipients:
            raise NoRecipients()
        email = _compose(notification)
        EmailMessage(subject=email.subject, body=email.body, to=recipients).send(fail_silently=False)
    except (smtplib.SMTPException, OSError, NoRecipients) as exc:
        notification.last_error = _failure_label(exc)[:200]
        if notification.attempts >= settings.CLINIC_NOTIFY_MAX_ATTEMPTS:
            notification.status = NotificationStatus.FAILED
            action, summary = (
                AuditAction.NOTIFY_FAILED,
                f"{label}: attempt {notification.attempts} failed ({notification.last_error}); no more tries",
            )
        else:
            notification.next_attempt_at = now + backoff(notification.attempts)
            action, summary = (
                AuditAction.NOTIFY_ATTEMPT,
                f"{label}: attempt {notification.attempts} failed ({notification.last_error}); "
                f"next try at {timezone.localtime(notification.next_attempt_at):%H:%M}",
            )
        logger.warning(
            "notification %s attempt %s failed: %s", notification.pk, notification.attempts, notification.last_error
        )
    else:
        notification.status = NotificationStatus.SENT
        notification.sent_at = now
        notification.last_error = ""
        notification.recipient_count = len(recipients)
        action = AuditAction.NOTIFY_SENT
        summary = f"{label}: delivered to {len(recipients)} address(es) on attempt {notification.attempts}"
        logger.info("notification %s sent on attempt %s", notification.pk, notification.attempts)
    notification.save()
    audit_record(
        actor=None,
        action=action,
        target=_audit_target(notification),
        summary=summary,
        changes={"notification": {"before": None, "after": notification.pk}},
    )
    return notification


@transaction.atomic
def notifications_dispatch_due(*, now: dt.datetime | None = None) -> int:
    """Hand the queue every queued notification whose next try has come; note the worker's pulse.

    Runs every minute in the worker (django-q2 schedule). Each notification handed out is
    leased: it is not handed out again before ``LEASE`` unless a failed attempt says sooner.
    Returns how many were handed out.
    """
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=HEARTBEAT, defaults={"seen_at": now})
    due = list(
        Notification.objects.select_for_update()
        .filter(status=NotificationStatus.QUEUED, next_attempt_at__lte=now)
        .values_list("pk", flat=True)
    )
    if due:
        Notification.objects.filter(pk__in=due).update(next_attempt_at=now + LEASE)
        for notification_id in due:
            transaction.on_commit(lambda n=notification_id: _enqueue_delivery(n), robust=True)
    return len(due)


def worker_last_seen() -> dt.datetime | None:
    return WorkerHeartbeat.objects.filter(name=HEARTBEAT).values_list("seen_at", flat=True).first()


# --- Draft reminders ---------------------------------------------------------------------------


def _drafts_to_remind(kind: str, *, now: dt.datetime, days: int) -> list[Intake]:
    idle_before = now - dt.timedelta(days=days)
    opted_out = ReminderOptOut.objects.filter(intake=OuterRef("pk"))
    already = Notification.objects.filter(intake=OuterRef("pk"), kind=kind)
    drafts = (
        Intake.objects.filter(status=IntakeStatus.DRAFT, submitted_at__isnull=True, updated_at__lte=idle_before)
        .filter(patient__user__is_active=True)
        .exclude(Exists(opted_out))
        .exclude(Exists(already))
    )
    if kind == NotificationKind.REMINDER_SECOND:
        first_days = dt.timedelta(days=settings.CLINIC_REMINDER_FIRST_DAYS)
        second_days = dt.timedelta(days=settings.CLINIC_REMINDER_SECOND_DAYS)
        # The second waits for the first, and comes the longer wait after the last activity,
        # and never less than the gap between the two waits after the first.
        first_sent_long_ago = Notification.objects.filter(
            intake=OuterRef("pk"),
            kind=NotificationKind.REMINDER_FIRST,
            created_at__lte=now - (second_days - first_days),
        )
        drafts = drafts.filter(Exists(first_sent_long_ago))
    return list(drafts.order_by("pk"))


def reminders_send_due(*, now: dt.datetime | None = None) -> list[Notification]:
    """Owe a reminder to every draft left alone long enough; each reminder at most once.

    First reminder: ``CLINIC_REMINDER_FIRST_DAYS`` (2) days with no activity on the draft.
    Second: ``CLINIC_REMINDER_SECOND_DAYS`` (7) days with none, after the first. Then none.
    Never for a submitted intake or after the patient opted out. Running it twice owes
    nothing twice (a unique key per intake and kind).
    """
    now = now or timezone.now()
    owed: list[Notification] = []
    waits: Sequence[tuple[str, int]] = (
        (NotificationKind.REMINDER_SECOND, settings.CLINIC_REMINDER_SECOND_DAYS),
        (NotificationKind.REMINDER_FIRST, settings.CLINIC_REMINDER_FIRST_DAYS),
    )
    with transaction.atomic():
        # Second reminders first: a draft that gets its first reminder in this run must not
        # qualify for the second in the same run.
        for kind, days in waits:
            for intake in _drafts_to_remind(kind, now=now, days=days):
                owed.append(notification_owe(kind=kind, key=f"{kind}:intake:{intake.pk}", intake=intake))
    return owed


@transaction.atomic
def reminders_opt_out(*, intake: Intake) -> bool:
    """Stop reminders for ``intake``; reminders still queued are not sent. True if new."""
    _, created = ReminderOptOut.objects.get_or_create(intake=intake)
    if created:
        Notification.objects.filter(
            intake=intake,
            kind__in=[NotificationKind.REMINDER_FIRST, NotificationKind.REMINDER_SECOND],
            status=NotificationStatus.QUEUED,
        ).update(status=NotificationStatus.CANCELLED, last_error="Opted out", updated_at=timezone.now())
        audit_record(actor=None, action=AuditAction.REMINDER_OPT_OUT, target=intake, summary="Reminders stopped")
    return created
