"""The notify app moved from the top level into ``screening/notify/`` (issue 11): the dotted
paths that django-q2 stored for its functions now point at ``screening.notify.…``.

Rewritten: the worker's schedules (``func`` and ``hook``: the dispatch of due notifications and
the draft reminders that 0002 seeded), the tasks it remembers (``func`` and ``hook`` of its
successes and failures, which an admin may resubmit) and the tasks waiting in the database
broker (their signed package). A package that cannot be read (signed with another secret key)
is left as it is: its notification is still queued and is handed to the queue again, under the
new path, once its lease runs out (``screening.notify.services.LEASE``). With a Redis broker the
waiting tasks are not in the database; the same lease covers them.

Reversible: going back writes the top-level paths again.
"""

import pickle

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django_q.signing import BadSignature, SignedPackage

OLD = "notify."
NEW = "screening.notify."


def _moved(path, old, new):
    if isinstance(path, str) and path.startswith(old):
        return new + path[len(old) :]
    return path


def _rewrite(apps, old, new):
    for model in ("Schedule", "Task"):
        Model = apps.get_model("django_q", model)
        for field in ("func", "hook"):
            Model.objects.filter(**{f"{field}__startswith": old}).update(
                **{field: Concat(Value(new), Substr(field, len(old) + 1))}
            )
    OrmQ = apps.get_model("django_q", "OrmQ")
    for queued in OrmQ.objects.all():
        try:
            package = SignedPackage.loads(queued.payload)
        except (BadSignature, pickle.UnpicklingError, ValueError, ImportError, AttributeError, EOFError):
            continue
        if not isinstance(package, dict):
            continue
        moved = {key: _moved(package.get(key), old, new) for key in ("func", "hook") if key in package}
        if moved != {key: package[key] for key in moved}:
            queued.payload = SignedPackage.dumps({**package, **moved})
            queued.save(update_fields=["payload"])


def forward(apps, schema_editor):
    _rewrite(apps, OLD, NEW)


def backward(apps, schema_editor):
    _rewrite(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_seed_recipients_and_schedules"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forward, backward)]
