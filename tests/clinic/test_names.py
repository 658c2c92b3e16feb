"""Names are stored without bidirectional control characters (issue 9): a right-to-left
override makes a name display in a different order from the one stored."""

from __future__ import annotations

import pytest

from clinic.forms import PatientRegistrationForm
from clinic.models import Role
from clinic.text import BIDI_CONTROLS, clean_name, strip_bidi
from intake.forms import MedicationRowForm, TrialRowForm
from tests.factories import UserFactory

RLO = "\u202e"


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_every_bidirectional_control_is_removed(control):
    assert strip_bidi(f"Ali{control}ce") == "Alice"


def test_a_name_keeps_its_letters_and_loses_only_the_controls():
    assert clean_name(f"  Zoë {RLO}Ünal\u2066 عليّ\u2069  ") == "Zoë Ünal عليّ"


@pytest.mark.django_db
def test_a_user_is_saved_without_them_however_the_name_arrived():
    user = UserFactory(full_name=f"Eve {RLO}redna", role=Role.PATIENT)
    user.refresh_from_db()
    assert user.full_name == "Eve redna"


@pytest.mark.django_db
def test_the_registration_form_strips_them():
    form = PatientRegistrationForm(
        {
            "full_name": f"Mallory {RLO}txt.exe",
            "email": "mallory@example.org",
            "password1": "a long enough passphrase 42",
            "password2": "a long enough passphrase 42",
        }
    )
    form.is_valid()
    assert form.cleaned_data.get("full_name") == "Mallory txt.exe"


@pytest.mark.parametrize("form_class", [MedicationRowForm, TrialRowForm])
def test_medicine_names_are_stored_without_them(form_class):
    form = form_class({"name": f"tra{RLO}madol"})
    form.is_valid()
    assert form.cleaned_data["name"] == "tramadol"
