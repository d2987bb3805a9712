from django.urls import path

from kizuna.core import views

app_name = "core"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("branding.css", views.branding_css, name="branding_css"),
]
