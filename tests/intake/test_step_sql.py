"""The step save's statements (intake/step_sql.py) against their ORM twins (issue 13)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.db.models.signals import post_init, post_save, pre_init, pre_save

from clinic.models import Session, User
from intake import step_sql
from intake.models import Intake, StepDraft


@pytest.mark.parametrize("columns", [("gad7_1", "status", "patient"), None])
def test_the_locked_read_is_the_intake_the_orm_reads(intake, patient, columns):
    intake.gad7_1, intake.reopened_steps = 2, ["gad7"]
    intake.save()
    with transaction.atomic():
        read = step_sql.locked_patient_intake(user_id=patient.pk, intake_id=intake.pk, columns=columns)
    twins = Intake.objects.all() if columns is None else Intake.objects.only(*columns)
    twin = twins.get(pk=intake.pk)
    assert read.get_deferred_fields() == twin.get_deferred_fields()
    loaded = [f.attname for f in Intake._meta.concrete_fields if f.attname not in twin.get_deferred_fields()]
    assert [getattr(read, name) for name in loaded] == [getattr(twin, name) for name in loaded]


def test_the_locked_read_is_only_the_patients_own_intake(intake, other_patient):
    with pytest.raises(Intake.DoesNotExist), transaction.atomic():
        step_sql.locked_patient_intake(user_id=other_patient.pk, intake_id=intake.pk, columns=None)


def test_a_save_writes_the_draft_and_the_named_columns_as_the_orm_would(intake):
    before = Intake.objects.get(pk=intake.pk)
    intake.gad7_1, intake.gad7_2, intake.phq9_1, intake.current_step = 3, 1, 2, "cssrs"
    draft = StepDraft(intake=intake, step="gad7", data={"gad7_1": "3", "x": ["a", "b"]}, is_valid=True, revision=4)
    step_sql.save(intake, ["gad7_1", "gad7_2", "current_step", "updated_at"], draft=draft)
    after = Intake.objects.get(pk=intake.pk)
    assert (after.gad7_1, after.gad7_2, after.current_step) == (3, 1, "cssrs")
    assert after.phq9_1 is None  # not named: not written
    assert after.updated_at > before.updated_at
    stored = StepDraft.objects.get(intake=intake, step="gad7")
    assert (stored.data, stored.is_valid, stored.revision) == ({"gad7_1": "3", "x": ["a", "b"]}, True, 4)
    # A second save replaces the step's draft (one per step) and keeps when it was first made.
    again = StepDraft(intake=intake, step="gad7", data={}, is_valid=False, revision=5)
    step_sql.save(intake, ["draft_revision"], draft=again)
    replaced = StepDraft.objects.get(intake=intake, step="gad7")
    assert (replaced.data, replaced.is_valid, replaced.revision) == ({}, False, 5)
    assert replaced.created_at == stored.created_at and replaced.updated_at > stored.updated_at


def test_a_save_of_a_missing_intake_fails_loudly(intake):
    draft = StepDraft(intake=intake, step="gad7", data={}, is_valid=False, revision=1)
    gone = Intake(pk=intake.pk + 1000, patient=intake.patient)
    with pytest.raises(DatabaseError), transaction.atomic():
        step_sql.save(gone, ["draft_revision"], draft=draft)


def test_an_unknown_column_is_refused(intake):
    with pytest.raises(ValueError, match="not columns of Intake"):
        step_sql.save(intake, ["no_such_column"], draft=StepDraft(intake=intake, step="gad7"))


@pytest.mark.parametrize(
    "model,signals",
    [
        (Intake, (pre_init, post_init, pre_save, post_save)),  # read and written
        (StepDraft, (pre_init, post_init, pre_save, post_save)),  # written
        (User, (pre_init, post_init)),  # read with the session
        (Session, (pre_init, post_init)),  # read
    ],
)
def test_no_signal_receiver_is_skipped_by_the_statements(model, signals):
    """The statements send no model signals (clinic/prepared.py): a receiver added for what
    they read or write would be silently skipped by a step save or a session read, so it must
    be added here on purpose."""
    for signal in signals:
        assert not signal.has_listeners(model), (signal, model)


def test_the_read_locks_only_the_intakes_row_where_the_database_can():
    from django.db import connection

    sql = step_sql._locked_read_sql(connection, step_sql._read_columns(("status",)))
    if connection.features.has_select_for_update_of:
        assert sql.endswith('FOR UPDATE OF "intake_intake"')
    else:  # SQLite: a write transaction is the lock
        assert "FOR UPDATE" not in sql
