"""Answers built from facts, for tests: the inverse of ``intake/facts.py``.

``form_posts_from_facts`` turns a facts document (SCREENING_SPEC §3) into the posts a patient
would make on each step; ``fill_intake`` saves them through the step service, as the patient
would. The round-trip, submit and review tests and the browser tests use them. Production code
never imports this module: the demo data (``screening/demo.py``) is written as answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from intake import services
from intake.date_input import date_post
from intake.facts import MEDICAL_FIELDS, PSYCHIATRIC_FIELDS, SUBSTANCE_FIELDS
from intake.models import Intake
from intake.steps import STEP_BY_KEY
from screening.engine.facts import ALL_ROUTES, CSSRS_KEYS

# Medical answers graded beyond yes/no; the base patient answers "none" to each.
_GRADED = ("heart_failure", "arrhythmia", "liver_disease")

# The golden base patient of SCREENING_SPEC's cases: nothing of concern.
BASE_FACTS: dict[str, Any] = {
    "schema": "intake-facts/1",
    "routes": list(ALL_ROUTES),
    "patient": {"date_of_birth": "1984-03-15", "sex_at_birth": "female", "weight_kg": 68, "height_cm": 168},
    "reproductive": {
        "pregnancy_possible": "yes",
        "pregnant": "no",
        "breastfeeding": "no",
        "planning_pregnancy": "no",
    },
    "vitals": {"bp_systolic": 124, "bp_diastolic": 78, "bp_source": "self_reported", "bp_date": None},
    "medical": {
        **dict.fromkeys((name for name in MEDICAL_FIELDS if name not in _GRADED), "no"),
        "heart_failure": "none",
        "arrhythmia": "none",
        "liver_disease": "none",
    },
    "psychiatric": {
        **dict.fromkeys(PSYCHIATRIC_FIELDS, "no"),
        "failed_antidepressant_trials": 3,
    },
    "substance": dict.fromkeys(SUBSTANCE_FIELDS, "no"),
    "logistics": {"has_ride_home": "yes"},
    "instruments": {
        "phq9": [2, 2, 2, 1, 1, 2, 1, 1, 0],
        "gad7": [1, 1, 1, 1, 0, 1, 1],
        "cssrs": {"q1": "no", "q2": "no", "q6": "no"},
        "auditc": [1, 1, 0],
        "dast10": ["no", "no", "yes", "no", "no", "no", "no", "no", "no", "no"],
    },
    "medications": [{"name": "Sertraline 100 mg"}],
}

ANTIDEPRESSANT_NAMES = ("Sertraline", "Escitalopram", "Venlafaxine", "Bupropion", "Mirtazapine", "Duloxetine")


def _value(value: Any) -> str:
    return "" if value is None else str(value)


def _section(facts: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    return facts.get(name) or {}


def _items(facts: Mapping[str, Any], instrument: str, prefix: str, length: int) -> dict[str, str]:
    items = _section(facts, "instruments").get(instrument) or [None] * length
    return {f"{prefix}_{n}": _value(item) for n, item in enumerate(items, start=1)}


def _rows(prefix: str, rows: list[dict[str, Any]]) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = _value(value)
    return data


def form_posts_from_facts(facts: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The post of each step that expresses ``facts``: what a patient would type.

    The blood pressure is typed by the patient, so it is self-reported whatever ``bp_source``
    says. ``failed_antidepressant_trials`` N becomes N adequate failed trials (8 weeks, full
    dose, did not help); 0 becomes "no antidepressant tried"; unknown stays unanswered.
    """
    patient, reproductive = _section(facts, "patient"), _section(facts, "reproductive")
    vitals, medical = _section(facts, "vitals"), _section(facts, "medical")
    psychiatric, substance = _section(facts, "psychiatric"), _section(facts, "substance")
    instruments = _section(facts, "instruments")
    reading = vitals.get("bp_systolic") is not None or vitals.get("bp_diastolic") is not None

    heart_fields = STEP_BY_KEY["heart"].form_class.columns
    medical_fields = STEP_BY_KEY["medical"].form_class.columns
    heart = {
        name: _value(medical.get(name))
        for name in heart_fields
        if not name.startswith("bp_") and name != "cardiovascular_event_date"
    }
    heart.update(
        {
            **date_post("cardiovascular_event_date", medical.get("cardiovascular_event_date")),
            "bp_known": "yes" if reading else "",
            "bp_systolic": _value(vitals.get("bp_systolic")),
            "bp_diastolic": _value(vitals.get("bp_diastolic")),
            **date_post("bp_date", vitals.get("bp_date") if reading else None),
        }
    )

    trials = psychiatric.get("failed_antidepressant_trials")
    mental = {
        name: _value(psychiatric.get(name))
        for name in STEP_BY_KEY["mental_health"].form_class.columns
        if name != "antidepressants_tried"
    }
    if trials is None:
        mental.update({"antidepressants_tried": "", **_rows("trials", [])})
    elif trials == 0:
        mental.update({"antidepressants_tried": "no", **_rows("trials", [])})
    else:
        rows = [
            {
                "name": ANTIDEPRESSANT_NAMES[i % len(ANTIDEPRESSANT_NAMES)],
                "weeks": 8,
                "full_dose": "yes",
                "helped": "no",
            }
            for i in range(trials)
        ]
        mental.update({"antidepressants_tried": "yes", **_rows("trials", rows)})

    medications = facts.get("medications")
    if medications is None:
        meds = {"takes_medications": "", **_rows("meds", [])}
    elif not medications:
        meds = {"takes_medications": "no", **_rows("meds", [])}
    else:
        rows = [
            {"name": m["name"], "dose": m.get("dose") or "", "frequency": m.get("frequency") or ""} for m in medications
        ]
        meds = {"takes_medications": "yes", **_rows("meds", rows)}

    routes = facts.get("routes") or list(ALL_ROUTES)
    route = "esketamine" if set(routes) == {"esketamine"} else "ketamine" if set(routes) == {"ketamine"} else "unsure"
    cssrs = instruments.get("cssrs") or {}
    cssrs_post = {f"cssrs_{key}": _value(cssrs.get(key)) for key in CSSRS_KEYS}
    # The patient saw every question the skip logic shows after their answers.
    cssrs_post["shown"] = ["q3_q5", "q6_timing"]  # type: ignore[assignment]

    return {
        "about": {
            **date_post("date_of_birth", patient.get("date_of_birth")),
            "sex_at_birth": _value(patient.get("sex_at_birth")),
            "height_cm": _value(patient.get("height_cm")),
            "weight_kg": _value(patient.get("weight_kg")),
            "phone": "(555) 010-0199",
        },
        "pregnancy": {name: _value(reproductive.get(name)) for name in STEP_BY_KEY["pregnancy"].form_class.columns},
        "heart": heart,
        "medical": {name: _value(medical.get(name)) for name in medical_fields},
        "mental_health": mental,
        "phq9": _items(facts, "phq9", "phq9", 9),
        "gad7": _items(facts, "gad7", "gad7", 7),
        "cssrs": cssrs_post,
        "substances": {
            **_items(facts, "auditc", "auditc", 3),
            **{f"dast10_{n}": _value(v) for n, v in enumerate(instruments.get("dast10") or [None] * 10, start=1)},
            **{name: _value(substance.get(name)) for name in SUBSTANCE_FIELDS},
        },
        "medications": meds,
        "goals": {
            "treatment_goals": "Feel like myself again and get back to work.",
            "has_ride_home": _value(_section(facts, "logistics").get("has_ride_home")),
            "route_preference": route,
        },
    }


def fill_intake(intake: Intake, posts: Mapping[str, Mapping[str, Any]], *, steps: Iterable[str] | None = None) -> None:
    """Save the given steps' posts through ``intake_save_step``, as the patient would."""
    for key in steps if steps is not None else posts:
        result = services.intake_save_step(intake=intake, step=STEP_BY_KEY[key], data=posts[key])
        if not result.valid:
            raise ValueError(f"the answers for step {key} are invalid: {result.form.errors.as_json()}")
