"""Owe the draft reminders that are due, for a clinic that runs them from cron.

The worker already runs this every hour (django-q2 schedule); running it as well, or twice,
sends nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from screening.notify.services import reminders_send_due


class Command(BaseCommand):
    help = "Queue the draft reminders that are due (idempotent: each reminder goes at most once)."

    def handle(self, *args: Any, **options: Any) -> None:
        owed = reminders_send_due()
        self.stdout.write(f"{len(owed)} reminder(s) queued.")
