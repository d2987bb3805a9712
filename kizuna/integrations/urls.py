from django.urls import path

from kizuna.integrations import views
from kizuna.integrations.destinations import views as destinations

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="endpoint_list"),
    path("webhooks/new/", views.endpoint_create, name="endpoint_create"),
    path("webhooks/<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("webhooks/<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("webhooks/<int:pk>/test/", views.endpoint_test, name="endpoint_test"),
    path("webhooks/<int:pk>/enabled/", views.endpoint_toggle, name="endpoint_toggle"),
    path("webhooks/<int:pk>/rotate-secret/", views.endpoint_rotate, name="endpoint_rotate"),
    path("webhooks/<int:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path("webhooks/<int:pk>/replay/", views.endpoint_replay, name="endpoint_replay"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay/",
        views.delivery_replay,
        name="delivery_replay",
    ),
    path("destinations/", destinations.destination_list, name="destination_list"),
    path("destinations/new/", destinations.destination_edit, name="destination_create"),
    path("destinations/<int:pk>/", destinations.destination_detail, name="destination_detail"),
    path("destinations/<int:pk>/edit/", destinations.destination_edit, name="destination_edit"),
    path(
        "destinations/<int:pk>/sync/",
        destinations.destination_sync_now,
        name="destination_sync_now",
    ),
    path(
        "destinations/<int:pk>/resync/", destinations.destination_resync, name="destination_resync"
    ),
    path("destinations/<int:pk>/check/", destinations.destination_check, name="destination_check"),
]
