"""One view that inserts one row: the baseline a step POST is compared with (``make bench``)."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_bare_row"


@csrf_exempt
def insert_one_row(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (at) VALUES (now())")  # noqa: S608 - a constant name
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bare/", insert_one_row)]
