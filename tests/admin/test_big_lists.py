"""The admin lists over tables that grow without bound (intakes, cases, results, the audit
trail): an estimated count when unfiltered on PostgreSQL, date filters instead of a date
hierarchy, and filters whose choices are not a DISTINCT over the table (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from clinic.admin_helpers import EstimatedCountPaginator
from clinic.models import AuditEvent
from intake.models import Intake
from screening.engine import RULESET_VERSION
from screening.models import Case, ScreeningResult
from tests.admin.conftest import changelist_url
from tests.factories import make_case

pytestmark = pytest.mark.django_db

BIG_LISTS = (Intake, Case, ScreeningResult, AuditEvent)


@pytest.mark.parametrize("model", BIG_LISTS, ids=lambda model: model._meta.label)
def test_a_big_list_has_no_date_hierarchy_and_no_second_full_count(admin_client_, model):
    make_case()
    cl = admin_client_.get(changelist_url(model)).context["cl"]
    assert cl.date_hierarchy is None
    assert cl.full_result_count is None


def test_the_date_filter_keeps_recent_intakes(admin_client_):
    recent = make_case(submitted_at=timezone.now() - dt.timedelta(days=1)).intake
    old = make_case(submitted_at=timezone.now() - dt.timedelta(days=40)).intake
    # What the filter's "Past 7 days" link asks for.
    since = timezone.localtime(timezone.now() - dt.timedelta(days=7)).isoformat()
    response = admin_client_.get(changelist_url(Intake), {"submitted_at__gte": since})
    shown = {intake.pk for intake in response.context["cl"].result_list}
    assert recent.pk in shown
    assert old.pk not in shown


def test_the_rule_set_filter_tells_current_from_earlier_results(admin_client_):
    current = make_case().latest_result
    earlier = make_case().latest_result
    ScreeningResult.objects.filter(pk=current.pk).update(ruleset=RULESET_VERSION)
    ScreeningResult.objects.filter(pk=earlier.pk).update(ruleset="2025.9")
    url = changelist_url(ScreeningResult)
    assert [r.pk for r in admin_client_.get(url, {"ruleset": "earlier"}).context["cl"].result_list] == [earlier.pk]
    assert [r.pk for r in admin_client_.get(url, {"ruleset": RULESET_VERSION}).context["cl"].result_list] == [
        current.pk
    ]


def test_the_assigned_to_filter_offers_the_staff_and_nobody(admin_client_, clinician):
    mine = make_case()
    Case.objects.filter(pk=mine.pk).update(assigned_to=clinician)
    nobodys = make_case()
    url = changelist_url(Case)
    response = admin_client_.get(url, {"assigned_to": str(clinician.pk)})
    assert [case.pk for case in response.context["cl"].result_list] == [mine.pk]
    response = admin_client_.get(url, {"assigned_to": "nobody"})
    assert [case.pk for case in response.context["cl"].result_list] == [nobodys.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's pg_class.reltuples")
def test_an_unfiltered_big_list_is_counted_from_the_estimate_in_one_statement(monkeypatch, django_assert_num_queries):
    for _ in range(3):
        make_case()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE screening_case")
    monkeypatch.setattr("clinic.admin_helpers.EXACT_COUNT_BELOW", 1)
    # Make the estimate tell itself apart from the true count.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'screening_case'::regclass")
        estimate = cursor.fetchone()[0]
    assert estimate >= 1
    with django_assert_num_queries(1):
        assert EstimatedCountPaginator(Case.objects.order_by("-pk"), 100).count == estimate
    # A filtered list is counted exactly.
    with django_assert_num_queries(1):
        assert EstimatedCountPaginator(Case.objects.filter(status="new").order_by("-pk"), 100).count == 3


def test_a_small_or_filtered_list_is_counted_exactly(django_assert_num_queries):
    for _ in range(3):
        make_case()
    with django_assert_num_queries(1):
        assert EstimatedCountPaginator(Case.objects.order_by("-pk"), 100).count == 3


@pytest.mark.parametrize("model", BIG_LISTS, ids=lambda model: model._meta.label)
def test_a_big_lists_row_checkbox_is_the_html_djangos_widget_renders(admin_client_, model):
    from django.contrib import admin
    from django.contrib.admin.options import ModelAdmin

    case = make_case()
    # A name that needs escaping in the checkbox's label.
    case.intake.patient.user.full_name = 'Ann "<b>" O\'Neil'
    case.intake.patient.user.save()
    model_admin = admin.site._registry[model]
    response = admin_client_.get(changelist_url(model))
    cl = response.context["cl"]
    rows = list(cl.result_list)
    assert rows
    for obj in rows:
        ours = model_admin.action_checkbox(obj)
        assert ours == ModelAdmin.action_checkbox(model_admin, obj)
        # Lists with actions (the intakes' export) show it on each row.
        assert (ours in response.content.decode()) == ("action_checkbox" in cl.list_display)
