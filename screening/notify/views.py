from __future__ import annotations

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from intake.models import Intake
from screening.notify import emails, services


@never_cache
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """Stop draft reminders from the link in one, without signing in.

    GET only asks (mail scanners open links); the POST stops them. The signed token names the
    intake; a forged or damaged one is refused with a message.
    """
    intake_id = emails.intake_id_from_token(token)
    intake = Intake.objects.filter(pk=intake_id).first() if intake_id is not None else None
    if intake is None:
        return render(request, "notify/opt_out.html", {"invalid": True}, status=HTTPStatus.BAD_REQUEST)
    done = False
    if request.method == "POST":
        services.reminders_opt_out(intake=intake)
        done = True
    return render(request, "notify/opt_out.html", {"done": done, "token": token})
