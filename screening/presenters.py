"""How a screening result reads to a clinician: flags, their inputs and their missing answers
in words, and the one-line reason of the most severe flag.

The result document keeps the spec's field paths (``instruments.phq9[9]``,
``medications[3].name``: SCREENING_SPEC §6); a clinician never sees them. This module is the
presentation layer's one mapping from a path to words. The words are the engine's own labels
(``screening.engine.facts.field_label``), written once beside the schema: the flag messages
name fields with the same words; the page adds only the medicine the patient typed.

Unknown is never a finding: a value the patient did not give reads "not answered", and
the patient's own "I don't know" (stored as ``"unknown"``) reads "patient does not know".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intake.facts import measured_readings
from screening.engine import medications as meds
from screening.engine.facts import field_label
from screening.models import Level, MeasuredVitals

NOT_ANSWERED = "not answered"
PATIENT_DOES_NOT_KNOW = "patient does not know"
NOT_RECOGNISED = "Not recognised — reconcile"

# What a path the engine does not know reads as (never the path itself).
ANOTHER_ANSWER = "Another answer"

# The catalogue's interaction classes (SCREENING_SPEC §5.7) in a clinician's words.
DRUG_CLASS_WORDS = {
    meds.MAOI: "MAOI",
    meds.PSYCHOSTIMULANT: "psychostimulant",
    meds.CNS_DEPRESSANT: "CNS depressant",
    meds.LAMOTRIGINE: "lamotrigine",
    meds.SYMPATHOMIMETIC: "sympathomimetic",
    meds.CYP_MODULATOR: "strong CYP3A4/CYP2B6 modulator",
    meds.THEOPHYLLINE: "theophylline class",
}


def drug_class_words(drug_class: str | None) -> str:
    if not drug_class:
        return ""
    return DRUG_CLASS_WORDS.get(drug_class, drug_class.replace("_", " "))


BP_SOURCE_WORDS = {"measured": "measured by staff", "self_reported": "reported by the patient"}

_MEDICATION = re.compile(r"^medications\[(?P<number>\d+)\](?:\.name)?$")
# The explanation in brackets an engine label may end with: "PHQ-9 item 9 (thoughts of …)".
_GLOSS = re.compile(r" \([^()]*\)$")


def _medication_row(facts: Mapping[str, Any] | None, number: int) -> str:
    """The patient's medication ``number`` (1-based, as the spec's paths count) as typed."""
    rows = (facts or {}).get("medications") or []
    if not 1 <= number <= len(rows) or not isinstance(rows[number - 1], Mapping):
        return ""
    row = rows[number - 1]
    return " ".join(str(row[key]) for key in ("name", "dose") if row.get(key))


def path_label(path: str, facts: Mapping[str, Any] | None = None, *, short: bool = False) -> str:
    """A facts path in words, the engine's label: ``instruments.cssrs.q4`` is "C-SSRS Q4 (intent
    to act, past month)"; ``medications[3].name`` is "Medication 3: tramadol 50 mg" (the medicine
    as typed, from the facts the result was computed on).

    ``short`` leaves out the explanation in brackets of an instrument item, for the one-line
    reason: "PHQ-9 item 9", as clinicians cite items.
    """
    if match := _MEDICATION.match(path):
        number = int(match["number"])
        typed = _medication_row(facts, number)
        return f"Medication {number}: {typed}" if typed else f"Medication {number}"
    label = field_label(path)
    if label == path:
        return ANOTHER_ANSWER
    if short and path.startswith("instruments."):
        return _GLOSS.sub("", label)
    return label


def value_words(value: object) -> str:
    """An answer in words; an unknown never reads like a finding."""
    if value is None or value == "":
        return NOT_ANSWERED
    if value == "unknown":
        return PATIENT_DOES_NOT_KNOW
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list | tuple):
        return ", ".join(value_words(item) for item in value) or "none"
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {value_words(item)}" for key, item in value.items())
    text = str(value)
    return BP_SOURCE_WORDS.get(text, text.replace("_", " "))


def _day(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _short_day(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


def bp_words(vitals: Mapping[str, Any] | None, *, assessment_date: object = None) -> str:
    """The blood pressure a result used, with its source and age: "190/100 mmHg, measured by
    staff on 29 Nov 2026 (1 day before the screening)"."""
    vitals = vitals or {}
    systolic, diastolic = vitals.get("bp_systolic"), vitals.get("bp_diastolic")
    if systolic is None and diastolic is None:
        return NOT_ANSWERED
    reading = f"{value_words(systolic)}/{value_words(diastolic)} mmHg"
    source = vitals.get("bp_source")
    words = [reading, BP_SOURCE_WORDS.get(str(source), "source not known")]
    day, reference = _day(vitals.get("bp_date")), _day(assessment_date)
    if day is None:
        words.append("date not known")
    else:
        age = f"on {_short_day(day)} {day.year}"
        if reference is not None and reference >= day:
            days = (reference - day).days
            age += " (the day of the screening)" if days == 0 else f" ({days} day{'s' if days != 1 else ''} old)"
        words.append(age)
    return ", ".join(words)


@dataclass
class FlagView:
    rule: str
    level: str
    message: str
    source: str
    inputs: list[tuple[str, str, str]]
    missing: list[tuple[str, str]]
    unrecognised: list[str] = field(default_factory=list)
    reason: str = ""


def _inputs(inputs: Mapping[str, Any], facts: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    vitals = (facts or {}).get("vitals") or {}
    bp_paths = {"vitals.bp_systolic", "vitals.bp_diastolic"}
    if bp_paths & set(inputs):
        reading = {**vitals, **{path.partition(".")[2]: inputs[path] for path in bp_paths & set(inputs)}}
        words = bp_words(reading, assessment_date=(facts or {}).get("assessment_date"))
        rows.append(("vitals.bp", "Blood pressure", words))
    for path, value in inputs.items():
        if path in bp_paths or (path in {"vitals.bp_source", "vitals.bp_date"} and bp_paths & set(inputs)):
            continue
        if _MEDICATION.match(path):
            rows.append((path, path_label(path, facts), _medication_class(str(value))))
            continue
        rows.append((path, path_label(path, facts), value_words(value)))
    return rows


def _medication_class(name: str) -> str:
    """What the catalogue matched in a medicine name: "tramadol — CNS depressant"."""
    from screening.engine import match_medication

    parts = []
    for part, drug_class, known in match_medication(name):
        if drug_class:
            parts.append(f"{part} — {drug_class_words(drug_class)}")
        elif not known:
            parts.append(f"{part} — {NOT_RECOGNISED.lower()}")
    return "; ".join(parts) or NOT_RECOGNISED


def flag_view(flag: Mapping[str, Any], facts: Mapping[str, Any] | None = None) -> FlagView:
    inputs = flag.get("inputs") or {}
    names_typed = {str(value) for path, value in inputs.items() if _MEDICATION.match(path)}
    missing, unrecognised = [], []
    for entry in flag.get("missing") or []:
        # DDI-09 lists the names as typed (spec §6): those are for reconciling, not missing.
        if str(entry) in names_typed:
            path = next(p for p, v in inputs.items() if str(v) == str(entry) and _MEDICATION.match(p))
            unrecognised.append(path_label(path, facts))
        else:
            missing.append((str(entry), path_label(str(entry), facts)))
    view = FlagView(
        rule=str(flag.get("rule", "")),
        level=str(flag.get("level", "")),
        message=str(flag.get("message", "")),
        source=str(flag.get("source", "")),
        inputs=[] if unrecognised else _inputs(inputs, facts),
        missing=missing,
        unrecognised=unrecognised,
    )
    view.reason = flag_reason(flag, facts)
    return view


def flags_by_level(result: Mapping[str, Any] | None, facts: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The result's flags grouped under each level, highest level first; empty levels left out."""
    if not result:
        return []
    groups: list[dict[str, Any]] = []
    for level in Level:
        flags = [flag_view(flag, facts) for flag in result.get("flags") or [] if flag.get("level") == level.value]
        if flags:
            groups.append({"level": level.value, "label": level.label, "flags": flags})
    return groups


# --- One line: why a case is urgent -------------------------------------------------------------

REASON_LEVELS = (Level.URGENT_SAFETY, Level.URGENT_MEDICAL, Level.SAFETY_REVIEW)
_LEVEL_ORDER = {level.value: rank for rank, level in enumerate(Level)}


def _bp_reason(vitals: Mapping[str, Any], inputs: Mapping[str, Any]) -> str:
    systolic = inputs.get("vitals.bp_systolic", vitals.get("bp_systolic"))
    diastolic = inputs.get("vitals.bp_diastolic", vitals.get("bp_diastolic"))
    who = {"measured": "Measured BP", "self_reported": "Self-reported BP"}.get(str(vitals.get("bp_source")), "BP")
    text = f"{who} {value_words(systolic)}/{value_words(diastolic)}"
    day = _day(vitals.get("bp_date"))
    return f"{text} on {_short_day(day)}" if day else text


def flag_reason(flag: Mapping[str, Any], facts: Mapping[str, Any] | None = None) -> str:
    """The flag in one line, from what triggered it: "PHQ-9 item 9 answered 2", "Measured BP
    190/100 on 29 Nov", "C-SSRS question 4 answered yes"; else the flag's missing answers."""
    inputs = flag.get("inputs") or {}
    if {"vitals.bp_systolic", "vitals.bp_diastolic"} & set(inputs):
        return _bp_reason((facts or {}).get("vitals") or {}, inputs)
    answered = [
        f"{path_label(path, facts, short=True)} answered {value_words(value)}"
        for path, value in inputs.items()
        if path.startswith("instruments.")
    ]
    if answered:
        return "; ".join(answered)
    if inputs:
        path, value = next(iter(inputs.items()))
        return f"{path_label(path, facts)}: {value_words(value)}"
    missing = [path_label(str(path), facts) for path in flag.get("missing") or []]
    if missing:
        return f"Not answered: {', '.join(missing)}"
    return str(flag.get("message", ""))


def most_severe_reason(result: Mapping[str, Any] | None, facts: Mapping[str, Any] | None = None) -> str:
    """The one-line reason of the most severe urgent or safety flag, or "" when there is none."""
    flags = [flag for flag in (result or {}).get("flags") or [] if flag.get("level") in REASON_LEVELS]
    if not flags:
        return ""
    worst = min(flags, key=lambda flag: _LEVEL_ORDER.get(str(flag.get("level")), len(_LEVEL_ORDER)))
    return flag_reason(worst, facts)


# --- Which recorded readings fed a result -------------------------------------------------------


@dataclass(frozen=True)
class ReadingUsed:
    kind: str
    value: str
    source: str
    row: MeasuredVitals | None


def readings_used(
    facts: Mapping[str, Any] | None, rows: Sequence[MeasuredVitals], *, screened_at: dt.datetime | None
) -> list[ReadingUsed]:
    """The blood pressure, weight and height the result was computed on, each with where it
    came from: the measured row (when, by whom) or the patient's own answer."""
    if not facts:
        return []
    earlier: Iterable[MeasuredVitals] = [row for row in rows if screened_at is None or row.recorded_at <= screened_at]
    chosen = measured_readings(earlier)
    patient = facts.get("patient") or {}
    vitals = facts.get("vitals") or {}

    def origin(row: MeasuredVitals | None, value: object, *, measured: bool = False) -> str:
        if value is None:
            return "no figure: not answered by the patient and not measured"
        if row is None and measured:
            return "a measured row"
        if row is not None:
            who = row.recorded_by.full_name if row.recorded_by_id else "staff"
            return f"measured row recorded {row.recorded_at:%Y-%m-%d %H:%M} by {who}"
        return "the patient's own answer"

    bp_row = chosen.bp if vitals.get("bp_source") == "measured" else None
    weight, height = patient.get("weight_kg"), patient.get("height_cm")
    weight_words = NOT_ANSWERED if weight is None else f"{weight} kg"
    height_words = NOT_ANSWERED if height is None else f"{height} cm"
    return [
        ReadingUsed(
            "Blood pressure",
            bp_words(vitals, assessment_date=facts.get("assessment_date")),
            origin(bp_row, vitals.get("bp_systolic"), measured=vitals.get("bp_source") == "measured"),
            bp_row,
        ),
        ReadingUsed("Weight", weight_words, origin(chosen.weight, weight), chosen.weight),
        ReadingUsed("Height", height_words, origin(chosen.height, height), chosen.height),
    ]
