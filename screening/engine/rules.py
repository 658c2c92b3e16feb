"""The rules of rule set 2026.1 (SCREENING_SPEC.md §5).

Each rule is small: an id, the level at which it fires, a plain-language message for
clinicians, its source, and a check. A check returns an :class:`Outcome` (fired, or
``INCOMPLETE`` with the missing fields) or ``None``. The evaluator runs every rule
and collects every flag; no rule stops another.

General semantics (spec §2): a rule fires when any trigger is positive; otherwise,
when an input it needs is unknown, missing or implausible, it reports INCOMPLETE
under its own id; otherwise it says nothing. Where the spec names who reports an
unknown (SAF-06 for safety answers, CI-05 for the cardiovascular event, CI-07 for
the date of birth, PRG-04 for pregnancy, DDI-00 for the medication list), the other
rules stay silent about it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from . import medications as meds
from .context import Context
from .facts import AUDITC, CSSRS_FIELDS, DAST10, GAD7, PHQ9, UNKNOWN, ListInstrument
from .levels import (
    CAUTION,
    EXCLUDE_PENDING_REVIEW,
    INCOMPLETE,
    INFO,
    SAFETY_REVIEW,
    URGENT_MEDICAL,
    URGENT_SAFETY,
)
from .scoring import GAD7_BANDS, PHQ9_BANDS, band_of

Inputs = dict[str, object]

CRISIS_RESOURCES: Final = (
    "Show the patient crisis resources now: 988 Suicide & Crisis Lifeline (call or text 988); emergency 911."
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a rule found.

    ``level`` None means the rule's own level. The flag's message is ``message`` when
    given; else the rule's message (its INCOMPLETE message for an INCOMPLETE outcome of
    a rule that fires at another level), after ``detail`` when there is one.
    """

    inputs: Inputs = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    level: str | None = None
    detail: str | None = None
    message: str | None = None


def fired(inputs: Inputs, *, level: str | None = None, detail: str | None = None) -> Outcome:
    return Outcome(inputs, [], level, detail)


def incomplete(missing: list[str], *, inputs: Inputs | None = None, message: str | None = None) -> Outcome:
    return Outcome(inputs or {}, missing, INCOMPLETE, None, message)


Check = Callable[[Context], Outcome | None]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: str  # the level at which it fires
    title: str  # what it is about, for the INCOMPLETE message
    message: str  # plain language, for clinicians
    source: str
    check: Check

    @property
    def incomplete_message(self) -> str:
        return f"{self.title}: not known (unknown or not answered). Ask the patient or staff; see the missing fields."

    def message_for(self, outcome: Outcome) -> str:
        if outcome.message is not None:
            return outcome.message
        if outcome.level == INCOMPLETE and self.level != INCOMPLETE:
            return self.incomplete_message
        return self.message if outcome.detail is None else f"{outcome.detail} {self.message}"


RULES_BY_ID: dict[str, Rule] = {}


def rule(rule_id: str, level: str, title: str, message: str, source: str) -> Callable[[Check], Check]:
    """Register a check function as a rule."""

    def register(check: Check) -> Check:
        if rule_id in RULES_BY_ID:
            raise ValueError(f"rule {rule_id} defined twice")
        RULES_BY_ID[rule_id] = Rule(rule_id, level, title, message, source, check)
        return check

    return register


def answer_rule(
    rule_id: str,
    level: str,
    triggers: Mapping[str, Sequence[str]],
    title: str,
    message: str,
    source: str,
    *,
    unknown_is_incomplete: bool = True,
) -> None:
    """A rule that fires when any answer is one of its trigger values.

    Otherwise an unknown answer gives INCOMPLETE (general semantics), unless the spec
    says the unknown gives nothing (``unknown_is_incomplete=False``).
    """

    def check(c: Context) -> Outcome | None:
        answers = c.answers
        hits: Inputs = {path: answers[path] for path, values in triggers.items() if answers[path] in values}
        if hits:
            return fired(hits)
        if unknown_is_incomplete:
            missing = [path for path in triggers if answers[path] == UNKNOWN]
            if missing:
                return incomplete(missing)
        return None

    rule(rule_id, level, title, message, source)(check)


YES: Final = ("yes",)


def _items(instrument: ListInstrument, values: Sequence[object]) -> Inputs:
    return {instrument.item_path(n): v for n, v in enumerate(values, start=1) if v is not None}


def _missing_items(instrument: ListInstrument, values: Sequence[object]) -> list[str]:
    return [instrument.item_path(n) for n, v in enumerate(values, start=1) if v is None]


# --- 5.1 Safety -----------------------------------------------------------------------

SAF_Q: Final = {q: f.path for q, f in CSSRS_FIELDS.items()}
PHQ9_ITEM9: Final = PHQ9.item_path(9)


def _yes_answers(c: Context, *questions: str) -> Inputs:
    return {SAF_Q[q]: "yes" for q in questions if c.answers[SAF_Q[q]] == "yes"}


@rule(
    "SAF-01",
    URGENT_SAFETY,
    "PHQ-9 item 9",
    "PHQ-9 item 9 (thoughts of being better off dead or of hurting oneself) answered 1 or more: "
    "alert a clinician at once to assess suicide risk. " + CRISIS_RESOURCES,
    "Simon et al., Psychiatr Serv 2013; clinic policy default (any answer of 1 or more)",
)
def saf01(c: Context) -> Outcome | None:
    item9 = c.facts.phq9[8]
    return fired({PHQ9_ITEM9: item9}) if item9 is not None and item9 >= 1 else None


@rule(
    "SAF-03",
    URGENT_SAFETY,
    "C-SSRS high risk",
    "C-SSRS high risk: suicidal intent or a plan in the past month, or suicidal behaviour within the past "
    "3 months. Alert a clinician at once; never just queue this. " + CRISIS_RESOURCES,
    "Posner et al., Am J Psychiatry 2011; Columbia Lighthouse Project triage guidance",
)
def saf03(c: Context) -> Outcome | None:
    if not c.saf03:
        return None
    inputs = _yes_answers(c, "q4", "q5", "q6", "q6_past_3_months")
    return fired(inputs)


@rule(
    "SAF-04",
    SAFETY_REVIEW,
    "C-SSRS moderate risk",
    "C-SSRS moderate risk: thoughts of a method, or suicidal behaviour at some time not known to be within "
    "the past 3 months. Priority clinician review before anything else.",
    "Posner et al. 2011; Columbia triage guidance (Q6 yes proves at least moderate risk)",
)
def saf04(c: Context) -> Outcome | None:
    if not c.saf04:
        return None
    inputs = _yes_answers(c, "q3", "q6")
    if "instruments.cssrs.q6" in inputs:
        inputs[SAF_Q["q6_past_3_months"]] = c.answers[SAF_Q["q6_past_3_months"]]
    return fired(inputs)


@rule(
    "SAF-05",
    SAFETY_REVIEW,
    "C-SSRS low risk",
    "C-SSRS low risk: a wish to be dead or suicidal thoughts, without method, intent, plan or behaviour. "
    "Priority clinician review before anything else.",
    "Posner et al. 2011; Columbia triage guidance",
)
def saf05(c: Context) -> Outcome | None:
    if c.saf03 or c.saf04:
        return None
    inputs = _yes_answers(c, "q1", "q2")
    return fired(inputs) if inputs else None


def missing_safety_answers(c: Context) -> list[str]:
    """Required safety answers that are missing (spec §5.1, SAF-06)."""
    a = c.answers
    required = ["q1", "q2"]
    if a[SAF_Q["q2"]] == "yes":
        required += ["q3", "q4", "q5"]  # asked only when Q2 is yes
    required.append("q6")
    if a[SAF_Q["q6"]] == "yes":
        required.append("q6_past_3_months")  # asked only when Q6 is yes
    missing = [PHQ9_ITEM9] if c.facts.phq9[8] is None else []
    missing += [SAF_Q[q] for q in required if a[SAF_Q[q]] is None]
    return missing


@rule(
    "SAF-06",
    SAFETY_REVIEW,
    "Suicide-risk answers",
    "Suicide-risk answers are missing (see the missing fields). Missing answers do not mean no risk: "
    "get them and review before anything else.",
    "Design: a missing answer is not 'no risk' (spec §5.1)",
)
def saf06(c: Context) -> Outcome | None:
    missing = missing_safety_answers(c)
    return Outcome({}, missing) if missing else None


# --- 5.2 Label contraindications --------------------------------------------------------

EXCLUDE_NOTE: Final = " No scheduling until a clinician records a decision with a reason."

# Spec §5.2/§5.4 windows for a dated cardiovascular event: CI-05 within 42 days (Spravato
# EU SmPC §4.3: 6 weeks), MED-01 43-365 days (phase-3 exclusions), MED-02 after that.
CI05_MAX_DAYS: Final = 42
MED01_MAX_DAYS: Final = 365

answer_rule(
    "CI-01",
    EXCLUDE_PENDING_REVIEW,
    {"medical.aneurysm": YES},
    "Aneurysm",
    "Aneurysmal vascular disease (brain, chest or abdominal aorta, or other arteries): a label "
    "contraindication; the blood-pressure rise of (es)ketamine can be dangerous." + EXCLUDE_NOTE,
    "Spravato US label §4; Ketalar label",
)
answer_rule(
    "CI-02",
    EXCLUDE_PENDING_REVIEW,
    {"medical.arteriovenous_malformation": YES},
    "Arteriovenous malformation",
    "Arteriovenous malformation: a label contraindication to esketamine." + EXCLUDE_NOTE,
    "Spravato US label §4",
)
answer_rule(
    "CI-03",
    EXCLUDE_PENDING_REVIEW,
    {"medical.intracerebral_hemorrhage": YES},
    "Intracerebral haemorrhage",
    "History of bleeding in the brain (intracerebral haemorrhage): a label contraindication to esketamine."
    + EXCLUDE_NOTE,
    "Spravato US label §4",
)
answer_rule(
    "CI-04",
    EXCLUDE_PENDING_REVIEW,
    {"medical.ketamine_allergy": YES},
    "Ketamine or esketamine allergy",
    "Allergy (hypersensitivity) to ketamine or esketamine: a label contraindication." + EXCLUDE_NOTE,
    "Spravato and Ketalar labels",
)


@rule(
    "CI-05",
    EXCLUDE_PENDING_REVIEW,
    "Recent cardiovascular event",
    f"Heart attack, stent or bypass, or other acute cardiovascular event within the past 6 weeks "
    f"({CI05_MAX_DAYS} days): contraindicated." + EXCLUDE_NOTE,
    "Spravato EU SmPC §4.3 (cardiovascular event within 6 weeks)",
)
def ci05(c: Context) -> Outcome | None:
    event = c.answers["medical.cardiovascular_event"]
    if event == UNKNOWN:
        return incomplete(
            ["medical.cardiovascular_event"],
            message="Whether the patient ever had a heart attack, stent or bypass, or other acute cardiovascular "
            "event is unknown. Ask: it decides CI-05, MED-01 and MED-02.",
        )
    if event != "yes":
        return None
    if c.event_days is None:
        return incomplete(
            ["medical.cardiovascular_event_date"],
            inputs={"medical.cardiovascular_event": "yes"},
            message="A cardiovascular event is reported without its date. Ask for the date of the most recent "
            "one: within 42 days excludes, 43-365 days needs review, older needs caution.",
        )
    if c.event_days <= CI05_MAX_DAYS:
        return fired(_event_inputs(c))
    return None


def _event_inputs(c: Context) -> Inputs:
    return {
        "medical.cardiovascular_event": "yes",
        "medical.cardiovascular_event_date": c.answers["medical.cardiovascular_event_date"],
    }


answer_rule(
    "CI-06",
    EXCLUDE_PENDING_REVIEW,
    {"medical.raised_intracranial_pressure": YES},
    "Raised intracranial pressure",
    "Raised intracranial pressure: (es)ketamine raises it further, a serious risk." + EXCLUDE_NOTE,
    "Spravato label (a rise in intracranial pressure is a serious risk)",
)

# Spec §5.2: not approved under 18.
ADULT_AGE: Final = 18


@rule(
    "CI-07",
    EXCLUDE_PENDING_REVIEW,
    "Age",
    f"Under {ADULT_AGE}: esketamine and ketamine are not approved for depression under {ADULT_AGE}." + EXCLUDE_NOTE,
    "Not approved under 18 (Spravato US label §8.4)",
)
def ci07(c: Context) -> Outcome | None:
    if c.age is None:
        return incomplete(
            ["patient.date_of_birth"],
            message="Date of birth missing: the age checks (under 18, over 65) cannot run. Ask for it.",
        )
    if c.age < ADULT_AGE:
        return fired({"patient.date_of_birth": c.answers["patient.date_of_birth"]})
    return None


def class_rule(
    rule_id: str, level: str, drug_class: str, title: str, message: str, source: str, *, ketamine_only: bool = False
) -> None:
    """A medication rule: fires on every listed medication of ``drug_class``.

    When the medication list is not answered, DDI-00 alone reports it (spec §5.7).
    """

    def check(c: Context) -> Outcome | None:
        if c.medications is None or (ketamine_only and not c.facts.ketamine):
            return None
        found = c.medications.by_class.get(drug_class)
        if not found:
            return None
        return fired(dict(found), detail=f"Listed: {', '.join(found.values())}.")

    rule(rule_id, level, title, message, source)(check)


class_rule(
    "CI-08",
    EXCLUDE_PENDING_REVIEW,
    meds.THEOPHYLLINE,
    "Theophylline-class medication",
    "Theophylline or aminophylline with the ketamine route: the ketamine label warns of a lowered seizure "
    "threshold." + EXCLUDE_NOTE,
    "Ketalar US label §7",
    ketamine_only=True,
)


# --- 5.3 Blood pressure ---------------------------------------------------------------

SYSTOLIC: Final = "vitals.bp_systolic"
DIASTOLIC: Final = "vitals.bp_diastolic"
# Spec §5.3, BP-03: above 140 systolic or 90 diastolic, strictly (Spravato label "as a
# general guide"; 140/90 itself does not fire).
BP03_SYSTOLIC_ABOVE: Final = 140
BP03_DIASTOLIC_ABOVE: Final = 90
# Spec §5.3, BP-04: over 65, the Janssen phase-3 rule withholds above a systolic of 150.
BP04_AGE_ABOVE: Final = 65
BP04_SYSTOLIC_ABOVE: Final = 150
BP04_SYSTOLIC_UP_TO: Final = 180
# Spec §5.3, BP-07: a measured reading at most 30 days old (clinic policy default).
BP_MAX_AGE_DAYS: Final = 30


def _reading(c: Context) -> Inputs:
    inputs: Inputs = {}
    if c.systolic is not None:
        inputs[SYSTOLIC] = c.systolic
    if c.diastolic is not None:
        inputs[DIASTOLIC] = c.diastolic
    return inputs


def _bp_text(c: Context) -> str:
    def show(value: int | None) -> str:
        return "?" if value is None else str(value)

    return f"Blood pressure {show(c.systolic)}/{show(c.diastolic)} mmHg."


@rule(
    "BP-01",
    URGENT_MEDICAL,
    "Blood pressure crisis",
    "Blood pressure in the hypertensive-crisis range (systolic over 180 or diastolic over 120). Alert a "
    "clinician at once; tell the patient to seek urgent care if they have symptoms (chest pain, shortness "
    "of breath, severe headache, weakness, numbness, vision or speech change).",
    "Whelton et al., 2017 ACC/AHA guideline: hypertensive crisis above 180/120",
)
def bp01(c: Context) -> Outcome | None:
    if not c.bp01:
        return None
    return fired(_reading(c), detail=_bp_text(c))


@rule(
    "BP-02",
    EXCLUDE_PENDING_REVIEW,
    "Diastolic blood pressure above 100",
    "Diastolic blood pressure above 100 mmHg: uncontrolled hypertension above 180/100 at rest is a "
    "contraindication in the ketamine label." + EXCLUDE_NOTE,
    "Swiss ketamine label: untreated or poorly controlled hypertension above 180/100 at rest",
)
def bp02(c: Context) -> Outcome | None:
    return fired(_reading(c), detail=_bp_text(c)) if c.bp02 else None


@rule(
    "BP-03",
    CAUTION,
    "Blood pressure above 140/90",
    "Blood pressure above 140/90 (systolic over 140 or diastolic over 90): the Spravato label's general "
    "guide for weighing treatment; recheck before dosing.",
    "Spravato US label: blood pressure above 140/90 as a general guide",
)
def bp03(c: Context) -> Outcome | None:
    if not c.plausible_bp or c.bp01 or c.bp02:
        return None
    assert c.systolic is not None and c.diastolic is not None  # a plausible reading has both
    if c.systolic > BP03_SYSTOLIC_ABOVE or c.diastolic > BP03_DIASTOLIC_ABOVE:
        return fired(_reading(c), detail=_bp_text(c))
    return None


@rule(
    "BP-04",
    CAUTION,
    "Older patient with systolic above 150",
    f"Over {BP04_AGE_ABOVE} with a systolic blood pressure above {BP04_SYSTOLIC_ABOVE}: the phase-3 dosing "
    "rule withheld esketamine at this level in older patients.",
    "Janssen phase-3 dosing rule: withhold if SBP > 150 when over 65",
)
def bp04(c: Context) -> Outcome | None:
    if not c.plausible_bp or c.age is None or c.systolic is None:
        return None
    if c.age > BP04_AGE_ABOVE and BP04_SYSTOLIC_ABOVE < c.systolic <= BP04_SYSTOLIC_UP_TO:
        inputs = _reading(c)
        inputs["patient.date_of_birth"] = c.answers["patient.date_of_birth"]
        return fired(inputs, detail=f"Age {c.age}. {_bp_text(c)}")
    return None


@rule(
    "BP-05",
    CAUTION,
    "Hypertension diagnosis",
    "Diagnosed hypertension that is not known to be controlled: expect larger blood-pressure surges; "
    "excluded in the trials.",
    "Spravato phase-3 trial exclusions; larger BP surges in hypertension",
)
def bp05(c: Context) -> Outcome | None:
    diagnosed = c.answers["medical.hypertension_diagnosed"]
    if diagnosed == UNKNOWN:
        return incomplete(["medical.hypertension_diagnosed"])
    controlled = c.answers["medical.hypertension_controlled"]
    if diagnosed == "yes" and controlled != "yes":  # "no" or unknown both fire
        return fired({"medical.hypertension_diagnosed": "yes", "medical.hypertension_controlled": controlled})
    return None


answer_rule(
    "BP-06",
    CAUTION,
    {"medical.hypertensive_encephalopathy": YES},
    "Hypertensive encephalopathy",
    "History of hypertensive encephalopathy: the blood-pressure rise of (es)ketamine is a serious risk.",
    "Spravato US label warning (hypertensive encephalopathy)",
)


@rule(
    "BP-07",
    INCOMPLETE,
    "Measured blood pressure",
    "A measured blood pressure from the past 30 days is needed before treatment.",
    "Sanacora et al., JAMA Psychiatry 2017 (baseline BP); clinic policy default: measured, within 30 days",
)
def bp07(c: Context) -> Outcome | None:
    a = c.answers
    missing: list[str] = []
    inputs: Inputs = {}
    reasons: list[str] = []
    if c.systolic is None or c.diastolic is None:
        missing += [path for path in (SYSTOLIC, DIASTOLIC) if a[path] is None]
        reasons.append("no complete reading")
    source = a["vitals.bp_source"]
    if source == UNKNOWN:
        missing.append("vitals.bp_source")
        reasons.append("how it was taken is unknown")
    elif source != "measured":
        inputs["vitals.bp_source"] = source
        reasons.append("it was self-reported, not measured")
    bp_date = c.facts.dates.get("vitals.bp_date")
    if bp_date is None:
        missing.append("vitals.bp_date")
        reasons.append("its date is missing")
    else:
        days = (c.facts.assessment_date - bp_date).days
        if days > BP_MAX_AGE_DAYS:
            inputs["vitals.bp_date"] = a["vitals.bp_date"]
            reasons.append(f"it is {days} days old (more than {BP_MAX_AGE_DAYS})")
    if not reasons:
        return None
    return Outcome(inputs, missing, detail="Blood pressure: " + "; ".join(reasons) + ".")


@rule(
    "BP-08",
    INCOMPLETE,
    "Plausible blood pressure",
    "The blood pressure reading is not plausible (needs systolic 70-260, diastolic 40-160, systolic above "
    "diastolic): re-measure. The blood-pressure rules BP-02 to BP-04 could not run on it.",
    "Design (spec §5.3)",
)
def bp08(c: Context) -> Outcome | None:
    if c.systolic is None or c.diastolic is None or c.plausible_bp:
        return None
    return Outcome(_reading(c), detail=_bp_text(c))


# --- 5.4 Other medical ------------------------------------------------------------------

HEART_FAILURE: Final = "medical.heart_failure"
ARRHYTHMIA: Final = "medical.arrhythmia"


def _cardiac_rule_check(triggers: Mapping[str, Sequence[str]], in_window: Callable[[int], bool]) -> Check:
    """MED-01/MED-02: answers, or a dated cardiovascular event in the window.

    An unknown or dateless cardiovascular event is CI-05's to report, not theirs.
    """

    def check(c: Context) -> Outcome | None:
        a = c.answers
        hits: Inputs = {path: a[path] for path, values in triggers.items() if a[path] in values}
        if c.event_days is not None and in_window(c.event_days):
            hits.update(_event_inputs(c))
        if hits:
            dated = "medical.cardiovascular_event_date" in hits
            return fired(hits, detail=f"Cardiovascular event {c.event_days} days ago." if dated else None)
        missing = [path for path in triggers if a[path] == UNKNOWN]
        return incomplete(missing) if missing else None

    return check


rule(
    "MED-01",
    EXCLUDE_PENDING_REVIEW,
    "Unstable heart condition",
    "Unstable heart condition: unstable angina, severe heart failure, uncontrolled arrhythmia, or a heart "
    "attack, stent/bypass or other acute cardiovascular event 43-365 days ago. Excluded in the esketamine "
    "trials." + EXCLUDE_NOTE,
    "Spravato phase-3 exclusions; Spravato EU SmPC",
)(
    _cardiac_rule_check(
        {
            "medical.unstable_angina": YES,
            HEART_FAILURE: ("severe",),
            ARRHYTHMIA: ("uncontrolled",),
        },
        lambda days: CI05_MAX_DAYS < days <= MED01_MAX_DAYS,
    )
)
rule(
    "MED-02",
    CAUTION,
    "Heart or vessel disease",
    "Stable heart or blood-vessel disease (coronary artery disease, valve disease, stroke or TIA, stable "
    "heart failure, controlled arrhythmia, or a cardiovascular event more than a year ago): weigh the "
    "blood-pressure rise and plan monitoring.",
    "Spravato US label and patient leaflet; Swiss ketamine label",
)(
    _cardiac_rule_check(
        {
            "medical.coronary_artery_disease": YES,
            "medical.valvular_disease": YES,
            "medical.stroke_or_tia": YES,
            HEART_FAILURE: ("stable",),
            ARRHYTHMIA: ("controlled",),
        },
        lambda days: days > MED01_MAX_DAYS,
    )
)


@rule(
    "MED-03",
    EXCLUDE_PENDING_REVIEW,
    "Liver disease",
    "Severe liver disease (Child-Pugh C): esketamine is not recommended; ketamine needs dose and monitoring review.",
    "Spravato US label §8.6 (hepatic impairment)",
)
def med03(c: Context) -> Outcome | None:
    liver = c.answers["medical.liver_disease"]
    if liver == UNKNOWN:
        return incomplete(["medical.liver_disease"])
    if liver != "severe":
        return None
    # EXCLUDE_PENDING_REVIEW when esketamine is a route, else CAUTION (spec §5.4).
    return fired({"medical.liver_disease": "severe"}, level=None if c.facts.esketamine else CAUTION)


answer_rule(
    "MED-04",
    CAUTION,
    {"medical.liver_disease": ("mild", "moderate")},
    "Liver disease",
    "Mild or moderate liver disease: esketamine exposure is higher; monitor longer for adverse effects.",
    "Spravato US label §8.6 (hepatic impairment)",
    unknown_is_incomplete=False,  # an unknown is MED-03's
)
answer_rule(
    "MED-05",
    CAUTION,
    {"medical.lung_disease": YES, "medical.sleep_apnea": YES},
    "Lung disease or sleep apnoea",
    "Lung disease or sleep apnoea: risk of breathing problems with sedation; plan monitoring.",
    "Spravato EU patient leaflet; CPSBC draft standard (sleep apnoea screening)",
)
answer_rule(
    "MED-06",
    CAUTION,
    {"medical.hyperthyroidism_untreated": YES},
    "Untreated hyperthyroidism",
    "Untreated overactive thyroid: adds to the heart-rate and blood-pressure rise.",
    "Spravato EU patient leaflet; Swiss ketamine label",
)
answer_rule(
    "MED-07",
    CAUTION,
    {"medical.glaucoma": YES},
    "Glaucoma",
    "Glaucoma: ketamine can raise the pressure in the eye.",
    "Ketalar US label (raised intraocular pressure)",
)
answer_rule(
    "MED-08",
    CAUTION,
    {"medical.seizure_recent": YES},
    "Recent seizure",
    "A seizure in the past 12 months: clinician to weigh the seizure risk.",
    "Service policy (Oxford Health NHS ketamine service)",
)
answer_rule(
    "MED-09",
    EXCLUDE_PENDING_REVIEW,
    {"medical.delirium": YES},
    "Delirium",
    "Current delirium: dissociative treatment is not given during delirium." + EXCLUDE_NOTE,
    "Service policy",
)
answer_rule(
    "MED-10",
    CAUTION,
    {"medical.cognitive_impairment": YES},
    "Cognitive impairment",
    "Cognitive impairment: check capacity to consent and the effect of sedation and dissociation.",
    "Spravato US label warning (cognitive and motor impairment)",
)
answer_rule(
    "MED-11",
    CAUTION,
    {"medical.bladder_problems": YES},
    "Bladder problems",
    "Bladder problems: (es)ketamine can cause cystitis and urinary symptoms; monitor.",
    "Spravato and Ketalar labels (ulcerative or interstitial cystitis)",
)


@rule(
    "MED-12",
    INCOMPLETE,
    "Weight",
    "Weight missing: IV/IM ketamine is dosed per kilogram. Weigh the patient.",
    "Ketalar US label: IV/IM dosing per kg",
)
def med12(c: Context) -> Outcome | None:
    if c.facts.ketamine and c.answers["patient.weight_kg"] is None:
        return Outcome({}, ["patient.weight_kg"])
    return None


# Spec §5.4, MED-13: BMI 35 or more (clinic policy threshold), in tenths.
MED13_BMI_TENTHS_FROM: Final = 350


@rule(
    "MED-13",
    CAUTION,
    "BMI and sleep apnoea",
    "BMI 35 or more with sleep apnoea present or not ruled out: screen for sleep apnoea; risk of "
    "breathing problems during sedation.",
    "Spravato EU patient leaflet; clinic policy threshold BMI >= 35",
)
def med13(c: Context) -> Outcome | None:
    apnea = c.answers["medical.sleep_apnea"]
    if apnea == "no":
        return None
    if c.bmi_tenths is None:
        missing = [p for p in ("patient.weight_kg", "patient.height_cm") if c.answers[p] is None]
        return incomplete(missing)
    if c.bmi_tenths >= MED13_BMI_TENTHS_FROM:
        inputs: Inputs = {
            "patient.weight_kg": c.answers["patient.weight_kg"],
            "patient.height_cm": c.answers["patient.height_cm"],
            "medical.sleep_apnea": apnea,
        }
        return fired(inputs, detail=f"BMI {c.bmi_tenths / 10}.")
    return None


# Spec §5.4, MED-14: 65 or older (Spravato EU dosing; age predicts the BP surge).
MED14_AGE_FROM: Final = 65


@rule(
    "MED-14",
    CAUTION,
    "Age 65 or over",
    "Age 65 or over: lower starting dose for esketamine in the EU; age predicts a larger blood-pressure rise.",
    "Spravato EU SmPC dosing (65 and over)",
)
def med14(c: Context) -> Outcome | None:
    if c.age is not None and c.age >= MED14_AGE_FROM:
        return fired({"patient.date_of_birth": c.answers["patient.date_of_birth"]}, detail=f"Age {c.age}.")
    return None


# --- 5.5 Psychiatric and substance use ----------------------------------------------------

answer_rule(
    "PSY-01",
    EXCLUDE_PENDING_REVIEW,
    {"psychiatric.psychotic_symptoms_current": YES},
    "Current psychotic symptoms",
    "Hallucinations or delusions in the past month: (es)ketamine can worsen psychosis." + EXCLUDE_NOTE,
    "Spravato US label §5.2; trial and service exclusions",
)
answer_rule(
    "PSY-02",
    EXCLUDE_PENDING_REVIEW,
    {"psychiatric.psychotic_disorder": YES},
    "Psychotic disorder",
    "Psychotic disorder (schizophrenia, schizoaffective or delusional disorder): (es)ketamine can worsen "
    "psychosis." + EXCLUDE_NOTE,
    "Spravato US label §5.2; service exclusions",
)
answer_rule(
    "PSY-03",
    CAUTION,
    {"psychiatric.psychotic_features_past": YES},
    "Past psychotic features",
    "Psychotic features in a past mood episode, or substance-induced psychosis: weigh the risk of psychosis.",
    "Service policy",
)
answer_rule(
    "PSY-04",
    INFO,
    {"psychiatric.family_psychosis": YES},
    "Family history of psychosis",
    "A parent, sibling or child has a psychotic disorder.",
    "Service policy",
    unknown_is_incomplete=False,  # family history is often unknown (spec §5.5)
)
answer_rule(
    "PSY-05",
    EXCLUDE_PENDING_REVIEW,
    {"psychiatric.mania_current": YES},
    "Current mania",
    "Manic or hypomanic now." + EXCLUDE_NOTE,
    "Spravato trial exclusion",
)
answer_rule(
    "PSY-06",
    CAUTION,
    {"psychiatric.bipolar_or_mania_history": YES},
    "Bipolar disorder or mania",
    "History of bipolar disorder or mania: watch for a switch into mania.",
    "Service policy; Spravato EU patient leaflet",
)


@rule(
    "PSY-07",
    EXCLUDE_PENDING_REVIEW,
    "Drug use",
    "Current drug use disorder, or DAST-10 score 6 or more (substantial or severe drug problems): "
    "(es)ketamine has abuse potential." + EXCLUDE_NOTE,
    "Spravato US label §9.2 (abuse and dependence); DAST-10 bands (Skinner 1982)",
)
def psy07(c: Context) -> Outcome | None:
    disorder = c.answers["substance.drug_use_disorder_current"]
    if c.psy07:
        inputs = _items(DAST10, c.facts.dast10)
        if disorder == "yes":
            inputs["substance.drug_use_disorder_current"] = "yes"
        return fired(inputs)
    missing = _missing_items(DAST10, c.facts.dast10)
    if disorder == UNKNOWN:
        missing.append("substance.drug_use_disorder_current")
    return incomplete(missing) if missing else None


def _dast_band_rule(c: Context, low: int, high: int) -> Outcome | None:
    """PSY-08/PSY-09: a complete DAST-10 in the band, and PSY-07 did not fire."""
    total = c.dast10_total
    if c.psy07 or total is None or not low <= total <= high:
        return None
    return fired(_items(DAST10, c.facts.dast10), detail=f"DAST-10 score {total}.")


@rule(
    "PSY-08",
    CAUTION,
    "DAST-10 moderate",
    "DAST-10 score 3-5 (moderate drug problems): discuss substance use; (es)ketamine has abuse potential.",
    "DAST-10 bands (Skinner 1982)",
)
def psy08(c: Context) -> Outcome | None:
    return _dast_band_rule(c, 3, 5)


@rule(
    "PSY-09",
    INFO,
    "DAST-10 low",
    "DAST-10 score 1-2 (low level of drug problems).",
    "DAST-10 bands (Skinner 1982)",
)
def psy09(c: Context) -> Outcome | None:
    return _dast_band_rule(c, 1, 2)


answer_rule(
    "PSY-10",
    EXCLUDE_PENDING_REVIEW,
    {"substance.dissociative_use_past_year": YES, "substance.ketamine_use_disorder_history": YES},
    "Dissociative or ketamine misuse",
    "Non-medical use of ketamine, PCP or other dissociatives in the past year, or a history of ketamine use "
    "disorder." + EXCLUDE_NOTE,
    "Spravato US label §5.3 (abuse and misuse); trial exclusion",
)


@rule(
    "PSY-11",
    CAUTION,
    "Alcohol use (AUDIT-C)",
    "AUDIT-C positive: risky drinking. Alcohol adds to sedation (a CNS depressant); advise no alcohol "
    "around treatment.",
    "AUDIT-C cut-offs (Bush et al. 1998; Bradley et al. 2003): >= 4 men, >= 3 women; >= 3 intersex or "
    "unknown sex (clinic policy default)",
)
def psy11(c: Context) -> Outcome | None:
    # A total can only grow: answered items alone may already reach the cut-off.
    if c.auditc_partial >= c.auditc_cutoff:
        inputs = _items(AUDITC, c.facts.auditc)
        inputs["patient.sex_at_birth"] = c.answers["patient.sex_at_birth"]
        return fired(inputs)
    missing = _missing_items(AUDITC, c.facts.auditc)
    return incomplete(missing) if missing else None


@rule(
    "PSY-13",
    INFO,
    "PHQ-9",
    "Depression severity, for context.",
    "PHQ-9 (Kroenke, Spitzer & Williams 2001)",
)
def psy13(c: Context) -> Outcome | None:
    total = c.phq9_total
    if total is not None:
        band = band_of(total, PHQ9_BANDS).replace("_", " ")
        return fired(_items(PHQ9, c.facts.phq9), detail=f"PHQ-9 total {total} ({band}).")
    missing = _missing_items(PHQ9, c.facts.phq9)
    if missing == [PHQ9_ITEM9]:
        return None  # only item 9 missing: SAF-06 reports it
    return incomplete(missing)


# Spec §5.5, PSY-14: GAD-7 10 or more (moderate anxiety or worse; Spitzer 2006).
PSY14_GAD7_FROM: Final = 10


@rule(
    "PSY-14",
    INFO,
    "GAD-7",
    "GAD-7 anxiety score 10 or more.",
    "GAD-7 (Spitzer et al. 2006)",
)
def psy14(c: Context) -> Outcome | None:
    total = c.gad7_total
    if total is None:
        return incomplete(_missing_items(GAD7, c.facts.gad7))
    if total >= PSY14_GAD7_FROM:
        return fired(_items(GAD7, c.facts.gad7), detail=f"GAD-7 total {total} ({band_of(total, GAD7_BANDS)}).")
    return None


# --- 5.6 Pregnancy and lactation ----------------------------------------------------------

answer_rule(
    "PRG-01",
    EXCLUDE_PENDING_REVIEW,
    {"reproductive.pregnant": ("yes", "possibly")},
    "Pregnancy",
    "Pregnant or possibly pregnant: esketamine and ketamine are not recommended in pregnancy." + EXCLUDE_NOTE,
    "Spravato US label (not recommended in pregnancy); service policies",
    unknown_is_incomplete=False,  # its unknowns are PRG-04's
)
answer_rule(
    "PRG-02",
    EXCLUDE_PENDING_REVIEW,
    {"reproductive.breastfeeding": YES},
    "Breastfeeding",
    "Breastfeeding: esketamine is not recommended while breastfeeding." + EXCLUDE_NOTE,
    "Spravato US label (not recommended when breastfeeding)",
)


@rule(
    "PRG-03",
    CAUTION,
    "Planning pregnancy",
    "Planning a pregnancy: discuss timing and contraception before treatment.",
    "Spravato label advice; service policies",
)
def prg03(c: Context) -> Outcome | None:
    planning = c.answers["reproductive.planning_pregnancy"]
    if planning == "yes":
        return fired({"reproductive.planning_pregnancy": "yes"})
    if planning == UNKNOWN and c.answers["reproductive.pregnancy_possible"] == "yes":
        return incomplete(["reproductive.planning_pregnancy"])
    return None


@rule(
    "PRG-04",
    INCOMPLETE,
    "Pregnancy status",
    "Whether a pregnancy is possible, or whether the patient is pregnant, is unknown: ask. The answer is "
    "asked of everyone and never inferred from sex.",
    "Design (spec §5.6)",
)
def prg04(c: Context) -> Outcome | None:
    possible = c.answers["reproductive.pregnancy_possible"]
    pregnant = c.answers["reproductive.pregnant"]
    if possible == UNKNOWN:
        missing = ["reproductive.pregnancy_possible"]
        if pregnant == UNKNOWN:
            missing.append("reproductive.pregnant")
        return Outcome({}, missing)
    if possible == "yes" and pregnant == UNKNOWN:
        return Outcome({"reproductive.pregnancy_possible": "yes"}, ["reproductive.pregnant"])
    return None


# --- 5.7 Medications --------------------------------------------------------------------


@rule(
    "DDI-00",
    INCOMPLETE,
    "Medication list",
    "The medication list was not answered: ask what the patient takes (an empty list means none).",
    "Design (spec §5.7)",
)
def ddi00(c: Context) -> Outcome | None:
    return Outcome({}, ["medications"]) if c.medications is None else None


class_rule(
    "DDI-01",
    CAUTION,
    meds.MAOI,
    "MAOI",
    "Monoamine oxidase inhibitor: (es)ketamine with an MAOI can raise blood pressure further; monitor closely.",
    "Spravato US label §7",
)
class_rule(
    "DDI-02",
    CAUTION,
    meds.PSYCHOSTIMULANT,
    "Psychostimulant",
    "Psychostimulant: adds to the blood-pressure rise; monitor closely.",
    "Spravato US label §7",
)
class_rule(
    "DDI-03",
    CAUTION,
    meds.CNS_DEPRESSANT,
    "CNS depressant",
    "CNS depressant (benzodiazepine, Z-drug, opioid, barbiturate, gabapentinoid, sedating antihistamine or "
    "muscle relaxant): adds to sedation.",
    "Spravato US label §7; Ketalar label",
)
class_rule(
    "DDI-05",
    INFO,
    meds.LAMOTRIGINE,
    "Lamotrigine",
    "Lamotrigine: may blunt the response to ketamine.",
    "Andrade, J Clin Psychiatry 2017;78(7)",
)
class_rule(
    "DDI-07",
    CAUTION,
    meds.SYMPATHOMIMETIC,
    "Sympathomimetic",
    "Sympathomimetic with the ketamine route: adds to the blood-pressure and heart-rate rise.",
    "Ketalar US label §7",
    ketamine_only=True,
)
class_rule(
    "DDI-08",
    INFO,
    meds.CYP_MODULATOR,
    "Strong CYP3A4/CYP2B6 modulator",
    "Strong CYP3A4/CYP2B6 inhibitor or inducer: ketamine levels may change.",
    "Andrade 2017; Spravato US label §7",
)


@rule(
    "DDI-09",
    INCOMPLETE,
    "Unrecognised medication",
    "Medication names not found in the catalogue: reconcile them (exact names only; the engine never guesses).",
    "Design (spec §5.7)",
)
def ddi09(c: Context) -> Outcome | None:
    if c.medications is None or not c.medications.unmatched:
        return None
    names = list(c.medications.unmatched.values())
    # `missing` lists the names as entered, for reconciliation (spec §6).
    return Outcome(dict(c.medications.unmatched), names, detail="Not found: " + ", ".join(names) + ".")


# --- 5.8 Indication and logistics (INFO only, never INCOMPLETE) ---------------------------

TRIALS: Final = "psychiatric.failed_antidepressant_trials"
# Spec §5.8: two or more failed adequate trials = treatment-resistant depression
# (McIntyre et al., Am J Psychiatry 2021).
TRD_TRIALS_FROM: Final = 2


@rule(
    "IND-01",
    INFO,
    "Treatment resistance",
    "Meets the common definition of treatment-resistant depression (2 or more failed adequate "
    "antidepressant trials in this episode).",
    "McIntyre et al., Am J Psychiatry 2021;178(5):383-399",
)
def ind01(c: Context) -> Outcome | None:
    trials = c.answers[TRIALS]
    return fired({TRIALS: trials}) if isinstance(trials, int) and trials >= TRD_TRIALS_FROM else None


@rule(
    "IND-02",
    INFO,
    "Treatment resistance",
    "Treatment resistance not established (fewer than 2 failed adequate trials, or unknown).",
    "McIntyre et al., Am J Psychiatry 2021;178(5):383-399",
)
def ind02(c: Context) -> Outcome | None:
    trials = c.answers[TRIALS]
    if trials is None:
        return Outcome({}, [TRIALS])
    return fired({TRIALS: trials}) if isinstance(trials, int) and trials < TRD_TRIALS_FROM else None


@rule(
    "IND-03",
    INFO,
    "Off-label route",
    "IV/IM ketamine is off-label for depression: informed consent for off-label use is required.",
    "Sanacora et al., JAMA Psychiatry 2017;74(4):399-405",
)
def ind03(c: Context) -> Outcome | None:
    return fired({"routes": list(c.facts.routes)}) if c.facts.ketamine else None


answer_rule(
    "IND-04",
    INFO,
    {"psychiatric.prior_ketamine_treatment": YES},
    "Prior ketamine treatment",
    "Treated with ketamine or esketamine before: ask about earlier response and adverse effects.",
    "Sanacora et al., JAMA Psychiatry 2017",
    unknown_is_incomplete=False,  # an unknown gives nothing (spec §5.8)
)


@rule(
    "LOG-01",
    INFO,
    "Ride home",
    "No ride home confirmed: no driving until the next day after sleep. Arrange a ride.",
    "Spravato REMS and US label (no driving until the next day)",
)
def log01(c: Context) -> Outcome | None:
    ride = c.answers["logistics.has_ride_home"]
    if ride == "no":
        return fired({"logistics.has_ride_home": "no"})
    return Outcome({}, ["logistics.has_ride_home"]) if ride == UNKNOWN else None


@rule(
    "LOG-02",
    INFO,
    "Spravato REMS",
    "Esketamine (Spravato): enrol the patient in the Spravato REMS before the first session.",
    "Spravato REMS (patient enrolment, 2-hour monitoring)",
)
def log02(c: Context) -> Outcome | None:
    return fired({"routes": list(c.facts.routes)}) if c.facts.esketamine else None


#: Every rule, by id.
RULES: Final[tuple[Rule, ...]] = tuple(RULES_BY_ID[key] for key in sorted(RULES_BY_ID))
