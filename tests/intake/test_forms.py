"""Each step's form: what it accepts, how it tidies it, and the message for each bad input.

Forms validate and normalise; they never decide eligibility, and nothing unanswered is "no".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from intake.date_input import date_post
from intake.forms import (
    AboutForm,
    ConsentForm,
    CSSRSForm,
    GAD7Form,
    GoalsForm,
    HeartForm,
    MedicationFormSet,
    MedicationsForm,
    MentalHealthForm,
    PHQ9Form,
    PregnancyForm,
    SubstanceForm,
    TrialFormSet,
)
from intake.models import ConsentVersion, Intake

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, 0), tick=False):
        yield


def bound(form_class, data):
    form = form_class(data, intake=Intake())
    form.is_valid()
    return form


def codes(form, field):
    return [error.code for error in form.errors.as_data().get(field, [])]


def typed(name, day, month, year):
    """The post of a date typed into its day, month and year boxes."""
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


# --- About you ------------------------------------------------------------------------


def test_an_empty_about_page_is_valid_and_answers_nothing():
    form = bound(AboutForm, {})
    assert form.is_valid()
    assert form.column_values() == {
        "date_of_birth": None,
        "sex_at_birth": None,
        "height_cm": None,
        "weight_kg": None,
        "phone": "",
    }


@pytest.mark.parametrize(
    ("born", "code", "message"),
    [
        (("21", "11", "2026"), "future", "Your date of birth cannot be in the future."),
        (("20", "11", "1905"), "too_old", "That date would make you more than 120 years old. Please check the year."),
        (("3", "x", "1988"), "not_numbers", "Date of birth must be a real date, in numbers, for example 27 3 1988"),
        (("30", "2", "2026"), "invalid", "Date of birth must be a real date"),
    ],
)
def test_it_refuses_a_birth_date_in_the_future_or_more_than_120_years_ago(born, code, message):
    form = bound(AboutForm, typed("date_of_birth", *born))
    assert codes(form, "date_of_birth") == [code]
    assert form.errors["date_of_birth"] == [message]


def test_it_accepts_an_age_of_120_and_a_date_typed_as_day_month_year():
    assert bound(AboutForm, typed("date_of_birth", "21", "11", "1905")).is_valid()
    assert bound(AboutForm, typed("date_of_birth", "15", "03", "1984")).cleaned_data["date_of_birth"] == dt.date(
        1984, 3, 15
    )


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"height_cm": "119.9"}, "height_cm", "out_of_range"),
        ({"height_cm": "230.1"}, "height_cm", "out_of_range"),
        ({"height_cm": "-5"}, "height_cm", "out_of_range"),
        ({"height_ft": "3", "height_in": "10"}, "height_ft", "out_of_range"),
        ({"height_ft": "7", "height_in": "7"}, "height_ft", "out_of_range"),
        ({"height_ft": "9"}, "height_ft", "max_value"),
        ({"height_ft": "5", "height_in": "12"}, "height_in", "max_value"),
        ({"height_cm": "170", "height_ft": "5"}, "height_cm", "both_units"),
        ({"height_cm": "tall"}, "height_cm", "invalid"),
        ({"weight_kg": "29.9"}, "weight_kg", "out_of_range"),
        ({"weight_kg": "300.1"}, "weight_kg", "out_of_range"),
        ({"weight_lb": "66"}, "weight_lb", "out_of_range"),
        ({"weight_lb": "662"}, "weight_lb", "out_of_range"),
        ({"weight_kg": "70", "weight_lb": "154"}, "weight_kg", "both_units"),
    ],
)
def test_it_refuses_impossible_heights_and_weights_in_either_unit_system(data, field, code):
    assert code in codes(bound(AboutForm, data), field)


def test_it_stores_us_units_in_cm_and_kg():
    form = bound(AboutForm, {"height_ft": "5", "height_in": "6", "weight_lb": "150"})
    assert form.is_valid()
    assert form.column_values()["height_cm"] == Decimal("167.6")
    assert form.column_values()["weight_kg"] == Decimal("68.0")


def test_it_rounds_metric_values_to_a_tenth():
    form = bound(AboutForm, {"height_cm": "168.25", "weight_kg": "68.04"})
    assert form.column_values()["height_cm"] == Decimal("168.3")
    assert form.column_values()["weight_kg"] == Decimal("68.0")


@pytest.mark.parametrize("phone", ["call me", "12", "+1 555 010 0199 ext 4 5 6 7 8 9 0 1"])
def test_it_refuses_a_phone_number_that_is_not_one(phone):
    assert codes(bound(AboutForm, {"phone": phone}), "phone")


def test_it_tidies_a_phone_number():
    assert bound(AboutForm, {"phone": "  (555)  010-0199 "}).cleaned_data["phone"] == "(555) 010-0199"


def test_a_forged_choice_is_refused_with_a_clear_message():
    form = bound(AboutForm, {"sex_at_birth": "robot"})
    assert codes(form, "sex_at_birth") == ["invalid_choice"]
    assert form.errors["sex_at_birth"][0].startswith("Select a valid choice")


# --- Pregnancy ----------------------------------------------------------------------------


def test_pregnancy_questions_offer_i_dont_know_and_store_it():
    form = bound(PregnancyForm, {"pregnancy_possible": "unknown", "pregnant": "possibly", "breastfeeding": "no"})
    assert form.column_values() == {
        "pregnancy_possible": "unknown",
        "pregnant": "possibly",
        "breastfeeding": "no",
        "planning_pregnancy": None,
    }
    assert ("unknown", "I don't know") in PregnancyForm.base_fields["breastfeeding"].choices


# --- Heart --------------------------------------------------------------------------------------


def test_it_refuses_a_diastolic_at_or_above_the_systolic():
    form = bound(HeartForm, {"bp_known": "yes", "bp_systolic": "80", "bp_diastolic": "120"})
    assert codes(form, "bp_diastolic") == ["diastolic_not_below_systolic"]
    assert codes(bound(HeartForm, {"bp_systolic": "120", "bp_diastolic": "120"}), "bp_diastolic")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("bp_systolic", "49", "out_of_range"),
        ("bp_systolic", "301", "out_of_range"),
        ("bp_diastolic", "201", "out_of_range"),
        ("bp_systolic", "120.5", "invalid"),
        ("bp_date", dt.date(2026, 11, 21), "future"),
        ("bp_date", dt.date(1850, 1, 1), "too_early"),
    ],
)
def test_it_refuses_impossible_blood_pressure_readings_and_dates(field, value, code):
    data = date_post(field, value) if isinstance(value, dt.date) else {field: value}
    assert code in codes(bound(HeartForm, data), field)


def test_it_refuses_an_event_date_in_the_future():
    form = bound(HeartForm, {"cardiovascular_event": "yes", **typed("cardiovascular_event_date", "1", "12", "2026")})
    assert codes(form, "cardiovascular_event_date") == ["future"]
    assert form.errors["cardiovascular_event_date"] == ["The date of the event cannot be in the future."]


@pytest.mark.parametrize("answer", ["", "no", "unknown"])
def test_it_refuses_an_event_date_without_a_yes(answer):
    form = bound(HeartForm, {"cardiovascular_event": answer, **typed("cardiovascular_event_date", "21", "10", "2026")})
    assert codes(form, "cardiovascular_event_date") == ["date_without_event"]


def test_it_refuses_a_reading_beside_no_i_do_not_know_one():
    form = bound(HeartForm, {"bp_known": "no", "bp_systolic": "130", "bp_diastolic": "80"})
    assert codes(form, "bp_known") == ["reading_without_yes"]


def test_typing_a_reading_answers_whether_one_is_known():
    form = bound(HeartForm, {"bp_systolic": "190", "bp_diastolic": "100", **typed("bp_date", "19", "11", "2026")})
    assert form.is_valid()
    assert form.column_values()["bp_known"] == "yes"
    assert form.column_values()["bp_systolic"] == 190


def test_a_crisis_reading_is_accepted_because_forms_never_decide_eligibility():
    assert bound(HeartForm, {"bp_known": "yes", "bp_systolic": "230", "bp_diastolic": "130"}).is_valid()


# --- Mental health and antidepressant rows ---------------------------------------------------


def rows(prefix, *items):
    data = {f"{prefix}-TOTAL_FORMS": str(len(items)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, item in enumerate(items):
        data.update({f"{prefix}-{index}-{key}": value for key, value in item.items()})
    return data


def test_a_trial_row_needs_a_name():
    formset = TrialFormSet(rows("trials", {"weeks": "8"}), prefix="trials")
    assert not formset.is_valid()
    assert formset.forms[0].errors.as_data()["name"][0].code == "name_required"


@pytest.mark.parametrize(("weeks", "code"), [("521", "max_value"), ("-1", "min_value"), ("six", "invalid")])
def test_a_trial_row_refuses_impossible_weeks(weeks, code):
    formset = TrialFormSet(rows("trials", {"name": "sertraline", "weeks": weeks}), prefix="trials")
    assert not formset.is_valid()
    assert formset.forms[0].errors.as_data()["weeks"][0].code == code


def test_listed_antidepressants_contradict_no():
    data = {"antidepressants_tried": "no", **rows("trials", {"name": "sertraline", "weeks": "8"})}
    form, formset = MentalHealthForm(data, intake=Intake()), TrialFormSet(data, prefix="trials")
    assert form.is_valid() and formset.is_valid()
    form.clean_rows(formset)
    assert codes(form, "antidepressants_tried") == ["rows_without_yes"]


def test_listed_antidepressants_answer_the_question_and_blank_rows_are_dropped():
    data = rows("trials", {"name": "sertraline", "weeks": "8", "full_dose": "yes", "helped": "no"}, {"name": ""})
    form, formset = MentalHealthForm(data, intake=Intake()), TrialFormSet(data, prefix="trials")
    assert form.is_valid() and formset.is_valid()
    form.clean_rows(formset)
    assert form.column_values()["antidepressants_tried"] == "yes"
    assert form.row_values(formset) == [{"name": "sertraline", "weeks": 8, "full_dose": "yes", "helped": "no"}]


def test_more_than_thirty_rows_are_refused():
    data = rows("trials", *[{"name": f"drug {n}"} for n in range(31)])
    assert not TrialFormSet(data, prefix="trials").is_valid()


# --- Questionnaires --------------------------------------------------------------------------------


def test_phq9_and_gad7_use_the_official_response_options():
    options = [label for _value, label in PHQ9Form.base_fields["phq9_1"].choices]
    assert options == ["Not at all", "Several days", "More than half the days", "Nearly every day"]
    assert [label for _v, label in GAD7Form.base_fields["gad7_1"].choices][0] == "Not at all"
    assert PHQ9Form.base_fields["phq9_9"].label.endswith(
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )


@pytest.mark.parametrize("value", ["4", "-1", "1.5", "nearly"])
def test_a_questionnaire_item_refuses_a_forged_score(value):
    assert codes(bound(PHQ9Form, {"phq9_3": value}), "phq9_3") == ["invalid_choice"]


def test_questionnaire_items_are_stored_as_integers_and_unanswered_as_null():
    form = bound(PHQ9Form, {"phq9_1": "0", "phq9_9": "3"})
    values = form.column_values()
    assert values["phq9_1"] == 0
    assert values["phq9_9"] == 3
    assert values["phq9_2"] is None


def test_a_valid_item_9_survives_a_forged_value_elsewhere_on_the_page():
    form = bound(PHQ9Form, {"phq9_1": "7", "phq9_9": "2"})
    assert not form.is_valid()
    assert form.safety_values() == {"phq9_9": 2}


def test_audit_c_uses_its_official_options_and_dast10_is_yes_no():
    assert [label for _v, label in SubstanceForm.base_fields["auditc_1"].choices] == [
        "Never",
        "Monthly or less",
        "2 to 4 times a month",
        "2 to 3 times a week",
        "4 or more times a week",
    ]
    assert SubstanceForm.base_fields["dast10_3"].label == "3. Are you always able to stop using drugs when you want to?"
    assert [v for v, _label in SubstanceForm.base_fields["dast10_1"].choices] == ["yes", "no"]


def test_cssrs_shows_follow_ups_only_after_a_yes():
    intake = Intake(cssrs_q2="no", cssrs_q6="no")
    form = CSSRSForm(intake=intake)
    assert not form.show_q3_q5 and not form.show_q6_timing
    intake.cssrs_q2, intake.cssrs_q6 = "yes", "yes"
    form = CSSRSForm(intake=intake)
    assert form.show_q3_q5 and form.show_q6_timing


def test_cssrs_keeps_answers_to_questions_the_skip_logic_would_not_ask():
    form = bound(CSSRSForm, {"cssrs_q2": "no", "cssrs_q4": "yes"})
    assert form.is_valid()
    assert form.column_values()["cssrs_q4"] == "yes"


def test_cssrs_has_no_i_dont_know_because_the_spec_takes_yes_no_or_nothing():
    assert [v for v, _label in CSSRSForm.base_fields["cssrs_q1"].choices] == ["yes", "no"]


# --- Medications, goals, consent --------------------------------------------------------------------


def test_a_medication_row_needs_a_name_and_listed_medicines_contradict_none():
    formset = MedicationFormSet(rows("meds", {"dose": "50 mg"}), prefix="meds")
    assert not formset.is_valid()
    data = {"takes_medications": "no", **rows("meds", {"name": "Sertraline"})}
    form, formset = MedicationsForm(data, intake=Intake()), MedicationFormSet(data, prefix="meds")
    assert form.is_valid() and formset.is_valid()
    form.clean_rows(formset)
    assert codes(form, "takes_medications") == ["rows_without_yes"]


def test_over_long_text_is_refused_with_its_limit():
    form = bound(GoalsForm, {"treatment_goals": "x" * 4001})
    assert codes(form, "treatment_goals") == ["max_length"]
    assert bound(GoalsForm, {"treatment_goals": "x" * 4000}).is_valid()


def test_a_nul_byte_is_refused_with_a_plain_message():
    form = bound(GoalsForm, {"treatment_goals": "sleep\x00better"})
    assert codes(form, "treatment_goals") == ["null_characters_not_allowed"]
    assert "null byte" in form.errors["treatment_goals"][0]


@pytest.fixture
def consent():
    return ConsentVersion.objects.get(version="2026.1")


def test_consent_needs_the_tick_and_the_account_name(consent):
    form = ConsentForm(
        {"consent_version": "2026.1", "signature": "Someone Else"}, full_name="Alice Patient", current_consent=consent
    )
    assert not form.is_valid()
    assert form.errors.as_data()["agree"][0].code == "required"
    assert form.errors.as_data()["signature"][0].code == "signature_mismatch"


def test_consent_accepts_the_name_in_any_case_and_spacing(consent):
    form = ConsentForm(
        {"consent_version": "2026.1", "agree": "on", "signature": "  alice   PATIENT "},
        full_name="Alice Patient",
        current_consent=consent,
    )
    assert form.is_valid()
    assert form.cleaned_data["consent_version"] == consent


def test_consent_refuses_a_text_that_changed_since_the_page_was_opened(consent):
    form = ConsentForm(
        {"consent_version": "2025.9", "agree": "on", "signature": "Alice Patient"},
        full_name="Alice Patient",
        current_consent=consent,
    )
    assert form.errors.as_data()["consent_version"][0].code == "consent_changed"
