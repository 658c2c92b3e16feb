"""Back office for patients, their intakes and the consent text.

Staff never change a patient's answers: every intake, draft or submitted, is view-only
here, like the patient and the rows under an intake. What admins do with intakes are the
three list actions: export the selected intakes as CSV or as FHIR NDJSON (both audited) and re-screen the
submitted ones with the current rule set (a new result beside the old ones).
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html

from clinic.admin_helpers import (
    AdminRoleRequiredMixin,
    BigListAdminMixin,
    ClinicalRecordAdmin,
    ReadOnlyTabularInline,
    is_back_office_user,
    pretty_json,
    related_column,
)
from clinic.audit import audit_record
from clinic.models import AuditAction
from intake.consent import FROZEN_FIELDS, consent_version_is_used, consent_version_save
from intake.exports import intakes_csv_chunks, intakes_for_export
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
from screening import fhir
from screening.engine.errors import FactsError
from screening.models import Decision, DecisionOutcome, Level, ScreeningResult, ScreeningTrigger
from screening.services import screening_run

logger = logging.getLogger(__name__)

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
INTAKE_SUMMARY = ("case_link",)


def intake_fieldsets() -> list[tuple[str, dict[str, Any]]]:
    names = [field.name for field in Intake._meta.concrete_fields if field.name != "id"]
    starts = [names.index(first) for _, first in INTAKE_SECTIONS]
    fieldsets: list[tuple[str, dict[str, Any]]] = [("Intake", {"fields": (*names[: starts[0]], *INTAKE_SUMMARY)})]
    for position, (title, _) in enumerate(INTAKE_SECTIONS):
        end = starts[position + 1] if position + 1 < len(starts) else len(names)
        fieldsets.append((title, {"fields": tuple(names[starts[position] : end])}))
    return fieldsets


def newest_result(field: str) -> Subquery:
    """The ``field`` of an intake's newest screening result, as a subquery on intakes."""
    results = ScreeningResult.objects.filter(intake=OuterRef("pk")).order_by("-created_at", "-id")
    return Subquery(results.values(field)[:1])


def newest_decision_outcome() -> Subquery:
    decisions = Decision.objects.filter(case__intake=OuterRef("pk")).order_by("-decided_at", "-id")
    return Subquery(decisions.values("outcome")[:1])


class LatestOutcomeFilter(admin.SimpleListFilter):
    """Filters on the ``latest_overall`` annotation of IntakeAdmin.get_queryset."""

    title = "latest outcome"
    parameter_name = "outcome"
    NOT_SCREENED = "none"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [*Level.choices, (self.NOT_SCREENED, "Not screened yet")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Intake]) -> QuerySet[Intake]:
        if self.value() == self.NOT_SCREENED:
            return queryset.filter(latest_overall__isnull=True)
        if self.value() in Level.values:
            return queryset.filter(latest_overall=self.value())
        return queryset


# Changelist parameters that are not filters: the search text (never recorded: it may be a
# name), the sort and the page.
_NOT_FILTERS = ("q", "o", "p", "_changelist_filters")


def export_selection(request: HttpRequest) -> dict[str, Any]:
    """What an export covered, for its audit line: the list's filters, whether a search was
    on (not its text), and all rows matching them or the rows ticked on the page."""
    across = request.POST.get("select_across") == "1"
    ticked = request.POST.getlist(ACTION_CHECKBOX_NAME)
    return {
        "filters": {key: value for key, value in sorted(request.GET.items()) if key not in _NOT_FILTERS},
        "searching": bool(request.GET.get("q", "").strip()),
        "selected": "all matching the list's filters" if across else f"{len(ticked)} ticked on the page",
    }


class MedicationInline(ReadOnlyTabularInline):
    model = IntakeMedication
    fields = ("position", "name", "dose", "frequency")


class AntidepressantTrialInline(ReadOnlyTabularInline):
    model = AntidepressantTrial
    fields = ("position", "name", "weeks", "full_dose", "helped")


class ScreeningResultInline(ReadOnlyTabularInline):
    model = ScreeningResult
    fields = ("created_at", "trigger", "overall", "ruleset", "created_by")
    verbose_name_plural = "screening results (newest first)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScreeningResult]:
        return super().get_queryset(request).select_related("created_by").defer("facts", "result")


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
    list_display = (
        "id",
        "patient_name",
        "status",
        "submitted_at",
        "assessment_date",
        "latest_outcome",
        "latest_decision",
        "submission_count",
        "consent_version",
    )
    list_filter = ("status", LatestOutcomeFilter, "route_preference", "consent_version", "submitted_at")
    search_fields = (*PATIENT_SEARCH, "id__exact")
    list_select_related = ("patient__user", "consent_version")
    autocomplete_fields = ("patient",)
    raw_id_fields = ("consent_version",)
    readonly_fields = INTAKE_SUMMARY
    inlines = (MedicationInline, AntidepressantTrialInline, ScreeningResultInline)
    actions = ("export_csv", "export_fhir_ndjson", "rescreen")

    patient_name = related_column("patient__user__full_name", "patient")

    def get_fieldsets(self, request: HttpRequest, obj: Intake | None = None) -> list[tuple[str, dict[str, Any]]]:
        return intake_fieldsets()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Intake]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_overall=newest_result("overall"),
                latest_ruleset=newest_result("ruleset"),
                latest_decision_outcome=newest_decision_outcome(),
            )
        )

    @admin.display(description="latest outcome", ordering="latest_overall")
    def latest_outcome(self, obj: Intake) -> str:
        if not obj.latest_overall:
            return "—"
        return f"{Level(obj.latest_overall).label} (rules {obj.latest_ruleset})"

    @admin.display(description="decision", ordering="latest_decision_outcome")
    def latest_decision(self, obj: Intake) -> str:
        return DecisionOutcome(obj.latest_decision_outcome).label if obj.latest_decision_outcome else "—"

    @admin.display(description="case")
    def case_link(self, obj: Intake) -> str:
        case = getattr(obj, "case", None)
        if case is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:screening_case_change", args=[case.pk]), case)

    def has_rescreen_permission(self, request: HttpRequest) -> bool:
        return is_back_office_user(request)

    @admin.action(description="Export the selected intakes as CSV (audited)", permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Intake]) -> StreamingHttpResponse:
        """The selected intakes as CSV, streamed as it is read: memory stays flat with the count.

        The audit line records what was asked for (the list's filters, whether a search was
        on, all matching or ticked rows) and how many intakes that was, not every id.
        """
        intakes = intakes_for_export(queryset.values("pk"))
        count = intakes.count()
        selection = export_selection(request)
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            target=request.user,
            summary=f"Exported {count} intake(s) to CSV ({selection['selected']})",
            changes={**selection, "count": count},
            request=request,
        )
        response = StreamingHttpResponse(intakes_csv_chunks(intakes), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="intakes-{stamp}.csv"'
        add_never_cache_headers(response)
        return response

    @admin.action(description="Export the selected intakes as FHIR NDJSON (audited)", permissions=["view"])
    def export_fhir_ndjson(self, request: HttpRequest, queryset: QuerySet[Intake]) -> StreamingHttpResponse:
        """One FHIR Bundle per line for each selected intake that has a case, streamed as it is made."""
        cases = fhir.cases_for_export(queryset.values("pk"))
        ids = list(cases.values_list("intake_id", flat=True))
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            target=request.user,
            summary=f"Exported {len(ids)} intake(s) as FHIR NDJSON: ids " + ", ".join(map(str, ids)),
            changes={"intake_ids": ids, "count": len(ids), "format": "fhir+ndjson"},
            request=request,
        )
        response = StreamingHttpResponse(
            fhir.ndjson_lines(cases.iterator(chunk_size=50)), content_type=fhir.FHIR_NDJSON
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="intakes-{stamp}.ndjson"'
        add_never_cache_headers(response)
        return response

    @admin.action(
        description="Re-screen the selected submitted intakes with the current rules", permissions=["rescreen"]
    )
    def rescreen(self, request: HttpRequest, queryset: QuerySet[Intake]) -> None:
        selected = list(queryset.order_by("pk"))
        submitted = [intake for intake in selected if intake.status == IntakeStatus.SUBMITTED]
        done = 0
        for intake in submitted:
            try:
                # One savepoint per intake: a document the engine refuses leaves the others done.
                with transaction.atomic():
                    screening_run(intake=intake, trigger=ScreeningTrigger.ADMIN, actor=request.user)
            except FactsError as error:
                logger.warning("re-screen refused: intake=%s path=%s", intake.pk, error.path)
                self.message_user(
                    request,
                    f"Intake {intake.pk} could not be re-screened: its answers do not form a valid document "
                    f"({error.path or 'whole document'}).",
                    messages.ERROR,
                )
            else:
                done += 1
        self.message_user(request, f"{done} intake(s) re-screened; earlier results are kept.", messages.SUCCESS)
        skipped = len(selected) - len(submitted)
        if skipped:
            self.message_user(
                request,
                f"{skipped} intake(s) skipped: only submitted intakes are re-screened "
                "(drafts and intakes waiting for the patient are not).",
                messages.WARNING,
            )


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
