"""Webhook pages: staff see every endpoint, a partner owner its organization's own."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.core.exports import export_response, requested_format
from kizuna.core.forms import call_service
from kizuna.integrations import permissions, selectors, services
from kizuna.integrations.forms import EndpointForm, ReplayRangeForm
from kizuna.integrations.models import DeliveryStatus, WebhookEndpoint


def _visible_endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    endpoint = selectors.endpoints_visible_to(request.user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


@login_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    organization = selectors.organization_for_new_endpoint(request.user)
    if not permissions.can_list_endpoints(request.user, organization):
        raise PermissionDenied
    endpoints = selectors.endpoints_with_health(selectors.endpoints_visible_to(request.user))
    return render(
        request,
        "integrations/endpoint_list.html",
        {"endpoints": endpoints, "organization": organization},
    )


@login_required
def endpoint_create(request: HttpRequest) -> HttpResponse:
    organization = selectors.organization_for_new_endpoint(request.user)
    if not permissions.can_create_endpoint(request.user, organization):
        raise PermissionDenied
    form = EndpointForm(request.POST or None, event_types=services.subscribable_types(organization))
    if request.method == "POST" and form.is_valid():
        created = call_service(
            form,
            lambda: services.webhook_endpoint_create(
                actor=request.user, organization=organization, **form.cleaned_data
            ),
        )
        if created is not None:
            messages.success(request, _("Endpoint registered. Copy its signing secret below."))
            return redirect("integrations:endpoint_detail", pk=created.pk)
    return render(
        request, "integrations/endpoint_form.html", {"form": form, "organization": organization}
    )


@login_required
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _visible_endpoint(request, pk)
    if not permissions.can_change_endpoint(request.user, endpoint):
        raise PermissionDenied
    form = EndpointForm(
        request.POST or None,
        event_types=services.subscribable_types(endpoint.organization),
        initial={
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
            "personal_data": endpoint.personal_data,
        },
    )
    saved = None
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            lambda: services.webhook_endpoint_update(
                actor=request.user, endpoint=endpoint, **form.cleaned_data
            ),
        )
    if saved is not None:
        messages.success(request, _("Endpoint saved."))
        return redirect("integrations:endpoint_detail", pk=endpoint.pk)
    return render(request, "integrations/endpoint_form.html", {"form": form, "endpoint": endpoint})


DELIVERY_COLUMNS = [
    "webhook_id", "event_type", "status", "attempts", "last_status_code", "created_at",
    "next_attempt_at", "finished_at", "last_attempt_at", "last_response_ms", "last_error",
    "last_response",
]  # fmt: skip


def _delivery_rows(deliveries: Any) -> Any:
    for d in deliveries.iterator(chunk_size=2000):
        last = next(iter(d.attempts.all()), None)  # attempts come newest first
        yield [
            d.webhook_id, d.event_type, d.status, d.attempt_count, d.last_status_code,
            d.created_at, d.next_attempt_at, d.finished_at,
            last and last.attempted_at, last and last.response_ms, last and last.error,
            last and last.response_excerpt,
        ]  # fmt: skip


@login_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _visible_endpoint(request, pk)
    status = request.GET.get("status", "")
    if status not in DeliveryStatus.values:
        status = ""
    if requested_format(request):
        return export_response(
            request,
            filename=f"webhook-deliveries-{endpoint.pk}",
            header=DELIVERY_COLUMNS,
            rows=_delivery_rows(selectors.deliveries_of(endpoint, status=status or None)),
        )
    page = Paginator(selectors.deliveries_of(endpoint, status=status or None), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "integrations/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "page": page,
            "status": status,
            "statuses": DeliveryStatus.choices,
            "replay_form": ReplayRangeForm(),
            "can_change": permissions.can_change_endpoint(request.user, endpoint),
        },
    )


@require_POST
@login_required
def endpoint_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _visible_endpoint(request, pk)
    services.webhook_test_send(actor=request.user, endpoint=endpoint)
    messages.success(request, _("A test event is queued; it appears in the log below."))
    return redirect("integrations:endpoint_detail", pk=pk)


@require_POST
@login_required
def endpoint_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _visible_endpoint(request, pk)
    services.webhook_endpoint_update(
        actor=request.user, endpoint=endpoint, enabled=not endpoint.enabled
    )
    return redirect("integrations:endpoint_detail", pk=pk)


@require_POST
@login_required
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _visible_endpoint(request, pk)
    services.webhook_endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
    messages.success(
        request, _("New secret created. The previous one also signs for the next 24 hours.")
    )
    return redirect("integrations:endpoint_detail", pk=pk)


@require_POST
@login_required
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _visible_endpoint(request, pk)
    services.webhook_endpoint_delete(actor=request.user, endpoint=endpoint)
    messages.success(request, _("Endpoint deleted."))
    return redirect("integrations:endpoint_list")


@require_POST
@login_required
def endpoint_replay(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _visible_endpoint(request, pk)
    form = ReplayRangeForm(request.POST)
    if form.is_valid():
        count = call_service(
            form,
            lambda: services.webhook_events_replay(
                actor=request.user, endpoint=endpoint, **form.cleaned_data
            ),
        )
        if count is not None:
            messages.success(request, _("%(count)d events queued again.") % {"count": count})
            return redirect("integrations:endpoint_detail", pk=pk)
    for error in form.errors.values():
        messages.error(request, " ".join(str(message) for message in error))
    return redirect("integrations:endpoint_detail", pk=pk)


@require_POST
@login_required
def delivery_replay(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    endpoint = _visible_endpoint(request, pk)
    delivery = endpoint.deliveries.filter(pk=delivery_pk).first()
    if delivery is None:
        raise Http404
    services.webhook_delivery_replay(actor=request.user, delivery=delivery)
    messages.success(request, _("Delivery queued again with the same webhook-id."))
    return redirect("integrations:endpoint_detail", pk=pk)
