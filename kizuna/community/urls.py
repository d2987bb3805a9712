from django.urls import path

from kizuna.community import claim_views, views

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
    path("events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("groups/", views.group_list, name="group_list"),
    path("partner-activity/", views.partner_activity, name="partner_activity"),
    path("me/", claim_views.my_community, name="my_community"),
    path("staff/claims/", claim_views.staff_claims, name="staff_claims"),
    path("staff/claims/<int:pk>/", claim_views.staff_claim_decide, name="staff_claim_decide"),
]
