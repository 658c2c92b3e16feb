"""Shared behaviour of every ModelAdmin in the back office.

Three rules hold for every model, so they live here once:

* **The admin is for the admin role.** Django's per-model permissions are not used: a
  user may see and use a back-office page when they are active, staff and hold the admin
  role (``User.is_admin_role``). A clinician, even one wrongly given ``is_staff``, sees
  nothing, and a patient never gets past the admin login.
* **Nothing is deleted through the admin.** Accounts are deactivated, consent versions are
  superseded, clinical records and the audit trail are kept.
* **Viewing a patient's record is audited** like a view in the app: the change page of a
  record with health data writes one ``AuditAction.VIEW`` line per GET, and every list page
  shown writes one ``AuditAction.LIST`` line naming its filters (never a search's terms).
* **Searches never travel in the address.** The search box posts to the site's search view,
  which keeps the terms in the session behind a token (``clinic.search_tokens``); the list
  reads ``?q=<token>`` back through ``TokenSearchChangeList``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext

from clinic.audit import audit_list_read, audit_record, describe_list_read
from clinic.models import AuditAction
from clinic.search_tokens import search_terms

# Parameters of an admin list that are not filters (search, page, order, pop-up, facets).
_LIST_MECHANICS = frozenset({SEARCH_VAR, PAGE_VAR, ORDER_VAR, "_popup", "_facets", "_to_field", "e"})


def admin_search_scope(model: type[models.Model]) -> str:
    return f"admin:{model._meta.label_lower}"


class TokenSearchChangeList(ChangeList):
    """A list whose ``q`` is a token naming a search kept in the session, never the terms."""

    def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> models.QuerySet[Any]:
        if not hasattr(self, "search_token"):
            self.search_token = self.query
            terms = search_terms(request, scope=admin_search_scope(self.model), token=self.query) if self.query else ""
            if terms is None:
                messages.info(request, "That search is no longer available: search again.")
            self.query = terms or ""
        return super().get_queryset(request, exclude_parameters)


def is_back_office_user(request: HttpRequest) -> bool:
    """True for an active admin-role user with admin-site access (``is_staff``) whose second
    factor is verified in this session."""
    from clinic.mfa import is_verified

    user = request.user
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.is_admin_role and is_verified(request)
    )


class AdminRoleRequiredMixin:
    """Permissions from the role, not from Django's per-model permission table.

    ``obj=None`` on every method makes the mixin fit both ModelAdmin (whose
    ``has_add_permission`` takes no object) and InlineModelAdmin (whose does).
    """

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_back_office_user(request)

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return TokenSearchChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The list page, with one audit line per list shown (its filters named, no values)."""
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        cl = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and response.status_code == 200 and cl is not None:
            filters = {name: "(set)" for name in request.GET if name not in _LIST_MECHANICS}
            audit_list_read(
                actor=request.user,  # type: ignore[arg-type]
                model=self.model,  # type: ignore[attr-defined]
                described=describe_list_read(
                    f"Admin list of {self.model._meta.verbose_name_plural}",  # type: ignore[attr-defined]
                    filters,
                    searching=bool(cl.query),
                    page=cl.page_num,
                ),
                request=request,
            )
        return response

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return is_back_office_user(request)

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return is_back_office_user(request)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return is_back_office_user(request)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        # Not even a superuser deletes through the admin: deactivate, supersede or keep.
        return False


class ReadOnlyAdminMixin(AdminRoleRequiredMixin):
    """View-only: the record is shown, never added, changed or deleted in the admin.

    Without change permission Django renders the change page read-only and refuses a POST
    to it with 403 (``PermissionDenied``), so a forged form cannot rewrite the record.
    """

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A read-only list of related rows on a change page, each linking to its own page."""

    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> tuple[str, ...]:
        # Every shown field, including non-editable ones such as ``created_at``.
        return tuple(self.fields or ())


class AuditedViewAdminMixin:
    """Write an ``AuditAction.VIEW`` line when someone opens the change page of a record.

    Only a page actually shown counts: a refused request (403) or a missing object (the
    admin's redirect) writes nothing. ``audited_view_target`` may narrow what is audited,
    e.g. only patients' accounts among all users.
    """

    def audited_view_target(self, obj: models.Model) -> models.Model | None:
        return obj

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method == "GET" and response.status_code == 200:
            obj = (getattr(response, "context_data", None) or {}).get("original")
            target = self.audited_view_target(obj) if obj is not None else None
            if target is not None:
                audit_record(
                    actor=request.user,  # type: ignore[arg-type]
                    action=AuditAction.VIEW,
                    target=target,
                    summary=f"{capfirst(target._meta.verbose_name)} viewed in the admin",
                    request=request,
                )
        return response


def pretty_json(value: object) -> SafeString:
    """A JSON document as indented, escaped text for a read-only admin field."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return format_html('<pre class="clinic-json">{}</pre>', text)


# Below this many rows (by PostgreSQL's estimate) an unfiltered list is counted exactly.
EXACT_COUNT_BELOW = 10_000


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered list of a big table from PostgreSQL's estimate (``pg_class.reltuples``,
    kept by autovacuum's ANALYZE) instead of reading every row (issue 13); filtered lists, small
    tables and SQLite are counted exactly. Always one query, whatever the table's size."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet) or rows.query.where or connections[rows.db].vendor != "postgresql":
            return int(super().count)
        table = connections[rows.db].ops.quote_name(rows.model._meta.db_table)
        with connections[rows.db].cursor() as cursor:
            # The exact count runs only when the estimate is small (an InitPlan is evaluated
            # on demand), so big and small tables alike cost this one statement.
            estimate = (
                "SELECT CASE WHEN reltuples >= %s THEN reltuples::bigint "  # noqa: S608 - the model's quoted table
                f"ELSE (SELECT COUNT(*) FROM {table}) END FROM pg_class WHERE oid = %s::regclass"
            )
            cursor.execute(estimate, [EXACT_COUNT_BELOW, table])
            row = cursor.fetchone()
        return int(row[0]) if row else int(super().count)


class BigListAdminMixin:
    """A list over a table that grows without bound (intakes, cases, results, the audit trail):
    an estimated count when unfiltered, no second count of the whole table beside a filtered
    one, and date filters instead of a date hierarchy (which reads every distinct date)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def action_checkbox(self, obj: models.Model) -> SafeString:
        """Django's select-row checkbox, written as the very HTML its ``CheckboxInput`` renders:
        one ``format_html`` per row instead of a widget template, which was about a third of the
        time of a 100-row list (issue 13)."""
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class ClinicalRecordAdmin(AuditedViewAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A part of a patient's record: view-only, and every opened change page is audited."""


def related_column(path: str, description: str) -> Any:
    """A sortable list column showing a value across relations, e.g. ``patient__user__full_name``.

    The relations must be in the admin's ``list_select_related`` so that no row queries.
    """

    @admin.display(description=description, ordering=path)
    def column(self: admin.ModelAdmin, obj: models.Model) -> object:
        value: object = obj
        for part in path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value

    return column
