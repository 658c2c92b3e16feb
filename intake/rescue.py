"""Answers carried through a sign-in: a step's post that arrived after the session ended, or
with a stale CSRF token, is shown back to the patient and carried to the sign-in-and-save form.

The answers travel only in the page's own POST body (hidden fields, prefixed so that they
never mix with the sign-in fields): never in a URL, a cookie, the session before sign-in, or a
log. Nothing here reads or writes the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.http import QueryDict

from intake.services import IGNORED_KEYS, MAX_DRAFT_VALUE
from intake.steps import Step

# Hidden fields of the rescue form are named "answer-<the step's own field name>".
ANSWER_PREFIX = "answer-"
# Not answers: the step page's own buttons.
NOT_ANSWERS = frozenset({*IGNORED_KEYS, "action"})
# A step page has well under a hundred fields (30 rows of a few fields at most).
MAX_CARRIED = 400


@dataclass(frozen=True)
class ReadBack:
    label: str
    value: str


def carried_from_step_post(post: QueryDict) -> list[tuple[str, str]]:
    """(field name, value) pairs of a step's post, as typed, without its token and buttons."""
    pairs = [
        (key, value[:MAX_DRAFT_VALUE])
        for key in post
        if key not in NOT_ANSWERS and "\x00" not in key
        for value in post.getlist(key)
    ]
    return pairs[:MAX_CARRIED]


def carried_from_rescue_post(post: QueryDict) -> list[tuple[str, str]]:
    """The pairs the rescue form carried (its "answer-…" hidden fields)."""
    pairs = [
        (key.removeprefix(ANSWER_PREFIX), value[:MAX_DRAFT_VALUE])
        for key in post
        if key.startswith(ANSWER_PREFIX) and key.removeprefix(ANSWER_PREFIX) not in NOT_ANSWERS
        for value in post.getlist(key)
    ]
    return pairs[:MAX_CARRIED]


def as_post(pairs: Iterable[tuple[str, str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in pairs:
        query.appendlist(key, value)
    return query


def _choice_text(field: forms.Field, value: str) -> str:
    for key, text in getattr(field, "choices", ()):
        if isinstance(text, (list, tuple)):  # a group of choices
            for inner_key, inner_text in text:
                if str(inner_key) == value:
                    return str(inner_text)
        elif str(key) == value:
            return str(text)
    return value


def _field_for(step: Step, name: str) -> tuple[str, forms.Field] | None:
    """The label prefix (a row's number) and the form field a posted name belongs to."""
    form_class = step.form_class
    if name in form_class.base_fields:
        return "", form_class.base_fields[name]
    prefix = form_class.formset_prefix
    formset_class = form_class.formset_class
    if not prefix or formset_class is None or not name.startswith(f"{prefix}-"):
        return None
    parts = name.split("-", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    row_field = formset_class.form.base_fields.get(parts[2])
    if row_field is None:
        return None
    return f"Row {int(parts[1]) + 1}: ", row_field


def read_back(step: Step, pairs: Iterable[tuple[str, str]]) -> list[ReadBack]:
    """What the patient typed, each answer under its question's label, in the order posted.

    Empty answers and the page's bookkeeping fields (row counts) are not listed; they are
    still carried.
    """
    lines = []
    for name, value in pairs:
        if not value.strip():
            continue
        found = _field_for(step, name)
        if found is None:
            continue
        row, form_field = found
        lines.append(ReadBack(f"{row}{form_field.label}", _choice_text(form_field, value)))
    return lines
