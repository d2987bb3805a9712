from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from kizuna.accounts import data_views, organization_views, signup_views, views

app_name = "accounts"

urlpatterns = [
    path("signup/", signup_views.signup, name="signup"),
    path("signup/sent/", signup_views.signup_sent, name="signup_sent"),
    path("signup/verify/<str:token>/", signup_views.signup_verify, name="signup_verify"),
    path("legal/<str:kind>/", signup_views.legal_document, name="legal_document"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/verify/", views.otp_verify, name="otp_verify"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("settings/", views.account_settings, name="settings"),
    path("settings/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("settings/totp/", views.totp_setup, name="totp_setup"),
    path("settings/totp/disable/", views.totp_disable, name="totp_disable"),
    path("settings/tokens/", views.api_token_create, name="token_create"),
    path("settings/tokens/<int:token_id>/revoke/", views.api_token_revoke, name="token_revoke"),
    path("settings/data/", data_views.personal_data, name="personal_data"),
    path("settings/data/export/", data_views.personal_data_export, name="personal_data_export"),
    path(
        "staff/erasure-requests/",
        data_views.staff_erasure_requests,
        name="staff_erasure_requests",
    ),
    path(
        "staff/erasure-requests/<int:pk>/",
        data_views.staff_erasure_decide,
        name="staff_erasure_decide",
    ),
    path("invitations/<str:token>/", organization_views.invitation, name="invitation"),
    path(
        "organizations/<int:pk>/members/",
        organization_views.organization_members,
        name="organization_members",
    ),
    path(
        "organizations/<int:pk>/leave/",
        organization_views.organization_leave,
        name="organization_leave",
    ),
    path(
        "invitations/<int:pk>/revoke/",
        organization_views.invitation_revoke,
        name="invitation_revoke",
    ),
]
