"""The functions the task worker (django-q2's `manage.py qcluster`) runs, by dotted name.

Each is a thin entry point into a service; the schedules that call the periodic ones are
created by migration notify 0002 and point here (``screening.notify.tasks.…``) since
migration 0003.
"""

from __future__ import annotations

from screening.notify import services


def deliver(notification_id: int) -> str:
    """Try to send one notification (queued by ``notification_owe`` or a dispatch)."""
    notification = services.notification_deliver(notification_id=notification_id)
    return notification.status if notification is not None else "missing"


def dispatch_due() -> int:
    """Every minute: the worker's heartbeat, and the retries whose time has come."""
    return services.notifications_dispatch_due()


def send_draft_reminders() -> int:
    """Every hour: owe the draft reminders that are due."""
    return len(services.reminders_send_due())
