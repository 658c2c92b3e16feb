"""Every URL of the app × every kind of visitor, with 0 unexpected answers.

Adding a URL is one line in ``ROUTES`` (or, for the admin, nothing: every registered model's
pages are exercised by ``ADMIN_MODEL_VERBS``). ``test_every_url_pattern_is_in_the_matrix``
fails when a URL pattern is in neither.

Personas: anonymous; patient A (the owner of the intake and case used) and patient B; a
clinician and an admin, each with and without a verified second factor; an account with no
role; an inactive account (signed in before it was deactivated).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.models import Role, User
from tests.admin.conftest import RECORD_BUILDERS
from tests.conftest import authenticator_for, sign_in_staff
from tests.factories import UserFactory, make_case

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "patient_a",
    "patient_b",
    "clinician",
    "clinician_unverified",
    "admin",
    "admin_unverified",
    "no_role",
    "inactive",
]

# What an answer may be. "login": sent to the site's sign-in; "admin_login": to the admin's;
# "mfa": to the second-factor page; "done": a redirect after a successful action; "ok": 200.
LOGIN, ADMIN_LOGIN, MFA, OK, DONE, NOT_FOUND = "login", "admin_login", "mfa", "ok", "done", "404"
HOME = "home"  # a redirect to where the person's work is (an authenticated visitor of a public page)

# Who gets what, by kind of page. A route may override single personas.
KINDS: dict[str, dict[str, str]] = {
    # The patient's own pages: the owner gets them, everyone else a 404 or a sign-in.
    "patient": {
        "anonymous": LOGIN,
        "patient_a": OK,
        "patient_b": NOT_FOUND,
        "clinician": NOT_FOUND,
        "clinician_unverified": MFA,
        "admin": NOT_FOUND,
        "admin_unverified": MFA,
        "no_role": NOT_FOUND,
        "inactive": LOGIN,
    },
    # The clinician review: verified staff only.
    "staff": {
        "anonymous": LOGIN,
        "patient_a": NOT_FOUND,
        "patient_b": NOT_FOUND,
        "clinician": OK,
        "clinician_unverified": MFA,
        "admin": OK,
        "admin_unverified": MFA,
        "no_role": NOT_FOUND,
        "inactive": LOGIN,
    },
    # The back office: verified admins only.
    "admin": {
        "anonymous": ADMIN_LOGIN,
        "patient_a": ADMIN_LOGIN,
        "patient_b": ADMIN_LOGIN,
        "clinician": ADMIN_LOGIN,
        "clinician_unverified": MFA,
        "admin": OK,
        "admin_unverified": MFA,
        "no_role": ADMIN_LOGIN,
        "inactive": ADMIN_LOGIN,
    },
    # Pages for visitors who are not signed in (sign-in, registration, password reset).
    "public": {
        "anonymous": OK,
        "patient_a": OK,
        "patient_b": OK,
        "clinician": OK,
        "clinician_unverified": MFA,
        "admin": OK,
        "admin_unverified": MFA,
        "no_role": OK,
        "inactive": OK,
    },
    # Pages for any signed-in account (password change).
    "account": {
        "anonymous": LOGIN,
        "patient_a": OK,
        "patient_b": OK,
        "clinician": OK,
        "clinician_unverified": MFA,
        "admin": OK,
        "admin_unverified": MFA,
        "no_role": OK,
        "inactive": LOGIN,
    },
    # The second-factor pages: staff only, before and after verification.
    "second_factor": {
        "anonymous": LOGIN,
        "patient_a": NOT_FOUND,
        "patient_b": NOT_FOUND,
        "clinician": OK,
        "clinician_unverified": OK,
        "admin": OK,
        "admin_unverified": OK,
        "no_role": NOT_FOUND,
        "inactive": LOGIN,
    },
}


@dataclass(frozen=True)
class Route:
    name: str
    kind: str
    method: str = "get"
    args: tuple[str, ...] = ()
    data: dict[str, object] = field(default_factory=dict)
    override: dict[str, str] = field(default_factory=dict)


STAFF_ACTION = {"clinician": DONE, "admin": DONE}
CASE = ("case",)

# One line per URL pattern. Arguments named here are filled in from the fixtures below.
ROUTES: list[Route] = [
    Route(
        "home",
        "account",
        override={"patient_a": HOME, "patient_b": HOME, "clinician": HOME, "admin": HOME, "no_role": HOME},
    ),
    Route("healthz", "public", override=dict.fromkeys(PERSONAS, OK)),
    # The clinic's logo is anyone's to see (unverified staff too: it is in the code page's
    # header); with no logo set, as here, every visitor gets a 404.
    Route("clinic_logo", "public", args=("0123456789abcdef",), override=dict.fromkeys(PERSONAS, NOT_FOUND)),
    Route(
        "login",
        "public",
        override={"patient_a": HOME, "patient_b": HOME, "clinician": HOME, "admin": HOME, "no_role": HOME},
    ),
    Route("logout", "public", method="post", override=dict.fromkeys(PERSONAS, LOGIN)),
    Route(
        "register",
        "public",
        override={"patient_a": HOME, "patient_b": HOME, "clinician": HOME, "admin": HOME, "no_role": HOME},
    ),
    Route("register_done", "public"),
    Route(
        "confirm_email",
        "public",
        args=("uid", "bad-token"),
        override={p: "400" for p in PERSONAS if p not in ("clinician_unverified", "admin_unverified")},
    ),
    # A bad opt-out token answers a page that says the link is not valid, to anyone.
    Route(
        "notify:opt_out",
        "public",
        args=("bad-token",),
        override={p: "400" for p in PERSONAS if p not in ("clinician_unverified", "admin_unverified")},
    ),
    Route("password_reset", "public"),
    Route("password_reset_done", "public"),
    Route("password_reset_confirm", "public", args=("uid", "bad-token")),
    Route("password_reset_complete", "public"),
    Route("password_change", "account"),
    Route("password_change_done", "account"),
    Route("mfa", "second_factor", override={"clinician": HOME, "admin": HOME}),
    # Staff who have an authenticator are sent to the code page: no second device with the password alone.
    Route(
        "mfa_enrol",
        "second_factor",
        override=dict.fromkeys(("clinician", "clinician_unverified", "admin", "admin_unverified"), MFA),
    ),
    Route("mfa_recovery", "second_factor", override={"clinician_unverified": MFA, "admin_unverified": MFA}),
    Route("intake:home", "patient", override={"patient_a": OK, "patient_b": HOME}),
    Route("intake:detail", "patient", args=("intake",)),
    # The intake used is submitted: its step and review pages lead on to what the patient may see.
    Route("intake:step", "patient", args=("intake", "about"), override={"patient_a": HOME}),
    # The background save: a signed-out browser gets a 401 it can tell the patient about; the
    # intake used is submitted, so its owner gets a 409 (nothing can change).
    Route(
        "intake:autosave",
        "patient",
        method="post",
        args=("intake", "goals"),
        data={"treatment_goals": "x", "draft_revision": "0"},
        override={"anonymous": "401", "inactive": "401", "patient_a": "409"},
    ),
    # Answers carried through a sign-in: a signed-out visitor gets the sign-in form back (no
    # credentials posted); the owner of the submitted intake is sent to its read-only page.
    Route(
        "intake:rescue",
        "patient",
        method="post",
        args=("intake", "goals"),
        data={"answer-treatment_goals": "x"},
        override={"anonymous": OK, "inactive": OK, "patient_a": HOME},
    ),
    Route(
        "intake:stay_signed_in",
        "patient",
        method="post",
        override={"anonymous": "401", "inactive": "401", "patient_b": OK},
    ),
    Route("intake:review", "patient", args=("intake",), override={"patient_a": HOME}),
    Route("intake:submit", "patient", method="post", args=("intake",), override={"patient_a": HOME}),
    Route("intake:confirmation", "patient", args=("intake",)),
    Route("intake:pdf", "patient", args=("intake",)),
    Route("review:queue", "staff"),
    Route("review:search", "staff", method="post", data={"q": "Alice"}, override=STAFF_ACTION),
    Route("review:case", "staff", args=CASE),
    # The case has no urgent flag: nothing to acknowledge (409), but the request was let in.
    Route(
        "review:acknowledge",
        "staff",
        method="post",
        args=CASE,
        data={"note": "Called."},
        override={"clinician": "409", "admin": "409"},
    ),
    Route("review:assign", "staff", method="post", args=CASE, data={"assignee": "staff"}, override=STAFF_ACTION),
    Route(
        "review:vitals",
        "staff",
        method="post",
        args=CASE,
        data={"bp_systolic": 124, "bp_diastolic": 79},
        override={"clinician": OK, "admin": OK},
    ),
    Route(
        "review:request_info",
        "staff",
        method="post",
        args=CASE,
        data={"steps": ["heart"], "message": "Please."},
        override=STAFF_ACTION,
    ),
    Route(
        "review:decide",
        "staff",
        method="post",
        args=CASE,
        data={"outcome": "eligible", "reason": "Fine."},
        override={"clinician": OK, "admin": OK},
    ),
    Route("review:rules", "staff"),
    Route("review:case_fhir", "staff", args=CASE),
    Route("review:case_pdf", "staff", args=CASE),
    Route("review:note", "staff", method="post", args=CASE, data={"text": "Left a voicemail."}, override=STAFF_ACTION),
    # The back office's own pages (every registered model's pages: ADMIN_MODEL_VERBS).
    Route("admin:index", "admin"),
    Route("admin:app_list", "admin", args=("clinic",)),
    Route(
        "admin:login",
        "admin",
        override={
            "anonymous": OK,
            "patient_a": OK,
            "patient_b": OK,
            "clinician": OK,
            "no_role": OK,
            "inactive": OK,
            "admin": HOME,
        },
    ),
    Route("admin:logout", "admin", method="post", override={**dict.fromkeys(PERSONAS, HOME), "admin": LOGIN}),
    Route("admin:password_change", "admin"),
    Route("admin:password_change_done", "admin"),
    Route("admin:jsi18n", "admin"),
    Route(
        "admin:autocomplete",
        "admin",
        data={"app_label": "clinic", "model_name": "auditevent", "field_name": "actor", "term": "x"},
    ),
    Route(
        "admin:search", "admin", method="post", args=("clinic", "user"), data={"q": "Alice"}, override={"admin": DONE}
    ),
    Route("admin:view_on_site", "admin", args=("1", "1"), override={"admin": NOT_FOUND}),
    Route("admin:auth_user_password_change", "admin", args=("patient_a_id",)),
]

# Every registered model's list and record page (the record made by tests/admin/conftest.py).
ADMIN_MODEL_VERBS = ("changelist", "change")
# Per-model admin pages that exist but are refused to everyone here by design (nothing is
# added or deleted through these, or they only differ from the change page by their form):
# they are guarded by the same admin site and permission checks; see tests/admin.
ADMIN_MODEL_OTHER_VERBS = ("add", "delete", "history")


def _pattern_names(patterns: list, namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _pattern_names(pattern.url_patterns, inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def _admin_model_names() -> set[str]:
    return {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{verb}"
        for model in admin.site._registry
        for verb in ADMIN_MODEL_VERBS + ADMIN_MODEL_OTHER_VERBS
    }


def test_every_url_pattern_is_in_the_matrix():
    names = set(_pattern_names(get_resolver().url_patterns))
    covered = {route.name for route in ROUTES} | _admin_model_names()
    missing = sorted(names - covered)
    assert not missing, f"URL patterns missing from the access matrix (add a line to ROUTES): {missing}"


# --- Running the matrix ----------------------------------------------------------------------------


def _with_authenticator(user: User) -> User:
    authenticator_for(user)
    return user


@pytest.fixture
def world(patient, other_patient, clinician, admin_user):
    case = make_case(user=patient, flags=(("PRG-02", "EXCLUDE_PENDING_REVIEW"),))
    no_role = UserFactory(email="norole@example.org")
    no_role.groups.clear()
    inactive = UserFactory(email="gone@example.org", role=Role.CLINICIAN)
    return {
        "patient_a": patient,
        "patient_b": other_patient,
        "clinician": clinician,
        "clinician_unverified": _with_authenticator(UserFactory(email="frank@example.org", role=Role.CLINICIAN)),
        "admin": admin_user,
        "admin_unverified": _with_authenticator(UserFactory(email="gina@example.org", role=Role.ADMIN)),
        "no_role": no_role,
        "inactive": inactive,
        "case": case,
    }


def _sign_in(client, persona: str, world: dict) -> None:
    if persona == "anonymous":
        return
    user: User = world[persona]
    sign_in_staff(client, user, verified=not persona.endswith("_unverified"))
    if persona == "inactive":
        user.is_active = False
        user.save(update_fields=["is_active"])


def _args(route: Route, world: dict) -> list[str]:
    values = {
        "intake": str(world["case"].intake_id),
        "case": str(world["case"].pk),
        "uid": "MQ",
        "patient_a_id": str(world["patient_a"].pk),
    }
    return [values.get(arg, arg) for arg in route.args]


def _data(route: Route, world: dict) -> dict[str, object]:
    data = dict(route.data)
    if data.get("assignee") == "staff":
        data["assignee"] = world["clinician"].pk
    if route.args == CASE:
        world["case"].refresh_from_db()
        data["version"] = world["case"].version
    return data


def _answer(response) -> str:
    status = response.status_code
    if status == HTTPStatus.FOUND:
        location = response["Location"]
        if location.startswith(reverse("login")):
            return LOGIN
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith(reverse("mfa")):
            return MFA
        return "redirect"
    return {HTTPStatus.OK: OK, HTTPStatus.NOT_FOUND: NOT_FOUND}.get(status, str(status))


def _acceptable(expected: str, answer: str) -> bool:
    if expected in (HOME, DONE):
        return answer == "redirect"
    return expected == answer


def _requests(route: Route) -> Callable:
    return lambda client, url, data: getattr(client, route.method)(url, data)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_access_matrix(client, world, persona):
    unexpected = []
    for route in ROUTES:
        expected = {**KINDS[route.kind], **route.override}[persona]
        client.logout()
        _sign_in(client, persona, world)
        url = reverse(route.name, args=_args(route, world))
        response = _requests(route)(client, url, _data(route, world))
        answer = _answer(response)
        if not _acceptable(expected, answer):
            unexpected.append(f"{route.method.upper()} {route.name}: expected {expected}, got {answer}")
        if persona == "inactive":
            world["inactive"].is_active = True
            world["inactive"].save(update_fields=["is_active"])
    for model in admin.site._registry:
        record = RECORD_BUILDERS[model]()
        for verb in ADMIN_MODEL_VERBS:
            client.logout()
            _sign_in(client, persona, world)
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{verb}"
            url = reverse(name, args=[record.pk] if verb == "change" else [])
            answer = _answer(client.get(url))
            expected = KINDS["admin"][persona]
            if not _acceptable(expected, answer):
                unexpected.append(f"GET {name}: expected {expected}, got {answer}")
            if persona == "inactive":
                world["inactive"].is_active = True
                world["inactive"].save(update_fields=["is_active"])
    assert unexpected == [], "\n".join(unexpected)
