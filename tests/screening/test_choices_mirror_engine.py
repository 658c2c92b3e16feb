"""Every Django TextChoices that mirrors a list of the engine says exactly what the engine says:
the same values, and for the levels the same order (the queue sorts by it)."""

from __future__ import annotations

import pytest
from django.db import models

from intake.models import Arrhythmia, HeartFailure, LiverDisease, Pregnant, RoutePreference, SexAtBirth, Tri, YesNo
from screening.engine import facts as engine_facts
from screening.engine import levels as engine_levels
from screening.models import LEVEL_PRIORITY, URGENT_LEVELS, Level


def test_the_levels_are_the_engines_levels_in_the_engines_order():
    assert [level.value for level in Level] == [*engine_levels.LEVELS, engine_levels.NO_FLAGS_RAISED]


def test_the_queue_priority_follows_the_engines_rank():
    by_priority = sorted(LEVEL_PRIORITY, key=LEVEL_PRIORITY.__getitem__)
    assert by_priority == sorted(LEVEL_PRIORITY, key=engine_levels.level_rank, reverse=True)


def test_the_urgent_levels_are_the_engines_urgent_levels():
    assert {level.value for level in URGENT_LEVELS} == {engine_levels.URGENT_SAFETY, engine_levels.URGENT_MEDICAL}


@pytest.mark.parametrize(
    "choices,path",
    [
        (SexAtBirth, "patient.sex_at_birth"),
        (Pregnant, "reproductive.pregnant"),
        (HeartFailure, "medical.heart_failure"),
        (Arrhythmia, "medical.arrhythmia"),
        (LiverDisease, "medical.liver_disease"),
    ],
)
def test_a_choice_question_offers_the_engines_values(choices: type[models.TextChoices], path: str):
    section, name = path.split(".")
    assert set(choices.values) == set(engine_facts.SECTIONS[section][name].choices)


def test_tri_state_and_yes_no_answers_are_the_engines():
    tri_field = next(
        f for fields in engine_facts.SECTIONS.values() for f in fields.values() if f.kind == engine_facts.TRI
    )
    yn_field = engine_facts.CSSRS_FIELDS["q1"]
    assert set(Tri.values) == set(tri_field.choices)
    assert set(YesNo.values) == set(yn_field.choices)


def test_the_route_preference_offers_the_engines_routes_and_unsure():
    # "Unsure" is no route: the facts mapping asks the engine about every route then.
    assert set(RoutePreference.values) == {*engine_facts.ALL_ROUTES, RoutePreference.UNSURE}
