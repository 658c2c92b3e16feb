from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register("security", deploy=True)
def secret_key_from_environment(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """`check --deploy` reports a missing DJANGO_SECRET_KEY (the app would refuse to serve)."""
    if settings.DEBUG or getattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", False):
        return []
    return [
        Error(
            "DJANGO_SECRET_KEY is not set: the app refuses to serve requests without it.",
            hint="Set DJANGO_SECRET_KEY to at least 50 random characters.",
            id="clinic.E001",
        )
    ]
