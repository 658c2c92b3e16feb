"""The crisis resources a patient page shows come from the engine's fired rules: every answer
that is a crisis in the engine's eyes (PHQ-9 item 9 above 0, any yes in the C-SSRS) shows them,
and a calm page shows none."""

from __future__ import annotations

import pytest

from intake.selectors import safety_notice
from intake.steps import STEP_BY_KEY


@pytest.mark.parametrize(
    "answers",
    [
        {"phq9_9": 1},
        {"cssrs_q1": "yes"},
        {"cssrs_q2": "yes"},
        {"cssrs_q2": "no", "cssrs_q3": "yes"},
        {"cssrs_q2": "yes", "cssrs_q4": "yes"},
        {"cssrs_q2": "yes", "cssrs_q5": "yes"},
        {"cssrs_q6": "yes"},
        {"cssrs_q6": "yes", "cssrs_q6_past_3_months": "no"},
    ],
)
def test_a_crisis_answer_shows_crisis_resources(intake, answers):
    for name, value in answers.items():
        setattr(intake, name, value)
    assert safety_notice(intake).crisis


def test_calm_answers_show_no_crisis_resources(intake):
    intake.phq9_9 = 0
    for name in STEP_BY_KEY["cssrs"].columns:
        setattr(intake, name, "no")
    assert not safety_notice(intake).crisis
