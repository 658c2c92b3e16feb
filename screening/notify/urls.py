from django.urls import path

from screening.notify import views

app_name = "notify"
urlpatterns = [
    path("reminders/stop/<str:token>/", views.opt_out, name="opt_out"),
]
