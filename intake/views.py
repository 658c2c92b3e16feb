"""The patient's intake pages. Thin views: reads through selectors, writes through services.

Every view is patient-only (``patient_required``: login, never_cache, staff get a 404) and
reaches an intake only through ``_get_intake_for_patient``, which gives a 404 for anyone
else's intake. Posts of health answers are ``sensitive_post_parameters``: an error report
never carries them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, get_script_prefix, get_urlconf, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import patient_required
from clinic.forms import EmailAuthenticationForm
from clinic.pdf import PDF_CONTENT_TYPE
from clinic.sessions import idle_seconds_left, renew_now
from intake import rescue, selectors, services
from intake.forms import DRAFT_REVISION_FIELD, ConsentForm, DraftRevisionForm
from intake.models import AntidepressantTrial, Intake, IntakeMedication, IntakeStatus
from intake.pdf import patient_pdf
from intake.screening_seam import InfoRequestNotice, screening
from intake.steps import REVIEW, STEP_BY_KEY, STEPS, TOTAL_STEPS, Step, step_number

LOCKED_MESSAGE = "This intake has been sent to the clinic, so its answers can no longer be changed here."
REOPENED_LOCKED_MESSAGE = "The clinic asked about other sections; this one can no longer be changed."
SIGNED_OUT_MESSAGE = "You are signed out. Your answers are saved: sign in again to carry on where you stopped."
LEFT_WITH_ERRORS_MESSAGE = (
    "Your answers on “{title}” are saved. Some of them need another look before you send the intake."
)
RESCUED_MESSAGE = "Your answers are saved. Check them, then press “Save and continue”."


# What a post reads of its intake before the save service locks and reads it whole: the id
# (for the redirect), and the status and reopened steps (``services.step_is_editable``).
ACCESS_COLUMNS = ("id", "status", "reopened_steps")


def _get_intake_for_patient(request: HttpRequest, intake_id: int, *, rows: bool = True) -> Intake:
    """The only way a view reaches an intake: the requesting patient's own, or a 404.

    ``rows=False`` is for a post that only checks access before a save service, which locks
    and reads the whole intake again: it reads only the columns of the access and
    "is this step open" checks (``ACCESS_COLUMNS``), not the intake's hundred answer columns
    nor its patient and rows (issue 13: building and reading that row twice was a large
    part of a step post's time).
    """
    if not rows:
        return get_object_or_404(Intake.objects.only(*ACCESS_COLUMNS), pk=intake_id, patient__user=request.user)
    queryset = Intake.objects.select_related("patient").prefetch_related(
        Prefetch("medications", queryset=IntakeMedication.objects.order_by("position", "id")),
        Prefetch("antidepressant_trials", queryset=AntidepressantTrial.objects.order_by("position", "id")),
    )
    return get_object_or_404(queryset, pk=intake_id, patient__user=request.user)


# A step's (or the review's) address is reversed once, with this marker for the intake's id,
# and the id put in its place: reverse() was a twentieth of a step POST (its redirect), and a
# step page builds its progress list's thirteen addresses (issue 13).
_ID_MARK = "987654321987654321"


@lru_cache(maxsize=128)
def _page_url_with_mark(key: str, prefix: str, urlconf: str | None) -> str:
    if key == REVIEW:
        return reverse("intake:review", args=[_ID_MARK], urlconf=urlconf)
    return reverse("intake:step", args=[_ID_MARK, key], urlconf=urlconf)


def _page_url(intake: Intake, key: str) -> str:
    return _page_url_with_mark(key, get_script_prefix(), get_urlconf()).replace(_ID_MARK, str(intake.pk), 1)


def _progress(intake: Intake, current: str) -> list[dict[str, Any]]:
    """The progress indicator: every step, whether it is complete, and which is current."""
    items = []
    for number, step in enumerate(STEPS, start=1):
        items.append(
            {
                "key": step.key,
                "number": number,
                "title": step.title,
                "url": _page_url(intake, step.key),
                "complete": step.is_complete(intake),
                "current": step.key == current,
                "open": services.step_is_editable(intake, step.key),
            }
        )
    items.append(
        {
            "key": REVIEW,
            "number": TOTAL_STEPS,
            "title": "Review and consent",
            "url": _page_url(intake, REVIEW),
            "complete": False,
            "current": current == REVIEW,
            "open": True,
        }
    )
    return items


def _info_request(intake: Intake | None) -> InfoRequestNotice | None:
    """The clinic's open request for more information, shown while the intake is reopened
    (asked of screening through the seam: the request belongs to the clinician's case)."""
    if intake is None or intake.status != IntakeStatus.REOPENED:
        return None
    return screening().open_info_request(intake=intake)


def _page_context(intake: Intake, current: str, safety: selectors.SafetyNotice) -> dict[str, Any]:
    return {
        "info_request": _info_request(intake),
        "intake": intake,
        "progress": _progress(intake, current),
        "step_number": step_number(current),
        "total_steps": TOTAL_STEPS,
        "percent": round(100 * step_number(current) / TOTAL_STEPS),
        "safety": safety,
    }


@patient_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Start or resume the patient's intake; list the ones already sent."""
    patient = services.patient_get_or_create(user=request.user)  # type: ignore[arg-type]
    intakes = list(selectors.patient_intakes(request.user))  # type: ignore[arg-type]
    draft = next((i for i in intakes if i.status == IntakeStatus.DRAFT), None)
    if draft is None and not intakes:
        draft = services.intake_start(patient=patient)
    if draft is not None:
        key = draft.current_step if draft.current_step in STEP_BY_KEY or draft.current_step == REVIEW else STEPS[0].key
        return redirect(_page_url(draft, key))
    reopened = next((i for i in intakes if i.status == IntakeStatus.REOPENED), None)
    return render(
        request,
        "intake/home.html",
        {"intakes": intakes, "reopened": reopened, "info_request": _info_request(reopened)},
    )


def _rescue_signed_out_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A step's post that arrives after the session ended (idle limit, signed out in another
    tab) is not sent to the sign-in page, which would drop it: the patient gets a page that
    reads their answers back and carries them to the sign-in-and-save form."""

    @wraps(view)
    def wrapped(request: HttpRequest, intake_id: int, step: str) -> HttpResponse:
        step_obj = STEP_BY_KEY.get(step)
        if request.method == "POST" and not request.user.is_authenticated and step_obj is not None:
            pairs = rescue.carried_from_step_post(request.POST)
            return _rescue_page(request, intake_id, step_obj, pairs, why=RESCUE_EXPIRED)
        return view(request, intake_id, step)

    return wrapped


# The save service is the transaction (atomic, with the intake's row lock); a request-wide
# transaction around it would only add a savepoint to every post.
@transaction.non_atomic_requests
@sensitive_post_parameters()
@_rescue_signed_out_post
@patient_required
@require_http_methods(["GET", "POST"])
def step_view(request: HttpRequest, intake_id: int, step: str) -> HttpResponse:
    """Any step of the intake: one form, one page."""
    step_obj: Step | None = STEP_BY_KEY.get(step)
    if step_obj is None:
        raise Http404
    if request.method == "POST":
        # The access check and the save's row lock are one read of the intake (issue 13).
        try:
            result = services.patient_save_step(
                user=request.user,  # type: ignore[arg-type]
                intake_id=intake_id,
                step=step_obj,
                data=request.POST,
            )
        except Intake.DoesNotExist:
            raise Http404 from None
        except services.IntakeNotEditable as closed:
            messages.info(request, _locked_message(closed.status))
            return redirect("intake:detail", intake_id)
        if result.sign_out:
            return _sign_out(request)
        if result.valid or result.leave:
            for text in result.messages:
                messages.info(request, text)
            if not result.valid:
                messages.info(request, LEFT_WITH_ERRORS_MESSAGE.format(title=step_obj.title))
            # After "Add" or "Remove" the page opens at the row (static/js/rows.js focuses it).
            fragment = f"#{result.anchor}" if result.anchor else ""
            # A path already: not redirect(), which would first try it as a URL name.
            return HttpResponseRedirect(_page_url(result.intake, result.next_step) + fragment)  # type: ignore[arg-type]
        intake = _get_intake_for_patient(request, intake_id)
        form, formset = result.form, result.formset
        safety = result.safety or selectors.safety_notice(intake)
        revision = result.revision
    else:
        intake = _get_intake_for_patient(request, intake_id)
        if not services.step_is_editable(intake, step_obj.key):
            messages.info(request, _locked_message(intake.status))
            return redirect("intake:detail", intake.pk)
        draft = selectors.step_draft(intake, step_obj.key)
        form, formset = services.bind_step_forms(step_obj, intake, draft.data if draft else None)
        safety = selectors.safety_notice(intake)
        revision = draft.revision if draft else 0

    context = _page_context(intake, step_obj.key, safety)
    context.update(
        {
            "step": step_obj,
            "form": form,
            "formset": formset,
            "has_errors": bool(form.errors or (formset is not None and not _formset_clean(formset))),
            "is_first": step_obj.key == STEPS[0].key,
            # Section links and "Sign out" become buttons of the step form: saved, then gone.
            "save_on_leave": True,
            # The idle warning counts down from the session row's own expiry.
            "session_seconds": idle_seconds_left(request),
            # The draft revision the page is built from: its background saves are based on it.
            "draft_revision_field": DRAFT_REVISION_FIELD,
            "draft_revision": revision,
        }
    )
    return render(request, step_obj.template, context)


def _locked_message(status: str) -> str:
    """Why a step can no longer be changed: the intake was sent, or this step was not reopened."""
    return LOCKED_MESSAGE if status == IntakeStatus.SUBMITTED else REOPENED_LOCKED_MESSAGE


def _sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, SIGNED_OUT_MESSAGE)
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- Saving as the patient goes, and keeping the session alive --------------------------------


def _patient_json(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The page's background requests: patients only (anyone else signed in gets a 404), and a
    signed-out browser gets a 401 it can tell the patient about, not the sign-in page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"saved": False, "signed_in": False}, status=HTTPStatus.UNAUTHORIZED)
        if not request.user.is_patient_role:  # type: ignore[union-attr]
            raise Http404
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


@transaction.non_atomic_requests
@_patient_json
@sensitive_post_parameters()
@require_POST
def autosave(request: HttpRequest, intake_id: int, step: str) -> HttpResponse:
    """Keep the step's answers as typed so far, without checking them or moving on (the page's
    JavaScript sends them after each change, and once more when the page is left).

    Each save names the draft revision it is based on and is answered with the new one; a
    save based on an older revision than the stored draft's (it arrived after a Save of the
    page, or another tab saved meanwhile) writes nothing and gets a 409 with ``"stale"``."""
    step_obj: Step | None = STEP_BY_KEY.get(step)
    if step_obj is None:
        raise Http404
    intake = _get_intake_for_patient(request, intake_id, rows=False)
    based_on = DraftRevisionForm(request.POST)
    if not based_on.is_valid():
        return JsonResponse({"saved": False, "error": "revision"}, status=HTTPStatus.BAD_REQUEST)
    try:
        revision = services.intake_save_draft(
            intake=intake,
            step=step_obj,
            data=request.POST,
            actor=request.user,  # type: ignore[arg-type]
            how="saved as typed",
            based_on=based_on.cleaned_data[DRAFT_REVISION_FIELD],
        )
    except services.IntakeNotEditable:
        return JsonResponse({"saved": False}, status=HTTPStatus.CONFLICT)
    except services.StaleDraft:
        return JsonResponse({"saved": False, "stale": True}, status=HTTPStatus.CONFLICT)
    return JsonResponse({"saved": True, "revision": revision})


@_patient_json
@require_POST
def stay_signed_in(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in" on the idle warning: the session's idle limit starts again now."""
    renew_now(request)
    return JsonResponse({"signed_in": True, "seconds": settings.SESSION_COOKIE_AGE})


# --- Answers carried through a sign-in ---------------------------------------------------------

RESCUE_EXPIRED = "expired"
RESCUE_STALE = "stale"


def _owns_intake(user: Any, intake_id: int) -> bool:
    return bool(user.is_patient_role and Intake.objects.filter(pk=intake_id, patient__user=user).exists())


def _rescue_page(
    request: HttpRequest,
    intake_id: int,
    step: Step,
    pairs: list[tuple[str, str]],
    *,
    why: str,
    form: EmailAuthenticationForm | None = None,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    """The page that reads a patient's unsaved answers back and offers to save them.

    Signed out: the answers and a sign-in form that saves them. Signed in as the intake's
    owner: the answers and one "Save my answers" button. Anyone else (another patient, staff):
    an explanation only; the answers are neither shown nor carried, and nothing is kept.
    """
    user = request.user
    if not user.is_authenticated:
        mode = "sign_in"
        if form is None:
            form = EmailAuthenticationForm(request)
        # The patient should first read what the page says, not land in the e-mail box.
        form.fields["username"].widget.attrs.pop("autofocus", None)
    elif _owns_intake(user, intake_id):
        mode = "save"
    else:
        mode = "refused"
    carry = mode != "refused"
    context = {
        "step": step,
        "why": why,
        "mode": mode,
        "form": form,
        "answers": rescue.read_back(step, pairs) if carry else [],
        "carried": [(rescue.ANSWER_PREFIX + key, value) for key, value in pairs] if carry else [],
        "action": reverse("intake:rescue", args=[intake_id, step.key]),
    }
    response = render(request, "intake/rescue.html", context, status=status)
    add_never_cache_headers(response)
    return response


@never_cache
@sensitive_post_parameters()
@require_POST
def rescue_save(request: HttpRequest, intake_id: int, step: str) -> HttpResponse:
    """Sign in (if need be) and keep the carried answers in the step's draft, then go to the step.

    Only into an intake the signed-in patient owns: signing in with any other account keeps
    nothing and signs no one in; staff get a 404. The form needs a fresh CSRF token like any
    other post: the page that shows it is the only way to get one.
    """
    step_obj: Step | None = STEP_BY_KEY.get(step)
    if step_obj is None:
        raise Http404
    pairs = rescue.carried_from_rescue_post(request.POST)
    if not request.user.is_authenticated:
        form = EmailAuthenticationForm(request, data=request.POST)
        if not form.is_valid():
            return _rescue_page(request, intake_id, step_obj, pairs, why=RESCUE_EXPIRED, form=form)
        user = form.get_user()
        if not _owns_intake(user, intake_id):
            response = render(
                request, "intake/rescue.html", {"step": step_obj, "mode": "refused"}, status=HTTPStatus.FORBIDDEN
            )
            add_never_cache_headers(response)
            return response
        login(request, user)
    elif not request.user.is_patient_role:  # type: ignore[union-attr]
        raise Http404
    intake = _get_intake_for_patient(request, intake_id, rows=False)
    try:
        services.intake_save_draft(
            intake=intake,
            step=step_obj,
            data=rescue.as_post(pairs),
            actor=request.user,  # type: ignore[arg-type]
            how="carried through sign-in",
            # The patient pressed a button to keep these answers: written like a Save.
            based_on=None,
        )
    except services.IntakeNotEditable:
        messages.info(request, LOCKED_MESSAGE)
        return redirect("intake:detail", intake.pk)
    messages.success(request, RESCUED_MESSAGE)
    return redirect(_page_url(intake, step_obj.key))


def _same_origin(request: HttpRequest) -> bool:
    """Whether a post came from one of our own pages (its Origin header names this site)."""
    origin = request.headers.get("Origin")
    if not origin:
        return False
    try:
        host = request.get_host()
    except DisallowedHost:
        return False
    return origin == f"{request.scheme}://{host}" or origin in settings.CSRF_TRUSTED_ORIGINS


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a friendly page instead of Django's raw 403, never a save.

    A step's post from one of our own pages whose token went stale (the patient signed in
    again in another tab) gets the rescue page: the answers read back, and a form with a
    fresh token that saves them once the owner is signed in. A post from another site (a
    forged request) gets only the explanation, so this page cannot be used to plant answers.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if (
        request.method == "POST"
        and match is not None
        and match.view_name == "intake:step"
        and match.kwargs.get("step") in STEP_BY_KEY
        and _same_origin(request)
    ):
        step_obj = STEP_BY_KEY[match.kwargs["step"]]
        pairs = rescue.carried_from_step_post(request.POST)
        return _rescue_page(
            request, match.kwargs["intake_id"], step_obj, pairs, why=RESCUE_STALE, status=HTTPStatus.FORBIDDEN
        )
    response = render(request, "csrf_failure.html", status=HTTPStatus.FORBIDDEN)
    add_never_cache_headers(response)
    return response


def _formset_clean(formset: Any) -> bool:
    if not formset.is_bound:
        return True
    return not (formset.non_form_errors() or any(form.errors for form in formset.forms))


def _review_context(intake: Intake, form: ConsentForm, safety: selectors.SafetyNotice) -> dict[str, Any]:
    context = _page_context(intake, REVIEW, safety)
    sections = []
    missing_total = 0
    for step in STEPS:
        missing = step.missing(intake)
        missing_total += len(missing)
        sections.append(
            {
                "step": step,
                "url": _page_url(intake, step.key),
                "answers": step.answers(intake),
                "missing": missing,
                "editable": services.step_is_editable(intake, step.key),
            }
        )
    context.update(
        {
            "sections": sections,
            "missing_total": missing_total,
            "form": form,
            "consent": form.current_consent,
            "has_errors": bool(form.errors),
        }
    )
    return context


def _consent_form(request: HttpRequest, data: Any = None) -> ConsentForm:
    return ConsentForm(data, full_name=request.user.full_name, current_consent=selectors.current_consent())  # type: ignore[union-attr]


@patient_required
@require_GET
def review(request: HttpRequest, intake_id: int) -> HttpResponse:
    """Every answer on one page, what is missing, the consent text and the signature."""
    intake = _get_intake_for_patient(request, intake_id)
    if not intake.is_editable:
        return redirect("intake:detail", intake.pk)
    form = _consent_form(request)
    return render(request, "intake/review.html", _review_context(intake, form, selectors.safety_notice(intake)))


@patient_required
@sensitive_post_parameters()
@require_POST
def submit(request: HttpRequest, intake_id: int) -> HttpResponse:
    """Sign and submit. A second submit of the same intake changes nothing."""
    intake = _get_intake_for_patient(request, intake_id)
    if intake.status == IntakeStatus.SUBMITTED:
        return redirect("intake:confirmation", intake.pk)
    form = _consent_form(request, request.POST)
    if not form.is_valid():
        context = _review_context(intake, form, selectors.safety_notice(intake))
        return render(request, "intake/review.html", context)
    services.intake_submit(
        intake=intake,
        signature=form.cleaned_data["signature"],
        consent_version=form.cleaned_data["consent_version"],
    )
    return redirect("intake:confirmation", intake.pk)


@patient_required
@require_GET
def confirmation(request: HttpRequest, intake_id: int) -> HttpResponse:
    """What happens next. The screening outcome is for the clinician, not shown here."""
    intake = _get_intake_for_patient(request, intake_id)
    if intake.status != IntakeStatus.SUBMITTED:
        return redirect(_page_url(intake, REVIEW))
    return render(request, "intake/confirmation.html", {"intake": intake, "safety": selectors.safety_notice(intake)})


@patient_required
@require_GET
def detail(request: HttpRequest, intake_id: int) -> HttpResponse:
    """A sent intake, read-only."""
    intake = _get_intake_for_patient(request, intake_id)
    if intake.status == IntakeStatus.DRAFT:
        return redirect(_page_url(intake, REVIEW))
    sections = [
        {
            "step": step,
            "answers": step.answers(intake),
            "url": _page_url(intake, step.key),
            "editable": services.step_is_editable(intake, step.key),
        }
        for step in STEPS
    ]
    return render(
        request,
        "intake/detail.html",
        {
            "intake": intake,
            "sections": sections,
            "safety": selectors.safety_notice(intake),
            "info_request": _info_request(intake),
        },
    )


@patient_required
@require_GET
def intake_pdf(request: HttpRequest, intake_id: int) -> HttpResponse:
    """The patient's own copy of a sent intake as a PDF: their answers and the clinic's contact."""
    intake = _get_intake_for_patient(request, intake_id)
    if intake.status == IntakeStatus.DRAFT:
        return redirect(_page_url(intake, REVIEW))
    services.intake_record_export(intake=intake, actor=request.user, what="Patient PDF", request=request)  # type: ignore[arg-type]
    response = HttpResponse(patient_pdf(intake), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="my-intake-{intake.pk}.pdf"'
    return response
