"""The page of one import job: status, progress (htmx polling), report, apply and cancel.

Each importer has its own upload page in its app; they all end here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from kizuna.core import imports
from kizuna.core.models import ImportJob, ImportJobStatus

# Lines of the report shown on the page; the command line writes them all.
SHOWN_LINES = 200
_STATUS_LABELS = {
    imports.NEW: pgettext_lazy("import line", "new"),
    imports.UPDATED: pgettext_lazy("import line", "updated"),
    imports.UNCHANGED: pgettext_lazy("import line", "unchanged"),
    imports.REJECTED: pgettext_lazy("import line", "rejected"),
}
_RUNNING = (ImportJobStatus.UPLOADED, ImportJobStatus.CHECKING, ImportJobStatus.APPLYING)


def _job_for(request: HttpRequest, pk: int) -> tuple[ImportJob, imports.Importer]:
    job = get_object_or_404(ImportJob, pk=pk)
    importer = imports.importer_for(job.kind)
    if not importer.allowed_job(request.user, job):
        raise PermissionDenied
    return job, importer


def _context(job: ImportJob, importer: imports.Importer) -> dict[str, object]:
    report = imports.report_of(job)
    done = job.applied_units if job.status == ImportJobStatus.APPLYING else job.checked_units
    total = job.total_units
    return {
        "job": job,
        "importer": importer,
        "upload_url": reverse(importer.upload_url),
        "report": report,
        "counts": report["counts"],
        "shown_lines": [
            (line, status, _STATUS_LABELS.get(status, status), imports.reason_text(reason))
            for line, status, reason in report["lines"][:SHOWN_LINES]
        ],
        "more_lines": max(len(report["lines"]) - SHOWN_LINES, 0),
        "running": job.status in _RUNNING,
        "done": done,
        "percent": int(100 * done / total) if total else None,
        "applied": job.status in (ImportJobStatus.APPLYING, ImportJobStatus.APPLIED),
    }


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job, importer = _job_for(request, pk)
    context = _context(job, importer)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "core/imports/_job_status.html", context)
    return render(request, "core/imports/job.html", context)


@login_required
@require_POST
def job_apply(request: HttpRequest, pk: int) -> HttpResponse:
    job, _importer = _job_for(request, pk)
    if imports.import_job_request_apply(job=job, actor=request.user):
        messages.success(request, _("The import is being applied."))
    else:
        messages.error(request, _("Only a checked import can be applied."))
    return redirect("imports:job", pk=job.pk)


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job, _importer = _job_for(request, pk)
    if imports.import_job_cancel(job=job, actor=request.user):
        messages.success(request, _("The import is cancelled."))
    else:
        messages.error(request, _("This import has already ended."))
    return redirect("imports:job", pk=job.pk)
