from django.urls import path

from kizuna.advisories import views

app_name = "advisories"

urlpatterns = [
    path("", views.advisory_list, name="list"),
    path("feed.atom", views.AdvisoryFeed(), name="feed"),
    path("report/", views.report, name="report"),
    path("sites/", views.sites, name="sites"),
    path("sites/new/", views.site_edit, name="site_new"),
    path("sites/import/", views.sites_import, name="sites_import"),
    path("sites/<int:site_id>/", views.site_edit, name="site_edit"),
    path("sites/<int:site_id>/delete/", views.site_delete, name="site_delete"),
    path("ack/<str:token>/", views.acknowledge_link, name="ack_link"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_edit, name="staff_new"),
    path("staff/<str:identifier>/", views.staff_detail, name="staff_detail"),
    path("staff/<str:identifier>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<str:identifier>/export/", views.staff_export, name="staff_export"),
    path(
        "staff/<str:identifier>/remind/<int:target_id>/",
        views.staff_remind,
        name="staff_remind",
    ),
    path("staff/<str:identifier>/<str:action>/", views.staff_action, name="staff_action"),
    path("<str:identifier>.json", views.advisory_osv_json, name="osv"),
    path("<str:identifier>/", views.advisory_detail, name="detail"),
    path("<str:identifier>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<str:identifier>/sites/<int:site_id>/status/", views.site_status, name="site_status"),
]
