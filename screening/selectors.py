"""Reads of the screening app: the clinician queue, everything the case page shows, and the
open request for more information that the patient side displays."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Count, F, Q, QuerySet, prefetch_related_objects
from django.db.models.functions import TruncDate
from django.utils import timezone

from clinic.audit import RECORD_KEY, key_of, record_key
from clinic.models import AuditAction, AuditEvent, Role, User
from clinic.pg_queries import AnyOf
from intake.facts import routes_for
from intake.models import Intake
from intake.screening_seam import InfoRequestNotice
from intake.selectors import answers_by_section
from intake.steps import STEP_KEYS, STEPS
from screening.engine.scoring import age_on
from screening.models import (
    OPEN_STATUSES,
    Case,
    CaseNote,
    CaseStatus,
    Decision,
    InfoRequest,
    Level,
    MeasuredVitals,
    ScreeningResult,
)
from screening.presenters import flag_view, flags_by_level, most_severe_reason, readings_used
from screening.queue_pages import Total, capped_total

# --- Intake sections ----------------------------------------------------------------------------
# The sections are the patient side's steps (intake/steps.py): one list of steps serves the
# patient's pages, the clinician's case page and the sections a request may reopen.


def reopenable_step_keys() -> tuple[str, ...]:
    """The step keys a clinician may reopen, in intake order."""
    return STEP_KEYS


def step_titles() -> dict[str, str]:
    return {step.key: step.title for step in STEPS}


def step_choices() -> list[tuple[str, str]]:
    titles = step_titles()
    return [(key, titles.get(key, key.replace("_", " ").capitalize())) for key in reopenable_step_keys()]


# --- The patient side ---------------------------------------------------------------------------


def open_info_request_for_intake(intake: Intake) -> InfoRequest | None:
    """The clinician's unanswered request for more information on this intake, if any.

    The patient side shows its ``message`` and lets the patient change only its ``steps``.
    """
    return (
        InfoRequest.objects.filter(case__intake=intake, resolved_at__isnull=True)
        .order_by("-requested_at", "-id")
        .first()
    )


def info_request_notice(*, intake: Intake) -> InfoRequestNotice | None:
    """What the patient's pages show of the open request (registered with the intake's seam)."""
    request = open_info_request_for_intake(intake)
    if request is None:
        return None
    return InfoRequestNotice(message=request.message, requested_at=request.requested_at)


# --- The queue ----------------------------------------------------------------------------------

STATUS_OPEN = "open"
STATUS_ANY = "any"
ASSIGNED_ME = "me"
ASSIGNED_NOBODY = "nobody"


@dataclass(frozen=True)
class QueueFilters:
    level: str = ""
    status: str = STATUS_OPEN
    assigned: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def clinicians() -> QuerySet[User]:
    """Everyone who may be given a case: active clinicians and admins.

    Read from the two role groups' members and the superusers (a partial index), then the few
    users they name by primary key: never a scan of every account with an ``OR`` (issue 13).
    """
    roles = Group.objects.filter(name__in=[Role.CLINICIAN, Role.ADMIN]).values("pk")
    members = User.groups.through.objects.filter(AnyOf(F("group_id"), roles)).values("user_id")
    superusers = User.objects.filter(is_superuser=True).values("pk")
    return User.objects.filter(AnyOf(F("pk"), members.union(superusers)), is_active=True).order_by("full_name", "email")


def _queue_base() -> QuerySet[Case]:
    # The tier and the waiting time are columns the database keeps (Case.tier, Case.waiting_since).
    return Case.objects.all()


def _search_filter(terms: str) -> Q:
    """Each word in the name or the e-mail; a date matches the date of birth."""
    terms = terms.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"):
        try:
            born = dt.datetime.strptime(terms, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
        return Q(intake__date_of_birth=born)
    # Every word is in the name or in the e-mail, read from the case's own copy of both
    # (Case.patient_search, "name\nemail": a word holds no whitespace, so it cannot span the
    # two) through its trigram index, never through intake, patient and user (issue 13).
    query = Q()
    for word in terms.split():
        query &= Q(patient_search__icontains=word)
    return query


def queue_cases(*, filters: QueueFilters, user: User, search: str = "") -> QuerySet[Case]:
    """The cases the queue lists, filtered, in queue order, with what each row shows."""
    cases = _queue_filtered(filters=filters, user=user, search=search)
    if filters.level:
        cases = cases.filter(overall=filters.level)
    # The latest result rides along in the same query, for the row's one-line reason; of its
    # facts document only the blood pressure is read (its source and date word the reason).
    # Only the columns a row shows (not every intake answer), ordered exactly as the queue's
    # indexes are (Case.Meta.indexes), so a page is read from an index without a sort.
    return (
        cases.select_related("intake__patient__user", "assigned_to", "latest_result")
        .only(*QUEUE_COLUMNS)
        .annotate(result_vitals=F("latest_result__facts__vitals"))
        .order_by("tier", "waiting_since", "id")
    )


# What one queue row reads (templates/screening/queue.html and ``with_reasons``).
QUEUE_COLUMNS = (
    "status",
    "overall",
    "urgent_level",
    "urgent_acknowledged_at",
    "submitted_at",
    "tier",
    "waiting_since",
    "intake__date_of_birth",
    "intake__patient__user__full_name",
    "intake__patient__user__email",
    "assigned_to__full_name",
    "latest_result__result",
)


def with_reasons(cases: Iterable[Case]) -> list[Case]:
    """The queue's page of cases, each given ``reason``: the one line saying why an urgent or
    safety case is one ("PHQ-9 item 9 answered 2"); "" for the others. No query."""
    rows = list(cases)
    for case in rows:
        result = case.latest_result.result if case.latest_result_id and case.latest_result else None
        vitals = getattr(case, "result_vitals", None)
        case.reason = most_severe_reason(result, {"vitals": vitals if isinstance(vitals, dict) else {}})
    return rows


def _queue_filtered(*, filters: QueueFilters, user: User, search: str) -> QuerySet[Case]:
    cases = _queue_base()
    if filters.status == STATUS_OPEN:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif filters.status and filters.status != STATUS_ANY:
        cases = cases.filter(status=filters.status)
    if filters.assigned == ASSIGNED_ME:
        cases = cases.filter(assigned_to=user)
    elif filters.assigned == ASSIGNED_NOBODY:
        cases = cases.filter(assigned_to__isnull=True)
    elif filters.assigned:
        cases = cases.filter(assigned_to_id=filters.assigned)
    if filters.date_from or filters.date_to:
        cases = cases.annotate(waiting_day=TruncDate("waiting_since"))
        if filters.date_from:
            cases = cases.filter(waiting_day__gte=filters.date_from)
        if filters.date_to:
            cases = cases.filter(waiting_day__lte=filters.date_to)
    if search.strip():
        cases = cases.filter(_search_filter(search))
    return cases


# A search's counts stop here: counting every match of a broad term ("smith" at 100,000 cases)
# cost most of a search page; "more than 1,000" says as much to the person searching (issue 13).
SEARCH_COUNT_CAP = 1000


@dataclass(frozen=True)
class LevelCount:
    level: str
    label: str
    count: int
    # True when a broad search stopped counting: ``count`` is then a lower bound.
    at_least: bool = False


@dataclass(frozen=True)
class QueueCounts:
    total: Total  # what the queue lists, the level filter included
    levels: list[LevelCount]  # per outcome level, the level filter left out so each can be chosen


def queue_counts(*, filters: QueueFilters, user: User, search: str = "") -> QueueCounts:
    """How many cases the queue lists, and how many the other filters leave at each level.

    Without a search: one aggregate per level, whose sum (or the chosen level's count) is the
    total. While searching: the levels of at most ``SEARCH_COUNT_CAP + 1`` matches, read in one
    query with a ``LIMIT``; past the cap the total is "more than" the cap and each level's count
    a lower bound. Only a level filter on a search past the cap needs its own count, itself
    capped (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``).
    """
    cases = _queue_filtered(filters=filters, user=user, search=search).order_by()
    if not search.strip():
        found = Counter({row["overall"]: row["n"] for row in cases.values("overall").annotate(n=Count("id"))})
        total = Total(found[filters.level] if filters.level else sum(found.values()))
        return QueueCounts(total, [LevelCount(level.value, level.label, found[level.value]) for level in Level])
    sample = list(cases.values_list("overall", flat=True)[: SEARCH_COUNT_CAP + 1])
    found, capped = Counter(sample), len(sample) > SEARCH_COUNT_CAP
    if not capped:
        total = Total(found[filters.level] if filters.level else len(sample))
    elif filters.level:
        total = capped_total(cases.filter(overall=filters.level), SEARCH_COUNT_CAP)
    else:
        total = Total(SEARCH_COUNT_CAP, capped=True)
    return QueueCounts(total, [LevelCount(level.value, level.label, found[level.value], capped) for level in Level])


# --- The case page ------------------------------------------------------------------------------


def _display_value(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, list | tuple):
        return ", ".join(_display_value(item) for item in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_display_value(item)}" for key, item in value.items())
    return str(value)


_BAND_WORDS = {"moderately_severe": "moderately severe", "stage_1": "stage 1", "stage_2": "stage 2"}


def _band(value: object) -> str:
    if value is None:
        return "not computed"
    return _BAND_WORDS.get(str(value), str(value))


def scores_table(result: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """The result's scores as rows of instrument, score and band (SCREENING_SPEC §4 and §6)."""
    if not result:
        return []
    scores = result.get("scores") or {}

    def total(key: str) -> Mapping[str, Any]:
        item = scores.get(key)
        return item if isinstance(item, dict) else {}

    def number(value: object) -> str:
        return "not computed" if value is None else str(value)

    auditc = total("auditc")
    positive = auditc.get("positive")
    return [
        {"name": "Age", "score": number(scores.get("age")), "band": ""},
        {"name": "BMI", "score": number(scores.get("bmi")), "band": ""},
        {"name": "PHQ-9", "score": number(total("phq9").get("total")), "band": _band(total("phq9").get("band"))},
        {"name": "GAD-7", "score": number(total("gad7").get("total")), "band": _band(total("gad7").get("band"))},
        {
            "name": "AUDIT-C",
            "score": number(auditc.get("total")),
            "band": "not computed" if positive is None else ("positive" if positive else "negative"),
        },
        {"name": "DAST-10", "score": number(total("dast10").get("total")), "band": _band(total("dast10").get("band"))},
        {"name": "C-SSRS risk", "score": "", "band": _band(total("cssrs").get("risk"))},
        {"name": "Blood pressure category", "score": "", "band": _band(scores.get("bp_category"))},
    ]


def result_changes(new: ScreeningResult | None, old: ScreeningResult | None) -> dict[str, Any] | None:
    """What changed between two results: the outcome before and after, flags added and removed."""
    if new is None or old is None:
        return None

    def keyed(result: ScreeningResult) -> dict[tuple[str, str], Mapping[str, Any]]:
        return {(str(f.get("rule")), str(f.get("level"))): f for f in (result.result or {}).get("flags") or []}

    before, after = keyed(old), keyed(new)
    return {
        "new": new,
        "old": old,
        "overall_before": old.overall,
        "overall_after": new.overall,
        "overall_changed": old.overall != new.overall,
        "added": [flag_view(after[key], new.facts) for key in sorted(after.keys() - before.keys())],
        "removed": [flag_view(before[key], old.facts) for key in sorted(before.keys() - after.keys())],
    }


def medications_view(intake: Intake) -> list[dict[str, Any]]:
    """Each medication as typed, with the class each part matched; unmatched parts flagged."""
    from screening.engine import match_medication

    rows = []
    for medication in intake.medications.all():
        parts = [
            {"name": part, "drug_class": drug_class, "known": known}
            for part, drug_class, known in match_medication(medication.name)
        ]
        rows.append(
            {
                "medication": medication,
                "parts": parts,
                "needs_reconciliation": not parts or any(not part["known"] for part in parts),
            }
        )
    return rows


def routes_of(case: Case) -> list[str]:
    """The routes the latest screening considered, else the patient's stated preference."""
    facts = case.latest_result.facts if case.latest_result_id and case.latest_result else None
    if facts and facts.get("routes"):
        return list(dict.fromkeys(facts["routes"]))
    return routes_for(case.intake.route_preference)


# --- The timeline -------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str
    title: str
    actor: User | None = None
    event: AuditEvent | None = None
    result: ScreeningResult | None = None
    note: CaseNote | None = None
    decision: Decision | None = None
    info_request: InfoRequest | None = None
    vitals: MeasuredVitals | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    # Views of the case in a row by one person are one line: how many, and when the first was.
    views: int = 1
    first_at: dt.datetime | None = None

    # The time as the template shows it, in the clinic's time zone, formatted here rather than by
    # two ``date`` filters per line (a case viewed a few hundred times has a few hundred lines).
    @property
    def at_iso(self) -> str:
        """``{{ at|date:"c" }}``, for ``<time datetime>``."""
        return timezone.localtime(self.at).isoformat()

    @property
    def at_text(self) -> str:
        """``{{ at|date:"Y-m-d H:i:s" }}``."""
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"

    @property
    def first_at_iso(self) -> str:
        return timezone.localtime(self.first_at or self.at).isoformat()

    @property
    def first_at_text(self) -> str:
        return f"{timezone.localtime(self.first_at or self.at):%Y-%m-%d %H:%M:%S}"


@dataclass(frozen=True)
class _RecordKind:
    """A kind of record the timeline shows inside the audit line that wrote it."""

    attribute: str  # of TimelineEntry
    action: AuditAction  # the action of its line, and of its own entry when it has none
    time: str
    actor: str


_RECORD_KINDS: dict[type[models.Model], _RecordKind] = {
    ScreeningResult: _RecordKind("result", AuditAction.SCREEN, "created_at", "created_by"),
    CaseNote: _RecordKind("note", AuditAction.NOTE, "created_at", "author"),
    Decision: _RecordKind("decision", AuditAction.DECIDE, "decided_at", "decided_by"),
    InfoRequest: _RecordKind("info_request", AuditAction.REQUEST_INFO, "requested_at", "requested_by"),
    MeasuredVitals: _RecordKind("vitals", AuditAction.VITALS, "recorded_at", "recorded_by"),
}


def audit_events_for_case(case: Case) -> QuerySet[AuditEvent]:
    """The audit trail of the case and of its intake, newest first, in one query."""
    return (
        AuditEvent.objects.filter(
            Q(target_type=Case._meta.label_lower, target_id=str(case.pk))
            | Q(target_type=Intake._meta.label_lower, target_id=str(case.intake_id))
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


_CHANGE_LABELS = {
    "overall": "Outcome",
    "status": "Status",
    "assigned_to": "Assigned to",
    "urgent_acknowledged_at": "Urgent flag acknowledged at",
    "urgent_acknowledged_by": "Urgent flag acknowledged by",
    "urgent_acknowledgement_note": "Acknowledgement note",
    "note": "Note",
    "decision": "Decision",
    "message": "Message to the patient",
    "intake.status": "Intake status",
    "intake.reopened_steps": "Sections reopened",
    "bp_systolic": "Systolic (mmHg)",
    "bp_diastolic": "Diastolic (mmHg)",
    "bp_date": "Blood pressure date",
    "weight_kg": "Weight (kg)",
    "height_cm": "Height (cm)",
    "notification": "E-mail (notification no.)",
}


def _change_value(name: str, value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if name == "overall" and value in Level.values:
        return str(Level(value).label)
    if name == "status" and value in CaseStatus.values:
        return str(CaseStatus(value).label)
    if name.endswith("_at") and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
    return _display_value(value)


def _change_rows(changes: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    rows = []
    for name, change in (changes or {}).items():
        label = _CHANGE_LABELS.get(name, name.replace("_", " "))
        if isinstance(change, dict) and ("before" in change or "after" in change):
            rows.append((label, _change_value(name, change.get("before")), _change_value(name, change.get("after"))))
        else:
            rows.append((label, "", _change_value(name, change)))
    return rows


def _held(record: object) -> dict[str, object]:
    """What a record with no audit line holds, as the rows its line would have shown (results,
    notes and decisions are shown in full by the template instead)."""
    if isinstance(record, MeasuredVitals):
        names = ("bp_systolic", "bp_diastolic", "bp_date", "weight_kg", "height_cm")
        return {name: getattr(record, name) for name in names if getattr(record, name) is not None}
    if isinstance(record, InfoRequest):
        return {"intake.reopened_steps": record.steps, "message": record.message}
    return {}


# ``get_action_display()`` without its per-call flattening of the choices: a case viewed a few
# hundred times has a few hundred lines (issue 13).
_ACTION_TITLES: dict[str, str] = {value: str(label) for value, label in AuditAction.choices}


def build_timeline(*, events: Iterable[AuditEvent], records: Iterable[models.Model] = ()) -> list[TimelineEntry]:
    """Everything that happened to the case, newest first.

    The audit trail is the backbone. A record of the case (screening result, note, decision,
    request for information, measured vitals) is shown inside the audit line that wrote it,
    found by the key the line keeps (``clinic.audit.record_key``), never by time. A record with
    no such line (made outside the app's services, or before lines kept the key) appears on
    its own.
    """
    unlinked = {key_of(record): (_RECORD_KINDS[type(record)], record) for record in records}
    entries: list[TimelineEntry] = []
    for event in events:
        # The record's key is how the line is linked, not a change to show.
        changed = {name: change for name, change in (event.changes or {}).items() if name != RECORD_KEY}
        entry = TimelineEntry(
            at=event.at,
            kind=event.action,
            title=_ACTION_TITLES.get(event.action, event.action),
            actor=event.actor,
            event=event,
            changes=_change_rows(changed),
        )
        key = record_key(event)
        linked = unlinked.pop(key, None) if key is not None else None
        if linked is not None:
            setattr(entry, linked[0].attribute, linked[1])
        entries.append(entry)
    for kind, record in unlinked.values():
        entry = TimelineEntry(
            at=getattr(record, kind.time),
            kind=kind.action,
            title=kind.action.label,
            actor=getattr(record, kind.actor),
            changes=_change_rows(_held(record)),
        )
        setattr(entry, kind.attribute, record)
        entries.append(entry)
    entries.sort(key=lambda entry: (entry.at, entry.event.pk if entry.event else 0), reverse=True)
    return _views_in_a_row_as_one(entries)


def _views_in_a_row_as_one(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Views by the same person with nothing else between them, as one line (newest first):
    "Viewed 23 times, from … to …". Every view stays in the audit trail; the case page of a
    case read a few hundred times stays a page (issue 13)."""
    lines: list[TimelineEntry] = []
    for entry in entries:
        last = lines[-1] if lines else None
        if last is not None and entry.kind == last.kind == AuditAction.VIEW and entry.actor == last.actor:
            last.views += 1
            last.first_at = entry.at
            continue
        lines.append(entry)
    return lines


def _case_age(intake: Intake, latest: ScreeningResult | None) -> int | None:
    """The age the latest screening used, else the age today."""
    if latest is not None:
        age = ((latest.result or {}).get("scores") or {}).get("age")
        if isinstance(age, int):
            return age
    born = intake.date_of_birth
    return None if born is None else age_on(born, timezone.localdate())


def case_page(case: Case) -> dict[str, Any]:
    """Everything the case page shows, in a fixed number of queries whatever the case holds."""
    intake = case.intake
    results = list(
        ScreeningResult.objects.filter(intake=intake).select_related("created_by").order_by("-created_at", "-id")
    )
    latest = case.latest_result
    previous = next(
        (r for r in results if latest is not None and r.pk != latest.pk and r.created_at <= latest.created_at), None
    )
    notes = list(case.notes.select_related("author").order_by("-created_at", "-id"))
    decisions = list(case.decisions.select_related("decided_by", "result").order_by("-decided_at", "-id"))
    info_requests = list(case.info_requests.select_related("requested_by").order_by("-requested_at", "-id"))
    vitals = list(case.measured_vitals.select_related("recorded_by").order_by("-recorded_at", "-id"))
    # The step definitions and the medication table read these through the prefetch cache.
    prefetch_related_objects([intake], "medications", "antidepressant_trials")
    events = list(audit_events_for_case(case))
    # Whether the e-mails about the case went out (notify/_case_notifications.html).
    case_notifications = list(case.notifications.order_by("-created_at", "-id")[:10])
    document = latest.result if latest is not None else None
    facts = latest.facts if latest is not None else None
    titles = step_titles()
    open_request = next((r for r in info_requests if r.resolved_at is None), None)
    return {
        "case": case,
        "intake": intake,
        "patient_user": intake.patient.user,
        "age": _case_age(intake, latest),
        "routes": routes_of(case),
        "latest": latest,
        "flag_groups": flags_by_level(document, facts),
        "urgent_reason": most_severe_reason(document, facts),
        "readings_used": readings_used(facts, vitals, screened_at=latest.created_at if latest else None),
        "scores": scores_table(document),
        "changes": result_changes(latest, previous),
        "results": results,
        "answers": answers_by_section(intake),
        "medications": medications_view(intake),
        "notes": notes,
        "decisions": decisions,
        "info_requests": info_requests,
        "open_request": open_request,
        "open_request_steps": [titles.get(key, key) for key in (open_request.steps if open_request else [])],
        "vitals": vitals,
        "timeline": build_timeline(events=events, records=[*results, *notes, *decisions, *info_requests, *vitals]),
        "case_notifications": case_notifications,
    }
