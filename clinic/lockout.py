"""Lockout by the account, not by how its address was spelt (django-axes).

Login ignores the case of an e-mail address, so the lockout must too: otherwise
``Lock@Sec.Test``, ``lock@sec.test``, … would each get five more guesses. Every login form
(the site's, the admin's) and the second-factor page count failures on the case-folded
address with the client's address.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest

from clinic.models import User

USERNAME_FIELD = "username"


def normalised_email(value: object) -> str:
    """The form in which failures are counted: trimmed and case-folded."""
    return User.objects.normalize_email(str(value or "").strip()).casefold()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """AXES_USERNAME_CALLABLE: the account a failure counts against."""
    if credentials and credentials.get(USERNAME_FIELD):
        return normalised_email(credentials[USERNAME_FIELD])
    data = getattr(request, "POST", None) or {}
    return normalised_email(data.get(USERNAME_FIELD, ""))


def _credentials(user: User) -> dict[str, str]:
    return {USERNAME_FIELD: user.email}


def count_failure(request: HttpRequest, user: User) -> bool:
    """Count a failed second-factor code like a failed password; True when now locked out."""
    user_login_failed.send(sender="clinic.mfa", credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def is_locked_out(request: HttpRequest, user: User) -> bool:
    AxesProxyHandler.update_request(request)
    return AxesProxyHandler.is_locked(request, _credentials(user))


def reset_failures(request: HttpRequest, user: User) -> None:
    """Forget the account's failures from this address once it has fully signed in."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, _credentials(user))
