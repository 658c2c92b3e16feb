"""Whatever a browser (or someone with curl) posts to a step, the answer is a page or a
redirect, never a server error; and the draft is stored."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.models import StepDraft
from intake.steps import STEPS
from tests.intake.conftest import step_url

FIELD_NAMES = sorted(
    {name for step in STEPS for name in step.form_class.base_fields}
    # A date posts its day, month and year boxes (date_of_birth_day, ...).
    | {
        name + suffix
        for step in STEPS
        for name, field in step.form_class.base_fields.items()
        for suffix in getattr(field.widget, "widgets_names", ())
    }
    | {
        f"{prefix}-{suffix}"
        for prefix in ("meds", "trials")
        for suffix in ("TOTAL_FORMS", "INITIAL_FORMS", "0", "0-name", "1-weeks", "x-name", "-1-name")
    }
    | {"action", "shown"}
)
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "yes",
            "no",
            "unknown",
            "0",
            "3",
            "-1",
            "1e400",
            "NaN",
            "9" * 30,
            "2999-01-01",
            "30",
            "1988",
            "feb",
            "\x00",
            "add-row",
            "remove-row-0",
            "remove-row-x",
            "remove-row-99",
        ]
    ),
)


@pytest.mark.parametrize("step", [step.key for step in STEPS])
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.dictionaries(st.sampled_from(FIELD_NAMES), VALUES, max_size=12))
def test_any_post_to_a_step_is_saved_and_answered_without_an_error(patient_client, intake, step, data):
    response = patient_client.post(step_url(intake, step), data)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    assert StepDraft.objects.filter(intake=intake, step=step).exists()
