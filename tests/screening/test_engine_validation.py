"""Strict validation (spec §3): a violation is an error naming the field, never a flag."""

from __future__ import annotations

import pytest

from screening.engine import FactsError, parse_json, screen, screen_many, validate_facts

BAD_VALUES = [
    # (path, value, expected error path, words in the message)
    # --- schema and assessment_date
    ("schema", None, "schema", "required"),
    ("schema", "intake-facts/2", "schema", "unknown schema"),
    ("schema", "", "schema", "unknown schema"),
    ("schema", 1, "schema", "unknown schema"),
    ("assessment_date", None, "assessment_date", "required"),
    ("assessment_date", "", "assessment_date", "YYYY-MM-DD"),
    ("assessment_date", "2026-13-01", "assessment_date", "YYYY-MM-DD"),
    ("assessment_date", "2026-02-29", "assessment_date", "YYYY-MM-DD"),
    ("assessment_date", "2026-1-20", "assessment_date", "YYYY-MM-DD"),
    ("assessment_date", "20261120", "assessment_date", "YYYY-MM-DD"),
    ("assessment_date", "2026-11-20T10:00", "assessment_date", "YYYY-MM-DD"),
    ("assessment_date", 20261120, "assessment_date", "YYYY-MM-DD"),
    # ten characters with "-" at 4 and 7 but not ASCII digits around them
    ("assessment_date", "2026-1\u0661-20", "assessment_date", "YYYY-MM-DD"),
    ("assessment_date", "\uff12026-11-20", "assessment_date", "YYYY-MM-DD"),
    ("assessment_date", "+026-11-20", "assessment_date", "YYYY-MM-DD"),
    ("assessment_date", "2026-11- 2", "assessment_date", "YYYY-MM-DD"),
    ("assessment_date", "2026-W1-12", "assessment_date", "YYYY-MM-DD"),
    ("vitals.bp_date", "2026-0\u00b2-01", "vitals.bp_date", "YYYY-MM-DD"),
    # --- unknown keys, at every level
    ("patinet", {}, "patinet", "unknown key"),
    ("patient.weigth_kg", 70, "patient.weigth_kg", "unknown key"),
    ("medical.aneurism", "no", "medical.aneurism", "unknown key"),
    ("instruments.phq8", [0] * 8, "instruments.phq8", "unknown key"),
    ("instruments.cssrs.q7", "no", "instruments.cssrs.q7", "unknown key"),
    ("medications[1].strength", "50 mg", "medications[1].strength", "unknown key"),
    # --- sections and routes
    ("patient", [], "patient", "object"),
    ("medical", "no", "medical", "object"),
    ("instruments", [], "instruments", "object"),
    ("instruments.cssrs", ["no"], "instruments.cssrs", "object"),
    ("routes", [], "routes", "non-empty"),
    ("routes", "ketamine", "routes", "non-empty"),
    ("routes", ["iv"], "routes[1]", "esketamine"),
    ("routes", ["ketamine", None], "routes[2]", "esketamine"),
    # --- tri, yn and choice fields
    ("medical.aneurysm", "", "medical.aneurysm", "one of"),
    ("medical.aneurysm", "maybe", "medical.aneurysm", "one of"),
    ("medical.aneurysm", "Yes", "medical.aneurysm", "one of"),
    ("medical.aneurysm", True, "medical.aneurysm", "one of"),
    ("medical.aneurysm", 0, "medical.aneurysm", "one of"),
    ("instruments.cssrs.q1", "unknown", "instruments.cssrs.q1", "one of"),
    ("instruments.cssrs.q1", "", "instruments.cssrs.q1", "one of"),
    ("patient.sex_at_birth", "", "patient.sex_at_birth", "one of"),
    ("patient.sex_at_birth", "f", "patient.sex_at_birth", "one of"),
    ("reproductive.pregnant", "maybe", "reproductive.pregnant", "one of"),
    ("medical.heart_failure", "yes", "medical.heart_failure", "one of"),
    ("vitals.bp_source", "", "vitals.bp_source", "one of"),
    # --- integers: JSON integers only
    ("vitals.bp_systolic", 2.0, "vitals.bp_systolic", "must be an integer"),
    ("vitals.bp_systolic", 120.5, "vitals.bp_systolic", "must be an integer"),
    ("vitals.bp_systolic", True, "vitals.bp_systolic", "must be an integer"),
    ("vitals.bp_systolic", "120", "vitals.bp_systolic", "must be an integer"),
    ("vitals.bp_systolic", 401, "vitals.bp_systolic", "out of range"),
    ("vitals.bp_diastolic", -1, "vitals.bp_diastolic", "out of range"),
    ("psychiatric.failed_antidepressant_trials", 31, "psychiatric.failed_antidepressant_trials", "out of range"),
    ("psychiatric.failed_antidepressant_trials", -1, "psychiatric.failed_antidepressant_trials", "out of range"),
    ("psychiatric.failed_antidepressant_trials", 2.0, "psychiatric.failed_antidepressant_trials", "integer"),
    # --- numbers
    ("patient.weight_kg", True, "patient.weight_kg", "must be a number"),
    ("patient.weight_kg", "70", "patient.weight_kg", "must be a number"),
    ("patient.weight_kg", 29.9, "patient.weight_kg", "out of range"),
    ("patient.weight_kg", 300.01, "patient.weight_kg", "out of range"),
    ("patient.weight_kg", float("nan"), "patient.weight_kg", "out of range"),
    ("patient.weight_kg", float("inf"), "patient.weight_kg", "out of range"),
    ("patient.height_cm", 119, "patient.height_cm", "out of range"),
    ("patient.height_cm", 230.5, "patient.height_cm", "out of range"),
    # --- list instruments: length and items
    ("instruments.phq9", [0] * 8, "instruments.phq9", "9 items"),
    ("instruments.phq9", [0] * 10, "instruments.phq9", "9 items"),
    ("instruments.gad7", [0] * 6, "instruments.gad7", "7 items"),
    ("instruments.auditc", [0] * 4, "instruments.auditc", "3 items"),
    ("instruments.dast10", ["no"] * 9, "instruments.dast10", "10 items"),
    ("instruments.phq9", {"1": 0}, "instruments.phq9", "list"),
    ("instruments.phq9", "000000000", "instruments.phq9", "list"),
    ("instruments.phq9[3]", 4, "instruments.phq9[3]", "out of range"),
    ("instruments.phq9[1]", -1, "instruments.phq9[1]", "out of range"),
    ("instruments.phq9[9]", 1.0, "instruments.phq9[9]", "integer"),
    ("instruments.phq9[9]", True, "instruments.phq9[9]", "integer"),
    ("instruments.auditc[3]", 5, "instruments.auditc[3]", "out of range"),
    ("instruments.gad7[2]", "1", "instruments.gad7[2]", "integer"),
    ("instruments.dast10[3]", "unknown", "instruments.dast10[3]", "one of"),
    ("instruments.dast10[3]", True, "instruments.dast10[3]", "one of"),
    # --- dates
    ("patient.date_of_birth", "", "patient.date_of_birth", "YYYY-MM-DD"),
    ("patient.date_of_birth", "15/03/1984", "patient.date_of_birth", "YYYY-MM-DD"),
    ("patient.date_of_birth", "2026-11-21", "patient.date_of_birth", "after assessment_date"),
    ("vitals.bp_date", "2026-11-21", "vitals.bp_date", "after assessment_date"),
    ("vitals.bp_date", "", "vitals.bp_date", "YYYY-MM-DD"),
    ("patient.date_of_birth", "1905-11-20", "patient.date_of_birth", "age over 120"),
    # --- medications
    ("medications", {"name": "sertraline"}, "medications", "list"),
    ("medications", "sertraline", "medications", "list"),
    ("medications", ["sertraline"], "medications[1]", "object"),
    ("medications", [None], "medications[1]", "object"),
    ("medications", [{"dose": "50 mg"}], "medications[1].name", "required"),
    ("medications", [{"name": None}], "medications[1].name", "required"),
    ("medications", [{"name": ""}], "medications[1].name", "non-space"),
    ("medications", [{"name": " \t "}], "medications[1].name", "non-space"),
    ("medications", [{"name": 5}], "medications[1].name", "string"),
    ("medications", [{"name": "x"}, {"name": "y", "dose": 50}], "medications[2].dose", "string"),
    ("medications", [{"name": "x", "frequency": ["daily"]}], "medications[1].frequency", "string"),
]


@pytest.mark.parametrize(
    ("path", "value", "error_path", "words"), BAD_VALUES, ids=[f"{p}={v!r}" for p, v, _, _ in BAD_VALUES]
)
def test_an_invalid_value_is_an_error_naming_the_field(doc, path, value, error_path, words):
    doc.set(path, value)
    with pytest.raises(FactsError) as caught:
        screen(doc.facts)
    assert caught.value.path == error_path
    assert words in caught.value.message
    assert str(caught.value) == f"{error_path}: {caught.value.message}"
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("missing", ["schema", "assessment_date"])
def test_schema_and_assessment_date_are_required(doc, missing):
    with pytest.raises(FactsError, match=f"^{missing}: is required"):
        screen(doc.drop(missing).facts)


@pytest.mark.parametrize("event", ["no", "unknown", None])
def test_an_event_date_given_while_the_event_is_not_yes_is_an_error(doc, event):
    doc.set("medical.cardiovascular_event", event).set("medical.cardiovascular_event_date", "2026-01-01")
    with pytest.raises(FactsError) as caught:
        screen(doc.facts)
    assert caught.value.path == "medical.cardiovascular_event_date"


def test_an_event_date_after_the_assessment_date_is_an_error(doc):
    doc.set("medical.cardiovascular_event", "yes").set("medical.cardiovascular_event_date", "2026-12-01")
    with pytest.raises(FactsError, match="^medical.cardiovascular_event_date: must not be after"):
        screen(doc.facts)


def test_a_document_that_is_not_an_object_is_an_error():
    for value in ([], "x", None, 3):
        with pytest.raises(FactsError):
            validate_facts(value)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("routes", None),
        ("routes", ["ketamine", "ketamine"]),
        ("patient", None),
        ("instruments", None),
        ("instruments.cssrs", None),
        ("instruments.phq9", None),
        ("instruments.phq9", [None] * 9),
        ("instruments.cssrs.q6_past_3_months", None),
        ("medications", None),
        ("medications", []),
        ("medications", [{"name": "x", "dose": None, "frequency": None}]),
        ("medications", [{"name": " sertraline ", "dose": "50 mg", "frequency": "daily"}]),
        ("patient.weight_kg", 30),
        ("patient.weight_kg", 300),
        ("patient.weight_kg", 70.25),
        ("patient.height_cm", 120),
        ("patient.height_cm", 230),
        ("vitals.bp_systolic", 0),
        ("vitals.bp_systolic", 400),
        ("vitals.bp_date", "2026-11-20"),
        ("patient.date_of_birth", "2026-11-20"),
        ("psychiatric.failed_antidepressant_trials", 30),
        ("instruments.cssrs.q1", None),
        ("instruments.dast10[1]", None),
    ],
)
def test_a_valid_edge_value_is_accepted(doc, path, value):
    screen(doc.set(path, value).facts)


def test_an_empty_section_object_is_all_unknown(doc):
    levels = doc.set("medical", {}).levels()
    assert levels["CI-01"] == "INCOMPLETE"


# --- Strict JSON ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"a": NaN}', "NaN"),
        ('{"a": Infinity}', "Infinity"),
        ('{"a": -Infinity}', "-Infinity"),
        ('{"a": 1,}', "invalid JSON"),
        ("{'a': 1}", "invalid JSON"),
        ("", "invalid JSON"),
        ("[1, 2", "invalid JSON"),
        ('{"a": 1} x', "invalid JSON"),
        ("\ufeff{}", "invalid JSON"),
        ("[" * 100000, "invalid JSON"),
    ],
)
def test_text_that_is_not_strict_json_is_an_error(text, words):
    with pytest.raises(FactsError) as caught:
        parse_json(text)
    assert words in caught.value.message
    assert caught.value.path == ""


def test_bytes_must_be_utf8():
    with pytest.raises(FactsError, match="UTF-8"):
        parse_json(b'{"a": "\xff"}')
    assert parse_json('{"a": "é"}'.encode()) == {"a": "é"}


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ('{"schema": 1, "schema": 2}', "schema"),
        ('{"vitals": {"bp_systolic": 1, "bp_systolic": 2}}', "vitals.bp_systolic"),
        ('{"medications": [{"name": "a"}, {"name": "a", "name": "b"}]}', "medications[2].name"),
        ('[{}, {"instruments": {"cssrs": {"q1": "no", "q1": "yes"}}}]', "[1].instruments.cssrs.q1"),
    ],
)
def test_duplicate_keys_are_an_error_naming_the_key(text, path):
    with pytest.raises(FactsError) as caught:
        parse_json(text)
    assert caught.value.path == path
    assert caught.value.message == "duplicate key"


@pytest.mark.parametrize("number", ["12e1", "120.0", "1.2E2", "true"])
def test_an_integer_written_with_a_fraction_exponent_or_as_boolean_is_not_an_integer(doc, number):
    text = (
        '{"schema": "intake-facts/1", "assessment_date": "2026-11-20", '
        f'"vitals": {{"bp_systolic": {number}, "bp_diastolic": 80}}}}'
    )
    with pytest.raises(FactsError, match="^vitals.bp_systolic: must be an integer$"):
        screen(parse_json(text))


def test_a_number_field_accepts_an_exponent(doc):
    text = '{"schema": "intake-facts/1", "assessment_date": "2026-11-20", "patient": {"weight_kg": 7.5e1}}'
    assert screen(parse_json(text))["scores"]["bmi"] is None  # no height: valid, just no BMI


# --- Lists of documents ---------------------------------------------------------------------------


def test_one_invalid_document_in_a_list_fails_it_naming_the_index(doc, base_facts):
    bad = doc.set("vitals.bp_systolic", 2.5).facts
    with pytest.raises(FactsError) as caught:
        screen_many([base_facts, base_facts, base_facts, bad])
    assert str(caught.value) == "[3].vitals.bp_systolic: must be an integer"


def test_a_list_entry_that_is_not_an_object_is_named_by_index(base_facts):
    with pytest.raises(FactsError) as caught:
        screen_many([base_facts, 7])
    assert caught.value.path == "[1]"


def test_an_empty_list_gives_an_empty_list():
    assert screen_many([]) == []


def test_screen_many_keeps_the_order(golden_cases):
    facts = [case["facts"] for case in golden_cases]
    assert screen_many(facts) == [screen(f) for f in facts]


def test_screen_many_needs_a_list(base_facts):
    with pytest.raises(FactsError):
        screen_many(base_facts)


def test_validation_does_not_change_the_document(doc):
    before = repr(doc.facts)
    screen(doc.facts)
    assert repr(doc.facts) == before


def test_a_key_with_odd_characters_is_quoted_in_the_path(doc):
    doc.facts["vitals"]["bp systolic\n"] = 1
    with pytest.raises(FactsError) as caught:
        screen(doc.facts)
    assert caught.value.path == 'vitals."bp systolic\n"'
    assert "\n" not in str(caught.value)
