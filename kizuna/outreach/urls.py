from django.urls import path

from kizuna.outreach import hooks, inbox_views, views

app_name = "outreach"

urlpatterns = [
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/requeue/", views.delivery_requeue, name="delivery_requeue"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("inbox/", inbox_views.inbox_list, name="inbox_list"),
    path("inbox/<int:pk>/", inbox_views.inbox_thread, name="inbox_thread"),
    path("hooks/line/", hooks.line, name="hook_line"),
    path("hooks/slack/", hooks.slack, name="hook_slack"),
    path("hooks/esp/", hooks.esp, name="hook_esp"),
]
