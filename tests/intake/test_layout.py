"""Forms written once (issue 11): each step's questions, their order, headings, groups and
follow-ups are declared on its form; one template renders every step from that declaration,
and the review page's missing list reads the same follow-up conditions."""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django import forms
from django.conf import settings

from intake.forms import HeartForm, MedicalForm, StepForm, tri
from intake.layout import FollowUp, Section, blocks
from intake.models import Tri
from intake.steps import STEP_BY_KEY, STEPS
from tests.factories import StepDraftFactory
from tests.intake.conftest import step_url


def _region(body: str, region_id: str) -> str:
    match = re.search(rf'<div class="follow-up" id="{region_id}"[^>]*>', body)
    assert match, region_id
    return match.group(0)


def test_a_form_writes_its_declared_intake_fields_in_page_order():
    assert HeartForm.columns[:3] == ("aneurysm", "arteriovenous_malformation", "intracerebral_hemorrhage")
    assert HeartForm.columns[-4:] == ("bp_known", "bp_systolic", "bp_diastolic", "bp_date")
    # The other unit systems on the About page are typed, converted and never stored as such.
    assert STEP_BY_KEY["about"].columns == ("date_of_birth", "sex_at_birth", "height_cm", "weight_kg", "phone")


def test_adding_a_question_is_one_line_on_the_form(intake):
    class Medical(MedicalForm):
        kidney_disease = tri("Do you have long-term kidney disease?")

    # Not an Intake column here, so not written (a real question adds its column and migration);
    # on the page it comes last, as declared, rendered like any other.
    assert Medical.columns == MedicalForm.columns
    last = blocks(Medical(intake=intake))[-1].blocks[-1]
    assert last.field is not None and last.field.name == "kidney_disease"


def test_a_layout_naming_a_field_the_form_lacks_is_refused_when_the_class_is_made():
    with pytest.raises(TypeError, match="does not have"):

        class Broken(StepForm):
            layout = (Section("Heading", starts="no_such_question"),)
            aneurysm = tri("Aneurysm?")


def test_columns_named_out_of_page_order_are_refused():
    with pytest.raises(TypeError, match="page order"):

        class Broken(StepForm):
            columns = ("glaucoma", "aneurysm")
            aneurysm = tri("Aneurysm?")
            glaucoma = tri("Glaucoma?")


def test_a_follow_up_names_either_the_answers_that_ask_it_or_those_that_do_not():
    with pytest.raises(ValueError):
        FollowUp("aneurysm", ("glaucoma",))
    follow_up = FollowUp("pregnancy_possible", ("pregnant",), unless=(Tri.NO,))
    # Unanswered is not "no": the follow-up is still needed.
    assert follow_up.needs(None) and follow_up.needs("") and follow_up.needs(Tri.UNKNOWN)
    assert not follow_up.needs(Tri.NO)
    assert FollowUp("bp_known", ("bp_date",), when=("yes",)).needs("yes")
    assert not FollowUp("bp_known", ("bp_date",), when=("yes",)).needs(None)


def test_every_step_renders_from_the_one_step_template(patient_client, intake):
    assert not list((Path(settings.BASE_DIR) / "templates" / "intake" / "steps").glob("*.html"))
    for step in STEPS:
        response = patient_client.get(step_url(intake, step.key))
        assert response.status_code == HTTPStatus.OK
        assert [t.name for t in response.templates][0] == "intake/step.html"


def test_the_heart_page_marks_its_follow_ups_with_the_answers_that_ask_them(patient_client, intake):
    body = patient_client.get(step_url(intake, "heart")).content.decode()
    for heading in ("Blood vessels and the brain", "Heart", "Blood pressure"):
        assert f'<h2 class="h5 step-section">{heading}</h2>' in body
    region = _region(body, "followup-cardiovascular-event-date")
    assert 'data-reveal-controller="cardiovascular_event"' in region
    assert 'data-reveal-when="yes"' in region
    assert "data-reveal-keep" not in region
    reading = body[body.index('id="followup-bp-systolic"') :]
    assert '<legend class="question-legend">If yes: your most recent reading</legend>' in reading
    assert reading.index('name="bp_systolic"') < reading.index('name="bp_date_day"') < reading.index("</fieldset>")
    # Every follow-up is in the page as served: without JavaScript it is shown, never hidden.
    form = body.split("<form")[1].split("</form>")[0]
    assert " hidden" not in re.sub(r'type="hidden"|visually-hidden|aria-hidden="true"', "", form)
    assert '<script src="/static/js/reveal.js"></script>' in body


def test_a_follow_up_holding_an_answer_is_marked_to_stay_open(patient_client, intake):
    StepDraftFactory(intake=intake, step="heart", data={"cardiovascular_event": "no", "bp_systolic": "130"})
    body = patient_client.get(step_url(intake, "heart")).content.decode()
    assert "data-reveal-keep" in _region(body, "followup-bp-systolic")
    assert "data-reveal-keep" not in _region(body, "followup-cardiovascular-event-date")


def test_the_pregnancy_questions_are_follow_ups_unless_a_pregnancy_is_not_possible(patient_client, intake):
    body = patient_client.get(step_url(intake, "pregnancy")).content.decode()
    assert 'data-reveal-unless="no"' in _region(body, "followup-pregnant")
    assert 'data-reveal-unless="no"' in _region(body, "followup-planning-pregnancy")


def test_rows_are_a_follow_up_of_their_yes(patient_client, intake):
    body = patient_client.get(step_url(intake, "medications")).content.decode()
    region = _region(body, "followup-takes-medications-rows")
    assert 'data-reveal-controller="takes_medications"' in region
    rows = body[body.index('id="followup-takes-medications-rows"') :]
    assert rows.index('id="rows"') < rows.index("Add a medicine")


def test_the_missing_list_reads_the_declared_follow_ups(intake):
    heart = STEP_BY_KEY["heart"]
    intake.cardiovascular_event = Tri.NO
    intake.bp_known = "no"
    assert not any("blood-pressure reading" in label for label in heart.missing(intake))
    assert not any("most recent heart attack" in label for label in heart.missing(intake))
    intake.cardiovascular_event = Tri.YES
    intake.bp_known = "yes"
    missing = heart.missing(intake)
    assert "The date of your most recent heart attack, stent, bypass or other event" in missing
    assert "Your blood-pressure reading: the top number" in missing


def test_short_options_sit_in_a_row_and_a_yes_no_item_beside_its_question(patient_client, intake):
    body = patient_client.get(step_url(intake, "substances")).content.decode()
    assert '<fieldset class="question question-row" id="id_dast10_1">' in body
    tri_group = body[body.index('id="id_drug_use_disorder_current"') :]
    # A question with help keeps its help under the legend, its options under both.
    assert tri_group.index("Not counting alcohol.") < tri_group.index('class="choices choices-inline"')
    assert isinstance(HeartForm.base_fields["bp_known"].widget, forms.RadioSelect)
