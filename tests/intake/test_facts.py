"""intake/facts.py: the one mapping from answers to the facts document (SCREENING_SPEC §3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.facts import build_facts, failed_adequate_trials
from intake.models import AntidepressantTrial, Intake, IntakeMedication
from screening.engine import validate_facts
from screening.models import MeasuredVitals

TODAY = dt.date(2026, 11, 20)


def facts_of(intake: Intake, **kwargs) -> dict:
    facts = build_facts(intake, assessment_date=TODAY, **kwargs)
    validate_facts(facts)  # never an invalid document
    return facts


def trial(**values) -> AntidepressantTrial:
    return AntidepressantTrial(**{"name": "sertraline", "weeks": 8, "full_dose": "yes", "helped": "no", **values})


def test_an_empty_intake_gives_a_valid_document_of_unknowns(intake):
    facts = facts_of(intake)
    assert facts["schema"] == "intake-facts/1"
    assert facts["assessment_date"] == "2026-11-20"
    assert facts["routes"] == ["esketamine", "ketamine"]
    assert facts["medical"]["aneurysm"] is None
    assert facts["vitals"] == {"bp_systolic": None, "bp_diastolic": None, "bp_source": "unknown", "bp_date": None}
    assert facts["psychiatric"]["failed_antidepressant_trials"] is None
    assert facts["medications"] is None
    assert facts["instruments"] == {}


def test_i_dont_know_is_unknown_and_never_no(intake):
    intake.aneurysm = "unknown"
    intake.heart_failure = "unknown"
    facts = facts_of(intake)
    assert facts["medical"]["aneurysm"] == "unknown"
    assert facts["medical"]["heart_failure"] == "unknown"
    assert facts["medical"]["glaucoma"] is None


@pytest.mark.parametrize(
    ("preference", "routes"),
    [
        ("esketamine", ["esketamine"]),
        ("ketamine", ["ketamine"]),
        ("unsure", ["esketamine", "ketamine"]),
        (None, ["esketamine", "ketamine"]),
    ],
)
def test_it_maps_the_treatment_asked_about_to_routes(intake, preference, routes):
    intake.route_preference = preference
    assert facts_of(intake)["routes"] == routes


def test_a_typed_blood_pressure_is_self_reported(intake):
    intake.bp_systolic, intake.bp_diastolic, intake.bp_date = 124, 78, dt.date(2026, 11, 18)
    assert facts_of(intake)["vitals"] == {
        "bp_systolic": 124,
        "bp_diastolic": 78,
        "bp_source": "self_reported",
        "bp_date": "2026-11-18",
    }


def test_measured_vitals_replace_the_patients_reading_and_weight(intake):
    intake.bp_systolic, intake.bp_diastolic, intake.weight_kg = 190, 100, Decimal("80.0")
    vitals = MeasuredVitals(bp_systolic=128, bp_diastolic=82, bp_date=dt.date(2026, 11, 19), weight_kg=Decimal("79.5"))
    facts = facts_of(intake, vitals=[vitals])
    assert facts["vitals"] == {"bp_systolic": 128, "bp_diastolic": 82, "bp_source": "measured", "bp_date": "2026-11-19"}
    assert facts["patient"]["weight_kg"] == 79.5


def test_a_measured_weight_alone_keeps_the_self_reported_reading(intake):
    intake.bp_systolic, intake.bp_diastolic = 130, 85
    facts = facts_of(intake, vitals=[MeasuredVitals(weight_kg=Decimal("70.0"))])
    assert facts["vitals"]["bp_source"] == "self_reported"
    assert facts["patient"]["weight_kg"] == 70.0


def test_the_event_date_goes_only_beside_a_yes(intake):
    intake.cardiovascular_event_date = dt.date(2026, 10, 21)
    for answer in (None, "no", "unknown"):
        intake.cardiovascular_event = answer
        assert facts_of(intake)["medical"]["cardiovascular_event_date"] is None
    intake.cardiovascular_event = "yes"
    assert facts_of(intake)["medical"]["cardiovascular_event_date"] == "2026-10-21"


def test_dates_after_the_assessment_date_and_ages_over_120_are_left_out(intake):
    intake.date_of_birth = dt.date(1900, 1, 1)
    intake.cardiovascular_event, intake.cardiovascular_event_date = "yes", dt.date(2026, 12, 1)
    intake.bp_systolic, intake.bp_diastolic, intake.bp_date = 120, 80, dt.date(2027, 1, 1)
    facts = facts_of(intake)
    assert "date_of_birth" not in facts["patient"]
    assert facts["medical"]["cardiovascular_event_date"] is None
    assert facts["vitals"]["bp_date"] is None


def test_weights_and_heights_outside_the_spec_ranges_are_left_out(intake):
    intake.weight_kg, intake.height_cm = Decimal("29.9"), Decimal("230.1")
    facts = facts_of(intake)
    assert facts["patient"]["weight_kg"] is None
    assert facts["patient"]["height_cm"] is None
    intake.weight_kg, intake.height_cm = Decimal("68.0"), Decimal("168.0")
    assert facts_of(intake)["patient"] == {"weight_kg": 68.0, "height_cm": 168.0}


def test_instruments_keep_unanswered_items_as_null_and_leave_out_unanswered_instruments(intake):
    intake.phq9_1, intake.phq9_9 = 2, 0
    intake.cssrs_q1, intake.cssrs_q2 = "no", "yes"
    facts = facts_of(intake)
    assert facts["instruments"]["phq9"] == [2, None, None, None, None, None, None, None, 0]
    assert "gad7" not in facts["instruments"]
    assert facts["instruments"]["cssrs"] == {"q1": "no", "q2": "yes"}


@pytest.mark.parametrize(
    ("takes", "rows", "expected"),
    [
        (None, [], None),
        ("no", [], []),
        ("yes", [], None),
        ("yes", [("Sertraline 100 mg", "", "")], [{"name": "Sertraline 100 mg"}]),
        (
            "yes",
            [("Lamotrigine", "100 mg", "twice a day")],
            [{"name": "Lamotrigine", "dose": "100 mg", "frequency": "twice a day"}],
        ),
    ],
)
def test_medications_are_null_when_not_answered_and_empty_for_none(intake, takes, rows, expected):
    intake.takes_medications = takes
    intake.save()
    for position, (name, dose, frequency) in enumerate(rows):
        IntakeMedication.objects.create(intake=intake, position=position, name=name, dose=dose, frequency=frequency)
    assert facts_of(intake)["medications"] == expected


@pytest.mark.parametrize(
    ("tried", "trials", "count"),
    [
        (None, [], None),
        ("unknown", [], None),
        ("no", [], 0),
        ("yes", [], None),
        ("yes", [trial(), trial(), trial()], 3),
        # 5 weeks is not an adequate trial; a trial that helped has not failed.
        ("yes", [trial(weeks=5), trial(helped="yes"), trial(full_dose="no")], 0),
        ("yes", [trial(weeks=6), trial(weeks=6)], 2),
        # One known failure and a trial whose dose is unknown: the count could be 2, so unknown.
        ("yes", [trial(), trial(full_dose="unknown")], None),
        ("yes", [trial(), trial(weeks=None)], None),
        # Two known failures: the threshold is met whatever the third trial was.
        ("yes", [trial(), trial(), trial(helped="unknown")], 2),
    ],
)
def test_it_counts_failed_adequate_antidepressant_trials(tried, trials, count):
    assert failed_adequate_trials(tried, trials) == count


def test_the_trial_count_reaches_the_document(intake):
    intake.antidepressants_tried = "yes"
    intake.save()
    for position in range(3):
        AntidepressantTrial.objects.create(
            intake=intake, position=position, name="x", weeks=8, full_dose="yes", helped="no"
        )
    assert facts_of(intake)["psychiatric"]["failed_antidepressant_trials"] == 3


TRI = st.sampled_from([None, "yes", "no", "unknown"])
YN = st.sampled_from([None, "yes", "no"])
DATES = st.one_of(st.none(), st.dates(min_value=dt.date(1880, 1, 1), max_value=dt.date(2030, 12, 31)))
DECIMALS = st.one_of(st.none(), st.decimals(min_value=0, max_value=9999, places=1))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tris=st.fixed_dictionaries(
        dict.fromkeys(
            (
                "aneurysm",
                "cardiovascular_event",
                "hypertension_diagnosed",
                "psychotic_disorder",
                "has_ride_home",
                "antidepressants_tried",
                "pregnancy_possible",
            ),
            TRI,
        )
    ),
    dob=DATES,
    event_date=DATES,
    bp_date=DATES,
    weight=DECIMALS,
    height=DECIMALS,
    systolic=st.one_of(st.none(), st.integers(0, 400)),
    diastolic=st.one_of(st.none(), st.integers(0, 400)),
    phq9=st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=9, max_size=9),
    cssrs=st.lists(YN, min_size=7, max_size=7),
    takes=YN,
    sex=st.sampled_from([None, "female", "male", "intersex", "unknown"]),
    route=st.sampled_from([None, "esketamine", "ketamine", "unsure"]),
)
def test_any_state_of_an_intake_gives_a_valid_document(
    intake, tris, dob, event_date, bp_date, weight, height, systolic, diastolic, phq9, cssrs, takes, sex, route
):
    for name, value in tris.items():
        setattr(intake, name, value)
    intake.date_of_birth, intake.cardiovascular_event_date, intake.bp_date = dob, event_date, bp_date
    intake.weight_kg, intake.height_cm = weight, height
    intake.bp_systolic, intake.bp_diastolic = systolic, diastolic
    for n, item in enumerate(phq9, start=1):
        setattr(intake, f"phq9_{n}", item)
    for key, answer in zip(("q1", "q2", "q3", "q4", "q5", "q6", "q6_past_3_months"), cssrs, strict=True):
        setattr(intake, f"cssrs_{key}", answer)
    intake.takes_medications, intake.sex_at_birth, intake.route_preference = takes, sex, route
    facts_of(intake)
