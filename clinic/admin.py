"""Back office for accounts and the audit trail.

Admins create staff accounts, set roles, deactivate and reactivate accounts and reset
passwords here. Accounts are never deleted (``has_delete_permission`` is False for every
user, with or without clinical history): deactivation keeps the person's record and trail.
The audit trail is view-only, even for a superuser.
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.accounts import (
    deactivation_error,
    role_change_error,
    user_create,
    user_set_active,
    user_update,
)
from clinic.admin_helpers import (
    AdminRoleRequiredMixin,
    AuditedViewAdminMixin,
    BigListAdminMixin,
    ReadOnlyAdminMixin,
    is_back_office_user,
    pretty_json,
)
from clinic.audit import audit_record
from clinic.identity import clinic_identity_save
from clinic.logo import ACCEPT, Logo, validate_logo
from clinic.logo import MAX_BYTES as LOGO_MAX_BYTES
from clinic.mfa import mfa_reset
from clinic.models import AuditAction, AuditEvent, ClinicIdentity, Role, User

# Roles are the three groups made by migration 0002_create_roles and are set on the user
# page; editing the groups themselves (renaming "admin", granting permissions) would break
# every role check, so they have no admin page.
admin.site.unregister(Group)
# Second-factor devices hold the secrets of staff members' authenticators: no admin page
# shows them. An admin resets a staff member's second factor with the action on the users.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)

STAFF_ROLE_CHOICES = [(Role.CLINICIAN.value, Role.CLINICIAN.label), (Role.ADMIN.value, Role.ADMIN.label)]
# Fields of the account that the change form edits and the audit trail records.
PROFILE_FIELDS = ("email", "full_name")


def _in_group(role: Role) -> Q:
    return Q(pk__in=User.groups.through.objects.filter(group__name=role).values("user_id"))


def role_q(role: Role) -> Q:
    """The users whose ``User.role`` is ``role``, as a filter."""
    admin_q = Q(is_superuser=True) | _in_group(Role.ADMIN)
    if role == Role.ADMIN:
        return admin_q
    clinician_q = _in_group(Role.CLINICIAN) & ~admin_q
    if role == Role.CLINICIAN:
        return clinician_q
    return ~admin_q & ~clinician_q


def role_from_prefetched_groups(user: User) -> Role:
    """``User.role`` read from ``prefetch_related("groups")``, without a query per row."""
    names = {group.name for group in user.groups.all()}
    if user.is_superuser or Role.ADMIN in names:
        return Role.ADMIN
    if Role.CLINICIAN in names:
        return Role.CLINICIAN
    return Role.PATIENT


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(role.value, role.label) for role in Role]

    def queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> QuerySet[User]:
        if self.value() in Role.values:
            return queryset.filter(role_q(Role(self.value())))
        return queryset


def unique_email(value: str, *, instance: User) -> str:
    """The address in lower case; refused when another account has it in any case."""
    email = User.objects.normalize_email(value).lower()
    if User.objects.filter(email__iexact=email).exclude(pk=instance.pk).exists():
        raise ValidationError("An account with this e-mail address already exists.", code="duplicate_email")
    return email


class _ActorFormMixin:
    """Forms built by ``UserAdmin.get_form`` know who is acting (for the self-guards)."""

    actor: User


class StaffCreationForm(_ActorFormMixin, AdminUserCreationForm):
    """A new staff account: e-mail, name, role and a password (or none: reset by e-mail)."""

    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES, initial=Role.CLINICIAN, label="Role")

    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        return unique_email(self.cleaned_data["email"], instance=self.instance)


class AccountChangeForm(_ActorFormMixin, UserChangeForm):
    """An existing account: details and role. Activity and staff rights follow from actions."""

    role = forms.ChoiceField(choices=Role.choices, label="Role")

    class Meta:
        model = User
        fields = ("email", "full_name")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["role"].initial = self.instance.role

    def clean_email(self) -> str:
        return unique_email(self.cleaned_data["email"], instance=self.instance)

    def clean_role(self) -> Role:
        role = Role(self.cleaned_data["role"])
        error = role_change_error(user=self.instance, role=role, actor=self.actor)
        if error is not None:
            raise error
        return role


@admin.register(User)
class UserAdmin(AuditedViewAdminMixin, AdminRoleRequiredMixin, DjangoUserAdmin):
    form = AccountChangeForm
    add_form = StaffCreationForm
    list_display = ("email", "full_name", "role_label", "is_active", "is_staff", "patient_record", "last_login")
    list_filter = (RoleFilter, "is_active", "is_staff", "is_superuser")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    # The patient record link; the role column reads the groups prefetched in get_queryset.
    list_select_related = ("patient",)
    filter_horizontal = ()
    readonly_fields = ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name",)}),
        (
            "Access",
            {
                "fields": ("role", "is_active", "is_staff", "is_superuser"),
                "description": "Admins may use this back office; clinicians use the review queue only. "
                "Deactivate an account with the action on the list of users: accounts are never deleted.",
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "role", "usable_password", "password1", "password2"),
            },
        ),
    )
    actions = ("deactivate", "reactivate", "reset_second_factor")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def audited_view_target(self, obj: User) -> User | None:
        # Staff accounts hold no health data; a patient's account is part of their record.
        return obj if obj.role == Role.PATIENT else None

    @admin.display(description="role")
    def role_label(self, obj: User) -> str:
        return role_from_prefetched_groups(obj).label

    @admin.display(description="patient record")
    def patient_record(self, obj: User) -> str:
        patient = getattr(obj, "patient", None)
        if patient is None:
            return "—"
        return format_html(
            '<a href="{}">Patient {}</a>', reverse("admin:intake_patient_change", args=[patient.pk]), patient.pk
        )

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        role = Role(form.cleaned_data["role"])
        if not change:
            user_create(user=obj, role=role, actor=request.user, request=request)
            return
        changes = {
            name: {"before": form.initial.get(name), "after": getattr(obj, name)}
            for name in PROFILE_FIELDS
            if name in form.changed_data
        }
        user_update(user=obj, changes=changes, role=role, actor=request.user, request=request)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        # Success redirects to the account's page; a refused or conflicting post does not.
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            user = self.get_object(request, unquote(id))
            if user is not None and response.url == reverse("admin:clinic_user_change", args=[user.pk]):
                audit_record(
                    actor=request.user,
                    action=AuditAction.CHANGE,
                    target=user,
                    summary="Password set by an admin"
                    if user.has_usable_password()
                    else "Password login disabled by an admin",
                    changes={"password": {"before": "(hidden)", "after": "(hidden)"}},
                    request=request,
                )
        return response

    def _set_active(self, request: HttpRequest, queryset: QuerySet[User], active: bool) -> None:
        changed = 0
        for user in queryset:
            error = None if active else deactivation_error(user=user, actor=request.user)
            if error is not None:
                self.message_user(request, f"{user.email}: {error.message}", messages.ERROR)
                continue
            changed += user_set_active(user=user, active=active, actor=request.user, request=request)
        verb = "reactivated" if active else "deactivated"
        self.message_user(request, f"{changed} account(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Deactivate the selected accounts (they can no longer log in)", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description="Reactivate the selected accounts", permissions=["change"])
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_active(request, queryset, active=True)


    @admin.action(
        description="Reset the second factor of the selected staff (lost phone: they enrol again)",
        permissions=["change"],
    )
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        reset = 0
        for user in queryset:
            if user.pk == request.user.pk:
                self.message_user(
                    request, "You cannot reset your own second factor: ask another admin.", messages.ERROR
                )
                continue
            reset += mfa_reset(user=user, actor=request.user, request=request)
        self.message_user(request, f"{reset} account(s) will set up their second factor again at next sign-in.")


class TargetTypeFilter(admin.SimpleListFilter):
    """The kinds of record the trail names, from the models themselves: no DISTINCT scan of
    the whole trail on every page."""

    title = "record type"
    parameter_name = "target_type"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            (model._meta.label_lower, capfirst(model._meta.verbose_name))
            for app_label in ("clinic", "intake", "screening")
            for model in apps.get_app_config(app_label).get_models()
            if model is not AuditEvent
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.filter(target_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(BigListAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail: view-only; the model itself also refuses updates and deletes."""

    list_display = ("at", "actor", "action", "target_type", "target_id", "summary", "ip_address")
    list_filter = ("action", TargetTypeFilter, "at")
    search_fields = ("summary", "target_id__exact", "actor__email", "actor__full_name")
    list_select_related = ("actor",)
    autocomplete_fields = ("actor",)
    fields = ("at", "actor", "action", "target_type", "target_id", "summary", "changes_pretty", "ip_address")
    readonly_fields = ("changes_pretty",)

    @admin.display(description="changes")
    def changes_pretty(self, obj: AuditEvent) -> str:
        return pretty_json(obj.changes)


# --- Login records (django-axes): read-only; a lockout can be lifted, a record never erased --------

for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(AccessAttempt)
class LockoutAdmin(AdminRoleRequiredMixin, AxesAccessAttemptAdmin):
    """Accounts with failed sign-ins. Deleting one lifts its lockout (audited); nothing else
    about it can be changed."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_back_office_user(request)

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        self._audit_unlock(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        self._audit_unlock(request, list(queryset))
        super().delete_queryset(request, queryset)

    def _audit_unlock(self, request: HttpRequest, attempts: list[AccessAttempt]) -> None:
        for attempt in attempts:
            account = User.objects.filter(email__iexact=attempt.username or "").first()
            audit_record(
                actor=request.user,  # type: ignore[arg-type]
                action=AuditAction.CHANGE,
                target_type="clinic.user",
                target_id=str(account.pk) if account is not None else "unknown",
                summary="Failed sign-ins cleared by an admin (lockout lifted)",
                request=request,
            )


@admin.register(AccessLog)
class LoginLogAdmin(ReadOnlyAdminMixin, AxesAccessLogAdmin):
    """Every sign-in and sign-out: view-only, never deleted."""


@admin.register(AccessFailureLog)
class FailedLoginLogAdmin(ReadOnlyAdminMixin, AxesAccessFailureLogAdmin):
    """Every failed sign-in: view-only, never deleted."""


class ClinicIdentityForm(forms.ModelForm):
    """The identity's fields, and the logo as an upload checked by its content (clinic.logo):
    a wrong file is refused with the reason beside the field, and the stored logo is kept."""

    logo_upload = forms.FileField(
        label="Logo",
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text=(
            f"Optional. A PNG, JPEG or WebP image, at most {LOGO_MAX_BYTES // 1024} KB, shown in the header of "
            "every page with the clinic's name as its text alternative. SVG is not accepted (it can carry scripts)."
        ),
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = ClinicIdentity
        fields = ("name", "phone", "address", "hours", "review_business_days")

    def clean_logo_upload(self) -> Logo | None:
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        if upload.size is not None and upload.size > LOGO_MAX_BYTES:
            raise ValidationError(
                f"The file is {upload.size // 1024} KB: a logo may be at most {LOGO_MAX_BYTES // 1024} KB.",
                code="too_big",
            )
        return validate_logo(upload.read(LOGO_MAX_BYTES + 1))

    def save(self, commit: bool = True) -> ClinicIdentity:
        identity = super().save(commit=False)
        logo: Logo | None = self.cleaned_data.get("logo_upload")
        if logo is not None:
            identity.logo, identity.logo_type, identity.logo_version = logo.data, logo.content_type, logo.version
        elif self.cleaned_data.get("remove_logo"):
            identity.logo, identity.logo_type, identity.logo_version = b"", "", ""
        if commit:
            identity.save()
        return identity


@admin.register(ClinicIdentity)
class ClinicIdentityAdmin(AdminRoleRequiredMixin, admin.ModelAdmin):
    """The clinic's name, phone, address, hours, review time frame and logo shown to patients
    (one record; a blank field falls back to the environment). Every save is audited. "Add"
    when the record exists saves over it (clinic_identity_save keeps the one row), so the page
    asks the database nothing to decide whether to offer it."""

    form = ClinicIdentityForm
    list_display = ("__str__", "phone", "review_business_days", "updated_at")
    fields = ("name", "phone", "address", "hours", "review_business_days", "current_logo", "logo_upload", "remove_logo")
    readonly_fields = ("current_logo",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClinicIdentity]:
        return super().get_queryset(request).defer("logo")  # the list and the page show only its address

    @admin.display(description="Current logo")
    def current_logo(self, obj: ClinicIdentity) -> str:
        if not obj.logo_version:
            return "None (the header shows the clinic's name)"
        url = reverse("clinic_logo", args=[obj.logo_version])
        return format_html('<img src="{}" alt="{}" height="64">', url, obj.name or "The clinic's logo")

    def has_delete_permission(self, request: HttpRequest, obj: ClinicIdentity | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ClinicIdentity, form: forms.ModelForm, change: bool) -> None:
        clinic_identity_save(identity=obj, actor=request.user, request=request)  # type: ignore[arg-type]
