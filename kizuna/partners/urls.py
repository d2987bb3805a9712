from django.urls import path

from kizuna.partners import views

app_name = "partners"

urlpatterns = [
    path("portal/", views.portal, name="portal"),
    path("portal/profile/", views.profile_edit, name="profile_edit"),
    path("portal/profile/confirm/", views.profile_confirm, name="profile_confirm"),
    path("portal/achievements/new/", views.achievement_new, name="achievement_new"),
    path("achievements/<int:pk>/", views.achievement_detail, name="achievement"),
    path(
        "achievements/<int:pk>/evidence/",
        views.achievement_evidence_add,
        name="achievement_evidence_add",
    ),
    path(
        "achievements/<int:pk>/resubmit/", views.achievement_resubmit, name="achievement_resubmit"
    ),
    path("achievements/<int:pk>/publish/", views.achievement_publish, name="achievement_publish"),
    path("achievements/<int:pk>/review/", views.achievement_review, name="achievement_review"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("p/<slug:slug>/", views.public_profile, name="public_profile"),
    path("p/<slug:slug>/logo/", views.partner_logo, name="logo"),
    path("staff/reviews/", views.review_queue, name="review_queue"),
    path("staff/partners/", views.staff_partners, name="staff_partners"),
    path("staff/partners/<slug:slug>/", views.staff_partner, name="staff_partner"),
    path(
        "staff/partners/<slug:slug>/contributions/",
        views.staff_contribution_add,
        name="staff_contribution_add",
    ),
    path("staff/program/", views.program_settings, name="program_settings"),
    path("staff/program/badges/", views.badge_add, name="badge_add"),
    path("staff/program/badges/<int:pk>/", views.badge_change, name="badge_change"),
    path("staff/program/kinds/", views.kind_add, name="kind_add"),
    path("staff/program/kinds/<int:pk>/", views.kind_points, name="kind_points"),
    path("staff/evangelists/", views.staff_evangelists, name="staff_evangelists"),
    path("staff/evangelists/appoint/", views.evangelist_appoint, name="evangelist_appoint"),
    path("staff/nominations/<int:pk>/", views.nomination_decide, name="nomination_decide"),
    path(
        "staff/evangelist-requests/<int:pk>/",
        views.evangelist_request_route,
        name="evangelist_request_route",
    ),
    path("evangelists/", views.evangelists, name="evangelists"),
    path("evangelists/nominate/", views.nominate, name="nominate"),
    path("evangelists/request/", views.evangelist_request, name="evangelist_request"),
    path("evangelists/inbox/", views.evangelist_inbox, name="evangelist_inbox"),
    path(
        "evangelists/inbox/<int:pk>/",
        views.evangelist_request_respond,
        name="evangelist_request_respond",
    ),
]
