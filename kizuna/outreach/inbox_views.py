"""Staff's inbox: every person's thread (what they wrote on LINE, Slack or by email) and the
answer form, which sends through the same official API as a delivery."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kizuna.core.forms import call_service
from kizuna.outreach import inbox
from kizuna.outreach.channels import registry
from kizuna.outreach.models import InboxThread
from kizuna.outreach.permissions import OutreachAction, can_outreach


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Answer this person"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _require(request: HttpRequest) -> None:
    if not can_outreach(request.user, OutreachAction.ANSWER_INBOX):
        raise PermissionDenied


@login_required
def inbox_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    waiting = request.GET.get("waiting") == "1"
    term = request.GET.get("q", "").strip()[:200]
    threads = (
        InboxThread.objects.select_related("user")
        .annotate(n=Count("messages"))
        .order_by("-last_message_at", "-id")
    )
    if waiting:
        threads = threads.filter(needs_answer=True)
    if term:
        threads = threads.filter(
            Q(display_name__icontains=term)
            | Q(address__icontains=term)
            | Q(user__email__icontains=term)
        )
    page = Paginator(threads, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/inbox_list.html",
        {
            "page": page,
            "waiting": waiting,
            "q": term,
            "waiting_count": InboxThread.objects.filter(needs_answer=True).count(),
            "channel_labels": dict(registry.choices()),
        },
    )


@login_required
def inbox_thread(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    thread = get_object_or_404(InboxThread.objects.select_related("user", "member"), pk=pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        answer = call_service(
            form, lambda: inbox.inbox_reply(actor=request.user, thread=thread, text=text)
        )
        if answer is not None:
            messages.success(
                request, _("Answer queued: it goes out through the channel's official API.")
            )
            return redirect("outreach:inbox_thread", pk=thread.pk)
    # Messages a person wrote on the site itself carry no channel of the registry.
    labels = {**dict(registry.choices()), inbox.WEB: _("This site")}
    return render(
        request,
        "outreach/inbox_thread.html",
        {
            "thread": thread,
            "rows": [
                (message, labels.get(message.channel, message.channel))
                for message in thread.messages.select_related("author", "delivery")
            ],
            "form": form,
            "channel_label": labels.get(thread.channel, thread.channel),
        },
    )
