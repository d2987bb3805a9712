from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.community.permissions import CommunityAction, can_community
from kizuna.connectors import services, tasks
from kizuna.connectors.forms import ConnpassImportForm, ImportForm, SourceForm
from kizuna.connectors.models import Source
from kizuna.core.imports import import_job_create
from kizuna.core.models import ImportJob


def _require(request: HttpRequest, action: CommunityAction) -> None:
    if not can_community(request.user, action):
        raise PermissionDenied


@login_required
def source_list(request: HttpRequest) -> HttpResponse:
    _require(request, CommunityAction.MANAGE_SOURCES)
    sources = Source.objects.prefetch_related("runs")
    return render(request, "connectors/source_list.html", {"sources": sources})


@login_required
def source_edit(request: HttpRequest, source_id: int | None = None) -> HttpResponse:
    _require(request, CommunityAction.MANAGE_SOURCES)
    source = get_object_or_404(Source, pk=source_id) if source_id else None
    form = SourceForm(request.POST or None, instance=source)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secrets = data["secrets"] or None
        if source is None:
            source = services.source_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                settings=data["settings"],
                secrets=secrets,
                sync_every_minutes=data["sync_every_minutes"],
            )
        else:
            services.source_update(
                actor=request.user,
                source=source,
                name=data["name"],
                settings=data["settings"],
                enabled=data["enabled"],
                sync_every_minutes=data["sync_every_minutes"],
                secrets=secrets,
            )
        messages.success(request, _("Source saved."))
        return redirect("connectors:source_list")
    return render(request, "connectors/source_form.html", {"form": form, "source": source})


@login_required
@require_POST
def source_sync_now(request: HttpRequest, source_id: int) -> HttpResponse:
    _require(request, CommunityAction.MANAGE_SOURCES)
    source = get_object_or_404(Source, pk=source_id)
    tasks.sync_source.enqueue(source.pk)
    messages.success(request, _("Sync of %(name)s queued.") % {"name": source.name})
    return redirect("connectors:source_list")


def _start_job(request: HttpRequest, kind: str, form: Any, options: dict[str, Any]) -> Any:
    """Store the upload as an import job (its dry run runs in the worker) and show its page."""
    upload = form.cleaned_data["file"]
    try:
        job = import_job_create(
            kind=kind, actor=request.user, file=upload, filename=upload.name, options=options
        )
    except ValidationError as error:
        form.add_error("file", error)
        return None
    return redirect("imports:job", pk=job.pk)


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload an activity file; its dry run and apply are an import job."""
    _require(request, CommunityAction.IMPORT_ACTIVITIES)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        response = _start_job(request, "activities", form, {"format": form.cleaned_data["format"]})
        if response is not None:
            return response
    return render(request, "connectors/import.html", {"form": form, "jobs": _recent("activities")})


@login_required
def import_connpass(request: HttpRequest) -> HttpResponse:
    """Upload a connpass participant CSV for one event; an import job like every import."""
    _require(request, CommunityAction.IMPORT_ACTIVITIES)
    form = ConnpassImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        options = {"event_id": form.cleaned_data["event"].pk}
        response = _start_job(request, "connpass_participants", form, options)
        if response is not None:
            return response
    return render(
        request,
        "connectors/import_connpass.html",
        {"form": form, "jobs": _recent("connpass_participants")},
    )


def _recent(kind: str) -> Any:
    return ImportJob.objects.filter(kind=kind).select_related("created_by")[:10]
