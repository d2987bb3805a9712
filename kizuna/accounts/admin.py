from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from kizuna.accounts import services
from kizuna.accounts.models import (
    ApiToken,
    Consent,
    EmailVerification,
    ErasureRequest,
    Invitation,
    LegalDocument,
    Membership,
    Organization,
    StaffRole,
    StaffRoleGrant,
    User,
)
from kizuna.core.admin import AuditedAdmin, ReadOnlyAdmin

# A user's authenticator is theirs: they set it up and remove it on their account page, which
# audits both. django-otp's admin would show staff its secret key (enough to pass anyone's
# second step) and edit it unaudited; it also has no Japanese.
admin.site.unregister(TOTPDevice)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class UserForm(UserChangeForm):
    staff_roles = forms.MultipleChoiceField(
        label=_("Staff roles"),
        choices=StaffRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["staff_roles"] = sorted(self.instance.staff_roles)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserForm
    ordering = ["email"]
    list_display = ["email", "display_name", "roles", "kind", "is_active"]
    list_filter = ["staff_role_grants__role", "kind", "is_active"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "kind")}),
        (_("Role"), {"fields": ("staff_roles", "is_active", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()

    @admin.display(description=_("Staff roles"))
    def roles(self, user: User) -> str:
        return user.staff_roles_display()

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A staff-role change is a security event: it goes through the audited service.
        if change and "staff_roles" in form.changed_data:
            services.user_set_staff_roles(
                actor=request.user, user=obj, staff_roles=form.cleaned_data["staff_roles"]
            )


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "slug", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "token_hash", "created_at", "last_used_at"]
    search_fields = ["name", "prefix", "user__email"]


@admin.register(StaffRoleGrant)
class StaffRoleGrantAdmin(ReadOnlyAdmin):
    """Roles are granted on the user's admin page, through the audited service."""

    list_display = ["user", "role"]
    list_filter = ["role"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Memberships are edited inline on their organization, where they are audited."""

    list_display = ["user", "organization", "role"]
    list_filter = ["role"]


# Invitations, consents, verifications and erasure requests change only through their
# pages and services (emailed, audited); the admin shows them.
admin.site.register(
    [
        Invitation,
        Consent,
        EmailVerification,
        ErasureRequest,
    ],
    ReadOnlyAdmin,
)


@admin.register(LegalDocument)
class LegalDocumentAdmin(AuditedAdmin):
    """Operators add a new version of the terms or the privacy policy here; a version people
    already agreed to is never edited (their consent names it)."""

    list_display = ["kind", "version", "effective_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
