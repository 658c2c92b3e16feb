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
