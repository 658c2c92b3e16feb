"""Back office for patients, their intakes and the consent text.

Staff never change a patient's answers: every intake, draft or submitted, is view-only
here, like the patient and the rows under an intake. What the back office shows and does with
an intake's screening (the newest result and decision, the results inline, the CSV and FHIR
NDJSON exports, re-screening) is added by the subclass that ``screening/admin.py`` registers in
place of ``IntakeAdmin``: the intake imports nothing of screening but its engine.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from clinic.admin_helpers import (
    AdminRoleRequiredMixin,
    BigListAdminMixin,
    ClinicalRecordAdmin,
    ReadOnlyTabularInline,
    pretty_json,
    related_column,
)
from intake.consent import FROZEN_FIELDS, consent_version_is_used, consent_version_save
from intake.models import (
    AntidepressantTrial,
    ConsentVersion,
    Intake,
    IntakeMedication,
    IntakeStatus,
    Patient,
    StepDraft,
)
from intake.steps import STEPS

PATIENT_SEARCH = ("patient__user__full_name", "patient__user__email")
ROW_PATIENT_SEARCH = tuple(f"intake__{path}" for path in PATIENT_SEARCH)


# The intake's sections as the patient sees them, each named by its first field. Fields
# follow the model's order, so a field added to a section shows up on the page by itself.
# The admin's sections are the patient's steps (intake/steps.py), each starting at its first
# column in the model's field order, then the consent.
INTAKE_SECTIONS = (
    *((step.title, step.form_class.columns[0]) for step in STEPS),
    ("Consent", "consent_version"),
)


def intake_fieldsets(*, summary: tuple[str, ...] = ()) -> list[tuple[str, dict[str, Any]]]:
    """The intake page's sections; ``summary`` (read-only fields of the admin) closes the first."""
    names = [field.name for field in Intake._meta.concrete_fields if field.name != "id"]
    starts = [names.index(first) for _, first in INTAKE_SECTIONS]
    fieldsets: list[tuple[str, dict[str, Any]]] = [("Intake", {"fields": (*names[: starts[0]], *summary)})]
    for position, (title, _) in enumerate(INTAKE_SECTIONS):
        end = starts[position + 1] if position + 1 < len(starts) else len(names)
        fieldsets.append((title, {"fields": tuple(names[starts[position] : end])}))
    return fieldsets


class MedicationInline(ReadOnlyTabularInline):
    model = IntakeMedication
    fields = ("position", "name", "dose", "frequency")


class AntidepressantTrialInline(ReadOnlyTabularInline):
    model = AntidepressantTrial
    fields = ("position", "name", "weeks", "full_dose", "helped")


class IntakeInline(ReadOnlyTabularInline):
    model = Intake
    fields = ("status", "submitted_at", "assessment_date", "submission_count")
    ordering = ("-created_at",)


@admin.register(Patient)
class PatientAdmin(ClinicalRecordAdmin):
    list_display = ("id", "patient_name", "patient_email", "intake_count", "latest_intake_status", "created_at")
    list_filter = ("created_at", "user__is_active")
    search_fields = ("user__full_name", "user__email", "id__exact")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    autocomplete_fields = ("user",)
    fields = ("user", "created_at", "updated_at")
    inlines = (IntakeInline,)

    patient_name = related_column("user__full_name", "name")
    patient_email = related_column("user__email", "e-mail")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Patient]:
        intakes = Intake.objects.filter(patient=OuterRef("pk"))
        # Subqueries rather than a join and GROUP BY, so that the page count stays a plain COUNT.
        total = intakes.order_by().values("patient").annotate(total=Count("pk")).values("total")
        newest = intakes.order_by("-created_at", "-id").values("status")[:1]
        return (
            super()
            .get_queryset(request)
            .annotate(intake_total=Coalesce(Subquery(total), 0), latest_status=Subquery(newest))
        )

    @admin.display(description="intakes", ordering="intake_total")
    def intake_count(self, obj: Patient) -> int:
        return obj.intake_total

    @admin.display(description="latest intake", ordering="latest_status")
    def latest_intake_status(self, obj: Patient) -> str:
        return IntakeStatus(obj.latest_status).label if obj.latest_status else "—"


@admin.register(Intake)
class IntakeAdmin(BigListAdminMixin, ClinicalRecordAdmin):
    """The intake's answers and rows. ``screening/admin.py`` registers a subclass in its place that
    adds the screening results and decisions, the re-screen action and the exports."""

    list_display = (
        "id",
        "patient_name",
        "status",
        "submitted_at",
        "assessment_date",
        "submission_count",
        "consent_version",
    )
    list_filter = ("status", "route_preference", "consent_version", "submitted_at")
    search_fields = (*PATIENT_SEARCH, "id__exact")
    list_select_related = ("patient__user", "consent_version")
    autocomplete_fields = ("patient",)
    raw_id_fields = ("consent_version",)
    inlines: tuple[type[ReadOnlyTabularInline], ...] = (MedicationInline, AntidepressantTrialInline)

    patient_name = related_column("patient__user__full_name", "patient")

    def get_fieldsets(self, request: HttpRequest, obj: Intake | None = None) -> list[tuple[str, dict[str, Any]]]:
        return intake_fieldsets(summary=tuple(self.readonly_fields))


class ConsentVersionForm(forms.ModelForm):
    # Not the model field itself: publishing also retires the previous current version,
    # which consent_version_save does; validating the one-current constraint here would
    # refuse every new publication.
    publish = forms.BooleanField(
        required=False,
        label="Publish as the current version",
        help_text="Published: new intakes take this version. Intakes already signed keep theirs.",
    )

    class Meta:
        model = ConsentVersion
        fields = ("version", "title", "text")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["publish"].initial = self.instance.is_current

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is not None and self.instance.is_current and not cleaned.get("publish"):
            self.add_error(
                "publish",
                ValidationError(
                    "This is the current consent text. Publish another version to replace it.",
                    code="unpublish_current",
                ),
            )
        return cleaned


@admin.register(ConsentVersion)
class ConsentVersionAdmin(AdminRoleRequiredMixin, admin.ModelAdmin):
    """Consent wording, versioned. Publishing one unsets the previous current version.

    The wording of a version that any intake has used, or that is current, is read-only:
    it is what patients agree to. Change it by adding a new version.
    """

    form = ConsentVersionForm
    list_display = ("version", "title", "is_current", "intakes_using", "created_at", "updated_at")
    list_filter = ("is_current", "created_at")
    search_fields = ("version", "title")
    # No foreign keys to follow; the intake count is an annotation.
    list_select_related = ()
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConsentVersion]:
        return super().get_queryset(request).annotate(intake_total=Count("intake"))

    @admin.display(description="intakes using it", ordering="intake_total")
    def intakes_using(self, obj: ConsentVersion) -> int:
        return obj.intake_total

    def get_readonly_fields(self, request: HttpRequest, obj: ConsentVersion | None = None) -> tuple[str, ...]:
        base = ("created_at", "updated_at")
        if obj is not None and (obj.is_current or consent_version_is_used(obj)):
            return (*FROZEN_FIELDS, *base)
        return base

    def get_fields(self, request: HttpRequest, obj: ConsentVersion | None = None) -> tuple[str, ...]:
        fields = ("version", "title", "text", "publish")
        return fields if obj is None else (*fields, "created_at", "updated_at")

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # The service refused the save (a patient consented to this version, or another
            # admin changed the current one, after the form was validated): say so, never a 500.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: ConsentVersion, form: forms.ModelForm, change: bool) -> None:
        consent_version_save(
            version=obj, publish=bool(form.cleaned_data.get("publish")), actor=request.user, request=request
        )


class IntakeRowAdmin(ClinicalRecordAdmin):
    """Rows under an intake (medications, antidepressant trials, step drafts)."""

    list_select_related = ("intake__patient__user",)
    search_fields = (*ROW_PATIENT_SEARCH, "name")
    raw_id_fields = ("intake",)

    patient_name = related_column("intake__patient__user__full_name", "patient")


@admin.register(IntakeMedication)
class IntakeMedicationAdmin(IntakeRowAdmin):
    list_display = ("name", "dose", "frequency", "intake", "patient_name")
    list_filter = ("intake__status",)


@admin.register(AntidepressantTrial)
class AntidepressantTrialAdmin(IntakeRowAdmin):
    list_display = ("name", "weeks", "full_dose", "helped", "intake", "patient_name")
    list_filter = ("full_dose", "helped", "intake__status")


@admin.register(StepDraft)
class StepDraftAdmin(IntakeRowAdmin):
    """What the patient last posted on a step, exactly as typed, valid or not."""

    list_display = ("intake", "patient_name", "step", "is_valid", "updated_at")
    list_filter = ("step", "is_valid")
    search_fields = (*ROW_PATIENT_SEARCH, "step")
    date_hierarchy = "updated_at"
    fields = ("intake", "step", "is_valid", "data_pretty", "created_at", "updated_at")
    readonly_fields = ("data_pretty",)

    @admin.display(description="data as posted")
    def data_pretty(self, obj: StepDraft) -> str:
        return pretty_json(obj.data)
