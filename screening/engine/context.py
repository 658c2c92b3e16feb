"""Everything the rules read, derived once per document from validated facts.

Rules are independent of one another: where the spec makes one rule depend on
another ("only the highest of BP-01/02/03", "SAF-04 ... and SAF-03 did not fire",
"PSY-08 ... and PSY-07 did not fire") the condition is computed here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

from . import scoring
from .facts import DAST10, GAD7, PHQ9, Answer, Facts
from .medications import match_parts

# Spec §5.3: BP-02 fires above a diastolic of 100 (Swiss ketamine label: untreated or
# poorly controlled hypertension above 180/100 at rest).
BP02_DIASTOLIC_ABOVE: Final = 100

# Spec §5.5: DAST-10 >= 6 ("substantial", Skinner 1982) is PSY-07's threshold.
DAST10_EXCLUDE_FROM: Final = 6


# The band of every possible total, prepared once (scores and the DAST-10 rules read them).
PHQ9_BAND_BY_TOTAL: Final = scoring.band_table(scoring.PHQ9_BANDS, PHQ9.length * PHQ9.high)
GAD7_BAND_BY_TOTAL: Final = scoring.band_table(scoring.GAD7_BANDS, GAD7.length * GAD7.high)
DAST10_BAND_BY_TOTAL: Final = scoring.band_table(scoring.DAST10_BANDS, DAST10.length)


# Not frozen: built for every document, and a frozen dataclass's __init__ pays an
# object.__setattr__ call per field. Nothing writes to it after it is built.
@dataclass(slots=True)
class MedicationMatches:
    """Medications grouped for the DDI rules: ``{path: name as entered}`` maps."""

    by_class: Mapping[str, Mapping[str, str]]
    unmatched: Mapping[str, str]


# Not frozen: built for every document, and a frozen dataclass's __init__ pays an
# object.__setattr__ call per field. Nothing writes to it after it is built.
@dataclass(slots=True)
class Context:
    facts: Facts
    answers: Mapping[str, Answer]
    age: int | None
    bmi_tenths: int | None
    systolic: int | None
    diastolic: int | None
    plausible_bp: bool
    bp01: bool
    bp02: bool
    event_days: int | None  # days since a dated cardiovascular event
    bp_days: int | None  # days since the blood-pressure reading (None: undated)
    phq9_total: int | None
    gad7_total: int | None
    auditc_total: int | None
    auditc_partial: int
    auditc_cutoff: int
    dast10_points: tuple[int | None, ...]
    dast10_total: int | None
    psy07: bool
    saf03: bool
    saf04: bool
    medications: MedicationMatches | None  # None: medications not answered
    #: ``medications.by_class``, or empty when medications were not answered.
    medication_classes: Mapping[str, Mapping[str, str]]


def _days_since(day: date | None, reference: date) -> int | None:
    return None if day is None else (reference - day).days


# The path of each medication's name, for the first hundred, written once.
_NAME_PATHS: Final = tuple(f"medications[{number}].name" for number in range(100))


_NO_CLASSES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType({})


def match_medications(facts: Facts) -> MedicationMatches | None:
    if facts.medications is None:
        return None
    by_class: dict[str, dict[str, str]] = {}
    unmatched: dict[str, str] = {}
    for number, medication in enumerate(facts.medications, start=1):
        path = _NAME_PATHS[number] if number < len(_NAME_PATHS) else f"medications[{number}].name"
        parts = match_parts(medication.name)
        if not parts:
            unmatched[path] = medication.name
        for _part, drug_class, known in parts:
            if drug_class is not None:
                by_class.setdefault(drug_class, {})[path] = medication.name
            elif not known:
                unmatched[path] = medication.name
    return MedicationMatches(by_class, unmatched)


def build_context(facts: Facts) -> Context:
    answers = facts.answers
    reference = facts.assessment_date

    age = facts.age  # scoring.age_on(date of birth, assessment date), by validate_facts
    weight, height = answers["patient.weight_kg"], answers["patient.height_cm"]
    bmi = None
    if isinstance(weight, (int, float)) and isinstance(height, (int, float)):
        bmi = scoring.bmi_tenths(weight, height)

    systolic = answers["vitals.bp_systolic"]
    if type(systolic) is not int:
        systolic = None
    diastolic = answers["vitals.bp_diastolic"]
    if type(diastolic) is not int:
        diastolic = None
    plausible = scoring.plausible_reading(systolic, diastolic)
    bp01 = scoring.crisis_value(systolic, diastolic)
    bp02 = plausible and not bp01 and diastolic is not None and diastolic > BP02_DIASTOLIC_ABOVE

    event_days = None
    if answers["medical.cardiovascular_event"] == "yes":
        event_days = _days_since(facts.dates.get("medical.cardiovascular_event_date"), reference)

    dast_points = scoring.dast10_points(facts.dast10)
    dast_total = scoring.complete_sum(dast_points)
    # A total can only grow: the answered items alone may already reach the threshold.
    # An unanswered item 3 counts as its scoring answer ("no") here, because an unknown must
    # never read calmer than a "no" would (spec §1.2); the reported total stays null.
    dast_floor = scoring.partial_sum(dast_points)
    if facts.dast10[scoring.DAST10_REVERSED_ITEM - 1] is None:
        dast_floor += 1
    psy07 = dast_floor >= DAST10_EXCLUDE_FROM or answers["substance.drug_use_disorder_current"] == "yes"

    q = answers
    q6_recent = q["instruments.cssrs.q6_past_3_months"] == "yes"  # counts as Q6 yes within 3 months
    saf03 = q["instruments.cssrs.q4"] == "yes" or q["instruments.cssrs.q5"] == "yes" or q6_recent
    saf04 = not saf03 and (q["instruments.cssrs.q3"] == "yes" or q["instruments.cssrs.q6"] == "yes")

    auditc_total = scoring.complete_sum(facts.auditc)
    matches = match_medications(facts)
    return Context(
        facts=facts,
        answers=answers,
        age=age,
        bmi_tenths=bmi,
        systolic=systolic,
        diastolic=diastolic,
        plausible_bp=plausible,
        bp01=bp01,
        bp02=bp02,
        event_days=event_days,
        bp_days=_days_since(facts.dates.get("vitals.bp_date"), reference),
        phq9_total=scoring.complete_sum(facts.phq9),
        gad7_total=scoring.complete_sum(facts.gad7),
        auditc_total=auditc_total,
        auditc_partial=scoring.partial_sum(facts.auditc) if auditc_total is None else auditc_total,
        auditc_cutoff=scoring.auditc_cutoff(answers["patient.sex_at_birth"]),
        dast10_points=dast_points,
        dast10_total=dast_total,
        psy07=psy07,
        saf03=saf03,
        saf04=saf04,
        medications=matches,
        medication_classes=_NO_CLASSES if matches is None else matches.by_class,
    )
