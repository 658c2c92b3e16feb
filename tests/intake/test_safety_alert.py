"""Safety first: a risky answer on a draft shows crisis resources on the very next page and
alerts the clinic at once, even if the patient never submits (SCREENING_SPEC §1.3, §2)."""

from __future__ import annotations

from http import HTTPStatus

from django.core import mail
from django.urls import reverse

from screening.models import Case, CaseStatus, ScreeningResult
from tests.intake.conftest import post_step, step_url

CRISIS_TEXT = (
    "If you are thinking about suicide, call or text 988 (Suicide &amp; Crisis Lifeline) now; in an emergency call 911."
)
PHQ9_CALM = {f"phq9_{n}": "1" for n in range(1, 9)}


def banner_position(body: str) -> int:
    return body.index('id="crisis-resources"')


def test_phq9_item_9_above_0_shows_crisis_resources_on_the_next_page(patient_client, intake):
    response = post_step(patient_client, intake, "phq9", {**PHQ9_CALM, "phq9_9": "1"})
    assert response["Location"] == step_url(intake, "gad7")
    body = patient_client.get(response["Location"]).content.decode()
    assert CRISIS_TEXT in body
    assert 'href="tel:988"' in body and 'href="sms:988"' in body and 'href="tel:911"' in body
    # Above everything else on the page: before the main content and the progress indicator.
    assert banner_position(body) < body.index('<main id="main"')


def test_the_clinic_gets_an_urgent_alert_from_a_draft(
    patient_client, intake, alert_emails, django_capture_on_commit_callbacks, run_queued_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_step(patient_client, intake, "phq9", {**PHQ9_CALM, "phq9_9": "2"})
    run_queued_tasks()
    case = Case.objects.get(intake=intake)
    assert case.urgent_level == "URGENT_SAFETY"
    assert case.status == CaseStatus.ALERT
    assert case.urgent_raised_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == alert_emails
    # The e-mail names no patient and no answer.
    assert "Alice" not in mail.outbox[0].body and "phq" not in mail.outbox[0].body.lower()
    # A draft alert stores no screening result: the intake is not submitted.
    assert not ScreeningResult.objects.filter(intake=intake).exists()
    intake.refresh_from_db()
    assert intake.status == "draft"


def test_the_alert_is_raised_once_for_repeated_saves(
    patient_client, intake, alert_emails, django_capture_on_commit_callbacks, run_queued_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_step(patient_client, intake, "phq9", {**PHQ9_CALM, "phq9_9": "2"})
        post_step(patient_client, intake, "phq9", {**PHQ9_CALM, "phq9_9": "3"})
    run_queued_tasks()
    assert Case.objects.filter(intake=intake).count() == 1
    assert len(mail.outbox) == 1


def test_a_high_risk_cssrs_answer_alerts_and_shows_crisis_resources(patient_client, intake, alert_emails):
    data = {
        "cssrs_q1": "yes",
        "cssrs_q2": "yes",
        "cssrs_q3": "yes",
        "cssrs_q4": "yes",
        "cssrs_q5": "no",
        "cssrs_q6": "no",
        "shown": "q3_q5",
    }
    response = post_step(patient_client, intake, "cssrs", data)
    assert Case.objects.get(intake=intake).urgent_level == "URGENT_SAFETY"
    body = patient_client.get(response["Location"]).content.decode()
    assert CRISIS_TEXT in body
    assert "We have let the clinic" in body


def test_any_cssrs_yes_shows_crisis_resources_without_an_urgent_alert(
    patient_client, intake, alert_emails, django_capture_on_commit_callbacks, run_queued_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_step(patient_client, intake, "cssrs", {"cssrs_q1": "yes", "cssrs_q2": "no", "cssrs_q6": "no"})
    run_queued_tasks()
    body = patient_client.get(response["Location"]).content.decode()
    assert CRISIS_TEXT in body
    # Wish to be dead only is SAFETY_REVIEW (SAF-05): reviewed first, not an urgent alert.
    assert not Case.objects.filter(intake=intake).exists()
    assert not mail.outbox


def test_crisis_resources_stay_on_every_later_page(patient_client, intake):
    """In full (an alert) the first time; then a compact bar, not announced again, that keeps
    the three numbers one tap away."""
    post_step(patient_client, intake, "phq9", {**PHQ9_CALM, "phq9_9": "1"})
    first = patient_client.get(step_url(intake, "gad7")).content.decode()
    assert CRISIS_TEXT in first
    assert 'role="alert" aria-labelledby="crisis-title"' in first
    for url in (step_url(intake, "about"), step_url(intake, "goals"), reverse("intake:review", args=[intake.pk])):
        body = patient_client.get(url).content.decode()
        assert 'id="crisis-resources" data-form="compact"' in body, url
        for link in ('href="tel:988">Call 988', 'href="sms:988">Text 988', 'href="tel:911">Call 911'):
            assert link in body, (url, link)
        assert 'role="alert" aria-labelledby="crisis-title"' not in body, url


def test_crisis_resources_show_on_an_invalid_save_too(patient_client, intake):
    """A forged value elsewhere on the page must not hide a valid item-9 answer."""
    response = post_step(patient_client, intake, "phq9", {**PHQ9_CALM, "phq9_2": "9", "phq9_9": "2"})
    assert response.status_code == HTTPStatus.OK
    assert CRISIS_TEXT in response.content.decode()
    assert Case.objects.get(intake=intake).urgent_level == "URGENT_SAFETY"


def test_no_crisis_banner_for_calm_answers(patient_client, intake):
    response = post_step(patient_client, intake, "phq9", {**PHQ9_CALM, "phq9_9": "0"})
    body = patient_client.get(response["Location"]).content.decode()
    assert 'id="crisis-resources"' not in body
    assert not Case.objects.filter(intake=intake).exists()


def test_a_blood_pressure_in_the_crisis_range_tells_the_patient_to_seek_urgent_care(
    patient_client, intake, alert_emails, django_capture_on_commit_callbacks, run_queued_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_step(
            patient_client, intake, "heart", {"bp_known": "yes", "bp_systolic": "190", "bp_diastolic": "100"}
        )
    run_queued_tasks()
    case = Case.objects.get(intake=intake)
    assert case.urgent_level == "URGENT_MEDICAL"
    assert len(mail.outbox) == 1
    body = patient_client.get(response["Location"]).content.decode()
    assert 'id="urgent-care"' in body
    assert 'call <a href="tel:911">911</a> or go to the nearest emergency department now' in body
    assert 'id="crisis-resources"' not in body


def test_the_urgent_care_notice_goes_when_the_reading_is_corrected(patient_client, intake):
    post_step(patient_client, intake, "heart", {"bp_known": "yes", "bp_systolic": "190", "bp_diastolic": "100"})
    response = post_step(
        patient_client, intake, "heart", {"bp_known": "yes", "bp_systolic": "130", "bp_diastolic": "80"}
    )
    assert 'id="urgent-care"' not in patient_client.get(response["Location"]).content.decode()
    # The alert already raised stays for a clinician to acknowledge.
    assert Case.objects.get(intake=intake).urgent_level == "URGENT_MEDICAL"


def test_an_acknowledged_alert_is_not_raised_again_by_an_unrelated_step(patient_client, intake, clinician):
    from django.utils import timezone

    post_step(patient_client, intake, "phq9", {**PHQ9_CALM, "phq9_9": "2"})
    Case.objects.filter(intake=intake).update(urgent_acknowledged_at=timezone.now(), urgent_acknowledged_by=clinician)
    post_step(patient_client, intake, "gad7", {"gad7_1": "1"})
    assert Case.objects.get(intake=intake).urgent_acknowledged_at is not None
    # Answering item 9 again is a new urgent answer: the alert is raised afresh.
    post_step(patient_client, intake, "phq9", {**PHQ9_CALM, "phq9_9": "2"})
    assert Case.objects.get(intake=intake).urgent_acknowledged_at is None
