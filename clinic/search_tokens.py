"""Searches that never put what was typed into an address.

A search form is POSTed; the terms are kept in the session under an opaque random token,
and only the token travels in the address bar (and so in browser history, proxies and
access logs). Used by the clinician queue (``review``) and every admin list
(``admin:<app>.<model>``). One search is kept per scope; a token the session does not hold
is answered as no search.
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest

SESSION_KEY = "search_tokens"


def search_store(request: HttpRequest, *, scope: str, terms: str) -> str:
    """Keep ``terms`` for ``scope`` and return the token that names them."""
    token = secrets.token_urlsafe(12)
    kept = dict(request.session.get(SESSION_KEY) or {})
    kept[scope] = {"token": token, "q": terms}
    request.session[SESSION_KEY] = kept
    return token


def search_terms(request: HttpRequest, *, scope: str, token: str) -> str | None:
    """The terms ``token`` names in ``scope``, or None when the session does not hold them."""
    stored = (request.session.get(SESSION_KEY) or {}).get(scope) or {}
    # Compared as bytes: compare_digest refuses non-ASCII str, and an address bar can carry
    # any text at all (``?search=%C3%A9`` must not be a 500).
    expected = str(stored.get("token", "")).encode("utf-8", "surrogatepass")
    if token and secrets.compare_digest(expected, token.encode("utf-8", "surrogatepass")):
        return str(stored.get("q", ""))
    return None


def search_forget(request: HttpRequest, *, scope: str) -> None:
    kept = dict(request.session.get(SESSION_KEY) or {})
    if kept.pop(scope, None) is not None:
        request.session[SESSION_KEY] = kept
