from django.urls import path

from screening import rulebook, views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("search/", views.search, name="search"),
    path("rules/", rulebook.rules, name="rules"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/fhir/", views.case_fhir, name="case_fhir"),
    path("cases/<int:case_id>/pdf/", views.case_pdf, name="case_pdf"),
    path("cases/<int:case_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("cases/<int:case_id>/assign/", views.assign, name="assign"),
    path("cases/<int:case_id>/vitals/", views.vitals, name="vitals"),
    path("cases/<int:case_id>/request-info/", views.request_info, name="request_info"),
    path("cases/<int:case_id>/decide/", views.decide, name="decide"),
    path("cases/<int:case_id>/note/", views.note, name="note"),
]
