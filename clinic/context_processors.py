from __future__ import annotations

from django.http import HttpRequest


def roles(request: HttpRequest) -> dict[str, bool]:
    """Role flags for the navigation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_patient": False, "is_clinician": False, "is_admin": False}
    return {
        "is_patient": user.is_patient_role,
        "is_clinician": user.is_clinician_role,
        "is_admin": user.is_admin_role and user.is_staff,
    }


def clinic_identity(request: HttpRequest) -> dict[str, object]:
    """The clinic's name, phone, address and hours for the header, footer and confirmation
    page: read when a template first uses it, once per request, from the cache (no query)."""
    from django.utils.functional import SimpleLazyObject

    from clinic.identity import clinic_identity as current

    def cached() -> object:
        identity = getattr(request, "_clinic_identity", None)
        if identity is None:
            identity = current()
            request._clinic_identity = identity  # type: ignore[attr-defined]
        return identity

    return {"clinic": SimpleLazyObject(cached)}
