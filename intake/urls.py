from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:intake_id>/", views.detail, name="detail"),
    path("<int:intake_id>/step/<slug:step>/", views.step_view, name="step"),
    path("<int:intake_id>/step/<slug:step>/draft/", views.autosave, name="autosave"),
    path("<int:intake_id>/step/<slug:step>/keep/", views.rescue_save, name="rescue"),
    path("session/", views.stay_signed_in, name="stay_signed_in"),
    path("<int:intake_id>/review/", views.review, name="review"),
    path("<int:intake_id>/submit/", views.submit, name="submit"),
    path("<int:intake_id>/submitted/", views.confirmation, name="confirmation"),
    path("<int:intake_id>/pdf/", views.intake_pdf, name="pdf"),
]
