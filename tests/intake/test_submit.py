"""Submitting: one atomic step that makes the intake read-only and screens it, once."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent
from intake.date_input import date_post
from intake.models import ConsentVersion, IntakeStatus, StepDraft
from intake.services import intake_submit
from screening.models import Case, ScreeningResult, ScreeningTrigger
from tests.answers import BASE_FACTS, form_posts_from_facts
from tests.intake.conftest import post_step, step_url

SIGNED = {"consent_version": "2026.1", "agree": "on", "signature": "Alice Patient"}


def submit_url(intake):
    return reverse("intake:submit", args=[intake.pk])


@pytest.fixture
def filled(patient_client, intake):
    for key, data in form_posts_from_facts(BASE_FACTS).items():
        post_step(patient_client, intake, key, data)
    return intake


def test_it_submits_screens_and_shows_the_confirmation(patient_client, filled):
    response = patient_client.post(submit_url(filled), SIGNED)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("intake:confirmation", args=[filled.pk])
    filled.refresh_from_db()
    assert filled.status == IntakeStatus.SUBMITTED
    assert filled.submitted_at is not None
    assert filled.assessment_date is not None
    assert filled.submission_count == 1
    assert filled.consent_version == ConsentVersion.objects.get(version="2026.1")
    assert filled.consent_signature == "Alice Patient"
    result = ScreeningResult.objects.get(intake=filled)
    assert result.trigger == ScreeningTrigger.SUBMIT
    assert result.ruleset == "2026.1"
    assert result.facts["assessment_date"] == filled.assessment_date.isoformat()
    assert Case.objects.get(intake=filled).latest_result == result


def test_the_confirmation_says_what_happens_next_without_the_outcome(patient_client, filled):
    patient_client.post(submit_url(filled), SIGNED)
    body = patient_client.get(reverse("intake:confirmation", args=[filled.pk])).content.decode()
    assert "What happens next" in body
    assert "INCOMPLETE" not in body and "NO_FLAGS_RAISED" not in body and "BP-07" not in body
    assert "flag" not in body.lower()


def test_submitting_twice_makes_one_submission(patient_client, filled):
    first = patient_client.post(submit_url(filled), SIGNED)
    second = patient_client.post(submit_url(filled), SIGNED)
    assert first["Location"] == second["Location"] == reverse("intake:confirmation", args=[filled.pk])
    assert ScreeningResult.objects.filter(intake=filled).count() == 1
    filled.refresh_from_db()
    assert filled.submission_count == 1
    assert AuditEvent.objects.filter(action=AuditAction.SUBMIT, target_id=str(filled.pk)).count() == 1


def test_the_service_returns_an_already_submitted_intake_unchanged(filled):
    consent = ConsentVersion.objects.get(version="2026.1")
    first = intake_submit(intake=filled, signature="Alice Patient", consent_version=consent)
    submitted_at = first.submitted_at
    again = intake_submit(intake=filled, signature="Someone Else", consent_version=consent)
    assert again.submitted_at == submitted_at
    assert again.consent_signature == "Alice Patient"
    assert ScreeningResult.objects.filter(intake=filled).count() == 1


def test_a_submitted_intake_is_read_only(patient_client, filled):
    patient_client.post(submit_url(filled), SIGNED)
    before = StepDraft.objects.get(intake=filled, step="about").data

    response = post_step(patient_client, filled, "about", date_post("date_of_birth", "1990-01-01"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("intake:detail", args=[filled.pk])
    filled.refresh_from_db()
    assert filled.date_of_birth.isoformat() == "1984-03-15"
    assert StepDraft.objects.get(intake=filled, step="about").data == before
    # Opening a step, or the review page, goes to the read-only answers.
    assert patient_client.get(step_url(filled, "about"))["Location"] == reverse("intake:detail", args=[filled.pk])
    assert patient_client.get(reverse("intake:review", args=[filled.pk]))["Location"] == reverse(
        "intake:detail", args=[filled.pk]
    )


def test_a_wrong_signature_shows_the_review_page_with_the_error(patient_client, filled):
    response = patient_client.post(submit_url(filled), {**SIGNED, "signature": "Bob"})
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Type your full name exactly as it is on your account" in body
    assert 'id="error-summary"' in body
    filled.refresh_from_db()
    assert filled.status == IntakeStatus.DRAFT
    assert not ScreeningResult.objects.filter(intake=filled).exists()


def test_submit_without_the_tick_is_refused(patient_client, filled):
    response = patient_client.post(submit_url(filled), {**SIGNED, "agree": ""})
    assert response.status_code == HTTPStatus.OK
    filled.refresh_from_db()
    assert filled.status == IntakeStatus.DRAFT


def test_a_consent_text_changed_meanwhile_must_be_read_again(patient_client, filled):
    ConsentVersion.objects.update(is_current=False)
    ConsentVersion.objects.create(version="2026.2", title="Consent", text="New text.", is_current=True)
    response = patient_client.post(submit_url(filled), SIGNED)
    assert response.status_code == HTTPStatus.OK
    assert "The consent text has changed" in response.content.decode()
    assert "New text." in response.content.decode()


def test_submit_is_post_only(patient_client, filled):
    assert patient_client.get(submit_url(filled)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_an_intake_with_unanswered_questions_can_be_sent_and_is_screened_incomplete(patient_client, intake):
    response = patient_client.post(submit_url(intake), SIGNED)
    assert response.status_code == HTTPStatus.FOUND
    result = ScreeningResult.objects.get(intake=intake)
    # Nothing answered: the safety answers are missing, so safety review comes first.
    assert result.overall == "SAFETY_REVIEW"


def test_submission_is_audited_without_health_values(patient_client, filled, patient):
    patient_client.post(submit_url(filled), SIGNED)
    event = AuditEvent.objects.get(action=AuditAction.SUBMIT, target_id=str(filled.pk))
    assert event.actor == patient
    assert event.summary == "Intake submitted (consent v2026.1)"


def test_a_reopened_intake_edits_only_the_reopened_steps_and_is_resubmitted(patient_client, filled):
    patient_client.post(submit_url(filled), SIGNED)
    filled.refresh_from_db()
    # What a clinician's request for more information does (screening.services.case_request_info).
    filled.status = IntakeStatus.REOPENED
    filled.reopened_steps = ["heart"]
    filled.save()

    refused = post_step(patient_client, filled, "about", date_post("date_of_birth", "1990-01-01"))
    assert refused["Location"] == reverse("intake:detail", args=[filled.pk])
    response = post_step(
        patient_client,
        filled,
        "heart",
        {**form_posts_from_facts(BASE_FACTS)["heart"], "bp_systolic": "150", "bp_diastolic": "95"},
    )
    assert response["Location"] == reverse("intake:review", args=[filled.pk])
    filled.refresh_from_db()
    assert filled.bp_systolic == 150
    assert filled.date_of_birth.isoformat() == "1984-03-15"

    review = patient_client.get(reverse("intake:review", args=[filled.pk])).content.decode()
    assert review.count(">Change<span") == 1

    patient_client.post(submit_url(filled), SIGNED)
    filled.refresh_from_db()
    assert filled.status == IntakeStatus.SUBMITTED
    assert filled.submission_count == 2
    assert filled.reopened_steps == []
    triggers = list(ScreeningResult.objects.filter(intake=filled).order_by("id").values_list("trigger", flat=True))
    assert triggers == [ScreeningTrigger.SUBMIT, ScreeningTrigger.RESUBMIT]
