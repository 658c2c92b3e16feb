"""Properties over generated valid documents (hypothesis).

- every valid document screens without an exception, into a well-formed result;
- the same document always gives the same result (and so does its canonical form);
- "Unknown is not no" (spec §1.2): turning a calm answer into unknown never lowers the
  overall level, and neither does turning a "no" into "yes".
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.engine import LEVELS, NO_FLAGS_RAISED, level_rank, screen, validate_facts
from screening.engine.context import build_context
from screening.engine.facts import CSSRS_KEYS, SECTIONS
from screening.engine.rules import RULES

SETTINGS = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

TRI = ["yes", "no", "unknown", None]
MEDICATION_NAMES = [
    "Sertraline 100 mg", "Xanax 1mg", "Adderall XR 20 mg", "Nardil", "Lamictal 100 mg", "Sudafed",
    "theophylline", "clarithromycin 500 mg bid", "hydrocodone/acetaminophen 5/325", "Zorblatex",
    "amlodipine 5 mg + tramadol 50 mg", "sodium oxybate", "metformin ER 500 mg", "(unlabelled)",
]  # fmt: skip


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid intake-facts/1 document; keys are sometimes absent, sections sometimes null."""
    assessed = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))

    def past_date(max_days: int) -> str:
        return (assessed - timedelta(days=draw(st.integers(0, max_days)))).isoformat()

    doc: dict[str, Any] = {"schema": "intake-facts/1", "assessment_date": assessed.isoformat()}
    routes = draw(st.sampled_from([None, ["esketamine"], ["ketamine"], ["esketamine", "ketamine"], "absent"]))
    if routes != "absent":
        doc["routes"] = routes

    for section, fields in SECTIONS.items():
        if draw(st.integers(0, 9)) == 0:
            if draw(st.booleans()):
                doc[section] = None
            continue
        values: dict[str, Any] = {}
        for key, field in fields.items():
            if draw(st.integers(0, 7)) == 0:
                continue  # absent: unknown
            if field.kind in ("tri", "choice"):
                values[key] = draw(st.sampled_from([*field.choices, None]))
            elif field.kind == "int":
                values[key] = draw(maybe(st.integers(field.low, field.high)))
            elif field.kind == "number":
                values[key] = draw(maybe(st.floats(field.low, field.high) | st.integers(field.low, field.high)))
            elif key == "date_of_birth":
                values[key] = draw(maybe(st.just(past_date(120 * 365))))
            elif key == "bp_date":
                values[key] = draw(maybe(st.just(past_date(60))))
        if section == "vitals" and draw(st.booleans()):
            # Mostly realistic readings, so the BP rules past BP-08 are exercised.
            values["bp_systolic"] = draw(st.integers(90, 200))
            values["bp_diastolic"] = draw(st.integers(50, 130))
        if section == "medical":
            values.pop("cardiovascular_event_date", None)
            if values.get("cardiovascular_event") == "yes":
                values["cardiovascular_event_date"] = draw(maybe(st.just(past_date(800))))
        doc[section] = values

    if draw(st.integers(0, 9)):
        doc["instruments"] = {
            "phq9": draw(maybe(st.lists(maybe(st.integers(0, 3)), min_size=9, max_size=9))),
            "gad7": draw(maybe(st.lists(maybe(st.integers(0, 3)), min_size=7, max_size=7))),
            "auditc": draw(maybe(st.lists(maybe(st.integers(0, 4)), min_size=3, max_size=3))),
            "dast10": draw(maybe(st.lists(st.sampled_from(["yes", "no", None]), min_size=10, max_size=10))),
            "cssrs": draw(maybe(st.fixed_dictionaries({}, optional={k: st.sampled_from(["yes", "no", None])
                                                                     for k in CSSRS_KEYS}))),
        }  # fmt: skip
    medications = draw(st.sampled_from(["absent", "null", "list"]))
    if medications == "null":
        doc["medications"] = None
    elif medications == "list":
        names = draw(st.lists(st.sampled_from(MEDICATION_NAMES), max_size=4))
        doc["medications"] = [{"name": name} for name in names]
    return doc


def overall_rank(doc: dict[str, Any]) -> int:
    return level_rank(screen(doc)["overall"])


# Answers whose value is the calm one, per field; "unknown" (or null) is never calmer.
CALM = {"tri": "no", "pregnant": "no", "heart_failure": "none", "arrhythmia": "none", "liver_disease": "none"}


def calm_answers(doc: dict[str, Any]) -> list[tuple[tuple[Any, ...], Any]]:
    """(location, unknown value) of every calm answer in the document."""
    found: list[tuple[tuple[Any, ...], Any]] = []
    for section, fields in SECTIONS.items():
        values = doc.get(section) or {}
        for key, field in fields.items():
            calm = CALM.get(key, CALM["tri"] if field.kind == "tri" else None)
            if calm is not None and values.get(key) == calm:
                found.append(((section, key), "unknown"))
    instruments = doc.get("instruments") or {}
    for name in ("phq9", "gad7", "auditc"):
        for index, item in enumerate(instruments.get(name) or []):
            if item == 0:
                found.append((("instruments", name, index), None))
    for index, item in enumerate(instruments.get("dast10") or []):
        # DAST-10 item 3 is reverse-scored: "yes" is its calm answer.
        if item == ("yes" if index == 2 else "no"):
            found.append((("instruments", "dast10", index), None))
    for key, answer in (instruments.get("cssrs") or {}).items():
        if answer == "no":
            found.append((("instruments", "cssrs", key), None))
    if doc.get("medications") == []:
        found.append((("medications",), None))
    return found


def no_answers(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Locations of every "no" whose "yes" means more risk."""
    found: list[tuple[Any, ...]] = []
    for section, fields in SECTIONS.items():
        values = doc.get(section) or {}
        for key, field in fields.items():
            # A controlled hypertension is the calm "yes": it is left out.
            if field.kind == "tri" and key != "hypertension_controlled" and values.get(key) == "no":
                found.append((section, key))
    instruments = doc.get("instruments") or {}
    for index, item in enumerate(instruments.get("dast10") or []):
        if item == "no" and index != 2:
            found.append(("instruments", "dast10", index))
    for key, answer in (instruments.get("cssrs") or {}).items():
        if answer == "no":
            found.append(("instruments", "cssrs", key))
    return found


def changed(doc: dict[str, Any], location: tuple[Any, ...], value: Any) -> dict[str, Any]:
    new = copy.deepcopy(doc)
    node = new
    for step in location[:-1]:
        node = node[step]
    node[location[-1]] = value
    return new


@SETTINGS
@given(documents())
def test_any_valid_document_screens_into_a_well_formed_result(doc):
    result = screen(doc)
    flags = result["flags"]
    top = max((level_rank(f["level"]) for f in flags), default=0)
    expected = NO_FLAGS_RAISED if top <= level_rank("INFO") else LEVELS[len(LEVELS) - top]
    assert result["overall"] == expected
    assert len({f["rule"] for f in flags}) == len(flags)  # a rule emits at most one flag
    order = [(-level_rank(f["level"]), f["rule"]) for f in flags]
    assert order == sorted(order)
    for flag in flags:
        assert flag["message"] and flag["source"]
        if flag["level"] == "INCOMPLETE":
            assert flag["missing"] or flag["inputs"]


@SETTINGS
@given(documents())
def test_the_same_document_always_gives_the_same_result(doc):
    original = copy.deepcopy(doc)
    first = screen(doc)
    assert screen(doc) == first
    assert doc == original
    assert screen(validate_facts(doc).as_document()) == first


@SETTINGS
@given(documents(), st.data())
def test_turning_a_calm_answer_into_unknown_never_lowers_the_overall_level(doc, data):
    candidates = calm_answers(doc)
    if not candidates:
        return
    location, unknown = data.draw(st.sampled_from(candidates))
    assert overall_rank(changed(doc, location, unknown)) >= overall_rank(doc)


@SETTINGS
@given(documents(), st.data())
def test_turning_a_no_into_yes_never_lowers_the_overall_level(doc, data):
    candidates = no_answers(doc)
    if not candidates:
        return
    location = data.draw(st.sampled_from(candidates))
    assert overall_rank(changed(doc, location, "yes")) >= overall_rank(doc)


@SETTINGS
@given(documents())
def test_safety_answers_alone_decide_the_safety_flags(doc):
    """Safety flags do not depend on anything but PHQ-9 item 9 and the C-SSRS."""
    instruments = doc.get("instruments") or {}
    bare = {
        "schema": "intake-facts/1",
        "assessment_date": doc["assessment_date"],
        "instruments": {"phq9": instruments.get("phq9"), "cssrs": instruments.get("cssrs")},
    }

    def safety(d: dict[str, Any]) -> list[tuple[str, str]]:
        return [(f["rule"], f["level"]) for f in screen(d)["flags"] if f["rule"].startswith("SAF-")]

    assert safety(doc) == safety(bare)


def literal_no_answers(doc: dict[str, Any]) -> list[tuple[tuple[Any, ...], Any]]:
    """Every answer that is literally "no", with its unknown value — DAST-10 item 3 included."""
    found = [(location, "unknown") for location in no_answers(doc)]
    found = [(loc, None if loc[0] == "instruments" else "unknown") for loc, _ in found]
    instruments = doc.get("instruments") or {}
    dast = instruments.get("dast10") or []
    if len(dast) == 10 and dast[2] == "no":
        found.append((("instruments", "dast10", 2), None))
    hypertension = (doc.get("medical") or {}).get("hypertension_controlled")
    if hypertension == "no":
        found.append((("medical", "hypertension_controlled"), "unknown"))
    return found


@SETTINGS
@given(documents(), st.data())
def test_turning_any_no_into_unknown_never_lowers_the_overall_level(doc, data):
    """Spec §1.2 read literally, including DAST-10 item 3, where "no" is the scoring answer."""
    candidates = literal_no_answers(doc)
    if not candidates:
        return
    location, unknown = data.draw(st.sampled_from(candidates))
    assert overall_rank(changed(doc, location, unknown)) >= overall_rank(doc)


QUIET_RULES = [rule for rule in RULES if rule.quiet_when]


@SETTINGS
@given(documents(), st.sampled_from(QUIET_RULES))
def test_a_rule_skipped_for_its_quiet_answers_would_have_said_nothing(doc, rule):
    """The evaluator skips a rule when the document has all of its ``quiet_when`` answers (issue 13):
    its check, run anyway on such a document, must return nothing."""
    quiet = copy.deepcopy(doc)
    for path, answer in rule.quiet_when:
        section, key = path.split(".", 1)
        if quiet.get(section) is None:
            quiet[section] = {}
        quiet[section][key] = answer
    medical = quiet.get("medical") or {}
    if medical.get("cardiovascular_event") != "yes" and medical.get("cardiovascular_event_date") is not None:
        medical["cardiovascular_event_date"] = None  # §3: a date only with an event "yes"
    context = build_context(validate_facts(quiet))
    assert rule.check(context) is None
