from django.urls import path

from kizuna.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.directory, name="search"),
    path("p/<slug:slug>/", views.partner_page, name="partner"),
    path("reviews/<int:pk>/reply/", views.review_reply, name="review_reply"),
    path("request/", views.lead_new, name="lead_new"),
    path("request/sent/", views.visitor_lead_sent, name="visitor_lead_sent"),
    path("request/verify/<str:token>/", views.visitor_lead_verify, name="visitor_lead_verify"),
    path("requests/", views.requests_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("slots/<int:pk>/complete/", views.slot_complete, name="slot_complete"),
    path("slots/<int:pk>/review/", views.slot_review, name="slot_review"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/preferences/", views.inbox_preferences, name="inbox_preferences"),
    path("inbox/<int:pk>/", views.inbox_item, name="inbox_item"),
    path("staff/leads/", views.staff_leads, name="staff_leads"),
    path("staff/reviews/", views.staff_reviews, name="staff_reviews"),
    path("staff/reviews/<int:pk>/hide/", views.staff_review_hide, name="staff_review_hide"),
]
