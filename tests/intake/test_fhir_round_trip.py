"""Every golden case typed through the forms and submitted yields a FHIR Bundle that
fhir.resources parses and validates, whose QuestionnaireResponse reads back to the very facts
the screening read, and whose RiskAssessment lists exactly the engine's flags."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from fhir.resources.R4B.bundle import Bundle

from screening import fhir
from screening.models import Case, ScreeningResult
from screening.services import latest_measured_vitals
from tests.intake.test_round_trip import CASES, fill_and_submit


def _bundle_of(case: Case) -> dict:
    bundle = fhir.intake_bundle(case, vitals=latest_measured_vitals(case))
    # What the EHR receives: the JSON text, parsed and validated again by fhir.resources.
    return Bundle.model_validate_json(fhir.bundle_json(bundle)).model_dump(mode="json", exclude_none=True)


def resources(bundle: dict, resource_type: str) -> list[dict]:
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == resource_type]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_a_golden_case_exports_a_bundle_that_reads_back_to_its_facts_and_flags(patient_client, patient, case):
    facts = case["facts"]
    noon = dt.datetime.fromisoformat(facts["assessment_date"]).replace(hour=12, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=False):
        intake = fill_and_submit(patient_client, patient, facts)
    stored = ScreeningResult.objects.get(intake=intake)

    bundle = _bundle_of(Case.objects.get(intake=intake))

    assert bundle["type"] == "collection"
    response = resources(bundle, "QuestionnaireResponse")[0]
    assert fhir.facts_from_questionnaire_response(response, assessment_date=intake.assessment_date) == stored.facts
    assert fhir.facts_from_bundle(bundle) == stored.facts
    risk = resources(bundle, "RiskAssessment")[0]
    listed = [
        (
            p["outcome"]["coding"][0]["code"],
            p["qualitativeRisk"]["coding"][0]["code"],
            p["rationale"],
            next(e["valueString"] for e in p["extension"] if e["url"].endswith("/screening-rule-source")),
        )
        for p in risk.get("prediction", [])
    ]
    assert listed == [(f["rule"], f["level"], f["message"], f["source"]) for f in stored.result["flags"]]
    overall = next(e for e in risk["extension"] if e["url"].endswith("/screening-overall"))
    assert overall["valueCodeableConcept"]["coding"][0]["code"] == stored.overall
    json.dumps(bundle)
