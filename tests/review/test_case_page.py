"""The case page: who, the outcome in clinician wording, flags, scores, answers, medications,
the timeline; an audit line for every view; a fixed number of queries."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from clinic.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_it_works(clinician_client, screened_case):
    response = clinician_client.get(reverse("review:case", args=[screened_case.pk]))
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Alice Patient" in body
    assert "BP-07" in body
    assert "no-store" in response["Cache-Control"]
    print(body[-20000:])
