"""What a flag says (spec §1 item 4): only what the answers show, the trigger that fired with its
value, the routes planned, only the triggers as inputs, INCOMPLETE texts from the missing fields'
labels, and sources that name their document.

The base patient (golden case 1) is assessed on 2026-11-20, both routes, nothing of concern.
"""

from __future__ import annotations

import re

import pytest

from screening.engine.facts import DEFAULT_ANSWERS, FIELD_LABELS, field_label
from screening.engine.rulebook import EXAMPLES
from screening.engine.rules import CSSRS_WORDS, RULES, RULES_BY_ID


def cssrs(doc, **answers):
    return doc.set("instruments.cssrs", {"q1": "no", "q2": "no", "q6": "no", **answers})


# --- An absence only for an answer given as "no" -----------------------------------------------


@pytest.mark.parametrize("question", ["q3", "q4", "q5"])
def test_saf05_never_claims_the_absence_of_an_unanswered_question(doc, question):
    answers = {"q2": "yes", "q3": "no", "q4": "no", "q5": "no", question: None}
    message = cssrs(doc, **answers).flag("SAF-05")["message"]
    answered_no = message.split("Answered no:")[1].split(".")[0]
    assert CSSRS_WORDS[question] not in answered_no
    assert f"Not answered: {CSSRS_WORDS[question]}" in message
    assert "at least low risk" in message
    assert "without" not in message


def test_saf05_with_q3_to_q5_unanswered_does_not_say_without_method_intent_plan(doc):
    message = cssrs(doc, q2="yes").flag("SAF-05")["message"]
    assert "without" not in message and "C-SSRS low risk" not in message
    for question in ("q3", "q4", "q5"):
        assert CSSRS_WORDS[question] in message.split("Not answered:")[1]
    assert "Answered no: " + CSSRS_WORDS["q6"] in message  # Q6 was answered no: that absence may be said


def test_saf05_states_the_absences_that_were_answered_no(doc):
    message = cssrs(doc, q2="yes", q3="no", q4="no", q5="no").flag("SAF-05")["message"]
    assert message.startswith("C-SSRS low risk: ")
    for question in ("q3", "q4", "q5", "q6"):
        assert CSSRS_WORDS[question] in message.split("Answered no:")[1]
    assert "Not answered" not in message


def test_saf05_with_q6_unanswered_does_not_say_no_behaviour(empty_doc):
    d = empty_doc().set("instruments", {"phq9": [0] * 9, "cssrs": {"q1": "yes", "q2": "no"}})
    message = d.flag("SAF-05")["message"]
    assert "Answered no" not in message
    assert f"Not answered: {CSSRS_WORDS['q6']}" in message


def test_saf04_with_the_timing_unanswered_says_it_could_be_high(doc):
    flag = cssrs(doc, q6="yes").flag("SAF-04")
    assert flag["message"].startswith("C-SSRS at least moderate risk: Q6 suicidal behaviour: yes, timing not answered")
    assert "high risk (SAF-03)" in flag["message"]
    assert "not within the past 3 months" not in flag["message"]
    assert flag["inputs"] == {"instruments.cssrs.q6": "yes"}


def test_saf04_with_the_timing_answered_no_says_so(doc):
    flag = cssrs(doc, q6="yes", q6_past_3_months="no").flag("SAF-04")
    assert flag["message"].startswith("C-SSRS moderate risk: Q6 suicidal behaviour: yes, not within the past 3 months")
    assert flag["inputs"] == {"instruments.cssrs.q6": "yes", "instruments.cssrs.q6_past_3_months": "no"}


def test_saf04_with_q4_and_q5_unanswered_says_it_could_be_high(doc):
    message = cssrs(doc, q2="yes", q3="yes").flag("SAF-04")["message"]
    assert "at least moderate risk" in message
    assert CSSRS_WORDS["q4"] in message and CSSRS_WORDS["q5"] in message


def test_bp05_says_not_controlled_only_when_answered_no(doc):
    doc.set("medical.hypertension_diagnosed", "yes")
    assert "says it is not under control" in doc.set("medical.hypertension_controlled", "no").flag("BP-05")["message"]
    flag = doc.set("medical.hypertension_controlled", "unknown").flag("BP-05")
    assert "not under control" not in flag["message"] and "does not know" in flag["message"]
    assert flag["inputs"] == {"medical.hypertension_diagnosed": "yes"}


def test_med13_calls_unknown_sleep_apnoea_not_ruled_out(doc):
    doc.set("patient.weight_kg", 108)
    assert "reported by the patient" in doc.set("medical.sleep_apnea", "yes").flag("MED-13")["message"]
    message = doc.set("medical.sleep_apnea", "unknown").flag("MED-13")["message"]
    assert "not ruled out" in message and "reported" not in message


# --- Self-reports are called self-reports --------------------------------------------------------


def test_med03_calls_the_severity_a_self_report_not_a_child_pugh_class(doc):
    message = doc.set("medical.liver_disease", "severe").flag("MED-03")["message"]
    assert "not a Child-Pugh class" in message
    assert "Severe liver disease (Child-Pugh C)" not in message


def test_med02_does_not_call_reported_disease_stable(doc):
    message = doc.set("medical.coronary_artery_disease", "yes").flag("MED-02")["message"]
    assert "stable" not in message.lower()
    assert "coronary artery disease" in message


def test_med04_gives_the_mild_and_moderate_label_advice_apart(doc):
    mild = doc.set("medical.liver_disease", "mild").flag("MED-04")["message"]
    assert "needs no change for mild" in mild and "advises monitoring" not in mild
    moderate = doc.set("medical.liver_disease", "moderate").flag("MED-04")["message"]
    assert "monitoring for adverse reactions for longer" in moderate


def test_med09_says_recently_had_not_current(doc):
    message = doc.set("medical.delirium", "yes").flag("MED-09")["message"]
    assert "recently had delirium" in message and "Current delirium" not in message


def test_psy09_explains_a_point_from_reverse_keyed_item_3_when_drug_use_is_denied(doc):
    doc.set("instruments.dast10[3]", "no")  # every other item "no": one point, from item 3
    flag = doc.flag("PSY-09")
    assert "item 3" in flag["message"] and "may not reflect any drug use" in flag["message"]
    assert "low level of drug" not in flag["message"].lower()
    assert flag["inputs"] == {"instruments.dast10[3]": "no"}


def test_a_self_reported_bp_reading_says_so(doc):
    doc.update({"vitals.bp_systolic": 150, "vitals.bp_diastolic": 85, "vitals.bp_source": "self_reported"})
    message = doc.flag("BP-03")["message"]
    assert "self-reported by the patient" in message and "not a clinic measurement" in message


# --- Multi-trigger rules say which trigger fired, with its value ----------------------------------


@pytest.mark.parametrize(
    ("answers", "shown", "inputs"),
    [
        ({"q2": "yes", "q3": "no", "q4": "yes", "q5": "no"}, "Q4 some intent", {"q4"}),
        ({"q2": "yes", "q3": "no", "q4": "no", "q5": "yes"}, "Q5 a plan", {"q5"}),
        ({"q6": "yes", "q6_past_3_months": "yes"}, "within the past 3 months: yes", {"q6", "q6_past_3_months"}),
    ],
)
def test_saf03_names_the_trigger_that_fired(doc, answers, shown, inputs):
    flag = cssrs(doc, **answers).flag("SAF-03")
    assert shown in flag["message"]
    assert set(flag["inputs"]) == {f"instruments.cssrs.{q}" for q in inputs}


def test_saf03_does_not_list_an_old_suicidal_act_among_its_triggers(doc):
    flag = cssrs(doc, q2="yes", q3="no", q4="yes", q5="no", q6="yes", q6_past_3_months="no").flag("SAF-03")
    assert flag["inputs"] == {"instruments.cssrs.q4": "yes"}
    assert "not within the past 3 months" in flag["message"]  # said as context, not as a trigger


@pytest.mark.parametrize(
    ("question", "words"),
    [("q1", CSSRS_WORDS["q1"]), ("q2", CSSRS_WORDS["q2"])],
)
def test_saf05_names_which_question_was_yes(doc, question, words):
    flag = cssrs(doc, **{question: "yes"}, q3="no", q4="no", q5="no").flag("SAF-05")
    assert f"{words}: yes" in flag["message"]
    assert flag["inputs"] == {f"instruments.cssrs.{question}": "yes"}


def test_saf01_gives_the_item_9_answer(doc):
    assert "answered 3 (nearly every day" in doc.set("instruments.phq9[9]", 3).flag("SAF-01")["message"]


@pytest.mark.parametrize(
    ("systolic", "diastolic", "shown", "hidden"),
    [
        (192, 96, "systolic 192 is above 180", "diastolic 96"),
        (170, 125, "diastolic 125 is above 120", "systolic 170 is"),
    ],
)
def test_bp01_says_which_value_is_in_the_crisis_range(doc, systolic, diastolic, shown, hidden):
    message = doc.set("vitals.bp_systolic", systolic).set("vitals.bp_diastolic", diastolic).flag("BP-01")["message"]
    assert shown in message and hidden not in message
    assert f"Blood pressure {systolic}/{diastolic} mmHg, measured, on 2026-11-18 (2 days before" in message


def test_bp01_on_an_old_self_reported_reading_gives_its_source_and_age(doc):
    doc.update({"vitals.bp_systolic": 200, "vitals.bp_diastolic": 100, "vitals.bp_source": "self_reported",
                "vitals.bp_date": "2026-03-01"})  # fmt: skip
    message = doc.flag("BP-01")["message"]
    assert "self-reported by the patient, on 2026-03-01 (264 days before the assessment)" in message
    assert "Measure it now" in message


def test_bp01_on_a_probably_swapped_reading_says_so(doc):
    message = doc.set("vitals.bp_systolic", 90).set("vitals.bp_diastolic", 130).flag("BP-01")["message"]
    assert "may have been swapped" in message and "not plausible" in message


@pytest.mark.parametrize(
    ("systolic", "diastolic", "shown"), [(150, 85, "systolic 150 is above 140"), (132, 95, "diastolic 95 is above 90")]
)
def test_bp03_says_which_value_is_above_140_over_90(doc, systolic, diastolic, shown):
    message = doc.set("vitals.bp_systolic", systolic).set("vitals.bp_diastolic", diastolic).flag("BP-03")["message"]
    assert shown in message


def test_bp04_gives_the_age_and_the_systolic(doc):
    doc.update({"patient.date_of_birth": "1955-02-01", "vitals.bp_systolic": 162, "vitals.bp_diastolic": 84})
    message = doc.flag("BP-04")["message"]
    assert "Age 71 (over 65)" in message and "systolic 162 is above 150" in message


@pytest.mark.parametrize(
    ("changes", "shown", "level"),
    [
        ({"medical.unstable_angina": "yes"}, "unstable angina", "MED-01"),
        ({"medical.heart_failure": "severe"}, "heart failure they describe as severe", "MED-01"),
        ({"medical.arrhythmia": "uncontrolled"}, "irregular heartbeat they describe as not controlled", "MED-01"),
        ({"medical.cardiovascular_event": "yes", "medical.cardiovascular_event_date": "2026-05-04"},
         "on 2026-05-04 (200 days before the assessment)", "MED-01"),
        ({"medical.valvular_disease": "yes"}, "heart valve disease", "MED-02"),
        ({"medical.stroke_or_tia": "yes"}, "a stroke or TIA", "MED-02"),
        ({"medical.heart_failure": "stable"}, "heart failure they describe as stable", "MED-02"),
        ({"medical.arrhythmia": "controlled"}, "irregular heartbeat they describe as controlled", "MED-02"),
        ({"medical.cardiovascular_event": "yes", "medical.cardiovascular_event_date": "2023-11-01"},
         "on 2023-11-01 (1115 days before the assessment)", "MED-02"),
        ({"medical.cardiovascular_event": "yes", "medical.cardiovascular_event_date": "2026-10-21"},
         "on 2026-10-21 (30 days before the assessment)", "CI-05"),
    ],
)  # fmt: skip
def test_cardiac_rules_say_which_trigger_fired(doc, changes, shown, level):
    flag = doc.update(changes).flag(level)
    assert shown in flag["message"]
    assert set(flag["inputs"]) == set(changes)
    if "medical.unstable_angina" not in changes:  # what was found, not every trigger joined by "or"
        assert "unstable angina" not in flag["message"]


@pytest.mark.parametrize(
    ("changes", "shown", "inputs"),
    [
        ({"substance.drug_use_disorder_current": "yes"}, "drug use problem now",
         {"substance.drug_use_disorder_current"}),
        ({"instruments.dast10": ["yes", "yes", "no", "yes", "yes", "yes", "yes", "no", "no", "no"]},
         "DAST-10 score 7 (substantial; the cut-off is 6)",
         {f"instruments.dast10[{n}]" for n in (1, 2, 3, 4, 5, 6, 7)}),
        ({"instruments.dast10": ["yes", "yes", "no", "yes", "yes", "yes", None, None, None, None]},
         "already score 6 (the cut-off is 6", {f"instruments.dast10[{n}]" for n in (1, 2, 3, 4, 5, 6)}),
    ],
)  # fmt: skip
def test_psy07_names_its_trigger_and_lists_only_the_scoring_items(doc, changes, shown, inputs):
    flag = doc.update(changes).flag("PSY-07")
    assert shown in flag["message"]
    assert set(flag["inputs"]) == inputs


@pytest.mark.parametrize(
    ("sex", "auditc", "shown"),
    [
        ("female", [2, 1, 0], "AUDIT-C score 3: at or above the cut-off of 3 (female)"),
        ("male", [2, 2, 0], "AUDIT-C score 4: at or above the cut-off of 4 (male)"),
        ("unknown", [1, 2, 0], "cut-off of 3 (sex at birth unknown; clinic default)"),
        ("female", [3, None, None], "answered AUDIT-C items already score 3"),
    ],
)
def test_psy11_gives_the_score_and_the_cut_off_and_lists_only_scoring_items(doc, sex, auditc, shown):
    flag = doc.set("patient.sex_at_birth", sex).set("instruments.auditc", auditc).flag("PSY-11")
    assert shown in flag["message"]
    scoring = {f"instruments.auditc[{n}]" for n, v in enumerate(auditc, start=1) if v}
    assert set(flag["inputs"]) == scoring | {"patient.sex_at_birth"}


@pytest.mark.parametrize(
    ("rule", "changes", "shown"),
    [
        ("MED-05", {"medical.lung_disease": "yes"}, "long-term lung disease"),
        ("MED-05", {"medical.sleep_apnea": "yes"}, "sleep apnoea"),
        ("PSY-10", {"substance.dissociative_use_past_year": "yes"}, "dissociative use (past year)"),
        ("PSY-10", {"substance.ketamine_use_disorder_history": "yes"}, "ketamine use problem ever"),
        ("CI-07", {"patient.date_of_birth": "2009-06-01"}, "Age 17 (under 18)"),
        ("MED-14", {"patient.date_of_birth": "1958-05-10"}, "Age 68 (65 or over)"),
        ("MED-13", {"patient.weight_kg": 108}, "BMI 38.3 (35 or more"),
        ("PSY-13", {}, "PHQ-9 total 12 (moderate)"),
        ("PSY-14", {"instruments.gad7": [2, 2, 2, 2, 1, 2, 1]}, "GAD-7 total 12 (moderate; the cut-off is 10)"),
        ("IND-01", {}, "3 failed adequate antidepressant trials"),
        ("IND-02", {"psychiatric.failed_antidepressant_trials": 1}, "1 failed adequate antidepressant trial "),
    ],
)
def test_a_rule_with_several_triggers_or_a_value_shows_it(doc, rule, changes, shown):
    flag = doc.update(changes | ({"medical.sleep_apnea": "unknown"} if rule == "MED-13" else {})).flag(rule)
    assert shown in flag["message"]
    if rule in ("MED-05", "PSY-10"):
        assert set(flag["inputs"]) == set(changes)
        other = ({"medical.lung_disease", "medical.sleep_apnea"} | {"substance.dissociative_use_past_year",
                 "substance.ketamine_use_disorder_history"}) - set(changes)  # fmt: skip
        for path in other:
            assert field_label(path).lower() not in flag["message"].lower()


def test_prg01_possibly_pregnant_asks_for_a_pregnancy_test(doc):
    assert "pregnancy test" in doc.set("reproductive.pregnant", "possibly").flag("PRG-01")["message"]
    assert "pregnancy test" not in doc.set("reproductive.pregnant", "yes").flag("PRG-01")["message"]


def test_prg04_beside_prg01_does_not_ask_whether_a_declared_pregnancy_is_possible_as_if_unknown(doc):
    doc.set("reproductive.pregnancy_possible", "unknown").set("reproductive.pregnant", "yes")
    levels = doc.levels()
    assert levels["PRG-01"] == "EXCLUDE_PENDING_REVIEW" and levels["PRG-04"] == "INCOMPLETE"
    message = doc.flag("PRG-04")["message"]
    assert 'answered pregnant "yes"' in message and "PRG-01" in message


# --- Routes: a message names the planned routes it applies to -----------------------------------

FIRED_EXAMPLES = [
    (rule, variant, changes)
    for rule, examples in EXAMPLES.items()
    for variant, changes in examples
    if "INCOMPLETE" not in variant and "unknown" not in variant.lower() and "not known" not in variant.lower()
]


@pytest.mark.parametrize(("rule", "variant", "changes"), FIRED_EXAMPLES, ids=[f"{r}-{v}" for r, v, _ in FIRED_EXAMPLES])
@pytest.mark.parametrize("route", ["ketamine", "esketamine"])
def test_a_single_route_intake_is_never_told_about_the_other_route(doc, rule, variant, changes, route):
    if route not in RULES_BY_ID[rule].routes:
        return
    doc.update(dict(changes)).set("routes", [route])
    found = [f for f in doc.result()["flags"] if f["rule"] == rule]
    if not found:
        return  # e.g. an example that needs both routes
    message = found[0]["message"]
    if route == "ketamine":
        assert "esketamine nasal spray" not in message.lower() and "Spravato" not in message
        assert not message.lower().startswith("esketamine")
    else:
        assert "IV/IM ketamine" not in message


@pytest.mark.parametrize("rule", ["CI-02", "CI-03", "PRG-02"])
def test_rules_from_the_esketamine_label_name_ketamine_when_only_ketamine_is_planned(doc, rule):
    path = {"CI-02": "medical.arteriovenous_malformation", "CI-03": "medical.intracerebral_hemorrhage",
            "PRG-02": "reproductive.breastfeeding"}[rule]  # fmt: skip
    message = doc.set(path, "yes").set("routes", ["ketamine"]).flag(rule)["message"]
    assert "IV/IM ketamine" in message


def test_med03_on_a_ketamine_only_intake_does_not_lead_with_esketamine(doc):
    flag = doc.set("medical.liver_disease", "severe").set("routes", ["ketamine"]).flag("MED-03")
    assert flag["level"] == "CAUTION"
    assert "esketamine" not in flag["message"].lower()
    assert "IV/IM ketamine" in flag["message"]


def test_ci07_does_not_imply_ketamine_is_approved_for_adults(doc):
    message = doc.set("patient.date_of_birth", "2009-06-01").set("routes", ["ketamine"]).flag("CI-07")["message"]
    assert "not approved for depression at any age" in message
    assert "approved for depression in adults" not in message


# --- INCOMPLETE messages name only the missing fields ----------------------------------------------


@pytest.mark.parametrize(
    ("rule", "missing", "present"),
    [
        ("MED-05", "medical.sleep_apnea", "medical.lung_disease"),
        ("MED-05", "medical.lung_disease", "medical.sleep_apnea"),
        ("PSY-10", "substance.dissociative_use_past_year", "substance.ketamine_use_disorder_history"),
        ("MED-01", "medical.arrhythmia", "medical.heart_failure"),
        ("MED-02", "medical.valvular_disease", "medical.coronary_artery_disease"),
        ("MED-13", "patient.height_cm", "patient.weight_kg"),
        ("CI-01", "medical.aneurysm", None),
        ("BP-05", "medical.hypertension_diagnosed", "medical.hypertension_controlled"),
        ("PRG-03", "reproductive.planning_pregnancy", "reproductive.pregnancy_possible"),
        ("PSY-07", "substance.drug_use_disorder_current", "instruments.dast10[1]"),
    ],
)
def test_an_incomplete_message_names_the_missing_field_and_not_the_others(doc, rule, missing, present):
    doc.set(missing, None)
    if rule == "MED-13":
        doc.set("medical.sleep_apnea", "unknown")
    flag = doc.flag(rule)
    assert flag["level"] == "INCOMPLETE"
    assert flag["missing"] == [missing]
    assert field_label(missing) in flag["message"]
    if present is not None:
        assert field_label(present) not in flag["message"]
    assert not flag["message"].startswith(RULES_BY_ID[rule].title + ":")  # not the whole rule's title


def test_every_incomplete_flag_names_every_missing_field(empty_doc):
    """The emptiest document: every INCOMPLETE message carries the labels of its missing fields."""
    result = empty_doc().set("medications", [{"name": "Zorblatex"}]).result()
    incomplete = [f for f in result["flags"] if f["level"] == "INCOMPLETE" or f["missing"]]
    assert len(incomplete) > 20
    for flag in incomplete:
        for path in flag["missing"]:
            assert field_label(path) in flag["message"], (flag["rule"], path, flag["message"])


# --- Medications: each listed medicine with the class it matched -----------------------------------


def test_class_flags_name_each_medicine_and_the_class_it_matched(doc):
    doc.set("medications", [{"name": "tramadol 50 mg"}, {"name": "Xanax 1mg"}, {"name": "Sertraline 100 mg"}])
    message = doc.flag("DDI-03")["message"]
    assert "tramadol 50 mg \u2014 CNS depressant (opioid)" in message
    assert "Xanax 1mg \u2014 CNS depressant (benzodiazepine: alprazolam)" in message
    assert "Sertraline" not in message
    assert "respiratory depression" in message


def test_ddi05_says_what_its_evidence_says(doc):
    flag = doc.set("medications", [{"name": "Lamictal 200 mg"}]).flag("DDI-05")
    assert "may lessen ketamine's dissociative effects" in flag["message"]
    assert "no consistent effect on the antidepressant response" in flag["message"]
    assert "blunt" not in flag["message"].lower() and "blunt" not in flag["source"].lower()
    assert "Andrade" in flag["source"]


# --- Sources ----------------------------------------------------------------------------------------


def test_every_label_source_names_its_revision_and_section():
    for rule in RULES:
        for cited in re.findall(r"(?:prescribing information|SmPC)[^;]*", rule.source):
            if "prescribing information" in cited:
                assert "revision" in cited, (rule.id, cited)
            assert "§" in cited or "label" in cited, (rule.id, cited)


@pytest.mark.parametrize(
    ("rule", "must", "must_not"),
    [
        ("BP-02", "Swiss ketamine", None),
        ("BP-05", "§5.5", "trial exclusion"),
        ("PSY-05", "Service policy", "Spravato trial exclusion"),
        ("DDI-08", "§12.3", "§7"),
        ("IND-03", "ASKP", "Sanacora"),
        ("IND-03", "CANMAT", None),
        ("IND-04", "ASKP", "Sanacora"),
        ("MED-10", "Service policy", None),
        ("MED-12", "ASKP", "Ketalar"),
    ],
)
def test_sources_cite_what_supports_the_rule(rule, must, must_not):
    source = RULES_BY_ID[rule].source
    assert must in source
    if must_not:
        assert must_not not in source


# --- The label table --------------------------------------------------------------------------------


def test_every_field_of_the_facts_document_has_a_label():
    assert set(DEFAULT_ANSWERS) <= set(FIELD_LABELS)
    assert all(label.strip() and label[0].isupper() for label in FIELD_LABELS.values())


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("instruments.phq9[9]", "PHQ-9 item 9 (thoughts of being better off dead or of self-harm)"),
        ("instruments.gad7[3]", "GAD-7 item 3"),
        ("instruments.dast10[10]", "DAST-10 item 10"),
        ("medications[2].name", "Medication 2 (name)"),
        ("medications", "Medication list"),
        ("instruments.dast10", "DAST-10 (all items)"),
        ("medical.sleep_apnea", "Sleep apnoea"),
        ("Zorblatex 10 mg", "Zorblatex 10 mg"),  # DDI-09 lists names as entered
    ],
)
def test_field_label_of_an_item_path(path, label):
    assert field_label(path) == label


def test_a_weight_typed_as_a_decimal_reads_the_same_as_an_integer(doc):
    """The intake stores decimals: 108.0 kg must give the same message as 108 kg."""
    doc.set("medical.sleep_apnea", "yes")
    whole = doc.set("patient.weight_kg", 108).flag("MED-13")["message"]
    assert doc.set("patient.weight_kg", 108.0).flag("MED-13")["message"] == whole
    assert "weight 108 kg, height 168 cm" in whole
    assert "weight 108.5 kg" in doc.set("patient.weight_kg", 108.5).flag("MED-13")["message"]
