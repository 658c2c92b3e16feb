"""The patient's intake pages. Thin views: reads through selectors, writes through services.

Every view is patient-only (``patient_required``: login, never_cache, staff get a 404) and
reaches an intake only through ``_get_intake_for_patient``, which gives a 404 for anyone
else's intake. Posts of health answers are ``sensitive_post_parameters``: an error report
never carries them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import patient_required
from clinic.pdf import PDF_CONTENT_TYPE
from intake import selectors, services
from intake.forms import ConsentForm
from intake.models import AntidepressantTrial, Intake, IntakeMedication, IntakeStatus
from intake.pdf import patient_pdf
from intake.screening_seam import InfoRequestNotice, screening
from intake.steps import REVIEW, STEP_BY_KEY, STEPS, TOTAL_STEPS, Step, step_number

LOCKED_MESSAGE = "This intake has been sent to the clinic, so its answers can no longer be changed here."
REOPENED_LOCKED_MESSAGE = "The clinic asked about other sections; this one can no longer be changed."


def _get_intake_for_patient(request: HttpRequest, intake_id: int, *, rows: bool = True) -> Intake:
    """The only way a view reaches an intake: the requesting patient's own, or a 404.

    ``rows=False`` skips the two row prefetches, for a post that only checks access (the
    save locks and reads the intake again).
    """
    queryset = Intake.objects.select_related("patient")
    if rows:
        queryset = queryset.prefetch_related(
            Prefetch("medications", queryset=IntakeMedication.objects.order_by("position", "id")),
            Prefetch("antidepressant_trials", queryset=AntidepressantTrial.objects.order_by("position", "id")),
        )
    return get_object_or_404(queryset, pk=intake_id, patient__user=request.user)


def _page_url(intake: Intake, key: str) -> str:
    if key == REVIEW:
        return reverse("intake:review", args=[intake.pk])
    return reverse("intake:step", args=[intake.pk, key])


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


# The save service is the transaction (atomic, with the intake's row lock); a request-wide
# transaction around it would only add a savepoint to every post.
@transaction.non_atomic_requests
@patient_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def step_view(request: HttpRequest, intake_id: int, step: str) -> HttpResponse:
    """Any step of the intake: one form, one page."""
    step_obj: Step | None = STEP_BY_KEY.get(step)
    if step_obj is None:
        raise Http404
    intake = _get_intake_for_patient(request, intake_id, rows=request.method != "POST")
    if not services.step_is_editable(intake, step_obj.key):
        messages.info(request, LOCKED_MESSAGE if intake.status == IntakeStatus.SUBMITTED else REOPENED_LOCKED_MESSAGE)
        return redirect("intake:detail", intake.pk)

    if request.method == "POST":
        try:
            result = services.intake_save_step(intake=intake, step=step_obj, data=request.POST)
        except services.IntakeNotEditable:
            messages.info(request, LOCKED_MESSAGE)
            return redirect("intake:detail", intake.pk)
        if result.valid:
            for text in result.messages:
                messages.info(request, text)
            # After "Add" or "Remove" the page opens at the row (static/js/rows.js focuses it).
            fragment = f"#{result.anchor}" if result.anchor else ""
            return redirect(_page_url(intake, result.next_step) + fragment)
        intake = _get_intake_for_patient(request, intake_id)
        form, formset = result.form, result.formset
        safety = result.safety or selectors.safety_notice(intake)
    else:
        draft = selectors.step_draft(intake, step_obj.key)
        form, formset = services.bind_step_forms(step_obj, intake, draft.data if draft else None)
        safety = selectors.safety_notice(intake)

    context = _page_context(intake, step_obj.key, safety)
    context.update(
        {
            "step": step_obj,
            "form": form,
            "formset": formset,
            "has_errors": bool(form.errors or (formset is not None and not _formset_clean(formset))),
            "is_first": step_obj.key == STEPS[0].key,
        }
    )
    return render(request, step_obj.template, context)


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
