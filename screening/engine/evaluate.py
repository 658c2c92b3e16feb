"""Screening: facts document in, result document out (spec §2, §6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from . import scoring
from .context import DAST10_BAND_BY_TOTAL, GAD7_BAND_BY_TOTAL, PHQ9_BAND_BY_TOTAL, Context, build_context
from .errors import FactsError
from .facts import Answer, Facts, validate_facts
from .levels import INFO, LEVELS, NO_FLAGS_RAISED, RESULT_SCHEMA, RULESET_VERSION, level_rank
from .rules import RULES, _missing_message, missing_cssrs_answers

Flag = dict[str, object]
Result = dict[str, object]


def _quiet_parts(quiet_when: frozenset[tuple[str, Answer]]) -> tuple[str | None, object]:
    """A rule's quiet answers as the evaluator tests them: most rules have one, compared
    directly (a subscript and an ``==``, far cheaper than a set comparison of the answers'
    items): (its path, its answer); several are compared as a set: (None, the set); none:
    (None, None)."""
    if len(quiet_when) == 1:
        ((path, answer),) = quiet_when
        return path, answer
    return None, quiet_when or None


# Each rule's fixed parts, read once: (its check, its quiet answers as _quiet_parts gives
# them, then (id, level, source), read only when it fires). Few parts: the loop unpacks
# them for every rule of every document.
_PREPARED: Final = tuple(
    (rule.check, *_quiet_parts(rule.quiet_when), (rule.id, rule.level, rule.source)) for rule in RULES
)
# Every level and outcome level_rank accepts, to check a new bucket's level without a call.
_RANKED: Final = frozenset((*LEVELS, NO_FLAGS_RAISED))
# Flag levels from the most severe down: the flags are bucketed by level, not sorted by a key.
_LEVELS_BY_SEVERITY: Final = tuple(sorted(LEVELS, key=level_rank, reverse=True))


def evaluate_in_a_loop(context: Context) -> list[Flag]:
    """Run every rule and collect every flag, highest level first, then by rule id.

    What :func:`evaluate` does, written as one loop over the rules: the reference the
    generated evaluator is tested against (tests/screening/test_engine_evaluator.py).
    """
    by_level: dict[str, list[Flag]] = {}
    answers = context.answers
    items = answers.items()
    for check, quiet_path, quiet_answer, fixed in _PREPARED:  # sorted by id
        # Skipped when the document has every answer with which the rule says nothing.
        if quiet_path is not None:
            if answers[quiet_path] == quiet_answer:
                continue
        elif quiet_answer is not None and items >= quiet_answer:  # type: ignore[operator]  # a set
            continue
        outcome = check(context)
        if outcome is None:
            continue
        rule_id, rule_level, source = fixed
        inputs, message, level, missing = outcome
        level = level or rule_level
        flag: Flag = {
            "rule": rule_id,
            "level": level,
            # Built only now that the rule has fired (Rule.message_for, inlined).
            "message": message if message is not None else _missing_message(tuple(missing)),  # missing_message
            "inputs": inputs,
            "missing": missing,
            "source": source,
        }
        bucket = by_level.get(level)
        if bucket is None:
            if level not in _RANKED:
                level_rank(level)  # an unknown level is a programming error: raise as before
            by_level[level] = [flag]
        else:
            bucket.append(flag)
    return _in_level_order(by_level)


def _in_level_order(by_level: dict[str, list[Flag]]) -> list[Flag]:
    """The flags of every level, from the most severe down (each level's in rule order)."""
    if not by_level:
        return []
    if len(by_level) == 1:
        return next(iter(by_level.values()))
    flags: list[Flag] = []
    for level in _LEVELS_BY_SEVERITY:
        if level in by_level:
            flags += by_level[level]
    return flags



# --- The evaluator, generated once at import -------------------------------------------
#
# evaluate_in_a_loop pays, for every rule of every document, a step of the loop, the unpacking
# of the rule's parts and the tests of its quiet answers. The evaluator below does the same
# work written out rule after rule (the source is built here from RULES, in id order, and
# compiled once), so that a rule costs its quiet test and, when it runs, its call.


def _evaluator_source() -> tuple[str, dict[str, object]]:
    names: dict[str, object] = {
        "_RANKED": _RANKED,
        "level_rank": level_rank,
        "_missing_message": _missing_message,
        "_in_level_order": _in_level_order,
    }
    lines = [
        "def evaluate(context):",
        "    by_level = {}",
        "    answers = context.answers",
        "    items = answers.items()",
    ]
    for number, (check, quiet_path, quiet_answer, fixed) in enumerate(_PREPARED):
        rule_id, rule_level, source = fixed
        names.update(
            {
                f"check_{number}": check,
                f"quiet_path_{number}": quiet_path,
                f"quiet_answer_{number}": quiet_answer,
                f"rule_id_{number}": rule_id,
                f"rule_level_{number}": rule_level,
                f"source_{number}": source,
            }
        )
        indent = "    "
        lines.append(f"    # {rule_id}")
        if quiet_path is not None:
            lines.append(f"    if not answers[quiet_path_{number}] == quiet_answer_{number}:")
            indent = "        "
        elif quiet_answer is not None:
            lines.append(f"    if not items >= quiet_answer_{number}:")
            indent = "        "
        body = [
            f"outcome = check_{number}(context)",
            "if outcome is not None:",
            "    inputs, message, level, missing = outcome",
            f"    level = level or rule_level_{number}",
            "    flag = {",
            f"        'rule': rule_id_{number},",
            "        'level': level,",
            "        'message': message if message is not None else _missing_message(tuple(missing)),",
            "        'inputs': inputs,",
            "        'missing': missing,",
            f"        'source': source_{number},",
            "    }",
            "    bucket = by_level.get(level)",
            "    if bucket is None:",
            "        if level not in _RANKED:",
            "            level_rank(level)",
            "        by_level[level] = [flag]",
            "    else:",
            "        bucket.append(flag)",
        ]
        lines += [indent + line for line in body]
    lines.append("    return _in_level_order(by_level)")
    return "\n".join(lines) + "\n", names


def _compile_evaluator() -> Callable[[Context], list[Flag]]:
    source, names = _evaluator_source()
    exec(compile(source, "<screening.engine.evaluate: generated evaluator>", "exec"), names)  # noqa: S102
    generated = names["evaluate"]
    assert callable(generated)
    return generated


#: Run every rule and collect every flag, highest level first, then by rule id: what
#: :func:`evaluate_in_a_loop` does, generated (see above).
evaluate: Final = _compile_evaluator()
evaluate.__doc__ = "Run every rule and collect every flag, highest level first, then by rule id."


def overall_of(flags: list[Flag]) -> str:
    """The highest level among the flags; NO_FLAGS_RAISED when none, or only INFO."""
    if not flags or flags[0]["level"] == INFO:
        return NO_FLAGS_RAISED
    return str(flags[0]["level"])


def scores_of(c: Context) -> dict[str, object]:
    """The ``scores`` object of spec §6: every member present, null when not computable."""
    phq9, gad7, auditc, dast10 = c.phq9_total, c.gad7_total, c.auditc_total, c.dast10_total
    bp_category = None
    if c.plausible_bp and c.systolic is not None and c.diastolic is not None:
        bp_category = scoring.bp_category(c.systolic, c.diastolic)
    return {
        "age": c.age,
        "bmi": None if c.bmi_tenths is None else scoring.tenths_to_float(c.bmi_tenths),
        "phq9": {"total": phq9, "band": None if phq9 is None else PHQ9_BAND_BY_TOTAL[phq9]},
        "gad7": {"total": gad7, "band": None if gad7 is None else GAD7_BAND_BY_TOTAL[gad7]},
        "auditc": {"total": auditc, "positive": None if auditc is None else auditc >= c.auditc_cutoff},
        "dast10": {"total": dast10, "band": None if dast10 is None else DAST10_BAND_BY_TOTAL[dast10]},
        "cssrs": {"risk": cssrs_risk(c)},
        "bp_category": bp_category,
    }


def cssrs_risk(c: Context) -> str:
    """The highest class the given answers prove (spec §5.1); missing answers never lower it."""
    if c.saf03:
        return "high"
    if c.saf04:
        return "moderate"
    answers = c.answers
    if answers["instruments.cssrs.q1"] == "yes" or answers["instruments.cssrs.q2"] == "yes":
        return "low"
    if missing_cssrs_answers(c):
        return "unknown"
    return "none"


def screen_facts(facts: Facts) -> Result:
    """Screen validated facts."""
    context = build_context(facts)
    flags = evaluate(context)
    return {
        "schema": RESULT_SCHEMA,
        "ruleset": RULESET_VERSION,
        "overall": overall_of(flags),
        "flags": flags,
        "scores": scores_of(context),
    }


def screen(doc: object) -> Result:
    """Validate a parsed facts document and screen it (raises FactsError when invalid)."""
    return screen_facts(validate_facts(doc))


def screen_many(docs: object) -> list[Result]:
    """Screen a list of documents, in order. One invalid document fails the whole list;
    its error is named by its 0-based index: ``[3].vitals.bp_systolic``."""
    if not isinstance(docs, list):
        raise FactsError("", "expected a JSON list of facts documents")
    results = []
    for index, doc in enumerate(docs):
        try:
            results.append(screen(doc))
        except FactsError as error:
            raise error.in_batch(index) from None
    return results
