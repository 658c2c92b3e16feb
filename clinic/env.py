"""Strict readers for settings that come from the environment.

Every reader raises ``ImproperlyConfigured`` naming the variable when a value is malformed:
``DJANGO_DEBUG=flase`` must stop the app, not silently mean "off".
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_DB_ENGINES = {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}


class Env:
    """Reads typed values from a mapping (``os.environ`` by default)."""

    def __init__(self, source: Mapping[str, str] | None = None) -> None:
        self.source = os.environ if source is None else source

    def _raw(self, name: str) -> str | None:
        value = self.source.get(name)
        if value is None:
            return None
        return value.strip()

    def str(self, name: str, default: str = "") -> str:
        value = self._raw(name)
        return default if value is None or value == "" else value

    def bool(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None or value == "":
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0.")

    def int(self, name: str, default: int, *, minimum: int = 0) -> int:
        value = self._raw(name)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if number < minimum:
            raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
        return number

    def list(self, name: str, default: list[str]) -> list[str]:
        value = self._raw(name)
        if value is None or value == "":
            return list(default)
        items = [item.strip() for item in value.split(",")]
        if any(not item for item in items):
            raise ImproperlyConfigured(f"{name}={value!r} has an empty item: separate values with single commas.")
        return items

    def database(self, name: str, default: str) -> dict[str, object]:
        url = self.str(name, default)
        if "://" not in url:
            raise ImproperlyConfigured(
                f"{name}={url!r} is not a database URL such as sqlite:///db.sqlite3 "
                "or postgres://user:password@host:5432/dbname."
            )
        config = environ.Env.db_url_config(url)
        if config.get("ENGINE") not in _DB_ENGINES:
            raise ImproperlyConfigured(f"{name}={url!r} names an unsupported database: use sqlite or postgres.")
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"{name}={url!r} names no database.")
        return config

    def email(self, name: str, default: str) -> dict[str, object]:
        url = self.str(name, default)
        if "://" not in url:
            raise ImproperlyConfigured(
                f"{name}={url!r} is not an email URL such as consolemail:// or smtp+tls://user:password@host:587."
            )
        try:
            config = environ.Env.email_url_config(url)
        except (ValueError, KeyError, ImproperlyConfigured):
            raise ImproperlyConfigured(f"{name}={url!r} is not a supported email URL.") from None
        return config


def require_secret_key_to_serve() -> None:
    """Refuse to serve requests outside debug without a DJANGO_SECRET_KEY of our own."""
    from django.conf import settings

    if not settings.DEBUG and not getattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", False):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
