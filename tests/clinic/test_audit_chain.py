"""The audit trail the database protects: a hash chain that verify_audit walks, and on
PostgreSQL a trigger that refuses UPDATE, DELETE and TRUNCATE, even for the table's owner
unless it deliberately disables the trigger; the app's limited role cannot even do that."""

from __future__ import annotations

import secrets
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, close_old_connections, connection, transaction

from clinic.audit import audit_chain_problems, audit_record
from clinic.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


def _lines(patient, count=3) -> list[AuditEvent]:
    return [
        audit_record(actor=patient, action=AuditAction.VIEW, target=patient, summary=f"line {n}", changes={"n": n})
        for n in range(count)
    ]


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_each_row_is_chained_to_the_one_before(patient):
    first, second, third = _lines(patient)
    assert len({first.row_hash, second.row_hash, third.row_hash}) == 3
    assert list(audit_chain_problems()) == []
    assert "chain verified" in verify()


def _raw_update(event_id: int, summary: str) -> None:
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET summary = %s WHERE id = %s", [summary, event_id])  # noqa: S608


def _raw_delete(event_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [event_id])  # noqa: S608


@pytest.mark.skipif(connection.vendor == "postgresql", reason="on PostgreSQL the trigger refuses the change")
def test_verify_audit_names_a_row_altered_behind_the_apps_back_on_sqlite(patient):
    _first, second, _third = _lines(patient)
    _raw_update(second.pk, "nothing to see")
    with pytest.raises(CommandError, match=f"audit row {second.pk} "):
        verify()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="on PostgreSQL the trigger refuses the change")
def test_verify_audit_notices_a_removed_row_on_sqlite(patient):
    _first, second, third = _lines(patient)
    _raw_delete(second.pk)
    with pytest.raises(CommandError, match=f"audit row {third.pk} "):
        verify()


@postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE clinic_auditevent SET summary = 'x'",
        "DELETE FROM clinic_auditevent",
        "TRUNCATE clinic_auditevent CASCADE",
    ],
    ids=["update", "delete", "truncate"],
)
def test_the_trigger_refuses_update_delete_and_truncate(patient, statement):
    _lines(patient)
    with connection.cursor() as cursor:
        # The test database switches the TRUNCATE guard off for flushing (tests/conftest.py).
        # (Deferred foreign-key checks of the rows just written run first: ALTER TABLE waits for none.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE clinic_auditevent ENABLE TRIGGER clinic_audit_no_truncate")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(statement)
    assert AuditEvent.objects.count() == 3


@postgres_only
def test_verify_audit_catches_a_row_altered_with_the_trigger_disabled_by_the_owner(patient):
    _first, second, _third = _lines(patient)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE clinic_auditevent DISABLE TRIGGER clinic_audit_no_update_delete")
        _raw_update(second.pk, "nothing to see")
        cursor.execute("ALTER TABLE clinic_auditevent ENABLE TRIGGER clinic_audit_no_update_delete")
    with pytest.raises(CommandError, match=f"audit row {second.pk} "):
        verify()


@postgres_only
def test_a_limited_app_role_appends_but_cannot_alter_the_trail_nor_disable_its_guard(patient):
    """The README's set-up: the app connects as a role that does not own the tables."""
    role = f"clinic_app_{secrets.token_hex(4)}"
    _lines(patient, 1)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON clinic_auditevent FROM {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        try:
            audit_record(actor=patient, action=AuditAction.VIEW, target=patient, summary="as the app role")
            for statement in (
                "UPDATE clinic_auditevent SET summary = 'x'",
                "DELETE FROM clinic_auditevent",
                "TRUNCATE clinic_auditevent",
                "ALTER TABLE clinic_auditevent DISABLE TRIGGER clinic_audit_no_update_delete",
                "DROP TRIGGER clinic_audit_no_update_delete ON clinic_auditevent",
            ):
                with pytest.raises(DatabaseError), transaction.atomic():
                    cursor.execute(statement)
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.count() == 2
    assert list(audit_chain_problems()) == []


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_still_make_one_chain(patient):
    def append(label: str) -> None:
        try:
            for n in range(15):
                with transaction.atomic():
                    audit_record(actor=None, action=AuditAction.VIEW, target=patient, summary=f"{label} {n}")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=append, args=(label,)) for label in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AuditEvent.objects.filter(summary__regex=r"^[abc] ").count() == 45
    assert list(audit_chain_problems()) == []
