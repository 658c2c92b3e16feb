from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.debug import sensitive_post_parameters

from clinic import views
from clinic.forms import EmailAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        sensitive_post_parameters("password")(
            auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("accounts/register/", views.register, name="register"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("intake/", include("intake.urls")),
    path("review/", include("screening.urls")),
    path("notifications/", include("notify.urls")),
    path("admin/", admin.site.urls),
]
