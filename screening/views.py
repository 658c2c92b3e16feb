"""The clinician review: the queue, the case page and the actions on a case.

Views are thin: they check who is asking, hand what was typed to a form and the form's clean
data to a service, and show the result. A case is reached only through
``_get_case_for_clinician``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from http import HTTPStatus
from typing import Any

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import CheckboxSelectMultiple, Form, RadioSelect, Textarea
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from clinic.access import staff_required
from clinic.audit import audit_list_read, describe_list_read
from clinic.models import User
from clinic.pdf import PDF_CONTENT_TYPE
from clinic.search_tokens import search_forget, search_store, search_terms
from screening import fhir, pdf, services
from screening.forms import (
    AcknowledgeForm,
    ActionForm,
    AssignForm,
    DecisionForm,
    NoteForm,
    QueueFilterForm,
    RequestInfoForm,
    SearchForm,
    VitalsForm,
)
from screening.models import Case, CaseStatus
from screening.presenters import NOT_RECOGNISED
from screening.queue_pages import Cursor, queue_page
from screening.selectors import case_page, clinicians, queue_cases, queue_counts, with_reasons

QUEUE_PAGE_SIZE = 25
# The search terms live in the session behind an opaque token (clinic.search_tokens); only
# the token ever reaches the address bar, so no name, e-mail or birth date lands in a URL or
# an access log.
SEARCH_SCOPE = "review"


def _get_case_for_clinician(request: HttpRequest, case_id: int) -> Case:
    """The one way a view reaches a case: clinicians and admins only, 404 for anyone else."""
    user = request.user
    if not (user.is_authenticated and user.is_clinician_role):  # type: ignore[union-attr]
        raise Http404
    return get_object_or_404(
        Case.objects.select_related("intake__patient__user", "assigned_to", "latest_result", "urgent_acknowledged_by"),
        pk=case_id,
    )


# --- The queue ----------------------------------------------------------------------------------


def _search_terms(request: HttpRequest) -> tuple[str, str]:
    """The (token, terms) of the search named in the address bar, if the session still has it."""
    token = request.GET.get("search", "")
    terms = search_terms(request, scope=SEARCH_SCOPE, token=token)
    return (token, terms) if terms is not None else ("", "")


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    staff = list(clinicians())
    filter_form = QueueFilterForm(request.GET or None, staff=staff)
    filters = filter_form.filters()
    token, terms = _search_terms(request)
    if request.GET.get("search") and not token:
        messages.info(request, "That search is no longer available: search again.")
    counts = queue_counts(filters=filters, user=user, search=terms)
    cases = queue_cases(filters=filters, user=user, search=terms)
    # A cursor that is not one of ours (typed, cut, tampered with) is the first page.
    cursor = Cursor.decode(request.GET.get("cursor", ""))
    page = queue_page(cases, cursor=cursor, size=QUEUE_PAGE_SIZE, total=counts.total)
    page.rows = with_reasons(page.rows)
    audit_list_read(
        actor=user,
        model=Case,
        described=describe_list_read("Review queue", asdict(filters), searching=bool(terms), page=page.number),
        request=request,
    )
    return render(
        request,
        "screening/queue.html",
        {
            "page": page,
            "filter_form": filter_form,
            "filters": filters,
            "search_form": SearchForm(initial={"q": terms}),
            "search_token": token,
            "searching": bool(terms),
            "level_counts": counts.levels,
            "active_filters": filter_form.active_count(),
            "total": counts.total,
        },
    )


@staff_required
@require_POST
@sensitive_post_parameters("q")
def search(request: HttpRequest) -> HttpResponse:
    """Keep the search in the session and send the queue an opaque token for it."""
    if "clear" in request.POST:
        search_forget(request, scope=SEARCH_SCOPE)
        return redirect("review:queue")
    form = SearchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Type a name, e-mail address or date of birth to search (150 characters at most).")
        return redirect("review:queue")
    token = search_store(request, scope=SEARCH_SCOPE, terms=form.cleaned_data["q"].strip())
    return redirect(f"{reverse('review:queue')}?search={token}")


# --- The case page ------------------------------------------------------------------------------

ACTIONS = ("acknowledge", "assign", "vitals", "request_info", "decide", "note")
ACTION_TITLES = {
    "acknowledge": "the acknowledgement",
    "assign": "the assignment",
    "vitals": "the measured vitals",
    "request_info": "the request for more information",
    "decide": "the decision",
    "note": "the note",
}


def _error_summary(bound: dict[str, Form] | None) -> dict[str, Any] | None:
    """The refused form's errors, each linking to its field (the page opens on this summary)."""
    for name, form in (bound or {}).items():
        if not form.is_bound or not form.errors:
            continue
        errors = [(f"action-{name}", "", str(message)) for message in form.non_field_errors()]
        for field_name, messages_ in form.errors.items():
            if field_name == NON_FIELD_ERRORS or field_name not in form.fields:
                continue
            field = form[field_name]
            multiple = isinstance(field.field.widget, RadioSelect | CheckboxSelectMultiple)
            anchor = f"{field.auto_id}_0" if multiple else str(field.auto_id)
            errors += [(anchor, str(field.label), str(message)) for message in messages_]
        return {"name": name, "title": ACTION_TITLES.get(name, "this action"), "errors": errors}
    return None


def _forms_for(case: Case, user: User, bound: dict[str, Form] | None = None) -> dict[str, Form]:
    initial = {"version": case.version}
    departing = services.departing_flags(case.latest_result.result if case.latest_result else None)
    forms: dict[str, Form] = {
        "acknowledge": AcknowledgeForm(initial=initial),
        "assign": AssignForm(initial=initial, user=user),
        "vitals": VitalsForm(initial=initial),
        "request_info": RequestInfoForm(initial=initial),
        "decide": DecisionForm(initial=initial, departing=departing),
        "note": NoteForm(initial=initial),
    }
    forms.update(bound or {})
    return forms


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, Form] | None = None,
    problem: str = "",
    kept: list[tuple[str, str]] | None = None,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = case_page(case)
    context.update(
        {
            "forms": _forms_for(case, user, bound),
            "error_summary": _error_summary(bound),
            "not_recognised": NOT_RECOGNISED,
            "problem": problem,
            "kept": kept or [],
            "is_draft": case.latest_result_id is None,
            "is_decided": case.status == CaseStatus.DECIDED,
            "is_waiting": case.status == CaseStatus.INFO_REQUESTED,
            "action_urls": {name: reverse(f"review:{name}", args=[case.pk]) for name in ACTIONS},
        }
    )
    return render(request, "screening/case.html", context, status=status)


@staff_required
@require_GET
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _get_case_for_clinician(request, case_id)
    services.case_record_view(case=case, actor=request.user, request=request)  # type: ignore[arg-type]
    return _render_case(request, case)


# --- Copies of the case for the chart and the EHR ------------------------------------------------


def _download(content: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
@require_GET
def case_fhir(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's intake as a FHIR R4 Bundle (collection) for the clinic's EHR."""
    case = _get_case_for_clinician(request, case_id)
    bundle = fhir.intake_bundle(case, vitals=services.measured_vitals_of(case))
    services.case_record_export(case=case, actor=request.user, what="FHIR Bundle", request=request)  # type: ignore[arg-type]
    return _download(fhir.bundle_json(bundle), content_type=fhir.FHIR_JSON, filename=f"case-{case.pk}.fhir.json")


@staff_required
@require_GET
def case_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    """The chart copy of the case as a PDF: header, outcome and flags, scores, answers, decision, timeline."""
    case = _get_case_for_clinician(request, case_id)
    services.case_record_export(case=case, actor=request.user, what="Staff PDF", request=request)  # type: ignore[arg-type]
    document = pdf.staff_pdf(case_page(case))
    return _download(document, content_type=PDF_CONTENT_TYPE, filename=f"case-{case.pk}.pdf")


def _typed_text(form: Form) -> list[tuple[str, str]]:
    """What the clinician wrote in the form's text boxes, to show back when the form itself
    may no longer be on the page (the case moved on to a state without that action)."""
    typed = []
    for name, field in form.fields.items():
        value = str(form.data.get(name, "")).strip()
        if value and isinstance(field.widget, Textarea):
            typed.append((str(field.label), value))
    return typed


def _keep_typed_text(form_class: Callable[..., ActionForm], request: HttpRequest, case: Case, **kwargs: Any) -> Form:
    """The clinician's form as they filled it in, carrying the case's current version."""
    data = request.POST.copy()
    data["version"] = str(case.version)
    return form_class(data, **kwargs)


def _act(
    request: HttpRequest,
    case_id: int,
    *,
    name: str,
    make_form: Callable[..., ActionForm],
    form_kwargs: Callable[[Case], dict[str, Any]] | None = None,
    run: Callable[[Case, dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Validate an action's form, run its service, and answer.

    Success: back to the case page with a message. Invalid input: the page again, the
    error beside the field and everything typed kept. A case that changed meanwhile: the
    page again with the changes, the typed text kept and the new version in the form.
    """
    case = _get_case_for_clinician(request, case_id)
    extra = form_kwargs(case) if form_kwargs else {}
    form = make_form(request.POST, **extra)
    if form.is_valid():
        try:
            run(case, form.cleaned_data | {"form": form})
        except services.StaleCase as exc:
            fresh = _get_case_for_clinician(request, case_id)
            again = _keep_typed_text(make_form, request, fresh, **(form_kwargs(fresh) if form_kwargs else {}))
            return _render_case(
                request,
                fresh,
                bound={name: again},
                problem=exc.message,
                kept=_typed_text(form),
                status=HTTPStatus.CONFLICT,
            )
        except services.CaseActionError as exc:
            form.add_error(None, exc.message)
            fresh = _get_case_for_clinician(request, case_id)
            return _render_case(
                request,
                fresh,
                bound={name: form},
                problem=exc.message,
                kept=_typed_text(form),
                status=HTTPStatus.CONFLICT,
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("review:case", case.pk)
    return _render_case(request, case, bound={name: form})


def _add_service_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field_name, errors in error.error_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@staff_required
@require_POST
@sensitive_post_parameters()
def acknowledge(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        name="acknowledge",
        make_form=AcknowledgeForm,
        run=lambda case, data: services.case_acknowledge(
            case_id=case.pk, version=data["version"], actor=request.user, note=data["note"], request=request
        ),
        done="Urgent flag acknowledged.",
    )


@staff_required
@require_POST
@sensitive_post_parameters()
def assign(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        name="assign",
        make_form=AssignForm,
        form_kwargs=lambda case: {"user": request.user},
        run=lambda case, data: services.case_assign(
            case_id=case.pk, version=data["version"], actor=request.user, assignee=data["assignee"], request=request
        ),
        done="Case assigned.",
    )


@staff_required
@require_POST
@sensitive_post_parameters()
def vitals(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        name="vitals",
        make_form=VitalsForm,
        run=lambda case, data: services.case_record_vitals(
            case_id=case.pk,
            version=data["version"],
            actor=request.user,
            bp_systolic=data["bp_systolic"],
            bp_diastolic=data["bp_diastolic"],
            bp_date=data["bp_date"],
            weight_kg=data["weight_kg"],
            height_cm=data["height_cm"],
            request=request,
        ),
        done="Measured vitals recorded and the case re-screened: see what changed below.",
    )


@staff_required
@require_POST
@sensitive_post_parameters()
def request_info(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        name="request_info",
        make_form=RequestInfoForm,
        run=lambda case, data: services.case_request_info(
            case_id=case.pk,
            version=data["version"],
            actor=request.user,
            steps=data["steps"],
            message=data["message"],
            request=request,
        ),
        done="Request sent: the patient can now change the sections you reopened.",
    )


@staff_required
@require_POST
@sensitive_post_parameters()
def decide(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        name="decide",
        make_form=DecisionForm,
        form_kwargs=lambda case: {
            "departing": services.departing_flags(case.latest_result.result if case.latest_result else None)
        },
        run=lambda case, data: services.case_decide(
            case_id=case.pk,
            version=data["version"],
            actor=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            flag_reasons=data["form"].flag_reasons(),
            request=request,
        ),
        done="Decision recorded.",
    )


@staff_required
@require_POST
@sensitive_post_parameters()
def note(request: HttpRequest, case_id: int) -> HttpResponse:
    return _act(
        request,
        case_id,
        name="note",
        make_form=NoteForm,
        run=lambda case, data: services.case_add_note(
            case_id=case.pk, version=data["version"], actor=request.user, text=data["text"], request=request
        ),
        done="Note added.",
    )
