"""Measured vitals in the facts: each kind of measurement (blood pressure, weight, height)
comes from the newest measured row that holds it, else from what the patient reported.

Issue 9: a weight recorded alone after a measured crisis blood pressure used to drop BP-01
(only the newest row was read)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.facts import build_facts, measured_readings
from intake.models import Intake
from screening.engine import screen
from screening.models import MeasuredVitals
from tests.factories import SubmittedIntakeFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)
START = timezone.make_aware(dt.datetime(2026, 11, 1, 9, 0))

# The rules that read only the blood pressure (with answers no measurement changes), and the
# rules that read only the weight and height (SCREENING_SPEC §5.3 and §5.4, MED-12, MED-13).
BP_RULES = ("BP-",)
BODY_RULES = ("MED-12", "MED-13")


def _row(minutes: int, **values: object) -> MeasuredVitals:
    return MeasuredVitals(recorded_at=START + dt.timedelta(minutes=minutes), **values)


def _bp(minutes: int, systolic: int, diastolic: int, day: dt.date = TODAY) -> MeasuredVitals:
    return _row(minutes, bp_systolic=systolic, bp_diastolic=diastolic, bp_date=day)


@pytest.fixture
def intake() -> Intake:
    """A calm submitted intake whose own reading is self-reported and normal."""
    return SubmittedIntakeFactory(bp_systolic=122, bp_diastolic=78, weight_kg=Decimal("70.0"))


def _flags(facts: dict, prefixes: tuple[str, ...]) -> list[tuple[str, str, dict]]:
    return [
        (flag["rule"], flag["level"], flag["inputs"])
        for flag in screen(facts)["flags"]
        if flag["rule"].startswith(prefixes)
    ]


def test_a_weight_recorded_after_a_measured_crisis_reading_keeps_the_reading(intake):
    crisis = _bp(0, 190, 100, day=dt.date(2026, 11, 29))
    weight = _row(10, weight_kg=Decimal("82.0"))

    facts = build_facts(intake, assessment_date=TODAY, vitals=[weight, crisis])

    assert facts["vitals"] == {
        "bp_systolic": 190,
        "bp_diastolic": 100,
        "bp_source": "measured",
        "bp_date": "2026-11-29",
    }
    assert facts["patient"]["weight_kg"] == 82.0
    result = screen(facts)
    assert result["overall"] == "URGENT_MEDICAL"
    assert "BP-01" in {flag["rule"] for flag in result["flags"]}
    assert "BP-07" not in {flag["rule"] for flag in result["flags"]}


def test_a_reading_recorded_after_a_measured_weight_keeps_the_weight(intake):
    weight = _row(0, weight_kg=Decimal("91.5"), height_cm=Decimal("160.0"))
    reading = _bp(10, 124, 80)

    facts = build_facts(intake, assessment_date=TODAY, vitals=[reading, weight])

    assert facts["patient"]["weight_kg"] == 91.5
    assert facts["patient"]["height_cm"] == 160.0
    assert facts["vitals"]["bp_systolic"] == 124


def test_the_newest_row_of_each_kind_wins_and_the_patient_figure_is_the_fallback(intake):
    rows = [_bp(0, 150, 95), _row(5, weight_kg=Decimal("75.0")), _bp(10, 128, 82), _row(20, height_cm=Decimal("171"))]

    chosen = measured_readings(rows)

    assert (chosen.bp, chosen.weight, chosen.height) == (rows[2], rows[1], rows[3])
    assert measured_readings([]).bp is None
    facts = build_facts(intake, assessment_date=TODAY, vitals=[])
    assert facts["vitals"]["bp_source"] == "self_reported"
    assert facts["patient"]["weight_kg"] == 70.0


kinds = st.sampled_from(["bp", "weight", "height"])
systolic = st.integers(60, 260)
weights = st.decimals(Decimal("30.0"), Decimal("300.0"), places=1)
heights = st.decimals(Decimal("120.0"), Decimal("230.0"), places=1)


@st.composite
def rows_of(draw: st.DrawFn, kind: str, minutes: int) -> MeasuredVitals:
    if kind == "bp":
        high = draw(systolic)
        low = draw(st.integers(30, high - 1))
        day = TODAY - dt.timedelta(days=draw(st.integers(0, 400)))
        return _bp(minutes, high, low, day)
    if kind == "weight":
        return _row(minutes, weight_kg=draw(weights))
    return _row(minutes, height_cm=draw(heights))


@st.composite
def histories(draw: st.DrawFn) -> list[MeasuredVitals]:
    """Some earlier measured rows, each holding one or more kinds of measurement."""
    history = []
    for position in range(draw(st.integers(0, 4))):
        row = draw(rows_of(draw(kinds), position * 10))
        if draw(st.booleans()):  # sometimes a weight measured at the same visit
            row.weight_kg = draw(weights)
        history.append(row)
    return history


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    history=histories(),
    kind=kinds,
    new=st.data(),
    own_bp=st.one_of(st.none(), st.tuples(st.integers(90, 250), st.integers(50, 89))),
    own_weight=st.one_of(st.none(), weights),
    sleep_apnea=st.sampled_from(["yes", "no", "unknown", None]),
)
def test_a_row_of_one_kind_never_changes_a_flag_that_reads_only_another_kind(
    intake, history, kind, new, own_bp, own_weight, sleep_apnea
):
    intake.bp_systolic, intake.bp_diastolic = own_bp or (None, None)
    intake.weight_kg = own_weight
    intake.sleep_apnea = sleep_apnea
    added = new.draw(rows_of(kind, 1000))

    before = build_facts(intake, assessment_date=TODAY, vitals=history)
    after = build_facts(intake, assessment_date=TODAY, vitals=[*history, added])

    if kind == "bp":
        # A blood pressure alone: the weight, height and the flags that read them stand.
        assert after["patient"] == before["patient"]
        assert _flags(after, BODY_RULES) == _flags(before, BODY_RULES)
    else:
        # A weight or a height alone: the reading, its date and source, and every BP flag stand.
        assert after["vitals"] == before["vitals"]
        assert _flags(after, BP_RULES) == _flags(before, BP_RULES)
