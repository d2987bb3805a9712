from django.urls import path

from kizuna.community import claim_views, views, views_contests, views_manage

app_name = "community"

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("members/<int:member_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:member_id>/merge/", views.member_merge, name="member_merge"),
    path("members/<int:member_id>/erase/", views.member_erase, name="member_erase"),
    path("members/<int:member_id>/export/", views.member_export, name="member_export"),
    path("merges/<int:merge_id>/undo/", views.merge_undo, name="merge_undo"),
    path("merge-suggestions/", views.merge_suggestions, name="merge_suggestions"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views_manage.event_new, name="event_new"),
    path("events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("events/<int:event_id>/edit/", views_manage.event_edit, name="event_edit"),
    path("events/<int:event_id>/attendance/", views_manage.attendance_edit, name="attendance_edit"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views_manage.group_new, name="group_new"),
    path("groups/<int:group_id>/edit/", views_manage.group_edit, name="group_edit"),
    path("affiliations/", views_manage.affiliation_staff, name="affiliation_staff"),
    path(
        "affiliations/<int:affiliation_id>/",
        views_manage.affiliation_edit,
        name="affiliation_edit",
    ),
    path(
        "affiliations/suggestions/<int:suggestion_id>/",
        views_manage.suggestion_decide,
        name="suggestion_decide",
    ),
    path("affiliations/propose/", views_manage.affiliation_propose, name="affiliation_propose"),
    path("my-affiliations/", views_manage.my_affiliations, name="my_affiliations"),
    path("partner-activity/", views.partner_activity, name="partner_activity"),
    path("me/", claim_views.my_community, name="my_community"),
    path("staff/claims/", claim_views.staff_claims, name="staff_claims"),
    path("staff/claims/<int:pk>/", claim_views.staff_claim_decide, name="staff_claim_decide"),
    path("contests/", views_contests.contest_list, name="contest_list"),
    path("contests/new/", views_contests.contest_new, name="contest_new"),
    path("contests/<int:contest_id>/", views_contests.contest_detail, name="contest_detail"),
    path("contests/<int:contest_id>/edit/", views_contests.contest_edit, name="contest_edit"),
    path("contests/<int:contest_id>/enter/", views_contests.contest_enter, name="contest_enter"),
    path(
        "contests/<int:contest_id>/entries/<int:entry_id>/withdraw/",
        views_contests.entry_withdraw,
        name="entry_withdraw",
    ),
    path(
        "contests/<int:contest_id>/entries/<int:entry_id>/moderate/",
        views_contests.entry_moderate,
        name="entry_moderate",
    ),
    path(
        "contests/<int:contest_id>/gallery/", views_contests.contest_gallery, name="contest_gallery"
    ),
    path(
        "contests/<int:contest_id>/results/", views_contests.contest_results, name="contest_results"
    ),
    path("contests/<int:contest_id>/manage/", views_contests.contest_manage, name="contest_manage"),
    path(
        "contests/<int:contest_id>/manage/<slug:action>/",
        views_contests.contest_action,
        name="contest_action",
    ),
    path("contests/<int:contest_id>/judge/", views_contests.contest_judge, name="contest_judge"),
]
