from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register("notify", deploy=True)
def site_url_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """`check --deploy` reports a missing CLINIC_SITE_URL: e-mails need absolute links."""
    if settings.CLINIC_SITE_URL:
        return []
    return [
        Error(
            "CLINIC_SITE_URL is not set: links in alert and reminder e-mails would not work.",
            hint="Set CLINIC_SITE_URL to the app's public address, e.g. https://intake.example-clinic.org.",
            id="notify.E001",
        )
    ]
