"""What the read-only record pages show."""

from __future__ import annotations

import pytest
from django.contrib.admin.utils import flatten_fieldsets

from intake.admin import INTAKE_SECTIONS, intake_fieldsets
from intake.models import Intake
from screening.models import ScreeningResult
from tests.admin.conftest import change_url
from tests.factories import (
    CaseNoteFactory,
    DecisionFactory,
    IntakeMedicationFactory,
    StepDraftFactory,
    canned_result,
    make_case,
)

pytestmark = pytest.mark.django_db


def test_the_intake_page_shows_every_answer_under_its_section():
    shown = flatten_fieldsets(intake_fieldsets())
    model_fields = {field.name for field in Intake._meta.concrete_fields} - {"id"}
    assert model_fields <= set(shown)
    assert len(shown) == len(set(shown))
    assert [title for title, _ in intake_fieldsets()][1:] == [title for title, _ in INTAKE_SECTIONS]
    sections = dict(intake_fieldsets())
    assert "cssrs_q4" in sections["Thoughts of suicide (C-SSRS)"]["fields"]
    assert "bp_systolic" in sections["Heart and circulation"]["fields"]


def test_the_intake_page_shows_answers_medications_results_and_the_case(admin_client_):
    medication = IntakeMedicationFactory(name="lithium carbonate")
    case = make_case(intake=medication.intake)
    content = admin_client_.get(change_url(medication.intake)).content.decode()
    assert "lithium carbonate" in content
    assert "sertraline" in content
    assert "screening results (newest first)" in content.lower()
    assert change_url(case) in content
    assert "PHQ-9" in content


def test_the_result_page_lists_flags_and_escapes_the_documents(admin_client_):
    case = make_case()
    document = canned_result(("BP-02", "CAUTION"))
    document["flags"][0]["message"] = "<script>alert(1)</script> high blood pressure"
    result = ScreeningResult.objects.create(
        intake=case.intake,
        trigger="admin",
        ruleset="2026.1",
        overall="CAUTION",
        facts={"note": "<b>x</b>"},
        result=document,
    )
    content = admin_client_.get(change_url(result)).content.decode()
    assert "<td>BP-02</td><td>CAUTION</td>" in content
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; high blood pressure" in content
    assert "&lt;b&gt;x&lt;/b&gt;" in content


def test_the_case_page_shows_decisions_and_notes(admin_client_):
    decision = DecisionFactory(reason="Spoke with the patient's GP.")
    CaseNoteFactory(case=decision.case, text="Called back on Tuesday.")
    content = admin_client_.get(change_url(decision.case)).content.decode()
    assert "Spoke with the patient&#x27;s GP." in content
    assert "Called back on Tuesday." in content


def test_a_step_draft_shows_what_the_patient_typed(admin_client_):
    draft = StepDraftFactory(data={"height": "5 ft 9 & a bit"})
    content = admin_client_.get(change_url(draft)).content.decode()
    assert "5 ft 9 &amp; a bit" in content
