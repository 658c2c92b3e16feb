"""Writes of the intake app: starting an intake, saving a step, submitting.

Every service is keyword-only and atomic. Saving a step stores what the patient posted as a
draft *before* anything else, valid or not, so that nothing typed is lost; only a valid page
is written to the intake's columns and rows. Audit summaries never carry health values.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from clinic.audit import audit_record
from clinic.models import AuditAction, User
from intake import step_sql
from intake import steps as intake_steps
from intake.forms import DRAFT_REVISION_FIELD, NUL_MESSAGE, StepForm
from intake.models import (
    ConsentVersion,
    Intake,
    IntakeStatus,
    Patient,
    StepDraft,
)
from intake.screening_seam import screening
from intake.selectors import SafetyNotice, safety_notice_from_result
from intake.steps import REVIEW, Step

logger = logging.getLogger(__name__)

# What a draft keeps of a post: not the CSRF token, and no value longer than this (the
# longest answer allowed is 4000 characters; anything longer is refused by the form anyway).
# The revision a step page was built from (a hidden input; see ``intake_save_draft``) is not
# an answer either.
IGNORED_KEYS = frozenset({"csrfmiddlewaretoken", DRAFT_REVISION_FIELD})
MAX_DRAFT_VALUE = 10_000
ACTION_NEXT = "next"
ACTION_BACK = "back"
ACTION_ADD_ROW = "add-row"
ACTION_REMOVE_ROW = "remove-row-"
# Leaving the page from a step's own controls (no JavaScript needed): the section links are
# buttons of the step form (``go-<step key>``) and so is the menu's "Sign out" on a step page.
# The page is saved first, valid or not, and the patient goes where they asked.
ACTION_GO = "go-"
ACTION_SIGN_OUT = "sign-out"
MAX_ROWS = 30


class IntakeNotEditable(Exception):
    """The intake (or this step of it) can no longer be changed by the patient. ``status`` is
    the intake's status as read under its row lock (the page says why it is closed)."""

    def __init__(self, step: str, status: str = "") -> None:
        super().__init__(step)
        self.status = status


class StaleDraft(Exception):
    """A background save based on an older revision of the step's draft than the stored one:
    newer answers (a Save of the page, another tab) are already there, and are kept."""

    def __init__(self, current: int) -> None:
        super().__init__(current)
        self.current = current


@dataclass
class StepSaveResult:
    valid: bool
    form: StepForm
    formset: forms.BaseFormSet | None
    next_step: str
    # The notice after the safety check; None for a step that runs none (the page reads it).
    safety: SafetyNotice | None
    messages: list[str] = field(default_factory=list)
    # The id on the page to open at ("row-3"), after a row was added or removed; "" for the top.
    anchor: str = ""
    # The revision this save gave the step's draft (the page shown again is built from it).
    revision: int = 0
    # The patient asked to leave the page (a section link, "Sign out"): they go even when the
    # page has errors; its draft keeps what they typed, errors and all, for when they return.
    leave: bool = False
    sign_out: bool = False
    # The intake as saved (read under its row lock).
    intake: Intake | None = None


# --- Patients and intakes -------------------------------------------------------------


@transaction.atomic
def patient_get_or_create(*, user: User) -> Patient:
    """The patient record of a patient account (made on first use)."""
    patient, created = Patient.objects.get_or_create(user=user)
    if created:
        audit_record(actor=user, action=AuditAction.CREATE, target=patient, summary="Patient record created")
    return patient


@transaction.atomic
def intake_start(*, patient: Patient) -> Intake:
    """The patient's intake in progress, or a new one when there is none.

    The patient row is locked so that two tabs opening the intake at once make one draft
    (the database also allows only one draft per patient).
    """
    Patient.objects.select_for_update().get(pk=patient.pk)
    existing = Intake.objects.filter(patient=patient, status=IntakeStatus.DRAFT).first()
    if existing is not None:
        return existing
    intake = Intake(patient=patient, current_step=intake_steps.STEP_KEYS[0])
    intake.full_clean()
    intake.save()
    audit_record(actor=patient.user, action=AuditAction.CREATE, target=intake, summary="Intake started")
    return intake


def step_is_editable(intake: Intake, step_key: str) -> bool:
    """A draft is editable throughout; a reopened intake only on the steps the clinician reopened."""
    if intake.status == IntakeStatus.DRAFT:
        return True
    if intake.status == IntakeStatus.REOPENED:
        return step_key == REVIEW or step_key in intake.reopened_steps
    return False


# --- Drafts ---------------------------------------------------------------------------------


def draft_data_from_post(data: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """What the patient posted, ready to store as JSON: NUL bytes removed (PostgreSQL's
    jsonb cannot hold them), over-long values cut. Returns the data and the keys that had a
    NUL byte, so that the page can say what happened."""
    stored: dict[str, Any] = {}
    nul_keys: set[str] = set()
    for key in data:
        if key in IGNORED_KEYS or "\x00" in key:
            continue
        values = data.getlist(key) if isinstance(data, QueryDict) else [data[key]]
        cleaned = []
        for value in values if isinstance(values, list) else [values]:
            value = "" if value is None else str(value)
            if "\x00" in value:
                nul_keys.add(key)
                value = value.replace("\x00", "")
            cleaned.append(value[:MAX_DRAFT_VALUE])
        stored[key] = cleaned[0] if len(cleaned) == 1 else cleaned
    return stored, nul_keys


def as_querydict(data: Mapping[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


def _total_forms(data: dict[str, Any], prefix: str) -> int:
    try:
        return max(0, min(int(str(data.get(f"{prefix}-TOTAL_FORMS", 0))), MAX_ROWS))
    except ValueError:
        return 0


def _row_key(key: str) -> tuple[int, str] | None:
    """(row number, field name) of a formset key such as ``meds-2-dose``, else None."""
    parts = key.split("-", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2]:
        return None
    return int(parts[1]), parts[2]


def _apply_row_action(step: Step, data: dict[str, Any], action: str) -> dict[str, Any]:
    """Add a blank row, or remove one row and renumber the rest (no JavaScript needed)."""
    prefix = step.form_class.formset_prefix
    if not isinstance(step, intake_steps.RowsStep) or not prefix:
        return data
    total = _total_forms(data, prefix)
    data.setdefault(f"{prefix}-INITIAL_FORMS", "0")
    if action == ACTION_ADD_ROW:
        data[f"{prefix}-TOTAL_FORMS"] = str(min(total + 1, MAX_ROWS))
    elif action.startswith(ACTION_REMOVE_ROW):
        try:
            index = int(action.removeprefix(ACTION_REMOVE_ROW))
        except ValueError:
            return data
        if not 0 <= index < total:
            return data
        row_keys = {key for key in data if key.startswith(f"{prefix}-") and _row_key(key) is not None}
        rows = {key: data.pop(key) for key in row_keys}
        for key, value in rows.items():
            position, name = _row_key(key)  # type: ignore[misc]
            if position == index:
                continue
            data[f"{prefix}-{position - 1 if position > index else position}-{name}"] = value
        data[f"{prefix}-TOTAL_FORMS"] = str(total - 1)
    return data


def _row_anchor(before: int, after: int, action: str) -> str:
    """Where the page opens after "Add" or "Remove" (rows numbered from 1): the new row; the
    row now in the removed one's place, or the last; the list itself once it is empty."""
    if action == ACTION_ADD_ROW and after:
        return f"row-{after}"
    if action.startswith(ACTION_REMOVE_ROW) and after < before:
        removed = int(action.removeprefix(ACTION_REMOVE_ROW))
        return f"row-{min(removed + 1, after)}" if after else "rows"
    return ""


def bind_step_forms(
    step: Step, intake: Intake, data: Mapping[str, Any] | None
) -> tuple[StepForm, forms.BaseFormSet | None]:
    """The step's form (and rows), bound to ``data`` or showing the stored answers."""
    return step.bind(intake, None if data is None else as_querydict(data))


def _attach_nul_errors(form: StepForm, formset: forms.BaseFormSet | None, nul_keys: set[str]) -> None:
    if not nul_keys:
        return
    error = forms.ValidationError(NUL_MESSAGE, code="null_characters_not_allowed")
    for candidate in [form, *(formset.forms if formset is not None else [])]:
        for name, form_field in list(candidate.fields.items()):
            key = candidate.add_prefix(name)
            # A field of several boxes (a date's day, month and year) posts one key per box.
            suffixes = getattr(form_field.widget, "widgets_names", None) or [""]
            if any(key + suffix in nul_keys for suffix in suffixes):
                candidate.add_error(name, error)


def _next_step(intake: Intake, step: Step, action: str) -> str:
    if intake.status == IntakeStatus.REOPENED:
        # Only the reopened steps are open: walk through those, then the review page.
        reopened = [key for key in intake_steps.STEP_KEYS if key in intake.reopened_steps]
        position = reopened.index(step.key) if step.key in reopened else -1
        if action == ACTION_BACK:
            return reopened[position - 1] if position > 0 else step.key
        return reopened[position + 1] if 0 <= position < len(reopened) - 1 else REVIEW
    if action == ACTION_BACK:
        return intake_steps.step_before(intake, step.key)
    return intake_steps.step_after(intake, step.key)


@cache
def _other_columns(names: frozenset[str]) -> frozenset[str]:
    """The intake's columns besides ``names`` (what a step's model check leaves out)."""
    return frozenset(f.name for f in Intake._meta.concrete_fields) - names


def _model_errors(intake: Intake, step: Step, values: dict[str, Any]) -> dict[str, list[str]]:
    """The model's own field checks of the step's new values, with no query: the forms guard
    every column, so an error here means a form and the model disagree. Constraints are not
    re-validated in Python (``validate_constraints=False``): the database enforces them."""
    before = {name: getattr(intake, name) for name in values}
    for name, value in values.items():
        setattr(intake, name, value)
    try:
        intake.full_clean(exclude=_other_columns(frozenset(values)), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, value in before.items():
            setattr(intake, name, value)
        return error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    return {}


def intake_write_answers(
    *,
    intake: Intake,
    step: Step,
    values: dict[str, Any],
    rows: list[Any] | None,
    current_step: str,
    draft: StepDraft,
) -> None:
    """Write a step's draft and clean answers: its rows (replaced), then the draft and one
    UPDATE of the intake's own columns (one round trip on PostgreSQL).

    ``values`` are already set on ``intake`` and field-checked (an invalid page brings only
    its safety answers); ``rows`` are unsaved row objects, or None to leave the rows alone.
    The caller holds the intake's row lock (the same UPDATE stores ``draft_revision``, which
    the draft took).
    """
    if rows is not None:
        model = step.row_model  # type: ignore[attr-defined]
        model.objects.filter(intake=intake).delete()
        model.objects.bulk_create(rows)
    intake.current_step = current_step
    step_sql.save(intake, [*values, "current_step", "draft_revision", "updated_at"], draft=draft)


@dataclass
class _CheckedPage:
    """A bound step page after every check: what it may write, and where the patient goes."""

    form: StepForm
    formset: forms.BaseFormSet | None
    valid: bool
    values: dict[str, Any]
    rows: list[Any] | None
    stay: str | None


def _check_page(intake: Intake, step: Step, query: QueryDict, nul_keys: set[str]) -> _CheckedPage:
    """Bind and validate the page through its step. A valid page writes all its answers; an
    invalid one only its safety answers that passed (a "yes" must reach the safety check)."""
    form, formset = step.bind(intake, query)
    valid = step.validate(form, formset)
    _attach_nul_errors(form, formset, nul_keys)
    valid = valid and not nul_keys
    values = form.column_values() if valid else form.safety_values()
    rows = None
    try:
        rows = step.row_objects(intake, form, formset) if valid else None
        problems = _model_errors(intake, step, values)
    except ValidationError as error:
        problems = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    if problems:
        # A form and the model disagree: keep the draft, show the problem on the page, never a 500.
        logger.error("intake %s step %s: model validation failed on %s", intake.pk, step.key, sorted(problems))
        for name, messages in problems.items():
            form.add_error(name if name in form.fields else None, messages)
        valid, values, rows = False, {}, None
    stay = step.stay_message(form, query) if valid else None
    return _CheckedPage(form, formset, valid, values, rows, stay)


def _leave_to(intake: Intake, step: Step, action: str) -> str | None:
    """Where a "leave the page" action goes: another open step or the review page; None for
    any other action (or a step the patient cannot open)."""
    if action == ACTION_SIGN_OUT:
        return step.key
    if not action.startswith(ACTION_GO):
        return None
    target = action.removeprefix(ACTION_GO)
    if target == REVIEW or (target in intake_steps.STEP_BY_KEY and step_is_editable(intake, target)):
        return target
    return None


def _destination(intake: Intake, step: Step, page: _CheckedPage, action: str) -> str:
    leave_to = _leave_to(intake, step, action)
    if leave_to is not None:
        return leave_to
    if not page.valid or page.stay or action == ACTION_ADD_ROW or action.startswith(ACTION_REMOVE_ROW):
        return step.key
    return _next_step(intake, step, action)


@transaction.atomic
def intake_save_step(*, intake: Intake, step: Step, data: Mapping[str, Any]) -> StepSaveResult:
    """Save one step's post: the draft always, the answers when the page is valid.

    Then, on the steps that feed an urgent rule, the safety rules run on the answers so far
    (``draft_safety_check``): an urgent answer alerts the clinic at once, even if the patient
    never submits. The result says where to go next, what to tell the patient, and (after a
    safety check) whether the patient must see crisis resources.
    """
    # The row lock orders this save against a submit of the same intake in another tab.
    return _save_step(Intake.objects.select_for_update().get(pk=intake.pk), step, data)


@transaction.atomic
def patient_save_step(*, user: User, intake_id: int, step: Step, data: Mapping[str, Any]) -> StepSaveResult:
    """``intake_save_step`` for a patient's post of a step of their own intake: the access
    check and the row lock are one read (issue 13: a step post's time). Raises
    ``Intake.DoesNotExist`` for an intake that is not this patient's, and
    ``IntakeNotEditable`` (with the intake's status) for a step they can no longer change."""
    # Only the intake's row is locked (the join to its patient is the access check), and
    # only the columns the save reads are read, by a statement written once (issue 13).
    intake = step_sql.locked_patient_intake(user_id=user.pk, intake_id=intake_id, columns=_columns_a_save_reads(step))
    return _save_step(intake, step, data)


# What a save of any step reads of the intake besides the step's own answers: whether the
# step is open, where the patient goes next, and the draft revision it takes.
_SAVE_READS: Final = ("patient", "status", "reopened_steps", "current_step", "draft_revision")


def _columns_a_save_reads(step: Step) -> tuple[str, ...] | None:
    """The intake columns a save of ``step`` reads; None for every column (a step whose save
    runs the safety check screens the whole intake)."""
    if step.safety_check:
        return None
    return (*step.form_class.columns, *_SAVE_READS)


def _save_step(intake: Intake, step: Step, data: Mapping[str, Any]) -> StepSaveResult:
    """The save of a step, on an intake read under its row lock (in the caller's transaction)."""
    if not step_is_editable(intake, step.key):
        raise IntakeNotEditable(step.key, intake.status)
    action = str(data.get("action") or ACTION_NEXT)
    stored, nul_keys = draft_data_from_post(data)
    stored.pop("action", None)
    prefix = step.form_class.formset_prefix
    rows_before = _total_forms(stored, prefix) if prefix else 0
    stored = _apply_row_action(step, stored, action)
    anchor = _row_anchor(rows_before, _total_forms(stored, prefix), action) if prefix else ""

    page = _check_page(intake, step, as_querydict(stored), nul_keys)
    destination = _destination(intake, step, page, action)
    # A Save of the page always wins, and takes a new revision: a background save still on
    # its way from the page (based on an older revision) is refused when it lands.
    revision = _take_revision(intake)
    intake_write_answers(
        intake=intake,
        step=step,
        values=page.values,
        rows=page.rows,
        current_step=destination,
        draft=_draft(intake=intake, step=step, data=stored, valid=page.valid, revision=revision),
    )
    safety = None
    if step.safety_check:
        safety = safety_notice_from_result(intake, screening().draft_safety_check(intake=intake))
    return StepSaveResult(
        valid=page.valid,
        form=page.form,
        formset=page.formset,
        next_step=destination,
        safety=safety,
        messages=[page.stay] if page.stay else [],
        anchor=anchor if destination == step.key else "",
        revision=revision,
        leave=_leave_to(intake, step, action) is not None,
        sign_out=action == ACTION_SIGN_OUT,
        intake=intake,
    )


def _take_revision(intake: Intake) -> int:
    """The next draft revision of a locked intake (stored with the intake's next UPDATE)."""
    intake.draft_revision += 1
    return intake.draft_revision


def _draft(*, intake: Intake, step: Step, data: dict[str, Any], valid: bool, revision: int) -> StepDraft:
    # The draft is written once per save, valid or not, so that nothing typed is lost (one
    # INSERT ... ON CONFLICT UPDATE on the one-draft-per-step constraint, step_sql.save).
    return StepDraft(intake=intake, step=step.key, data=data, is_valid=valid, revision=revision)


@transaction.atomic
def intake_save_draft(
    *, intake: Intake, step: Step, data: Mapping[str, Any], actor: User, how: str, based_on: int | None
) -> int:
    """Keep what the patient has typed on a step so far, as typed, without checking it or
    moving on: the background save as the patient goes, and the answers carried through a
    sign-in after the session ended (``how`` says which, for the audit line). Returns the
    draft's new revision.

    ``based_on`` is the revision of the draft the page was built from (or last saved in the
    background): when the stored draft is newer (the page was saved meanwhile, or changed in
    another tab), nothing is written and ``StaleDraft`` is raised, so a background save that
    arrives late never overwrites newer answers. ``None`` (the answers carried through a
    sign-in, which the patient asked to keep by pressing a button) always writes, like a Save.

    The intake's answers (its columns and rows) are left alone: they change only when the
    page is saved and valid (``intake_save_step``), which also runs the safety check. The
    draft is marked unchecked; the step page shows it, errors and all, when the patient
    comes back. Locked like a step save (the compare and the write happen under the intake's
    row lock), so it cannot land after a submit of the intake, nor between another save's
    compare and write.
    """
    intake = Intake.objects.select_for_update().get(pk=intake.pk)
    if not step_is_editable(intake, step.key):
        raise IntakeNotEditable(step.key, intake.status)
    if based_on is not None:
        current = StepDraft.objects.filter(intake=intake, step=step.key).values_list("revision", flat=True).first()
        if current is not None and based_on < current:
            raise StaleDraft(current)
    stored, _nul_keys = draft_data_from_post(data)
    stored.pop("action", None)
    revision = _take_revision(intake)
    step_sql.save(
        intake, ["draft_revision"], draft=_draft(intake=intake, step=step, data=stored, valid=False, revision=revision)
    )
    # The audit line names the step and how it was saved, never an answer.
    audit_record(
        actor=actor, action=AuditAction.CHANGE, target=intake, summary=f"Draft of step {step.key} saved ({how})"
    )
    return revision


# --- Submitting -------------------------------------------------------------------------------


@transaction.atomic
def intake_submit(*, intake: Intake, signature: str, consent_version: ConsentVersion) -> Intake:
    """Submit an intake: read-only from now on, then screened, all in one transaction.

    The intake row is locked, so a double click, the back button or a second tab yields one
    submission: a second call finds the intake already submitted and returns it unchanged,
    without a second screening result. A reopened intake (a clinician asked for more
    information) is resubmitted the same way and screened again.
    """
    locked = Intake.objects.select_for_update().select_related("patient__user").get(pk=intake.pk)
    if locked.status == IntakeStatus.SUBMITTED:
        return locked
    now = timezone.now()
    locked.status = IntakeStatus.SUBMITTED
    locked.submitted_at = now
    locked.assessment_date = timezone.localdate(now)
    locked.submission_count += 1
    locked.reopened_steps = []
    locked.current_step = REVIEW
    locked.consent_version = consent_version
    locked.consent_signature = signature
    locked.consented_at = now
    locked.full_clean()
    locked.save()
    resubmission = locked.submission_count > 1
    audit_record(
        actor=locked.patient.user,
        action=AuditAction.SUBMIT,
        target=locked,
        summary=f"Intake {'resubmitted' if resubmission else 'submitted'} (consent v{consent_version.version})",
    )
    screening().submitted(intake=locked, resubmission=resubmission, actor=locked.patient.user)
    return locked


def intake_record_export(*, intake: Intake, actor: User, what: str, request: HttpRequest | None = None) -> None:
    """Write that the patient took a copy of their own intake (the PDF), and when, to the audit trail."""
    audit_record(actor=actor, action=AuditAction.EXPORT, target=intake, summary=f"{what} exported", request=request)
