"""Demo intakes in every state, filled in through the same services as a real patient.

``form_posts_from_facts`` turns a facts document (SCREENING_SPEC §3) into the posts a patient
would make on each step, the inverse of ``intake/facts.py``; the demo data and the
round-trip tests both use it. ``seed_intakes`` is called by the ``seed_demo`` command.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from clinic.models import Role, User
from intake import services
from intake.date_input import date_post
from intake.facts import MEDICAL_FIELDS, PSYCHIATRIC_FIELDS, SUBSTANCE_FIELDS
from intake.models import Intake
from intake.selectors import current_consent
from intake.steps import STEP_BY_KEY
from screening.engine.facts import ALL_ROUTES, CSSRS_KEYS
from screening.models import Case

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
            raise ValueError(f"demo answers for step {key} are invalid: {result.form.errors.as_json()}")


def _facts(**changes: Any) -> dict[str, Any]:
    """The base patient's facts with some sections changed (``section__key=value``)."""
    facts = copy.deepcopy(BASE_FACTS)
    for path, value in changes.items():
        section, _, key = path.partition("__")
        if key:
            facts[section][key] = value
        else:
            facts[section] = value
    return facts


def _recent(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


@dataclass(frozen=True)
class Scenario:
    label: str
    description: str
    facts: dict[str, Any]
    submit: bool
    # Staff measure the blood pressure (the patient's reading is only self-reported), so
    # that the outcome can be calmer than INCOMPLETE (rule BP-07).
    measured: bool = False
    steps: tuple[str, ...] | None = None


def demo_scenarios() -> list[Scenario]:
    """The demo intakes, in the order demo patients get them."""
    base_bp = {"bp_systolic": 124, "bp_diastolic": 78, "bp_source": "self_reported", "bp_date": _recent(5)}
    return [
        Scenario(
            "draft",
            "a draft, half filled in (stopped before the PHQ-9)",
            _facts(vitals=base_bp),
            submit=False,
            steps=("about", "pregnancy", "heart", "medical", "mental_health"),
        ),
        Scenario(
            "no_flags",
            "submitted with the golden base patient's answers, BP measured by staff (NO_FLAGS_RAISED)",
            _facts(vitals=base_bp),
            submit=True,
            measured=True,
        ),
        Scenario(
            "exclude",
            "submitted: schizophrenia (EXCLUDE_PENDING_REVIEW)",
            _facts(vitals=base_bp, psychiatric__psychotic_disorder="yes"),
            submit=True,
        ),
        Scenario(
            "incomplete",
            "submitted: aneurysm unknown, medications not answered (INCOMPLETE)",
            _facts(vitals=base_bp, medical__aneurysm="unknown", medications=None),
            submit=True,
        ),
        Scenario(
            "caution",
            "submitted: bipolar history, BP 150/85 measured by staff (CAUTION)",
            _facts(
                vitals={"bp_systolic": 150, "bp_diastolic": 85, "bp_source": "self_reported", "bp_date": _recent(3)},
                psychiatric__bipolar_or_mania_history="yes",
            ),
            submit=True,
            measured=True,
        ),
        Scenario(
            "urgent_safety_draft",
            "a draft with PHQ-9 item 9 = 2, never submitted (urgent safety alert raised)",
            _facts(vitals=base_bp, instruments__phq9=[2, 3, 2, 2, 1, 2, 2, 1, 2]),
            submit=False,
            steps=("about", "pregnancy", "heart", "medical", "mental_health", "phq9"),
        ),
        Scenario(
            "urgent_medical",
            "submitted: BP 190/100 (URGENT_MEDICAL)",
            _facts(
                vitals={"bp_systolic": 190, "bp_diastolic": 100, "bp_source": "self_reported", "bp_date": _recent(1)}
            ),
            submit=True,
        ),
        Scenario(
            "safety_review",
            "submitted: C-SSRS wish to be dead in the past month, no plan (SAFETY_REVIEW)",
            _facts(vitals=base_bp, instruments__cssrs={"q1": "yes", "q2": "no", "q6": "no"}),
            submit=True,
            measured=True,
        ),
    ]


def _measure(intake: Intake, facts: Mapping[str, Any], clinician: User) -> None:
    from screening.services import case_record_vitals

    case = Case.objects.get(intake=intake)
    vitals = facts["vitals"]
    case_record_vitals(
        case_id=case.pk,
        version=case.version,
        actor=clinician,
        bp_systolic=vitals["bp_systolic"],
        bp_diastolic=vitals["bp_diastolic"],
        bp_date=timezone.localdate(),
    )


def _some_clinician() -> User | None:
    return User.objects.filter(groups__name=Role.CLINICIAN, is_active=True).order_by("id").first()


@transaction.atomic
def seed_intakes(patients: Mapping[str, User] | Iterable[User], *, clinician: User | None = None) -> list[str]:
    """Give demo patients intakes in different states, filled in through the services.

    Patients are matched to ``demo_scenarios()`` in order; extra patients get nothing.
    Idempotent: a patient who already has an intake is left alone. ``clinician`` (by default
    the first clinician account) records the measured blood pressure of the scenarios that
    need one; users are never created here. Returns lines to print.
    """
    users = list(patients.values()) if isinstance(patients, Mapping) else list(patients)
    consent = current_consent()
    measurer = clinician or _some_clinician()
    lines = []
    for user, scenario in zip(users, demo_scenarios(), strict=False):
        patient = services.patient_get_or_create(user=user)
        if Intake.objects.filter(patient=patient).exists():
            lines.append(f"{user.email}: already has an intake, left as it is")
            continue
        intake = services.intake_start(patient=patient)
        fill_intake(intake, form_posts_from_facts(scenario.facts), steps=scenario.steps)
        if scenario.submit:
            if consent is None:
                lines.append(f"{user.email}: left as a draft (no current consent text)")
                continue
            services.intake_submit(intake=intake, signature=user.full_name, consent_version=consent)
            if scenario.measured and measurer is not None:
                _measure(intake, scenario.facts, measurer)
        intake.refresh_from_db()
        outcome = ""
        latest = intake.screening_results.order_by("-created_at", "-id").first()
        if latest is not None:
            outcome = f" -> {latest.overall}"
        lines.append(f"{user.email}: {scenario.description} [{intake.get_status_display().lower()}{outcome}]")
    return lines
