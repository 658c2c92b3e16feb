"""The notify app lives in ``screening/notify/`` (issue 11). django-q2 keeps the dotted paths of
the functions it runs in its tables; migration notify 0003 moves them to ``screening.notify.…``
and back, so that an existing database and a fresh one both end with paths that resolve."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import OrmQ, Schedule, Task
from django_q.signing import SignedPackage

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("notify", "0002_seed_recipients_and_schedules")
AFTER = ("notify", "0003_task_paths_under_screening")
SCHEDULED = ("dispatch_due", "send_draft_reminders")


def migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def scheduled_paths() -> set[str]:
    return set(Schedule.objects.filter(name__startswith="notify: ").values_list("func", flat=True))


def queued_package(func: str, *, notification_id: int = 7) -> OrmQ:
    package = {"id": "task-1", "name": f"notification-{notification_id}", "func": func, "args": (notification_id,)}
    return OrmQ.objects.create(key="clinic-intake", payload=SignedPackage.dumps(package))


def remembered_task(func: str) -> Task:
    now = timezone.now()
    return Task.objects.create(
        id="a-failed-delivery", name="notification-7", func=func, started=now, stopped=now, success=False
    )


def test_a_fresh_database_seeds_the_old_paths_and_ends_with_paths_that_resolve():
    # From before the seed: 0002 writes the top-level paths it always wrote, 0003 moves them.
    migrate(("notify", "0001_notifications"))
    assert not scheduled_paths()
    migrate(BEFORE)
    assert scheduled_paths() == {f"notify.tasks.{name}" for name in SCHEDULED}
    migrate(AFTER)
    assert scheduled_paths() == {f"screening.notify.tasks.{name}" for name in SCHEDULED}
    for path in scheduled_paths():
        assert callable(import_string(path))


def test_an_existing_database_has_its_schedules_history_and_queued_tasks_moved_and_moved_back():
    # A database as the last release left it: seeded by 0002 (an earlier transactional test
    # may have flushed the rows, so the seed runs again), with a task remembered and one waiting.
    migrate(("notify", "0001_notifications"))
    migrate(BEFORE)
    assert scheduled_paths() == {f"notify.tasks.{name}" for name in SCHEDULED}
    remembered_task("notify.tasks.deliver")
    waiting = queued_package("notify.tasks.deliver")
    unreadable = OrmQ.objects.create(key="clinic-intake", payload="signed-with-another-key")
    foreign = Schedule.objects.create(name="someone else's", func="reports.tasks.notify.weekly", repeats=-1)

    migrate(AFTER)
    assert scheduled_paths() == {f"screening.notify.tasks.{name}" for name in SCHEDULED}
    assert Task.objects.get(id="a-failed-delivery").func == "screening.notify.tasks.deliver"
    package = SignedPackage.loads(OrmQ.objects.get(pk=waiting.pk).payload)
    assert package["func"] == "screening.notify.tasks.deliver"
    assert package["args"] == (7,)
    assert callable(import_string(package["func"]))
    assert OrmQ.objects.get(pk=unreadable.pk).payload == "signed-with-another-key"
    assert Schedule.objects.get(pk=foreign.pk).func == "reports.tasks.notify.weekly"

    migrate(BEFORE)
    assert scheduled_paths() == {f"notify.tasks.{name}" for name in SCHEDULED}
    assert Task.objects.get(id="a-failed-delivery").func == "notify.tasks.deliver"
    assert SignedPackage.loads(OrmQ.objects.get(pk=waiting.pk).payload)["func"] == "notify.tasks.deliver"
    migrate(AFTER)
