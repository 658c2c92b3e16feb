from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.debug import sensitive_post_parameters

from clinic import mfa_views, views
from clinic.forms import EmailAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("clinic/logo/<str:version>/", views.clinic_logo, name="clinic_logo"),
    path(
        "accounts/login/",
        sensitive_post_parameters("password")(
            auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("accounts/register/", views.register, name="register"),
    path("accounts/register/done/", views.register_done, name="register_done"),
    path("accounts/confirm/<uidb64>/<token>/", views.confirm_email, name="confirm_email"),
    path("accounts/mfa/", mfa_views.verify, name="mfa"),
    path("accounts/mfa/enrol/", mfa_views.enrol, name="mfa_enrol"),
    path("accounts/mfa/recovery-codes/", mfa_views.recovery_codes, name="mfa_recovery"),
    # Django's own password views, with each change and reset written to the audit trail.
    path(
        "accounts/password_change/",
        sensitive_post_parameters()(views.AuditedPasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        sensitive_post_parameters()(views.AuditedPasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("intake/", include("intake.urls")),
    path("review/", include("screening.urls")),
    path("notifications/", include("screening.notify.urls")),
    path("admin/", admin.site.urls),
]
