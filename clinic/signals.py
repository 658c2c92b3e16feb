from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from clinic.middleware import SESSION_LOGIN_AT


@receiver(user_logged_in)
def remember_login_time(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Start the absolute session clock (12 hours by default) at each login."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LOGIN_AT] = timezone.now().timestamp()
