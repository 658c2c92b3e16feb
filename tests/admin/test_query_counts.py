"""Changelists run a fixed number of queries, however many rows they show."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.admin.conftest import OWN_MODELS, RECORD_BUILDERS, SINGLE_ROW_MODELS, changelist_url

pytestmark = pytest.mark.django_db


def _changelist_queries(client, model) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(model))
    assert response.status_code == HTTPStatus.OK
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize(
    "model", [model for model in OWN_MODELS if model not in SINGLE_ROW_MODELS], ids=lambda model: model._meta.label
)
def test_the_changelist_query_count_does_not_grow_with_rows(admin_client_, model):
    for _ in range(3):
        RECORD_BUILDERS[model]()
    with_3 = _changelist_queries(admin_client_, model)
    for _ in range(27):
        RECORD_BUILDERS[model]()
    with_30 = _changelist_queries(admin_client_, model)
    assert admin_client_.get(changelist_url(model)).context["cl"].result_count >= 30
    assert len(with_30) == len(with_3), "\n".join(with_30)


# Every admin page runs 4 queries of its own frame: the session, its user and their role
# groups (1, one query, clinic/sessions.py), the second factor's device (1), the request's
# transaction savepoint and its release (2); the session's sliding expiry is rewritten at most
# once a minute (clinic/sessions.py), not here. A list page also appends one line to the audit
# trail: the last row's hash and the insert (2), after the chain's advisory lock on PostgreSQL
# (1).
FRAME = 4 + (3 if connection.vendor == "postgresql" else 2)
# count = the page's row count; full count = the unfiltered total shown beside it;
# dates = the date hierarchy's first/last and its distinct days. The four lists over tables
# that grow without bound (intakes, cases, results, the audit trail) have no full count and no
# date hierarchy (date filters instead), and their count is one statement however big the
# table: PostgreSQL's estimate when unfiltered (EstimatedCountPaginator).
PINNED = {
    # count, full count, rows, groups of those rows (one prefetch), dates (2)
    "clinic.User": FRAME + 6,
    # count (estimated when big), rows
    "clinic.AuditEvent": FRAME + 2,
    # count, full count, rows with intake counts and latest status as subqueries, dates (2)
    "intake.Patient": FRAME + 5,
    # consent versions (filter), count (estimated when big), rows with outcome subqueries
    "intake.Intake": FRAME + 3,
    # count (estimated when big), rows (the rule set filter's choices come from the engine)
    "screening.ScreeningResult": FRAME + 2,
    # the staff list (assigned-to filter), count (estimated when big), rows
    "screening.Case": FRAME + 3,
    # deciding clinicians (filter), count, full count, rows, dates (2)
    "screening.Decision": FRAME + 6,
    # count, full count, rows (ids only, no joins), dates (2), distinct levels (filter)
    "notify.Notification": FRAME + 6,
}


@pytest.mark.parametrize("label", sorted(PINNED))
def test_the_changelist_query_count_is_pinned(admin_client_, django_assert_num_queries, label):
    model = next(model for model in OWN_MODELS if model._meta.label == label)
    for _ in range(30):
        RECORD_BUILDERS[model]()
    with django_assert_num_queries(PINNED[label]):
        assert admin_client_.get(changelist_url(model)).status_code == HTTPStatus.OK
