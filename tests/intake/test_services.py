"""intake/services.py: start, save a step, submit."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from clinic.models import AuditAction, AuditEvent
from intake.date_input import date_post
from intake.models import Intake, IntakeStatus, StepDraft
from intake.services import (
    IntakeNotEditable,
    draft_data_from_post,
    intake_save_step,
    intake_start,
    patient_get_or_create,
)
from intake.steps import STEP_BY_KEY


def test_starting_twice_gives_the_same_draft(patient):
    record = patient_get_or_create(user=patient)
    first = intake_start(patient=record)
    assert intake_start(patient=record) == first
    assert Intake.objects.filter(patient=record).count() == 1
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_type="intake.intake")
    assert event.summary == "Intake started"
    assert event.actor == patient


def test_saving_stores_the_draft_first_even_when_invalid(intake):
    typed = date_post("date_of_birth", "2999-01-01")
    result = intake_save_step(intake=intake, step=STEP_BY_KEY["about"], data=typed)
    assert not result.valid
    assert result.next_step == "about"
    draft = StepDraft.objects.get(intake=intake, step="about")
    assert draft.data == typed
    assert not draft.is_valid


def test_a_valid_save_updates_the_current_step(intake):
    result = intake_save_step(intake=intake, step=STEP_BY_KEY["medical"], data={"glaucoma": "no"})
    assert result.valid
    assert result.next_step == "mental_health"
    intake.refresh_from_db()
    assert intake.current_step == "mental_health"
    assert intake.glaucoma == "no"


def test_the_draft_keeps_the_post_without_its_csrf_token_and_nul_bytes():
    post = QueryDict(mutable=True)
    post.update({"csrfmiddlewaretoken": "secret", "phone": "555\x00 0100", "x\x00": "y"})
    post.setlist("shown", ["q3_q5", "q6_timing"])
    stored, nul_keys = draft_data_from_post(post)
    assert stored == {"phone": "555 0100", "shown": ["q3_q5", "q6_timing"]}
    assert nul_keys == {"phone"}


def test_a_huge_value_is_cut_in_the_draft():
    stored, _ = draft_data_from_post({"treatment_goals": "a" * 50_000})
    assert len(stored["treatment_goals"]) == 10_000


def test_a_submitted_intake_cannot_be_saved(intake):
    Intake.objects.filter(pk=intake.pk).update(status=IntakeStatus.SUBMITTED, submitted_at="2026-11-20T12:00Z")
    with pytest.raises(IntakeNotEditable):
        intake_save_step(intake=intake, step=STEP_BY_KEY["about"], data={"phone": "555 010 0199"})
    assert not StepDraft.objects.filter(intake=intake).exists()


def test_a_reopened_intake_can_be_saved_only_on_its_reopened_steps(intake):
    Intake.objects.filter(pk=intake.pk).update(
        status=IntakeStatus.REOPENED, submitted_at="2026-11-20T12:00Z", reopened_steps=["goals"]
    )
    with pytest.raises(IntakeNotEditable):
        intake_save_step(intake=intake, step=STEP_BY_KEY["about"], data={})
    result = intake_save_step(intake=intake, step=STEP_BY_KEY["goals"], data={"has_ride_home": "no"})
    assert result.valid
    assert result.next_step == "review"


def test_the_result_says_when_crisis_resources_are_needed(intake):
    result = intake_save_step(intake=intake, step=STEP_BY_KEY["phq9"], data={"phq9_9": "1"})
    assert result.safety.crisis
    assert result.safety.urgent_safety
    assert not result.safety.urgent_medical
