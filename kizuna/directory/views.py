"""Directory pages: search, partner pages, the lead form, merchants' requests, partners'
inbox and staff views. They validate, check permissions, call a service and redirect."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from kizuna.accounts.models import User, VerificationPurpose
from kizuna.accounts.services import email_verification_find
from kizuna.core import ratelimit
from kizuna.core.exports import export_response, requested_format
from kizuna.core.forms import call_service
from kizuna.core.request_context import client_ip
from kizuna.directory import permissions, selectors
from kizuna.directory.forms import (
    DeclineForm,
    GuildForm,
    GuildInviteForm,
    GuildMessageForm,
    HelpAnswerForm,
    HelpPostForm,
    HideForm,
    LeadForm,
    PartnerOption,
    PreferencesForm,
    ProposeForm,
    ReplyForm,
    ReviewForm,
    SearchForm,
)
from kizuna.directory.limits import search_consume
from kizuna.directory.models import (
    Assignment,
    AssignmentStatus,
    DirectoryEntry,
    HelpAnswer,
    HelpPost,
    JointProposal,
    Lead,
    LeadPreferences,
    ProposalStatus,
    Review,
    VisitorLead,
)
from kizuna.directory.search import (
    SearchParams,
    entry_badges,
    explain,
    guild_suggested_partner_ids,
    lead_suggested_partner_ids,
    search,
)
from kizuna.directory.services import board, guilds, leads, reviews, visitors
from kizuna.partners import selectors as partner_selectors
from kizuna.partners.models import PartnerProfile


def _signed_in(request: HttpRequest) -> User:
    # Only behind @login_required: the user is a real account.
    assert isinstance(request.user, User)
    return request.user


# Search and partner pages (public)


def directory(request: HttpRequest) -> HttpResponse:
    decision = search_consume(request)
    if not decision.allowed:
        page = render(
            request, "directory/rate_limited.html", {"retry_after": decision.retry_after_s}
        )
        return ratelimit.refused(page, decision)
    form = SearchForm(request.GET or None)
    result = search(form.params())
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "result": result,
        "query": query.urlencode(),
        "active_filters": form.active_filter_count(),
    }
    live = request.headers.get("HX-Request") == "true"
    template = "directory/_results.html" if live else "directory/search.html"
    return render(request, template, context)


def partner_page(request: HttpRequest, slug: str) -> HttpResponse:
    entry = selectors.listed_entry(slug)
    if entry is None:
        raise Http404
    partner = entry.partner
    own = permissions.can_manage_partner_leads(request.user, partner)
    shown = selectors.partner_reviews(partner.pk) if own else selectors.visible_reviews(partner.pk)
    back = _back_to(request.GET.get("back", ""))
    return render(
        request,
        "directory/partner.html",
        {
            "entry": entry,
            "partner": partner,
            "badges": entry_badges([entry.pk])[entry.pk],
            "reasons": explain(entry),
            "work": partner_selectors.work_examples(partner, summaries=10),
            "reviews": shown,
            "can_reply": own,
            "reply_form": ReplyForm(),
            "back": back if back.kind == "search" else _back_to(""),
        },
    )


@login_required
@require_POST
def review_reply(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(Review.objects.select_related("partner__organization"), pk=pk)
    form = ReplyForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form,
            lambda: reviews.review_reply(
                actor=request.user, review=review, text=form.cleaned_data["reply"]
            ),
        )
        is not None
    ):
        messages.success(request, _("Your reply is published."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.values()))
    return redirect("directory:partner", review.partner.slug)


# Merchants: the lead form and their requests

LEAD_SUGGESTIONS = 4  # similar partners the lead form offers to add


@dataclass(frozen=True)
class Back:
    """Where a page's back link goes: the directory page the merchant came from."""

    url: str
    kind: str  # "search" or "partner"

    def search_params(self) -> SearchParams | None:
        """The search the merchant came from, through a partner page too; None when it
        narrowed nothing (every partner would match)."""
        query = QueryDict(urlsplit(self.url).query)
        if self.kind == "partner":
            came_from = _back_to(query.get("back", ""))
            return came_from.search_params() if came_from.kind == "search" else None
        form = SearchForm(query)
        narrowed = form.is_valid() and (form.cleaned_data["q"] or form.active_filter_count())
        return form.params() if narrowed else None


def _back_to(raw: str) -> Back:
    """The local directory page (search or partner page, with its query) named by a `back`
    parameter, or the directory's first page: never another site (no open redirect)."""
    # The check parses first: urlsplit raises on some malformed addresses ("//[").
    if len(raw) <= 2000 and url_has_allowed_host_and_scheme(raw, allowed_hosts=None):
        parts = urlsplit(raw)
        try:
            match = None if parts.scheme or parts.netloc else resolve(parts.path)
        except Resolver404:
            match = None
        if match and match.view_name in ("directory:search", "directory:partner"):
            query = f"?{parts.query}" if parts.query else ""
            return Back(parts.path + query, match.view_name.split(":")[1])
    return Back(reverse("directory:search"), "search")


def _partner_options(request: HttpRequest, back: Back) -> list[PartnerOption]:
    """The partners the merchant came for (`?partner=`), those it ticked, and partners
    suggested like them, listed first to last."""
    wanted = request.GET.getlist("partner")[: settings.KIZUNA_LEAD_MAX_PARTNERS]
    ticked = request.POST.getlist("partners")[: settings.KIZUNA_LEAD_MAX_PARTNERS * 2]
    found = PartnerProfile.objects.select_related("organization").filter(
        organization__slug__in=[*wanted, *ticked], directory_entry__listed=True
    )
    by_slug = {partner.slug: partner for partner in found}
    came_for = [by_slug[slug] for slug in dict.fromkeys(wanted) if slug in by_slug]
    suggested_ids = (
        lead_suggested_partner_ids(
            chosen=[partner.pk for partner in came_for],
            params=back.search_params(),
            limit=LEAD_SUGGESTIONS,
        )
        if came_for
        else []
    )
    suggested = PartnerProfile.objects.select_related("organization").in_bulk(suggested_ids)
    others = [by_slug[slug] for slug in dict.fromkeys(ticked) if slug in by_slug]
    options: dict[str, PartnerOption] = {}
    for partner, is_suggested in [
        *((partner, False) for partner in came_for),
        *((suggested[pk], True) for pk in suggested_ids if pk in suggested),
        *((partner, True) for partner in others),
    ]:
        options.setdefault(
            partner.slug,
            PartnerOption(
                slug=partner.slug,
                name=partner.name,
                budget_min=partner.budget_min,
                prefecture=partner.get_head_office_prefecture_display(),
                suggested=is_suggested,
            ),
        )
    return list(options.values())


def _rate_limited(request: HttpRequest, email: str) -> int:
    """Seconds to wait if this IP or this email sent too many requests lately, else 0."""
    per_ip = ratelimit.Limit(settings.KIZUNA_LEADS_PER_HOUR_PER_IP, 3600)
    per_email = ratelimit.Limit(settings.KIZUNA_LEADS_PER_HOUR_PER_EMAIL, 3600)
    for key, limit in (
        (f"lead-form:ip:{client_ip(request)}", per_ip),
        (f"lead-form:email:{email.strip().lower()}", per_email),
    ):
        decision = ratelimit.consume(key, limit)
        if not decision.allowed:
            return decision.retry_after_s
    return 0


def lead_new(request: HttpRequest) -> HttpResponse:
    """The lead form, for signed-in merchants and for visitors (who confirm their email)."""
    back = _back_to(request.GET.get("back", ""))
    options = _partner_options(request, back)
    visitor = not request.user.is_authenticated
    initial: dict[str, Any] = {
        "partners": [option.slug for option in options if not option.suggested]
    }
    if not visitor:
        user = _signed_in(request)
        initial |= {"contact_email": user.email, "contact_name": user.get_full_name()}
    form = LeadForm(request.POST or None, initial=initial, partner_options=options)
    if request.method == "POST" and form.is_valid():
        if form.is_spam:
            if visitor:
                return redirect("directory:visitor_lead_sent")
            messages.success(request, _("Your request was sent."))
            return redirect("directory:requests")
        wait = _rate_limited(request, form.cleaned_data["contact_email"])
        if wait:
            form.add_error(
                None,
                _("Too many requests from you lately. Try again in %(minutes)s minutes.")
                % {"minutes": max(1, wait // 60)},
            )
        elif visitor:
            if call_service(form, lambda: _hold_visitor_lead(request, form)) is not None:
                _warn_budget_below_minimum(request, form)
                return redirect("directory:visitor_lead_sent")
        elif (lead := call_service(form, lambda: _create_lead(request, form))) is not None:
            messages.success(request, _("Your request was sent."))
            _warn_budget_below_minimum(request, form)
            return redirect("directory:request", lead.pk)
    return render(
        request,
        "directory/lead_form.html",
        {
            "form": form,
            "visitor": visitor,
            "back": back,
            "max_partners": settings.KIZUNA_LEAD_MAX_PARTNERS,
        },
    )


def _warn_budget_below_minimum(request: HttpRequest, form: LeadForm) -> None:
    """Sent all the same: say which partners usually take larger projects."""
    above = form.partners_above_budget()
    if above:
        messages.warning(
            request,
            _(
                "Your budget is below the minimum that %(partners)s usually take on: "
                "they may decline or suggest a smaller scope."
            )
            % {"partners": pgettext("list separator", ", ").join(option.name for option in above)},
        )


def _hold_visitor_lead(request: HttpRequest, form: LeadForm) -> VisitorLead:
    data = form.cleaned_data
    return visitors.visitor_lead_submit(
        request={name: data[name] for name in visitors.FIELDS},
        site_type=data["site_type"],
        services=list(data["services"]),
        partner_slugs=data["partners"],
        language=request.LANGUAGE_CODE,
    )


def visitor_lead_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/visitor_lead_sent.html")


def visitor_lead_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST spends the link: mail scanners that open links send nothing."""
    verification = email_verification_find(token=token, purpose=VerificationPurpose.LEAD)
    if verification is None:
        return render(request, "directory/visitor_lead_verify.html", {"valid": False}, status=410)
    if request.method == "POST":
        visitors.visitor_lead_verify(verification=verification)
        return render(request, "directory/visitor_lead_verify.html", {"done": True})
    return render(
        request,
        "directory/visitor_lead_verify.html",
        {"valid": True, "email": verification.email, "held": verification.visitor_lead},
    )


def _create_lead(request: HttpRequest, form: LeadForm) -> Lead:
    data = form.cleaned_data
    partners = list(
        PartnerProfile.objects.select_related("organization").filter(
            organization__slug__in=data["partners"]
        )
    )
    return leads.lead_create(
        merchant=request.user,
        partners=partners,
        **{name: data[name] for name in form.Meta.fields},
    )


@login_required
def requests_list(request: HttpRequest) -> HttpResponse:
    own = selectors.leads_visible_to(request.user).filter(merchant=_signed_in(request))
    return render(request, "directory/requests.html", {"leads": own})


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_of_merchant(request.user, pk)
    if lead is None:
        raise Http404
    return render(
        request,
        "directory/request_detail.html",
        {
            "lead": lead,
            "slots": list(lead.assignments.all()),
            "review_form": ReviewForm(),
            "is_merchant": permissions.is_lead_merchant(request.user, lead),
        },
    )


def _own_slot(request: HttpRequest, pk: int) -> Assignment:
    slot = get_object_or_404(
        Assignment.objects.select_related("lead__merchant", "partner__organization"), pk=pk
    )
    if not permissions.is_lead_merchant(request.user, slot.lead):
        raise PermissionDenied
    return slot


@login_required
@require_POST
def slot_complete(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _own_slot(request, pk)
    try:
        leads.lead_complete(actor=request.user, assignment=slot)
        messages.success(request, _("Marked as done. You can now review the partner."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("directory:request", slot.lead_id)


@login_required
@require_POST
def slot_review(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _own_slot(request, pk)
    form = ReviewForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form,
            lambda: reviews.review_publish(
                actor=request.user,
                assignment=slot,
                rating=form.cleaned_data["rating"],
                text=form.cleaned_data["text"],
            ),
        )
        is not None
    ):
        messages.success(request, _("Thank you: your review is published."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("directory:request", slot.lead_id)


# Partners: the lead inbox


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    partner = partner_selectors.partner_of_user(request.user)
    if partner is None:
        raise PermissionDenied
    preferences = LeadPreferences.objects.filter(partner=partner).first()
    return render(
        request,
        "directory/inbox.html",
        {
            "partner": partner,
            "slots": selectors.inbox_of(request.user),
            "preferences_form": PreferencesForm(
                initial={"works_remotely": preferences.works_remotely if preferences else False}
            ),
            "can_manage": permissions.can_manage_partner_leads(request.user, partner),
        },
    )


@login_required
@require_POST
def inbox_preferences(request: HttpRequest) -> HttpResponse:
    partner = partner_selectors.partner_of_user(request.user)
    if partner is None:
        raise PermissionDenied
    form = PreferencesForm(request.POST)
    form.is_valid()
    leads.lead_preferences_set(
        actor=request.user, partner=partner, works_remotely=form.cleaned_data["works_remotely"]
    )
    messages.success(request, _("Saved."))
    return redirect("directory:inbox")


def _inbox_slot(request: HttpRequest, pk: int) -> Assignment:
    slot = selectors.inbox_of(request.user).filter(pk=pk).first()
    if slot is None:
        raise Http404
    return slot


@login_required
def inbox_item(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _inbox_slot(request, pk)
    if slot.guild_invitation:
        return redirect("directory:guild", slot.guild_membership.proposal_id)
    form = DeclineForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                leads.lead_accept(actor=request.user, assignment=slot)
                messages.success(
                    request, _("Accepted. The merchant's contact details are shown below.")
                )
                return redirect("directory:inbox_item", slot.pk)
            if form.is_valid():
                leads.lead_decline(
                    actor=request.user, assignment=slot, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Declined. The merchant was told."))
                return redirect("directory:inbox")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("directory:inbox_item", slot.pk)
    review = Review.objects.filter(assignment=slot).first()
    return render(
        request,
        "directory/inbox_item.html",
        {
            "slot": slot,
            "lead": slot.lead,
            "form": form,
            "review": review,
            "guild": JointProposal.objects.filter(initiator=slot).first(),
            "guild_form": GuildForm(),
        },
    )


# Guilds: joint proposals on a lead


@login_required
@require_POST
def guild_new(request: HttpRequest, pk: int) -> HttpResponse:
    slot = _inbox_slot(request, pk)
    form = GuildForm(request.POST)
    if form.is_valid():
        proposal = call_service(
            form,
            lambda: guilds.guild_create(
                actor=request.user,
                assignment=slot,
                role=form.cleaned_data["role"],
                scope=form.cleaned_data["scope"],
            ),
        )
        if proposal is not None:
            messages.success(request, _("Your guild is formed. Invite the partners you need."))
            return redirect("directory:guild", proposal.pk)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("directory:inbox_item", slot.pk)


def _visible_proposal(request: HttpRequest, pk: int) -> JointProposal:
    proposal = selectors.proposal_visible_to(request.user, pk)
    if proposal is None:
        raise Http404
    return proposal


def _suggestions(proposal: JointProposal) -> list[Any]:
    taken = list(proposal.lead.assignments.values_list("partner_id", flat=True))
    ids = guild_suggested_partner_ids(
        proposal.lead, initiator_id=proposal.initiator.partner_id, exclude=taken, limit=5
    )
    entries = DirectoryEntry.objects.select_related("partner__organization").in_bulk(ids)
    badges = entry_badges(ids)
    return [(entries[pk], badges[pk]) for pk in ids if pk in entries]


@login_required
def guild(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    user = request.user
    leading = permissions.can_lead_guild(user, proposal.initiator)
    mine = permissions.guild_partner_of(user, proposal)
    members = selectors.proposal_members(proposal)
    my_slot = next((m.assignment for m in members if m.assignment.partner_id == mine), None)
    forming = proposal.status == ProposalStatus.FORMING
    invited = sum(1 for m in members if m.assignment.guild_invitation)
    can_thread = permissions.can_use_thread(user, proposal)
    return render(
        request,
        "directory/guild.html",
        {
            "proposal": proposal,
            "lead": proposal.lead,
            "members": members,
            "my_slot": my_slot,
            "leading": leading,
            "is_merchant": permissions.can_decide_proposal(user, proposal),
            "can_invite": leading and forming and invited < guilds.MAX_INVITED,
            "suggestions": _suggestions(proposal) if leading and forming else [],
            "invite_form": GuildInviteForm(),
            "propose_form": ProposeForm(),
            "decline_form": DeclineForm(),
            "review_form": ReviewForm(),
            "can_thread": can_thread,
            "thread": selectors.proposal_messages(proposal) if can_thread else [],
            "message_form": GuildMessageForm(),
            "reviewed": any(hasattr(m.assignment, "review") for m in members),
            "done": any(m.assignment.status == AssignmentStatus.COMPLETED for m in members),
        },
    )


def _after(request: HttpRequest, proposal: JointProposal, call: Any, success: str) -> HttpResponse:
    try:
        call()
        messages.success(request, success)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("directory:guild", proposal.pk)


@login_required
@require_POST
def guild_invite(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    form = GuildInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("directory:guild", proposal.pk)
    partner = get_object_or_404(PartnerProfile, organization__slug=form.cleaned_data["partner"])
    return _after(
        request,
        proposal,
        lambda: guilds.guild_invite(
            actor=request.user,
            proposal=proposal,
            partner=partner,
            role=form.cleaned_data["role"],
            scope=form.cleaned_data["scope"],
        ),
        _("Invitation sent to %(partner)s.") % {"partner": partner.name},
    )


@login_required
@require_POST
def guild_answer(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    mine = permissions.guild_partner_of(request.user, proposal)
    slot = proposal.members.filter(
        assignment__partner_id=mine, assignment__guild_invitation=True
    ).first()
    if slot is None:
        raise PermissionDenied
    if request.POST.get("action") == "accept":
        return _after(
            request,
            proposal,
            lambda: leads.lead_accept(actor=request.user, assignment=slot.assignment),
            _("You joined the guild."),
        )
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _after(
        request,
        proposal,
        lambda: leads.lead_decline(actor=request.user, assignment=slot.assignment, reason=reason),
        _("You declined the invitation."),
    )
    return redirect("directory:inbox")


@login_required
@require_POST
def guild_propose(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    form = ProposeForm(request.POST)
    pitch = form.cleaned_data["pitch"] if form.is_valid() else ""
    return _after(
        request,
        proposal,
        lambda: guilds.guild_propose(actor=request.user, proposal=proposal, pitch=pitch),
        _("Your joint proposal was sent to the merchant."),
    )


@login_required
@require_POST
def guild_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    if request.POST.get("action") == "accept":
        return _after(
            request,
            proposal,
            lambda: guilds.guild_proposal_accept(actor=request.user, proposal=proposal),
            _("You accepted the joint proposal. Every member now sees your contact details."),
        )
    return _after(
        request,
        proposal,
        lambda: guilds.guild_proposal_decline(actor=request.user, proposal=proposal),
        _("You declined the joint proposal."),
    )


@login_required
@require_POST
def guild_complete(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    return _after(
        request,
        proposal,
        lambda: guilds.guild_complete(actor=request.user, proposal=proposal),
        _("Marked as done. You can now review the guild."),
    )


@login_required
@require_POST
def guild_review(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("directory:guild", proposal.pk)
    return _after(
        request,
        proposal,
        lambda: guilds.guild_review_publish(
            actor=request.user,
            proposal=proposal,
            rating=form.cleaned_data["rating"],
            text=form.cleaned_data["text"],
        ),
        _("Thank you: your review is published for every member."),
    )


@login_required
@require_POST
def guild_message(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _visible_proposal(request, pk)
    if not permissions.can_use_thread(request.user, proposal):
        raise Http404
    form = GuildMessageForm(request.POST)
    text = form.cleaned_data["text"] if form.is_valid() else ""
    return _after(
        request,
        proposal,
        lambda: guilds.guild_message_post(actor=request.user, proposal=proposal, text=text),
        _("Message posted."),
    )


# The collaboration board (partners only)


def _board_partner(request: HttpRequest) -> PartnerProfile:
    partner = partner_selectors.partner_of_user(request.user)
    if partner is None:
        raise PermissionDenied
    return partner


@login_required
def board_list(request: HttpRequest) -> HttpResponse:
    partner = _board_partner(request)
    open_posts = selectors.open_help_posts().exclude(partner=partner)
    return render(
        request,
        "directory/board.html",
        {
            "partner": partner,
            "posts": [(post, board.matches(post, partner)) for post in open_posts[:100]],
            "own_posts": selectors.help_posts_of(partner),
        },
    )


@login_required
def board_new(request: HttpRequest) -> HttpResponse:
    partner = _board_partner(request)
    form = HelpPostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        post = call_service(
            form,
            lambda: board.help_post_create(
                actor=request.user,
                partner=partner,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                badges=list(form.cleaned_data["badges"]),
                prefecture=form.cleaned_data["prefecture"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                expires_on=form.cleaned_data["expires_on"],
            ),
        )
        if post is not None:
            messages.success(request, _("Your post is on the board."))
            return redirect("directory:board_post", post.pk)
    return render(request, "directory/board_new.html", {"form": form})


@login_required
def board_post(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _board_partner(request)
    post = get_object_or_404(
        HelpPost.objects.select_related("partner__organization", "author"), pk=pk
    )
    own = post.partner_id == partner.pk
    mine = HelpAnswer.objects.filter(post=post, partner=partner).first()
    if not own and mine is None and not board.is_open(post):
        raise Http404
    form = HelpAnswerForm(request.POST or None)
    if request.method == "POST" and not own and form.is_valid():
        answer = call_service(
            form,
            lambda: board.help_answer_create(
                actor=request.user, post=post, partner=partner, message=form.cleaned_data["message"]
            ),
        )
        if answer is not None:
            messages.success(request, _("Your answer was sent privately to the poster."))
            return redirect("directory:board_post", post.pk)
    answers = post.answers.select_related("partner__organization", "author") if own else []
    return render(
        request,
        "directory/board_post.html",
        {
            "post": post,
            "own": own,
            "answers": answers,
            "mine": mine,
            "can_answer": not own and mine is None and board.is_open(post),
            "matches": board.matches(post, partner),
            "form": form,
            "is_open": board.is_open(post),
        },
    )


@login_required
@require_POST
def board_agree(request: HttpRequest, pk: int) -> HttpResponse:
    answer = get_object_or_404(HelpAnswer.objects.select_related("post__partner"), pk=pk)
    if not permissions.is_partner_member(request.user, answer.post.partner):
        raise Http404
    try:
        board.help_answer_agree(actor=request.user, answer=answer)
        messages.success(request, _("You agreed: you now see each other's contact."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("directory:board_post", answer.post_id)


@login_required
@require_POST
def board_close(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(HelpPost.objects.select_related("partner__organization"), pk=pk)
    if not permissions.is_partner_member(request.user, post.partner):
        raise Http404
    try:
        board.help_post_close(actor=request.user, post=post)
        messages.success(request, _("The post is closed."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("directory:board_post", post.pk)


# Staff


def _require_staff(request: HttpRequest) -> None:
    if not permissions.is_staff(request.user):
        raise PermissionDenied


LEAD_COLUMNS = [
    "id", "created_at", "products", "site_type", "budget", "timeline", "prefecture", "routing",
    "contact_name", "contact_email", "contact_phone", "message", "partners",
]  # fmt: skip


def _lead_rows(leads: Any) -> Any:
    for lead in leads.select_related("site_type").prefetch_related(
        "assignments__partner__organization"
    ):
        yield [
            lead.pk, lead.created_at, lead.products, str(lead.site_type or ""), lead.budget,
            lead.timeline, lead.prefecture, lead.routing, lead.contact_name, lead.contact_email,
            lead.contact_phone, lead.message,
            " / ".join(f"{a.partner.organization.name}: {a.status}"
                       for a in lead.assignments.all()),
        ]  # fmt: skip


@login_required
def staff_leads(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    status = request.GET.get("status", "")
    all_leads = selectors.leads_visible_to(request.user)
    if status in AssignmentStatus.values:
        all_leads = all_leads.filter(assignments__status=status).distinct()
    if requested_format(request):
        return export_response(
            request, filename="leads", header=LEAD_COLUMNS, rows=_lead_rows(all_leads)
        )
    return render(
        request,
        "directory/staff_leads.html",
        {"leads": all_leads[:200], "statuses": AssignmentStatus.choices, "status": status},
    )


@login_required
def staff_reviews(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return render(
        request,
        "directory/staff_reviews.html",
        {"reviews": selectors.recent_reviews_for_moderation()[:200], "form": HideForm()},
    )


@login_required
@require_POST
def staff_review_hide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    review = get_object_or_404(Review, pk=pk)
    form = HideForm(request.POST)
    if (
        form.is_valid()
        and call_service(
            form,
            lambda: reviews.review_hide(
                actor=request.user, review=review, reason=form.cleaned_data["reason"]
            ),
        )
        is not None
    ):
        messages.success(request, _("The review is hidden."))
    else:
        messages.error(request, _("Give the reason for hiding the review."))
    return redirect("directory:staff_reviews")
