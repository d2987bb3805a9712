"""Staff's list of every delivery; each recipient's preferences and one-click unsubscribe."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kizuna.core.exports import export_response, requested_format
from kizuna.outreach import links, selectors, services
from kizuna.outreach.channels import registry
from kizuna.outreach.models import Delivery, Purpose, State
from kizuna.outreach.permissions import OutreachAction, can_outreach


def _require(request: HttpRequest, action: OutreachAction) -> None:
    if not can_outreach(request.user, action):
        raise PermissionDenied


DELIVERY_COLUMNS = [
    "id", "created_at", "channel", "address", "user", "purpose", "topic", "subject", "text",
    "state", "reason", "error", "attempts", "due_at", "sent_at", "provider_id",
]  # fmt: skip


def _delivery_rows(deliveries: Any) -> Any:
    yield from deliveries.values_list(
        "id", "created_at", "channel", "address", "user__email", "purpose", "topic", "subject",
        "text", "state", "reason", "error", "attempts", "due_at", "sent_at", "provider_id",
    ).iterator(chunk_size=2000)  # fmt: skip


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    _require(request, OutreachAction.VIEW_DELIVERIES)
    filters = {
        "state": request.GET.get("state", ""),
        "channel": request.GET.get("channel", ""),
        "purpose": request.GET.get("purpose", ""),
        "recipient": request.GET.get("recipient", "").strip(),
    }
    deliveries = Delivery.objects.select_related("user", "member")
    if filters["state"] in State.values:
        deliveries = deliveries.filter(state=filters["state"])
    if filters["channel"] in registry.names():
        deliveries = deliveries.filter(channel=filters["channel"])
    if filters["purpose"] in Purpose.values:
        deliveries = deliveries.filter(purpose=filters["purpose"])
    if filters["recipient"]:
        term = filters["recipient"][:200]
        deliveries = deliveries.filter(
            Q(address__icontains=term) | Q(user__email__icontains=term) | Q(recipient_key=term)
        )
    if requested_format(request):
        return export_response(
            request, filename="deliveries", header=DELIVERY_COLUMNS, rows=_delivery_rows(deliveries)
        )
    page = Paginator(deliveries, 100).get_page(request.GET.get("page"))
    counts = dict(Delivery.objects.values_list("state").annotate(n=Count("id")))
    return render(
        request,
        "outreach/delivery_list.html",
        {
            "page": page,
            "filters": filters,
            "states": State.choices,
            "channels": registry.choices(),
            "purposes": Purpose.choices,
            "unknown_count": counts.get(State.UNKNOWN, 0),
            "counts": [(label, counts.get(value, 0), value) for value, label in State.choices],
            "query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
        },
    )


@login_required
@require_POST
def delivery_requeue(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, OutreachAction.REQUEUE_DELIVERY)
    delivery = get_object_or_404(Delivery, pk=pk)
    services.delivery_requeue(actor=request.user, delivery=delivery)
    return redirect("outreach:delivery_list")


def _language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "")
    return wanted if wanted in ("ja", "en") else translation.get_language() or "ja"


# The signed token in the URL is what proves who is asking; there is no session to forge a
# request from, and the person may open the link in a browser that never signed in.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    recipient_key = links.preferences_recipient(token)
    if recipient_key is None:
        raise Http404
    language = _language(request)
    with translation.override(language):
        rows = selectors.preference_rows(recipient_key)
        saved = False
        if request.method == "POST":
            chosen = set(request.POST.getlist("choice"))
            services.preferences_save(
                recipient_key=recipient_key,
                chosen=chosen,
                rows=rows,
                everything_off=request.POST.get("everything_off") == "on",
            )
            rows = selectors.preference_rows(recipient_key)
            saved = True
        response = render(
            request,
            "outreach/preferences.html",
            {
                "rows": rows,
                "channels": selectors.preference_channels(recipient_key),
                "saved": saved,
                "language": language,
                "suppressed": selectors.everything_off(recipient_key),
            },
        )
    response["Cache-Control"] = "no-store"
    return response


# RFC 8058: the mailbox provider POSTs "List-Unsubscribe=One-Click" with no cookies and no
# CSRF token; the signed URL alone decides, and the unsubscribe takes effect at once.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = links.unsubscribe_target(token)
    if target is None:
        raise Http404
    recipient_key, channel, topic = target
    context: dict[str, Any] = {
        "done": False,
        "preferences_url": links.preferences_url(recipient_key),
        "language": _language(request),
    }
    if request.method == "POST":
        services.unsubscribe_one_click(recipient_key=recipient_key, channel=channel, topic=topic)
        context["done"] = True
    with translation.override(context["language"]):
        response = render(request, "outreach/unsubscribe.html", context)
    response["Cache-Control"] = "no-store"
    return response
