"""The rule book: every rule with what it checks, its routes, its source and a worked example
of each message variant, produced by running the engine on a small example document.

``docs/rules.md`` (``python manage.py rulebook``) and the staff "Rules" page are both made
from :func:`rule_book`, so what a medical director signs off is what the engine says: an
example cannot drift from the engine, because it *is* the engine's output.

Each example is the calm base patient below with a few answers changed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from .evaluate import screen
from .facts import ALL_ROUTES, CHOICE, SECTIONS, TRI, field_label
from .levels import FACTS_SCHEMA, RULESET_VERSION
from .medications import CATALOGUE_VERSION
from .rules import ROUTE_NAMES, RULES, Rule


def _calm(section: str) -> dict[str, object]:
    """Every answer of a section "no", or "none" where that is the calm choice (nothing of concern)."""
    return {
        key: "no" if "no" in f.choices else "none" for key, f in SECTIONS[section].items() if f.kind in (TRI, CHOICE)
    }


#: A calm patient with nothing of concern (assessed on 2026-11-20; both routes planned).
BASE_FACTS: Final[Mapping[str, object]] = {
    "schema": FACTS_SCHEMA,
    "assessment_date": "2026-11-20",
    "routes": list(ALL_ROUTES),
    "patient": {"date_of_birth": "1984-03-15", "sex_at_birth": "female", "weight_kg": 68, "height_cm": 168},
    "reproductive": {**_calm("reproductive"), "pregnancy_possible": "yes"},
    "vitals": {"bp_systolic": 124, "bp_diastolic": 78, "bp_source": "measured", "bp_date": "2026-11-18"},
    "medical": _calm("medical"),
    "psychiatric": {**_calm("psychiatric"), "failed_antidepressant_trials": 3},
    "substance": _calm("substance"),
    "logistics": {"has_ride_home": "yes"},
    "instruments": {
        "phq9": [2, 2, 2, 1, 1, 2, 1, 1, 0],  # 12, moderate
        "gad7": [1, 1, 1, 1, 0, 1, 1],  # 6, mild
        "cssrs": {"q1": "no", "q2": "no", "q6": "no"},
        "auditc": [1, 1, 0],
        "dast10": ["no"] * 2 + ["yes"] + ["no"] * 7,  # 0: item 3 scores for "no"
    },
    "medications": [{"name": "Sertraline 100 mg"}],
}

Changes = Mapping[str, object]

KETAMINE_ONLY: Final = {"routes": ["ketamine"]}
ESKETAMINE_ONLY: Final = {"routes": ["esketamine"]}
CSSRS_NO: Final = {"instruments.cssrs": {"q1": "no", "q2": "no", "q6": "no"}}


def _cssrs(**answers: str | None) -> dict[str, object]:
    return {"instruments.cssrs": {"q1": "no", "q2": "no", "q6": "no", **answers}}


def _meds(*names: str) -> dict[str, object]:
    return {"medications": [{"name": name} for name in names]}


def _event(day: str) -> dict[str, object]:
    return {"medical.cardiovascular_event": "yes", "medical.cardiovascular_event_date": day}


def _bp(systolic: int | None, diastolic: int | None, **more: object) -> dict[str, object]:
    return {"vitals.bp_systolic": systolic, "vitals.bp_diastolic": diastolic, **more}


#: Rule id -> its message variants: (what the variant shows, the changes to the base patient).
EXAMPLES: Final[dict[str, tuple[tuple[str, Changes], ...]]] = {
    "SAF-01": (("PHQ-9 item 9 answered 2", {"instruments.phq9[9]": 2}),),
    "SAF-03": (
        ("Q4 intent yes", _cssrs(q2="yes", q3="no", q4="yes", q5="no")),
        ("Q5 plan yes, Q4 not answered", _cssrs(q2="yes", q3="yes", q5="yes")),
        ("Q6 behaviour within 3 months", _cssrs(q6="yes", q6_past_3_months="yes")),
        (
            "Q4 yes beside an old suicidal act (not a trigger)",
            _cssrs(q2="yes", q3="no", q4="yes", q5="no", q6="yes", q6_past_3_months="no"),
        ),
    ),  # fmt: skip
    "SAF-04": (
        ("Q3 method yes, Q4 and Q5 answered no", _cssrs(q2="yes", q3="yes", q4="no", q5="no")),
        ("Q6 behaviour more than 3 months ago", _cssrs(q6="yes", q6_past_3_months="no")),
        ("Q6 behaviour, timing not answered (could be high)", _cssrs(q6="yes")),
        ("Q3 yes, Q4 and Q5 not answered (could be high)", _cssrs(q2="yes", q3="yes")),
    ),
    "SAF-05": (
        ("Q1 wish to be dead, Q2 no", _cssrs(q1="yes")),
        ("Q2 yes, Q3-Q6 all answered no", _cssrs(q2="yes", q3="no", q4="no", q5="no")),
        ("Q2 yes, Q3-Q5 not answered: no absence claimed", _cssrs(q2="yes")),
    ),
    "SAF-06": (
        ("Q1 and PHQ-9 item 9 missing", {"instruments.cssrs": {"q2": "no", "q6": "no"}, "instruments.phq9[9]": None}),
    ),  # fmt: skip
    "CI-01": (("Aneurysm, both routes", {"medical.aneurysm": "yes"}),),
    "CI-02": (
        ("Both routes", {"medical.arteriovenous_malformation": "yes"}),
        ("Ketamine only", {"medical.arteriovenous_malformation": "yes", **KETAMINE_ONLY}),
        ("Unknown", {"medical.arteriovenous_malformation": "unknown"}),
    ),
    "CI-03": (
        ("Esketamine only", {"medical.intracerebral_hemorrhage": "yes", **ESKETAMINE_ONLY}),
        ("Ketamine only", {"medical.intracerebral_hemorrhage": "yes", **KETAMINE_ONLY}),
    ),
    "CI-04": (("Allergy", {"medical.ketamine_allergy": "yes"}),),
    "CI-05": (
        ("Event 30 days ago", _event("2026-10-21")),
        ("Event without a date", {"medical.cardiovascular_event": "yes"}),
        ("Event unknown", {"medical.cardiovascular_event": "unknown"}),
    ),
    "CI-06": (("Raised intracranial pressure", {"medical.raised_intracranial_pressure": "yes"}),),
    "CI-07": (
        ("Age 17, both routes", {"patient.date_of_birth": "2009-06-01"}),
        ("Age 17, ketamine only", {"patient.date_of_birth": "2009-06-01", **KETAMINE_ONLY}),
        ("No date of birth", {"patient.date_of_birth": None}),
    ),
    "CI-08": (("Theophylline with IV/IM ketamine", _meds("Theophylline 300 mg ER")),),
    "BP-01": (
        ("Measured, systolic in crisis", _bp(192, 96)),
        (
            "Self-reported 264 days old, diastolic in crisis",
            _bp(170, 125, **{"vitals.bp_source": "self_reported", "vitals.bp_date": "2026-03-01"}),
        ),
        ("Probably swapped values", _bp(90, 130)),
        ("Diastolic missing", _bp(200, None)),
    ),  # fmt: skip
    "BP-02": (("Diastolic 104", _bp(168, 104)),),
    "BP-03": (
        ("Systolic 150, measured", _bp(150, 85)),
        ("Diastolic 95, self-reported", _bp(132, 95, **{"vitals.bp_source": "self_reported"})),
    ),
    "BP-04": (("Age 71, systolic 162", _bp(162, 84, **{"patient.date_of_birth": "1955-02-01"})),),
    "BP-05": (
        ("Not controlled", {"medical.hypertension_diagnosed": "yes", "medical.hypertension_controlled": "no"}),
        ("Control not known", {"medical.hypertension_diagnosed": "yes", "medical.hypertension_controlled": "unknown"}),
        ("Diagnosis not known", {"medical.hypertension_diagnosed": "unknown"}),
    ),
    "BP-06": (("Hypertensive encephalopathy", {"medical.hypertensive_encephalopathy": "yes"}),),
    "BP-07": (
        ("Self-reported, 40 days old", {"vitals.bp_source": "self_reported", "vitals.bp_date": "2026-10-11"}),
        ("No reading", _bp(None, None, **{"vitals.bp_source": "unknown", "vitals.bp_date": None})),
    ),
    "BP-08": (
        ("Swapped values", _bp(80, 120)),
        ("Systolic out of range", _bp(300, 100)),
    ),
    "MED-01": (
        ("Severe heart failure", {"medical.heart_failure": "severe"}),
        ("Event 200 days ago", _event("2026-05-04")),
        (
            "Unstable angina and uncontrolled arrhythmia",
            {"medical.unstable_angina": "yes", "medical.arrhythmia": "uncontrolled"},
        ),
        ("Arrhythmia unknown", {"medical.arrhythmia": "unknown"}),
    ),  # fmt: skip
    "MED-02": (
        ("Coronary artery disease", {"medical.coronary_artery_disease": "yes"}),
        ("Heart failure described as stable", {"medical.heart_failure": "stable"}),
        ("Event 3 years ago", _event("2023-11-01")),
        ("Valve disease unknown", {"medical.valvular_disease": "unknown"}),
    ),
    "MED-03": (
        ("Severe, both routes", {"medical.liver_disease": "severe"}),
        ("Severe, ketamine only (CAUTION)", {"medical.liver_disease": "severe", **KETAMINE_ONLY}),
        ("Severity not known", {"medical.liver_disease": "unknown"}),
    ),
    "MED-04": (
        ("Mild, esketamine only", {"medical.liver_disease": "mild", **ESKETAMINE_ONLY}),
        ("Moderate, both routes", {"medical.liver_disease": "moderate"}),
    ),
    "MED-05": (
        ("Sleep apnoea", {"medical.sleep_apnea": "yes"}),
        ("Lung disease not known", {"medical.lung_disease": "unknown"}),
    ),
    "MED-06": (("Untreated overactive thyroid", {"medical.hyperthyroidism_untreated": "yes"}),),
    "MED-07": (("Glaucoma, esketamine only", {"medical.glaucoma": "yes", **ESKETAMINE_ONLY}),),
    "MED-08": (("Seizure in the past year", {"medical.seizure_recent": "yes"}),),
    "MED-09": (("Recent delirium", {"medical.delirium": "yes"}),),
    "MED-10": (("Memory or thinking problems", {"medical.cognitive_impairment": "yes"}),),
    "MED-11": (("Bladder problems", {"medical.bladder_problems": "yes"}),),
    "MED-12": (("No weight, ketamine planned", {"patient.weight_kg": None}),),
    "MED-13": (
        ("BMI 38.3 with sleep apnoea", {"patient.weight_kg": 108, "medical.sleep_apnea": "yes"}),
        ("BMI 38.3, sleep apnoea not known", {"patient.weight_kg": 108, "medical.sleep_apnea": "unknown"}),
        ("Height missing", {"patient.height_cm": None, "medical.sleep_apnea": "unknown"}),
    ),
    "MED-14": (
        ("Age 68, both routes", {"patient.date_of_birth": "1958-05-10"}),
        ("Age 68, ketamine only", {"patient.date_of_birth": "1958-05-10", **KETAMINE_ONLY}),
    ),
    "PSY-01": (("Hallucinations in the past month", {"psychiatric.psychotic_symptoms_current": "yes"}),),
    "PSY-02": (("Psychotic disorder", {"psychiatric.psychotic_disorder": "yes"}),),
    "PSY-03": (("Past psychotic features", {"psychiatric.psychotic_features_past": "yes"}),),
    "PSY-04": (("Family history", {"psychiatric.family_psychosis": "yes"}),),
    "PSY-05": (("Manic now", {"psychiatric.mania_current": "yes"}),),
    "PSY-06": (("Bipolar disorder", {"psychiatric.bipolar_or_mania_history": "yes"}),),
    "PSY-07": (
        ("DAST-10 score 7", {"instruments.dast10": ["yes", "yes", "no", "yes", "yes", "yes", "yes", "no", "no", "no"]}),
        ("Drug use problem now, DAST-10 low", {"substance.drug_use_disorder_current": "yes"}),
        (
            "Partial DAST-10 already at 6",
            {"instruments.dast10": ["yes", "yes", "no", "yes", "yes", "yes", None, None, None, None]},
        ),
        ("Drug use problem not known", {"substance.drug_use_disorder_current": "unknown"}),
    ),  # fmt: skip
    "PSY-08": (
        ("DAST-10 score 4", {"instruments.dast10": ["yes", "yes", "yes", "yes", "no", "no", "no", "yes", "no", "no"]}),
    ),  # fmt: skip
    "PSY-09": (
        ("Score 1 from item 3 alone, drug use denied", {"instruments.dast10[3]": "no"}),
        (
            "Score 2 with drug use",
            {"instruments.dast10": ["yes", "no", "yes", "no", "yes", "no", "no", "no", "no", "no"]},
        ),
    ),  # fmt: skip
    "PSY-10": (
        ("Dissociative use in the past year", {"substance.dissociative_use_past_year": "yes"}),
        ("Ketamine use problem ever", {"substance.ketamine_use_disorder_history": "yes"}),
    ),
    "PSY-11": (
        ("Woman, AUDIT-C 4", {"instruments.auditc": [2, 1, 1]}),
        ("Man, AUDIT-C 5", {"patient.sex_at_birth": "male", "instruments.auditc": [2, 2, 1]}),
        ("Partial AUDIT-C already at the cut-off", {"instruments.auditc": [3, None, None]}),
        ("Partial AUDIT-C below the cut-off", {"instruments.auditc": [1, None, 0]}),
    ),
    "PSY-13": (
        ("Complete PHQ-9", {}),
        ("Item 4 missing", {"instruments.phq9[4]": None}),
    ),
    "PSY-14": (
        ("GAD-7 12", {"instruments.gad7": [2, 2, 2, 2, 1, 2, 1]}),
        ("Item 7 missing", {"instruments.gad7[7]": None}),
    ),
    "PRG-01": (
        ("Pregnant", {"reproductive.pregnant": "yes"}),
        ("Possibly pregnant: test", {"reproductive.pregnant": "possibly"}),
    ),
    "PRG-02": (
        ("Breastfeeding, both routes", {"reproductive.breastfeeding": "yes"}),
        ("Breastfeeding, ketamine only", {"reproductive.breastfeeding": "yes", **KETAMINE_ONLY}),
    ),
    "PRG-03": (
        ("Planning a pregnancy", {"reproductive.planning_pregnancy": "yes"}),
        ("Not known", {"reproductive.planning_pregnancy": "unknown"}),
    ),
    "PRG-04": (
        ("Pregnancy possible, pregnant not known", {"reproductive.pregnant": "unknown"}),
        ("Pregnancy possible not known", {"reproductive.pregnancy_possible": "unknown"}),
        ("Beside PRG-01: pregnant yes", {"reproductive.pregnancy_possible": "unknown", "reproductive.pregnant": "yes"}),
    ),
    "DDI-00": (("Medications not answered", {"medications": None}),),
    "DDI-01": (("Phenelzine", _meds("Nardil 15 mg")),),
    "DDI-02": (("Two stimulants", _meds("Adderall XR 20 mg", "modafinil")),),
    "DDI-03": (("Opioid and benzodiazepine", _meds("tramadol 50 mg", "Xanax 1mg", "Sertraline 100 mg")),),
    "DDI-05": (("Lamotrigine", _meds("Lamictal 200 mg")),),
    "DDI-07": (("Pseudoephedrine", _meds("Sudafed")),),
    "DDI-08": (("Carbamazepine", _meds("carbamazepine ER 200mg")),),
    "DDI-09": (("Unknown name", _meds("Zorblatex 10 mg")),),
    "IND-01": (("Three failed trials", {}),),
    "IND-02": (
        ("One failed trial", {"psychiatric.failed_antidepressant_trials": 1}),
        ("Not known", {"psychiatric.failed_antidepressant_trials": None}),
    ),
    "IND-03": (("IV/IM ketamine planned", KETAMINE_ONLY),),
    "IND-04": (("Treated before", {"psychiatric.prior_ketamine_treatment": "yes"}),),
    "LOG-01": (
        ("No ride home", {"logistics.has_ride_home": "no"}),
        ("Not known", {"logistics.has_ride_home": "unknown"}),
    ),
    "LOG-02": (("Esketamine planned", ESKETAMINE_ONLY),),
}

_STEP: Final = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def example_facts(changes: Changes) -> dict[str, object]:
    """The base patient with ``changes`` applied (paths as in flags: ``instruments.phq9[9]``)."""
    doc = copy.deepcopy(dict(BASE_FACTS))
    for path, value in changes.items():
        steps: list[str | int] = [key if key else int(number) - 1 for key, number in _STEP.findall(path)]
        node: object = doc
        for step in steps[:-1]:
            node = node[step]  # type: ignore[index]
        node[steps[-1]] = copy.deepcopy(value)  # type: ignore[index]
    return doc


@dataclass(frozen=True, slots=True)
class Example:
    variant: str
    changes: Mapping[str, object]
    level: str
    message: str
    inputs: Mapping[str, object]
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    rule: Rule
    routes: str
    examples: tuple[Example, ...]

    @property
    def anchor(self) -> str:
        return self.rule.id


def routes_text(rule: Rule) -> str:
    if set(rule.routes) == set(ALL_ROUTES):
        return "both"
    return " and ".join(ROUTE_NAMES[route] for route in rule.routes) + " only"


# The rule book follows the spec's sections: safety first, then contraindications, blood
# pressure, other medical, psychiatric, pregnancy, medications, indication and logistics.
SECTION_ORDER: Final = ("SAF", "CI", "BP", "MED", "PSY", "PRG", "DDI", "IND", "LOG")


def _spec_order(rule: Rule) -> tuple[int, str]:
    return SECTION_ORDER.index(rule.id.partition("-")[0]), rule.id


def run_example(rule_id: str, variant: str, changes: Changes) -> Example:
    """Screen one example and take the flag of ``rule_id``; an example that does not make the
    rule emit a flag is an error (the rule book would be lying)."""
    result = screen(example_facts(changes))
    flags = [flag for flag in result["flags"] if flag["rule"] == rule_id]  # type: ignore[attr-defined]
    if not flags:
        raise ValueError(f"rule book example {rule_id} / {variant!r} does not make {rule_id} emit a flag")
    flag = flags[0]
    return Example(
        variant=variant,
        changes=changes,
        level=str(flag["level"]),
        message=str(flag["message"]),
        inputs=dict(flag["inputs"]),
        missing=tuple(flag["missing"]),
    )


@lru_cache(maxsize=1)
def rule_book() -> tuple[Entry, ...]:
    """Every rule, in id order, with its worked examples (computed once)."""
    missing = [rule.id for rule in RULES if rule.id not in EXAMPLES]
    if missing:
        raise ValueError(f"rules without a rule book example: {missing}")
    return tuple(
        Entry(
            rule=rule,
            routes=routes_text(rule),
            examples=tuple(run_example(rule.id, variant, changes) for variant, changes in EXAMPLES[rule.id]),
        )
        for rule in sorted(RULES, key=_spec_order)
    )


def _value(value: object) -> str:
    if value is None:
        return "not answered"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_value(item)}" for key, item in value.items()) + "}"
    return str(value)


def changes_text(changes: Mapping[str, object]) -> str:
    """The answers an example changes, with their labels: ``Aneurysm = yes``."""
    if not changes:
        return "the base patient as it is"
    shown: list[str] = []
    for path, value in changes.items():
        if isinstance(value, dict):  # the C-SSRS answers: one label per question
            shown += [f"{field_label(f'{path}.{key}')} = {_value(item)}" for key, item in value.items()]
        else:
            shown.append(f"{field_label(path)} = {_value(value)}")
    return "; ".join(shown)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(entries: tuple[Entry, ...]) -> str:
    """docs/rules.md: the whole rule book, generated (never edit it by hand)."""
    lines = [
        f"# Rule book: screening rule set {RULESET_VERSION}",
        "",
        "<!-- Generated by `python manage.py rulebook` from screening/engine/ (rules.py, rulebook.py). "
        "Do not edit by hand: CI fails when this file differs from the engine. -->",
        "",
        "Every rule of the screening engine: its id, level, the routes it applies to, what it checks, each "
        "message variant with a worked example, and its source. Each example is the output of the engine for "
        "the calm base patient (assessed 2026-11-20, both routes planned) with the answers shown changed, so "
        "the examples cannot drift from what the engine says. The engine supports a clinician's decision; it "
        f"never admits or refuses a patient. Medication catalogue {CATALOGUE_VERSION}. The clinical contract is "
        "SCREENING_SPEC.md.",
        "",
        "Routes: *both* means esketamine nasal spray (Spravato) and IV/IM ketamine; a message names only the "
        "routes planned for the patient.",
        "",
        "| Rule | Level | Routes | About |",
        "|---|---|---|---|",
    ]
    lines += [f"| [{e.rule.id}](#{e.anchor.lower()}) | {e.rule.level} | {e.routes} | {e.rule.title} |" for e in entries]
    for entry in entries:
        rule = entry.rule
        lines += [
            "",
            f"## {rule.id}",
            "",
            f"**{rule.title}.** Level {rule.level}; routes: {entry.routes}.",
            "",
            f"- Checks: {rule.checks}",
            f"- Source: {rule.source}.",
            "",
            "| Variant | Example answers | Level | Message | Inputs | Missing |",
            "|---|---|---|---|---|---|",
        ]
        for example in entry.examples:
            inputs = "; ".join(f"{field_label(p)} = {_value(v)}" for p, v in example.inputs.items()) or "-"
            missing = "; ".join(field_label(p) for p in example.missing) or "-"
            lines.append(
                f"| {_cell(example.variant)} | {_cell(changes_text(example.changes))} | {example.level} | "
                f"{_cell(example.message)} | {_cell(inputs)} | {_cell(missing)} |"
            )
    return "\n".join(lines) + "\n"
