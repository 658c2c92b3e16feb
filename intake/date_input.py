"""A date a patient can type: day, month and year boxes (the GOV.UK Design System's "date
input" pattern), validated on the server.

The browser's date picker sends an impossible date (30 February) as an empty value, so the
patient is never told; three plain boxes send exactly what was typed, which the draft keeps
and the page shows back with the error beside it. The messages follow GOV.UK's wording:
"Date of birth must include a year", "Date of birth must be a real date",
"Year must include 4 numbers".

Each error names the boxes it is about (``ValidationError.params["parts"]``), so that only
those are marked invalid and the error summary links to the first of them; an error about the
whole date (in the future, before 1900) names none and marks all three.

Why not a library: crispy-forms-gds has a date field, but it comes with the GOV.UK template
pack and styles, and this app is Bootstrap; the field below is small and fully tested
(tests/intake/test_date_input.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

PARTS = ("day", "month", "year")
PART_LABELS = {"day": "Day", "month": "Month", "year": "Year"}
# Width of each box in characters (GOV.UK: 2, 2 and 4), as a CSS class (static/css/app.css).
PART_WIDTHS = {"day": 2, "month": 2, "year": 4}
# GOV.UK: accept a month written out in full or shortened ("january", "jan", "sept").
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS_BY_NAME = {
    **{name: number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}
_NUMBER = re.compile(r"[0-9]+")
# A draft saved before the three boxes existed holds one ISO date (the browser's date box).
_LEGACY_ISO = re.compile(r"\s*([0-9]{1,4})-([0-9]{1,2})-([0-9]{1,2})\s*")


def part_name(name: str, part: str) -> str:
    """The posted name of one box: ``date_of_birth_day``."""
    return f"{name}_{part}"


def date_post(name: str, value: dt.date | str | None) -> dict[str, str]:
    """What a browser posts for ``value`` typed into the boxes of the field ``name`` (for
    tests and demo data). ``value`` is a date, an ISO date, or empty."""
    if value in (None, ""):
        parts = ["", "", ""]
    else:
        date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        parts = [str(date.day), str(date.month), str(date.year)]
    return {part_name(name, part): text for part, text in zip(PARTS, parts, strict=True)}


class DateInputWidget(forms.MultiWidget):
    """Three labelled text boxes with a numeric keypad on phones.

    ``autocomplete`` (``"bday"`` for a date of birth) gives the boxes ``bday-day``,
    ``bday-month`` and ``bday-year``, so that a browser can fill them in.
    """

    template_name = "intake/widgets/date_input.html"

    def __init__(self, autocomplete: str = "", attrs: dict[str, Any] | None = None) -> None:
        widgets = {}
        for part in PARTS:
            part_attrs = {"inputmode": "numeric", "spellcheck": "false"}
            if autocomplete:
                part_attrs["autocomplete"] = f"{autocomplete}-{part}"
            widgets[part] = forms.TextInput(attrs=part_attrs)
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str | None]:
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> list[Any]:
        if self.value_omitted_from_data(data, files, name) and data.get(name):
            # A draft from before the three boxes: show its ISO date in them, as typed.
            match = _LEGACY_ISO.fullmatch(str(data.get(name)))
            if match:
                year, month, day = match.groups()
                return [day, month, year]
        return super().value_from_datadict(data, files, name)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # The bound field passes which boxes are wrong (see intake_tags.date_control); Django's
        # own aria-invalid would mark all three.
        attrs = dict(attrs or {})
        invalid = set(attrs.pop("invalid_parts", ()))
        attrs.pop("aria-invalid", None)
        css = attrs.pop("class", "form-control")
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        for part, subwidget in zip(PARTS, context["widget"]["subwidgets"], strict=True):
            sub_attrs = subwidget["attrs"]
            sub_attrs["id"] = f"{base_id}_{part}"
            sub_attrs["class"] = f"{css} date-input-box date-input-width-{PART_WIDTHS[part]}" + (
                " is-invalid" if part in invalid else ""
            )
            if part in invalid:
                sub_attrs["aria-invalid"] = "true"
            subwidget["label"] = PART_LABELS[part]
            subwidget["part"] = part
        return context


def _join(parts: Sequence[str]) -> str:
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else list(parts))


def _number(text: str) -> int | None:
    """The number typed in a box, or None when it is not one. Past 4 digits (leading zeros
    aside) it is no day, month or year: 10000 stands for it (int() of thousands fails)."""
    if not _NUMBER.fullmatch(text):
        return None
    digits = text.lstrip("0") or "0"
    return int(digits) if len(digits) <= 4 else 10_000


def _month(text: str) -> int | None:
    number = _number(text)
    return number if number is not None else _MONTHS_BY_NAME.get(text.casefold().rstrip("."))


class DateInputField(forms.MultiValueField):
    """A date typed as day, month and year; empty means "not answered" (None).

    ``subject`` starts each message ("Date of birth", "The date of the reading"); ``example``
    is a real date for the hint, written as the patient would type it ("27 3 1988").
    """

    widget = DateInputWidget

    def __init__(self, *, subject: str, example: str, autocomplete: str = "", **kwargs: Any) -> None:
        self.subject = subject
        self.example = example
        fields = tuple(forms.CharField(required=False) for _ in PARTS)
        kwargs.setdefault("widget", DateInputWidget(autocomplete=autocomplete))
        kwargs.setdefault("required", False)
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def _error(self, message: str, code: str, parts: Sequence[str] = PARTS) -> forms.ValidationError:
        return forms.ValidationError(message, code=code, params={"parts": tuple(parts)})

    def compress(self, data_list: list[str]) -> dt.date | None:
        texts = [(text or "").strip() for text in data_list] or ["", "", ""]
        typed = dict(zip(PARTS, texts, strict=True))
        if not any(texts):
            return None
        missing = [part for part in PARTS if not typed[part]]
        if missing:
            raise self._error(f"{self.subject} must include a {_join(missing)}", "incomplete", missing)
        day, month, year = _number(typed["day"]), _month(typed["month"]), _number(typed["year"])
        readable = {"day": day is not None, "month": month is not None, "year": year is not None}
        if day is None or month is None or year is None:
            raise self._error(
                f"{self.subject} must be a real date, in numbers, for example {self.example}",
                "not_numbers",
                [part for part in PARTS if not readable[part]],
            )
        if len(typed["year"]) != 4:
            raise self._error("Year must include 4 numbers", "year_digits", ["year"])
        wrong = [part for part, ok in (("day", 1 <= day <= 31), ("month", 1 <= month <= 12)) if not ok]
        if wrong:
            raise self._error(f"{self.subject} must be a real date", "invalid", wrong)
        try:
            return dt.date(year, month, day)
        except ValueError:
            # 30 2 1988, 29 2 2023, 0000: which box is wrong cannot be told, so all three.
            raise self._error(f"{self.subject} must be a real date", "invalid") from None
