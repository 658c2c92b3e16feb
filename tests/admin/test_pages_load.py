"""Every changelist and change page of the back office loads for an admin."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.contrib import admin

from tests.admin.conftest import RECORD_BUILDERS, REGISTERED, add_url, change_url, changelist_url


def test_every_registered_model_has_a_record_builder():
    assert set(admin.site._registry) == set(RECORD_BUILDERS)


def test_the_admin_index_loads_for_an_admin(admin_client_):
    response = admin_client_.get("/admin/")
    assert response.status_code == HTTPStatus.OK
    assert b"Intakes" in response.content


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_the_changelist_loads_for_an_admin(admin_client_, make_record, model):
    make_record(model)
    response = admin_client_.get(changelist_url(model))
    assert response.status_code == HTTPStatus.OK
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_the_change_page_loads_for_an_admin(admin_client_, make_record, model):
    record = make_record(model)
    response = admin_client_.get(change_url(record))
    assert response.status_code == HTTPStatus.OK
    assert response.context["original"] == record


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_the_changelist_search_runs_for_an_admin(admin_client_, make_record, model):
    make_record(model)
    response = admin_client_.get(changelist_url(model), {"q": "alice 12 =1+1"})
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_list_filter_choice_loads(admin_client_, make_record, model):
    make_record(model)
    response = admin_client_.get(changelist_url(model))
    choices = [
        choice["query_string"]
        for spec in response.context["cl"].filter_specs
        for choice in spec.choices(response.context["cl"])
    ]
    for query_string in choices:
        assert admin_client_.get(changelist_url(model) + query_string).status_code == HTTPStatus.OK, query_string


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_column_sorts(admin_client_, make_record, model):
    make_record(model)
    columns = len(admin.site._registry[model].list_display)
    for position in range(columns):
        for order in (str(position), f"-{position}"):
            assert admin_client_.get(changelist_url(model), {"o": order}).status_code == HTTPStatus.OK, order


@pytest.mark.parametrize("model", sorted(["clinic.User", "intake.ConsentVersion"]))
def test_the_add_page_loads_for_the_models_admins_create(admin_client_, model):
    app_label, name = model.split(".")
    from django.apps import apps

    response = admin_client_.get(add_url(apps.get_model(app_label, name)))
    assert response.status_code == HTTPStatus.OK
