"""Re-screening selected submitted intakes with the current rule set: a new result beside
the old ones, drafts skipped."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from clinic.models import AuditAction, AuditEvent
from intake.models import Intake, IntakeStatus
from screening import engine
from screening.engine.errors import FactsError
from screening.engine.levels import RULESET_VERSION
from screening.models import Case, ScreeningResult, ScreeningTrigger
from tests.admin.conftest import changelist_url, messages_of
from tests.conftest import sign_in_staff
from tests.factories import DraftIntakeFactory, make_case

pytestmark = pytest.mark.django_db


def _rescreen(client, intakes):
    return client.post(
        changelist_url(Intake), {"action": "rescreen", "_selected_action": [intake.pk for intake in intakes]}
    )


def test_rescreening_adds_a_result_with_the_current_rules_and_keeps_the_old_one(admin_client_, admin_user):
    case = make_case(flags=(("SAF-01", "URGENT_SAFETY"),))
    old = case.latest_result
    response = _rescreen(admin_client_, [case.intake])
    assert response.status_code == HTTPStatus.FOUND

    results = list(ScreeningResult.objects.filter(intake=case.intake).order_by("created_at", "id"))
    assert results[0] == old
    assert len(results) == 2
    new = results[1]
    assert (new.trigger, new.created_by, new.ruleset) == (ScreeningTrigger.ADMIN, admin_user, RULESET_VERSION)
    # The calm answers of the factory give BP-07 INCOMPLETE (self-reported blood pressure).
    assert new.overall == "INCOMPLETE"
    case.refresh_from_db()
    assert (case.latest_result, case.overall) == (new, "INCOMPLETE")
    assert AuditEvent.objects.filter(action=AuditAction.SCREEN, actor=admin_user, target_id=str(case.pk)).exists()
    assert "1 intake(s) re-screened; earlier results are kept." in messages_of(response)


def test_drafts_and_reopened_intakes_are_skipped_with_a_message(admin_client_):
    submitted = make_case().intake
    reopened = make_case(status="info_requested").intake
    Intake.objects.filter(pk=reopened.pk).update(status=IntakeStatus.REOPENED)
    draft = DraftIntakeFactory()
    before = ScreeningResult.objects.count()

    response = _rescreen(admin_client_, [submitted, reopened, draft])

    assert ScreeningResult.objects.count() == before + 1
    assert ScreeningResult.objects.filter(intake=submitted, trigger=ScreeningTrigger.ADMIN).exists()
    assert not ScreeningResult.objects.filter(intake__in=[reopened, draft], trigger=ScreeningTrigger.ADMIN).exists()
    assert not Case.objects.filter(intake=draft).exists()
    messages = messages_of(response)
    assert "1 intake(s) re-screened; earlier results are kept." in messages
    assert any(message.startswith("2 intake(s) skipped: only submitted intakes") for message in messages)


def test_rescreening_several_intakes_screens_each_once(admin_client_):
    intakes = [make_case().intake for _ in range(3)]
    _rescreen(admin_client_, intakes)
    for intake in intakes:
        assert ScreeningResult.objects.filter(intake=intake, trigger=ScreeningTrigger.ADMIN).count() == 1


def test_an_intake_the_engine_refuses_is_reported_and_the_others_are_screened(admin_client_, monkeypatch):
    first, second = make_case().intake, make_case().intake
    real_screen = engine.screen
    calls = []

    def refuse_the_first(facts):
        calls.append(facts)
        if len(calls) == 1:
            raise FactsError("vitals.bp_systolic", "must be a whole number")
        return real_screen(facts)

    monkeypatch.setattr(engine, "screen", refuse_the_first)
    response = _rescreen(admin_client_, [first, second])

    assert response.status_code == HTTPStatus.FOUND
    assert not ScreeningResult.objects.filter(intake=first, trigger=ScreeningTrigger.ADMIN).exists()
    assert ScreeningResult.objects.filter(intake=second, trigger=ScreeningTrigger.ADMIN).exists()
    messages = messages_of(response)
    assert f"Intake {first.pk} could not be re-screened: its answers do not form a valid document " in messages[0]
    assert "1 intake(s) re-screened; earlier results are kept." in messages


def test_a_clinician_cannot_rescreen(client, clinician):
    intake = make_case().intake
    sign_in_staff(client, clinician)
    response = _rescreen(client, [intake])
    assert response["Location"].startswith("/admin/login/")
    assert not ScreeningResult.objects.filter(intake=intake, trigger=ScreeningTrigger.ADMIN).exists()
