"""Who may see what. Every view that shows health data goes through one of these."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from clinic.mfa import is_verified
from clinic.middleware import redirect_to_second_factor

View = TypeVar("View", bound=Callable[..., HttpResponse])


def staff_required(view: View) -> View:
    """Clinicians and admins only, with their second factor verified in this session.

    Anyone else logged in gets a 404, never the page; an unverified clinician or admin is
    sent to the second-factor page (as StaffSecondFactorMiddleware already does).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_clinician_role:  # type: ignore[union-attr]
            raise Http404
        if not is_verified(request):
            return redirect_to_second_factor(request)
        return view(request, *args, **kwargs)

    return never_cache(login_required(wrapped))  # type: ignore[return-value]


def patient_required(view: View) -> View:
    """Patients only: staff never fill in or change a patient's answers."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_patient_role:  # type: ignore[union-attr]
            raise Http404
        return view(request, *args, **kwargs)

    return never_cache(login_required(wrapped))  # type: ignore[return-value]
