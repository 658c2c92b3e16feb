"""The generated evaluator (screening.engine.evaluate.evaluate) does what the loop over the
rules (evaluate_in_a_loop) does: the same flags, in the same order, for any document."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from screening.engine import validate_facts
from screening.engine.context import build_context
from screening.engine.evaluate import evaluate, evaluate_in_a_loop

from .test_engine_properties import SETTINGS, documents


def test_the_generated_evaluator_matches_the_loop_on_every_golden_case(golden_case: dict[str, Any]) -> None:
    context = build_context(validate_facts(golden_case["facts"]))
    assert evaluate(context) == evaluate_in_a_loop(context)


@SETTINGS
@given(documents())
def test_the_generated_evaluator_matches_the_loop(doc: dict[str, Any]) -> None:
    context = build_context(validate_facts(doc))
    flags = evaluate(context)
    assert flags == evaluate_in_a_loop(context)
    assert [flag["rule"] for flag in flags] == [flag["rule"] for flag in evaluate_in_a_loop(context)]
