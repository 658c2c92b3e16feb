"""Back office for notifications: the alert addresses (editable) and the e-mails (view-only)."""

from __future__ import annotations

from django.contrib import admin
from django_q.models import Failure, OrmQ, Schedule, Success

from clinic.admin_helpers import AdminRoleRequiredMixin, ReadOnlyAdminMixin
from screening.notify.models import AlertRecipient, Notification

# django-q2's own pages (tasks, schedules, queue) offer deleting and re-running tasks, which
# the back office never does; the notifications below are the clinic's view of the queue.
for _model in (Success, Failure, Schedule, OrmQ):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(AlertRecipient)
class AlertRecipientAdmin(AdminRoleRequiredMixin, admin.ModelAdmin):
    """Who receives urgent alerts. Untick "active" to stop an address; nothing is deleted."""

    list_display = ("email", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("email",)
    list_select_related = ()
    date_hierarchy = "created_at"
    fields = ("email", "active")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Queued, sent, failed and cancelled e-mails. They hold no text, only what and when."""

    list_display = ("id", "kind", "status", "case_id", "intake_id", "attempts", "created_at", "sent_at", "last_error")
    list_filter = ("status", "kind", "level")
    search_fields = ("=id", "=case__id", "=intake__id")
    list_select_related = ()
    date_hierarchy = "created_at"
    fields = (
        "kind",
        "status",
        "level",
        "case",
        "intake",
        "attempts",
        "next_attempt_at",
        "last_error",
        "recipient_count",
        "sent_at",
        "created_at",
        "updated_at",
        "key",
    )
    readonly_fields = fields
