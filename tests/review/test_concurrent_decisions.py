"""Two clinicians deciding the same case at the same moment, in real concurrent transactions:
the second is told the case changed, and the first decision stands.

PostgreSQL only: SQLite has no row locks (``select_for_update`` is a no-op there).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from screening import services
from screening.models import Case, CaseStatus, Decision
from tests.factories import make_case

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

HOLD_SECONDS = 0.5


@pytest.fixture(autouse=True)
def roles():
    """A transactional test starts from whatever an earlier one flushed: the role groups that
    a data migration made may be gone, so make sure they exist."""
    from django.contrib.auth.models import Group

    from clinic.models import Role

    for role in Role:
        Group.objects.get_or_create(name=role)


def test_two_clinicians_deciding_at_once_the_second_is_told_and_the_first_stands(
    monkeypatch, patient, clinician, other_clinician
):
    case = make_case(user=patient, flags=(("PRG-02", "EXCLUDE_PENDING_REVIEW"),))
    seen = case.version
    original_lock = services._lock_case
    first_holder = threading.Event()

    def slow_lock(case_id: int) -> Case:
        locked = original_lock(case_id)
        if not first_holder.is_set():
            # The first to get the row holds it a moment, so the other is certainly waiting.
            first_holder.set()
            time.sleep(HOLD_SECONDS)
        return locked

    monkeypatch.setattr(services, "_lock_case", slow_lock)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(user, outcome: str) -> None:
        try:
            barrier.wait(timeout=5)
            decision = services.case_decide(
                case_id=case.pk, version=seen, actor=user, outcome=outcome, reason=f"{user.full_name} decided."
            )
            outcomes[user.email] = decision
        except Exception as exc:  # noqa: BLE001 - recorded for the assertions below
            outcomes[user.email] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(clinician, "not_eligible")),
        threading.Thread(target=decide, args=(other_clinician, "referred")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    stale = [who for who, outcome in outcomes.items() if isinstance(outcome, services.StaleCase)]
    decided = {who: outcome for who, outcome in outcomes.items() if isinstance(outcome, Decision)}
    assert len(stale) == 1, outcomes
    assert len(decided) == 1, outcomes
    ((winner, decision),) = decided.items()
    stored = Decision.objects.get(case=case)
    assert stored.pk == decision.pk
    assert stored.decided_by.email == winner
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert case.version == seen + 1
