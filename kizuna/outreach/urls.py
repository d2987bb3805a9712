from django.urls import path

from kizuna.outreach import campaign_views, hooks, inbox_views, my_views, views

app_name = "outreach"

urlpatterns = [
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/requeue/", views.delivery_requeue, name="delivery_requeue"),
    path("campaigns/", campaign_views.campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_views.campaign_edit, name="campaign_new"),
    path("campaigns/<int:pk>/", campaign_views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_views.campaign_edit, name="campaign_edit"),
    path(
        "campaigns/<int:pk>/progress/", campaign_views.campaign_progress, name="campaign_progress"
    ),
    path(
        "campaigns/<int:pk>/<str:action>/", campaign_views.campaign_action, name="campaign_action"
    ),
    path("audiences/", campaign_views.audience_list, name="audience_list"),
    path("audiences/new/", campaign_views.audience_edit, name="audience_new"),
    path("audiences/<int:pk>/", campaign_views.audience_edit, name="audience_edit"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("inbox/", inbox_views.inbox_list, name="inbox_list"),
    path("inbox/<int:pk>/", inbox_views.inbox_thread, name="inbox_thread"),
    path("me/inbox/", my_views.my_inbox, name="my_inbox"),
    path("me/inbox/<int:pk>/", my_views.my_thread, name="my_thread"),
    path("me/line/", my_views.my_line, name="my_line"),
    path("me/line/unlink/", my_views.my_line_unlink, name="my_line_unlink"),
    path("me/channels/", my_views.my_channels, name="my_channels"),
    path("hooks/line/", hooks.line, name="hook_line"),
    path("hooks/slack/", hooks.slack, name="hook_slack"),
    path("hooks/esp/", hooks.esp, name="hook_esp"),
]
