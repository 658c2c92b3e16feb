"""The read-only view of a sent intake."""

from __future__ import annotations

from http import HTTPStatus

from django.urls import reverse

from tests.intake.conftest import post_step


def test_a_patient_sees_their_sent_answers_read_only(patient_client, intake):
    post_step(patient_client, intake, "goals", {"treatment_goals": "Sleep <b>better</b>", "has_ride_home": "yes"})
    patient_client.post(
        reverse("intake:submit", args=[intake.pk]),
        {"consent_version": "2026.1", "agree": "on", "signature": "Alice Patient"},
    )
    response = patient_client.get(reverse("intake:detail", args=[intake.pk]))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Sleep &lt;b&gt;better&lt;/b&gt;" in body
    assert "read-only" in body
    assert "<form" not in body.split('<main id="main"')[1]
    assert ">Change<" not in body


def test_a_draft_has_no_read_only_page_yet(patient_client, intake):
    response = patient_client.get(reverse("intake:detail", args=[intake.pk]))
    assert response["Location"] == reverse("intake:review", args=[intake.pk])


def test_the_confirmation_of_a_draft_goes_to_its_review(patient_client, intake):
    response = patient_client.get(reverse("intake:confirmation", args=[intake.pk]))
    assert response["Location"] == reverse("intake:review", args=[intake.pk])
