from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class ClinicAdminSite(admin.AdminSite):
    """The back office: active staff accounts with the admin role only.

    ``is_staff`` alone is not enough: a clinician given it by mistake still gets no admin page.
    """

    site_header = "clinic-intake back office"
    site_title = "clinic-intake admin"
    index_title = "Clinic administration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "is_admin_role", False))


class ClinicAdminConfig(AdminConfig):
    """The Django admin app, on the site above."""

    default_site = "clinic.admin_site.ClinicAdminSite"
