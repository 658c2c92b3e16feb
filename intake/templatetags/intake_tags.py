"""Template helpers for accessible intake forms: Bootstrap classes on widgets, how a radio
group's options sit (in a row when they are short), a step's layout as sections, anchors for
the error summary, and the list of every error on a page (form and rows)."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from intake.date_input import PARTS, DateInputWidget
from intake.layout import PageSection, blocks

register = template.Library()

# Radio options this short sit side by side, wrapping as the screen needs ("Yes  No  I don't
# know"); up to this length, two columns on a phone; longer ones one under the other.
INLINE_LABEL_CHARS = 16
GRID_LABEL_CHARS = 32


@register.filter
def is_radio(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.RadioSelect)


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def radio_layout(field: BoundField) -> dict[str, Any]:
    """How a radio group's options sit: side by side when short, two columns when there are
    two or four of them, else one under the other. A yes/no question without help or error
    may sit beside its options on a phone (``row``). Only the visual arrangement changes; the
    fieldset, legend, help, error and labels are the same."""
    labels = [str(label) for value, label in field.field.choices if value != ""]
    longest = max((len(label) for label in labels), default=0)
    row = len(labels) == 2 and longest <= 3 and not field.help_text and not field.errors
    if longest <= INLINE_LABEL_CHARS:
        return {"group": "choices choices-inline", "option": "", "row": row}
    if longest <= GRID_LABEL_CHARS and len(labels) in (2, 4):
        return {"group": "choices row row-cols-2 row-cols-md-4 g-0", "option": " col", "row": False}
    if longest <= GRID_LABEL_CHARS:
        return {"group": "choices choices-inline", "option": "", "row": False}
    return {"group": "choices", "option": "", "row": False}


@register.simple_tag
def step_layout(form: forms.Form, formset: Any = None) -> list[PageSection]:
    """The step's questions as its form's layout groups them (intake/layout.py)."""
    return blocks(form, formset)


@register.filter
def is_number(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.NumberInput)


@register.filter
def is_date_input(field: BoundField) -> bool:
    return isinstance(field.field.widget, DateInputWidget)


def invalid_parts(field: BoundField) -> list[str]:
    """The boxes of a date that its errors are about, in page order: those an error names
    (``params["parts"]``), all three for an error about the whole date, none without errors."""
    named: set[str] = set()
    for error in field.errors.as_data():
        named.update((error.params or {}).get("parts") or PARTS)
    return [part for part in PARTS if part in named]


@register.filter
def date_control(field: BoundField) -> SafeString:
    """A date's three boxes, the wrong ones marked invalid (see DateInputWidget.get_context)."""
    return field.as_widget(attrs={"class": "form-control", "invalid_parts": invalid_parts(field)})


@register.filter
def anchor(field: BoundField) -> str:
    """The id the error summary links to: the first option of a radio group, the first wrong
    box of a date, else the input."""
    if isinstance(field.field.widget, forms.RadioSelect):
        return f"{field.auto_id}_0"
    if isinstance(field.field.widget, DateInputWidget):
        return f"{field.auto_id}_{(invalid_parts(field) or PARTS)[0]}"
    return str(field.auto_id)


@register.filter
def control(field: BoundField, css: str = "form-control") -> SafeString:
    """The field's widget with Bootstrap classes; Django adds aria-invalid and aria-describedby."""
    classes = css + (" is-invalid" if field.errors else "")
    return field.as_widget(attrs={"class": classes})


@register.filter
def describedby(field: BoundField) -> str:
    """The ids of the help text and the error message of a field, for aria-describedby."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.simple_tag
def page_errors(form: forms.Form | None, formset: Any = None) -> list[dict[str, str]]:
    """Every error on the page, in page order, each with the id of its field."""
    found: list[dict[str, str]] = []
    if form is not None:
        for message in form.non_field_errors():
            found.append({"anchor": "main", "label": "", "message": str(message)})
        for field in form:
            for message in field.errors:
                found.append({"anchor": anchor(field), "label": _short(field.label), "message": str(message)})
    if formset is not None and formset.is_bound:
        for message in formset.non_form_errors():
            found.append({"anchor": "rows", "label": "", "message": str(message)})
        for number, row in enumerate(formset.forms, start=1):
            for field in row:
                for message in field.errors:
                    label = f"Row {number}, {_short(field.label).lower()}"
                    found.append({"anchor": anchor(field), "label": label, "message": str(message)})
    return found


def _short(label: Any) -> str:
    text = str(label or "")
    return text if len(text) <= 80 else text[:77].rstrip() + "\u2026"


@register.filter
def paragraphs(text: str) -> list[dict[str, str]]:
    """A consent text as paragraphs; a paragraph of several lines starts with its heading."""
    found = []
    for block in str(text).replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) > 1:
            found.append({"heading": lines[0], "text": " ".join(lines[1:])})
        else:
            found.append({"heading": "", "text": lines[0]})
    return found
