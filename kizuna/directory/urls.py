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
    path("inbox/<int:pk>/guild/", views.guild_new, name="guild_new"),
    path("guilds/<int:pk>/", views.guild, name="guild"),
    path("guilds/<int:pk>/invite/", views.guild_invite, name="guild_invite"),
    path("guilds/<int:pk>/answer/", views.guild_answer, name="guild_answer"),
    path("guilds/<int:pk>/propose/", views.guild_propose, name="guild_propose"),
    path("guilds/<int:pk>/decide/", views.guild_decide, name="guild_decide"),
    path("guilds/<int:pk>/complete/", views.guild_complete, name="guild_complete"),
    path("guilds/<int:pk>/review/", views.guild_review, name="guild_review"),
    path("guilds/<int:pk>/messages/", views.guild_message, name="guild_message"),
    path("board/", views.board_list, name="board"),
    path("board/new/", views.board_new, name="board_new"),
    path("board/<int:pk>/", views.board_post, name="board_post"),
    path("board/<int:pk>/close/", views.board_close, name="board_close"),
    path("board/answers/<int:pk>/agree/", views.board_agree, name="board_agree"),
    path("staff/leads/", views.staff_leads, name="staff_leads"),
    path("staff/reviews/", views.staff_reviews, name="staff_reviews"),
    path("staff/reviews/<int:pk>/hide/", views.staff_review_hide, name="staff_review_hide"),
]
