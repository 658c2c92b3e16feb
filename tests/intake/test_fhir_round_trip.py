"""Every golden case typed through the forms and submitted yields a FHIR Bundle that
fhir.resources parses and validates, whose QuestionnaireResponse reads back to the very facts
the screening read, and whose RiskAssessment lists exactly the engine's flags; and PDFs whose
text holds every answer (both), every score and flag (the chart copy) and no flag (the
patient's copy).

Typing a case through the forms is the slow part, so each case is typed once and both
exports are checked on it, in two helpers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from fhir.resources.R4B.bundle import Bundle

from intake.pdf import patient_pdf
from screening import fhir, pdf
from screening.models import Case, ScreeningResult
from screening.selectors import answers_by_section, case_page, scores_table
from screening.services import measured_vitals_of
from tests.intake.test_round_trip import CASES, fill_and_submit
from tests.review.test_case_exports import pdf_text, words


def _bundle_of(case: Case) -> dict:
    bundle = fhir.intake_bundle(case, vitals=measured_vitals_of(case))
    # What the EHR receives: the JSON text, parsed and validated again by fhir.resources.
    return Bundle.model_validate_json(fhir.bundle_json(bundle)).model_dump(mode="json", exclude_none=True)


def resources(bundle: dict, resource_type: str) -> list[dict]:
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == resource_type]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_a_golden_case_exports_a_bundle_and_pdfs_that_carry_its_answers_and_flags(patient_client, patient, case):
    facts = case["facts"]
    noon = dt.datetime.fromisoformat(facts["assessment_date"]).replace(hour=12, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=False):
        intake = fill_and_submit(patient_client, patient, facts)
    stored = ScreeningResult.objects.get(intake=intake)
    screened = Case.objects.get(intake=intake)

    check_bundle(screened, stored)
    check_pdfs(screened, stored)


def check_pdfs(case: Case, stored: ScreeningResult) -> None:
    staff = pdf_text(pdf.staff_pdf(case_page(case)))
    mine = pdf_text(patient_pdf(case.intake))
    for section in answers_by_section(case.intake):
        for answer in section["answers"]:
            for value in answer["rows"] or [answer["value"]]:
                assert words(value) in staff, (answer["label"], value)
                assert words(value) in mine, (answer["label"], value)
    for row in scores_table(stored.result):
        shown = " · ".join(part for part in (row["score"], row["band"]) if part)
        assert f"{row['name']} {shown}" in staff
    for flag in stored.result["flags"]:
        assert flag["rule"] in staff
        assert flag["rule"] not in mine


def check_bundle(case: Case, stored: ScreeningResult) -> None:
    intake = case.intake
    bundle = _bundle_of(case)

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
