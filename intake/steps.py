"""The intake as a list of steps (pretix-style): each step knows its form, its page, whether it
applies to this patient and which of its questions are still unanswered. One view serves any
step (intake/views.py); the review page reads every step's answers from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.db import models
from django.http import QueryDict

from intake import forms as intake_forms
from intake.layout import FollowUp
from intake.models import AntidepressantTrial, Intake, IntakeMedication, YesNo

REVIEW = "review"

Predicate = Callable[[Intake], bool]
YES = YesNo.YES  # the same stored value as Tri.YES


@dataclass(frozen=True)
class Answer:
    """One answered (or unanswered) question, for the review and read-only pages."""

    question: str
    answer: str | None  # None: not answered
    rows: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One page of the intake: its questions (``form_class``), when a question is needed, how
    its answers read back, and what a save of it writes. Steps with rows (``RowsStep``) or
    skip logic (``CSSRSStep``) add to this; nothing outside a step asks which step it is."""

    key: str
    title: str
    form_class: type[intake_forms.StepForm]
    intro: str = ""
    attribution: str = ""
    # Plainer wording for the missing list where a field's label reads oddly on its own.
    missing_labels: dict[str, str] = field(default_factory=dict)
    # Whether a save of this step runs the draft safety check, which alerts the clinic at
    # once: the steps whose answers feed an urgent rule (PHQ-9 item 9 and the C-SSRS for
    # URGENT_SAFETY, the blood pressure for URGENT_MEDICAL). Other steps do not, so that an
    # alert a clinician has acknowledged is not raised again by an unrelated save.
    safety_check: bool = False

    # Every step's page is rendered from its form's layout by the one step template.
    template: ClassVar[str] = "intake/step.html"

    @property
    def columns(self) -> tuple[str, ...]:
        """The Intake columns this step writes (and only these: a save updates no other)."""
        return self.form_class.columns

    def applies(self, intake: Intake) -> bool:
        """Every step applies to everyone: pregnancy questions too, never inferred from sex."""
        return True

    # --- Reading back -------------------------------------------------------------------

    def _condition(self, name: str) -> Predicate | None:
        """When a question is needed: a follow-up ("If yes: when?", ``FollowUp`` in the form's
        layout) only after the answer that asks it; any other question always."""
        follow_up = self.form_class.follow_up_of(name)
        return None if follow_up is None else follow_up.needed

    def _label(self, name: str) -> str:
        if name in self.missing_labels:
            return self.missing_labels[name]
        return str(self.form_class.base_fields[name].label)

    def missing(self, intake: Intake) -> list[str]:
        """The step's unanswered questions, in plain words, in page order."""
        unanswered = []
        for name in self.columns:
            condition = self._condition(name)
            if condition is not None and not condition(intake):
                continue
            value = getattr(intake, name)
            if value is None or value == "":
                unanswered.append(self._label(name))
        unanswered.extend(self.missing_rows(intake))
        return unanswered

    def missing_rows(self, intake: Intake) -> list[str]:
        return []

    def is_complete(self, intake: Intake) -> bool:
        return not self.missing(intake)

    def answers(self, intake: Intake) -> list[Answer]:
        """Every question of the step with the patient's answer in words."""
        result = []
        for name in self.columns:
            condition = self._condition(name)
            value = getattr(intake, name)
            if condition is not None and not condition(intake) and value in (None, ""):
                continue
            result.append(Answer(self._label(name), _in_words(self.form_class.base_fields[name], name, value)))
        return result

    # --- Binding and saving -------------------------------------------------------------

    def bind(self, intake: Intake, data: QueryDict | None) -> tuple[intake_forms.StepForm, forms.BaseFormSet | None]:
        """The step's form (and rows), bound to ``data`` or showing the stored answers."""
        if data is None:
            return self.form_class(intake=intake), None
        return self.form_class(data, intake=intake), None

    def validate(self, form: intake_forms.StepForm, formset: forms.BaseFormSet | None) -> bool:
        return form.is_valid()

    def row_objects(
        self, intake: Intake, form: intake_forms.StepForm, formset: forms.BaseFormSet | None
    ) -> list[Any] | None:
        """The rows a valid page replaces the stored ones with; None for a step without rows."""
        return None

    def stay_message(self, form: intake_forms.StepForm, data: QueryDict) -> str | None:
        """Why a valid page is shown again instead of the next one (None: go on)."""
        return None


@dataclass(frozen=True)
class RowsStep(Step):
    """A step with a yes/no question and, after a yes, a list of rows (antidepressants tried,
    medicines taken). The rows are a formset on the same page; listing rows answers yes."""

    rows_label: str = ""
    row_model: type[models.Model] = AntidepressantTrial
    row_fields: tuple[str, ...] = ()
    # How one row reads on the review page, and which of its details are still missing.
    describe_row: Callable[[Any], str] = str
    row_gaps: Callable[[Any], list[str]] = lambda row: []
    none_listed: str = ""

    @property
    def rows_question(self) -> str:
        return self.form_class.rows_question  # type: ignore[attr-defined, no-any-return]

    def _rows(self, intake: Intake) -> list[Any]:
        return list(getattr(intake, self.row_model._meta.get_field("intake").related_query_name()).all())

    def missing_rows(self, intake: Intake) -> list[str]:
        if getattr(intake, self.rows_question) != YES:
            return []
        rows = self._rows(intake)
        if not rows:
            return [self.none_listed]
        return [gap for row in rows for gap in self.row_gaps(row)]

    def answers(self, intake: Intake) -> list[Answer]:
        result = super().answers(intake)
        if getattr(intake, self.rows_question) == YES:
            rows = tuple(self.describe_row(row) for row in self._rows(intake))
            result.append(Answer(self.rows_label, "; ".join(rows) if rows else "None listed", rows))
        return result

    def bind(self, intake: Intake, data: QueryDict | None) -> tuple[intake_forms.StepForm, forms.BaseFormSet | None]:
        formset_class = self.form_class.formset_class
        assert formset_class is not None
        prefix = self.form_class.formset_prefix
        if data is None:
            initial = [{name: getattr(row, name) for name in self.row_fields} for row in self._rows(intake)]
            return self.form_class(intake=intake), formset_class(prefix=prefix, initial=initial)
        return self.form_class(data, intake=intake), formset_class(data, prefix=prefix)

    def validate(self, form: intake_forms.StepForm, formset: forms.BaseFormSet | None) -> bool:
        valid = form.is_valid()
        valid = formset is not None and formset.is_valid() and valid
        if valid:
            form.clean_rows(formset)
        return valid and form.is_valid()

    def row_objects(
        self, intake: Intake, form: intake_forms.StepForm, formset: forms.BaseFormSet | None
    ) -> list[Any] | None:
        """Unsaved rows, field-validated; the database checks the constraints when they are written."""
        objects = []
        for position, values in enumerate(form.row_values(formset) or []):
            row = self.row_model(intake=intake, position=position, **values)
            row.full_clean(exclude=["intake"], validate_unique=False, validate_constraints=False)
            objects.append(row)
        return objects


@dataclass(frozen=True)
class CSSRSStep(Step):
    """The C-SSRS screen with its skip logic (SCREENING_SPEC §4), kept on the server: Q3-Q5
    are asked once Q2 is yes, the 3-month question once Q6 is yes. A valid page that reveals
    follow-ups the patient has not seen yet is shown again with them."""

    FOLLOWUP_MESSAGE: ClassVar[str] = "Thank you. Please answer the follow-up questions below."

    def stay_message(self, form: intake_forms.StepForm, data: QueryDict) -> str | None:
        # The follow-ups the skip logic asks are the form's server-gated ones (its layout).
        cleaned = form.cleaned_data
        shown = data.getlist("shown")
        for follow_up in form.layout:
            if not isinstance(follow_up, FollowUp) or not follow_up.server_gate:
                continue
            if follow_up.needs(cleaned.get(follow_up.controller)) and follow_up.shown not in shown:
                return None if all(cleaned.get(n) for n in follow_up.fields) else self.FOLLOWUP_MESSAGE
        return None


def _describe_trial(trial: AntidepressantTrial) -> str:
    weeks = "weeks not given" if trial.weeks is None else f"{trial.weeks} weeks"
    full = {"yes": "full dose reached", "no": "full dose not reached"}.get(trial.full_dose or "", "full dose not known")
    helped = {"yes": "helped enough", "no": "did not help enough"}.get(
        trial.helped or "", "not known whether it helped"
    )
    return f"{trial.name} ({weeks}, {full}, {helped})"


def _trial_gaps(trial: AntidepressantTrial) -> list[str]:
    gaps = []
    if trial.weeks is None:
        gaps.append(f"{trial.name}: how many weeks you took it")
    if not trial.full_dose:
        gaps.append(f"{trial.name}: whether you reached the full dose")
    if not trial.helped:
        gaps.append(f"{trial.name}: whether it helped enough")
    return gaps


def _describe_medication(medication: IntakeMedication) -> str:
    return " ".join(part for part in (medication.name, medication.dose, medication.frequency) if part)


def _in_words(form_field: forms.Field, name: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    choices = getattr(form_field, "choices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if hasattr(value, "strftime"):
        return f"{value:%B} {value.day}, {value.year}"
    if isinstance(value, Decimal):
        unit = {"height_cm": "cm", "weight_kg": "kg"}.get(name, "")
        return f"{value} {unit}".strip()
    return str(value)


STEPS: tuple[Step, ...] = (
    Step(
        key="about",
        title="About you",
        form_class=intake_forms.AboutForm,
        intro="A few details about you. Give your height and weight in whichever units you know.",
        missing_labels={"height_cm": "Your height", "weight_kg": "Your weight"},
    ),
    Step(
        key="pregnancy",
        title="Pregnancy and breastfeeding",
        form_class=intake_forms.PregnancyForm,
        intro="We ask everyone these questions, whatever their sex, because esketamine and ketamine are not "
        "recommended during pregnancy or breastfeeding.",
    ),
    Step(
        key="heart",
        title="Heart and circulation",
        form_class=intake_forms.HeartForm,
        safety_check=True,
        intro="These conditions matter because ketamine and esketamine raise blood pressure for a short time.",
        missing_labels={
            "cardiovascular_event_date": "The date of your most recent heart attack, stent, bypass or other event",
            "hypertension_controlled": "Whether your high blood pressure is under control",
            "bp_systolic": "Your blood-pressure reading: the top number",
            "bp_diastolic": "Your blood-pressure reading: the bottom number",
            "bp_date": "The date of your blood-pressure reading",
        },
    ),
    Step(key="medical", title="Other medical history", form_class=intake_forms.MedicalForm),
    RowsStep(
        key="mental_health",
        title="Mental health history",
        form_class=intake_forms.MentalHealthForm,
        rows_label="Antidepressants tried in this episode",
        row_model=AntidepressantTrial,
        row_fields=("name", "weeks", "full_dose", "helped"),
        describe_row=_describe_trial,
        row_gaps=_trial_gaps,
        none_listed="The antidepressants you tried (you answered Yes but listed none)",
    ),
    Step(
        key="phq9",
        title="Mood (PHQ-9)",
        form_class=intake_forms.PHQ9Form,
        safety_check=True,
        intro="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
        attribution="PHQ-9: Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
        "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or "
        "distribute.",
    ),
    Step(
        key="gad7",
        title="Anxiety (GAD-7)",
        form_class=intake_forms.GAD7Form,
        intro="Over the last 2 weeks, how often have you been bothered by the following problems?",
        attribution="GAD-7: Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
        "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, display or "
        "distribute.",
    ),
    CSSRSStep(
        key="cssrs",
        title="Thoughts of suicide (C-SSRS)",
        form_class=intake_forms.CSSRSForm,
        safety_check=True,
        intro="These questions are asked of everyone. Answering them honestly helps us keep you safe. "
        "Questions 1 to 5 are about the past month.",
        attribution="Columbia-Suicide Severity Rating Scale (C-SSRS), Screen Version \u2013 Recent, "
        "\u00a9 The Research Foundation for Mental Hygiene, Inc. (Posner et al. 2008/2011); free for use by "
        "health care providers. Reproduced with the questions' original wording.",
        missing_labels={"cssrs_q6_past_3_months": "6. Was this within the past 3 months?"},
    ),
    Step(
        key="substances",
        title="Alcohol and drugs",
        form_class=intake_forms.SubstanceForm,
        intro="A drink means one standard drink: a 12 oz beer, a 5 oz glass of wine or a 1.5 oz shot of spirits.",
        attribution="AUDIT-C: the first three questions of the AUDIT (Babor et al., World Health Organization, "
        "2001; Bush et al. 1998), in the public domain. DAST-10: \u00a9 1982 Harvey A. Skinner and the Centre "
        "for Addiction and Mental Health (CAMH), Toronto, Canada; used with attribution for non-commercial "
        "clinical care.",
    ),
    RowsStep(
        key="medications",
        title="Current medications",
        form_class=intake_forms.MedicationsForm,
        intro="Some medicines interact with ketamine and esketamine, so we need to know everything you take.",
        rows_label="Medicines taken now",
        row_model=IntakeMedication,
        row_fields=("name", "dose", "frequency"),
        describe_row=_describe_medication,
        none_listed="The medicines you take (you answered Yes but listed none)",
    ),
    Step(
        key="goals",
        title="Goals and getting home",
        form_class=intake_forms.GoalsForm,
        missing_labels={"treatment_goals": "What you would like treatment to help you with"},
    ),
)

STEP_BY_KEY: dict[str, Step] = {step.key: step for step in STEPS}
STEP_KEYS: tuple[str, ...] = tuple(STEP_BY_KEY)
# The progress indicator counts the review page as the last step.
TOTAL_STEPS = len(STEPS) + 1


def steps_for(intake: Intake) -> list[Step]:
    return [step for step in STEPS if step.applies(intake)]


def step_after(intake: Intake, key: str) -> str:
    """The key of the page after ``key``: the next applicable step, or the review page."""
    keys = [step.key for step in steps_for(intake)]
    if key not in keys or keys.index(key) == len(keys) - 1:
        return REVIEW
    return keys[keys.index(key) + 1]


def step_before(intake: Intake, key: str) -> str:
    keys = [step.key for step in steps_for(intake)]
    if key == REVIEW:
        return keys[-1]
    if key not in keys or keys.index(key) == 0:
        return keys[0]
    return keys[keys.index(key) - 1]


def step_number(key: str) -> int:
    return TOTAL_STEPS if key == REVIEW else STEP_KEYS.index(key) + 1
