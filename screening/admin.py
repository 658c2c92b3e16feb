"""Back office for cases, screening results and the clinicians' review record.

All of it is view-only: results come from the engine, decisions, notes, vitals and
requests from clinicians in the review app, and none of them is rewritten afterwards.
Re-screening is an action on the intakes (intake/admin.py).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from clinic.admin_helpers import (
    BigListAdminMixin,
    ClinicalRecordAdmin,
    ReadOnlyTabularInline,
    pretty_json,
    related_column,
)
from screening.engine import RULESET_VERSION
from screening.models import Case, CaseNote, Decision, InfoRequest, MeasuredVitals, ScreeningResult
from screening.selectors import clinicians

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
