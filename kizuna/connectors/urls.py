from django.urls import path

from kizuna.connectors import views

app_name = "connectors"

urlpatterns = [
    path("sources/", views.source_list, name="source_list"),
    path("sources/new/", views.source_edit, name="source_create"),
    path("sources/<int:source_id>/", views.source_edit, name="source_edit"),
    path("sources/<int:source_id>/sync/", views.source_sync_now, name="source_sync"),
    path("import/", views.import_upload, name="import"),
    path("import/connpass/", views.import_connpass, name="import_connpass"),
]
