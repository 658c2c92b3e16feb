"""Seed the alert addresses from CLINIC_ALERT_EMAILS and create the worker's periodic tasks.

From here on an admin keeps the addresses in the back office; the schedules live in
django-q2's table (whatever the broker), so the worker finds them on any machine.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

SCHEDULES = [
    # The worker's heartbeat (/healthz) and the retries that are due.
    ("notify: dispatch due notifications", "notify.tasks.dispatch_due", "I", 1),
    # Draft reminders (also `manage.py send_draft_reminders` for cron).
    ("notify: draft reminders", "notify.tasks.send_draft_reminders", "H", None),
]


def seed(apps, schema_editor):
    AlertRecipient = apps.get_model("notify", "AlertRecipient")
    for email in getattr(settings, "CLINIC_ALERT_EMAILS", []):
        if not AlertRecipient.objects.filter(email__iexact=email).exists():
            AlertRecipient.objects.create(email=email.lower())
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, schedule_type, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": schedule_type,
                "minutes": minutes,
                "repeats": -1,
                "next_run": timezone.now(),
            },
        )


def unseed(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_notifications"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
