"""The sessions of Django's own table (``django_session``) are no longer read since sessions
moved to ``clinic_session`` (0009): they are deleted, so that no signed-in state (nor anything
a session carried) lingers in a table nothing expires any more."""

from django.db import migrations


def forget_former_sessions(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("sessions", "Session").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0009_sessions_with_their_user"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forget_former_sessions, migrations.RunPython.noop)]
