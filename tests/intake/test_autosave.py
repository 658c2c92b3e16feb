"""Saving as the patient goes: the background save of a step's answers, "Stay signed in", and
the step page's own ways out (section links, Sign out) that save the page first."""

from __future__ import annotations

import logging
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditAction, AuditEvent, Session
from intake.models import StepDraft
from intake.services import patient_get_or_create
from tests.factories import SubmittedIntakeFactory
from tests.intake.conftest import post_step, step_url

SECRET = "Walk the dog along the canal at dawn"


def autosave_url(intake, key="goals"):
    return reverse("intake:autosave", args=[intake.pk, key])


def test_it_keeps_the_answers_as_typed_without_checking_them_or_moving_on(patient_client, intake):
    response = patient_client.post(
        autosave_url(intake),
        {"draft_revision": "0", "treatment_goals": SECRET, "has_ride_home": "bogus", "action": "next"},
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"saved": True, "revision": 1}
    assert "no-store" in response["Cache-Control"]
    draft = StepDraft.objects.get(intake=intake, step="goals")
    assert draft.data == {"treatment_goals": SECRET, "has_ride_home": "bogus"}
    assert draft.is_valid is False
    intake.refresh_from_db()
    assert intake.treatment_goals == ""  # the answers themselves change only on Save
    assert intake.current_step == "about"


def test_the_page_shows_the_saved_draft_when_reloaded(patient_client, intake):
    patient_client.post(autosave_url(intake, "phq9"), {"draft_revision": "0", "phq9_1": "2", "phq9_9": "0"})
    body = patient_client.get(step_url(intake, "phq9")).content.decode()
    assert 'name="phq9_1" id="id_phq9_1_2" value="2" checked' in body
    assert 'name="phq9_9" id="id_phq9_9_0" value="0" checked' in body


def test_it_is_audited_without_any_answer(patient_client, patient, intake):
    patient_client.post(autosave_url(intake), {"draft_revision": "0", "treatment_goals": SECRET})
    [event] = AuditEvent.objects.filter(action=AuditAction.CHANGE, target_id=str(intake.pk))
    assert event.actor == patient
    assert event.summary == "Draft of step goals saved (saved as typed)"
    assert SECRET not in str(event.changes)


def test_another_patients_intake_is_404_and_nothing_is_kept(patient_client, other_intake):
    response = patient_client.post(autosave_url(other_intake), {"draft_revision": "0", "treatment_goals": SECRET})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not StepDraft.objects.filter(intake=other_intake).exists()


@pytest.mark.parametrize("staff", ["clinician_client", "admin_client_"])
def test_staff_cannot_write_a_patients_draft(request, staff, intake):
    client = request.getfixturevalue(staff)
    response = client.post(autosave_url(intake), {"draft_revision": "0", "treatment_goals": SECRET})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not StepDraft.objects.filter(intake=intake).exists()


def test_a_signed_out_browser_is_told_so_and_nothing_is_kept(client, intake):
    response = client.post(autosave_url(intake), {"draft_revision": "0", "treatment_goals": SECRET})
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["saved"] is False
    assert "no-store" in response["Cache-Control"]
    assert not StepDraft.objects.filter(intake=intake).exists()


def test_a_sent_intake_is_not_changed(patient_client, patient):
    intake = SubmittedIntakeFactory(patient=patient_get_or_create(user=patient))
    response = patient_client.post(autosave_url(intake), {"draft_revision": "0", "treatment_goals": SECRET})
    assert response.status_code == HTTPStatus.CONFLICT
    assert not StepDraft.objects.filter(intake=intake).exists()


def test_an_unknown_step_is_404_and_a_get_is_refused(patient_client, intake):
    assert (
        patient_client.post(autosave_url(intake, "nope"), {"draft_revision": "0"}).status_code == HTTPStatus.NOT_FOUND
    )
    assert patient_client.get(autosave_url(intake)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_no_answer_reaches_the_logs(patient_client, intake, caplog):
    caplog.set_level(logging.DEBUG)
    patient_client.post(
        autosave_url(intake), {"draft_revision": "0", "treatment_goals": SECRET, "has_ride_home": "bogus"}
    )
    patient_client.post(autosave_url(intake, "nope"), {"draft_revision": "0", "treatment_goals": SECRET})
    post_step(patient_client, intake, "goals", {"treatment_goals": SECRET}, action="sign-out")
    assert SECRET not in caplog.text


def test_stay_signed_in_renews_the_session(patient_client):
    session = Session.objects.get(session_key=patient_client.session.session_key)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(seconds=30))
    response = patient_client.post(reverse("intake:stay_signed_in"))
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"signed_in": True, "seconds": settings.SESSION_COOKIE_AGE}
    assert "no-store" in response["Cache-Control"]
    renewed = Session.objects.get(session_key=patient_client.session.session_key).expire_date
    assert renewed > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_stay_signed_in_is_for_patients_signed_in(client, clinician_client):
    assert clinician_client.post(reverse("intake:stay_signed_in")).status_code == HTTPStatus.NOT_FOUND
    clinician_client.logout()
    assert client.post(reverse("intake:stay_signed_in")).status_code == HTTPStatus.UNAUTHORIZED


# --- The step page's own ways out ----------------------------------------------------------------


def test_a_section_link_saves_the_page_then_goes_there_even_with_errors(patient_client, intake):
    response = post_step(
        patient_client, intake, "goals", {"treatment_goals": SECRET, "has_ride_home": "bogus"}, "go-phq9"
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == step_url(intake, "phq9")
    draft = StepDraft.objects.get(intake=intake, step="goals")
    assert draft.data == {"treatment_goals": SECRET, "has_ride_home": "bogus"}


def test_a_section_link_to_the_review_page_saves_a_valid_page(patient_client, intake):
    response = post_step(
        patient_client, intake, "goals", {"treatment_goals": SECRET, "has_ride_home": "yes"}, "go-review"
    )
    assert response["Location"] == reverse("intake:review", args=[intake.pk])
    intake.refresh_from_db()
    assert intake.treatment_goals == SECRET


def test_an_unknown_section_is_an_ordinary_save(patient_client, intake):
    response = post_step(
        patient_client, intake, "goals", {"treatment_goals": SECRET, "has_ride_home": "yes"}, "go-nope"
    )
    # An unknown section is an ordinary save: valid, so on to the next step.
    assert response["Location"] == reverse("intake:review", args=[intake.pk])
    assert StepDraft.objects.get(intake=intake, step="goals").data["treatment_goals"] == SECRET


def test_sign_out_on_a_step_page_saves_the_page_then_signs_out(patient_client, intake):
    answers = {f"phq9_{n}": "1" for n in range(1, 6)}
    response = post_step(patient_client, intake, "phq9", answers, action="sign-out")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse(settings.LOGOUT_REDIRECT_URL)
    assert StepDraft.objects.get(intake=intake, step="phq9").data == answers
    assert "_auth_user_id" not in patient_client.session
    assert patient_client.get(step_url(intake, "phq9")).status_code == HTTPStatus.FOUND


def test_the_step_page_offers_its_ways_out_as_buttons_of_the_form(patient_client, intake):
    body = patient_client.get(step_url(intake, "goals")).content.decode()
    assert 'form="step-form" name="action" value="sign-out"' in body
    assert 'form="step-form" name="action" value="go-phq9"' in body
    # Enter in a field still saves and continues: the first submit button of the page is that one.
    first = body.index('form="step-form" name="action" value=')
    assert body[first:].startswith('form="step-form" name="action" value="next"')
    assert reverse("intake:autosave", args=[intake.pk, "goals"]) in body
    # The idle warning counts down from the session row's expiry (renewed at most once a minute).
    seconds = int(body.split('data-session-seconds="', 1)[1].split('"', 1)[0])
    assert settings.SESSION_COOKIE_AGE - settings.SESSION_RENEW_SECONDS <= seconds <= settings.SESSION_COOKIE_AGE
