from django.urls import path

from kizuna.site import views

app_name = "site"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("branding.css", views.branding_css, name="branding_css"),
]
