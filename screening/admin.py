"""Back office for cases, screening results and the clinicians' review record.

All of it is view-only: results come from the engine, decisions, notes, vitals and
requests from clinicians in the review app, and none of them is rewritten afterwards.
The intakes' admin (intake/admin.py) is extended here, at the end: the newest result and
decision of each intake, re-screening and the CSV and FHIR NDJSON exports.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join

from clinic.admin_helpers import (
    BigListAdminMixin,
    ClinicalRecordAdmin,
    ReadOnlyTabularInline,
    is_back_office_user,
    pretty_json,
    related_column,
)
from clinic.audit import audit_record
from clinic.models import AuditAction
from intake.admin import IntakeAdmin
from intake.models import Intake, IntakeStatus
from screening import fhir
from screening.engine import RULESET_VERSION
from screening.engine.errors import FactsError
from screening.exports import intakes_csv_chunks, intakes_for_export
from screening.models import (
    Case,
    CaseNote,
    Decision,
    DecisionOutcome,
    InfoRequest,
    Level,
    MeasuredVitals,
    ScreeningResult,
    ScreeningTrigger,
)
from screening.selectors import clinicians
from screening.services import screening_run

logger = logging.getLogger(__name__)

CASE_PATIENT_SEARCH = ("case__intake__patient__user__full_name", "case__intake__patient__user__email")


class DecisionInline(ReadOnlyTabularInline):
    model = Decision
    fields = ("decided_at", "decided_by", "outcome", "reason")


class CaseNoteInline(ReadOnlyTabularInline):
    model = CaseNote
    fields = ("created_at", "author", "text")


class MeasuredVitalsInline(ReadOnlyTabularInline):
    model = MeasuredVitals
    fields = ("recorded_at", "recorded_by", "bp_systolic", "bp_diastolic", "bp_date", "weight_kg", "height_cm")


class InfoRequestInline(ReadOnlyTabularInline):
    model = InfoRequest
    fields = ("requested_at", "requested_by", "steps", "message", "resolved_at")


class AssignedToFilter(admin.SimpleListFilter):
    """Cases by the clinician they are assigned to: its choices are the staff list (a few rows
    read from the role groups), not a DISTINCT over every case."""

    title = "assigned to"
    parameter_name = "assigned_to"
    NOBODY = "nobody"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(person.pk), person.full_name or person.email) for person in clinicians()] + [
            (self.NOBODY, "Nobody yet")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Case]) -> QuerySet[Case]:
        if self.value() == self.NOBODY:
            return queryset.filter(assigned_to__isnull=True)
        if self.value() and self.value().isdigit():  # type: ignore[union-attr]
            return queryset.filter(assigned_to_id=int(self.value()))  # type: ignore[arg-type]
        return queryset


class RulesetFilter(admin.SimpleListFilter):
    """Results by rule set: the engine's current one or any earlier one. The choices come from
    the engine, not from a DISTINCT over every result."""

    title = "rule set"
    parameter_name = "ruleset"
    EARLIER = "earlier"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(RULESET_VERSION, f"{RULESET_VERSION} (current)"), (self.EARLIER, "Earlier rule sets")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ScreeningResult]) -> QuerySet[ScreeningResult]:
        if self.value() == RULESET_VERSION:
            return queryset.filter(ruleset=RULESET_VERSION)
        if self.value() == self.EARLIER:
            return queryset.exclude(ruleset=RULESET_VERSION)
        return queryset


@admin.register(Case)
class CaseAdmin(BigListAdminMixin, ClinicalRecordAdmin):
    list_display = (
        "id",
        "patient_name",
        "status",
        "overall",
        "urgent_level",
        "urgent_acknowledged_at",
        "assigned_to",
        "submitted_at",
        "version",
    )
    list_filter = ("status", "overall", "urgent_level", AssignedToFilter, "submitted_at")
    search_fields = ("intake__patient__user__full_name", "intake__patient__user__email", "id__exact")
    list_select_related = ("intake__patient__user", "assigned_to")
    autocomplete_fields = ("assigned_to", "urgent_acknowledged_by")
    raw_id_fields = ("intake", "latest_result")
    inlines = (DecisionInline, CaseNoteInline, MeasuredVitalsInline, InfoRequestInline)

    patient_name = related_column("intake__patient__user__full_name", "patient")


@admin.register(ScreeningResult)
class ScreeningResultAdmin(BigListAdminMixin, ClinicalRecordAdmin):
    list_display = ("id", "intake", "patient_name", "overall", "ruleset", "trigger", "created_by", "created_at")
    list_filter = ("overall", "trigger", RulesetFilter, "created_at")
    search_fields = ("intake__patient__user__full_name", "intake__patient__user__email", "intake__id__exact")
    list_select_related = ("intake__patient__user", "created_by")
    autocomplete_fields = ("created_by",)
    raw_id_fields = ("intake",)
    fields = (
        "intake",
        "created_at",
        "trigger",
        "created_by",
        "ruleset",
        "overall",
        "flags_table",
        "result_pretty",
        "facts_pretty",
    )
    readonly_fields = ("flags_table", "result_pretty", "facts_pretty")

    patient_name = related_column("intake__patient__user__full_name", "patient")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScreeningResult]:
        # The two documents are large; the list never shows them and the page loads them once.
        return super().get_queryset(request).defer("facts", "result")

    @admin.display(description="flags")
    def flags_table(self, obj: ScreeningResult) -> str:
        flags = obj.result.get("flags", []) if isinstance(obj.result, dict) else []
        if not flags:
            return "No flags raised"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((flag.get("rule", ""), flag.get("level", ""), flag.get("message", "")) for flag in flags),
        )
        return format_html("<table><tr><th>Rule</th><th>Level</th><th>Message</th></tr>{}</table>", rows)

    @admin.display(description="result document")
    def result_pretty(self, obj: ScreeningResult) -> str:
        return pretty_json(obj.result)

    @admin.display(description="facts document")
    def facts_pretty(self, obj: ScreeningResult) -> str:
        return pretty_json(obj.facts)


class CaseRowAdmin(ClinicalRecordAdmin):
    """What clinicians recorded on a case: listed with the case and its patient."""

    list_select_related = ("case__intake__patient__user",)
    search_fields = (*CASE_PATIENT_SEARCH, "case__id__exact")
    raw_id_fields = ("case",)

    patient_name = related_column("case__intake__patient__user__full_name", "patient")


@admin.register(Decision)
class DecisionAdmin(CaseRowAdmin):
    list_display = ("id", "case", "patient_name", "outcome", "decided_by", "decided_at")
    list_filter = ("outcome", ("decided_by", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("case__intake__patient__user", "decided_by")
    date_hierarchy = "decided_at"
    autocomplete_fields = ("decided_by",)
    raw_id_fields = ("case", "result")
    fields = ("case", "result", "decided_at", "decided_by", "outcome", "reason", "flag_reasons_pretty")
    readonly_fields = ("flag_reasons_pretty",)

    @admin.display(description="reasons given against flags")
    def flag_reasons_pretty(self, obj: Decision) -> str:
        return pretty_json(obj.flag_reasons)


@admin.register(CaseNote)
class CaseNoteAdmin(CaseRowAdmin):
    list_display = ("id", "case", "patient_name", "author", "created_at")
    list_filter = (("author", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("case__intake__patient__user", "author")
    date_hierarchy = "created_at"
    autocomplete_fields = ("author",)


@admin.register(MeasuredVitals)
class MeasuredVitalsAdmin(CaseRowAdmin):
    list_display = (
        "id",
        "case",
        "patient_name",
        "bp_systolic",
        "bp_diastolic",
        "weight_kg",
        "recorded_by",
        "recorded_at",
    )
    list_filter = (("recorded_by", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("case__intake__patient__user", "recorded_by")
    date_hierarchy = "recorded_at"
    autocomplete_fields = ("recorded_by",)


@admin.register(InfoRequest)
class InfoRequestAdmin(CaseRowAdmin):
    list_display = ("id", "case", "patient_name", "requested_by", "requested_at", "resolved_at")
    list_filter = (("requested_by", admin.RelatedOnlyFieldListFilter), "resolved_at")
    list_select_related = ("case__intake__patient__user", "requested_by")
    date_hierarchy = "requested_at"
    autocomplete_fields = ("requested_by",)


# --- The intakes, with their screening ----------------------------------------------------------
# The intake app's own admin knows the answers only; this subclass, registered in its place,
# adds what the clinic's screening knows of each intake. The intake never imports it.


def newest_result(field: str) -> Subquery:
    """The ``field`` of an intake's newest screening result, as a subquery on intakes."""
    results = ScreeningResult.objects.filter(intake=OuterRef("pk")).order_by("-created_at", "-id")
    return Subquery(results.values(field)[:1])


def newest_decision_outcome() -> Subquery:
    decisions = Decision.objects.filter(case__intake=OuterRef("pk")).order_by("-decided_at", "-id")
    return Subquery(decisions.values("outcome")[:1])


class LatestOutcomeFilter(admin.SimpleListFilter):
    """Filters on the ``latest_overall`` annotation of IntakeWithScreeningAdmin.get_queryset."""

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


class ScreeningResultInline(ReadOnlyTabularInline):
    model = ScreeningResult
    fields = ("created_at", "trigger", "overall", "ruleset", "created_by")
    verbose_name_plural = "screening results (newest first)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScreeningResult]:
        return super().get_queryset(request).select_related("created_by").defer("facts", "result")


admin.site.unregister(Intake)


@admin.register(Intake)
class IntakeWithScreeningAdmin(IntakeAdmin):
    """The intake admin, with the newest result and decision of each intake, its results, a link
    to its case, the CSV and FHIR NDJSON exports (audited) and re-screening with the current rules
    (a new result beside the old ones)."""

    # The newest outcome and decision right after the intake's dates.
    list_display = (*IntakeAdmin.list_display[:5], "latest_outcome", "latest_decision", *IntakeAdmin.list_display[5:])
    list_filter = ("status", LatestOutcomeFilter, "route_preference", "consent_version", "submitted_at")
    readonly_fields = ("case_link",)
    inlines = (*IntakeAdmin.inlines, ScreeningResultInline)
    actions = ("export_csv", "export_fhir_ndjson", "rescreen")

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
