"""A Save after the session ended, or with a stale CSRF token, never loses the answers: a
friendly page reads them back and carries them, in its POST body only, to a form that saves
them into the draft once the intake's owner is signed in again."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent
from intake.models import StepDraft
from tests.conftest import sign_in_staff
from tests.factories import DEMO_PASSWORD
from tests.intake.conftest import step_url

SECRET = "Walk the dog along the canal at dawn"
TYPED = {"treatment_goals": SECRET, "has_ride_home": "yes", "action": "next"}
CARRIED = {"answer-treatment_goals": SECRET, "answer-has_ride_home": "yes"}


def rescue_url(intake, key="goals"):
    return reverse("intake:rescue", args=[intake.pk, key])


def token_of(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def assert_no_answer_outside_the_body(client, response):
    assert SECRET not in response.get("Location", "")
    assert all(SECRET not in morsel.value for morsel in response.cookies.values())
    assert all(SECRET not in str(value) for value in client.session.values())


# --- The session ended ---------------------------------------------------------------------------


def test_a_save_after_the_session_ended_reads_the_answers_back(client, intake):
    response = client.post(step_url(intake, "goals"), TYPED)
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "Your answers are not saved yet" in body
    assert "<dt>What would you like treatment to help you with?</dt><dd>Walk the dog" in body
    assert f'<input type="hidden" name="answer-treatment_goals" value="{SECRET}">' in body
    assert 'name="answer-action"' not in body
    assert "Sign in and save my answers" in body
    assert not StepDraft.objects.filter(intake=intake).exists()
    assert_no_answer_outside_the_body(client, response)


def test_signing_in_on_the_page_saves_the_answers_and_goes_to_the_step(client, patient, intake):
    response = client.post(rescue_url(intake), {**CARRIED, "username": patient.email, "password": DEMO_PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == step_url(intake, "goals")
    assert StepDraft.objects.get(intake=intake, step="goals").data == {
        "treatment_goals": SECRET,
        "has_ride_home": "yes",
    }
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE,
        target_id=str(intake.pk),
        summary="Draft of step goals saved (carried through sign-in)",
    ).exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=patient).exists()
    page = client.get(response["Location"]).content.decode()
    assert f"{SECRET}</textarea>" in page
    assert "Your answers are saved." in page
    assert_no_answer_outside_the_body(client, response)


def test_a_wrong_password_keeps_the_answers_on_the_page_and_saves_nothing(client, patient, intake):
    response = client.post(rescue_url(intake), {**CARRIED, "username": patient.email, "password": "wrong"})
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Please enter a correct" in body
    assert f'name="answer-treatment_goals" value="{SECRET}"' in body
    assert not StepDraft.objects.filter(intake=intake).exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("who", ["other_patient", "clinician"])
def test_signing_in_with_another_account_keeps_nothing_and_signs_no_one_in(request, client, who, intake):
    user = request.getfixturevalue(who)
    response = client.post(rescue_url(intake), {**CARRIED, "username": user.email, "password": DEMO_PASSWORD})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Nothing was saved" in response.content.decode()
    assert SECRET not in response.content.decode()
    assert not StepDraft.objects.filter(intake=intake).exists()
    assert "_auth_user_id" not in client.session


def test_a_signed_in_patient_cannot_write_into_someone_elses_intake(patient_client, other_intake):
    response = patient_client.post(rescue_url(other_intake), CARRIED)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not StepDraft.objects.filter(intake=other_intake).exists()


@pytest.mark.parametrize("staff", ["clinician_client", "admin_client_"])
def test_staff_get_nothing_saved(request, staff, intake):
    client = request.getfixturevalue(staff)
    response = client.post(rescue_url(intake), CARRIED)
    assert response.status_code == HTTPStatus.NOT_FOUND
    page = client.post(step_url(intake, "goals"), TYPED)
    assert page.status_code == HTTPStatus.NOT_FOUND
    assert not StepDraft.objects.filter(intake=intake).exists()


# --- A stale CSRF token ----------------------------------------------------------------------------


@pytest.fixture
def strict_client(patient) -> Client:
    """Alice's browser with CSRF checks on, as a real browser has them."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    return client


def test_a_stale_token_gets_the_answers_back_and_one_save_button(strict_client, intake):
    strict_client.get(step_url(intake, "goals"))  # the CSRF cookie
    response = strict_client.post(
        step_url(intake, "goals"), {**TYPED, "csrfmiddlewaretoken": "x" * 64}, headers={"Origin": "http://testserver"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "signed in again in another window" in body
    assert "<dd>Walk the dog along the canal at dawn</dd>" in body
    assert "Save my answers" in body and 'name="password"' not in body
    assert not StepDraft.objects.filter(intake=intake).exists()
    # The page's form carries a fresh token: one press saves.
    saved = strict_client.post(
        rescue_url(intake),
        {**CARRIED, "csrfmiddlewaretoken": token_of(response)},
        headers={"Origin": "http://testserver"},
    )
    assert saved.status_code == HTTPStatus.FOUND
    assert saved["Location"] == step_url(intake, "goals")
    assert StepDraft.objects.get(intake=intake, step="goals").data["treatment_goals"] == SECRET


def test_a_post_from_another_site_gets_no_answers_back(strict_client, intake):
    strict_client.get(step_url(intake, "goals"))
    for headers in ({"Origin": "https://evil.example"}, {}):
        response = strict_client.post(step_url(intake, "goals"), TYPED, headers=headers)
        assert response.status_code == HTTPStatus.FORBIDDEN
        body = response.content.decode()
        assert "This page was open for too long" in body
        assert SECRET not in body
        assert "answer-" not in body


def test_the_save_form_needs_a_fresh_valid_token(strict_client, intake):
    response = strict_client.post(rescue_url(intake), CARRIED, headers={"Origin": "http://testserver"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert SECRET not in response.content.decode()
    assert not StepDraft.objects.filter(intake=intake).exists()


def test_any_other_csrf_failure_is_a_friendly_page(strict_client):
    response = strict_client.post(reverse("logout"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    body = response.content.decode()
    assert "This page was open for too long" in body
    assert "CSRF verification failed" not in body


def test_no_answer_reaches_the_logs(client, strict_client, patient, intake, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(step_url(intake, "goals"), TYPED)
    client.post(rescue_url(intake), {**CARRIED, "username": patient.email, "password": "wrong"})
    strict_client.get(step_url(intake, "goals"))
    strict_client.post(step_url(intake, "goals"), TYPED, headers={"Origin": "http://testserver"})
    client.post(rescue_url(intake), {**CARRIED, "username": patient.email, "password": DEMO_PASSWORD})
    assert StepDraft.objects.filter(intake=intake).exists()
    assert SECRET not in caplog.text


def test_staff_with_a_stale_token_get_no_answers_back_and_nothing_saved(clinician, intake):
    client = sign_in_staff(Client(enforce_csrf_checks=True), clinician)
    client.get(reverse("review:queue"))  # the CSRF cookie
    response = client.post(step_url(intake, "goals"), TYPED, headers={"Origin": "http://testserver"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    body = response.content.decode()
    assert "Nothing was saved" in body
    assert SECRET not in body and "answer-" not in body
    assert not StepDraft.objects.filter(intake=intake).exists()
