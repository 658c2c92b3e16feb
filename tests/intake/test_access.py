"""Who may open which intake page: only the patient whose intake it is.

Anonymous visitors are sent to the login page; another patient, a clinician and an admin get
a 404 for every intake page (staff never fill in or change a patient's answers)."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from intake.date_input import date_post
from intake.models import StepDraft
from tests.conftest import sign_in_staff


def pages(intake):
    pk = intake.pk
    return [
        ("get", reverse("intake:step", args=[pk, "about"])),
        ("post", reverse("intake:step", args=[pk, "about"])),
        ("get", reverse("intake:review", args=[pk])),
        ("post", reverse("intake:submit", args=[pk])),
        ("get", reverse("intake:confirmation", args=[pk])),
        ("get", reverse("intake:detail", args=[pk])),
    ]


def test_every_intake_page_requires_login(client, intake):
    step_post = ("post", reverse("intake:step", args=[intake.pk, "about"]))
    for method, url in [*pages(intake), ("get", reverse("intake:home"))]:
        if (method, url) == step_post:
            continue  # the answers are read back for a sign-in (tests/intake/test_rescue.py)
        response = getattr(client, method)(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response["Location"].startswith(reverse("login")), url


def test_another_patients_intake_is_404_on_every_page(patient_client, other_intake):
    for method, url in pages(other_intake):
        response = getattr(patient_client, method)(
            url, date_post("date_of_birth", "1990-01-01") if method == "post" else None
        )
        assert response.status_code == HTTPStatus.NOT_FOUND, url
    assert not StepDraft.objects.filter(intake=other_intake).exists()
    before = other_intake.date_of_birth
    other_intake.refresh_from_db()
    assert other_intake.date_of_birth == before


@pytest.mark.parametrize("persona", ["clinician", "admin_user"])
def test_staff_get_404_on_every_intake_page(client, intake, persona, request):
    sign_in_staff(client, request.getfixturevalue(persona))
    for method, url in [*pages(intake), ("get", reverse("intake:home"))]:
        response = getattr(client, method)(url, date_post("date_of_birth", "1990-01-01") if method == "post" else None)
        assert response.status_code == HTTPStatus.NOT_FOUND, url
    assert not StepDraft.objects.filter(intake=intake).exists()


def test_a_missing_intake_is_404(patient_client):
    assert patient_client.get(reverse("intake:review", args=[999999])).status_code == HTTPStatus.NOT_FOUND


def test_intake_pages_are_never_cached(patient_client, intake):
    for url in [reverse("intake:review", args=[intake.pk]), reverse("intake:step", args=[intake.pk, "phq9"])]:
        response = patient_client.get(url)
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_health_posts_are_hidden_from_error_reports(patient_client, intake):
    """sensitive_post_parameters() with no names: no posted answer appears in an error report."""
    for url in (reverse("intake:step", args=[intake.pk, "phq9"]), reverse("intake:submit", args=[intake.pk])):
        response = patient_client.post(url, {"phq9_9": "2"})
        assert response.wsgi_request.sensitive_post_parameters == "__ALL__", url
