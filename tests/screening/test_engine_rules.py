"""Rule semantics of spec §2 and §5: who fires, who reports an unknown, who stays silent."""

from __future__ import annotations

import pytest

from screening.engine import LEVELS, NO_FLAGS_RAISED, level_rank
from screening.engine.rules import RULES

SPEC_RULES = {
    "SAF-01", "SAF-03", "SAF-04", "SAF-05", "SAF-06",
    "CI-01", "CI-02", "CI-03", "CI-04", "CI-05", "CI-06", "CI-07", "CI-08",
    "BP-01", "BP-02", "BP-03", "BP-04", "BP-05", "BP-06", "BP-07", "BP-08",
    "MED-01", "MED-02", "MED-03", "MED-04", "MED-05", "MED-06", "MED-07", "MED-08", "MED-09", "MED-10",
    "MED-11", "MED-12", "MED-13", "MED-14",
    "PSY-01", "PSY-02", "PSY-03", "PSY-04", "PSY-05", "PSY-06", "PSY-07", "PSY-08", "PSY-09", "PSY-10",
    "PSY-11", "PSY-13", "PSY-14",
    "PRG-01", "PRG-02", "PRG-03", "PRG-04",
    "DDI-00", "DDI-01", "DDI-02", "DDI-03", "DDI-05", "DDI-07", "DDI-08", "DDI-09",
    "IND-01", "IND-02", "IND-03", "IND-04", "LOG-01", "LOG-02",
}  # fmt: skip


def test_the_engine_has_exactly_the_rules_of_the_spec():
    assert {rule.id for rule in RULES} == SPEC_RULES
    for rule in RULES:
        assert rule.level in LEVELS and rule.checks.strip() and rule.source.strip() and rule.title.strip()


def test_levels_are_ranked_highest_first_and_no_flags_raised_lowest():
    ranks = [level_rank(level) for level in LEVELS]
    assert ranks == sorted(ranks, reverse=True)
    assert level_rank(NO_FLAGS_RAISED) < min(ranks)
    with pytest.raises(ValueError):
        level_rank("ELIGIBLE")


def test_flags_are_ordered_by_level_then_rule_id(doc):
    doc.update(
        {
            "medical.aneurysm": "yes",
            "medical.glaucoma": "yes",
            "medical.delirium": "unknown",
            "instruments.phq9[9]": 2,
            "medical.bladder_problems": "yes",
        }
    )
    rules = [flag["rule"] for flag in doc.result()["flags"]]
    assert rules == ["SAF-01", "CI-01", "MED-09", "MED-07", "MED-11", "IND-01", "IND-03", "LOG-02", "PSY-13"]
    assert doc.overall() == "URGENT_SAFETY"


# --- Simple yes/no/unknown rules -------------------------------------------------------------

YES_RULES = [
    ("CI-01", "medical.aneurysm", "EXCLUDE_PENDING_REVIEW"),
    ("CI-02", "medical.arteriovenous_malformation", "EXCLUDE_PENDING_REVIEW"),
    ("CI-03", "medical.intracerebral_hemorrhage", "EXCLUDE_PENDING_REVIEW"),
    ("CI-04", "medical.ketamine_allergy", "EXCLUDE_PENDING_REVIEW"),
    ("CI-06", "medical.raised_intracranial_pressure", "EXCLUDE_PENDING_REVIEW"),
    ("BP-06", "medical.hypertensive_encephalopathy", "CAUTION"),
    ("MED-01", "medical.unstable_angina", "EXCLUDE_PENDING_REVIEW"),
    ("MED-02", "medical.coronary_artery_disease", "CAUTION"),
    ("MED-02", "medical.valvular_disease", "CAUTION"),
    ("MED-02", "medical.stroke_or_tia", "CAUTION"),
    ("MED-05", "medical.lung_disease", "CAUTION"),
    ("MED-05", "medical.sleep_apnea", "CAUTION"),
    ("MED-06", "medical.hyperthyroidism_untreated", "CAUTION"),
    ("MED-07", "medical.glaucoma", "CAUTION"),
    ("MED-08", "medical.seizure_recent", "CAUTION"),
    ("MED-09", "medical.delirium", "EXCLUDE_PENDING_REVIEW"),
    ("MED-10", "medical.cognitive_impairment", "CAUTION"),
    ("MED-11", "medical.bladder_problems", "CAUTION"),
    ("PSY-01", "psychiatric.psychotic_symptoms_current", "EXCLUDE_PENDING_REVIEW"),
    ("PSY-02", "psychiatric.psychotic_disorder", "EXCLUDE_PENDING_REVIEW"),
    ("PSY-03", "psychiatric.psychotic_features_past", "CAUTION"),
    ("PSY-05", "psychiatric.mania_current", "EXCLUDE_PENDING_REVIEW"),
    ("PSY-06", "psychiatric.bipolar_or_mania_history", "CAUTION"),
    ("PSY-07", "substance.drug_use_disorder_current", "EXCLUDE_PENDING_REVIEW"),
    ("PSY-10", "substance.dissociative_use_past_year", "EXCLUDE_PENDING_REVIEW"),
    ("PSY-10", "substance.ketamine_use_disorder_history", "EXCLUDE_PENDING_REVIEW"),
    ("PRG-02", "reproductive.breastfeeding", "EXCLUDE_PENDING_REVIEW"),
]


@pytest.mark.parametrize(("rule", "path", "level"), YES_RULES, ids=[f"{r}-{p}" for r, p, _ in YES_RULES])
def test_a_yes_fires_the_rule_at_its_level_with_the_answer_as_input(doc, rule, path, level):
    flag = doc.set(path, "yes").flag(rule)
    assert flag["level"] == level
    assert flag["inputs"][path] == "yes"
    assert flag["missing"] == []


@pytest.mark.parametrize(("rule", "path", "level"), YES_RULES, ids=[f"{r}-{p}" for r, p, _ in YES_RULES])
def test_an_unknown_makes_the_rule_incomplete_listing_the_field(doc, rule, path, level):
    for answer in ("unknown", None):
        flag = doc.set(path, answer).flag(rule)
        assert flag["level"] == "INCOMPLETE"
        assert path in flag["missing"]
    doc.drop(path)
    assert path in doc.flag(rule)["missing"]


@pytest.mark.parametrize(("rule", "path", "level"), YES_RULES, ids=[f"{r}-{p}" for r, p, _ in YES_RULES])
def test_a_no_gives_nothing(doc, rule, path, level):
    assert rule not in doc.set(path, "no").levels()


def test_a_whole_section_given_as_null_is_all_unknown(doc):
    levels = doc.set("medical", None).levels()
    assert levels["CI-01"] == levels["MED-09"] == levels["BP-05"] == "INCOMPLETE"
    assert "MED-04" not in levels


def test_a_fired_rule_emits_one_flag_even_with_two_triggers(doc):
    doc.set("medical.lung_disease", "yes").set("medical.sleep_apnea", "yes")
    flags = [f for f in doc.result()["flags"] if f["rule"] == "MED-05"]
    assert len(flags) == 1
    assert flags[0]["inputs"] == {"medical.lung_disease": "yes", "medical.sleep_apnea": "yes"}


def test_a_rule_that_fires_does_not_also_report_its_unknowns(doc):
    doc.set("medical.lung_disease", "yes").set("medical.sleep_apnea", "unknown")
    assert doc.flag("MED-05")["level"] == "CAUTION"


# --- Safety: PHQ-9 item 9 and the C-SSRS -------------------------------------------------------


@pytest.mark.parametrize(("item9", "fires"), [(0, False), (1, True), (3, True)])
def test_phq9_item_9_of_1_or_more_is_urgent(doc, item9, fires):
    levels = doc.set("instruments.phq9[9]", item9).levels()
    assert (levels.get("SAF-01") == "URGENT_SAFETY") is fires


@pytest.mark.parametrize(
    ("answers", "flags", "risk"),
    [
        ({}, {}, "none"),
        ({"q1": "yes"}, {"SAF-05": "SAFETY_REVIEW"}, "low"),
        ({"q2": "yes", "q3": "no", "q4": "no", "q5": "no"}, {"SAF-05": "SAFETY_REVIEW"}, "low"),
        ({"q2": "yes", "q3": "yes", "q4": "no", "q5": "no"}, {"SAF-04": "SAFETY_REVIEW"}, "moderate"),
        ({"q2": "yes", "q3": "no", "q4": "yes", "q5": "no"}, {"SAF-03": "URGENT_SAFETY"}, "high"),
        ({"q2": "yes", "q3": "no", "q4": "no", "q5": "yes"}, {"SAF-03": "URGENT_SAFETY"}, "high"),
        ({"q6": "yes", "q6_past_3_months": "yes"}, {"SAF-03": "URGENT_SAFETY"}, "high"),
        ({"q6": "yes", "q6_past_3_months": "no"}, {"SAF-04": "SAFETY_REVIEW"}, "moderate"),
        ({"q6": "yes"}, {"SAF-04": "SAFETY_REVIEW", "SAF-06": "SAFETY_REVIEW"}, "moderate"),
        # Answers the skip logic would not have asked are still used: a yes is never ignored.
        ({"q3": "yes"}, {"SAF-04": "SAFETY_REVIEW"}, "moderate"),
        ({"q4": "yes"}, {"SAF-03": "URGENT_SAFETY"}, "high"),
        ({"q6_past_3_months": "yes"}, {"SAF-03": "URGENT_SAFETY"}, "high"),
        # Missing answers: SAF-06, and never a lower class than the answers prove.
        ({"q2": "yes"}, {"SAF-05": "SAFETY_REVIEW", "SAF-06": "SAFETY_REVIEW"}, "low"),
        ({"q1": None}, {"SAF-06": "SAFETY_REVIEW"}, "unknown"),
        ({"q1": "yes", "q2": None}, {"SAF-05": "SAFETY_REVIEW", "SAF-06": "SAFETY_REVIEW"}, "low"),
        ({"q4": "yes", "q1": None, "q2": None, "q6": None},
         {"SAF-03": "URGENT_SAFETY", "SAF-06": "SAFETY_REVIEW"}, "high"),
    ],
)  # fmt: skip
def test_cssrs_paths(doc, answers, flags, risk):
    cssrs = {"q1": "no", "q2": "no", "q6": "no", **answers}
    doc.set("instruments.cssrs", cssrs)
    fired = {r: lvl for r, lvl in doc.levels().items() if r.startswith("SAF-")}
    assert fired == flags
    assert doc.scores()["cssrs"] == {"risk": risk}


def test_saf06_lists_exactly_the_missing_required_answers(doc):
    doc.set("instruments.cssrs", {"q2": "yes", "q3": "no", "q6": "yes"}).set("instruments.phq9[9]", None)
    assert doc.flag("SAF-06")["missing"] == [
        "instruments.phq9[9]",
        "instruments.cssrs.q1",
        "instruments.cssrs.q4",
        "instruments.cssrs.q5",
        "instruments.cssrs.q6_past_3_months",
    ]


def test_q3_to_q5_are_not_required_when_q2_is_no(doc):
    doc.set("instruments.cssrs", {"q1": "no", "q2": "no", "q6": "no"})
    assert "SAF-06" not in doc.levels()


def test_safety_flags_are_computed_when_everything_else_is_missing(empty_doc):
    d = empty_doc().set("instruments", {"phq9": [None] * 8 + [2], "cssrs": {"q1": "yes", "q2": "yes", "q4": "yes"}})
    levels = d.levels()
    assert levels["SAF-01"] == levels["SAF-03"] == "URGENT_SAFETY"
    assert levels["SAF-06"] == "SAFETY_REVIEW"  # Q6, Q3, Q5 missing
    assert d.overall() == "URGENT_SAFETY"


def test_phq9_item_9_missing_alone_is_reported_by_saf06_not_psy13(doc):
    levels = doc.set("instruments.phq9[9]", None).levels()
    assert "PSY-13" not in levels
    assert levels["SAF-06"] == "SAFETY_REVIEW"
    assert doc.scores()["phq9"] == {"total": None, "band": None}


def test_phq9_with_an_item_from_1_to_8_missing_makes_psy13_incomplete(doc):
    flag = doc.set("instruments.phq9[4]", None).flag("PSY-13")
    assert flag["level"] == "INCOMPLETE"
    assert flag["missing"] == ["instruments.phq9[4]"]


# --- Cardiovascular: CI-05, MED-01, MED-02 --------------------------------------------------------


def test_an_unknown_cardiovascular_event_is_reported_by_ci05_alone(doc):
    levels = doc.set("medical.cardiovascular_event", "unknown").levels()
    assert levels["CI-05"] == "INCOMPLETE"
    assert "MED-01" not in levels and "MED-02" not in levels


def test_a_dateless_cardiovascular_event_is_reported_by_ci05_alone(doc):
    flag = doc.set("medical.cardiovascular_event", "yes").flag("CI-05")
    assert flag["level"] == "INCOMPLETE"
    assert flag["missing"] == ["medical.cardiovascular_event_date"]
    assert "MED-01" not in doc.levels() and "MED-02" not in doc.levels()


@pytest.mark.parametrize(
    ("path", "value", "med01", "med02"),
    [
        ("medical.heart_failure", "severe", "EXCLUDE_PENDING_REVIEW", None),
        ("medical.heart_failure", "stable", None, "CAUTION"),
        ("medical.heart_failure", "unknown", "INCOMPLETE", "INCOMPLETE"),
        ("medical.heart_failure", None, "INCOMPLETE", "INCOMPLETE"),
        ("medical.arrhythmia", "uncontrolled", "EXCLUDE_PENDING_REVIEW", None),
        ("medical.arrhythmia", "controlled", None, "CAUTION"),
        ("medical.arrhythmia", "unknown", "INCOMPLETE", "INCOMPLETE"),
    ],
)
def test_heart_failure_and_arrhythmia_feed_both_med01_and_med02(doc, path, value, med01, med02):
    levels = doc.set(path, value).levels()
    assert levels.get("MED-01") == med01
    assert levels.get("MED-02") == med02


def test_med02_reports_its_unknown_beside_a_fired_med01(doc):
    doc.set("medical.unstable_angina", "yes").set("medical.valvular_disease", "unknown")
    levels = doc.levels()
    assert levels["MED-01"] == "EXCLUDE_PENDING_REVIEW"
    assert levels["MED-02"] == "INCOMPLETE"


# --- BP-05 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("diagnosed", "controlled", "level"),
    [
        ("yes", "no", "CAUTION"),
        ("yes", "unknown", "CAUTION"),
        ("yes", None, "CAUTION"),
        ("yes", "yes", None),
        ("no", "unknown", None),
        ("unknown", "yes", "INCOMPLETE"),
        (None, None, "INCOMPLETE"),
    ],
)
def test_bp05_hypertension_not_known_to_be_controlled(doc, diagnosed, controlled, level):
    doc.set("medical.hypertension_diagnosed", diagnosed).set("medical.hypertension_controlled", controlled)
    assert doc.levels().get("BP-05") == level


# --- Liver: MED-03 and MED-04 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("liver", "routes", "med03", "med04"),
    [
        ("severe", ["esketamine", "ketamine"], "EXCLUDE_PENDING_REVIEW", None),
        ("severe", ["esketamine"], "EXCLUDE_PENDING_REVIEW", None),
        ("severe", ["ketamine"], "CAUTION", None),
        ("moderate", ["esketamine"], None, "CAUTION"),
        ("mild", ["ketamine"], None, "CAUTION"),
        ("none", ["ketamine"], None, None),
        ("unknown", ["esketamine"], "INCOMPLETE", None),
    ],
)
def test_liver_disease_rules_by_severity_and_route(doc, liver, routes, med03, med04):
    levels = doc.set("medical.liver_disease", liver).set("routes", routes).levels()
    assert levels.get("MED-03") == med03
    assert levels.get("MED-04") == med04


# --- MED-12, MED-13, MED-14 ----------------------------------------------------------------------


def test_missing_weight_is_incomplete_for_the_ketamine_route_only(doc):
    doc.set("patient.weight_kg", None)
    assert doc.levels()["MED-12"] == "INCOMPLETE"
    assert "MED-12" not in doc.set("routes", ["esketamine"]).levels()


@pytest.mark.parametrize(("apnea", "level"), [("no", None), ("unknown", "INCOMPLETE"), ("yes", "INCOMPLETE")])
def test_med13_without_height_is_incomplete_unless_sleep_apnoea_is_ruled_out(doc, apnea, level):
    doc.set("patient.height_cm", None).set("medical.sleep_apnea", apnea)
    assert doc.levels().get("MED-13") == level
    if level:
        assert doc.flag("MED-13")["missing"] == ["patient.height_cm"]


def test_without_a_date_of_birth_only_ci07_reports_it(doc):
    doc.set("patient.date_of_birth", None).set("vitals.bp_systolic", 170)
    levels = doc.levels()
    assert levels["CI-07"] == "INCOMPLETE"
    assert "MED-14" not in levels and "BP-04" not in levels
    assert doc.scores()["age"] is None


# --- Psychiatric and substance use ---------------------------------------------------------------


@pytest.mark.parametrize(("answer", "level"), [("yes", "INFO"), ("unknown", None), ("no", None)])
def test_family_psychosis_is_info_and_an_unknown_says_nothing(doc, answer, level):
    assert doc.set("psychiatric.family_psychosis", answer).levels().get("PSY-04") == level


def test_psy07_fires_early_when_answered_dast_items_already_score_6(doc):
    doc.set("instruments.dast10", ["yes", "yes", "no", "yes", "yes", "yes", None, None, None, None])  # 6 points
    assert doc.levels()["PSY-07"] == "EXCLUDE_PENDING_REVIEW"
    assert doc.scores()["dast10"] == {"total": None, "band": None}


def test_psy07_is_incomplete_when_answered_dast_items_score_below_6(doc):
    doc.set("instruments.dast10", ["yes", "yes", "no", "yes", "yes", None, None, None, None, None])  # 5 points
    flag = doc.flag("PSY-07")
    assert flag["level"] == "INCOMPLETE"
    assert flag["missing"] == [f"instruments.dast10[{n}]" for n in range(6, 11)]
    assert "PSY-08" not in doc.levels() and "PSY-09" not in doc.levels()


def test_psy08_may_fire_beside_psy07_incomplete(doc):
    doc.set("instruments.dast10", ["yes", "yes", "no", "yes", "no", "no", "no", "no", "no", "no"])
    doc.set("substance.drug_use_disorder_current", "unknown")
    levels = doc.levels()
    assert levels["PSY-07"] == "INCOMPLETE" and levels["PSY-08"] == "CAUTION"


def test_a_current_drug_use_disorder_fires_psy07_and_silences_psy08(doc):
    doc.set("instruments.dast10", ["yes", "yes", "no", "yes", "no", "no", "no", "no", "no", "no"])
    levels = doc.set("substance.drug_use_disorder_current", "yes").levels()
    assert levels["PSY-07"] == "EXCLUDE_PENDING_REVIEW"
    assert "PSY-08" not in levels


def test_psy11_fires_early_when_answered_auditc_items_reach_the_cut_off(doc):
    doc.set("instruments.auditc", [3, None, None])
    assert doc.levels()["PSY-11"] == "CAUTION"
    assert doc.scores()["auditc"] == {"total": None, "positive": None}


def test_psy11_is_incomplete_for_a_partial_auditc_below_the_cut_off(doc):
    doc.set("patient.sex_at_birth", "male").set("instruments.auditc", [3, None, 0])
    flag = doc.flag("PSY-11")
    assert flag["level"] == "INCOMPLETE"
    assert flag["missing"] == ["instruments.auditc[2]"]


def test_an_incomplete_gad7_makes_psy14_incomplete(doc):
    assert doc.set("instruments.gad7[7]", None).levels()["PSY-14"] == "INCOMPLETE"
    assert doc.scores()["gad7"] == {"total": None, "band": None}


# --- Pregnancy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("possible", "pregnant", "planning", "expected"),
    [
        ("yes", "no", "no", {}),
        ("yes", "yes", "no", {"PRG-01": "EXCLUDE_PENDING_REVIEW"}),
        ("yes", "possibly", "no", {"PRG-01": "EXCLUDE_PENDING_REVIEW"}),
        ("yes", "unknown", "no", {"PRG-04": "INCOMPLETE"}),
        ("yes", "no", "unknown", {"PRG-03": "INCOMPLETE"}),
        ("yes", "no", "yes", {"PRG-03": "CAUTION"}),
        ("no", "unknown", "unknown", {}),
        ("no", "yes", "no", {"PRG-01": "EXCLUDE_PENDING_REVIEW"}),  # fires whatever pregnancy_possible says
        ("no", "no", "yes", {"PRG-03": "CAUTION"}),
        ("unknown", "no", "no", {"PRG-04": "INCOMPLETE"}),
        ("unknown", "yes", "unknown", {"PRG-01": "EXCLUDE_PENDING_REVIEW", "PRG-04": "INCOMPLETE"}),
        (None, None, None, {"PRG-04": "INCOMPLETE"}),
    ],
)
def test_pregnancy_rules(doc, possible, pregnant, planning, expected):
    doc.update(
        {
            "reproductive.pregnancy_possible": possible,
            "reproductive.pregnant": pregnant,
            "reproductive.planning_pregnancy": planning,
        }
    )
    fired = {r: lvl for r, lvl in doc.levels().items() if r in ("PRG-01", "PRG-03", "PRG-04")}
    assert fired == expected


def test_pregnancy_is_never_inferred_from_sex(doc):
    doc.set("patient.sex_at_birth", "male").set("reproductive", None)
    levels = doc.levels()
    assert levels["PRG-04"] == "INCOMPLETE"
    assert levels["PRG-02"] == "INCOMPLETE"  # breastfeeding is asked of everyone


# --- Medications ----------------------------------------------------------------------------------


def meds(*names):
    return [{"name": name} for name in names]


@pytest.mark.parametrize(
    ("name", "rule", "level"),
    [
        ("Nardil 15 mg", "DDI-01", "CAUTION"),
        ("Vyvanse 30mg capsule", "DDI-02", "CAUTION"),
        ("mixed amphetamine salts", "DDI-02", "CAUTION"),
        ("clonazepam 0.5 mg prn", "DDI-03", "CAUTION"),
        ("Lamictal 200 mg", "DDI-05", "INFO"),
        ("Sudafed", "DDI-07", "CAUTION"),
        ("carbamazepine ER 200mg", "DDI-08", "INFO"),
        ("aminophylline", "CI-08", "EXCLUDE_PENDING_REVIEW"),
    ],
)
def test_each_medication_class_fires_its_rule(doc, name, rule, level):
    flag = doc.set("medications", meds("sertraline", name)).flag(rule)
    assert flag["level"] == level
    assert flag["inputs"] == {"medications[2].name": name}
    assert name in flag["message"]


@pytest.mark.parametrize(("name", "rule"), [("pseudoephedrine 60 mg", "DDI-07"), ("Theo-24", "CI-08")])
def test_ketamine_route_medication_rules_stay_silent_for_esketamine_alone(doc, name, rule):
    doc.set("medications", meds(name))
    assert rule in doc.levels()
    assert rule not in doc.set("routes", ["esketamine"]).levels()
    assert "DDI-09" not in doc.levels()  # known, just not relevant to this route


def test_one_flag_per_rule_lists_every_matching_medication(doc):
    doc.set("medications", meds("Xanax 1mg", "sertraline", "oxycodone/acetaminophen 5/325", "Ambien"))
    flags = [f for f in doc.result()["flags"] if f["rule"] == "DDI-03"]
    assert len(flags) == 1
    assert flags[0]["inputs"] == {
        "medications[1].name": "Xanax 1mg",
        "medications[3].name": "oxycodone/acetaminophen 5/325",
        "medications[4].name": "Ambien",
    }


def test_ddi09_lists_unmatched_names_as_entered(doc):
    doc.set("medications", meds("Zorblatex 10 mg", "sertraline", "hydrocodone/Blorbex"))
    flag = doc.flag("DDI-09")
    assert flag["level"] == "INCOMPLETE"
    assert flag["missing"] == ["Zorblatex 10 mg", "hydrocodone/Blorbex"]
    assert doc.levels()["DDI-03"] == "CAUTION"  # the hydrocodone part still matches


def test_medications_not_answered_is_reported_by_ddi00_alone(doc):
    levels = doc.set("medications", None).levels()
    assert levels["DDI-00"] == "INCOMPLETE"
    assert not {"DDI-09", "CI-08"} & set(levels)
    assert "DDI-00" in doc.drop("medications").levels()


def test_an_empty_medication_list_means_takes_none(doc):
    levels = doc.set("medications", []).levels()
    assert not [rule for rule in levels if rule.startswith("DDI") or rule == "CI-08"]


def test_a_name_that_normalises_to_nothing_is_listed_for_reconciliation(doc):
    assert doc.set("medications", meds("(unlabelled)")).flag("DDI-09")["missing"] == ["(unlabelled)"]


# --- Indication and logistics ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("routes", "ind03", "log02"),
    [(["esketamine"], False, True), (["ketamine"], True, False), (["ketamine", "ketamine"], True, False),
     (None, True, True)],
)  # fmt: skip
def test_route_rules(doc, routes, ind03, log02):
    levels = doc.set("routes", routes).levels()
    assert ("IND-03" in levels) is ind03
    assert ("LOG-02" in levels) is log02


def test_routes_absent_means_both(doc):
    levels = doc.drop("routes").levels()
    assert levels["IND-03"] == levels["LOG-02"] == "INFO"


@pytest.mark.parametrize(("answer", "level"), [("yes", "INFO"), ("no", None), ("unknown", None)])
def test_prior_ketamine_treatment(doc, answer, level):
    assert doc.set("psychiatric.prior_ketamine_treatment", answer).levels().get("IND-04") == level


@pytest.mark.parametrize(("answer", "level"), [("yes", None), ("no", "INFO"), ("unknown", "INFO"), (None, "INFO")])
def test_no_ride_home_is_info_never_incomplete(doc, answer, level):
    assert doc.set("logistics.has_ride_home", answer).levels().get("LOG-01") == level
