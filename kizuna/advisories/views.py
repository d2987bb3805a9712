"""Pages of the advisories app: public advisories and their machine formats, the partner's
acknowledgment and client sites, the security team's desk, and the way in for reporters."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kizuna.accounts.models import Organization
from kizuna.advisories import permissions, selectors, services
from kizuna.advisories.forms import (
    AdvisoryForm,
    ClientSiteForm,
    ClientSiteImportForm,
    SiteStatusForm,
    VulnerabilityReportForm,
)
from kizuna.advisories.models import (
    Advisory,
    AdvisoryState,
    AdvisoryTarget,
    ClientSite,
    SiteStatus,
)
from kizuna.advisories.osv import advisory_osv
from kizuna.core import ratelimit
from kizuna.core.charts import COUNT_UNIT, chart
from kizuna.core.exports import export_response
from kizuna.core.forms import call_service
from kizuna.core.imports import import_job_create
from kizuna.core.models import ImportJob
from kizuna.core.request_context import client_ip

REPORT_LIMIT = ratelimit.Limit(capacity=5, per_seconds=3600)


def _readable(request: HttpRequest, identifier: str) -> Advisory:
    advisory = get_object_or_404(Advisory, identifier=identifier)
    if not permissions.can_read_advisory(request.user, advisory):
        raise Http404  # under embargo it does not exist for anyone it does not target
    return advisory


def advisory_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "advisories/list.html",
        {"advisories": selectors.advisories_for(request.user)[:200]},
    )


def advisory_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    advisory = _readable(request, identifier)
    organization = permissions.targeted_organization(request.user, advisory)
    services.advisory_view_record(user=request.user, advisory=advisory, organization=organization)
    context: dict[str, Any] = {
        "advisory": advisory,
        "revisions": advisory.revisions.all(),
        "organization": organization,
        "is_staff": permissions.is_security_staff(request.user),
        "deadline": selectors.deadline(advisory),
    }
    if organization is not None:
        context["target"] = advisory.targets.get(organization=organization)
        context["site_rows"] = _site_rows(advisory, organization)
    return render(request, "advisories/detail.html", context)


def _site_rows(advisory: Advisory, organization: Organization) -> list[dict[str, Any]]:
    statuses = {
        s.site_id: s
        for s in SiteStatus.objects.filter(advisory=advisory, site__organization=organization)
    }
    rows = []
    for site in services.affected_sites(advisory, organization):
        status = statuses.get(site.pk)
        initial = (
            {"state": status.state, "on": status.on, "note": status.note}
            if status
            else {"on": timezone.localdate()}
        )
        rows.append(
            {
                "site": site,
                "status": status,
                "form": SiteStatusForm(initial=initial, prefix=f"s{site.pk}"),
            }
        )
    return rows


def advisory_osv_json(request: HttpRequest, identifier: str) -> JsonResponse:
    advisory = get_object_or_404(Advisory, identifier=identifier, state=AdvisoryState.PUBLISHED)
    page_url = request.build_absolute_uri(reverse("advisories:detail", args=[identifier]))
    response = JsonResponse(
        advisory_osv(advisory, page_url=page_url), json_dumps_params={"ensure_ascii": False}
    )
    response["Access-Control-Allow-Origin"] = "*"  # public data, read by plugins in shops' admin
    return response


class AdvisoryFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("Security advisories")
    subtitle = gettext_lazy("Published security advisories")

    def link(self) -> str:
        return reverse("advisories:list")

    def items(self) -> Any:
        return Advisory.objects.filter(state=AdvisoryState.PUBLISHED).order_by("-published_at")[:50]

    def item_title(self, item: Advisory) -> str:
        return f"[{item.get_severity_display()}] {item.identifier}: {item.title}"

    def item_description(self, item: Advisory) -> str:
        return item.details

    def item_link(self, item: Advisory) -> str:
        return reverse("advisories:detail", args=[item.identifier])

    def item_pubdate(self, item: Advisory) -> Any:
        return item.published_at

    def item_updateddate(self, item: Advisory) -> Any:
        return item.modified_at


@login_required
@require_POST
def acknowledge(request: HttpRequest, identifier: str) -> HttpResponse:
    advisory = _readable(request, identifier)
    organization = permissions.targeted_organization(request.user, advisory)
    if organization is None or not permissions.can_acknowledge(request.user, organization):
        raise Http404
    services.advisory_acknowledge(
        actor=request.user, target=advisory.targets.get(organization=organization)
    )
    messages.success(request, _("Thank you: your acknowledgment is recorded."))
    return redirect("advisories:detail", identifier)


def acknowledge_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link from the notice: GET asks, POST records (mail scanners only GET)."""
    try:
        target = services.target_from_token(token)
    except ValidationError as error:
        return render(request, "advisories/ack_link.html", {"error": error.messages[0]}, status=400)
    if request.user.is_authenticated and not permissions.is_member(
        request.user, target.organization
    ):
        return render(
            request,
            "advisories/ack_link.html",
            {"error": _("This link was sent to another partner.")},
            status=403,
        )
    done = target.acknowledged_at is not None
    if request.method == "POST" and not done:
        services.advisory_acknowledge(actor=request.user, target=target)
        done = True
    return render(request, "advisories/ack_link.html", {"target": target, "done": done})


@login_required
@require_POST
def site_status(request: HttpRequest, identifier: str, site_id: int) -> HttpResponse:
    advisory = _readable(request, identifier)
    site = get_object_or_404(ClientSite, pk=site_id)
    if not permissions.can_change_sites(request.user, site.organization):
        raise Http404
    if site not in services.affected_sites(advisory, site.organization):
        raise Http404
    form = SiteStatusForm(request.POST, prefix=f"s{site.pk}")
    saved = None
    if form.is_valid():
        saved = call_service(
            form,
            lambda: services.site_status_set(
                actor=request.user, advisory=advisory, site=site, **form.cleaned_data
            ),
        )
    if saved is not None:
        messages.success(request, _("Status of “%(site)s” saved.") % {"site": site.label})
    else:
        for errors in form.errors.values():
            messages.error(request, f"{site.label}: {' '.join(str(e) for e in errors)}")
    return redirect("advisories:detail", identifier)


def _own_organization(request: HttpRequest) -> Organization:
    user: Any = request.user  # signed in: the views using this require it
    memberships = list(user.memberships.select_related("organization"))
    if not memberships:
        raise Http404
    return memberships[0].organization


@login_required
def sites(request: HttpRequest) -> HttpResponse:
    organization = _own_organization(request)
    return render(
        request,
        "advisories/sites.html",
        {
            "organization": organization,
            "sites": organization.client_sites.all(),
            "open_targets": selectors.open_advisories_of(organization),
        },
    )


@login_required
def site_edit(request: HttpRequest, site_id: int | None = None) -> HttpResponse:
    organization = _own_organization(request)
    site = get_object_or_404(ClientSite, pk=site_id, organization=organization) if site_id else None
    if not permissions.can_change_sites(request.user, organization):
        raise PermissionDenied
    form = ClientSiteForm(request.POST or None, instance=site)
    saved = None
    if request.method == "POST" and form.is_valid():
        saved = call_service(
            form,
            lambda: services.client_site_save(
                actor=request.user,
                organization=organization,
                site=site,
                fields=form.service_fields(),
            ),
        )
    if saved is not None:
        messages.success(request, _("Site saved."))
        return redirect("advisories:sites")
    return render(request, "advisories/site_form.html", {"form": form, "site": site})


@login_required
def sites_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of client sites; its dry run and apply are an import job (the worker's)."""
    organization = _own_organization(request)
    if not permissions.can_change_sites(request.user, organization):
        raise PermissionDenied
    form = ClientSiteImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                kind="client_sites",
                actor=request.user,
                file=upload,
                filename=upload.name,
                options={"organization_id": organization.pk},
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("imports:job", pk=job.pk)
    jobs = ImportJob.objects.filter(
        kind="client_sites", options__organization_id=organization.pk
    ).select_related("created_by")[:10]
    return render(request, "advisories/sites_import.html", {"form": form, "jobs": jobs})


@login_required
@require_POST
def site_delete(request: HttpRequest, site_id: int) -> HttpResponse:
    organization = _own_organization(request)
    site = get_object_or_404(ClientSite, pk=site_id, organization=organization)
    services.client_site_delete(actor=request.user, site=site)
    messages.success(request, _("Site removed."))
    return redirect("advisories:sites")


def report(request: HttpRequest) -> HttpResponse:
    form = VulnerabilityReportForm(request.POST or None)
    if request.method == "POST":
        decision = ratelimit.consume(f"vulnerability-report:ip:{client_ip(request)}", REPORT_LIMIT)
        if not decision.allowed:
            page = render(request, "advisories/report.html", {"form": form, "limited": True})
            return ratelimit.refused(page, decision)
        if form.is_valid() and not form.cleaned_data.get("website"):
            fields = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            if call_service(form, lambda: services.vulnerability_report_submit(**fields)):
                return render(request, "advisories/report_thanks.html")
        elif form.is_valid():
            return render(request, "advisories/report_thanks.html")  # a bot: same answer
    return render(request, "advisories/report.html", {"form": form})


def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116: where to report a vulnerability, served from settings."""
    report_url = request.build_absolute_uri(reverse("advisories:report"))
    expires = timezone.now() + dt.timedelta(days=settings.KIZUNA_SECURITY_TXT_VALID_DAYS)
    lines = [f"Contact: {report_url}"]
    if settings.KIZUNA_SECURITY_CONTACT_EMAIL:
        lines.append(f"Contact: mailto:{settings.KIZUNA_SECURITY_CONTACT_EMAIL}")
    lines += [
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: ja, en",
        f"Canonical: {request.build_absolute_uri(request.path)}",
        f"Policy: {request.build_absolute_uri(reverse('advisories:list'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def _staff(request: HttpRequest) -> None:
    if not permissions.is_security_staff(request.user):
        raise PermissionDenied


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return render(
        request,
        "advisories/staff_list.html",
        {
            "advisories": Advisory.objects.order_by("-created_at")[:200],
            "medians": selectors.response_medians(),
        },
    )


@login_required
def staff_edit(request: HttpRequest, identifier: str | None = None) -> HttpResponse:
    _staff(request)
    advisory = get_object_or_404(Advisory, identifier=identifier) if identifier else None
    form = AdvisoryForm(request.POST or None, instance=advisory)
    if request.method == "POST" and form.is_valid():
        badge_ids = [badge.pk for badge in form.cleaned_data["target_badges"]]
        fields = form.service_fields()
        summary = form.cleaned_data.get("revision_summary", "")
        saved = call_service(
            form,
            lambda: (
                services.advisory_create(actor=request.user, fields=fields, badge_ids=badge_ids)
                if advisory is None
                else services.advisory_update(
                    actor=request.user,
                    advisory=advisory,
                    fields=fields,
                    badge_ids=badge_ids,
                    summary=summary,
                )
            ),
        )
        if saved is not None:
            messages.success(request, _("Advisory saved."))
            return redirect("advisories:staff_detail", saved.identifier)
    return render(request, "advisories/staff_form.html", {"form": form, "advisory": advisory})


@login_required
def staff_detail(request: HttpRequest, identifier: str) -> HttpResponse:
    _staff(request)
    advisory = get_object_or_404(Advisory, identifier=identifier)
    rows = selectors.target_rows(advisory)
    return render(
        request,
        "advisories/staff_detail.html",
        {
            "advisory": advisory,
            "rows": rows,
            "acknowledged": sum(1 for row in rows if row.target.acknowledged_at),
            "overdue": [row for row in rows if row.overdue],
            "site_counts": selectors.site_counts(advisory),
            "chart": _sites_chart(advisory),
            "site_statuses": SiteStatus.objects.filter(advisory=advisory)
            .select_related("site", "site__organization")
            .order_by("site__organization__name", "site__label"),
            "deadline": selectors.deadline(advisory),
            "views": advisory.views.select_related("user", "organization").order_by("-viewed_at")[
                :50
            ],
        },
    )


def _sites_chart(advisory: Advisory) -> dict[str, Any]:
    series = selectors.sites_over_time(advisory)
    return chart(
        "sites-chart",
        series["days"],
        [
            (_("Still open"), series["open"]),
            (_("Patched or mitigated"), series["resolved"]),
        ],
        "line",
        unit=COUNT_UNIT,
    )


@login_required
@require_POST
def staff_action(request: HttpRequest, identifier: str, action: str) -> HttpResponse:
    _staff(request)
    advisory = get_object_or_404(Advisory, identifier=identifier)
    actions = {
        "share": lambda: services.advisory_share(actor=request.user, advisory=advisory),
        "publish": lambda: services.advisory_publish(actor=request.user, advisory=advisory),
        "withdraw": lambda: services.advisory_withdraw(
            actor=request.user, advisory=advisory, reason=request.POST.get("reason", "")
        ),
    }
    if action not in actions:
        raise Http404
    try:
        actions[action]()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Done."))
    return redirect("advisories:staff_detail", identifier)


@login_required
@require_POST
def staff_remind(request: HttpRequest, identifier: str, target_id: int) -> HttpResponse:
    _staff(request)
    target = get_object_or_404(
        AdvisoryTarget.objects.select_related("advisory", "organization"),
        pk=target_id,
        advisory__identifier=identifier,
    )
    services.advisory_target_remind(actor=request.user, target=target, now=timezone.now())
    messages.success(request, _("%(name)s has been reminded.") % {"name": target.organization.name})
    return redirect("advisories:staff_detail", identifier)


@login_required
def staff_export(request: HttpRequest, identifier: str) -> HttpResponse:
    _staff(request)
    advisory = get_object_or_404(Advisory, identifier=identifier)
    header = [_("Partner"), _("Acknowledged"), _("Acknowledged by"), _("Open sites"), _("Overdue")]
    rows = [
        [
            row.target.organization.name,
            timezone.localtime(row.target.acknowledged_at).strftime("%Y-%m-%d %H:%M")
            if row.target.acknowledged_at
            else "",
            row.target.acknowledged_by.email if row.target.acknowledged_by else "",
            row.open_sites,
            _("yes") if row.overdue else "",
        ]
        for row in selectors.target_rows(advisory)
    ]
    return export_response(
        request, filename=f"{advisory.identifier}-partners", header=header, rows=rows
    )
