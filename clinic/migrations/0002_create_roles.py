"""Create the three roles as groups: patient, clinician, admin.

Clinicians and admins get the view permissions they need in the admin; admins get the rest
through is_staff plus their group's permissions, granted in a later migration if needed.
"""

from django.db import migrations

ROLES = ("patient", "clinician", "admin")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_users_and_audit_trail"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
