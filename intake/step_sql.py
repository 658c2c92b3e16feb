"""The three statements of a step save, written once per step (issue 13, clinic/prepared.py).

- ``locked_patient_intake``: the patient's own intake under its row lock, with only the
  columns the save reads (``Intake.objects.select_for_update(of=("self",)).only(…)
  .get(pk=…, patient__user=…)``);
- ``save``: the step's draft, inserted or replaced in one statement on the
  one-draft-per-step constraint (``bulk_create([…], update_conflicts=True, …)``), then one
  UPDATE of the given columns of the intake (``save(update_fields=…)``, ``auto_now``
  included); on PostgreSQL both in one round trip.

They send no model signals: the tests fail if the intake or its drafts gain a receiver
(``tests/intake/test_step_sql.py``), and pin each statement to its ORM twin.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from clinic import prepared
from intake.models import Intake, Patient, StepDraft


@cache
def _read_columns(names: tuple[str, ...] | None) -> prepared.Columns:
    return prepared.Columns(Intake, names)


def _locked_read_sql(connection: BaseDatabaseWrapper, columns: prepared.Columns) -> str:
    q = prepared.quoted
    intakes, patients = Intake._meta.db_table, Patient._meta.db_table
    lock = ""
    if connection.features.has_select_for_update:
        of = (q(connection, intakes),) if connection.features.has_select_for_update_of else ()
        lock = " " + connection.ops.for_update_sql(of=of)
    patient = Intake._meta.get_field("patient")
    return (
        f"SELECT {columns.select_list(connection, intakes)} FROM {q(connection, intakes)} "  # noqa: S608 - names from the models
        f"INNER JOIN {q(connection, patients)} "
        f"ON {q(connection, intakes, patient.column)} = {q(connection, patients, Patient._meta.pk.column)} "
        f"WHERE {q(connection, intakes, Intake._meta.pk.column)} = %s "
        f"AND {q(connection, patients, Patient._meta.get_field('user').column)} = %s{lock}"
    )


def locked_patient_intake(*, user_id: Any, intake_id: Any, columns: Sequence[str] | None) -> Intake:
    """Patient ``user_id``'s intake ``intake_id`` with ``columns`` (None: all), its row locked
    until the caller's transaction ends; ``Intake.DoesNotExist`` when it is not theirs."""
    connection = connections[router.db_for_write(Intake)]
    read = _read_columns(None if columns is None else tuple(columns))
    params = [
        prepared.lookup_value(Intake, "id", intake_id, connection),
        prepared.lookup_value(Patient, "user", user_id, connection),
    ]
    with connection.cursor() as cursor:
        prepared.execute(cursor, (("locked-intake", read), lambda: _locked_read_sql(connection, read), params))
        row = cursor.fetchone()
    if row is None:
        raise Intake.DoesNotExist("Intake matching query does not exist.")
    return read.instance(connection, row)  # type: ignore[return-value]


_DRAFT_FIELDS = tuple(field for field in StepDraft._meta.concrete_fields if not field.primary_key)
_DRAFT_UNIQUE = ("intake", "step")  # the constraint stepdraft_one_per_step
_DRAFT_REPLACES = ("data", "is_valid", "revision", "updated_at")


def _draft_sql(connection: BaseDatabaseWrapper) -> str:
    return prepared.upsert_sql(connection, StepDraft, _DRAFT_FIELDS, unique=_DRAFT_UNIQUE, update=_DRAFT_REPLACES)


@cache
def _update_fields(names: frozenset[str]) -> tuple[Any, ...]:
    fields = tuple(
        f for f in Intake._meta.concrete_fields if not f.primary_key and (f.name in names or f.attname in names)
    )
    if len(fields) != len(names):
        known = {f.name for f in fields} | {f.attname for f in fields}
        raise ValueError(f"not columns of Intake: {sorted(names - known)}")
    return fields


def save(intake: Intake, names: Sequence[str], *, draft: StepDraft) -> None:
    """Insert ``draft`` (or replace the stored draft of its intake and step), then write
    columns ``names`` of the saved ``intake`` (``updated_at`` set to now when named): one round
    trip on PostgreSQL."""
    connection = connections[router.db_for_write(Intake)]
    fields = _update_fields(frozenset(names))
    params = prepared.saved_values(intake, fields, connection, add=False)
    params.append(prepared.lookup_value(Intake, "id", intake.pk, connection))
    draft_params = prepared.saved_values(draft, _DRAFT_FIELDS, connection, add=True)
    with connection.cursor() as cursor:
        prepared.execute(
            cursor,
            ("store-draft", lambda: _draft_sql(connection), draft_params),
            (("update-intake", fields), lambda: prepared.update_sql(connection, Intake, fields), params),
        )
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
