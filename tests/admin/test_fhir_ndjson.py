"""The admin's FHIR NDJSON export: one validated Bundle per line for each selected intake
with a case, streamed, audited, never cached."""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B.bundle import Bundle

from clinic.models import AuditAction, AuditEvent
from intake.models import Intake
from tests.admin.conftest import changelist_url
from tests.factories import DraftIntakeFactory, make_case

pytestmark = pytest.mark.django_db


def _export(client, intakes):
    return client.post(
        changelist_url(Intake), {"action": "export_fhir_ndjson", "_selected_action": [i.pk for i in intakes]}
    )


def test_the_selected_intakes_stream_as_one_bundle_per_line(admin_client_):
    first, second = make_case(), make_case()

    response = _export(admin_client_, [first.intake, second.intake])

    assert response.status_code == HTTPStatus.OK
    assert response.streaming
    assert response["Content-Type"] == "application/fhir+ndjson"
    assert response["Content-Disposition"].endswith('.ndjson"')
    assert "no-store" in response["Cache-Control"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 2
    bundles = [Bundle.model_validate_json(line) for line in lines]
    assert [b.identifier.value for b in bundles] == [str(first.intake_id), str(second.intake_id)]
    assert all(b.type == "collection" for b in bundles)
    assert json.loads(lines[0])["resourceType"] == "Bundle"


def test_the_export_is_audited_with_the_intakes_it_holds(admin_user, admin_client_):
    case = make_case()
    draft = DraftIntakeFactory()

    response = _export(admin_client_, [case.intake, draft])
    b"".join(response.streaming_content)

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == admin_user
    assert event.changes["intake_ids"] == [case.intake_id]
    assert event.changes["format"] == "fhir+ndjson"


def test_a_clinician_cannot_reach_the_export(clinician_client):
    case = make_case()
    response = _export(clinician_client, [case.intake])
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.NOT_FOUND, HTTPStatus.FORBIDDEN)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("count", [3, 30])
def test_the_stream_reads_a_fixed_number_of_queries_however_many_intakes(admin_client_, count):
    intakes = [make_case().intake for _ in range(count)]
    response = _export(admin_client_, intakes)

    with CaptureQueriesContext(connection) as queries:
        lines = b"".join(response.streaming_content).splitlines()

    assert len(lines) == count
    # 1. the cases with their intake, patient, user, consent version and latest result
    # 2. their medications  3. their antidepressant trials  4. their measured vitals, newest first
    assert len(queries) == 4, [q["sql"][:80] for q in queries]
