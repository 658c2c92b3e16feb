"""The review page: every answer on one page, links back, what is missing, the consent text."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from intake.date_input import date_post
from tests.answers import BASE_FACTS, form_posts_from_facts
from tests.intake.conftest import post_step, step_url


def review(client, intake):
    response = client.get(reverse("intake:review", args=[intake.pk]))
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_it_lists_what_is_still_unanswered_with_links_to_each_step(patient_client, intake):
    post_step(patient_client, intake, "pregnancy", {"pregnancy_possible": "no", "breastfeeding": "no"})
    body = review(patient_client, intake)
    assert "Still unanswered" in body
    assert f'<a href="{step_url(intake, "about")}">About you</a>: 5 unanswered' in body
    # Not asked once a pregnancy is not possible: not missing either.
    assert "Are you pregnant now, or could you be?" not in body.split("Still unanswered")[1].split("</section>")[0]
    assert "You can still send your answers" in body


def test_follow_up_questions_are_missing_only_after_a_yes(patient_client, intake):
    post_step(patient_client, intake, "heart", {"cardiovascular_event": "yes", "hypertension_diagnosed": "no"})
    body = review(patient_client, intake)
    assert "The date of your most recent heart attack" in body
    assert "Whether your high blood pressure is under control" not in body


def test_a_fully_answered_intake_has_nothing_missing(patient_client, intake):
    posts = form_posts_from_facts(BASE_FACTS)
    posts["heart"].update(date_post("bp_date", "2026-01-02"))
    for key, data in posts.items():
        post_step(patient_client, intake, key, data)
    body = review(patient_client, intake)
    assert "Every question is answered" in body
    assert "Sertraline 100 mg" in body
    assert "Little interest or pleasure in doing things" in body
    # Each section links back to its step.
    for key in posts:
        assert f'href="{step_url(intake, key)}" class="btn btn-sm btn-outline-primary">Change' in body


def test_answers_are_shown_in_words(patient_client, intake):
    post_step(
        patient_client,
        intake,
        "about",
        {**date_post("date_of_birth", "1984-03-15"), "height_ft": "5", "height_in": "6", "weight_lb": "150"},
    )
    post_step(patient_client, intake, "phq9", {"phq9_1": "3"})
    body = review(patient_client, intake)
    assert "March 15, 1984" in body
    assert "167.6 cm" in body and "68.0 kg" in body
    assert "Nearly every day" in body
    assert "Not answered" in body


def test_it_shows_the_consent_text_and_its_version(patient_client, intake):
    body = review(patient_client, intake)
    assert "Consent to the screening questionnaire" in body
    assert "It is not a diagnosis" in body
    assert "Consent version 2026.1" in body
    assert 'name="consent_version" value="2026.1"' in body
    assert 'name="signature"' in body


def test_without_a_current_consent_text_nothing_can_be_sent(patient_client, intake):
    from intake.models import ConsentVersion

    ConsentVersion.objects.update(is_current=False)
    body = review(patient_client, intake)
    assert "The consent text is not available right now" in body
    assert 'name="signature"' not in body
