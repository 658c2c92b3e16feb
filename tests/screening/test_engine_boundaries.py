"""Every threshold and window of the spec, tested on both sides of its edge.

The base patient (golden case 1) is assessed on 2026-11-20 with a measured BP of
124/78 from 2026-11-18 and nothing of concern.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from screening.engine import FactsError

ASSESSED = date(2026, 11, 20)


def days_before(days: int) -> str:
    return (ASSESSED - timedelta(days=days)).isoformat()


def bp_levels(doc, systolic, diastolic, **changes):
    doc.set("vitals.bp_systolic", systolic).set("vitals.bp_diastolic", diastolic).update(changes)
    return {rule: level for rule, level in doc.levels().items() if rule.startswith("BP-")}


# --- Blood pressure: BP-01, BP-02, BP-03 (only the highest fires) ------------------------


def test_bp_of_exactly_140_over_90_does_not_fire_bp03(doc):
    assert bp_levels(doc, 140, 90) == {}


def test_bp_of_141_over_90_fires_bp03(doc):
    assert bp_levels(doc, 141, 90) == {"BP-03": "CAUTION"}


def test_bp_of_140_over_91_fires_bp03(doc):
    assert bp_levels(doc, 140, 91) == {"BP-03": "CAUTION"}


def test_diastolic_of_exactly_100_is_bp03_not_bp02(doc):
    assert bp_levels(doc, 150, 100) == {"BP-03": "CAUTION"}


def test_diastolic_of_101_fires_bp02_and_not_bp03(doc):
    assert bp_levels(doc, 150, 101) == {"BP-02": "EXCLUDE_PENDING_REVIEW"}


def test_bp_of_exactly_180_over_120_is_bp02_not_a_crisis(doc):
    assert bp_levels(doc, 180, 120) == {"BP-02": "EXCLUDE_PENDING_REVIEW"}
    assert doc.scores()["bp_category"] == "stage_2"


def test_systolic_of_181_fires_bp01_alone(doc):
    assert bp_levels(doc, 181, 85) == {"BP-01": "URGENT_MEDICAL"}
    assert doc.overall() == "URGENT_MEDICAL"


def test_diastolic_of_121_fires_bp01_alone(doc):
    assert bp_levels(doc, 170, 121) == {"BP-01": "URGENT_MEDICAL"}


def test_systolic_of_180_with_normal_diastolic_is_bp03(doc):
    assert bp_levels(doc, 180, 85) == {"BP-03": "CAUTION"}


# --- Plausibility (BP-08) and BP-01 looking at each value on its own ----------------------


def test_systolic_of_70_is_plausible(doc):
    assert bp_levels(doc, 70, 40) == {}
    assert doc.scores()["bp_category"] == "normal"


def test_systolic_of_69_is_implausible(doc):
    assert bp_levels(doc, 69, 45) == {"BP-08": "INCOMPLETE"}
    assert doc.scores()["bp_category"] is None


def test_diastolic_of_40_is_plausible_and_39_is_not(doc):
    assert bp_levels(doc, 100, 40) == {}
    assert bp_levels(doc, 100, 39) == {"BP-08": "INCOMPLETE"}


def test_systolic_of_260_is_plausible_and_a_crisis(doc):
    assert bp_levels(doc, 260, 100) == {"BP-01": "URGENT_MEDICAL"}
    assert doc.scores()["bp_category"] == "crisis"


def test_systolic_of_261_is_implausible_and_not_a_crisis_value(doc):
    assert bp_levels(doc, 261, 100) == {"BP-08": "INCOMPLETE"}


def test_diastolic_of_160_is_plausible_and_161_is_not(doc):
    assert bp_levels(doc, 200, 160) == {"BP-01": "URGENT_MEDICAL"}
    assert bp_levels(doc, 170, 161) == {"BP-08": "INCOMPLETE"}


def test_systolic_equal_to_diastolic_is_implausible(doc):
    assert bp_levels(doc, 100, 100) == {"BP-08": "INCOMPLETE"}


def test_swapped_values_are_implausible_and_nothing_else_runs(doc):
    assert bp_levels(doc, 80, 120) == {"BP-08": "INCOMPLETE"}


def test_a_crisis_systolic_fires_bp01_even_when_the_diastolic_is_implausible(doc):
    assert bp_levels(doc, 190, 30) == {"BP-01": "URGENT_MEDICAL", "BP-08": "INCOMPLETE"}


def test_a_crisis_diastolic_fires_bp01_even_when_systolic_is_not_above_it(doc):
    # 130/140 is not a plausible reading, but 140 is inside the diastolic range and above 120.
    assert bp_levels(doc, 130, 140) == {"BP-01": "URGENT_MEDICAL", "BP-08": "INCOMPLETE"}


def test_a_crisis_value_fires_bp01_even_when_the_other_value_is_missing(doc):
    assert bp_levels(doc, 200, None) == {"BP-01": "URGENT_MEDICAL", "BP-07": "INCOMPLETE"}
    assert bp_levels(doc, None, 125) == {"BP-01": "URGENT_MEDICAL", "BP-07": "INCOMPLETE"}


def test_a_crisis_value_alerts_whatever_its_source_and_age(doc):
    levels = bp_levels(doc, 200, 100, **{"vitals.bp_source": "self_reported", "vitals.bp_date": days_before(400)})
    assert levels == {"BP-01": "URGENT_MEDICAL", "BP-07": "INCOMPLETE"}


def test_an_old_self_reported_reading_is_still_used_for_bp03(doc):
    levels = bp_levels(doc, 150, 85, **{"vitals.bp_source": "self_reported"})
    assert levels == {"BP-03": "CAUTION", "BP-07": "INCOMPLETE"}


# --- BP-04 (age > 65 and 150 < systolic <= 180) ---------------------------------------------


@pytest.mark.parametrize(
    ("birth", "systolic", "fires"),
    [
        ("1961-11-20", 160, False),  # 65 today: BP-04 needs over 65
        ("1960-11-20", 160, True),  # 66
        ("1960-11-20", 150, False),  # systolic must be above 150
        ("1960-11-20", 151, True),
        ("1960-11-20", 180, True),
        ("1960-11-20", 181, False),  # a crisis: BP-01, BP-04 stops at 180
    ],
)
def test_bp04_needs_age_over_65_and_systolic_from_151_to_180(doc, birth, systolic, fires):
    doc.set("patient.date_of_birth", birth).set("vitals.bp_systolic", systolic).set("vitals.bp_diastolic", 85)
    assert ("BP-04" in doc.levels()) is fires


def test_bp04_stands_beside_bp01(doc):
    doc.set("patient.date_of_birth", "1950-01-01")
    assert bp_levels(doc, 170, 125) == {"BP-01": "URGENT_MEDICAL", "BP-04": "CAUTION"}


def test_bp04_needs_a_date_of_birth(doc):
    doc.set("patient.date_of_birth", None)
    assert bp_levels(doc, 170, 85) == {"BP-03": "CAUTION"}


# --- BP-07: a measured reading from the past 30 days ------------------------------------------


def test_a_reading_exactly_30_days_old_is_recent_enough(doc):
    assert bp_levels(doc, 124, 78, **{"vitals.bp_date": days_before(30)}) == {}


def test_a_reading_31_days_old_is_stale(doc):
    assert bp_levels(doc, 124, 78, **{"vitals.bp_date": days_before(31)}) == {"BP-07": "INCOMPLETE"}
    assert doc.flag("BP-07")["inputs"] == {"vitals.bp_date": days_before(31)}


def test_a_reading_taken_on_the_assessment_day_is_recent(doc):
    assert bp_levels(doc, 124, 78, **{"vitals.bp_date": days_before(0)}) == {}


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"vitals.bp_source": "unknown"}, ["vitals.bp_source"]),
        ({"vitals.bp_source": None}, ["vitals.bp_source"]),
        ({"vitals.bp_date": None}, ["vitals.bp_date"]),
        ({"vitals.bp_systolic": None}, ["vitals.bp_systolic"]),
        ({"vitals.bp_systolic": None, "vitals.bp_diastolic": None}, ["vitals.bp_systolic", "vitals.bp_diastolic"]),
    ],
)
def test_bp07_lists_what_is_missing(doc, changes, missing):
    doc.update(changes)
    assert doc.flag("BP-07")["missing"] == missing
    assert doc.flag("BP-07")["level"] == "INCOMPLETE"


def test_bp07_stands_beside_bp08(doc):
    assert bp_levels(doc, 300, 100, **{"vitals.bp_date": None}) == {"BP-07": "INCOMPLETE", "BP-08": "INCOMPLETE"}


# --- bp_category (ACC/AHA 2017) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("systolic", "diastolic", "category"),
    [
        (119, 79, "normal"),
        (120, 79, "elevated"),
        (129, 79, "elevated"),
        (130, 79, "stage_1"),
        (119, 80, "stage_1"),
        (139, 89, "stage_1"),
        (140, 70, "stage_2"),
        (125, 90, "stage_2"),
        (180, 120, "stage_2"),
        (181, 100, "crisis"),
        (150, 121, "crisis"),
    ],
)
def test_bp_category_edges(doc, systolic, diastolic, category):
    doc.set("vitals.bp_systolic", systolic).set("vitals.bp_diastolic", diastolic)
    assert doc.scores()["bp_category"] == category


# --- Age: CI-07 (< 18), MED-14 (>= 65), validation (> 120), 29 February ------------------------


@pytest.mark.parametrize(
    ("birth", "age"),
    [
        ("2008-11-20", 18),  # 18th birthday today
        ("2008-11-21", 17),  # 18 tomorrow
        ("1961-11-20", 65),
        ("1961-11-21", 64),
        ("1906-11-20", 120),
    ],
)
def test_age_is_whole_years_on_the_assessment_date(doc, birth, age):
    doc.set("patient.date_of_birth", birth)
    assert doc.scores()["age"] == age
    levels = doc.levels()
    assert ("CI-07" in levels) is (age < 18)
    assert ("MED-14" in levels) is (age >= 65)


def test_age_of_17_fires_ci07_and_18_does_not(doc):
    assert doc.set("patient.date_of_birth", "2008-11-21").levels()["CI-07"] == "EXCLUDE_PENDING_REVIEW"
    assert "CI-07" not in doc.set("patient.date_of_birth", "2008-11-20").levels()


def test_age_of_121_is_an_error(doc):
    doc.set("patient.date_of_birth", "1905-11-20")
    with pytest.raises(FactsError) as error:
        doc.result()
    assert error.value.path == "patient.date_of_birth"


def test_age_of_120_the_day_before_121_is_accepted(doc):
    doc.set("patient.date_of_birth", "1905-11-21")
    assert doc.scores()["age"] == 120


@pytest.mark.parametrize(
    ("assessed", "age"),
    [
        ("2026-02-28", 17),  # 2026 is not a leap year: the birthday is 1 March
        ("2026-03-01", 18),
        ("2028-02-28", 19),  # leap year: the birthday is 29 February
        ("2028-02-29", 20),
    ],
)
def test_a_29_february_birthday_falls_on_1_march_in_other_years(doc, assessed, age):
    doc.update({"assessment_date": assessed, "patient.date_of_birth": "2008-02-29", "vitals.bp_date": assessed})
    assert doc.scores()["age"] == age
    assert ("CI-07" in doc.levels()) is (age < 18)


# --- Cardiovascular event windows: CI-05 0-42, MED-01 43-365, MED-02 > 365 ---------------------


@pytest.mark.parametrize(
    ("days", "rule", "level"),
    [
        (0, "CI-05", "EXCLUDE_PENDING_REVIEW"),
        (42, "CI-05", "EXCLUDE_PENDING_REVIEW"),
        (43, "MED-01", "EXCLUDE_PENDING_REVIEW"),
        (365, "MED-01", "EXCLUDE_PENDING_REVIEW"),
        (366, "MED-02", "CAUTION"),
        (4000, "MED-02", "CAUTION"),
    ],
)
def test_a_dated_cardiovascular_event_fires_exactly_one_rule_by_its_age(doc, days, rule, level):
    doc.set("medical.cardiovascular_event", "yes").set("medical.cardiovascular_event_date", days_before(days))
    fired = {r: lvl for r, lvl in doc.levels().items() if r in ("CI-05", "MED-01", "MED-02")}
    assert fired == {rule: level}


# --- BMI and MED-13 ----------------------------------------------------------------------------


def test_bmi_is_rounded_half_up_in_decimal(doc):
    # 98.2 / 2.0**2 = 24.55 exactly; binary floating point would give 24.549999... -> 24.5.
    doc.set("patient.weight_kg", 98.2).set("patient.height_cm", 200)
    assert doc.scores()["bmi"] == 24.6


def test_bmi_of_34_95_rounds_up_to_35_and_fires_med13(doc):
    doc.update({"patient.weight_kg": 139.8, "patient.height_cm": 200, "medical.sleep_apnea": "yes"})
    assert doc.scores()["bmi"] == 35.0
    assert doc.levels()["MED-13"] == "CAUTION"


def test_bmi_of_34_9_does_not_fire_med13(doc):
    doc.update({"patient.weight_kg": 139.7, "patient.height_cm": 200, "medical.sleep_apnea": "yes"})
    assert doc.scores()["bmi"] == 34.9
    assert "MED-13" not in doc.levels()


def test_bmi_of_35_with_sleep_apnoea_unknown_fires_med13(doc):
    doc.update({"patient.weight_kg": 140, "patient.height_cm": 200, "medical.sleep_apnea": "unknown"})
    assert doc.scores()["bmi"] == 35.0
    assert doc.levels()["MED-13"] == "CAUTION"


def test_bmi_of_40_without_sleep_apnoea_gives_nothing(doc):
    doc.update({"patient.weight_kg": 160, "patient.height_cm": 200, "medical.sleep_apnea": "no"})
    assert "MED-13" not in doc.levels()


def test_bmi_takes_decimals_of_both_values(doc):
    doc.set("patient.weight_kg", 68.5).set("patient.height_cm", 168.5)
    assert doc.scores()["bmi"] == 24.1  # 24.126...


# --- Questionnaire bands -------------------------------------------------------------------------


def spread(total: int, items: int, high: int) -> list[int]:
    """``items`` answers from 0 to ``high`` adding up to ``total``."""
    answers = []
    for _ in range(items):
        answers.append(min(high, total))
        total -= answers[-1]
    assert total == 0
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
     (15, "moderately_severe"), (19, "moderately_severe"), (20, "severe"), (27, "severe")],
)  # fmt: skip
def test_phq9_band_edges(doc, total, band):
    # Item 9 stays 0 where the total allows, so SAF-01 does not join in.
    items = spread(total, 8, 3) + [0] if total <= 24 else spread(total, 9, 3)
    doc.set("instruments.phq9", items)
    assert doc.scores()["phq9"] == {"total": total, "band": band}
    assert doc.levels()["PSY-13"] == "INFO"


@pytest.mark.parametrize(
    ("total", "band", "psy14"),
    [(0, "minimal", False), (4, "minimal", False), (5, "mild", False), (9, "mild", False),
     (10, "moderate", True), (14, "moderate", True), (15, "severe", True), (21, "severe", True)],
)  # fmt: skip
def test_gad7_band_edges_and_psy14_from_10(doc, total, band, psy14):
    doc.set("instruments.gad7", spread(total, 7, 3))
    assert doc.scores()["gad7"] == {"total": total, "band": band}
    assert ("PSY-14" in doc.levels()) is psy14


def dast_answers(score: int) -> list[str]:
    """DAST-10 answers scoring ``score``: item 3 scores 1 for "no"."""
    answers = ["no"] * 10
    answers[2] = "yes"  # item 3 "yes" scores 0
    others = [i for i in range(10) if i != 2]
    for i in others[: min(score, 9)]:
        answers[i] = "yes"
    if score == 10:
        answers[2] = "no"
    return answers


@pytest.mark.parametrize(
    ("score", "band", "rule", "level"),
    [
        (0, "none", None, None),
        (1, "low", "PSY-09", "INFO"),
        (2, "low", "PSY-09", "INFO"),
        (3, "moderate", "PSY-08", "CAUTION"),
        (5, "moderate", "PSY-08", "CAUTION"),
        (6, "substantial", "PSY-07", "EXCLUDE_PENDING_REVIEW"),
        (8, "substantial", "PSY-07", "EXCLUDE_PENDING_REVIEW"),
        (9, "severe", "PSY-07", "EXCLUDE_PENDING_REVIEW"),
        (10, "severe", "PSY-07", "EXCLUDE_PENDING_REVIEW"),
    ],
)
def test_dast10_band_edges_and_rules(doc, score, band, rule, level):
    doc.set("instruments.dast10", dast_answers(score))
    assert doc.scores()["dast10"] == {"total": score, "band": band}
    fired = {r: lvl for r, lvl in doc.levels().items() if r in ("PSY-07", "PSY-08", "PSY-09")}
    assert fired == ({} if rule is None else {rule: level})


def test_dast10_item_3_is_reverse_scored(doc):
    doc.set("instruments.dast10", ["no"] * 10)
    assert doc.scores()["dast10"]["total"] == 1
    doc.set("instruments.dast10[3]", "yes")
    assert doc.scores()["dast10"]["total"] == 0


@pytest.mark.parametrize(
    ("sex", "total", "positive"),
    [
        ("female", 2, False),
        ("female", 3, True),
        ("male", 3, False),
        ("male", 4, True),
        ("intersex", 2, False),
        ("intersex", 3, True),
        ("unknown", 3, True),
        (None, 3, True),
    ],
)
def test_auditc_cut_off_is_4_for_men_and_3_otherwise(doc, sex, total, positive):
    doc.set("patient.sex_at_birth", sex).set("instruments.auditc", spread(total, 3, 4))
    assert doc.scores()["auditc"] == {"total": total, "positive": positive}
    assert ("PSY-11" in doc.levels()) is positive


# --- Failed antidepressant trials: IND-01 from 2 -------------------------------------------------


@pytest.mark.parametrize(("trials", "rule"), [(0, "IND-02"), (1, "IND-02"), (2, "IND-01"), (30, "IND-01")])
def test_two_failed_trials_meet_the_treatment_resistance_definition(doc, trials, rule):
    levels = doc.set("psychiatric.failed_antidepressant_trials", trials).levels()
    assert {r for r in levels if r.startswith("IND-0") and r != "IND-03"} == {rule}
    assert levels[rule] == "INFO"


def test_unknown_failed_trials_gives_ind02_info_not_incomplete(doc):
    flag = doc.set("psychiatric.failed_antidepressant_trials", None).flag("IND-02")
    assert flag["level"] == "INFO"
    assert "IND-01" not in doc.levels()



def test_an_unanswered_dast10_item_3_counts_as_its_scoring_no_for_an_early_psy07(doc):
    """Five "yes" answers with item 3 unanswered: a "no" there would make 6 (PSY-07), so an
    unknown must not read calmer (spec §1.2): PSY-07 fires and the total stays null."""
    doc.set("instruments.dast10", ["yes", "yes", None, "yes", "yes", "yes", "no", "no", "no", "no"])
    assert doc.levels()["PSY-07"] == "EXCLUDE_PENDING_REVIEW"
    assert doc.result()["scores"]["dast10"]["total"] is None


def test_five_yes_answers_with_item_3_answered_yes_score_five(doc):
    doc.set("instruments.dast10", ["yes", "yes", "yes", "yes", "yes", "yes", "no", "no", "no", "no"])
    assert doc.levels()["PSY-08"] == "CAUTION"
    assert "PSY-07" not in doc.levels()
