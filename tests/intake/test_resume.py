"""Save and resume: a patient who leaves continues where they stopped, with what they typed."""

from __future__ import annotations

from django.urls import reverse

from intake.date_input import date_post
from intake.models import Intake, IntakeStatus
from tests.intake.conftest import post_step, step_url


def test_home_starts_an_intake_at_the_first_step(patient_client, patient):
    response = patient_client.get(reverse("intake:home"))
    intake = Intake.objects.get(patient__user=patient)
    assert intake.status == IntakeStatus.DRAFT
    assert response["Location"] == step_url(intake, "about")


def test_home_never_starts_a_second_draft(patient_client, intake):
    patient_client.get(reverse("intake:home"))
    patient_client.get(reverse("intake:home"))
    assert Intake.objects.filter(patient=intake.patient).count() == 1


def test_after_logging_out_and_in_the_patient_continues_where_they_stopped(client, patient, password, intake):
    client.force_login(patient)
    post_step(client, intake, "about", date_post("date_of_birth", "1984-03-15"))
    post_step(client, intake, "pregnancy", {"pregnancy_possible": "no"})
    post_step(client, intake, "heart", {"bp_known": "yes", "bp_systolic": "80", "bp_diastolic": "120"})
    client.post(reverse("logout"))

    assert client.get(reverse("intake:home"))["Location"].startswith(reverse("login"))
    response = client.post(reverse("login"), {"username": patient.email, "password": password})
    assert response.status_code == 302
    response = client.get(reverse("intake:home"))
    # The heart step, where the last (invalid) save left the patient, with what was typed.
    assert response["Location"] == step_url(intake, "heart")
    body = client.get(response["Location"]).content.decode()
    assert 'value="80"' in body and 'value="120"' in body
    assert "must be lower than the top number" in body
    intake.refresh_from_db()
    assert intake.date_of_birth.isoformat() == "1984-03-15"


def test_home_lists_submitted_intakes_and_does_not_start_another(patient_client, intake):
    patient_client.post(
        reverse("intake:submit", args=[intake.pk]),
        {"consent_version": "2026.1", "agree": "on", "signature": "Alice Patient"},
    )
    response = patient_client.get(reverse("intake:home"))
    assert response.status_code == 200
    assert reverse("intake:detail", args=[intake.pk]) in response.content.decode()
    assert Intake.objects.filter(patient=intake.patient).count() == 1


def test_home_points_to_a_reopened_intake(patient_client, intake):
    patient_client.post(
        reverse("intake:submit", args=[intake.pk]),
        {"consent_version": "2026.1", "agree": "on", "signature": "Alice Patient"},
    )
    Intake.objects.filter(pk=intake.pk).update(status=IntakeStatus.REOPENED, reopened_steps=["goals"])
    body = patient_client.get(reverse("intake:home")).content.decode()
    assert "The clinic asked you for more information" in body
    detail = patient_client.get(reverse("intake:detail", args=[intake.pk])).content.decode()
    assert f'href="{step_url(intake, "goals")}"' in detail
    assert f'href="{step_url(intake, "about")}"' not in detail
