"""A signed-in partner's or member's own side of outreach: their inbox threads with staff,
their LINE link and the order of the channels their service notices go to."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from kizuna.core.forms import call_service
from kizuna.core.responses import private
from kizuna.outreach import inbox, links
from kizuna.outreach.channels import registry
from kizuna.outreach.models import ChannelIdentity
from kizuna.outreach.services import recipient_key


class MessageForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("inbox form", "Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _channel_labels() -> dict[str, str]:
    return {**dict(registry.choices()), inbox.WEB: _("This site")}


def _preferences_url(request: HttpRequest) -> str:
    return links.preferences_url(recipient_key(user=request.user))


@login_required
def my_inbox(request: HttpRequest) -> HttpResponse:
    threads = list(inbox.own_threads(request.user).order_by("-last_message_at", "-id"))
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        posted = call_service(form, lambda: inbox.inbox_post(user=request.user, text=text))
        if posted is not None:
            messages.success(request, _("Sent. The team answers here and by your channel."))
            return redirect("outreach:my_thread", pk=posted.thread_id)
    if len(threads) == 1 and request.method == "GET":
        return redirect("outreach:my_thread", pk=threads[0].pk)
    return private(
        render(
            request,
            "outreach/my_inbox.html",
            {"threads": threads, "form": form},
        )
    )


@login_required
def my_thread(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's thread is answered exactly like a thread that does not exist.
    thread = get_object_or_404(inbox.own_threads(request.user), pk=pk)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        posted = call_service(
            form, lambda: inbox.inbox_post(user=request.user, text=text, thread=thread)
        )
        if posted is not None:
            messages.success(request, _("Sent. The team answers here and by your channel."))
            return redirect("outreach:my_thread", pk=thread.pk)
    labels = _channel_labels()
    return private(
        render(
            request,
            "outreach/my_thread.html",
            {
                "thread": thread,
                "rows": [
                    (message, labels.get(message.channel, message.channel))
                    for message in thread.messages.all()
                ],
                "form": form,
                "answer_channel": labels.get(thread.channel, thread.channel),
            },
        )
    )


def _line_identity(user: Any) -> ChannelIdentity | None:
    return (
        ChannelIdentity.objects.filter(channel="line", user=user).order_by("-followed_at").first()
    )


@login_required
def my_line(request: HttpRequest) -> HttpResponse:
    line = registry.get("line")
    return private(
        render(
            request,
            "outreach/my_line.html",
            {
                "identity": _line_identity(request.user),
                "code": links.line_link_code(request.user),
                "add_friend_url": line.setting("ADD_FRIEND_URL"),
                "add_friend_qr_url": line.setting("ADD_FRIEND_QR_URL"),
                "preferences_url": _preferences_url(request),
            },
        )
    )


@login_required
@require_POST
def my_line_unlink(request: HttpRequest) -> HttpResponse:
    if inbox.identity_unlink(user=request.user, channel="line"):
        messages.success(request, _("Your LINE account is no longer linked."))
    return redirect("outreach:my_line")


def _chosen_order(user: Any) -> list[tuple[str, str]]:
    """(channel, label) of the person's channels in the order their notices try them."""
    labels = _channel_labels()
    return [
        (channel, labels.get(channel, channel))
        for channel, _address in inbox.chosen_channels(recipient_key(user=user), email=user.email)
    ]


@login_required
def my_channels(request: HttpRequest) -> HttpResponse:
    order = _chosen_order(request.user)
    if request.method == "POST":
        movable = [channel for channel, _label in order if channel != "email"]
        channel, direction = request.POST.get("move", ""), request.POST.get("direction", "")
        if channel in movable and direction in ("up", "down"):
            index = movable.index(channel)
            other = index - 1 if direction == "up" else index + 1
            if 0 <= other < len(movable):
                movable[index], movable[other] = movable[other], movable[index]
                inbox.identity_choose(
                    recipient_key=recipient_key(user=request.user), channels=movable
                )
                messages.success(request, _("Your order of channels is saved."))
        return redirect("outreach:my_channels")
    return private(
        render(
            request,
            "outreach/my_channels.html",
            {
                "order": order,
                "movable_count": sum(1 for channel, _label in order if channel != "email"),
                "preferences_url": _preferences_url(request),
            },
        )
    )
