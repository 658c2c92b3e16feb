"""The staff "Rules" page: the rule book (docs/rules.md) in the app, one anchor per rule.

The content comes from the engine's rule book (screening/engine/rulebook.py), so the page, the
committed docs/rules.md and the flags on a case page cannot disagree. Clinicians and admins
with a verified second factor only (``staff_required``, as every page of the review).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic.access import staff_required
from screening.engine import RULESET_VERSION
from screening.engine.facts import field_label
from screening.engine.medications import CATALOGUE_VERSION
from screening.engine.rulebook import changes_text, rule_book


def _value(value: object) -> str:
    if value is None:
        return "not answered"
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    return str(value)


@lru_cache(maxsize=1)
def rule_book_page() -> tuple[dict[str, Any], ...]:
    """Every rule as the template shows it (built once: the engine does not change at run time)."""
    return tuple(
        {
            "id": entry.rule.id,
            "anchor": entry.anchor,
            "title": entry.rule.title,
            "level": entry.rule.level,
            "routes": entry.routes,
            "checks": entry.rule.checks,
            "source": entry.rule.source,
            "examples": [
                {
                    "variant": example.variant,
                    "answers": changes_text(example.changes),
                    "level": example.level,
                    "message": example.message,
                    "inputs": [(field_label(path), _value(value)) for path, value in example.inputs.items()],
                    "missing": [field_label(path) for path in example.missing],
                }
                for example in entry.examples
            ],
        }
        for entry in rule_book()
    )


@staff_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "screening/rules.html",
        {"rules": rule_book_page(), "ruleset": RULESET_VERSION, "catalogue": CATALOGUE_VERSION},
    )
