"""Notifications: e-mails the app sends through the task queue, and who receives the alerts.

A ``Notification`` row is written in the same transaction as the event that calls for it (an
urgent flag, a resubmission, a draft left alone): it is the durable record that the e-mail is
owed, whatever happens to the broker. The worker delivers it, retrying with backoff, and
records every attempt here and in the audit trail.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from clinic.models import TimeStamped


class AlertRecipient(TimeStamped):
    """An address that receives urgent alerts, kept by an admin (seeded from CLINIC_ALERT_EMAILS)."""

    email = models.EmailField("e-mail address")
    active = models.BooleanField(default=True, help_text="Untick to stop alerts to this address without losing it.")

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="alertrecipient_unique_email"),
        ]

    def __str__(self) -> str:
        return self.email


class NotificationKind(models.TextChoices):
    URGENT_ALERT = "urgent_alert", "Urgent alert to the clinic"
    RESUBMITTED = "resubmitted", "Resubmission, to the clinician"
    REMINDER_FIRST = "reminder_first", "First draft reminder, to the patient"
    REMINDER_SECOND = "reminder_second", "Second draft reminder, to the patient"


#: Kinds sent to a patient; each at most once per intake.
REMINDER_KINDS = (NotificationKind.REMINDER_FIRST, NotificationKind.REMINDER_SECOND)


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Not sent (no longer needed)"


class Notification(TimeStamped):
    """One e-mail owed: queued, then sent or (after the last retry) failed.

    ``key`` says what the e-mail is about (``urgent_alert:case:7:<raised at>``, ``reminder_first:
    intake:3``) and is unique, so that a second run of the same event never owes it twice.
    ``last_error`` holds the kind of failure only (e.g. ``ConnectionRefusedError``), never an
    address or the message.
    """

    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    key = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED)
    intake = models.ForeignKey("intake.Intake", on_delete=models.PROTECT, related_name="notifications")
    case = models.ForeignKey(
        "screening.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    level = models.CharField(max_length=30, blank=True, help_text="The urgent level an alert is about.")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(help_text="When the worker next tries, if it is still queued.")
    last_error = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="notification_unique_key"),
            # "Once each": one first and one second reminder per intake, whatever runs.
            models.UniqueConstraint(
                fields=["intake", "kind"],
                condition=Q(kind__in=["reminder_first", "reminder_second"]),
                name="notification_one_reminder_of_each_kind",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="notification_sent_has_time",
            ),
        ]
        indexes = [
            # screening.notify.services.notifications_dispatch_due: the queued rows whose next try has come.
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
            # The case page: the notifications of one case, newest first.
            models.Index(fields=["case", "-created_at"], name="notification_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"


class ReminderOptOut(models.Model):
    """The patient followed the link in a reminder and asked for no more."""

    intake = models.OneToOneField("intake.Intake", on_delete=models.PROTECT, related_name="reminder_opt_out")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"No reminders for intake {self.intake_id}"


class WorkerHeartbeat(models.Model):
    """When the task worker last ran its periodic task (one row). /healthz reads it."""

    name = models.CharField(max_length=40, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"
