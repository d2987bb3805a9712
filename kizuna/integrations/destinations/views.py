"""Destination pages, for staff with the integrations role only."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.core.forms import call_service
from kizuna.integrations import permissions
from kizuna.integrations.destinations import selectors, services
from kizuna.integrations.destinations.base import effective_mapping
from kizuna.integrations.destinations.forms import DestinationForm, ResyncForm
from kizuna.integrations.destinations.models import Destination
from kizuna.integrations.destinations.registry import DESTINATIONS, plugin_for


def _require(request: HttpRequest) -> None:
    if not permissions.is_integrations_staff(request.user):
        raise PermissionDenied


def _fields(schema: Any) -> list[tuple[str, str]]:
    return [
        (name, "" if field.is_required() else json.dumps(field.default, ensure_ascii=False))
        for name, field in schema.model_fields.items()
    ]


def _schemas() -> list[dict[str, Any]]:
    """What staff may enter for each kind, shown next to the form."""
    return [
        {
            "label": plugin.label,
            "kind": plugin.kind,
            "settings": _fields(plugin.settings_schema),
            "credentials": _fields(plugin.credentials_schema),
            "mapping": json.dumps(plugin.default_mapping, indent=2),
        }
        for plugin in DESTINATIONS.values()
    ]


@login_required
def destination_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(
        request,
        "integrations/destination_list.html",
        {"rows": selectors.destinations_overview()},
    )


@login_required
def destination_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    destination = get_object_or_404(Destination, pk=pk)
    plugin = plugin_for(destination.kind)
    lag = selectors.destination_lag(destination)
    tone, state = selectors.destination_state(destination, lag)
    return render(
        request,
        "integrations/destination_detail.html",
        {
            "destination": destination,
            "label": plugin.label,
            "lag": lag,
            "tone": tone,
            "state": state,
            "rejections": destination.rejections.all()[:100],
            "rejection_count": destination.rejections.count(),
            "runs": destination.runs.all()[:20],
            "resync_form": ResyncForm(kinds=plugin.objects),
            "mapping": effective_mapping(plugin, destination.mapping),
            "settings": [
                (name, json.dumps(value, ensure_ascii=False))
                for name, value in destination.settings.items()
            ],
        },
    )


@login_required
def destination_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require(request)
    destination = get_object_or_404(Destination, pk=pk) if pk else None
    initial = (
        {
            "name": destination.name,
            "settings": destination.settings,
            "mapping": destination.mapping,
            "enabled": destination.enabled,
        }
        if destination
        else None
    )
    form = DestinationForm(request.POST or None, initial=initial, editing=destination is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if destination is None:
            saved = call_service(
                form,
                lambda: services.destination_create(
                    actor=request.user,
                    kind=data["kind"],
                    name=data["name"],
                    settings=data["settings"],
                    secrets=data["secrets"],
                    mapping=data["mapping"],
                ),
            )
        else:
            saved = call_service(
                form,
                lambda: services.destination_update(
                    actor=request.user,
                    destination=destination,
                    name=data["name"],
                    settings=data["settings"],
                    enabled=data["enabled"],
                    mapping=data["mapping"],
                    secrets=data["secrets"] or None,
                ),
            )
        if saved is not None:
            messages.success(request, _("Destination saved."))
            return redirect("integrations:destination_detail", pk=saved.pk)
    return render(
        request,
        "integrations/destination_form.html",
        {"form": form, "destination": destination, "schemas": _schemas()},
    )


@login_required
@require_POST
def destination_sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    destination = get_object_or_404(Destination, pk=pk)
    services.destination_sync_request(actor=request.user, destination=destination)
    messages.success(request, _("Sync of %(name)s queued.") % {"name": destination.name})
    return redirect("integrations:destination_detail", pk=pk)


@login_required
@require_POST
def destination_resync(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    destination = get_object_or_404(Destination, pk=pk)
    form = ResyncForm(request.POST, kinds=plugin_for(destination.kind).objects)
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        services.destination_resync_request(actor=request.user, destination=destination, kind=kind)
        messages.success(request, _("Resync of every %(kind)s queued.") % {"kind": kind})
    else:
        messages.error(request, _("Choose an object this destination writes."))
    return redirect("integrations:destination_detail", pk=pk)


@login_required
@require_POST
def destination_check(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    destination = get_object_or_404(Destination, pk=pk)
    try:
        result = services.destination_check(actor=request.user, destination=destination)
        messages.success(request, result)
    except ValidationError as error:
        messages.error(request, _("Check failed: %(error)s") % {"error": " ".join(error.messages)})
    return redirect("integrations:destination_detail", pk=pk)
