"""Template helpers of the clinician review: levels are always shown as words, never colour only."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from screening.models import CaseStatus, Level
from screening.presenters import drug_class_words

register = template.Library()


@register.filter
def level_label(level: str | None) -> str:
    """A level or overall outcome in clinician wording."""
    if not level:
        return "Not screened yet"
    return Level(level).label if level in Level.values else str(level)


@register.simple_tag
def level_badge(level: str | None) -> str:
    """The level as a labelled badge; the colour only repeats what the words say."""
    css = f"level-{level}" if level in Level.values else "level-none"
    return format_html('<span class="badge rounded-pill text-dark border {}">{}</span>', css, level_label(level))


@register.filter
def status_label(status: str | None) -> str:
    return CaseStatus(status).label if status in CaseStatus.values else (status or "")


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def tel_href(phone: str | None) -> str:
    """A phone number as a ``tel:`` address: its digits, with a leading + kept."""
    text = str(phone or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit() and ch.isascii())
    return f"+{digits}" if text.startswith("+") else digits


@register.filter
def drug_class(value: str | None) -> str:
    """A catalogue interaction class in words ("CNS depressant")."""
    return drug_class_words(value)
