"""Forms of the clinician review. They validate and tidy what a clinician typed; the services
decide what the case's state allows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from clinic.models import User
from screening.engine.facts import valid_range
from screening.engine.scoring import DIASTOLIC_ENTRY, MEASURED_SYSTOLIC_ENTRY
from screening.models import CaseStatus, DecisionOutcome, Level
from screening.selectors import (
    ASSIGNED_ME,
    ASSIGNED_NOBODY,
    STATUS_ANY,
    STATUS_OPEN,
    QueueFilters,
    clinicians,
    step_choices,
)
from screening.services import FLAG_REASON_REQUIRED, flags_lacking_a_reason

# Plausible measured readings (SCREENING_SPEC §5.3 calls 70–260 / 40–160 plausible); the
# limits here are wider so that a real crisis reading is never refused, only typos are.
SYSTOLIC_RANGE = MEASURED_SYSTOLIC_ENTRY
DIASTOLIC_RANGE = DIASTOLIC_ENTRY
# Spec §3: the valid weight and height.
WEIGHT_RANGE = valid_range("patient.weight_kg")
HEIGHT_RANGE = valid_range("patient.height_cm")
TEXT_LIMIT = 4000


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ActionForm(forms.Form):
    """Every action posts the case version the clinician saw (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class AcknowledgeForm(ActionForm):
    note = forms.CharField(
        label="What did you do about the urgent flag?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
        help_text="Required: for example who you contacted and what was agreed.",
    )


class AssignForm(ActionForm):
    assignee = forms.TypedChoiceField(label="Assign to", coerce=int)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One query for the list, read once: the select is rendered from this list.
        self.staff = {person.pk: person for person in clinicians()}
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            (pk, f"{person.full_name or person.email}{' (me)' if pk == user.pk else ''}")
            for pk, person in self.staff.items()
        ]
        if not self.is_bound:
            self.initial.setdefault("assignee", user.pk)

    def clean_assignee(self) -> User:
        return self.staff[self.cleaned_data["assignee"]]


class VitalsForm(ActionForm):
    bp_systolic = forms.IntegerField(
        label="Systolic (mmHg)",
        required=False,
        validators=[MinValueValidator(SYSTOLIC_RANGE[0]), MaxValueValidator(SYSTOLIC_RANGE[1])],
    )
    bp_diastolic = forms.IntegerField(
        label="Diastolic (mmHg)",
        required=False,
        validators=[MinValueValidator(DIASTOLIC_RANGE[0]), MaxValueValidator(DIASTOLIC_RANGE[1])],
    )
    bp_date = forms.DateField(
        label="Date measured", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        required=False,
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(WEIGHT_RANGE[0]), MaxValueValidator(WEIGHT_RANGE[1])],
    )
    height_cm = forms.DecimalField(
        label="Height (cm)",
        required=False,
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(HEIGHT_RANGE[0]), MaxValueValidator(HEIGHT_RANGE[1])],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("bp_date", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        systolic, diastolic = data.get("bp_systolic"), data.get("bp_diastolic")
        bp_date, weight, height = data.get("bp_date"), data.get("weight_kg"), data.get("height_cm")
        failed = {"bp_systolic", "bp_diastolic", "bp_date", "weight_kg", "height_cm"} & set(self.errors)
        if failed:
            return data
        if systolic is None and diastolic is not None:
            self.add_error("bp_systolic", forms.ValidationError("Enter both values of the reading.", code="required"))
        if diastolic is None and systolic is not None:
            self.add_error("bp_diastolic", forms.ValidationError("Enter both values of the reading.", code="required"))
        if systolic is not None and diastolic is not None:
            if systolic <= diastolic:
                self.add_error(
                    "bp_diastolic",
                    forms.ValidationError("The diastolic value must be lower than the systolic.", code="order"),
                )
            if bp_date is None:
                self.add_error("bp_date", forms.ValidationError("Give the date of the reading.", code="required"))
        if bp_date is not None and bp_date > timezone.localdate():
            self.add_error("bp_date", forms.ValidationError("The date cannot be in the future.", code="future"))
        if bp_date is not None and systolic is None and diastolic is None:
            # The date defaults to today: with no reading it says nothing, so drop it.
            data["bp_date"] = None
        if systolic is None and diastolic is None and weight is None and height is None and not self.errors:
            raise forms.ValidationError("Enter a blood pressure reading, a weight or a height.", code="empty")
        return data


class RequestInfoForm(ActionForm):
    steps = forms.MultipleChoiceField(
        label="Sections to reopen",
        widget=forms.CheckboxSelectMultiple,
        help_text="The patient can change only these sections, then resubmits.",
    )
    message = forms.CharField(
        label="Message to the patient",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=TEXT_LIMIT,
        help_text="The patient reads this: say what is missing or unclear.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["steps"].choices = step_choices()  # type: ignore[attr-defined]


def flag_field_name(rule: str) -> str:
    return f"flag_reason_{rule}"


class DecisionForm(ActionForm):
    outcome = forms.ChoiceField(label="Decision", choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_LIMIT)

    def __init__(self, *args: Any, departing: list[Mapping[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.departing_rules: list[str] = []
        for flag in departing:
            rule = str(flag["rule"])
            level = Level(flag["level"]).label if flag["level"] in Level.values else flag["level"]
            self.departing_rules.append(rule)
            self.fields[flag_field_name(rule)] = forms.CharField(
                label=f"Reason for approving despite {rule} ({level})",
                help_text=f"Required only when approving. Flag: {flag.get('message', '')}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "js-flag-reason"}),
                max_length=TEXT_LIMIT,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = {rule: data.get(flag_field_name(rule)) or "" for rule in self.departing_rules}
        lacking = flags_lacking_a_reason(
            outcome=data.get("outcome") or "", departing_rules=self.departing_rules, given=given
        )
        for rule in lacking:
            if flag_field_name(rule) not in self.errors:
                self.add_error(flag_field_name(rule), forms.ValidationError(FLAG_REASON_REQUIRED, code="required"))
        return data

    def flag_reasons(self) -> dict[str, str]:
        return {rule: self.cleaned_data.get(flag_field_name(rule)) or "" for rule in self.departing_rules}


class NoteForm(ActionForm):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_LIMIT)


# --- The queue ----------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The queue's filters. They travel in the address bar, so they hold no patient data."""

    level = forms.ChoiceField(label="Outcome level", required=False)
    status = forms.ChoiceField(label="Status", required=False)
    assigned = forms.ChoiceField(label="Assigned to", required=False)
    date_from = forms.DateField(
        label="Waiting since, from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label="to", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "Any level"), *Level.choices]  # type: ignore[attr-defined]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (STATUS_OPEN, "Open (not decided)"),
            (STATUS_ANY, "Any status"),
            *CaseStatus.choices,
        ]
        self.fields["assigned"].choices = [  # type: ignore[attr-defined]
            ("", "Anyone or nobody"),
            (ASSIGNED_ME, "Me"),
            (ASSIGNED_NOBODY, "Nobody yet"),
            *[(str(person.pk), person.full_name or person.email) for person in staff],
        ]
        # The filters sit in the queue's compact bar: small controls.
        for name, field in self.fields.items():
            choice = isinstance(field, forms.ChoiceField)
            css = "form-select form-select-sm" if choice else "form-control form-control-sm"
            field.widget.attrs["class"] = css + (" is-invalid" if self.is_bound and name in self.errors else "")

    def active_count(self) -> int:
        """How many filters differ from the default (open cases, any level, anyone, any date)."""
        if not self.is_bound:
            return 0
        filters = self.filters()
        return sum(
            (
                bool(filters.level),
                filters.status != STATUS_OPEN,
                bool(filters.assigned),
                bool(filters.date_from or filters.date_to),
            )
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", forms.ValidationError("The end date is before the start date.", code="order"))
        return data

    def filters(self) -> QueueFilters:
        """The valid filters; an invalid one is left out (its error shows beside it)."""
        if not self.is_bound:
            return QueueFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return QueueFilters(
            level=data.get("level") or "",
            status=data.get("status") or STATUS_OPEN,
            assigned=data.get("assigned") or "",
            date_from=data.get("date_from") if "date_to" not in self.errors else None,
            date_to=data.get("date_to") if "date_to" not in self.errors else None,
        )


class SearchForm(forms.Form):
    """Search by name, e-mail or date of birth. It is posted, never put in the address bar."""

    q = forms.CharField(
        label="Find a patient",
        max_length=150,
        help_text="Name, e-mail address or date of birth (YYYY-MM-DD or MM/DD/YYYY).",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "class": "form-control form-control-sm",
                "placeholder": "Name, e-mail or date of birth",
                "title": "Name, e-mail address or date of birth (YYYY-MM-DD or MM/DD/YYYY)",
                "autocomplete": "off",
            }
        ),
    )
