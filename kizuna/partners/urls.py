from django.urls import path

from kizuna.partners.views import achievements, applications, evangelists, profiles, program, staff

app_name = "partners"

urlpatterns = [
    path("apply/", applications.apply, name="apply"),
    path("apply/status/<str:token>/", applications.application_status, name="application_status"),
    path("staff/applications/", applications.staff_applications, name="staff_applications"),
    path(
        "staff/applications/<int:pk>/",
        applications.staff_application,
        name="staff_application",
    ),
    path("portal/leave/", applications.program_leave, name="program_leave"),
    path("portal/", profiles.portal, name="portal"),
    path("portal/rank/", profiles.rank_page, name="rank"),
    path("portal/profile/", profiles.profile_edit, name="profile_edit"),
    path("portal/profile/confirm/", profiles.profile_confirm, name="profile_confirm"),
    path("portal/achievements/new/", achievements.achievement_new, name="achievement_new"),
    path("achievements/<int:pk>/", achievements.achievement_detail, name="achievement"),
    path(
        "achievements/<int:pk>/evidence/",
        achievements.achievement_evidence_add,
        name="achievement_evidence_add",
    ),
    path(
        "achievements/<int:pk>/resubmit/",
        achievements.achievement_resubmit,
        name="achievement_resubmit",
    ),
    path(
        "achievements/<int:pk>/publish/",
        achievements.achievement_publish,
        name="achievement_publish",
    ),
    path(
        "achievements/<int:pk>/work-image/",
        achievements.achievement_work_image,
        name="achievement_work_image",
    ),
    path(
        "achievements/<int:pk>/work-image/remove/",
        achievements.achievement_work_image_remove,
        name="achievement_work_image_remove",
    ),
    path("work/<int:pk>/", achievements.work_image, name="work_image"),
    path(
        "achievements/<int:pk>/review/", achievements.achievement_review, name="achievement_review"
    ),
    path("evidence/<int:pk>/", achievements.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/view/", achievements.evidence_inline, name="evidence_inline"),
    path("p/<slug:slug>/", profiles.public_profile, name="public_profile"),
    path("p/<slug:slug>/logo/", profiles.partner_logo, name="logo"),
    path("p/<slug:slug>/badges/<slug:code>/", profiles.badge_evidence, name="badge_evidence"),
    path("staff/reviews/", achievements.review_queue, name="review_queue"),
    path("staff/partners/", staff.staff_partners, name="staff_partners"),
    path("staff/import/", staff.staff_import, name="staff_import"),
    path("staff/partners/<slug:slug>/", staff.staff_partner, name="staff_partner"),
    path("staff/partners/<slug:slug>/rank/", profiles.rank_page, name="staff_rank"),
    path(
        "staff/partners/<slug:slug>/contributions/",
        staff.staff_contribution_add,
        name="staff_contribution_add",
    ),
    path("staff/program/", program.program_settings, name="program_settings"),
    path("staff/program/badges/", program.badge_add, name="badge_add"),
    path("staff/program/badges/<int:pk>/", program.badge_change, name="badge_change"),
    path("staff/program/kinds/", program.kind_add, name="kind_add"),
    path("staff/program/kinds/<int:pk>/", program.kind_points, name="kind_points"),
    path("staff/program/activity-rules/<slug:key>/", program.activity_rule, name="activity_rule"),
    path("staff/evangelists/", evangelists.staff_evangelists, name="staff_evangelists"),
    path("staff/evangelists/appoint/", evangelists.evangelist_appoint, name="evangelist_appoint"),
    path("staff/nominations/<int:pk>/", evangelists.nomination_decide, name="nomination_decide"),
    path(
        "staff/evangelist-requests/<int:pk>/",
        evangelists.evangelist_request_route,
        name="evangelist_request_route",
    ),
    path("evangelists/", evangelists.evangelists, name="evangelists"),
    path("evangelists/nominate/", evangelists.nominate, name="nominate"),
    path("evangelists/request/", evangelists.evangelist_request, name="evangelist_request"),
    path("evangelists/inbox/", evangelists.evangelist_inbox, name="evangelist_inbox"),
    path(
        "evangelists/inbox/<int:pk>/",
        evangelists.evangelist_request_respond,
        name="evangelist_request_respond",
    ),
]
