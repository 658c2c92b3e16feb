"""The one mapping from an intake's answers to the facts document ``intake-facts/1``.

SCREENING_SPEC.md §3 defines the document. This module is the only place that knows how a
column of :class:`intake.models.Intake` becomes a key of it, and it must produce a *valid*
document for any state of any intake, draft or submitted: a value the engine would refuse
(a date after the assessment date, an age over 120, a weight outside 30–300 kg) is left
out, which the engine reads as unknown. The forms refuse such values in the first place;
this is the second line, so that a real intake always gets its safety flags.

Unknown is never "no": an unanswered question (``NULL``) is left out or ``null``, and the
patient's "I don't know" is ``"unknown"``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from intake.models import AntidepressantTrial, Intake, IntakeMedication, Tri
from screening.engine import FACTS_SCHEMA
from screening.engine.facts import ALL_ROUTES, CSSRS_KEYS, MAX_AGE_YEARS, valid_range
from screening.engine.facts import SECTIONS as FACTS_SECTIONS
from screening.engine.scoring import age_on

if TYPE_CHECKING:
    from screening.models import MeasuredVitals

# SCREENING_SPEC §3: the ranges the facts validator accepts.
WEIGHT_KG_RANGE = tuple(Decimal(n) for n in valid_range("patient.weight_kg"))
HEIGHT_CM_RANGE = tuple(Decimal(n) for n in valid_range("patient.height_cm"))
BP_RANGE = valid_range("vitals.bp_systolic")
MAX_FAILED_TRIALS = 30

# An adequate trial (McIntyre et al., Am J Psychiatry 2021): at least 6 weeks at a full dose.
ADEQUATE_TRIAL_WEEKS = 6

# The answer columns of each section are the facts document's own fields (the engine's
# schema, SCREENING_SPEC §3), less those this module maps by hand: the event date (only beside
# a "yes") and the failed-trial count (counted from the antidepressant rows).
_MAPPED_BY_HAND = frozenset({"cardiovascular_event_date", "failed_antidepressant_trials"})


def _section_fields(section: str) -> tuple[str, ...]:
    return tuple(name for name in FACTS_SECTIONS[section] if name not in _MAPPED_BY_HAND)


REPRODUCTIVE_FIELDS = _section_fields("reproductive")
MEDICAL_FIELDS = _section_fields("medical")
PSYCHIATRIC_FIELDS = _section_fields("psychiatric")
SUBSTANCE_FIELDS = _section_fields("substance")
PHQ9_FIELDS = tuple(f"phq9_{n}" for n in range(1, 10))
GAD7_FIELDS = tuple(f"gad7_{n}" for n in range(1, 8))
AUDITC_FIELDS = tuple(f"auditc_{n}" for n in range(1, 4))
DAST10_FIELDS = tuple(f"dast10_{n}" for n in range(1, 11))


def _date(value: dt.date | None, assessment_date: dt.date) -> str | None:
    """An ISO date, or None when there is none or it lies after the reference date."""
    if value is None or value > assessment_date:
        return None
    return value.isoformat()


def _number(value: Decimal | None, bounds: tuple[Decimal, Decimal]) -> float | None:
    """A Decimal column as a JSON number, or None outside the range the spec accepts."""
    if value is None or not bounds[0] <= value <= bounds[1]:
        return None
    return float(value)


def _bp(value: int | None) -> int | None:
    if value is None or not BP_RANGE[0] <= value <= BP_RANGE[1]:
        return None
    return int(value)


def routes_for(preference: str | None) -> list[str]:
    """The routes to screen for a stated preference: "Not sure" and no answer mean every route."""
    return [preference] if preference in ALL_ROUTES else list(ALL_ROUTES)


def _routes(intake: Intake) -> list[str]:
    return routes_for(intake.route_preference)


@dataclass(frozen=True)
class MeasuredReadings:
    """The measured rows that feed the facts, one per kind of measurement.

    Each kind comes from the newest row that holds it: a row with a weight only never hides
    an earlier measured blood pressure, and the reverse. ``None``: never measured, so the
    patient's own figure stands.
    """

    bp: MeasuredVitals | None = None
    weight: MeasuredVitals | None = None
    height: MeasuredVitals | None = None


def measured_readings(rows: Iterable[MeasuredVitals]) -> MeasuredReadings:
    """The newest row holding a blood pressure, a weight and a height, from ``rows`` in any order."""
    newest_first = sorted(rows, key=lambda row: (row.recorded_at, row.pk or 0), reverse=True)

    def newest(has: str) -> MeasuredVitals | None:
        return next((row for row in newest_first if getattr(row, has, None) is not None), None)

    return MeasuredReadings(bp=newest("bp_systolic"), weight=newest("weight_kg"), height=newest("height_cm"))


def _patient(intake: Intake, assessment_date: dt.date, measured: MeasuredReadings) -> dict[str, Any]:
    section: dict[str, Any] = {}
    birth = _date(intake.date_of_birth, assessment_date)
    if birth is not None and age_on(intake.date_of_birth, assessment_date) <= MAX_AGE_YEARS:  # type: ignore[arg-type]
        section["date_of_birth"] = birth
    if intake.sex_at_birth:
        section["sex_at_birth"] = intake.sex_at_birth
    # Measured by staff: replaces the patient's own figure; else what the patient reported.
    weight = measured.weight.weight_kg if measured.weight is not None else intake.weight_kg
    height = measured.height.height_cm if measured.height is not None else intake.height_cm
    section["weight_kg"] = _number(weight, WEIGHT_KG_RANGE)
    section["height_cm"] = _number(height, HEIGHT_CM_RANGE)
    return section


def _vitals(intake: Intake, assessment_date: dt.date, measured: MeasuredReadings) -> dict[str, Any]:
    if measured.bp is not None:
        return {
            "bp_systolic": _bp(measured.bp.bp_systolic),
            "bp_diastolic": _bp(measured.bp.bp_diastolic),
            "bp_source": "measured",
            "bp_date": _date(measured.bp.bp_date, assessment_date),
        }
    systolic, diastolic = _bp(intake.bp_systolic), _bp(intake.bp_diastolic)
    if systolic is None and diastolic is None:
        return {"bp_systolic": None, "bp_diastolic": None, "bp_source": "unknown", "bp_date": None}
    # What the patient typed is never a measurement, however recent (spec BP-07).
    return {
        "bp_systolic": systolic,
        "bp_diastolic": diastolic,
        "bp_source": "self_reported",
        "bp_date": _date(intake.bp_date, assessment_date),
    }


def _choices(intake: Intake, names: tuple[str, ...]) -> dict[str, str | None]:
    # NULL (not answered) stays null; the patient's "I don't know" is already "unknown".
    return {name: getattr(intake, name) or None for name in names}


def _medical(intake: Intake, assessment_date: dt.date) -> dict[str, Any]:
    section = _choices(intake, MEDICAL_FIELDS)
    # §3: a date only beside a "yes"; any other pairing is a contradiction the engine refuses.
    event_date = _date(intake.cardiovascular_event_date, assessment_date)
    section["cardiovascular_event_date"] = event_date if intake.cardiovascular_event == Tri.YES else None
    return section


def failed_adequate_trials(tried: str | None, trials: list[AntidepressantTrial]) -> int | None:
    """How many antidepressants failed after an adequate trial in this episode, or None if unknown.

    A trial counts when it lasted at least 6 weeks, reached a full dose (``yes``) and did not
    help enough (``helped`` is ``no``). "No antidepressant tried" is 0; not answered or "I
    don't know" is unknown. When fewer than two trials are known to have failed and some row
    still has an unknown that could make it a failed adequate trial, the count is unknown too:
    a lower bound below the threshold of two must not pass for the true number.
    """
    if tried == Tri.NO:
        return 0
    if tried != Tri.YES or not trials:
        return None
    failed = 0
    undecided = 0
    for trial in trials:
        long_enough = None if trial.weeks is None else trial.weeks >= ADEQUATE_TRIAL_WEEKS
        full_dose = None if trial.full_dose in (None, "", Tri.UNKNOWN) else trial.full_dose == Tri.YES
        did_not_help = None if trial.helped in (None, "", Tri.UNKNOWN) else trial.helped == Tri.NO
        parts = (long_enough, full_dose, did_not_help)
        if all(part is True for part in parts):
            failed += 1
        elif False not in parts:
            undecided += 1
    if failed < 2 and undecided:
        return None
    return min(failed, MAX_FAILED_TRIALS)


def _medications(intake: Intake, rows: list[IntakeMedication]) -> list[dict[str, str]] | None:
    if intake.takes_medications == "no":
        return []
    if intake.takes_medications != "yes":
        return None
    medications = []
    for row in rows:
        if not row.name.strip():
            continue
        item = {"name": row.name}
        if row.dose.strip():
            item["dose"] = row.dose
        if row.frequency.strip():
            item["frequency"] = row.frequency
        medications.append(item)
    # "Yes" with no usable row tells us nothing about which drugs: not answered.
    return medications or None


def _list_instrument(intake: Intake, names: tuple[str, ...]) -> list[Any] | None:
    items = [getattr(intake, name) for name in names]
    # An instrument with no answer at all is left out (unknown); a partial one keeps its nulls.
    if all(item is None or item == "" for item in items):
        return None
    return [None if item == "" else item for item in items]


def _instruments(intake: Intake) -> dict[str, Any]:
    section: dict[str, Any] = {}
    for key, names in (
        ("phq9", PHQ9_FIELDS),
        ("gad7", GAD7_FIELDS),
        ("auditc", AUDITC_FIELDS),
        ("dast10", DAST10_FIELDS),
    ):
        items = _list_instrument(intake, names)
        if items is not None:
            section[key] = items
    cssrs = {key: getattr(intake, f"cssrs_{key}") for key in CSSRS_KEYS if getattr(intake, f"cssrs_{key}")}
    if cssrs:
        section["cssrs"] = cssrs
    return section


def build_facts(
    intake: Intake,
    *,
    assessment_date: dt.date,
    vitals: Iterable[MeasuredVitals] = (),
    trials: list[AntidepressantTrial] | None = None,
    medications: list[IntakeMedication] | None = None,
) -> dict[str, Any]:
    """The facts document of ``intake`` on ``assessment_date`` (SCREENING_SPEC §3).

    ``vitals`` are the rows measured by staff, in any order. The newest row holding a blood
    pressure replaces the patient's own reading (``bp_source`` "measured", with that row's
    date); the newest row holding a weight, and the newest holding a height, replace the
    patient's figures (see :func:`measured_readings`). Reads the intake's medication and
    antidepressant rows (two queries, none when they were prefetched) unless ``trials`` and
    ``medications`` are given: the FHIR import (screening/fhir.py) passes the rows it read back
    from a QuestionnaireResponse, for an intake that is not in the database.
    """
    measured = measured_readings(vitals)
    trials = list(intake.antidepressant_trials.all()) if trials is None else trials
    medications = list(intake.medications.all()) if medications is None else medications
    psychiatric: dict[str, Any] = _choices(intake, PSYCHIATRIC_FIELDS)
    psychiatric["failed_antidepressant_trials"] = failed_adequate_trials(intake.antidepressants_tried, trials)
    return {
        "schema": FACTS_SCHEMA,
        "assessment_date": assessment_date.isoformat(),
        "routes": _routes(intake),
        "patient": _patient(intake, assessment_date, measured),
        "reproductive": _choices(intake, REPRODUCTIVE_FIELDS),
        "vitals": _vitals(intake, assessment_date, measured),
        "medical": _medical(intake, assessment_date),
        "psychiatric": psychiatric,
        "substance": _choices(intake, SUBSTANCE_FIELDS),
        "logistics": {"has_ride_home": intake.has_ride_home or None},
        "instruments": _instruments(intake),
        "medications": _medications(intake, medications),
    }
