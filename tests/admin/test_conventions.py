"""Every back-office list is configured for speed and safety, not left at Django's defaults."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import models

from clinic.admin_helpers import BigListAdminMixin
from clinic.models import ClinicIdentity, User
from intake.models import Patient

OWN = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in {"clinic", "intake", "screening", "notify"}
    ),
    key=lambda pair: pair[0]._meta.label,
)
IDS = [model._meta.label for model, _ in OWN]
# A list of one row (the clinic's identity) needs no filters, search or dates.
LISTS = [(model, model_admin) for model, model_admin in OWN if model is not ClinicIdentity]
LIST_IDS = [model._meta.label for model, _ in LISTS]


@pytest.mark.parametrize(("model", "model_admin"), LISTS, ids=LIST_IDS)
def test_the_list_has_columns_filters_search_and_explicit_joins(model, model_admin):
    assert model_admin.list_display != ("__str__",)
    assert model_admin.list_filter
    assert model_admin.search_fields
    # A tuple, never Django's "guess" (False): each list names the joins its columns need.
    assert isinstance(model_admin.list_select_related, tuple)


@pytest.mark.parametrize(("model", "model_admin"), LISTS, ids=LIST_IDS)
def test_a_model_with_dates_can_be_narrowed_by_date(model, model_admin):
    """A date hierarchy, or on the lists over tables that grow without bound a date filter
    (the hierarchy reads every distinct date of the table: issue 13)."""
    has_dates = any(isinstance(field, (models.DateField, models.DateTimeField)) for field in model._meta.fields)
    if isinstance(model_admin, BigListAdminMixin):
        dated = [name for name in model_admin.list_filter if isinstance(name, str)]
        assert not model_admin.date_hierarchy
        assert any(isinstance(model._meta.get_field(name), (models.DateField, models.DateTimeField)) for name in dated)
    else:
        assert bool(model_admin.date_hierarchy) == has_dates


@pytest.mark.parametrize(("model", "model_admin"), OWN, ids=IDS)
def test_links_to_patients_and_users_never_render_a_select_of_everyone(model, model_admin):
    linked = {
        field.name for field in model._meta.fields if field.is_relation and field.related_model in (Patient, User)
    }
    picked = set(model_admin.autocomplete_fields) | set(model_admin.raw_id_fields)
    assert linked <= picked
