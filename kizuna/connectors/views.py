import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kizuna.community import services as community
from kizuna.community.lines import REJECTED, Outcome, Record
from kizuna.community.permissions import CommunityAction, can_community
from kizuna.connectors import services, tasks
from kizuna.connectors.forms import ImportForm, SourceForm
from kizuna.connectors.generic import read_csv, read_jsonl
from kizuna.connectors.models import Source
from kizuna.connectors.slack_export import read_export

# Rejected lines shown on the page; the command's --report has them all.
SHOWN_REJECTIONS = 100
_SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "slack_zip": ".zip"}


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


def _upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _records(path: Path, kind: str) -> Iterator[Record]:
    if kind == "slack_zip":
        yield from read_export(str(path))
        return
    with path.open("rb") as stream:
        yield from (read_csv if kind == "csv" else read_jsonl)(stream)


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file, see a dry-run report, then commit the same file."""
    _require(request, CommunityAction.IMPORT_ACTIVITIES)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["format"]
        token = f"{uuid.uuid4().hex}{_SUFFIX[kind]}"
        with (_upload_dir() / token).open("wb") as out:
            for chunk in form.cleaned_data["file"].chunks():
                out.write(chunk)
        return _run_import(request, token, kind, dry_run=True, name=form.cleaned_data["file"].name)
    return render(request, "connectors/import.html", {"form": form})


@login_required
@require_POST
def import_commit(request: HttpRequest) -> HttpResponse:
    _require(request, CommunityAction.IMPORT_ACTIVITIES)
    token, kind = request.POST.get("token", ""), request.POST.get("format", "")
    if kind not in _SUFFIX or not token.endswith(_SUFFIX[kind]) or "/" in token:
        raise Http404
    return _run_import(request, token, kind, dry_run=False, name=request.POST.get("name", ""))


def _run_import(
    request: HttpRequest, token: str, kind: str, *, dry_run: bool, name: str
) -> HttpResponse:
    path = _upload_dir() / token
    if not path.is_file():
        raise Http404
    rejections: list[Outcome] = []

    def keep_rejections(outcome: Outcome) -> None:
        if outcome.status == REJECTED and len(rejections) < SHOWN_REJECTIONS:
            rejections.append(outcome)

    summary = community.activities_ingest(
        records=_records(path, kind),
        actor=request.user,
        dry_run=dry_run,
        on_outcome=keep_rejections,
    )
    if not dry_run:
        path.unlink()
    return render(
        request,
        "connectors/import_report.html",
        {
            "summary": summary,
            "rejections": rejections,
            "dry_run": dry_run,
            "token": token,
            "format": kind,
            "name": name,
        },
    )
