"""One form per intake step. Forms validate and tidy the patient's answers; they never decide
eligibility (that is the screening engine's job).

Every question is optional at form level: an unanswered question stays ``NULL`` (unknown),
is listed as missing on the review page, and the engine reports it as ``INCOMPLETE``. Every
question that feeds a rule offers "I don't know" where the spec has ``unknown``.

A form's fields, in declaration order, are its page's questions in page order, and those that
are Intake columns are the columns it writes (``columns``; ``column_values()`` gives them from
``cleaned_data``). Its ``layout`` (intake/layout.py) adds the headings, the either-or groups
and the follow-up questions; the one step template renders any form from it, so adding a
question is one line here plus its migration. Forms with rows (medications, antidepressants)
also carry a formset class.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.choices import normalize_choices

from clinic.text import clean_name
from intake.date_input import DateInputField
from intake.layout import Either, FollowUp, LayoutItem, Rows, Section
from intake.models import (
    Arrhythmia,
    ConsentVersion,
    HeartFailure,
    Intake,
    LiverDisease,
    Pregnant,
    RoutePreference,
    SexAtBirth,
    Tri,
    YesNo,
)
from screening.engine.facts import (
    CSSRS_FOLLOWUP_AFTER_Q2,
    CSSRS_FOLLOWUP_AFTER_Q6,
    CSSRS_KEYS,
    MAX_AGE_YEARS,
    valid_range,
)
from screening.engine.scoring import DIASTOLIC_ENTRY, PATIENT_SYSTOLIC_ENTRY, age_on

NUL_MESSAGE = (
    "This text contained a hidden control character (a null byte) that cannot be stored. "
    "We removed it: please check the text and save again."
)
CHOICE_MESSAGE = "Select a valid choice. That answer is not one of the options."
EARLIEST_DATE = dt.date(1900, 1, 1)

# SCREENING_SPEC §3: the plausible ranges of height and weight.
HEIGHT_CM_MIN, HEIGHT_CM_MAX = (Decimal(n) for n in valid_range("patient.height_cm"))
WEIGHT_KG_MIN, WEIGHT_KG_MAX = (Decimal(n) for n in valid_range("patient.weight_kg"))
CM_PER_INCH = Decimal("2.54")
KG_PER_POUND = Decimal("0.45359237")
# Outside these a blood-pressure number is a typo, not a reading.
SYSTOLIC_RANGE = PATIENT_SYSTOLIC_ENTRY
DIASTOLIC_RANGE = DIASTOLIC_ENTRY
MAX_ROWS = 30


def today() -> dt.date:
    """The clinic's today; tests travel in time with time_machine."""
    return timezone.localdate()


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- Field builders -------------------------------------------------------------------


class NoNulCharField(forms.CharField):
    """A CharField whose null-byte error says plainly what happened."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validators = [
            ProhibitNullCharactersValidator(message=NUL_MESSAGE, code="null_characters_not_allowed")
            if isinstance(v, ProhibitNullCharactersValidator)
            else v
            for v in self.validators
        ]


class _PlainCopy:
    """``copy.copy`` as a copy of the instance's attributes, without the generic reduce
    protocol (a step form copies every field and widget it declares, on every POST)."""

    def __copy__(self) -> Any:
        copied = object.__new__(type(self))
        copied.__dict__.update(self.__dict__)
        return copied


class FixedRadioSelect(_PlainCopy, forms.RadioSelect):
    """Radio buttons whose options (a tuple) every copy shares (``FixedChoices``)."""

    @property
    def choices(self) -> Any:
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        self._choices = tuple(normalize_choices(value))

    def __deepcopy__(self, memo: dict[int, Any]) -> FixedRadioSelect:
        copied = copy.copy(self)
        copied.attrs = self.attrs.copy()
        memo[id(self)] = copied
        return copied


class FixedChoices(_PlainCopy):
    """A choice field whose options are fixed where its form is declared: each form built
    shares them (a tuple) instead of deep-copying them, which was a fifth of building a step's
    form, on every step POST (issue 13). Setting a form's field ``choices`` still replaces them
    for that form only."""

    widget = FixedRadioSelect

    @property
    def choices(self) -> Any:
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        self.widget.choices = value  # type: ignore[attr-defined]  # a FixedRadioSelect: normalized once, a tuple
        self._choices = self.widget.choices  # type: ignore[attr-defined]

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        # Field's copy (a shallow copy, its widget copied): the options stay shared.
        return forms.Field.__deepcopy__(self, memo)  # type: ignore[arg-type]


class AnswerChoiceField(FixedChoices, forms.ChoiceField):
    pass


class ScoreChoiceField(FixedChoices, forms.TypedChoiceField):
    pass


def choice(label: str, choices: Any, help_text: str = "") -> forms.ChoiceField:
    """A radio group; nothing chosen means "not answered" (NULL), never "no"."""
    return AnswerChoiceField(
        label=label,
        choices=choices,
        required=False,
        help_text=help_text,
        error_messages={"invalid_choice": CHOICE_MESSAGE},
    )


def tri(label: str, help_text: str = "") -> forms.ChoiceField:
    return choice(label, Tri.choices, help_text)


def yes_no(label: str, help_text: str = "") -> forms.ChoiceField:
    return choice(label, YesNo.choices, help_text)


def scale(label: str, options: list[tuple[int, str]]) -> forms.TypedChoiceField:
    """A questionnaire item scored 0..n: its options are the official wording."""
    return ScoreChoiceField(
        label=label,
        choices=options,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": CHOICE_MESSAGE},
    )


def date_field(
    label: str, *, subject: str, example: str, help_text: str = "", autocomplete: str = ""
) -> DateInputField:
    """Day, month and year boxes; the hint ends with an example typed as the patient would."""
    return DateInputField(
        label=label,
        subject=subject,
        example=example,
        autocomplete=autocomplete,
        help_text=" ".join(filter(None, [help_text, f"For example, {example}"])),
    )


def text(label: str, max_length: int, help_text: str = "", **attrs: str) -> NoNulCharField:
    return NoNulCharField(
        label=label,
        max_length=max_length,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


# --- Base -------------------------------------------------------------------------------


_INTAKE_COLUMNS = frozenset(f.name for f in Intake._meta.concrete_fields)


class StepForm(forms.Form):
    """A step's form. ``columns`` are the Intake columns it writes: its declared fields that
    are Intake columns, in page order (a form may name them itself, in the same order)."""

    columns: ClassVar[tuple[str, ...]] = ()
    layout: ClassVar[tuple[LayoutItem, ...]] = ()
    # Answers written even when another field of the page fails validation: a "yes" to a
    # safety question must reach the safety check whatever else is wrong on the page.
    safety_columns: ClassVar[tuple[str, ...]] = ()
    formset_class: ClassVar[type[forms.BaseFormSet] | None] = None
    formset_prefix: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The metaclass has collected this class's own fields by now (declared_fields); a
        # parent's come first, as on the page.
        inherited = (name for base in reversed(cls.__mro__[1:]) for name in getattr(base, "base_fields", {}))
        fields = tuple(dict.fromkeys([*inherited, *cls.declared_fields]))
        declared = tuple(name for name in fields if name in _INTAKE_COLUMNS)
        if "columns" not in cls.__dict__:
            cls.columns = declared
        elif cls.columns != declared:
            raise TypeError(f"{cls.__name__}.columns must be its Intake fields in page order: {declared}")
        named = {name for item in cls.layout for name in getattr(item, "fields", (getattr(item, "starts", ""),))}
        named |= {item.controller for item in cls.layout if isinstance(item, FollowUp)}
        if unknown := named - set(fields):
            raise TypeError(f"{cls.__name__}.layout names fields it does not have: {sorted(unknown)}")

    @classmethod
    def follow_up_of(cls, name: str) -> FollowUp | None:
        """The follow-up a question belongs to (None: it is always asked)."""
        return next((item for item in cls.layout if isinstance(item, FollowUp) and name in item.fields), None)

    def __init__(self, *args: Any, intake: Intake, **kwargs: Any) -> None:
        self.intake = intake
        kwargs.setdefault("initial", self.initial_from(intake))
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_from(cls, intake: Intake) -> dict[str, Any]:
        return {name: getattr(intake, name) for name in cls.columns}

    def column_values(self) -> dict[str, Any]:
        """The cleaned answers by column; an empty choice is NULL (not answered)."""
        return {name: self._stored(name, self.cleaned_data.get(name)) for name in self.columns}

    def safety_values(self) -> dict[str, Any]:
        """The safety answers that passed validation, for a page that failed elsewhere."""
        cleaned = getattr(self, "cleaned_data", {})
        return {name: self._stored(name, cleaned[name]) for name in self.safety_columns if name in cleaned}

    @staticmethod
    def _stored(name: str, value: Any) -> Any:
        # Answer columns are nullable (NULL = not answered); free-text columns store "".
        if Intake._meta.get_field(name).null:
            return None if value == "" else value
        return "" if value is None else value

    def row_values(self, formset: forms.BaseFormSet | None) -> list[dict[str, Any]] | None:
        """The rows of the formset, blank rows dropped, or None when the step has no rows."""
        return None

    def clean_rows(self, formset: forms.BaseFormSet | None) -> None:
        """Cross-checks between the form and its rows (after both validated)."""


# --- 1. About you -----------------------------------------------------------------------


PHONE_RE = re.compile(r"^[0-9+().\-\s]+$")


class AboutForm(StepForm):
    layout = (
        Either(
            "height-group",
            "Height",
            "In centimetres, or in feet and inches.",
            (("height_cm",), ("height_ft", "height_in")),
        ),
        Either("weight-group", "Weight", "In kilograms or in pounds.", (("weight_kg",), ("weight_lb",))),
    )

    date_of_birth = date_field("Date of birth", subject="Date of birth", example="27 3 1988", autocomplete="bday")
    sex_at_birth = choice(
        "Sex assigned at birth",
        SexAtBirth.choices,
        help_text="Some medicines and questionnaire scores depend on it.",
    )
    height_cm = forms.DecimalField(
        label="Height (cm)",
        required=False,
        max_digits=7,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    height_ft = forms.IntegerField(
        label="Height (feet)",
        required=False,
        min_value=0,
        max_value=8,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    height_in = forms.DecimalField(
        label="and inches",
        required=False,
        min_value=0,
        max_value=Decimal("11.99"),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        required=False,
        max_digits=7,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    weight_lb = forms.DecimalField(
        label="Weight (lb)",
        required=False,
        max_digits=7,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    phone = text(
        "Phone number",
        30,
        help_text="So the clinic can call you back, for example (555) 123-4567.",
        type="tel",
        autocomplete="tel",
    )

    # Both unit systems are on the page; the patient fills in one of them.
    unit_groups: ClassVar[dict[str, tuple[str, ...]]] = {
        "height": ("height_cm", "height_ft", "height_in"),
        "weight": ("weight_kg", "weight_lb"),
    }

    def clean_date_of_birth(self) -> dt.date | None:
        born = self.cleaned_data.get("date_of_birth")
        if born is None:
            return None
        now = today()
        if born > now:
            raise forms.ValidationError("Your date of birth cannot be in the future.", code="future")
        if age_on(born, now) > MAX_AGE_YEARS:
            raise forms.ValidationError(
                "That date would make you more than 120 years old. Please check the year.", code="too_old"
            )
        return born

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data.get("phone", "").split())
        if not phone:
            return ""
        digits = sum(ch.isdigit() for ch in phone)
        if not PHONE_RE.match(phone) or not 7 <= digits <= 15:
            raise forms.ValidationError(
                "Enter a phone number of 7 to 15 digits; you may use spaces, +, -, ( and ).", code="invalid_phone"
            )
        return phone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["height_cm"] = self._clean_height(cleaned)
        cleaned["weight_kg"] = self._clean_weight(cleaned)
        return cleaned

    def _clean_height(self, cleaned: dict[str, Any]) -> Decimal | None:
        if any(name in self.errors for name in self.unit_groups["height"]):
            return None
        cm, feet, inches = cleaned.get("height_cm"), cleaned.get("height_ft"), cleaned.get("height_in")
        if cm is not None and (feet is not None or inches is not None):
            self.add_error(
                "height_cm",
                forms.ValidationError(
                    "Give your height either in centimetres or in feet and inches, not both.", code="both_units"
                ),
            )
            return None
        if cm is not None:
            value = _tenth(cm)
            if not HEIGHT_CM_MIN <= value <= HEIGHT_CM_MAX:
                self.add_error(
                    "height_cm",
                    forms.ValidationError("Enter a height between 120 and 230 cm.", code="out_of_range"),
                )
                return None
            return value
        if feet is None and inches is None:
            return None
        value = _tenth(((feet or 0) * 12 + (inches or Decimal(0))) * CM_PER_INCH)
        if not HEIGHT_CM_MIN <= value <= HEIGHT_CM_MAX:
            self.add_error(
                "height_ft",
                forms.ValidationError(
                    "Enter a height between about 3 ft 11 in and 7 ft 6 in (120 to 230 cm).", code="out_of_range"
                ),
            )
            return None
        return value

    def _clean_weight(self, cleaned: dict[str, Any]) -> Decimal | None:
        if any(name in self.errors for name in self.unit_groups["weight"]):
            return None
        kg, pounds = cleaned.get("weight_kg"), cleaned.get("weight_lb")
        if kg is not None and pounds is not None:
            self.add_error(
                "weight_kg",
                forms.ValidationError(
                    "Give your weight either in kilograms or in pounds, not both.", code="both_units"
                ),
            )
            return None
        if kg is None and pounds is None:
            return None
        field = "weight_kg" if kg is not None else "weight_lb"
        value = _tenth(kg if kg is not None else pounds * KG_PER_POUND)
        if not WEIGHT_KG_MIN <= value <= WEIGHT_KG_MAX:
            message = (
                "Enter a weight between 30 and 300 kg."
                if kg is not None
                else "Enter a weight between about 67 and 661 lb (30 to 300 kg)."
            )
            self.add_error(field, forms.ValidationError(message, code="out_of_range"))
            return None
        return value


# --- 2. Pregnancy and breastfeeding ------------------------------------------------------


class PregnancyForm(StepForm):
    # When a pregnancy is not possible, the questions about one are not needed (spec PRG-04);
    # while that is unanswered they are.
    layout = (
        FollowUp("pregnancy_possible", ("pregnant",), unless=(Tri.NO,)),
        FollowUp("pregnancy_possible", ("planning_pregnancy",), unless=(Tri.NO,)),
    )

    pregnancy_possible = tri("Is it possible that you could become pregnant?")
    pregnant = choice("Are you pregnant now, or could you be?", Pregnant.choices)
    breastfeeding = tri("Are you breastfeeding or chestfeeding?")
    planning_pregnancy = tri("Are you planning a pregnancy in the next 12 months?")


# --- 3. Heart and circulation -------------------------------------------------------------


class HeartForm(StepForm):
    layout = (
        Section("Blood vessels and the brain", starts="aneurysm"),
        Section("Heart", starts="cardiovascular_event"),
        FollowUp("cardiovascular_event", ("cardiovascular_event_date",), when=(Tri.YES,)),
        Section("Blood pressure", starts="hypertension_diagnosed"),
        FollowUp("hypertension_diagnosed", ("hypertension_controlled",), when=(Tri.YES,)),
        FollowUp(
            "bp_known",
            ("bp_systolic", "bp_diastolic", "bp_date"),
            when=(YesNo.YES,),
            legend="If yes: your most recent reading",
            help="For example 120 over 80: the top number is 120, the bottom number is 80.",
        ),
    )

    aneurysm = tri(
        "Have you ever been told you have an aneurysm (a bulging blood vessel) in your brain, chest, belly "
        "or elsewhere?"
    )
    arteriovenous_malformation = tri(
        "Have you ever been told you have an arteriovenous malformation (AVM), a tangle of blood vessels?"
    )
    intracerebral_hemorrhage = tri("Have you ever had bleeding in the brain (a brain hemorrhage)?")
    cardiovascular_event = tri(
        "Have you ever had a heart attack, a stent or bypass operation on your heart, or another sudden serious "
        "heart or blood-vessel problem?"
    )
    cardiovascular_event_date = date_field(
        "If yes: when was the most recent one?",
        subject="The date of the event",
        example="14 6 2024",
        help_text="An approximate date is fine.",
    )
    unstable_angina = tri("Do you have unstable angina (chest pain that comes on at rest or is getting worse)?")
    coronary_artery_disease = tri("Have you been told you have coronary artery disease (narrowed heart arteries)?")
    valvular_disease = tri("Do you have a heart valve problem?")
    stroke_or_tia = tri("Have you ever had a stroke or a mini-stroke (TIA)?")
    heart_failure = choice("Have you been told you have heart failure?", HeartFailure.choices)
    arrhythmia = choice(
        "Do you have an irregular heartbeat (arrhythmia), such as atrial fibrillation?", Arrhythmia.choices
    )
    hypertension_diagnosed = tri("Has a doctor or nurse ever told you that you have high blood pressure?")
    hypertension_controlled = tri("If yes: is your blood pressure under control now, with or without medicine?")
    hypertensive_encephalopathy = tri(
        "Have you ever had hypertensive encephalopathy (confusion or brain swelling caused by very high "
        "blood pressure)?"
    )
    bp_known = yes_no(
        "Do you know your most recent blood-pressure reading?",
        help_text="Clinic staff will measure your blood pressure again before any treatment.",
    )
    bp_systolic = forms.IntegerField(
        label="Top number (systolic)",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Enter a whole number, for example 120."},
    )
    bp_diastolic = forms.IntegerField(
        label="Bottom number (diastolic)",
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Enter a whole number, for example 80."},
    )
    bp_date = date_field("Date of that reading", subject="The date of the reading", example="14 6 2025")

    def clean_cardiovascular_event_date(self) -> dt.date | None:
        return _past_date(
            self.cleaned_data.get("cardiovascular_event_date"), self.fields["cardiovascular_event_date"].subject
        )

    def clean_bp_date(self) -> dt.date | None:
        return _past_date(self.cleaned_data.get("bp_date"), self.fields["bp_date"].subject)

    def clean_bp_systolic(self) -> int | None:
        return _in_range(self.cleaned_data.get("bp_systolic"), SYSTOLIC_RANGE, "The top number")

    def clean_bp_diastolic(self) -> int | None:
        return _in_range(self.cleaned_data.get("bp_diastolic"), DIASTOLIC_RANGE, "The bottom number")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        event, event_date = cleaned.get("cardiovascular_event"), cleaned.get("cardiovascular_event_date")
        if event_date is not None and event != Tri.YES:
            self.add_error(
                "cardiovascular_event_date",
                forms.ValidationError(
                    "You gave a date but did not answer Yes above: choose Yes, or clear the date.",
                    code="date_without_event",
                ),
            )
        systolic, diastolic = cleaned.get("bp_systolic"), cleaned.get("bp_diastolic")
        if systolic is not None and diastolic is not None and diastolic >= systolic:
            self.add_error(
                "bp_diastolic",
                forms.ValidationError(
                    "The bottom number (diastolic) must be lower than the top number (systolic). "
                    "Please check the order.",
                    code="diastolic_not_below_systolic",
                ),
            )
        reading_given = any(cleaned.get(name) is not None for name in ("bp_systolic", "bp_diastolic", "bp_date"))
        if cleaned.get("bp_known") == YesNo.NO and reading_given:
            self.add_error(
                "bp_known",
                forms.ValidationError(
                    "You typed a reading below: choose Yes, or clear the reading.", code="reading_without_yes"
                ),
            )
        elif reading_given and not cleaned.get("bp_known") and "bp_known" not in self.errors:
            # Typing a reading answers the question.
            cleaned["bp_known"] = YesNo.YES
        return cleaned


def _past_date(value: dt.date | None, what: str) -> dt.date | None:
    if value is None:
        return None
    if value > today():
        raise forms.ValidationError(f"{what} cannot be in the future.", code="future")
    if value < EARLIEST_DATE:
        raise forms.ValidationError(f"{what} must be after 1900. Please check the year.", code="too_early")
    return value


def _in_range(value: int | None, bounds: tuple[int, int], what: str) -> int | None:
    if value is None:
        return None
    if not bounds[0] <= value <= bounds[1]:
        raise forms.ValidationError(
            f"{what} must be between {bounds[0]} and {bounds[1]}. Please check the reading.", code="out_of_range"
        )
    return value


# --- 4. Other medical history -----------------------------------------------------------


class MedicalForm(StepForm):
    ketamine_allergy = tri("Have you ever had an allergic reaction to ketamine or esketamine (Spravato)?")
    raised_intracranial_pressure = tri(
        "Have you been told you have raised pressure inside your skull (raised intracranial pressure)?"
    )
    liver_disease = choice(
        "Do you have liver disease, such as cirrhosis or hepatitis?",
        LiverDisease.choices,
        help_text="If you have it but do not know how severe it is, choose \u201cI don't know\u201d.",
    )
    lung_disease = tri("Do you have a long-term lung disease, such as COPD or severe asthma?")
    sleep_apnea = tri("Have you been told you have sleep apnea (your breathing stops while you sleep)?")
    hyperthyroidism_untreated = tri("Do you have an overactive thyroid (hyperthyroidism) that is not being treated?")
    glaucoma = tri("Do you have glaucoma (raised pressure in the eye)?")
    seizure_recent = tri("Have you had a seizure (fit) in the past 12 months?")
    delirium = tri("Have you recently had delirium (confusion that came on suddenly)?")
    cognitive_impairment = tri("Do you have memory or thinking problems, such as dementia, that affect daily life?")
    bladder_problems = tri(
        "Do you have bladder problems, such as pain when passing urine, needing to go often or urgently, "
        "or blood in your urine?"
    )


# --- 5. Mental health history --------------------------------------------------------------


class TrialRowForm(forms.Form):
    """One antidepressant tried in this episode."""

    name = text("Medicine name", 200, autocomplete="off")
    weeks = forms.IntegerField(
        label="How many weeks did you take it?",
        required=False,
        min_value=0,
        max_value=520,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter a whole number of weeks.",
            "max_value": "Enter a number of weeks up to 520 (10 years).",
            "min_value": "The number of weeks cannot be negative.",
        },
    )
    full_dose = tri("Did you reach the full dose your prescriber intended?")
    helped = tri("Did it help enough?")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name = clean_name(cleaned.get("name") or "")
        cleaned["name"] = name
        others = any(cleaned.get(key) not in (None, "") for key in ("weeks", "full_dose", "helped"))
        if others and not name and "name" not in self.errors:
            self.add_error("name", forms.ValidationError("Give the medicine's name.", code="name_required"))
        return cleaned


class MedicationRowForm(forms.Form):
    """One medicine taken now, as the patient writes it."""

    name = text("Medicine name", 200, autocomplete="off")
    dose = text("Dose", 100, help_text="For example 50 mg.", autocomplete="off")
    frequency = text("How often", 100, help_text="For example once a day.", autocomplete="off")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key in ("name", "dose", "frequency"):
            cleaned[key] = clean_name(cleaned.get(key) or "")
        if (cleaned["dose"] or cleaned["frequency"]) and not cleaned["name"] and "name" not in self.errors:
            self.add_error("name", forms.ValidationError("Give the medicine's name.", code="name_required"))
        return cleaned


class RowFormSet(forms.BaseFormSet):
    """Rows without JavaScript: "Add another" and "Remove" buttons post the whole page."""

    def filled_rows(self) -> list[dict[str, Any]]:
        return [
            form.cleaned_data
            for form in self.forms
            if getattr(form, "cleaned_data", None) and form.cleaned_data.get("name")
        ]


TrialFormSet = forms.formset_factory(
    TrialRowForm, formset=RowFormSet, extra=0, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS
)
MedicationFormSet = forms.formset_factory(
    MedicationRowForm, formset=RowFormSet, extra=0, max_num=MAX_ROWS, validate_max=True, absolute_max=MAX_ROWS
)


class RowsMixin:
    """Shared by the two steps with rows: the yes/no question and the rows must agree."""

    rows_question: ClassVar[str]
    rows_yes_message: ClassVar[str]

    def clean_rows(self, formset: forms.BaseFormSet | None) -> None:
        form: StepForm = self  # type: ignore[assignment]
        if formset is None or not formset.is_valid():
            return
        answer = form.cleaned_data.get(self.rows_question)
        if formset.filled_rows() and answer in (Tri.NO, Tri.UNKNOWN):
            form.add_error(self.rows_question, forms.ValidationError(self.rows_yes_message, code="rows_without_yes"))
        elif formset.filled_rows() and not answer and self.rows_question not in form.errors:
            # Listing rows answers the question.
            form.cleaned_data[self.rows_question] = Tri.YES


class MentalHealthForm(RowsMixin, StepForm):
    formset_class = TrialFormSet
    formset_prefix = "trials"
    rows_question = "antidepressants_tried"
    rows_yes_message = "You listed antidepressants below: choose Yes, or remove them."
    layout = (
        FollowUp(
            "antidepressants_tried",
            (
                Rows(
                    title="Antidepressants tried in this episode",
                    noun="Antidepressant",
                    help="Count a medicine you took at the full dose for at least 6 weeks as an adequate trial; "
                    "list the others too.",
                    add_first="Add an antidepressant",
                    add_more="Add another antidepressant",
                ),
            ),
            when=(Tri.YES,),
        ),
    )

    psychotic_disorder = tri(
        "Have you ever been diagnosed with schizophrenia, schizoaffective disorder or delusional disorder?"
    )
    psychotic_symptoms_current = tri(
        "In the past month, have you heard or seen things other people could not, or held strong beliefs that "
        "others said were not true (hallucinations or delusions)?"
    )
    psychotic_features_past = tri(
        "Have you ever had hallucinations or delusions during a period of depression or mania, or after using drugs?"
    )
    family_psychosis = tri(
        "Does a parent, brother, sister or child of yours have schizophrenia or another psychotic disorder?"
    )
    mania_current = tri(
        "Are you in a manic or hypomanic episode now (an unusually high or irritable mood, with much more energy "
        "and less need for sleep than usual)?"
    )
    bipolar_or_mania_history = tri(
        "Have you ever been diagnosed with bipolar disorder, or had an episode of mania or hypomania?"
    )
    prior_ketamine_treatment = tri("Have you had ketamine or esketamine (Spravato) as a treatment before?")
    antidepressants_tried = tri(
        "During this episode of depression, have you tried any antidepressant medicine?",
        help_text="If yes, list each one below: its name, how long you took it, whether you reached the full dose, "
        "and whether it helped enough.",
    )

    def row_values(self, formset: forms.BaseFormSet | None) -> list[dict[str, Any]] | None:
        if formset is None or self.cleaned_data.get("antidepressants_tried") != Tri.YES:
            return []
        return [
            {
                "name": row["name"],
                "weeks": row.get("weeks"),
                "full_dose": row.get("full_dose") or None,
                "helped": row.get("helped") or None,
            }
            for row in formset.filled_rows()
        ]


# --- 6. PHQ-9 and 7. GAD-7 -----------------------------------------------------------------

# The official response options (Kroenke 2001; Spitzer 2006): the zero is "Not at all".
FREQUENCY_OPTIONS = [(0, "Not at all"), (1, "Several days"), (2, "More than half the days"), (3, "Nearly every day")]

PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite \u2014 being so fidgety "
    "or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)


class PHQ9Form(StepForm):
    """PHQ-9 (Kroenke, Spitzer & Williams 2001), official wording and options."""

    # Item 9 feeds the suicide-risk rule SAF-01.
    safety_columns = ("phq9_9",)

    phq9_1 = scale(f"1. {PHQ9_ITEMS[0]}", FREQUENCY_OPTIONS)
    phq9_2 = scale(f"2. {PHQ9_ITEMS[1]}", FREQUENCY_OPTIONS)
    phq9_3 = scale(f"3. {PHQ9_ITEMS[2]}", FREQUENCY_OPTIONS)
    phq9_4 = scale(f"4. {PHQ9_ITEMS[3]}", FREQUENCY_OPTIONS)
    phq9_5 = scale(f"5. {PHQ9_ITEMS[4]}", FREQUENCY_OPTIONS)
    phq9_6 = scale(f"6. {PHQ9_ITEMS[5]}", FREQUENCY_OPTIONS)
    phq9_7 = scale(f"7. {PHQ9_ITEMS[6]}", FREQUENCY_OPTIONS)
    phq9_8 = scale(f"8. {PHQ9_ITEMS[7]}", FREQUENCY_OPTIONS)
    phq9_9 = scale(f"9. {PHQ9_ITEMS[8]}", FREQUENCY_OPTIONS)


class GAD7Form(StepForm):
    """GAD-7 (Spitzer et al. 2006), official wording and options."""

    gad7_1 = scale(f"1. {GAD7_ITEMS[0]}", FREQUENCY_OPTIONS)
    gad7_2 = scale(f"2. {GAD7_ITEMS[1]}", FREQUENCY_OPTIONS)
    gad7_3 = scale(f"3. {GAD7_ITEMS[2]}", FREQUENCY_OPTIONS)
    gad7_4 = scale(f"4. {GAD7_ITEMS[3]}", FREQUENCY_OPTIONS)
    gad7_5 = scale(f"5. {GAD7_ITEMS[4]}", FREQUENCY_OPTIONS)
    gad7_6 = scale(f"6. {GAD7_ITEMS[5]}", FREQUENCY_OPTIONS)
    gad7_7 = scale(f"7. {GAD7_ITEMS[6]}", FREQUENCY_OPTIONS)


# --- 8. C-SSRS screener -----------------------------------------------------------------------


class CSSRSForm(StepForm):
    """Columbia Suicide Severity Rating Scale, Screen Version \u2013 Recent (Posner et al. 2011).

    Skip logic (SCREENING_SPEC §4), kept on the server: Q1, Q2 and Q6 are always shown;
    Q3\u2013Q5 once Q2 is yes; the 3-month question once Q6 is yes. Answers to a question the skip
    logic would not have asked are still stored and used: a yes is never ignored.
    """

    columns = tuple(f"cssrs_{key}" for key in CSSRS_KEYS)
    safety_columns = columns
    FOLLOWUP_Q3_Q5 = tuple(f"cssrs_{key}" for key in CSSRS_FOLLOWUP_AFTER_Q2)
    FOLLOWUP_Q6 = tuple(f"cssrs_{key}" for key in CSSRS_FOLLOWUP_AFTER_Q6)
    # The skip logic stays on the server: the follow-ups are on the page only once asked.
    layout = (
        Section("In the past month:", starts="cssrs_q1"),
        FollowUp("cssrs_q2", FOLLOWUP_Q3_Q5, when=(YesNo.YES,), server_gate="show_q3_q5", shown="q3_q5"),
        Section("At any time in your life:", starts="cssrs_q6"),
        FollowUp("cssrs_q6", FOLLOWUP_Q6, when=(YesNo.YES,), server_gate="show_q6_timing", shown="q6_timing"),
    )

    cssrs_q1 = yes_no("1. Have you wished you were dead or wished you could go to sleep and not wake up?")
    cssrs_q2 = yes_no("2. Have you actually had any thoughts of killing yourself?")
    cssrs_q3 = yes_no(
        "3. Have you been thinking about how you might do this?",
        help_text="For example: \u201cI thought about taking an overdose but I never made a specific plan as to "
        "when, where or how I would actually do it\u2026 and I would never go through with it.\u201d",
    )
    cssrs_q4 = yes_no(
        "4. Have you had these thoughts and had some intention of acting on them?",
        help_text="As opposed to \u201cI have the thoughts but I definitely will not do anything about them.\u201d",
    )
    cssrs_q5 = yes_no(
        "5. Have you started to work out or worked out the details of how to kill yourself? "
        "Do you intend to carry out this plan?"
    )
    cssrs_q6 = yes_no(
        "6. Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
        help_text="Examples: collected pills, obtained a gun, gave away valuables, wrote a will or suicide note, "
        "took out pills but didn't swallow any, held a gun but changed your mind or it was grabbed from your hand, "
        "went to the roof but didn't jump; or actually took pills, tried to shoot yourself, cut yourself, tried to "
        "hang yourself, etc.",
    )
    cssrs_q6_past_3_months = yes_no("Was this within the past 3 months?")

    def _answer(self, name: str) -> Any:
        if self.is_bound:
            return self.data.get(self.add_prefix(name)) or None
        return getattr(self.intake, name)

    @property
    def show_q3_q5(self) -> bool:
        return self._answer("cssrs_q2") == YesNo.YES or any(self._answer(n) for n in self.FOLLOWUP_Q3_Q5)

    @property
    def show_q6_timing(self) -> bool:
        return self._answer("cssrs_q6") == YesNo.YES or any(self._answer(n) for n in self.FOLLOWUP_Q6)


# --- 9. Alcohol and drugs ------------------------------------------------------------------------

# AUDIT items 1–3 (Babor et al., WHO 2001; AUDIT-C, Bush et al. 1998): the official options.
AUDITC_ITEMS = (
    (
        "1. How often do you have a drink containing alcohol?",
        [
            (0, "Never"),
            (1, "Monthly or less"),
            (2, "2 to 4 times a month"),
            (3, "2 to 3 times a week"),
            (4, "4 or more times a week"),
        ],
    ),
    (
        "2. How many drinks containing alcohol do you have on a typical day when you are drinking?",
        [(0, "1 or 2"), (1, "3 or 4"), (2, "5 or 6"), (3, "7, 8 or 9"), (4, "10 or more")],
    ),
    (
        "3. How often do you have six or more drinks on one occasion?",
        [(0, "Never"), (1, "Less than monthly"), (2, "Monthly"), (3, "Weekly"), (4, "Daily or almost daily")],
    ),
)
# DAST-10 (Skinner 1982), official wording; the questions refer to the past 12 months.
DAST10_ITEMS = (
    "Have you used drugs other than those required for medical reasons?",
    "Do you abuse more than one drug at a time?",
    "Are you always able to stop using drugs when you want to?",
    "Have you had \u201cblackouts\u201d or \u201cflashbacks\u201d as a result of drug use?",
    "Do you ever feel bad or guilty about your drug use?",
    "Does your spouse (or parents) ever complain about your involvement with drugs?",
    "Have you neglected your family because of your use of drugs?",
    "Have you engaged in illegal activities in order to obtain drugs?",
    "Have you ever experienced withdrawal symptoms (felt sick) when you stopped taking drugs?",
    "Have you had medical problems as a result of your drug use (e.g., memory loss, hepatitis, convulsions, "
    "bleeding, etc.)?",
)

# The instrument's instructions, in full: the first sentence on the page, the rest (what
# "drug abuse" means, the classes of drugs) one tap away, so that the page stays short.
DAST10_INSTRUCTIONS = (
    "The following questions concern information about your possible involvement with drugs not including "
    "alcoholic beverages during the past 12 months."
)
DAST10_INSTRUCTIONS_MORE = (
    "\u201cDrug abuse\u201d refers to (1) the use of prescribed or over-the-counter drugs in excess of the "
    "directions, and (2) any nonmedical use of drugs. The various classes of drugs may include cannabis "
    "(marijuana, hashish), solvents (e.g., paint thinner), tranquilizers (e.g., Valium), barbiturates, cocaine, "
    "stimulants (e.g., speed), hallucinogens (e.g., LSD) or narcotics (e.g., heroin). Remember that the questions "
    "do not include alcoholic beverages. Please answer every question. If you have difficulty with a statement, "
    "then choose the response that is mostly right."
)


class SubstanceForm(StepForm):
    layout = (
        Section("Alcohol (AUDIT-C)", starts="auditc_1"),
        Section(
            "Drug use (DAST-10)",
            starts="dast10_1",
            intro=DAST10_INSTRUCTIONS,
            more=("Read the full instructions", DAST10_INSTRUCTIONS_MORE),
        ),
        Section("Ketamine and other drugs", starts="dissociative_use_past_year"),
    )

    auditc_1 = scale(AUDITC_ITEMS[0][0], AUDITC_ITEMS[0][1])
    auditc_2 = scale(AUDITC_ITEMS[1][0], AUDITC_ITEMS[1][1])
    auditc_3 = scale(AUDITC_ITEMS[2][0], AUDITC_ITEMS[2][1])
    dast10_1 = yes_no(f"1. {DAST10_ITEMS[0]}")
    dast10_2 = yes_no(f"2. {DAST10_ITEMS[1]}")
    dast10_3 = yes_no(f"3. {DAST10_ITEMS[2]}")
    dast10_4 = yes_no(f"4. {DAST10_ITEMS[3]}")
    dast10_5 = yes_no(f"5. {DAST10_ITEMS[4]}")
    dast10_6 = yes_no(f"6. {DAST10_ITEMS[5]}")
    dast10_7 = yes_no(f"7. {DAST10_ITEMS[6]}")
    dast10_8 = yes_no(f"8. {DAST10_ITEMS[7]}")
    dast10_9 = yes_no(f"9. {DAST10_ITEMS[8]}")
    dast10_10 = yes_no(f"10. {DAST10_ITEMS[9]}")
    dissociative_use_past_year = tri(
        "In the past 12 months, have you used ketamine, PCP or a similar drug other than as prescribed?"
    )
    ketamine_use_disorder_history = tri(
        "Have you ever had a problem with ketamine use, for example finding it hard to stop?"
    )
    drug_use_disorder_current = tri(
        "Do you have a problem with drug use now, or are you being treated for one?",
        help_text="Not counting alcohol.",
    )


# --- 10. Current medications ----------------------------------------------------------------------


class MedicationsForm(RowsMixin, StepForm):
    formset_class = MedicationFormSet
    formset_prefix = "meds"
    rows_question = "takes_medications"
    rows_yes_message = "You listed medicines below: choose Yes, or remove them."
    layout = (
        FollowUp(
            "takes_medications",
            (
                Rows(
                    title="Medicines you take now",
                    noun="Medicine",
                    help="One medicine per row, with its dose and how often you take it, as written on the label "
                    "if you can.",
                    add_first="Add a medicine",
                    add_more="Add another medicine",
                ),
            ),
            when=(YesNo.YES,),
        ),
    )

    takes_medications = choice(
        "Do you take any medicines now?",
        [(YesNo.YES, "Yes"), (YesNo.NO, "No, I take none")],
        help_text="Include medicines on prescription, ones you buy yourself, supplements, and ones you take only "
        "when needed.",
    )

    def row_values(self, formset: forms.BaseFormSet | None) -> list[dict[str, Any]] | None:
        if formset is None or self.cleaned_data.get("takes_medications") != YesNo.YES:
            return []
        return [
            {"name": row["name"], "dose": row["dose"], "frequency": row["frequency"]} for row in formset.filled_rows()
        ]


# --- 11. Goals and logistics ---------------------------------------------------------------------


class GoalsForm(StepForm):
    treatment_goals = NoNulCharField(
        label="What would you like treatment to help you with?",
        max_length=4000,
        required=False,
        help_text="In your own words; up to 4000 characters.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    has_ride_home = tri(
        "After each session you must not drive until the next day, after a night's sleep. "
        "Will someone be able to take you home?"
    )
    route_preference = choice(
        "Which treatment are you asking about?",
        RoutePreference.choices,
        help_text="If you are not sure, we will consider both.",
    )

    def clean_treatment_goals(self) -> str:
        return (self.cleaned_data.get("treatment_goals") or "").strip()


# --- 12. Review and consent -----------------------------------------------------------------------


# The revision of the step's draft a page was built from: a hidden input of the step form,
# sent with every background save (services.intake_save_draft compares it with the stored one).
DRAFT_REVISION_FIELD = "draft_revision"


class DraftRevisionForm(forms.Form):
    """The revision a background save is based on: a whole number the page was given (the
    column is a PostgreSQL ``integer``); anything else is refused before anything is written."""

    draft_revision = forms.IntegerField(min_value=0, max_value=2**31 - 1)


class ConsentForm(forms.Form):
    """The typed full name is the signature; it must match the name on the account."""

    consent_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
    agree = forms.BooleanField(
        label="I have read the consent text above and I agree to it.",
        error_messages={"required": "Tick the box to agree to the consent text, or contact the clinic."},
    )
    signature = NoNulCharField(
        label="Type your full name as your signature",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Type your full name to sign."},
    )

    def __init__(self, *args: Any, full_name: str, current_consent: ConsentVersion | None, **kwargs: Any) -> None:
        self.full_name = full_name
        self.current_consent = current_consent
        initial = kwargs.setdefault("initial", {})
        if current_consent is not None:
            initial.setdefault("consent_version", current_consent.version)
        super().__init__(*args, **kwargs)

    @staticmethod
    def _normalise(name: str) -> str:
        return " ".join(name.replace(".", " ").split()).casefold()

    def clean_signature(self) -> str:
        signature = clean_name(self.cleaned_data["signature"])
        if self._normalise(signature) != self._normalise(self.full_name):
            raise forms.ValidationError(
                "Type your full name exactly as it is on your account: %(name)s.",
                code="signature_mismatch",
                params={"name": self.full_name},
            )
        return signature

    def clean_consent_version(self) -> ConsentVersion:
        version = self.cleaned_data["consent_version"]
        if self.current_consent is None:
            raise forms.ValidationError(
                "The consent text is not available right now. Please contact the clinic.", code="no_consent"
            )
        if version != self.current_consent.version:
            raise forms.ValidationError(
                "The consent text has changed since you opened this page. Please read it again and sign.",
                code="consent_changed",
            )
        return self.current_consent
