from django.urls import path

from kizuna.core import import_views

app_name = "imports"

urlpatterns = [
    path("<int:pk>/", import_views.job_detail, name="job"),
    path("<int:pk>/apply/", import_views.job_apply, name="apply"),
    path("<int:pk>/cancel/", import_views.job_cancel, name="cancel"),
]
