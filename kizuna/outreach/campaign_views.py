"""Campaign pages for staff with the outreach role: audiences with a preview, writing,
approving (someone else), steering and watching a campaign."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kizuna.core.forms import call_service
from kizuna.outreach import audiences, campaigns, policy
from kizuna.outreach.campaign_forms import AudienceForm, CampaignForm
from kizuna.outreach.campaign_models import Audience, Campaign, CampaignState
from kizuna.outreach.models import Delivery, State
from kizuna.outreach.permissions import OutreachAction, can_outreach

# What each machine-readable reason on a delivery means, for the results table.
REASONS = {
    "": "",
    policy.NO_CONSENT: gettext_lazy("no consent"),
    policy.OPTED_OUT: gettext_lazy("opted out"),
    policy.SUPPRESSED: gettext_lazy("suppressed"),
    policy.CAPPED: gettext_lazy("frequency cap"),
    policy.QUIET_HOURS: gettext_lazy("quiet hours"),
    policy.RATE_LIMITED: gettext_lazy("rate limit"),
    policy.QUOTA: gettext_lazy("quota used up"),
    campaigns.PAUSED: gettext_lazy("campaign paused"),
    campaigns.CANCELLED: gettext_lazy("campaign cancelled"),
    audiences.NO_ADDRESS: gettext_lazy("no address on these channels"),
    "temporary_error": gettext_lazy("temporary error, will retry"),
    "too_many_attempts": gettext_lazy("too many attempts"),
    "lease_expired": gettext_lazy("worker stopped mid-send"),
}


def reason_label(reason: str) -> str:
    return str(REASONS.get(reason, reason))


def _require(request: HttpRequest, action: OutreachAction) -> Any:
    if not can_outreach(request.user, action):
        raise PermissionDenied
    return request.user


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require(request, OutreachAction.VIEW_CAMPAIGNS)
    page = Paginator(
        Campaign.objects.select_related("audience", "author", "approved_by"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "outreach/campaign_list.html", {"page": page})


@login_required
def audience_list(request: HttpRequest) -> HttpResponse:
    _require(request, OutreachAction.VIEW_CAMPAIGNS)
    return render(
        request,
        "outreach/campaign_audiences.html",
        {"audiences": Audience.objects.select_related("created_by")},
    )


def _preview(audience: Audience) -> dict[str, Any]:
    people = audiences.audience_people(audience)
    return {"count": len(people), "sample": people[: audiences.SAMPLE_SIZE]}


@login_required
def audience_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = _require(request, OutreachAction.WRITE_CAMPAIGN)
    audience = get_object_or_404(Audience, pk=pk) if pk else None
    initial = AudienceForm.initial_of(audience) if audience else {}
    form = AudienceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.audience_fields()
        if request.POST.get("preview"):
            draft = Audience(name=fields["name"], kind=fields["kind"], filters=fields["filters"])
            return render(request, "outreach/campaign_audience_preview.html", _preview(draft))
        saved = call_service(
            form, lambda: campaigns.audience_save(actor=actor, fields=fields, audience=audience)
        )
        if saved is not None:
            messages.success(request, _("The audience is saved."))
            return redirect("outreach:audience_list")
    return render(
        request,
        "outreach/campaign_audience_form.html",
        {
            "form": form,
            "audience": audience,
            "preview": _preview(audience) if audience else None,
        },
    )


@login_required
def campaign_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = _require(request, OutreachAction.WRITE_CAMPAIGN)
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None
    if campaign is not None and campaign.state not in (
        CampaignState.DRAFT,
        CampaignState.APPROVED,
    ):
        messages.error(request, _("A campaign that has started cannot be changed."))
        return redirect("outreach:campaign_detail", pk=campaign.pk)
    initial = CampaignForm.initial_of(campaign) if campaign else {}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = form.campaign_fields()
        saved = call_service(
            form,
            lambda: (
                campaigns.campaign_update(actor=actor, campaign=campaign, fields=fields)
                if campaign is not None
                else campaigns.campaign_create(actor=actor, fields=fields)
            ),
        )
        if saved is not None:
            if campaign is not None and campaign.approved_by_id is None and pk:
                messages.info(request, _("Saved. It needs an approval before it is sent."))
            return redirect("outreach:campaign_detail", pk=saved.pk)
    return render(
        request,
        "outreach/campaign_form.html",
        {"form": form, "campaign": campaign, "variables": campaigns.VARIABLES},
    )


def _results(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    state = request.GET.get("state", "")
    deliveries = Delivery.objects.filter(campaign_recipient__campaign=campaign).order_by("id")
    if state in State.values:
        deliveries = deliveries.filter(state=state)
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    for delivery in page:
        delivery.reason_label = reason_label(delivery.reason)  # type: ignore[attr-defined]
    return {"results": page, "result_state": state, "states": State.choices}


def _progress(campaign: Campaign) -> dict[str, Any]:
    progress = campaigns.campaign_progress(campaign)
    progress["rows"] = [
        (State(state).label if state in State.values else state, reason_label(reason), n)
        for (state, reason), n in progress["by_reason"]
    ]
    return progress


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request, OutreachAction.VIEW_CAMPAIGNS)
    campaign = get_object_or_404(
        Campaign.objects.select_related("audience", "author", "edited_by", "approved_by", "event"),
        pk=pk,
    )
    decision = None
    if campaign.state == CampaignState.DRAFT:
        decided = audiences.audience_decide(
            audience=campaign.audience, channels=campaign.channels, topic=campaign.topic
        )
        decision = {
            "total": len(decided.rows),
            "rows": [
                (reason_label(outcome) or _("will be sent"), n)
                for outcome, n in sorted(decided.counts.items())
            ],
            "sample": list(decided.rows[: audiences.SAMPLE_SIZE]),
        }
    context = {
        "campaign": campaign,
        "decision": decision,
        "progress": _progress(campaign),
        "may_approve": campaign.state == CampaignState.DRAFT
        and can_outreach(user, OutreachAction.APPROVE_CAMPAIGN)
        and user.pk not in (campaign.author_id, campaign.edited_by_id),
        "may_write": can_outreach(user, OutreachAction.WRITE_CAMPAIGN),
        **_results(request, campaign),
    }
    return render(request, "outreach/campaign_detail.html", context)


@login_required
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card alone, polled by htmx while the campaign is under way."""
    _require(request, OutreachAction.VIEW_CAMPAIGNS)
    campaign = get_object_or_404(Campaign, pk=pk)
    return render(
        request,
        "outreach/campaign_progress.html",
        {"campaign": campaign, "progress": _progress(campaign)},
    )


ACTIONS = {
    "approve": (
        OutreachAction.APPROVE_CAMPAIGN,
        gettext_lazy("Approved. It goes out at its time."),
    ),
    "pause": (OutreachAction.WRITE_CAMPAIGN, gettext_lazy("Paused.")),
    "resume": (OutreachAction.WRITE_CAMPAIGN, gettext_lazy("Resumed.")),
    "cancel": (OutreachAction.WRITE_CAMPAIGN, gettext_lazy("Cancelled.")),
    "test": (OutreachAction.WRITE_CAMPAIGN, gettext_lazy("A test is on its way to your email.")),
}


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise PermissionDenied
    permission, done = ACTIONS[action]
    actor = _require(request, permission)
    campaign = get_object_or_404(Campaign, pk=pk)
    try:
        if action == "approve":
            revision = request.POST.get("revision", "")
            campaigns.campaign_approve(
                actor=actor,
                campaign=campaign,
                revision=int(revision) if revision.isdigit() and len(revision) < 10 else None,
            )
        elif action == "test":
            campaigns.campaign_test_send(actor=actor, campaign=campaign)
        else:
            move = {
                "pause": campaigns.campaign_pause,
                "resume": campaigns.campaign_resume,
                "cancel": campaigns.campaign_cancel,
            }[action]
            move(actor=actor, campaign=campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(done))
    return redirect("outreach:campaign_detail", pk=campaign.pk)
