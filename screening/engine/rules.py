"""The rules of rule set 2026.1 (SCREENING_SPEC.md §5).

Each rule is small: an id, the level at which it fires, the routes it applies to, what it
checks, its source, and a check. A check returns an ``Outcome`` tuple (fired, or
``INCOMPLETE`` with the missing fields) or ``None``. The evaluator runs every rule and
collects every flag; no rule stops another.

General semantics (spec §2): a rule fires when any trigger is positive; otherwise, when
an input it needs is unknown, missing or implausible, it reports INCOMPLETE under its own
id; otherwise it says nothing. Where the spec names who reports an unknown (SAF-06 for
safety answers, CI-05 for the cardiovascular event, CI-07 for the date of birth, PRG-04
for pregnancy, DDI-00 for the medication list), the other rules stay silent about it.

Messages (spec §1 item 4) are written only when a rule fires, from what fired: they say
only what the answers show (an absence only for an answer given as "no"), call a
self-report a self-report, name the route(s) the rule applies to on this intake, and,
where several triggers can fire a rule, say which did, with its value. ``inputs`` hold
only what triggered the flag; an INCOMPLETE message names the labels of the fields that
are actually missing (facts.FIELD_LABELS).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from typing import Final

from . import medications as meds
from .context import BP02_DIASTOLIC_ABOVE, DAST10_BAND_BY_TOTAL, DAST10_EXCLUDE_FROM, Context
from .facts import (
    ALL_ROUTES,
    AUDITC,
    CSSRS_FIELDS,
    CSSRS_FOLLOWUP_AFTER_Q2,
    CSSRS_FOLLOWUP_AFTER_Q6,
    DAST10,
    ESKETAMINE,
    GAD7,
    KETAMINE,
    PHQ9,
    UNKNOWN,
    Answer,
    ListInstrument,
    field_label,
)
from .levels import (
    CAUTION,
    EXCLUDE_PENDING_REVIEW,
    INCOMPLETE,
    INFO,
    SAFETY_REVIEW,
    URGENT_MEDICAL,
    URGENT_SAFETY,
)
from .scoring import (
    CRISIS_DIASTOLIC_ABOVE,
    CRISIS_SYSTOLIC_ABOVE,
    DAST10_REVERSED_ITEM,
    DIASTOLIC_PLAUSIBLE,
    GAD7_BANDS,
    PHQ9_BANDS,
    SYSTOLIC_PLAUSIBLE,
    auditc_cutoff,
    band_of,
    diastolic_in_range,
    systolic_in_range,
)

Inputs = dict[str, object]

CRISIS_RESOURCES: Final = (
    "Show the patient crisis resources now: 988 Suicide & Crisis Lifeline (call or text 988); emergency 911."
)

#: The rules whose firing means the patient page shows crisis resources: PHQ-9 item 9 above 0
#: (SAF-01) and any yes in the C-SSRS (SAF-03, SAF-04 or SAF-05, whichever risk it proves).
CRISIS_RULE_IDS: Final = frozenset({"SAF-01", "SAF-03", "SAF-04", "SAF-05"})

# --- Sources (spec §8): each names the document and, for a label, its revision and section ---

SPRAVATO_US: Final = "Spravato (esketamine) nasal spray US prescribing information, revision 03/2019"
SPRAVATO_EU_SMPC: Final = "Spravato EU summary of product characteristics (SmPC)"
SPRAVATO_EU_LEAFLET: Final = "Spravato EU package leaflet, section 2"
KETALAR_US: Final = "Ketalar (ketamine hydrochloride) injection US prescribing information, revision 10/2024"
SWISS_KETAMINE: Final = (
    "Swiss ketamine product information (Swissmedic), contraindications: untreated or poorly controlled "
    "hypertension above 180/100 mmHg at rest"
)
JANSSEN_DOSING: Final = (
    "Janssen esketamine phase-3 dosing rule: withhold if systolic > 140 mmHg (> 150 mmHg if over 65) or "
    "diastolic > 90 mmHg"
)
ACC_AHA_2017: Final = "Whelton et al., 2017 ACC/AHA hypertension guideline, Hypertension 2018;71:e13-e115"
SANACORA_2017: Final = (
    "Sanacora et al., consensus statement on ketamine in mood disorders, JAMA Psychiatry 2017;74(4):399-405"
)
ASKP: Final = 'American Society of Ketamine Physicians (ASKP), "Basics of Administration"'
CANMAT_2021: Final = "Swainson et al., CANMAT task force, Can J Psychiatry 2021;66(2):113-125"
ANDRADE_2017: Final = "Andrade, J Clin Psychiatry 2017;78(7) (ketamine drug interactions)"
COLUMBIA: Final = (
    "Posner et al., Am J Psychiatry 2011;168:1266-1277; Columbia Lighthouse Project C-SSRS screener triage"
)
DAST_SOURCE: Final = "DAST-10 scoring and bands (Skinner, Addict Behav 1982;7:363-371)"
OXFORD_HEALTH: Final = "Service policy (Oxford Health NHS ketamine service limitations)"
MCINTYRE_2021: Final = "McIntyre et al., Am J Psychiatry 2021;178(5):383-399 (TRD: two or more failed treatments)"


def design(section: str, note: str = "") -> str:
    """A rule of the engine's own design, citing the spec section that defines it."""
    return f"Design (SCREENING_SPEC.md {section}{': ' + note if note else ''})"


#: What a rule found: ``(inputs, message, level, missing)``, a plain tuple (a rule fires on
#: nearly every document, and a tuple is built for a fraction of the cost of an object).
#: ``level`` None means the rule's own level. ``message`` None is allowed only for an
#: INCOMPLETE outcome: the message is then built from the labels of ``missing``.
Outcome = tuple[Inputs, str | None, str | None, list[str]]


# A rule that fires at its own level returns ``(inputs, message, None, [])`` itself (a call
# less); ``fired`` is for another level.
def fired(inputs: Inputs, message: str, *, level: str | None = None) -> Outcome:
    return (inputs, message, level, [])


def incomplete(missing: list[str], *, inputs: Inputs | None = None, message: str | None = None) -> Outcome:
    return (inputs or {}, message, INCOMPLETE, missing)


def labels(paths: Sequence[str]) -> str:
    """Field labels joined for a sentence: ``Sleep apnoea; Weight (kg)``."""
    return _labels(tuple(paths))


# Cached by the paths: messages name the same few combinations of fields again and again.
@lru_cache(maxsize=1024)
def _labels(paths: tuple[str, ...]) -> str:
    return "; ".join(field_label(path) for path in paths)


def missing_message(missing: Sequence[str]) -> str:
    """The INCOMPLETE message of the general semantics: only the fields actually missing."""
    return _missing_message(tuple(missing))


# Cached by the missing paths, on which alone the message depends: the same few
# combinations (one unknown answer, an unanswered item) come back document after document.
@lru_cache(maxsize=1024)
def _missing_message(missing: tuple[str, ...]) -> str:
    return f"Not known (unknown or not answered): {labels(missing)}. Ask the patient or staff before a decision."


Check = Callable[[Context], Outcome | None]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: str  # the level at which it fires
    title: str  # what it is about, in a few words
    checks: str  # what it checks, for the rule book (docs/rules.md)
    source: str
    check: Check
    routes: tuple[str, ...] = ALL_ROUTES  # the routes it applies to
    #: (path, answer) pairs with which the rule says nothing: when a document has every one of
    #: them (say, each trigger answered "no"), the evaluator skips the check. Empty: always run.
    quiet_when: frozenset[tuple[str, Answer]] = frozenset()

    def message_for(self, outcome: Outcome) -> str:
        _inputs, message, _level, missing = outcome
        if message is not None:
            return message
        return missing_message(missing)


RULES_BY_ID: dict[str, Rule] = {}


def rule(
    rule_id: str,
    level: str,
    title: str,
    checks: str,
    source: str,
    *,
    routes: tuple[str, ...] = ALL_ROUTES,
    quiet_when: Mapping[str, Answer] | None = None,
) -> Callable[[Check], Check]:
    """Register a check function as a rule.

    ``quiet_when`` maps answer paths to the answers with which the check returns None (all
    of them together): the evaluator then skips the check. The golden tests hold it to that.
    """

    def register(check: Check) -> Check:
        if rule_id in RULES_BY_ID:
            raise ValueError(f"rule {rule_id} defined twice")
        quiet = frozenset((quiet_when or {}).items())
        RULES_BY_ID[rule_id] = Rule(rule_id, level, title, checks, source, check, routes, quiet)
        return check

    return register


# --- Route wording (spec §1 items 4 and 6) -------------------------------------------------

ROUTE_NAMES: Final[dict[str, str]] = {
    ESKETAMINE: "esketamine nasal spray (Spravato)",
    KETAMINE: "IV/IM ketamine",
}
DRUG_NAMES: Final[dict[str, str]] = {ESKETAMINE: "esketamine", KETAMINE: "ketamine"}


@lru_cache(maxsize=64)
def _planned(routes: tuple[str, ...], applies: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(route for route in ALL_ROUTES if route in routes and route in applies)


def planned(c: Context, applies: Sequence[str] = ALL_ROUTES) -> tuple[str, ...]:
    """The planned routes of this intake that a rule applies to, in a fixed order."""
    return _planned(c.facts.routes, tuple(applies))


@lru_cache(maxsize=64)
def _route_text(routes: tuple[str, ...], applies: tuple[str, ...]) -> str:
    return " and ".join(ROUTE_NAMES[route] for route in _planned(routes, applies))


def route_text(c: Context, applies: Sequence[str] = ALL_ROUTES) -> str:
    """``esketamine nasal spray (Spravato) and IV/IM ketamine``: the routes named in full."""
    if applies is ALL_ROUTES:  # most rules: every planned route, by plan from a table
        facts = c.facts
        return _ROUTE_TEXTS[facts.esketamine, facts.ketamine]
    return _route_text(c.facts.routes, tuple(applies))


# Every planned route named in full, for each plan (esketamine planned, ketamine planned), written once.
_ROUTE_TEXTS: Final = {
    (ESKETAMINE in routes, KETAMINE in routes): _route_text(routes, ALL_ROUTES)
    for routes in ((ESKETAMINE,), (KETAMINE,), ALL_ROUTES)
}


@lru_cache(maxsize=64)
def _drug_text(routes: tuple[str, ...]) -> str:
    return " and ".join(DRUG_NAMES[route] for route in _planned(routes, ALL_ROUTES))


# The drugs named for each plan, (esketamine planned, ketamine planned) -> text, prepared once.
_DRUG_TEXTS: Final = {
    (ESKETAMINE in routes, KETAMINE in routes): _drug_text(routes)
    for routes in ((ESKETAMINE,), (KETAMINE,), ALL_ROUTES)
}


def drug_text(c: Context) -> str:
    """``esketamine``, ``ketamine`` or ``esketamine and ketamine``: the drugs of the planned routes."""
    facts = c.facts
    return _DRUG_TEXTS[facts.esketamine, facts.ketamine]


def drug_is(c: Context) -> str:
    """``esketamine is`` or ``esketamine and ketamine are``."""
    return drug_text(c) + (" are" if len(planned(c)) > 1 else " is")


def inline(label: str) -> str:
    """A label inside a sentence: lower-case its first letter unless it starts an abbreviation."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


EXCLUDE_NOTE: Final = "No scheduling until a clinician records a decision with a reason."


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


Say = Callable[[Context, Inputs], str]


Triggers = tuple[tuple[str, frozenset[str]], ...]  # (answer path, the values that fire), prepared once


def scan_triggers(triggers: Triggers, answers: Mapping[str, Answer]) -> tuple[Inputs | None, list[str] | None]:
    """(the trigger answers that fire, the trigger paths answered unknown), each None when
    there are none: one pass, and nothing allocated when every trigger is answered calmly."""
    hits: Inputs | None = None
    unknown: list[str] | None = None
    for path, values in triggers:
        value = answers[path]
        if value in values:
            if hits is None:
                hits = {}
            hits[path] = value
        elif value == UNKNOWN:
            if unknown is None:
                unknown = []
            unknown.append(path)
    return hits, unknown


def answer_rule(
    rule_id: str,
    level: str,
    triggers: Mapping[str, Sequence[str]],
    title: str,
    checks: str,
    say: Say,
    source: str,
    *,
    unknown_is_incomplete: bool = True,
    routes: tuple[str, ...] = ALL_ROUTES,
) -> None:
    """A rule that fires when any answer is one of its trigger values.

    ``say`` writes the message from what fired (only called when the rule fires).
    Otherwise an unknown answer gives INCOMPLETE (general semantics), unless the spec
    says the unknown gives nothing (``unknown_is_incomplete=False``).
    """

    # Prepared once: the trigger paths with their values. One pass over the answers; the
    # common case (every trigger answered with a value that does not fire, e.g. all "no")
    # allocates nothing, and when every trigger is answered "no" the evaluator skips it.
    prepared = tuple((path, frozenset(values)) for path, values in triggers.items())
    if any("no" in values for values in triggers.values()):
        raise ValueError(f'{rule_id}: a trigger value "no" would contradict quiet_when')

    if len(prepared) == 1:  # most rules: one trigger, read without scan_triggers
        ((path, values),) = prepared

        def check(c: Context) -> Outcome | None:
            value = c.answers[path]
            if value in values:
                hits: Inputs = {path: value}
                return (hits, say(c, hits), None, [])
            if value == UNKNOWN and unknown_is_incomplete:
                return ({}, None, INCOMPLETE, [path])  # incomplete([path])
            return None

    else:

        def check(c: Context) -> Outcome | None:
            hits, unknown = scan_triggers(prepared, c.answers)
            if hits:
                return (hits, say(c, hits), None, [])
            if unknown and unknown_is_incomplete:
                return incomplete(unknown)
            return None

    rule(rule_id, level, title, checks, source, routes=routes, quiet_when=dict.fromkeys(triggers, "no"))(check)


# Distinct routes tuples remembered per message: the three plans (esketamine, ketamine,
# both) and their orderings; a document repeating a route is answered without the cache.
_ROUTES_REMEMBERED: Final = 8


def per_routes(write: Callable[[Context], str]) -> Say:
    """A message that depends only on the planned routes, written once per routes tuple."""
    by_routes: dict[tuple[str, ...], str] = {}

    def say(c: Context, hits: Inputs) -> str:
        routes = c.facts.routes
        text = by_routes.get(routes)
        if text is None:
            text = write(c)
            if len(by_routes) < _ROUTES_REMEMBERED:
                by_routes[routes] = text
        return text

    return say


def reported(finding: str, consequence: str, *, exclude: bool = False) -> Say:
    """A one-answer rule's message: the self-reported finding, then what it means for the
    planned routes (``{routes}`` and ``{drug}`` in ``consequence`` are filled in)."""

    def write(c: Context) -> str:
        text = f"The patient reports {finding}: " + consequence.format(routes=route_text(c), drug=drug_text(c))
        return f"{text} {EXCLUDE_NOTE}" if exclude else text

    return per_routes(write)


YES: Final = ("yes",)


def _missing_items(instrument: ListInstrument, values: Sequence[object]) -> list[str]:
    """The unanswered items' paths (none, the common case, without a loop)."""
    if None not in values:
        return []
    return [path for path, v in zip(instrument.item_paths, values, strict=True) if v is None]


def _when(days: int) -> str:
    return "the assessment day" if days == 0 else f"{days} day{'s' if days != 1 else ''} before the assessment"


# How long before the assessment, for the first thousand days, written once.
_WHEN_BY_DAYS: Final = tuple(_when(days) for days in range(1000))


def _date_phrase(c: Context, path: str) -> str:
    """``on 2026-11-18 (2 days before the assessment)``, or ``date not given``."""
    day = c.facts.dates.get(path)
    if day is None:
        return "date not given"
    days = (c.facts.assessment_date - day).days
    when = _WHEN_BY_DAYS[days] if days < 1000 else _when(days)  # a date is never after the assessment
    # The answer is the date as written, exactly YYYY-MM-DD: day.isoformat(), without its cost.
    return f"on {c.answers[path]} ({when})"


# --- 5.1 Safety -----------------------------------------------------------------------

SAF_Q: Final = {q: f.path for q, f in CSSRS_FIELDS.items()}
PHQ9_ITEM9: Final = PHQ9.item_path(9)
PHQ9_ANSWERS: Final = {1: "several days", 2: "more than half the days", 3: "nearly every day"}

# What each C-SSRS screener question asks, in the words of a flag.
CSSRS_WORDS: Final = {
    "q1": "Q1 wish to be dead (past month)",
    "q2": "Q2 suicidal thoughts (past month)",
    "q3": "Q3 thoughts of a method (past month)",
    "q4": "Q4 some intent to act on the thoughts (past month)",
    "q5": "Q5 a plan worked out, with intent (past month)",
    "q6": "Q6 suicidal behaviour ever (did, started or prepared anything to end their life)",
}


@rule(
    "SAF-01",
    URGENT_SAFETY,
    "PHQ-9 item 9",
    "PHQ-9 item 9 (thoughts of being better off dead or of hurting oneself) answered 1 or more.",
    "Simon et al., Psychiatr Serv 2013 (PHQ-9 item 9 and later suicide attempts); clinic policy default: any "
    "answer of 1 or more",
)
def saf01(c: Context) -> Outcome | None:
    item9 = c.facts.phq9[8]
    if item9 is None or item9 < 1:
        return None
    return (
        {PHQ9_ITEM9: item9},
        f"PHQ-9 item 9 (thoughts of being better off dead or of hurting oneself) answered {item9} "
        f"({PHQ9_ANSWERS[item9]}, past 2 weeks): alert a clinician at once to assess suicide risk. " + CRISIS_RESOURCES,
        None,
        [],
    )


CSSRS_PATHS: Final = tuple(SAF_Q.values())


def per_answers(paths: tuple[str, ...]) -> Callable[[Check], Check]:
    """For a check that reads nothing but the answers at ``paths`` (and what the context
    derives from those alone): its outcome is worked out once per combination of those
    answers (validated choices, so a bounded number) and copied for each document, with
    its own ``inputs`` and ``missing`` (a result is the caller's to keep or change)."""

    def wrap(check: Check) -> Check:
        outcomes: dict[tuple[Answer, ...], Outcome | None] = {}

        def cached(c: Context) -> Outcome | None:
            key = tuple(map(c.answers.__getitem__, paths))
            if key in outcomes:
                outcome = outcomes[key]
            else:
                outcome = outcomes[key] = check(c)
            if outcome is None:
                return None
            inputs, message, level, missing = outcome
            return (dict(inputs), message, level, list(missing))

        return cached

    return wrap


def _open_high_risk_questions(c: Context) -> list[str]:
    """Unanswered C-SSRS questions whose yes would prove high risk (SAF-03)."""
    a = c.answers
    open_questions = []
    if a[SAF_Q["q2"]] != "no":  # Q4 and Q5 are asked when Q2 is yes (or Q2 itself is unanswered)
        open_questions += [q for q in ("q4", "q5") if a[SAF_Q[q]] is None]
    if a[SAF_Q["q6"]] == "yes" and a[SAF_Q["q6_past_3_months"]] is None:
        open_questions.append("q6_past_3_months")
    return open_questions


def _open_note(c: Context, open_questions: list[str]) -> str:
    if not open_questions:
        return ""
    words = [
        "whether the behaviour was within the past 3 months" if q == "q6_past_3_months" else CSSRS_WORDS[q]
        for q in open_questions
    ]
    return (
        f" Not answered: {'; '.join(words)}. A yes would mean high risk (SAF-03): ask now; SAF-06 lists "
        "the missing answers."
    )


@rule(
    "SAF-03",
    URGENT_SAFETY,
    "C-SSRS high risk",
    "C-SSRS Q4 (intent) yes, or Q5 (plan with intent) yes, or Q6 (suicidal behaviour) yes within the past "
    "3 months. Missing answers are SAF-06's.",
    COLUMBIA + " (high risk: intent, plan, or behaviour within 3 months)",
)
def saf03(c: Context) -> Outcome | None:
    if not c.saf03:
        return None
    a = c.answers
    inputs: Inputs = {}
    found: list[str] = []
    for q in ("q4", "q5"):
        if a[SAF_Q[q]] == "yes":
            inputs[SAF_Q[q]] = "yes"
            found.append(f"{CSSRS_WORDS[q]}: yes")
    if a[SAF_Q["q6_past_3_months"]] == "yes":
        if a[SAF_Q["q6"]] == "yes":
            inputs[SAF_Q["q6"]] = "yes"
        inputs[SAF_Q["q6_past_3_months"]] = "yes"
        found.append("Q6 suicidal behaviour within the past 3 months: yes")
    also = ""
    if a[SAF_Q["q6"]] == "yes" and a[SAF_Q["q6_past_3_months"]] != "yes":
        timing = "not within the past 3 months" if a[SAF_Q["q6_past_3_months"]] == "no" else "timing not answered"
        also = f" Also answered: suicidal behaviour at some time (Q6 yes), {timing}."
    return (
        inputs,
        f"C-SSRS high risk: {'; '.join(found)}.{also} Alert a clinician at once; never just queue this. "
        + CRISIS_RESOURCES,
        None,
        [],
    )


@rule(
    "SAF-04",
    SAFETY_REVIEW,
    "C-SSRS moderate risk",
    "C-SSRS Q3 (thoughts of a method) yes, or Q6 (suicidal behaviour) yes with its timing answered no or not "
    "answered; and SAF-03 did not fire.",
    COLUMBIA + " (Q3 yes, or Q6 yes more than 3 months ago, is moderate risk; Q6 yes proves at least moderate)",
)
def saf04(c: Context) -> Outcome | None:
    if not c.saf04:
        return None
    a = c.answers
    inputs: Inputs = {}
    found: list[str] = []
    if a[SAF_Q["q3"]] == "yes":
        inputs[SAF_Q["q3"]] = "yes"
        found.append(f"{CSSRS_WORDS['q3']}: yes")
    if a[SAF_Q["q6"]] == "yes":
        inputs[SAF_Q["q6"]] = "yes"
        if a[SAF_Q["q6_past_3_months"]] == "no":
            inputs[SAF_Q["q6_past_3_months"]] = "no"
            found.append("Q6 suicidal behaviour: yes, not within the past 3 months")
        else:
            found.append("Q6 suicidal behaviour: yes, timing not answered")
    open_questions = _open_high_risk_questions(c)
    risk = "at least moderate risk" if open_questions else "moderate risk"
    return (
        inputs,
        f"C-SSRS {risk}: {'; '.join(found)}.{_open_note(c, open_questions)} Priority clinician review before "
        "anything else.",
        None,
        [],
    )


@rule(
    "SAF-05",
    SAFETY_REVIEW,
    "C-SSRS low risk",
    "C-SSRS Q1 (wish to be dead) or Q2 (suicidal thoughts) yes; and neither SAF-03 nor SAF-04 fired.",
    COLUMBIA + " (Q1 or Q2 yes alone is low risk)",
)
def saf05(c: Context) -> Outcome | None:
    # Most documents: no Q1 or Q2 yes, or a higher risk proven; said without the cache's key.
    a = c.answers
    if c.saf03 or c.saf04 or (a[SAF_Q1] != "yes" and a[SAF_Q2] != "yes"):
        return None
    return _saf05(c)


SAF_Q1: Final = SAF_Q["q1"]


@per_answers(CSSRS_PATHS)  # it reads the C-SSRS answers and nothing else
def _saf05(c: Context) -> Outcome | None:
    if c.saf03 or c.saf04:
        return None
    a = c.answers
    inputs: Inputs = {SAF_Q[q]: "yes" for q in ("q1", "q2") if a[SAF_Q[q]] == "yes"}
    if not inputs:
        return None
    found = [f"{CSSRS_WORDS[q]}: yes" for q in ("q1", "q2") if a[SAF_Q[q]] == "yes"]
    # An absence is stated only for a question answered "no" (spec §1 item 4).
    asked = ("q3", "q4", "q5", "q6") if a[SAF_Q["q2"]] != "no" else ("q6",)
    denied = [CSSRS_WORDS[q] for q in asked if a[SAF_Q[q]] == "no"]
    open_questions = _open_high_risk_questions(c)
    unanswered = [q for q in ("q2", "q3", "q4", "q5", "q6") if (q == "q2" or q in asked) and a[SAF_Q[q]] is None]
    risk = "low risk" if not open_questions and not unanswered else "at least low risk"
    text = f"C-SSRS {risk}: {'; '.join(found)}."
    if a[SAF_Q["q2"]] == "no":
        text += " Q2 suicidal thoughts: no (so Q3-Q5 were not asked)."
    if denied:
        text += f" Answered no: {'; '.join(denied)}."
    if unanswered:
        words = "; ".join(CSSRS_WORDS[q] for q in unanswered)
        text += f" Not answered: {words}. A yes would raise the risk (to high for Q4 or Q5)."
    if unanswered or open_questions:
        text += " Ask now; SAF-06 lists the missing answers."
    return (inputs, text + " Priority clinician review before anything else.", None, [])


def _required_safety_paths(q2_yes: bool, q6_yes: bool) -> tuple[str, ...]:
    required = ["q1", "q2"]
    if q2_yes:
        required += CSSRS_FOLLOWUP_AFTER_Q2  # asked only when Q2 is yes
    required.append("q6")
    if q6_yes:
        required += CSSRS_FOLLOWUP_AFTER_Q6  # asked only when Q6 is yes
    return tuple(SAF_Q[q] for q in required)


SAF_Q2: Final = SAF_Q["q2"]

# The required C-SSRS answers, in order, prepared once for (Q2 yes, Q6 yes).
REQUIRED_SAFETY_PATHS: Final = {
    (q2_yes, q6_yes): _required_safety_paths(q2_yes, q6_yes) for q2_yes in (False, True) for q6_yes in (False, True)
}


def missing_safety_answers(c: Context) -> list[str]:
    """Required safety answers that are missing (spec §5.1, SAF-06)."""
    missing = [PHQ9_ITEM9] if c.facts.phq9[8] is None else []
    missing += missing_cssrs_answers(c)
    return missing


def missing_cssrs_answers(c: Context) -> list[str]:
    """The required C-SSRS answers that are missing (those of SAF-06 but PHQ-9 item 9)."""
    a = c.answers
    required = REQUIRED_SAFETY_PATHS[a[SAF_Q["q2"]] == "yes", a[SAF_Q["q6"]] == "yes"]
    return [path for path in required if a[path] is None]


@rule(
    "SAF-06",
    SAFETY_REVIEW,
    "Suicide-risk answers missing",
    "A required safety answer is missing: PHQ-9 item 9; C-SSRS Q1, Q2, Q6; Q3-Q5 when Q2 is yes; the Q6 "
    "timing when Q6 is yes. Reported beside any other safety flag.",
    design("§5.1", "a missing answer is not 'no risk'"),
)
def saf06(c: Context) -> Outcome | None:
    missing = missing_safety_answers(c)
    if not missing:
        return None
    return ({}, _saf06_message(tuple(missing)), None, missing)


# Cached by the missing paths, on which alone the message depends (as _missing_message).
@lru_cache(maxsize=256)
def _saf06_message(missing: tuple[str, ...]) -> str:
    return (
        f"Suicide-risk answers missing: {labels(missing)}. Missing answers do not mean no risk: get them and "
        "review before anything else."
    )


# --- 5.2 Label contraindications --------------------------------------------------------

# Spec §5.2/§5.4 windows for a dated cardiovascular event: CI-05 within 42 days (Spravato
# EU SmPC §4.3: 6 weeks), MED-01 43-365 days (phase-3 exclusions), MED-02 after that.
CI05_MAX_DAYS: Final = 42
MED01_MAX_DAYS: Final = 365
EVENT_DATE: Final = "medical.cardiovascular_event_date"


def contraindicated(finding: str, label: str, *, esketamine_label_only: bool = False) -> Say:
    """CI-01..CI-04, CI-06: the finding, the planned routes it blocks, and whose label says so.

    A contraindication found only in the esketamine label is applied by the clinic to IV/IM
    ketamine as well (spec §5.2); on a ketamine-only intake the message leads with ketamine.
    """

    def write(c: Context) -> str:
        text = f"The patient reports {finding}: contraindicated for {route_text(c)} ({label})."
        if esketamine_label_only and KETAMINE in c.facts.routes:
            text += " The clinic applies this esketamine-label contraindication to IV/IM ketamine too."
        return f"{text} {EXCLUDE_NOTE}"

    return per_routes(write)


answer_rule(
    "CI-01",
    EXCLUDE_PENDING_REVIEW,
    {"medical.aneurysm": YES},
    "Aneurysm",
    "Aneurysm (brain, chest or abdominal aorta, or other arteries) answered yes.",
    contraindicated(
        "an aneurysm (aneurysmal vascular disease)",
        "esketamine label contraindication; the ketamine label contraindicates it where a rise in blood "
        "pressure is a serious hazard",
    ),
    f"{SPRAVATO_US} §4; {KETALAR_US} §4",
)
answer_rule(
    "CI-02",
    EXCLUDE_PENDING_REVIEW,
    {"medical.arteriovenous_malformation": YES},
    "Arteriovenous malformation",
    "Arteriovenous malformation answered yes. Both routes.",
    contraindicated(
        "an arteriovenous malformation",
        "a contraindication in the esketamine label, because of the blood-pressure rise",
        esketamine_label_only=True,
    ),
    f"{SPRAVATO_US} §4 (applied by the clinic to both routes)",
)
answer_rule(
    "CI-03",
    EXCLUDE_PENDING_REVIEW,
    {"medical.intracerebral_hemorrhage": YES},
    "Intracerebral haemorrhage",
    "Bleeding in the brain (intracerebral haemorrhage) ever answered yes. Both routes.",
    contraindicated(
        "bleeding in the brain (intracerebral haemorrhage) in the past",
        "a contraindication in the esketamine label, because of the blood-pressure rise",
        esketamine_label_only=True,
    ),
    f"{SPRAVATO_US} §4 (applied by the clinic to both routes)",
)
answer_rule(
    "CI-04",
    EXCLUDE_PENDING_REVIEW,
    {"medical.ketamine_allergy": YES},
    "Ketamine or esketamine allergy",
    "Allergic reaction to ketamine or esketamine answered yes.",
    contraindicated(
        "an allergic reaction (hypersensitivity) to ketamine or esketamine",
        "hypersensitivity is a contraindication in both labels",
    ),
    f"{SPRAVATO_US} §4; {KETALAR_US} §4",
)


def _event_inputs(c: Context) -> Inputs:
    return {"medical.cardiovascular_event": "yes", EVENT_DATE: c.answers[EVENT_DATE]}


def _event_phrase(c: Context) -> str:
    return f"a heart attack, stent or bypass, or other acute cardiovascular event {_date_phrase(c, EVENT_DATE)}"


@rule(
    "CI-05",
    EXCLUDE_PENDING_REVIEW,
    "Recent cardiovascular event",
    f"A cardiovascular event answered yes with its date within {CI05_MAX_DAYS} days (6 weeks). An unknown "
    "event, or one without a date, is INCOMPLETE here alone (MED-01 and MED-02 then say nothing about it).",
    f"{SPRAVATO_EU_SMPC} §4.3 (cardiovascular event within 6 weeks; applied by the clinic to both routes)",
    quiet_when={"medical.cardiovascular_event": "no"},
)
def ci05(c: Context) -> Outcome | None:
    event = c.answers["medical.cardiovascular_event"]
    if event == UNKNOWN:
        return incomplete(
            ["medical.cardiovascular_event"],
            message=f"Not known (unknown or not answered): {labels(['medical.cardiovascular_event'])}. Ask: it "
            "decides CI-05, MED-01 and MED-02.",
        )
    if event != "yes":
        return None
    if c.event_days is None:
        return incomplete(
            [EVENT_DATE],
            inputs={"medical.cardiovascular_event": "yes"},
            message=f"The patient reports a cardiovascular event but not its date ({field_label(EVENT_DATE)}). Ask "
            f"for it: within {CI05_MAX_DAYS} days excludes, {CI05_MAX_DAYS + 1}-{MED01_MAX_DAYS} days needs "
            "review, older needs caution.",
        )
    if c.event_days <= CI05_MAX_DAYS:
        return (
            _event_inputs(c),
            f"The patient reports {_event_phrase(c)}: within 6 weeks ({CI05_MAX_DAYS} days), a contraindication "
            f"in the esketamine EU label, applied by the clinic to {route_text(c)}. {EXCLUDE_NOTE}",
            None,
            [],
        )
    return None


answer_rule(
    "CI-06",
    EXCLUDE_PENDING_REVIEW,
    {"medical.raised_intracranial_pressure": YES},
    "Raised intracranial pressure",
    "Raised intracranial pressure answered yes.",
    reported(
        "raised intracranial pressure",
        "{drug} can raise it further, a serious risk; do not give {routes} where a rise in intracranial pressure "
        "poses a serious risk.",
        exclude=True,
    ),
    f"{SPRAVATO_US} §5.5 (do not give where a rise in blood pressure or intracranial pressure poses a serious "
    f"risk); {KETALAR_US} §5 (increase in cerebrospinal fluid pressure)",
)

# Spec §5.2: not approved under 18.
ADULT_AGE: Final = 18


@rule(
    "CI-07",
    EXCLUDE_PENDING_REVIEW,
    "Age under 18",
    f"Age under {ADULT_AGE} on the assessment date. No date of birth is INCOMPLETE here alone (BP-04 and "
    "MED-14 then say nothing).",
    f"{SPRAVATO_US} §8.4 (safety and effectiveness not established in paediatric patients); IV/IM ketamine is "
    "not approved for depression at any age",
)
def ci07(c: Context) -> Outcome | None:
    if c.age is None:
        return incomplete(
            ["patient.date_of_birth"],
            message=f"Not known: {labels(['patient.date_of_birth'])}. The age checks (under 18, over 65) cannot "
            "run: ask for it.",
        )
    if c.age >= ADULT_AGE:
        return None
    parts = []
    if c.facts.esketamine:
        parts.append("esketamine nasal spray is approved for depression in adults only")
    if c.facts.ketamine:
        parts.append("IV/IM ketamine is not approved for depression at any age (off-label)")
    return (
        {"patient.date_of_birth": c.answers["patient.date_of_birth"]},
        f"Age {c.age} (under {ADULT_AGE}): {'; '.join(parts)}; its safety and effectiveness under {ADULT_AGE} "
        f"are not established. {EXCLUDE_NOTE}",
        None,
        [],
    )


def listed(c: Context, found: Mapping[str, str], drug_class: str) -> str:
    """Each listed medicine of a class with the class it matched: ``tramadol 50 mg — CNS depressant (opioid)``."""
    return "; ".join(meds.describe_match(name, drug_class) for name in found.values())


def class_rule(
    rule_id: str,
    level: str,
    drug_class: str,
    title: str,
    checks: str,
    say: Callable[[Context, str], str],
    source: str,
    *,
    ketamine_only: bool = False,
) -> None:
    """A medication rule: fires on every listed medication of ``drug_class``.

    ``say`` gets the listed medicines, each with the class it matched. When the medication
    list is not answered, DDI-00 alone reports it (spec §5.7).
    """

    def check(c: Context) -> Outcome | None:
        classes = c.medication_classes  # empty when the list is not answered
        if drug_class not in classes or (ketamine_only and not c.facts.ketamine):
            return None
        found = classes[drug_class]  # a class is there only with a medication in it
        return (dict(found), say(c, listed(c, found, drug_class)), None, [])

    rule(rule_id, level, title, checks, source, routes=(KETAMINE,) if ketamine_only else ALL_ROUTES)(check)


class_rule(
    "CI-08",
    EXCLUDE_PENDING_REVIEW,
    meds.THEOPHYLLINE,
    "Theophylline-class medication",
    "A listed medication in the theophylline class (theophylline, aminophylline), when IV/IM ketamine is a "
    "planned route. Never fires for esketamine alone.",
    lambda c, names: (
        f"Listed: {names}. With IV/IM ketamine, theophylline or aminophylline may lower the seizure "
        f"threshold: the ketamine label says not to give them together. Applies to IV/IM ketamine only. {EXCLUDE_NOTE}"
    ),
    f"{KETALAR_US} §7.1 (theophylline or aminophylline)",
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

# " is above 180" and the like, written once: a message names the limit a value is above.
_ABOVE_CRISIS_SYSTOLIC: Final = f" is above {CRISIS_SYSTOLIC_ABOVE}"
_ABOVE_CRISIS_DIASTOLIC: Final = f" is above {CRISIS_DIASTOLIC_ABOVE}"
_ABOVE_BP02_DIASTOLIC: Final = f" is above {BP02_DIASTOLIC_ABOVE}"
_ABOVE_BP03_SYSTOLIC: Final = f" is above {BP03_SYSTOLIC_ABOVE}"
_ABOVE_BP03_DIASTOLIC: Final = f" is above {BP03_DIASTOLIC_ABOVE}"
_AGE_OVER_BP04: Final = f" (over {BP04_AGE_ABOVE}). "
_ABOVE_BP04_SYSTOLIC: Final = (
    f" is above {BP04_SYSTOLIC_ABOVE}. The esketamine phase-3 trials withheld the dose at this level in patients "
    f"over {BP04_AGE_ABOVE}; weigh it for "
)

BP_SOURCES: Final[dict[Answer, str]] = {"measured": "measured", "self_reported": "self-reported by the patient"}

#: Every blood-pressure value §3 accepts (0-400), as text, written once (cheaper than formatting).
BP_VALUE_TEXTS: Final = tuple(str(value) for value in range(401))


def _reading(c: Context) -> Inputs:
    inputs: Inputs = {}
    if c.systolic is not None:
        inputs[SYSTOLIC] = c.systolic
    if c.diastolic is not None:
        inputs[DIASTOLIC] = c.diastolic
    return inputs


def _bp_text(c: Context) -> str:
    """``Blood pressure 150/95 mmHg, self-reported by the patient, on 2026-03-01 (264 days before the
    assessment)``: the reading with its source and its age."""

    systolic = "?" if c.systolic is None else BP_VALUE_TEXTS[c.systolic]
    diastolic = "?" if c.diastolic is None else BP_VALUE_TEXTS[c.diastolic]
    source = BP_SOURCES.get(c.answers["vitals.bp_source"], "source not known")  # a str: a validated choice
    return f"Blood pressure {systolic}/{diastolic} mmHg, {source}, {_date_phrase(c, 'vitals.bp_date')}"


def _bp_caveats(c: Context) -> str:
    """What makes a reading less sure: not measured, old, undated (spec §1 item 4)."""
    days = c.bp_days
    return BP_CAVEATS[
        c.answers["vitals.bp_source"] != "measured", days is None, days is not None and days > BP_MAX_AGE_DAYS
    ]


def _caveats_text(not_measured: bool, undated: bool, old: bool) -> str:
    notes = []
    if not_measured:
        notes.append("it is not a clinic measurement")
    if undated:
        notes.append("its date is not known")
    elif old:
        notes.append(f"it is more than {BP_MAX_AGE_DAYS} days old")
    return f" Measure it now: {' and '.join(notes)}." if notes else ""


# _bp_caveats for (not measured, undated, more than BP_MAX_AGE_DAYS old), written once.
BP_CAVEATS: Final = {
    (not_measured, undated, old): _caveats_text(not_measured, undated, old)
    for not_measured in (False, True)
    for undated in (False, True)
    for old in (False, True)
}


def _implausibility(c: Context) -> list[str]:
    """Why a complete reading is not plausible (spec §5.3)."""
    assert c.systolic is not None and c.diastolic is not None
    reasons = []
    if not systolic_in_range(c.systolic):
        reasons.append(f"systolic {c.systolic} is outside {SYSTOLIC_PLAUSIBLE[0]}-{SYSTOLIC_PLAUSIBLE[1]}")
    if not diastolic_in_range(c.diastolic):
        reasons.append(f"diastolic {c.diastolic} is outside {DIASTOLIC_PLAUSIBLE[0]}-{DIASTOLIC_PLAUSIBLE[1]}")
    if c.systolic <= c.diastolic:
        swapped = ": the two values may have been swapped" if c.diastolic > c.systolic else ""
        reasons.append(f"systolic is not above diastolic{swapped}")
    return reasons


@rule(
    "BP-01",
    URGENT_MEDICAL,
    "Blood pressure crisis",
    f"Systolic above {CRISIS_SYSTOLIC_ABOVE} or diastolic above {CRISIS_DIASTOLIC_ABOVE} mmHg. Each value is "
    "looked at on its own (inside its plausible range), whatever the other value, the source or the date.",
    ACC_AHA_2017 + " (hypertensive crisis above 180/120)",
)
def bp01(c: Context) -> Outcome | None:
    if not c.bp01:
        return None
    crisis = []
    if c.systolic is not None and systolic_in_range(c.systolic) and c.systolic > CRISIS_SYSTOLIC_ABOVE:
        crisis.append(f"systolic {BP_VALUE_TEXTS[c.systolic]}{_ABOVE_CRISIS_SYSTOLIC}")
    if c.diastolic is not None and diastolic_in_range(c.diastolic) and c.diastolic > CRISIS_DIASTOLIC_ABOVE:
        crisis.append(f"diastolic {BP_VALUE_TEXTS[c.diastolic]}{_ABOVE_CRISIS_DIASTOLIC}")
    text = f"{_bp_text(c)}: {' and '.join(crisis)}, the hypertensive-crisis range."
    if c.systolic is None or c.diastolic is None:
        text += " The other value is missing."
    elif not c.plausible_bp:
        text += f" The reading is not plausible as written ({'; '.join(_implausibility(c))}): re-measure now."
    text += _bp_caveats(c)
    text += (
        " Alert a clinician at once; tell the patient to seek urgent care if they have symptoms (chest pain, "
        "shortness of breath, severe headache, weakness, numbness, vision or speech change)."
    )
    return (_reading(c), text, None, [])


@rule(
    "BP-02",
    EXCLUDE_PENDING_REVIEW,
    "Diastolic blood pressure above 100",
    f"A plausible reading with diastolic above {BP02_DIASTOLIC_ABOVE} mmHg (and no crisis value: BP-01 then).",
    SWISS_KETAMINE + "; applied by the clinic to both routes",
)
def bp02(c: Context) -> Outcome | None:
    if not c.bp02:
        return None
    assert c.diastolic is not None  # BP-02 reads a plausible reading: it has both values
    return (
        _reading(c),
        f"{_bp_text(c)}: diastolic {BP_VALUE_TEXTS[c.diastolic]}{_ABOVE_BP02_DIASTOLIC}. The Swiss ketamine label "
        "contraindicates ketamine in untreated or poorly controlled hypertension above 180/100 mmHg at rest; the "
        f"clinic applies it to {route_text(c)}. Re-measure at rest.{_bp_caveats(c)} {EXCLUDE_NOTE}",
        None,
        [],
    )


@rule(
    "BP-03",
    CAUTION,
    "Blood pressure above 140/90",
    f"A plausible reading with systolic above {BP03_SYSTOLIC_ABOVE} or diastolic above {BP03_DIASTOLIC_ABOVE} "
    "mmHg (140/90 itself does not fire), when BP-01 and BP-02 did not fire.",
    f"{SPRAVATO_US} §5.5 (as a general guide, blood pressure above 140/90 mmHg before a dose: weigh the risk)",
)
def bp03(c: Context) -> Outcome | None:
    if not c.plausible_bp or c.bp01 or c.bp02:
        return None
    assert c.systolic is not None and c.diastolic is not None  # a plausible reading has both
    if c.systolic <= BP03_SYSTOLIC_ABOVE and c.diastolic <= BP03_DIASTOLIC_ABOVE:
        return None
    above = []
    if c.systolic > BP03_SYSTOLIC_ABOVE:
        above.append(f"systolic {BP_VALUE_TEXTS[c.systolic]}{_ABOVE_BP03_SYSTOLIC}")
    if c.diastolic > BP03_DIASTOLIC_ABOVE:
        above.append(f"diastolic {BP_VALUE_TEXTS[c.diastolic]}{_ABOVE_BP03_DIASTOLIC}")
    if not above:
        return None
    return (
        _reading(c),
        f"{_bp_text(c)}: {' and '.join(above)}. The esketamine label's general guide is to weigh the short "
        f"blood-pressure rise against the benefit above 140/90; the clinic uses it for {route_text(c)}. Recheck "
        f"before dosing.{_bp_caveats(c)}",
        None,
        [],
    )


@rule(
    "BP-04",
    CAUTION,
    "Over 65 with systolic above 150",
    f"Age over {BP04_AGE_ABOVE} and a plausible systolic above {BP04_SYSTOLIC_ABOVE} up to "
    f"{BP04_SYSTOLIC_UP_TO} mmHg. May stand beside BP-01, BP-02 or BP-03.",
    JANSSEN_DOSING,
)
def bp04(c: Context) -> Outcome | None:
    if not c.plausible_bp or c.age is None or c.systolic is None:
        return None
    if c.age > BP04_AGE_ABOVE and BP04_SYSTOLIC_ABOVE < c.systolic <= BP04_SYSTOLIC_UP_TO:
        inputs = _reading(c)
        inputs["patient.date_of_birth"] = c.answers["patient.date_of_birth"]
        return (
            inputs,
            f"Age {c.age}{_AGE_OVER_BP04}{_bp_text(c)}: systolic {BP_VALUE_TEXTS[c.systolic]}{_ABOVE_BP04_SYSTOLIC}"
            f"{route_text(c)} and recheck before dosing.{_bp_caveats(c)}",
            None,
            [],
        )
    return None


@rule(
    "BP-05",
    CAUTION,
    "High blood pressure not known to be controlled",
    "High blood pressure diagnosed, and its control answered no or not known. An unknown diagnosis is INCOMPLETE.",
    f"{SPRAVATO_US} §5.5 (blood pressure rises after each dose; assess patients with cardiovascular conditions "
    f"first); {SANACORA_2017} (baseline blood pressure before treatment)",
    quiet_when={"medical.hypertension_diagnosed": "no"},
)
def bp05(c: Context) -> Outcome | None:
    diagnosed = c.answers["medical.hypertension_diagnosed"]
    if diagnosed == UNKNOWN:
        return incomplete(["medical.hypertension_diagnosed"])
    controlled = c.answers["medical.hypertension_controlled"]
    if diagnosed != "yes" or controlled == "yes":
        return None
    inputs: Inputs = {"medical.hypertension_diagnosed": "yes"}
    if controlled == "no":
        inputs["medical.hypertension_controlled"] = "no"
        state = "says it is not under control"
    else:
        state = "does not know whether it is under control (or did not answer)"
    return (
        inputs,
        f"The patient reports diagnosed high blood pressure and {state}. Blood pressure rises after each dose of "
        f"{drug_text(c)}: confirm control with a measured reading before treatment and monitor it after dosing.",
        None,
        [],
    )


answer_rule(
    "BP-06",
    CAUTION,
    {"medical.hypertensive_encephalopathy": YES},
    "Hypertensive encephalopathy",
    "Hypertensive encephalopathy ever answered yes.",
    reported(
        "hypertensive encephalopathy in the past",
        "even a small blood-pressure rise may bring it back; the esketamine label asks for more intensive "
        "blood-pressure and symptom monitoring. Plan that for {routes}.",
    ),
    f"{SPRAVATO_US} §5.5 (patients with a history of hypertensive encephalopathy: more intensive monitoring)",
)


@rule(
    "BP-07",
    INCOMPLETE,
    "Measured blood pressure",
    f"No complete reading, or one not measured by staff, or undated, or more than {BP_MAX_AGE_DAYS} days "
    "before the assessment. May stand beside BP-08.",
    f"{SANACORA_2017} (baseline blood pressure); clinic policy default: measured, within {BP_MAX_AGE_DAYS} days",
)
def bp07(c: Context) -> Outcome | None:
    a = c.answers
    # The common case, a complete reading measured within the window, says nothing: found
    # before any list is built.
    days = c.bp_days
    if (
        days is not None
        and days <= BP_MAX_AGE_DAYS
        and c.systolic is not None
        and c.diastolic is not None
        and a["vitals.bp_source"] == "measured"
    ):
        return None
    missing: list[str] = []
    inputs: Inputs = {}
    reasons: list[str] = []
    if c.systolic is None or c.diastolic is None:
        missing += [path for path in (SYSTOLIC, DIASTOLIC) if a[path] is None]
    source = a["vitals.bp_source"]
    if source == UNKNOWN:
        missing.append("vitals.bp_source")
    elif source != "measured":
        inputs["vitals.bp_source"] = source
        reasons.append("the reading was self-reported by the patient, not measured")
    if days is None:
        missing.append("vitals.bp_date")
    elif days > BP_MAX_AGE_DAYS:
        inputs["vitals.bp_date"] = a["vitals.bp_date"]
        reasons.append(f"the reading is {days}{_DAYS_OLD}")
    if missing:
        reasons.insert(0, f"not known: {labels(missing)}")
    if not reasons:
        return None
    return (inputs, f"{_BP07_NEEDED}{'; '.join(reasons)}. Measure it.", None, missing)


# BP-07's sentences with the limit written in, once.
_DAYS_OLD: Final = f" days old (more than {BP_MAX_AGE_DAYS})"
_BP07_NEEDED: Final = f"A blood pressure measured by staff within {BP_MAX_AGE_DAYS} days is needed before treatment: "


@rule(
    "BP-08",
    INCOMPLETE,
    "Plausible blood pressure",
    f"Both values given but not plausible: systolic {SYSTOLIC_PLAUSIBLE[0]}-{SYSTOLIC_PLAUSIBLE[1]}, diastolic "
    f"{DIASTOLIC_PLAUSIBLE[0]}-{DIASTOLIC_PLAUSIBLE[1]}, systolic above diastolic. BP-02 to BP-04 then do not run; "
    "BP-01 still looks at each value on its own.",
    design("§5.3"),
)
def bp08(c: Context) -> Outcome | None:
    if c.systolic is None or c.diastolic is None or c.plausible_bp:
        return None
    also = " BP-01 still looked at each value on its own." if c.bp01 else ""
    return (
        _reading(c),
        f"{_bp_text(c)}: not plausible ({'; '.join(_implausibility(c))}). Re-measure. BP-02 to BP-04 could not "
        f"use it.{also}",
        None,
        [],
    )


# --- 5.4 Other medical ------------------------------------------------------------------

HEART_FAILURE: Final = "medical.heart_failure"
ARRHYTHMIA: Final = "medical.arrhythmia"

# How a cardiac answer reads in a message: the patient's own words, never a staging.
CARDIAC_WORDS: Final = {
    ("medical.unstable_angina", "yes"): "unstable angina",
    (HEART_FAILURE, "severe"): "heart failure they describe as severe (a self-report, not an NYHA class)",
    (ARRHYTHMIA, "uncontrolled"): "an irregular heartbeat they describe as not controlled",
    ("medical.coronary_artery_disease", "yes"): "coronary artery disease",
    ("medical.valvular_disease", "yes"): "heart valve disease",
    ("medical.stroke_or_tia", "yes"): "a stroke or TIA",
    (HEART_FAILURE, "stable"): "heart failure they describe as stable (a self-report)",
    (ARRHYTHMIA, "controlled"): "an irregular heartbeat they describe as controlled (a self-report)",
}


def _cardiac_rule_check(
    triggers: Mapping[str, Sequence[str]], in_window: Callable[[int], bool], window: str, advice: str
) -> Check:
    """MED-01/MED-02: answers, or a dated cardiovascular event in the window.

    An unknown or dateless cardiovascular event is CI-05's to report, not theirs.
    """

    prepared = tuple((path, frozenset(values)) for path, values in triggers.items())  # read once

    def check(c: Context) -> Outcome | None:
        hits, missing = scan_triggers(prepared, c.answers)
        in_event_window = c.event_days is not None and in_window(c.event_days)
        if hits is None and not in_event_window:
            return incomplete(missing) if missing else None
        hits = hits or {}
        found = [CARDIAC_WORDS[(path, str(value))] for path, value in hits.items()]
        if in_event_window:
            hits.update(_event_inputs(c))
            found.append(f"{_event_phrase(c)}, {window}")
        return (hits, f"The patient reports {'; '.join(found)}. {advice.format(routes=route_text(c))}", None, [])

    return check


# No heart failure, no arrhythmia and no cardiovascular event: with these, MED-01 and MED-02
# look only at their own yes/no answers.
CALM_HEART: Final = {HEART_FAILURE: "none", ARRHYTHMIA: "none", "medical.cardiovascular_event": "no"}

rule(
    "MED-01",
    EXCLUDE_PENDING_REVIEW,
    "Unstable heart condition",
    f"Unstable angina yes, heart failure severe, arrhythmia not controlled, or a cardiovascular event "
    f"{CI05_MAX_DAYS + 1}-{MED01_MAX_DAYS} days ago. An unknown heart failure or arrhythmia answer is INCOMPLETE.",
    f"Esketamine phase-3 trial exclusions (unstable or recent cardiovascular disease); "
    f"{SPRAVATO_EU_SMPC} §4.4 (clinically significant or unstable cardiovascular conditions)",
    quiet_when={"medical.unstable_angina": "no", **CALM_HEART},
)(
    _cardiac_rule_check(
        {
            "medical.unstable_angina": YES,
            HEART_FAILURE: ("severe",),
            ARRHYTHMIA: ("uncontrolled",),
        },
        lambda days: CI05_MAX_DAYS < days <= MED01_MAX_DAYS,
        f"within {CI05_MAX_DAYS + 1}-{MED01_MAX_DAYS} days",
        "Patients like this were excluded from the esketamine trials, and the blood-pressure rise may be "
        "dangerous: a clinician decides on {routes}, with the patient's cardiologist if needed. " + EXCLUDE_NOTE,
    )
)
rule(
    "MED-02",
    CAUTION,
    "Heart or blood-vessel disease",
    "Coronary artery disease, heart valve disease or stroke/TIA yes; heart failure stable; arrhythmia "
    f"controlled; or a cardiovascular event more than {MED01_MAX_DAYS} days ago. An unknown answer is INCOMPLETE.",
    f"{SPRAVATO_US} §5.5 (assess patients with cardiovascular and cerebrovascular conditions); {SPRAVATO_EU_SMPC} "
    "§4.4; Swiss ketamine product information (cardiovascular disease)",
    quiet_when={
        "medical.coronary_artery_disease": "no",
        "medical.valvular_disease": "no",
        "medical.stroke_or_tia": "no",
        **CALM_HEART,
    },
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
        f"more than {MED01_MAX_DAYS} days ago",
        "Weigh the blood-pressure rise of {routes} against the benefit and plan blood-pressure monitoring.",
    )
)

LIVER: Final = "medical.liver_disease"
SELF_REPORTED_LIVER: Final = "(the patient's own description, not a Child-Pugh class: confirm it)"


@rule(
    "MED-03",
    EXCLUDE_PENDING_REVIEW,
    "Severe liver disease",
    "Liver disease answered severe: EXCLUDE_PENDING_REVIEW when esketamine is a planned route, else CAUTION. "
    "Unknown severity is INCOMPLETE (for MED-04 too).",
    f"{SPRAVATO_US} §8.6 (severe hepatic impairment, Child-Pugh C: not studied, use not recommended)",
    quiet_when={LIVER: "none"},
)
def med03(c: Context) -> Outcome | None:
    liver = c.answers[LIVER]
    if liver == UNKNOWN:
        return incomplete([LIVER])
    if liver != "severe":
        return None
    parts = [f"The patient reports severe liver disease {SELF_REPORTED_LIVER}."]
    if c.facts.ketamine:
        parts.append(
            "IV/IM ketamine is cleared by the liver: review the dose and the recovery monitoring, and check liver "
            "tests."
        )
    if c.facts.esketamine:
        parts.append(
            "Esketamine nasal spray is not recommended in severe hepatic impairment (Child-Pugh C, not studied). "
            + EXCLUDE_NOTE
        )
    # EXCLUDE_PENDING_REVIEW when esketamine is a route, else CAUTION (spec §5.4).
    return fired({LIVER: "severe"}, " ".join(parts), level=None if c.facts.esketamine else CAUTION)


@rule(
    "MED-04",
    CAUTION,
    "Mild or moderate liver disease",
    "Liver disease answered mild or moderate. An unknown is MED-03's.",
    f"{SPRAVATO_US} §8.6 (moderate hepatic impairment, Child-Pugh B: monitor longer; mild: no adjustment)",
    quiet_when={LIVER: "none"},
)
def med04(c: Context) -> Outcome | None:
    liver = c.answers[LIVER]
    if liver not in ("mild", "moderate"):
        return None
    parts = [f"The patient reports {liver} liver disease {SELF_REPORTED_LIVER}."]
    if c.facts.esketamine:
        if liver == "moderate":
            parts.append(
                "If it is moderate hepatic impairment (Child-Pugh B), the esketamine label advises monitoring for "
                "adverse reactions for longer after each dose."
            )
        else:
            parts.append(
                "The esketamine label needs no change for mild hepatic impairment (Child-Pugh A); it asks for longer "
                "monitoring if the impairment is moderate."
            )
    if c.facts.ketamine:
        parts.append("IV/IM ketamine is cleared by the liver: weigh the dose and check liver tests.")
    return ({LIVER: liver}, " ".join(parts), None, [])


def _which(hits: Inputs) -> str:
    return "; ".join(map(_inline_label, hits))


@lru_cache(maxsize=256)  # a field's label inside a sentence, written once per path
def _inline_label(path: str) -> str:
    return inline(field_label(path))


answer_rule(
    "MED-05",
    CAUTION,
    {"medical.lung_disease": YES, "medical.sleep_apnea": YES},
    "Lung disease or sleep apnoea",
    "Long-term lung disease or sleep apnoea answered yes (each reported by itself when unknown).",
    lambda c, hits: (
        f"The patient reports: {_which(hits)}. Breathing may be affected during sedation with "
        f"{drug_text(c)}: plan monitoring (oxygen saturation)."
    ),
    f"{SPRAVATO_EU_SMPC} §4.4 (significant pulmonary insufficiency; sleep apnoea); {SPRAVATO_EU_LEAFLET}; "
    "College of Physicians and Surgeons of BC draft standard (sleep apnoea screening)",
)
answer_rule(
    "MED-06",
    CAUTION,
    {"medical.hyperthyroidism_untreated": YES},
    "Untreated overactive thyroid",
    "Untreated overactive thyroid answered yes.",
    reported(
        "an overactive thyroid that is not being treated",
        "it adds to the heart-rate and blood-pressure rise of {drug}.",
    ),
    f"{SPRAVATO_EU_LEAFLET} (overactive thyroid not adequately treated); Swiss ketamine product information",
)
answer_rule(
    "MED-07",
    CAUTION,
    {"medical.glaucoma": YES},
    "Glaucoma",
    "Glaucoma answered yes.",
    reported(
        "glaucoma",
        "ketamine can raise the pressure in the eye (ketamine label); the clinic weighs this for {routes}.",
    ),
    f"{KETALAR_US} §6 (elevation in intraocular pressure)",
)
answer_rule(
    "MED-08",
    CAUTION,
    {"medical.seizure_recent": YES},
    "Recent seizure",
    "A seizure in the past 12 months answered yes.",
    reported("a seizure in the past 12 months", "a clinician weighs the seizure risk before {routes}."),
    OXFORD_HEALTH,
)
answer_rule(
    "MED-09",
    EXCLUDE_PENDING_REVIEW,
    {"medical.delirium": YES},
    "Recent delirium",
    "Delirium recently answered yes.",
    reported(
        "having recently had delirium (confusion that came on suddenly)",
        "find out whether it has resolved and why it happened; {drug} can cause confusion and dissociation, and "
        "the clinic does not treat during delirium.",
        exclude=True,
    ),
    "Service policy (no dissociative treatment during delirium)",
)
answer_rule(
    "MED-10",
    CAUTION,
    {"medical.cognitive_impairment": YES},
    "Memory or thinking problems",
    "Memory or thinking problems (such as dementia) affecting daily life answered yes.",
    reported(
        "memory or thinking problems (such as dementia) that affect daily life",
        "check the capacity to consent, and whether sedation and dissociation with {drug} would be tolerated.",
    ),
    "Service policy (capacity to consent; tolerance of sedation and dissociation). Not the esketamine label's "
    "warning on cognitive impairment, which is about impairment caused by esketamine",
)
answer_rule(
    "MED-11",
    CAUTION,
    {"medical.bladder_problems": YES},
    "Bladder problems",
    "Bladder problems answered yes.",
    reported(
        "bladder problems",
        "{drug} can cause cystitis and urinary symptoms; record the symptoms before treatment and monitor them.",
    ),
    f"{SPRAVATO_US} §5.8 (ulcerative or interstitial cystitis); {KETALAR_US} §6 (lower urinary tract symptoms)",
)


@rule(
    "MED-12",
    INCOMPLETE,
    "Weight for IV/IM ketamine",
    "IV/IM ketamine is a planned route and the weight is missing.",
    f"{ASKP} (IV/IM ketamine for depression is dosed in mg/kg)",
    routes=(KETAMINE,),
)
def med12(c: Context) -> Outcome | None:
    if c.facts.ketamine and c.answers["patient.weight_kg"] is None:
        return (
            {},
            f"Not known: {labels(['patient.weight_kg'])}. IV/IM ketamine is dosed per kilogram: weigh the patient.",
            None,
            ["patient.weight_kg"],
        )
    return None


def _number(value: object) -> str:
    """A weight or height as written, whether it came as 110 or as 110.0 (a form's decimal)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


# Spec §5.4, MED-13: BMI 35 or more (clinic policy threshold), in tenths.
MED13_BMI_TENTHS_FROM: Final = 350


@rule(
    "MED-13",
    CAUTION,
    "BMI 35 or more and sleep apnoea",
    "BMI 35 or more with sleep apnoea yes or not known. Height or weight missing while sleep apnoea is yes or "
    "unknown is INCOMPLETE; with sleep apnoea no, nothing.",
    f"{SPRAVATO_EU_SMPC} §4.4 (sleep apnoea with morbid obesity, BMI 35 or more); clinic policy threshold",
    quiet_when={"medical.sleep_apnea": "no"},
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
        if apnea == "yes":
            state = "sleep apnoea reported by the patient: plan airway and breathing monitoring"
        else:
            state = "sleep apnoea not ruled out (answer not known): screen for sleep apnoea"
        return (
            inputs,
            f"BMI {c.bmi_tenths / 10} (35 or more; weight {_number(c.answers['patient.weight_kg'])} kg, height "
            f"{_number(c.answers['patient.height_cm'])} cm) with {state}. Risk of breathing problems during "
            f"sedation with {drug_text(c)}.",
            None,
            [],
        )
    return None


# Spec §5.4, MED-14: 65 or older (Spravato EU dosing; age predicts the BP surge).
MED14_AGE_FROM: Final = 65


@rule(
    "MED-14",
    CAUTION,
    "Age 65 or over",
    f"Age {MED14_AGE_FROM} or over on the assessment date.",
    f"{SPRAVATO_EU_SMPC} §4.2 (patients 65 and over: starting dose 28 mg); older age predicts a larger "
    "blood-pressure rise",
)
def med14(c: Context) -> Outcome | None:
    if c.age is None or c.age < MED14_AGE_FROM:
        return None
    facts = c.facts
    message = MED14_MESSAGES.get((c.age, facts.esketamine, facts.ketamine)) or med14_message(
        c.age, facts.esketamine, facts.ketamine
    )
    return ({"patient.date_of_birth": c.answers["patient.date_of_birth"]}, message, None, [])


def med14_message(age: int, esketamine: bool, ketamine: bool) -> str:
    parts = [f"Age {age} ({MED14_AGE_FROM} or over): older age predicts a larger blood-pressure rise."]
    if esketamine:
        parts.append("Esketamine nasal spray: the EU label starts patients 65 and over at 28 mg.")
    if ketamine:
        parts.append("IV/IM ketamine: weigh the dose and monitor blood pressure.")
    return " ".join(parts)


# MED-14's message for every age that fires it (§3: at most 120) and plan, written once.
MED14_MESSAGES: Final = {
    (age, esketamine, ketamine): med14_message(age, esketamine, ketamine)
    for age in range(MED14_AGE_FROM, 121)
    for esketamine, ketamine in ((True, False), (False, True), (True, True))
}


# --- 5.5 Psychiatric and substance use ----------------------------------------------------

answer_rule(
    "PSY-01",
    EXCLUDE_PENDING_REVIEW,
    {"psychiatric.psychotic_symptoms_current": YES},
    "Current psychotic symptoms",
    "Hallucinations or delusions in the past month answered yes.",
    reported(
        "hallucinations or delusions in the past month",
        "{drug} can worsen psychosis (dissociation and perceptual changes).",
        exclude=True,
    ),
    f"{SPRAVATO_US} §5.2 (dissociation; patients with psychosis: assess benefit and risk); esketamine trial and "
    "service exclusions",
)
answer_rule(
    "PSY-02",
    EXCLUDE_PENDING_REVIEW,
    {"psychiatric.psychotic_disorder": YES},
    "Psychotic disorder",
    "Schizophrenia, schizoaffective or delusional disorder ever diagnosed answered yes.",
    reported(
        "a diagnosis of a psychotic disorder (schizophrenia, schizoaffective or delusional disorder)",
        "{drug} can worsen psychosis.",
        exclude=True,
    ),
    f"{SPRAVATO_US} §5.2 (patients with psychosis: assess benefit and risk); service exclusions",
)
answer_rule(
    "PSY-03",
    CAUTION,
    {"psychiatric.psychotic_features_past": YES},
    "Past psychotic features",
    "Hallucinations or delusions in a past mood episode or after drug use answered yes.",
    reported(
        "hallucinations or delusions in the past, during a mood episode or after drug use",
        "weigh the risk of psychosis with {drug}.",
    ),
    "Service policy",
)
answer_rule(
    "PSY-04",
    INFO,
    {"psychiatric.family_psychosis": YES},
    "Family history of psychosis",
    "A parent, sibling or child with a psychotic disorder answered yes. Unknown gives nothing (often unknown).",
    reported("a parent, sibling or child with a psychotic disorder", "context for the psychosis risk."),
    "Service policy",
    unknown_is_incomplete=False,  # family history is often unknown (spec §5.5)
)
answer_rule(
    "PSY-05",
    EXCLUDE_PENDING_REVIEW,
    {"psychiatric.mania_current": YES},
    "Current mania",
    "Manic or hypomanic now answered yes.",
    reported(
        "being in a manic or hypomanic episode now",
        "{drug} may worsen mania, and there are no trial data in mania; treat the episode first.",
        exclude=True,
    ),
    "Service policy; the esketamine phase-3 trials excluded bipolar disorder, so there are no trial data in mania",
)
answer_rule(
    "PSY-06",
    CAUTION,
    {"psychiatric.bipolar_or_mania_history": YES},
    "Bipolar disorder or mania",
    "Bipolar disorder, mania or hypomania ever answered yes.",
    reported(
        "bipolar disorder, or an episode of mania or hypomania, in the past",
        "watch for a switch into mania with {drug}.",
    ),
    f"Service policy; {SPRAVATO_EU_LEAFLET} (history of mania or bipolar disorder)",
)

DRUG_DISORDER: Final = "substance.drug_use_disorder_current"


def _dast_scoring_items(c: Context) -> Inputs:
    """The DAST-10 answers that scored a point (item 3 scores for "no")."""
    # compress keeps the (path, answer) pairs whose point is 1, in order, without a Python loop.
    return dict(compress(zip(DAST10.item_paths, c.facts.dast10), c.dast10_points))  # noqa: B905 (ten and ten)


@rule(
    "PSY-07",
    EXCLUDE_PENDING_REVIEW,
    "Drug use problem",
    f"DAST-10 score {DAST10_EXCLUDE_FROM} or more (also when the answered items alone already reach it), or a "
    "drug use problem now answered yes. Otherwise an incomplete DAST-10 or an unknown drug use problem is "
    "INCOMPLETE.",
    f"{SPRAVATO_US} §9.2 (abuse); {DAST_SOURCE}: {DAST10_EXCLUDE_FROM}-8 substantial, 9-10 severe",
)
def psy07(c: Context) -> Outcome | None:
    disorder = c.answers[DRUG_DISORDER]
    if c.psy07:
        inputs: Inputs = {}
        found: list[str] = []
        if disorder == "yes":
            inputs[DRUG_DISORDER] = "yes"
            found.append("the patient reports a drug use problem now (or treatment for one)")
        points = sum(point or 0 for point in c.dast10_points)
        item3_open = c.facts.dast10[DAST10_REVERSED_ITEM - 1] is None
        floor = points + (1 if item3_open else 0)
        if floor >= DAST10_EXCLUDE_FROM:
            inputs.update(_dast_scoring_items(c))
            if c.dast10_total is not None:
                band = DAST10_BAND_BY_TOTAL[c.dast10_total]
                found.append(f"DAST-10 score {c.dast10_total} ({band}; the cut-off is {DAST10_EXCLUDE_FROM})")
            else:
                counted = " counting unanswered item 3 as its scoring answer" if item3_open else ""
                found.append(
                    f"the answered DAST-10 items already score {floor}{counted} (the cut-off is "
                    f"{DAST10_EXCLUDE_FROM}; the full score is not known)"
                )
        return (
            inputs,
            f"{_sentence('; '.join(found))}. {_sentence(drug_text(c))} can be misused: a clinician decides. "
            + EXCLUDE_NOTE,
            None,
            [],
        )
    if disorder != UNKNOWN and c.dast10_total is not None:
        return None  # the common case: nothing missing (a total only of a complete DAST-10)
    missing = _missing_items(DAST10, c.facts.dast10)
    if disorder == UNKNOWN:
        missing.append(DRUG_DISORDER)
    return incomplete(missing) if missing else None


DAST10_ITEM3: Final = DAST10.item_path(DAST10_REVERSED_ITEM)


def _dast_band_text(total: int, low: int, high: int) -> str:
    return f"DAST-10 score {total} ({DAST10_BAND_BY_TOTAL[total]}, {low}-{high})."


# The first sentence of PSY-08 (3-5) and PSY-09 (1-2) for each total, written once.
DAST_BAND_TEXTS: Final = {
    **{total: _dast_band_text(total, 3, 5) for total in range(3, 6)},
    **{total: _dast_band_text(total, 1, 2) for total in range(1, 3)},
}


def _dast_band_rule(c: Context, total: int, advice: str) -> Outcome:
    """PSY-08/PSY-09: a complete DAST-10 ``total`` in the band, and PSY-07 did not fire (the
    rules test that before they call this)."""
    scoring = _dast_scoring_items(c)
    text = DAST_BAND_TEXTS[total]
    item1 = c.facts.dast10[0]
    if DAST10_ITEM3 in scoring:
        text += (
            f' One point is item {DAST10_REVERSED_ITEM} ("always able to stop using drugs when you want to?") '
            "answered no, which scores a point"
        )
        if item1 == "no" and len(scoring) == 1:
            text += (
                "; the patient answered no to item 1 (drug use other than for medical reasons), so this score may "
                "not reflect any drug use: confirm."
            )
            return (scoring, text, None, [])
        text += "."
    return (scoring, f"{text} {advice}", None, [])


@rule(
    "PSY-08",
    CAUTION,
    "DAST-10 moderate",
    "A complete DAST-10 scoring 3-5, when PSY-07 did not fire.",
    f"{DAST_SOURCE}: 3-5 moderate",
)
def psy08(c: Context) -> Outcome | None:
    total = c.dast10_total
    if c.psy07 or total is None or not 3 <= total <= 5:
        return None
    return _dast_band_rule(c, total, PSY08_ADVICE[c.facts.esketamine, c.facts.ketamine])


# PSY-08's advice for each plan, written once.
PSY08_ADVICE: Final = {plan: f"Discuss drug use: {drug} can be misused." for plan, drug in _DRUG_TEXTS.items()}


@rule(
    "PSY-09",
    INFO,
    "DAST-10 low",
    "A complete DAST-10 scoring 1-2, when PSY-07 did not fire.",
    f"{DAST_SOURCE}: 1-2 low",
)
def psy09(c: Context) -> Outcome | None:
    total = c.dast10_total
    if c.psy07 or total is None or not 1 <= total <= 2:
        return None
    return _dast_band_rule(c, total, "Low level of drug-related problems, for context.")


answer_rule(
    "PSY-10",
    EXCLUDE_PENDING_REVIEW,
    {"substance.dissociative_use_past_year": YES, "substance.ketamine_use_disorder_history": YES},
    "Dissociative or ketamine misuse",
    "Non-medical ketamine, PCP or other dissociative use in the past year, or a ketamine use problem ever, "
    "answered yes.",
    lambda c, hits: (
        f"The patient reports: {_which(hits)}. Misuse of dissociatives is reported, and "
        f"{drug_is(c)} dissociative with misuse potential: risk of relapse. {EXCLUDE_NOTE}"
    ),
    f"{SPRAVATO_US} §5.3 (abuse and misuse) and §9.2; esketamine trial exclusions",
)


# PSY-11: the sexes whose own cut-off applies, as its message names them.
AUDITC_SEX_WORDS: Final = {"male": "male", "female": "female"}


def psy11_message(total: int | None, partial: int, cutoff: int, sex: Answer, drug: str) -> str:
    who = AUDITC_SEX_WORDS.get(str(sex)) or f"sex at birth {sex}; clinic default"
    if total is not None:
        score = f"AUDIT-C score {total}"
    else:
        score = f"The answered AUDIT-C items already score {partial} (the full score is not known)"
    return (
        f"{score}: at or above the cut-off of {cutoff} ({who}), risky drinking. Alcohol adds "
        f"to the sedation of {drug} (a CNS depressant): advise no alcohol around treatment."
    )


# PSY-11's message for a complete AUDIT-C at or above the cut-off, for every total, sex at birth
# (a validated choice) and plan, written once.
PSY11_MESSAGES: Final[dict[tuple[int, Answer, bool, bool], str]] = {
    (total, sex, *plan): psy11_message(total, total, auditc_cutoff(sex), sex, drug)
    for sex in ("female", "male", "intersex", UNKNOWN)
    for total in range(auditc_cutoff(sex), AUDITC.length * AUDITC.high + 1)
    for plan, drug in _DRUG_TEXTS.items()
}


@rule(
    "PSY-11",
    CAUTION,
    "Alcohol use (AUDIT-C)",
    "AUDIT-C at or above the cut-off for the sex at birth (4 male; 3 female, intersex or unknown), also when "
    "the answered items alone already reach it. Otherwise an incomplete AUDIT-C is INCOMPLETE.",
    "AUDIT-C cut-offs (Bush et al., Arch Intern Med 1998; Bradley et al., Arch Intern Med 2003): 4 or more men, "
    "3 or more women; 3 or more for intersex or unknown sex (clinic policy default)",
)
def psy11(c: Context) -> Outcome | None:
    # A total can only grow: answered items alone may already reach the cut-off.
    if c.auditc_partial >= c.auditc_cutoff:
        sex = c.answers["patient.sex_at_birth"]
        # The items that scored (an unanswered item or a 0 adds nothing).
        inputs: Inputs = dict(compress(zip(AUDITC.item_paths, c.facts.auditc), c.facts.auditc))  # noqa: B905
        inputs["patient.sex_at_birth"] = sex
        facts = c.facts
        total = c.auditc_total
        message = None
        if total is not None:
            message = PSY11_MESSAGES.get((total, sex, facts.esketamine, facts.ketamine))
        if message is None:
            message = psy11_message(total, c.auditc_partial, c.auditc_cutoff, sex, drug_text(c))
        return (inputs, message, None, [])
    if c.auditc_total is not None:
        return None  # complete (it has a total) and below the cut-off
    return incomplete(_missing_items(AUDITC, c.facts.auditc))


PHQ9_PATHS: Final = PHQ9.item_paths
GAD7_PATHS: Final = GAD7.item_paths

# PSY-13's message for every possible PHQ-9 total, written once (it fires on most documents).
PSY13_MESSAGES: Final = {
    total: f"PHQ-9 total {total} ({band_of(total, PHQ9_BANDS).replace('_', ' ')}): depression severity, for context."
    for total in range(PHQ9.length * PHQ9.high + 1)
}


@rule(
    "PSY-13",
    INFO,
    "PHQ-9 depression score",
    "Always with a complete PHQ-9: the total and its band. Any of items 1-8 missing is INCOMPLETE; only item 9 "
    "missing gives nothing (SAF-06 reports it).",
    "PHQ-9 (Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-613)",
)
def psy13(c: Context) -> Outcome | None:
    total = c.phq9_total
    if total is not None:
        # Complete: every item is an input (written out: cheaper than a dict of a zip).
        i1, i2, i3, i4, i5, i6, i7, i8, i9 = c.facts.phq9
        inputs: Inputs = {
            PHQ9_PATHS[0]: i1, PHQ9_PATHS[1]: i2, PHQ9_PATHS[2]: i3, PHQ9_PATHS[3]: i4, PHQ9_PATHS[4]: i5,
            PHQ9_PATHS[5]: i6, PHQ9_PATHS[6]: i7, PHQ9_PATHS[7]: i8, PHQ9_PATHS[8]: i9,
        }  # fmt: skip
        return (inputs, PSY13_MESSAGES[total], None, [])
    missing = _missing_items(PHQ9, c.facts.phq9)
    if missing == [PHQ9_ITEM9]:
        return None  # only item 9 missing: SAF-06 reports it
    return incomplete(missing)


# Spec §5.5, PSY-14: GAD-7 10 or more (moderate anxiety or worse; Spitzer 2006).
PSY14_GAD7_FROM: Final = 10


# PSY-14's message for every GAD-7 total that fires it, written once.
PSY14_MESSAGES: Final = {
    total: f"GAD-7 total {total} ({band_of(total, GAD7_BANDS)}; the cut-off is {PSY14_GAD7_FROM}): anxiety, for "
    "context."
    for total in range(PSY14_GAD7_FROM, GAD7.length * GAD7.high + 1)
}


@rule(
    "PSY-14",
    INFO,
    "GAD-7 anxiety score",
    f"A complete GAD-7 scoring {PSY14_GAD7_FROM} or more. An incomplete GAD-7 is INCOMPLETE.",
    "GAD-7 (Spitzer et al., Arch Intern Med 2006;166:1092-1097)",
)
def psy14(c: Context) -> Outcome | None:
    total = c.gad7_total
    if total is None:
        return incomplete(_missing_items(GAD7, c.facts.gad7))
    if total >= PSY14_GAD7_FROM:
        # Complete: every item is an input (written out: cheaper than a dict of a zip).
        i1, i2, i3, i4, i5, i6, i7 = c.facts.gad7
        inputs: Inputs = {
            GAD7_PATHS[0]: i1, GAD7_PATHS[1]: i2, GAD7_PATHS[2]: i3, GAD7_PATHS[3]: i4,
            GAD7_PATHS[4]: i5, GAD7_PATHS[5]: i6, GAD7_PATHS[6]: i7,
        }  # fmt: skip
        return (inputs, PSY14_MESSAGES[total], None, [])
    return None


# --- 5.6 Pregnancy and lactation ----------------------------------------------------------

PREGNANT: Final = "reproductive.pregnant"
PREGNANCY_POSSIBLE: Final = "reproductive.pregnancy_possible"


@rule(
    "PRG-01",
    EXCLUDE_PENDING_REVIEW,
    "Pregnancy",
    "Pregnant answered yes or possibly, whatever 'pregnancy possible' says. Its unknowns are PRG-04's.",
    f"{SPRAVATO_US} §5.9 and §8.1 (embryo-fetal toxicity; not recommended in pregnancy); {KETALAR_US} §8.1; "
    "service policies",
    quiet_when={PREGNANT: "no"},
)
def prg01(c: Context) -> Outcome | None:
    pregnant = c.answers[PREGNANT]
    if pregnant == "yes":
        text = f"The patient says they are pregnant: {drug_is(c)} not recommended in pregnancy."
    elif pregnant == "possibly":
        text = (
            "The patient says they may possibly be pregnant: do a pregnancy test before any treatment; "
            f"{drug_is(c)} not recommended in pregnancy."
        )
    else:
        return None
    return ({PREGNANT: pregnant}, f"{text} {EXCLUDE_NOTE}", None, [])


def _breastfeeding(c: Context, hits: Inputs) -> str:
    if c.facts.esketamine:
        text = "esketamine is not recommended while breastfeeding (esketamine label)"
        if c.facts.ketamine:
            text += "; the clinic applies the same to IV/IM ketamine"
    else:
        text = (
            "the clinic does not give IV/IM ketamine while breastfeeding (it applies the esketamine label's "
            "advice against use while breastfeeding to ketamine too)"
        )
    return f"The patient says they are breastfeeding: {text}. {EXCLUDE_NOTE}"


answer_rule(
    "PRG-02",
    EXCLUDE_PENDING_REVIEW,
    {"reproductive.breastfeeding": YES},
    "Breastfeeding",
    "Breastfeeding answered yes. Asked of everyone; unknown is INCOMPLETE.",
    _breastfeeding,
    f"{SPRAVATO_US} §8.2 (lactation: not recommended); applied by the clinic to both routes",
)


@rule(
    "PRG-03",
    CAUTION,
    "Planning pregnancy",
    "Planning a pregnancy answered yes. Unknown is INCOMPLETE only when a pregnancy is possible.",
    f"{SPRAVATO_US} §8.3 (females of reproductive potential: pregnancy planning and prevention); service policies",
    quiet_when={"reproductive.planning_pregnancy": "no"},
)
def prg03(c: Context) -> Outcome | None:
    planning = c.answers["reproductive.planning_pregnancy"]
    if planning == "yes":
        return (
            {"reproductive.planning_pregnancy": "yes"},
            f"The patient is planning a pregnancy: discuss timing and contraception before {drug_text(c)} treatment.",
            None,
            [],
        )
    if planning == UNKNOWN and c.answers[PREGNANCY_POSSIBLE] == "yes":
        return incomplete(["reproductive.planning_pregnancy"])
    return None


@rule(
    "PRG-04",
    INCOMPLETE,
    "Pregnancy status",
    "'Pregnancy possible' unknown, or 'pregnancy possible' yes and 'pregnant' unknown. May stand beside PRG-01.",
    design("§5.6", "asked of everyone, never inferred from sex"),
    quiet_when={PREGNANCY_POSSIBLE: "no"},
)
def prg04(c: Context) -> Outcome | None:
    possible = c.answers[PREGNANCY_POSSIBLE]
    pregnant = c.answers[PREGNANT]
    if possible == UNKNOWN:
        missing = [PREGNANCY_POSSIBLE]
        if pregnant == UNKNOWN:
            missing.append(PREGNANT)
        text = f"Not known: {labels(missing)}. Ask: it is asked of everyone and never inferred from sex."
        if pregnant in ("yes", "possibly"):
            text = (
                f'Not known: {labels(missing)}. The patient answered pregnant "{pregnant}" (PRG-01 covers that): '
                "record this answer for completeness; it changes nothing PRG-01 asks."
            )
        return ({}, text, None, missing)
    if possible == "yes" and pregnant == UNKNOWN:
        return (
            {PREGNANCY_POSSIBLE: "yes"},
            f"A pregnancy is possible and the patient does not know whether they are pregnant (or did not answer): "
            f"ask, and do a pregnancy test before any treatment. Missing: {labels([PREGNANT])}.",
            None,
            [PREGNANT],
        )
    return None


# --- 5.7 Medications --------------------------------------------------------------------


@rule(
    "DDI-00",
    INCOMPLETE,
    "Medication list",
    "The medication list was not answered (an empty list means none). The other medication rules then say nothing.",
    design("§5.7"),
)
def ddi00(c: Context) -> Outcome | None:
    if c.medications is not None:
        return None
    return (
        {},
        "The medication list was not answered: ask what the patient takes (an empty list means none).",
        None,
        ["medications"],
    )


class_rule(
    "DDI-01",
    CAUTION,
    meds.MAOI,
    "MAOI",
    "A listed monoamine oxidase inhibitor.",
    lambda c, names: (
        f"Listed: {names}. With an MAOI, {drug_text(c)} can raise blood pressure further: monitor "
        "blood pressure closely."
    ),
    f"{SPRAVATO_US} §7.3 (monoamine oxidase inhibitors)",
)
class_rule(
    "DDI-02",
    CAUTION,
    meds.PSYCHOSTIMULANT,
    "Psychostimulant",
    "A listed psychostimulant.",
    lambda c, names: (
        f"Listed: {names}. A psychostimulant adds to the blood-pressure rise of {drug_text(c)}: "
        "monitor blood pressure closely."
    ),
    f"{SPRAVATO_US} §7.2 (psychostimulants)",
)
class_rule(
    "DDI-03",
    CAUTION,
    meds.CNS_DEPRESSANT,
    "CNS depressant",
    "A listed CNS depressant (benzodiazepine, Z-drug, opioid, barbiturate, gabapentinoid, sedating antihistamine, "
    "muscle relaxant or other sedative).",
    lambda c, names: (
        f"Listed: {names}. It adds to the sedation of {drug_text(c)}. With opioids and "
        f"benzodiazepines there is also a risk of respiratory depression (profound sedation, slowed breathing): "
        "monitor sedation, breathing and oxygen saturation."
    ),
    f"{SPRAVATO_US} §7.1 (CNS depressants: sedation); {KETALAR_US} §7.3 (benzodiazepines, opioid analgesics or "
    "other CNS depressants: profound sedation, respiratory depression)",
)
class_rule(
    "DDI-05",
    INFO,
    meds.LAMOTRIGINE,
    "Lamotrigine",
    "A listed lamotrigine.",
    lambda c, names: (
        f"Listed: {names}. Lamotrigine may lessen ketamine's dissociative effects; studies show no "
        "consistent effect on the antidepressant response. For context: not a reason on its own to change the "
        "lamotrigine."
    ),
    ANDRADE_2017 + ": lamotrigine may lessen dissociative effects; no consistent effect on antidepressant response",
)
class_rule(
    "DDI-07",
    CAUTION,
    meds.SYMPATHOMIMETIC,
    "Sympathomimetic",
    "A listed sympathomimetic (pseudoephedrine, phenylephrine, ephedrine), when IV/IM ketamine is a planned route.",
    lambda c, names: (
        f"Listed: {names}. With IV/IM ketamine it adds to the blood-pressure and heart-rate rise: "
        "monitor vital signs closely. Applies to IV/IM ketamine only."
    ),
    f"{KETALAR_US} §7.2 (sympathomimetics and vasopressin)",
    ketamine_only=True,
)
class_rule(
    "DDI-08",
    INFO,
    meds.CYP_MODULATOR,
    "Strong CYP3A4/CYP2B6 modulator",
    "A listed strong CYP3A4 or CYP2B6 inhibitor or inducer.",
    lambda c, names: (
        f"Listed: {names}. {_sentence(drug_is(c))} metabolised mainly by CYP2B6 and CYP3A4: an "
        "inhibitor may raise and an inducer lower the levels. Watch the effect and the recovery time."
    ),
    f"{ANDRADE_2017}; {SPRAVATO_US} §12.3 (pharmacokinetics: CYP2B6 and CYP3A4 metabolism)",
)


@rule(
    "DDI-09",
    INCOMPLETE,
    "Unrecognised medication",
    "A listed name (or part of a combination) that matches nothing in the medication catalogue, for "
    "reconciliation. Exact names only: the engine never guesses.",
    design("§5.7"),
)
def ddi09(c: Context) -> Outcome | None:
    if c.medications is None or not c.medications.unmatched:
        return None
    names = list(c.medications.unmatched.values())
    # `missing` lists the names as entered, for reconciliation (spec §6).
    return (
        dict(c.medications.unmatched),
        f"Not found in the medication catalogue: {'; '.join(names)}. Reconcile them with the patient or pharmacy "
        "(exact names only; the engine never guesses).",
        None,
        names,
    )


# --- 5.8 Indication and logistics (INFO only, never INCOMPLETE) ---------------------------

TRIALS: Final = "psychiatric.failed_antidepressant_trials"
# Spec §5.8: two or more failed adequate trials = treatment-resistant depression
# (McIntyre et al., Am J Psychiatry 2021).
TRD_TRIALS_FROM: Final = 2


@rule(
    "IND-01",
    INFO,
    "Treatment resistance",
    f"{TRD_TRIALS_FROM} or more failed adequate antidepressant trials in this episode.",
    MCINTYRE_2021,
)
def ind01(c: Context) -> Outcome | None:
    trials = c.answers[TRIALS]
    if not isinstance(trials, int) or trials < TRD_TRIALS_FROM:
        return None
    return ({TRIALS: trials}, IND01_MESSAGES.get(trials) or ind01_message(trials), None, [])


def ind01_message(trials: int) -> str:
    return (
        f"{trials} failed adequate antidepressant trials in this episode ({TRD_TRIALS_FROM} or more): meets the "
        "common definition of treatment-resistant depression."
    )


# IND-01's message for every number of trials that fires it (§3: at most 30), written once.
IND01_MESSAGES: Final = {trials: ind01_message(trials) for trials in range(TRD_TRIALS_FROM, 31)}


@rule(
    "IND-02",
    INFO,
    "Treatment resistance not established",
    f"Fewer than {TRD_TRIALS_FROM} failed adequate trials, or the number is unknown (INFO, never INCOMPLETE).",
    MCINTYRE_2021,
)
def ind02(c: Context) -> Outcome | None:
    trials = c.answers[TRIALS]
    if trials is None:
        return (
            {},
            f"Not known: {labels([TRIALS])}. Treatment resistance is not established: ask about earlier treatments.",
            None,
            [TRIALS],
        )
    if not isinstance(trials, int) or trials >= TRD_TRIALS_FROM:
        return None
    return (
        {TRIALS: trials},
        f"{trials} failed adequate antidepressant trial{'s' if trials != 1 else ''} in this episode (fewer than "
        f"{TRD_TRIALS_FROM}): treatment resistance is not established.",
        None,
        [],
    )


@rule(
    "IND-03",
    INFO,
    "Off-label route",
    "IV/IM ketamine is a planned route.",
    f"{ASKP} (informed consent for off-label use); {CANMAT_2021}",
    routes=(KETAMINE,),
)
def ind03(c: Context) -> Outcome | None:
    if not c.facts.ketamine:
        return None
    return (
        {"routes": list(c.facts.routes)},
        "IV/IM ketamine is a planned route: it is not approved for depression (off-label use). Record informed "
        "consent for off-label use.",
        None,
        [],
    )


answer_rule(
    "IND-04",
    INFO,
    {"psychiatric.prior_ketamine_treatment": YES},
    "Prior ketamine treatment",
    "Ketamine or esketamine treatment before answered yes (unknown gives nothing).",
    lambda c, hits: (
        "The patient reports ketamine or esketamine treatment before: ask about the earlier "
        "response, dose and adverse effects."
    ),
    f"{ASKP} (history of prior ketamine treatment)",
    unknown_is_incomplete=False,  # an unknown gives nothing (spec §5.8)
)


@rule(
    "LOG-01",
    INFO,
    "Ride home",
    "A ride home answered no or not known (INFO, never INCOMPLETE).",
    f"{SPRAVATO_US} §5.7 (no driving until the next day after a restful sleep); Spravato REMS",
    quiet_when={"logistics.has_ride_home": "yes"},
)
def log01(c: Context) -> Outcome | None:
    ride = c.answers["logistics.has_ride_home"]
    rule_text = "No driving until the next day after a restful sleep: arrange a ride home."
    if ride == "no":
        return ({"logistics.has_ride_home": "no"}, f"The patient has no ride home. {rule_text}", None, [])
    if ride == UNKNOWN:
        missing = ["logistics.has_ride_home"]
        return ({}, f"Not known: {labels(missing)}. {rule_text}", None, missing)
    return None


@rule(
    "LOG-02",
    INFO,
    "Spravato REMS",
    "Esketamine nasal spray is a planned route.",
    "Spravato REMS (patient enrolment before the first session; 2-hour monitoring after each dose)",
    routes=(ESKETAMINE,),
)
def log02(c: Context) -> Outcome | None:
    if not c.facts.esketamine:
        return None
    return (
        {"routes": list(c.facts.routes)},
        "Esketamine nasal spray (Spravato) is a planned route: enrol the patient in the Spravato REMS before the "
        "first session; monitoring for at least 2 hours after each dose.",
        None,
        [],
    )


#: Every rule, by id.
RULES: Final[tuple[Rule, ...]] = tuple(RULES_BY_ID[key] for key in sorted(RULES_BY_ID))
