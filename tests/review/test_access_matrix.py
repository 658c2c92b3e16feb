"""Who reaches the review: anonymous visitors are sent to log in, patients (also the patient
whose case it is) get a 404, clinicians and admins get the page or the action."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from screening.models import Decision
from tests.conftest import sign_in_staff
from tests.factories import make_case

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "patient", "other_patient", "clinician", "admin_user"]

# (url name, method, data): every page and action of the review.
ENDPOINTS = [
    ("queue", "get", {}),
    ("search", "post", {"q": "Alice"}),
    ("case", "get", {}),
    ("case_fhir", "get", {}),
    ("case_pdf", "get", {}),
    ("acknowledge", "post", {"note": "Called the patient."}),
    ("assign", "post", {"assignee": "__staff__"}),
    ("vitals", "post", {"bp_systolic": 124, "bp_diastolic": 79, "bp_date": "__today__"}),
    ("request_info", "post", {"steps": ["heart"], "message": "Please check your heart answers."}),
    ("decide", "post", {"outcome": "not_eligible", "reason": "Breastfeeding now."}),
    ("note", "post", {"text": "Left a voicemail."}),
]


def _user(request, persona):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method", "data"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_the_access_matrix(request, client, patient, clinician, persona, name, method, data):
    urgent = (("SAF-01", "URGENT_SAFETY"),) if name == "acknowledge" else (("PRG-02", "EXCLUDE_PENDING_REVIEW"),)
    case = make_case(user=patient, flags=urgent)
    user = _user(request, persona)
    if user is not None:
        sign_in_staff(client, user)
    args = [] if name in ("queue", "search") else [case.pk]
    url = reverse(f"review:{name}", args=args)
    payload = {"version": case.version, **data}
    if payload.get("assignee") == "__staff__":
        payload["assignee"] = clinician.pk
    if payload.get("bp_date") == "__today__":
        payload["bp_date"] = timezone.localdate().isoformat()

    response = client.get(url) if method == "get" else client.post(url, payload)

    if persona == "anonymous":
        assert response.status_code == HTTPStatus.FOUND
        assert response.url.startswith(reverse("login"))
    elif persona in ("patient", "other_patient"):
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert "PRG-02" not in response.content.decode()
        assert "Overall outcome" not in response.content.decode()
    else:
        expected = HTTPStatus.OK if method == "get" else HTTPStatus.FOUND
        assert response.status_code == expected, response.content.decode()[:2000]
        assert "no-store" in response["Cache-Control"]
    if persona not in ("clinician", "admin_user"):
        assert not Decision.objects.exists()


@pytest.mark.parametrize("persona", ["patient", "other_patient"])
def test_a_patient_gets_404_even_for_a_case_that_does_not_exist(request, client, persona):
    sign_in_staff(client, request.getfixturevalue(persona))
    assert client.get(reverse("review:case", args=[424242])).status_code == HTTPStatus.NOT_FOUND


def test_a_clinician_asking_for_a_case_that_does_not_exist_gets_404(clinician_client):
    url = reverse("review:note", args=[424242])
    assert clinician_client.post(url, {"version": 1, "text": "x"}).status_code == HTTPStatus.NOT_FOUND


def test_an_action_url_takes_no_get(clinician_client, case):
    response = clinician_client.get(reverse("review:decide", args=[case.pk]))
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
