"""Template tags shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

#: The session key recording that this session has shown the crisis banner in full.
CRISIS_BANNER_SHOWN = "crisis_banner_shown"


@register.simple_tag(takes_context=True)
def crisis_banner_form(context: template.Context) -> str:
    """"full" the first time a session shows the crisis banner, "compact" on every later page.

    The full banner is announced (role="alert") on its first showing only; later pages keep
    Call 988 / Text 988 / Call 911 one tap away in a quiet bar that screen readers do not
    announce again on every load. Decided on the server, from the session: no script needed.
    """
    request: Any = context.get("request")
    session = getattr(request, "session", None)
    if session is None:
        return "full"
    if session.get(CRISIS_BANNER_SHOWN):
        return "compact"
    session[CRISIS_BANNER_SHOWN] = True
    return "full"


@register.simple_tag
def clinic_signature() -> str:
    """The e-mails' signature (the clinic's name, phone, address, hours): e-mails are
    rendered without a request, so the tag reads the cached identity itself."""
    from clinic.identity import clinic_identity

    return clinic_identity().signature()
