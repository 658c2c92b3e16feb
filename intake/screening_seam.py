"""The one seam through which the intake asks for screening, without importing it.

The clinician review and results (``screening``) depend on ``intake``, never the reverse. What
the intake needs from them — a draft's safety answers screened at once, a submitted intake
screened and queued, the clinic's open request for more information shown on the patient's
pages — it asks through the three callables registered here by ``screening``'s
AppConfig.ready(). Until they are registered, asking is an error: an intake must never be saved
as if it had been screened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

from clinic.models import User
from intake.models import Intake


class DraftSafetyCheck(Protocol):
    def __call__(self, *, intake: Intake) -> dict[str, Any]: ...


class SubmittedScreening(Protocol):
    def __call__(self, *, intake: Intake, resubmission: bool, actor: User) -> None: ...


@dataclass(frozen=True)
class InfoRequestNotice:
    """What the patient sees of the clinic's open request for more information: its words and
    when it was asked (not who asked, nor the case it belongs to)."""

    message: str
    requested_at: dt.datetime


class OpenInfoRequest(Protocol):
    def __call__(self, *, intake: Intake) -> InfoRequestNotice | None: ...


@dataclass(frozen=True)
class Screening:
    #: Screen a draft's answers so far; raise an urgent alert when they call for one. Returns
    #: the engine's result (the page shows crisis resources from it).
    draft_safety_check: DraftSafetyCheck
    #: Screen a submitted (or resubmitted) intake and put it in the clinicians' queue.
    submitted: SubmittedScreening
    #: The clinic's unanswered request for more information on this intake, if any.
    open_info_request: OpenInfoRequest


_registered: list[Screening] = []


def register(screening: Screening) -> None:
    """Called once, by the screening app when Django starts."""
    _registered[:] = [screening]


def screening() -> Screening:
    if not _registered:
        raise ImproperlyConfigured("No screening is registered for the intake (is 'screening' in INSTALLED_APPS?)")
    return _registered[0]
