"""The directory: a search index row per listed partner, leads routed to partners, reviews.

The index (DirectoryEntry and its badge and prefecture rows) is derived data, rebuilt from
the partner program by services.index; nothing about a partner's fee is ever stored here.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kizuna.core.prefectures import PREFECTURE_CHOICES
from kizuna.partners.models import Badge, PartnerProfile


class DirectoryEntry(models.Model):
    """What search and ranking need about one partner, so a query is one indexed scan.

    Kept narrow (the long text lives in EntryText) so that ranking and facet counts read
    a few pages per thousand partners.
    """

    # The partner's id. An INTEGER PRIMARY KEY is SQLite's rowid itself, so the many
    # lookups by id that a search makes go straight to the row.
    id = models.IntegerField(_("ID"), primary_key=True)
    partner = models.OneToOneField(
        PartnerProfile,
        on_delete=models.CASCADE,
        related_name="directory_entry",
        verbose_name=_("partner"),
    )
    # False while the partner is suspended (billing's partner.suspended event).
    listed = models.BooleanField(_("listed"), default=True)
    languages = models.CharField(
        _("languages"), max_length=100, blank=True
    )  # " ja en ", for LIKE " ja "
    budget_min = models.PositiveIntegerField(_("minimum budget"), null=True, blank=True)
    accepting = models.BooleanField(_("accepting"), default=True)
    rank_level = models.PositiveSmallIntegerField(
        _("rank level"), default=0
    )  # 0 member .. 4 platinum
    stale = models.BooleanField(_("stale"), default=False)
    owner_reviewed_at = models.DateTimeField(_("owner reviewed at"), null=True, blank=True)
    verified_count = models.PositiveIntegerField(_("verified count"), default=0)
    last_verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    median_response_hours = models.FloatField(_("median response hours"), null=True, blank=True)
    acceptance_rate = models.FloatField(_("acceptance rate"), null=True, blank=True)
    answered_leads = models.PositiveIntegerField(_("answered leads"), default=0)
    review_count = models.PositiveIntegerField(_("review count"), default=0)
    review_average = models.FloatField(_("review average"), null=True, blank=True)
    # Query-independent part of the score (integer points, see services.ranking).
    evidence_points = models.IntegerField(_("evidence points"), default=0)
    base_points = models.IntegerField(_("base points"), default=0)
    indexed_at = models.DateTimeField(_("indexed at"), auto_now=True)
    # normalize_ja of name, kana and summary: a term found here is the more relevant match.
    headline_text = models.TextField(_("headline text"), blank=True)

    class Meta:
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")
        indexes = [models.Index(fields=["listed", "base_points"])]

    def __str__(self) -> str:
        return str(self.pk)


class IndexState(models.Model):
    """One row: a token that changes with every write to the index (see directory.snapshot).

    A random token, not a counter: a rolled-back transaction restores an older value, and a
    counter would then repeat a number that a process already cached other data under.
    """

    id = models.PositiveSmallIntegerField(_("ID"), primary_key=True, default=1)
    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("index state")
        verbose_name_plural = _("index states")

    def __str__(self) -> str:
        return self.token


class EntryText(models.Model):
    """The searched text of an entry: the content of the full-text index."""

    entry = models.OneToOneField(
        DirectoryEntry,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="text",
        verbose_name=_("entry"),
    )
    # normalize_ja of name, kana, summaries, descriptions and published verified summaries.
    search_text = models.TextField(_("search text"), blank=True)

    class Meta:
        verbose_name = _("entry text")
        verbose_name_plural = _("entry texts")

    def __str__(self) -> str:
        return str(self.entry_id)


class EntryBadge(models.Model):
    """An active badge of a listed partner, with the evidence behind it."""

    entry = models.ForeignKey(
        DirectoryEntry, on_delete=models.CASCADE, related_name="badges", verbose_name=_("entry")
    )
    badge = models.ForeignKey(
        Badge, on_delete=models.CASCADE, related_name="+", verbose_name=_("badge")
    )
    code = models.SlugField(_("code"), max_length=50)
    family = models.CharField(_("family"), max_length=16)
    level = models.PositiveSmallIntegerField(_("level"))
    evidence_count = models.PositiveIntegerField(_("evidence count"))
    last_verified_at = models.DateTimeField(_("last verified at"), null=True)
    points = models.IntegerField(_("points"), default=0)

    class Meta:
        verbose_name = _("entry badge")
        verbose_name_plural = _("entry badges")
        constraints = [
            models.UniqueConstraint(fields=["entry", "badge"], name="one_entry_badge_per_badge")
        ]
        # Covers the evidence subquery of the ranking (entry, code -> points).
        indexes = [models.Index(fields=["entry", "code", "points"])]
        ordering = ["family", "-level", "code"]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.code}"


class EntryFacet(models.Model):
    """One facet value of an entry, as one integer (see search.FacetKeys): a work or
    site-type badge, a prefecture served, the contribution rank.

    One narrow table of integers for every facet, so that the counts of all facets are one
    GROUP BY over small keys.
    """

    entry = models.ForeignKey(
        DirectoryEntry,
        on_delete=models.CASCADE,
        related_name="facet_values",
        verbose_name=_("entry"),
    )
    key = models.IntegerField(_("key"))

    class Meta:
        verbose_name = _("entry facet")
        verbose_name_plural = _("entry facets")
        constraints = [models.UniqueConstraint(fields=["entry", "key"], name="one_entry_facet_key")]
        indexes = [models.Index(fields=["key", "entry"])]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.key}"


class SearchSynonym(models.Model):
    """A word merchants type for a badge (サブスク for 定期販売): a keyword search reads it as
    that badge, as it reads the badge's own names. Staff keep the list (directory.vocabulary)."""

    term = models.CharField(_("word"), max_length=100)
    badge = models.ForeignKey(
        Badge, on_delete=models.CASCADE, related_name="search_synonyms", verbose_name=_("badge")
    )

    class Meta:
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")
        ordering = ["badge__family", "badge__position", "term"]
        constraints = [
            models.UniqueConstraint(fields=["term", "badge"], name="one_search_synonym_per_badge")
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.badge}"


class Suspension(models.Model):
    """A partner hidden from the directory by billing; kept here so a rebuild respects it."""

    organization_id = models.BigIntegerField(_("organization ID"), primary_key=True)
    since = models.DateTimeField(_("suspended since"), auto_now_add=True)

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")

    def __str__(self) -> str:
        return str(self.organization_id)


class LeadPreferences(models.Model):
    """How a partner takes leads; only what the partner profile does not say already."""

    partner = models.OneToOneField(
        PartnerProfile,
        on_delete=models.CASCADE,
        related_name="lead_preferences",
        verbose_name=_("partner"),
    )
    works_remotely = models.BooleanField(_("works remotely with clients anywhere"), default=False)

    class Meta:
        verbose_name = _("lead preferences")
        verbose_name_plural = _("lead preferences")

    def __str__(self) -> str:
        return str(self.partner_id)


class Timeline(models.TextChoices):
    ASAP = "asap", _("As soon as possible")
    QUARTER = "quarter", _("Within 3 months")
    HALF_YEAR = "half_year", _("Within 6 months")
    UNDECIDED = "undecided", _("Not decided yet")


class LeadRouting(models.TextChoices):
    PICKED = "picked", _("Partners chosen by the merchant")
    RECOMMENDED = "recommended", _("Recommended by the directory")


class Lead(models.Model):
    """A merchant's project description, sent to up to three partners."""

    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="leads",
        verbose_name=_("merchant"),
    )
    products = models.CharField(_("what you sell"), max_length=200)
    site_type = models.ForeignKey(
        Badge,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("site type"),
    )
    services = models.ManyToManyField(Badge, related_name="+", verbose_name=_("services needed"))
    budget = models.PositiveIntegerField(_("budget (yen)"))
    timeline = models.CharField(_("timeline"), max_length=16, choices=Timeline.choices)
    prefecture = models.CharField(_("prefecture"), max_length=2, choices=PREFECTURE_CHOICES)
    message = models.TextField(_("about the project"))
    contact_name = models.CharField(_("your name"), max_length=150)
    contact_email = models.EmailField(_("your email"))
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    routing = models.CharField(_("routing"), max_length=16, choices=LeadRouting.choices)
    wanted_partners = models.PositiveSmallIntegerField(_("wanted partners"), default=3)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.products}"


class AssignmentStatus(models.TextChoices):
    OFFERED = "offered", _("Waiting for the partner")
    ACCEPTED = "accepted", pgettext_lazy("lead", "Accepted")
    DECLINED = "declined", pgettext_lazy("lead", "Declined")
    EXPIRED = "expired", _("Expired")
    COMPLETED = "completed", pgettext_lazy("lead", "Completed")


class DeclineReason(models.TextChoices):
    BUSY = "busy", _("No capacity at the moment")
    BUDGET = "budget", _("Budget does not fit")
    SCOPE = "scope", _("Outside our services")
    REGION = "region", _("Cannot cover the region")
    OTHER = "other", _("Other")


class Assignment(models.Model):
    """One partner's slot on a lead: offered, then accepted/declined/expired, then done."""

    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("lead")
    )
    partner = models.ForeignKey(
        PartnerProfile,
        on_delete=models.CASCADE,
        related_name="lead_assignments",
        verbose_name=_("partner"),
    )
    recommended = models.BooleanField(_("recommended"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.OFFERED,
        db_index=True,
    )
    decline_reason = models.CharField(
        _("reason"), max_length=16, choices=DeclineReason.choices, blank=True
    )
    offered_at = models.DateTimeField(_("offered at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responded by"),
    )
    # A slot offered by a partner inviting another into its joint proposal (see JointProposal),
    # not by the merchant: its contact stays hidden until the merchant accepts the proposal.
    guild_invitation = models.BooleanField(_("guild invitation"), default=False)

    class Meta:
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        ordering = ["-offered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "partner"], name="one_assignment_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} -> {self.partner_id} ({self.status})"

    @property
    def contact_visible(self) -> bool:
        """The merchant's contact details are the partner's only once it accepted, and an
        invited guild member's only once the merchant accepted the joint proposal."""
        if self.status not in (AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED):
            return False
        if self.guild_invitation:
            return self.guild_membership.proposal.status == ProposalStatus.ACCEPTED
        return True


class Review(models.Model):
    """A merchant's verified review of a completed engagement: one per assignment."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="review", verbose_name=_("assignment")
    )
    partner = models.ForeignKey(
        PartnerProfile, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("partner")
    )
    merchant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("merchant"),
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(_("review"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.rating}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ProposalStatus(models.TextChoices):
    FORMING = "forming", _("Forming: partners invited")
    PROPOSED = "proposed", _("Sent to the merchant")
    ACCEPTED = "accepted", pgettext_lazy("proposal", "Accepted by the merchant")
    DECLINED = "declined", pgettext_lazy("proposal", "Declined by the merchant")


class JointProposal(models.Model):
    """A guild: the partner that accepted a lead and the partners it invited, proposing the
    project together. The merchant accepts or declines it as a whole.

    Every member holds its own slot (Assignment) on the lead, so its answers count in its
    own responsiveness and the merchant's review is stored per member's slot.
    """

    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="joint_proposals", verbose_name=_("lead")
    )
    initiator = models.OneToOneField(
        Assignment,
        on_delete=models.CASCADE,
        related_name="led_proposal",
        verbose_name=_("initiator"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ProposalStatus.choices,
        default=ProposalStatus.FORMING,
        db_index=True,
    )
    pitch = models.TextField(_("message to the merchant"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("joint proposal")
        verbose_name_plural = _("joint proposals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lead_id} guild {self.pk} ({self.status})"


class GuildMember(models.Model):
    """One partner of a joint proposal, with its role and scope; its slot says whether it
    joined (accepted), declined, or let the invitation expire."""

    proposal = models.ForeignKey(
        JointProposal, on_delete=models.CASCADE, related_name="members", verbose_name=_("proposal")
    )
    assignment = models.OneToOneField(
        Assignment,
        on_delete=models.CASCADE,
        related_name="guild_membership",
        verbose_name=_("assignment"),
    )
    role = models.CharField(_("role"), max_length=80)
    scope = models.TextField(_("scope of work"), blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("guild member")
        verbose_name_plural = _("guild members")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.assignment_id} {self.role}"


class GuildMessage(models.Model):
    """A message of the guild's private thread: read by its members only."""

    proposal = models.ForeignKey(
        JointProposal, on_delete=models.CASCADE, related_name="messages", verbose_name=_("proposal")
    )
    partner = models.ForeignKey(
        PartnerProfile, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("guild message")
        verbose_name_plural = _("guild messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.author_id}"


class HelpPostStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("help post", "Open")
    CLOSED = "closed", pgettext_lazy("help post", "Closed")


class HelpPost(models.Model):
    """The collaboration board: a partner says what help it looks for. Partners whose
    evidence matches answer privately; contacts are exchanged only once both agree."""

    partner = models.ForeignKey(
        PartnerProfile,
        on_delete=models.CASCADE,
        related_name="help_posts",
        verbose_name=_("partner"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("what you need"))
    badges = models.ManyToManyField(Badge, related_name="+", verbose_name=_("skills wanted"))
    prefecture = models.CharField(
        _("prefecture"), max_length=2, choices=PREFECTURE_CHOICES, blank=True
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    expires_on = models.DateField(_("answers accepted until"))
    status = models.CharField(
        _("status"), max_length=8, choices=HelpPostStatus.choices, default=HelpPostStatus.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("collaboration post")
        verbose_name_plural = _("collaboration posts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_on"])]

    def __str__(self) -> str:
        return self.title


class HelpAnswer(models.Model):
    """A partner's private answer to a post. Answering is the answerer's agreement to share
    its contact; the poster's agreement completes the exchange."""

    post = models.ForeignKey(
        HelpPost, on_delete=models.CASCADE, related_name="answers", verbose_name=_("post")
    )
    partner = models.ForeignKey(
        PartnerProfile, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("author"),
    )
    message = models.TextField(_("your answer"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    poster_agreed_at = models.DateTimeField(_("poster agreed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("help answer")
        verbose_name_plural = _("help answers")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "partner"], name="one_help_answer_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.partner_id}"

    @property
    def contacts_shared(self) -> bool:
        return self.poster_agreed_at is not None


class VisitorLead(models.Model):
    """A request sent without an account, held until its sender follows the emailed link.

    No Lead exists until then, so no partner sees it or hears of it.
    """

    email = models.EmailField(_("your email"))
    # The lead form's cleaned fields, with badges and partners by id/slug.
    request = models.JSONField(_("request"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    verification = models.OneToOneField(
        "accounts.EmailVerification",
        on_delete=models.CASCADE,
        related_name="visitor_lead",
        verbose_name=_("verification"),
    )
    lead = models.OneToOneField(
        Lead,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visitor_request",
        verbose_name=_("lead"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("request waiting for email confirmation")
        verbose_name_plural = _("requests waiting for email confirmation")

    def __str__(self) -> str:
        return f"{self.email} ({self.created_at:%Y-%m-%d})"
