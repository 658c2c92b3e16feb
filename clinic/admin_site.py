from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.main import SEARCH_VAR
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST


class ClinicAdminSite(admin.AdminSite):
    """The back office: active staff accounts with the admin role and a verified second factor.

    ``is_staff`` alone is not enough: a clinician given it by mistake still gets no admin page.
    The admin's search travels in a POST and is kept in the session behind a token
    (``search_view``, ``clinic.search_tokens``): no name, e-mail or birth date in an address.
    """

    site_header = "clinic-intake back office"
    site_title = "clinic-intake admin"
    index_title = "Clinic administration"

    def has_permission(self, request: HttpRequest) -> bool:
        from clinic.mfa import is_verified

        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "is_admin_role", False) and is_verified(request))


    def get_urls(self) -> list[URLPattern]:  # type: ignore[override]
        urls = [
            path(
                "search/<str:app_label>/<str:model_name>/",
                self.admin_view(require_POST(self.search_view)),
                name="search",
            )
        ]
        return urls + super().get_urls()  # type: ignore[return-value]

    def search_view(self, request: HttpRequest, app_label: str, model_name: str) -> HttpResponse:
        """Keep the posted search in the session; send the list its token and filters."""
        from clinic.admin_helpers import admin_search_scope
        from clinic.search_tokens import search_forget, search_store

        model_admin = next(
            (
                model_admin
                for model, model_admin in self._registry.items()
                if (model._meta.app_label, model._meta.model_name) == (app_label, model_name)
            ),
            None,
        )
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        model = model_admin.model
        params = {
            key: value
            for key, value in request.POST.items()
            if key not in {SEARCH_VAR, "csrfmiddlewaretoken"} and not key.startswith("_") or key == "_facets"
        }
        terms = request.POST.get(SEARCH_VAR, "").strip()[:200]
        scope = admin_search_scope(model)
        if terms:
            params[SEARCH_VAR] = search_store(request, scope=scope, terms=terms)
        else:
            search_forget(request, scope=scope)
        target = reverse(f"admin:{app_label}_{model_name}_changelist", current_app=self.name)
        return redirect(f"{target}?{urlencode(params)}" if params else target)


class ClinicAdminConfig(AdminConfig):
    """The Django admin app, on the site above."""

    default_site = "clinic.admin_site.ClinicAdminSite"
