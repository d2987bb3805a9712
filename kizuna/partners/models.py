import hashlib
from typing import Any

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import Organization
from kizuna.core.images import validate_image
from kizuna.core.prefectures import PREFECTURE_CHOICES


class BilingualName(models.Model):
    """A catalog entry with a Japanese and an English name, shown in the reader's language."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ja").startswith("en") else self.name_ja


def versioned_url(path: str, file_name: str | None) -> str:
    """The address of a served image, changing with the file (each upload is stored under
    a new name), so that browsers may keep the image as long as the address lasts."""
    version = hashlib.sha256((file_name or "").encode()).hexdigest()[:12]
    return f"{path}?v={version}"


class Rank(models.TextChoices):
    """In ascending order; the thresholds are settings (KIZUNA_RANK_THRESHOLDS)."""

    MEMBER = "member", _("Member")
    BRONZE = "bronze", _("Bronze")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class PartnerProfile(models.Model):
    """The public face of a partner organization, plus its private contact person."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="partner_profile",
        verbose_name=_("organization"),
    )
    external_id = models.CharField(
        _("external ID"), max_length=100, unique=True, null=True, blank=True
    )
    name_kana = models.CharField(_("name reading (kana)"), max_length=200, blank=True)
    logo = models.FileField(
        _("logo"),
        upload_to="partners/logos/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"]), validate_image],
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    website = models.URLField(_("website"), blank=True)
    head_office_prefecture = models.CharField(
        _("head office prefecture"), max_length=2, choices=PREFECTURE_CHOICES, blank=True
    )
    service_prefectures = models.JSONField(_("prefectures served"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    team_size = models.PositiveIntegerField(_("team size"), null=True, blank=True)
    budget_min = models.PositiveIntegerField(_("minimum budget (yen)"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(_("maximum budget (yen)"), null=True, blank=True)
    accepting_new_clients = models.BooleanField(_("accepting new clients"), default=True)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    owner_reviewed_at = models.DateTimeField(_("last reviewed by owner"))
    stale_since = models.DateTimeField(_("stale since"), null=True, blank=True, db_index=True)
    rank = models.CharField(_("rank"), max_length=16, choices=Rank.choices, default=Rank.MEMBER)
    rank_points = models.PositiveIntegerField(_("points in the last 12 months"), default=0)
    # Set when a review found the points below the current rank; demotion waits for the grace.
    demotion_noticed_at = models.DateTimeField(_("demotion noticed at"), null=True, blank=True)
    # 注力分野: the badges the partner wants more work in. Stated, never evidence: it is not
    # shown as a badge, does not count for ranking in search, and only leans recommendations.
    focus_badges: "models.ManyToManyField[Badge, Any]" = models.ManyToManyField(
        "Badge", blank=True, related_name="focused_by", verbose_name=_("focus areas")
    )
    # Set when the partner's exit from the program took effect; the directory lists it no more.
    left_program_at = models.DateTimeField(_("left the program"), null=True, blank=True)
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("partner profile")
        verbose_name_plural = _("partner profiles")
        ordering = ["organization__name"]

    def __str__(self) -> str:
        return self.organization.name

    @property
    def name(self) -> str:
        return self.organization.name

    @property
    def slug(self) -> str:
        return self.organization.slug

    @property
    def is_stale(self) -> bool:
        return self.stale_since is not None

    @property
    def logo_url(self) -> str:
        return versioned_url(reverse("partners:logo", args=[self.slug]), self.logo.name)


class BadgeFamily(models.TextChoices):
    WORK = "work", _("Work")
    SITE_TYPE = "site_type", _("Site type")


class Badge(BilingualName):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    family = models.CharField(_("family"), max_length=16, choices=BadgeFamily.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["family", "position", "code"]

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class AchievementStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    NEEDS_INFO = "needs_info", _("More information requested")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Achievement(models.Model):
    """A delivered project, private between the partner and the vendor.

    Only `public_summary` (written by the partner, shown when `summary_published`) ever
    leaves that circle; the client's name is never derived from the private fields.
    """

    partner = models.ForeignKey(
        PartnerProfile,
        on_delete=models.CASCADE,
        related_name="achievements",
        verbose_name=_("partner"),
    )
    external_id = models.CharField(
        _("external ID"), max_length=100, unique=True, null=True, blank=True
    )
    title = models.CharField(pgettext_lazy("achievement", "title"), max_length=200)
    description = models.TextField(_("description"))
    badges = models.ManyToManyField(Badge, related_name="achievements", verbose_name=_("badges"))
    industry = models.CharField(_("client industry"), max_length=100, blank=True)
    completed_on = models.DateField(_("completed on"), db_index=True)
    site_url = models.URLField(_("site URL"), blank=True)
    client_may_be_named = models.BooleanField(_("the client may be named publicly"), default=False)
    public_summary = models.TextField(_("public summary"), blank=True)
    summary_published = models.BooleanField(_("summary published"), default=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AchievementStatus.choices,
        default=AchievementStatus.SUBMITTED,
        db_index=True,
    )
    verified_at = models.DateTimeField(
        pgettext_lazy("time of verification", "verified"), null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["partner", "status", "completed_on"])]

    def __str__(self) -> str:
        return self.title


class Evidence(models.Model):
    achievement = models.ForeignKey(
        Achievement,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("achievement"),
    )
    file = models.FileField(_("file"), upload_to="partners/evidence/%Y/%m/", blank=True)
    url = models.URLField(_("link"), blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(file="", url=""), name="evidence_has_file_or_link"
            )
        ]

    def __str__(self) -> str:
        return self.url or self.file.name or ""


class WorkImage(models.Model):
    """A screenshot of the work behind a verified achievement, for the partner's public page.

    Shown only while the achievement is verified, its summary published, its client may be
    named (a screenshot names the client) and the partner chose to show the image
    (selectors.published_work_images). Stored as Kizuna re-drew it (core.images.reencoded).
    """

    achievement = models.OneToOneField(
        Achievement,
        on_delete=models.CASCADE,
        related_name="work_image",
        verbose_name=_("achievement"),
    )
    image = models.FileField(_("screenshot"), upload_to="partners/work/%Y/%m/")
    published = models.BooleanField(_("shown on the public page"), default=False)
    # The partner's order in the gallery (1 first); without one, the most recent work first.
    position = models.PositiveSmallIntegerField(_("position in the gallery"), null=True, blank=True)
    # Who changed it: the audit log.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work image")
        verbose_name_plural = _("work images")

    def __str__(self) -> str:
        return self.image.name or ""

    @property
    def url(self) -> str:
        return versioned_url(reverse("partners:work_image", args=[self.pk]), self.image.name)


class ReviewDecision(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    INFO_REQUESTED = "info_requested", _("More information requested")
    RESUBMITTED = "resubmitted", _("Resubmitted by the partner")
    IMPORTED = "imported", _("Imported from the previous program")


class AchievementReview(models.Model):
    """One step of an achievement's review, shown to the partner as its history."""

    achievement = models.ForeignKey(
        Achievement, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("achievement")
    )
    decision = models.CharField(_("decision"), max_length=16, choices=ReviewDecision.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("achievement review")
        verbose_name_plural = _("achievement reviews")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.achievement} {self.decision}"


class BadgeLevel(models.IntegerChoices):
    BADGE = 1, _("Badge")
    SILVER = 2, _("Silver")
    GOLD = 3, _("Gold")


class BadgeAward(models.Model):
    """A partner's standing on one badge, recomputed from its verified achievements."""

    partner = models.ForeignKey(
        PartnerProfile,
        on_delete=models.CASCADE,
        related_name="badge_awards",
        verbose_name=_("partner"),
    )
    badge = models.ForeignKey(
        Badge, on_delete=models.PROTECT, related_name="awards", verbose_name=_("badge")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=BadgeLevel.choices)
    evidence_count = models.PositiveIntegerField(_("verified achievements in the window"))
    last_verified_at = models.DateTimeField(_("most recent verification"), null=True)
    awarded_at = models.DateTimeField(_("awarded"))
    lapsed_at = models.DateTimeField(_("lapsed"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("awarded badge")
        verbose_name_plural = _("awarded badges")
        ordering = ["badge__family", "badge__position"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "badge"], name="one_award_per_partner_badge")
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.badge.code} {self.level}"

    @property
    def is_active(self) -> bool:
        return self.lapsed_at is None


class ContributionKind(BilingualName):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    points = models.PositiveIntegerField(_("points"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("contribution kind")
        verbose_name_plural = _("contribution kinds")
        ordering = ["position", "code"]


class Contribution(models.Model):
    """Points earned by a partner; `source` + `external_id` make recording idempotent."""

    partner = models.ForeignKey(
        PartnerProfile,
        on_delete=models.CASCADE,
        related_name="contributions",
        verbose_name=_("partner"),
    )
    kind = models.ForeignKey(
        ContributionKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind")
    )
    points = models.PositiveIntegerField(_("points"))
    occurred_on = models.DateField(_("date"), db_index=True)
    source = models.CharField(_("source"), max_length=50)
    external_id = models.CharField(_("external ID"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The community activity these points come from (source "community"); without a
    # database constraint, as the activities table has none (see community.models.Activity).
    activity = models.ForeignKey(
        "community.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
        verbose_name=_("activity"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="one_contribution_per_source_id"
            )
        ]
        indexes = [models.Index(fields=["partner", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.partner} {self.kind.code} +{self.points}"


class ActivityContributionRule(models.Model):
    """Which contribution kind an activity of affiliated people earns for their partner."""

    activity_type = models.OneToOneField(
        "community.ActivityType",
        to_field="key",
        on_delete=models.CASCADE,
        related_name="contribution_rule",
        verbose_name=_("activity type"),
    )
    kind = models.ForeignKey(
        ContributionKind,
        on_delete=models.PROTECT,
        related_name="activity_rules",
        verbose_name=_("contribution kind"),
    )
    # Empty: the kind's points from the points table.
    points = models.PositiveIntegerField(_("points (override)"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["activity_type"]
        verbose_name = _("activity contribution rule")
        verbose_name_plural = _("activity contribution rules")

    def __str__(self) -> str:
        return f"{self.activity_type_id} → {self.kind.code}"

    @property
    def effective_points(self) -> int:
        return self.kind.points if self.points is None else self.points


class RankChange(models.Model):
    partner = models.ForeignKey(
        PartnerProfile,
        on_delete=models.CASCADE,
        related_name="rank_changes",
        verbose_name=_("partner"),
    )
    from_rank = models.CharField(
        pgettext_lazy("rank change", "from"), max_length=16, choices=Rank.choices
    )
    to_rank = models.CharField(_("to"), max_length=16, choices=Rank.choices)
    points = models.PositiveIntegerField(_("points in the last 12 months"))
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("rank change")
        verbose_name_plural = _("rank changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.partner} {self.from_rank} -> {self.to_rank}"


class NominationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class EvangelistNomination(models.Model):
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    # Set when the nominee has an account (always, for a self-nomination).
    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("nominee"),
    )
    nominee_name = models.CharField(_("nominee's name"), max_length=150)
    nominee_email = models.EmailField(_("nominee's email"))
    statement = models.TextField(_("statement"))
    links = models.JSONField(_("links"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NominationStatus.choices,
        default=NominationStatus.PENDING,
        db_index=True,
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evangelist nomination")
        verbose_name_plural = _("evangelist nominations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.nominee_name

    @property
    def is_self_nomination(self) -> bool:
        return self.nominee_id is not None and self.nominee_id == self.nominated_by_id


class Evangelist(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evangelist_terms",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    bio = models.TextField(_("profile"), blank=True)
    links = models.JSONField(_("links"), default=list, blank=True)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"))
    nomination = models.OneToOneField(
        EvangelistNomination,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evangelist",
        verbose_name=_("nomination"),
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("appointed by"),
    )
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evangelist")
        verbose_name_plural = _("evangelists")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")),
                name="evangelist_term_order",
            )
        ]

    def __str__(self) -> str:
        return self.name


class EvangelistWorkKind(models.TextChoices):
    TALK = "talk", _("Talk")
    ARTICLE = "article", _("Article")


class EvangelistWork(models.Model):
    evangelist = models.ForeignKey(
        Evangelist, on_delete=models.CASCADE, related_name="works", verbose_name=_("evangelist")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EvangelistWorkKind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    published_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("evangelist work")
        verbose_name_plural = _("evangelist works")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class EvangelistRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for staff")
    ROUTED = "routed", _("Asked an evangelist")
    ACCEPTED = "accepted", _("Accepted by the evangelist")
    DECLINED = "declined", _("Declined by the evangelist")


class EvangelistRequest(models.Model):
    """A user group asking for an evangelist at its event; staff route it to one."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    group_name = models.CharField(_("user group"), max_length=150)
    event_title = models.CharField(_("event"), max_length=200)
    event_date = models.DateField(_("event date"))
    location = models.CharField(_("place (or online)"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=EvangelistRequestStatus.choices,
        default=EvangelistRequestStatus.OPEN,
        db_index=True,
    )
    evangelist = models.ForeignKey(
        Evangelist,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
        verbose_name=_("evangelist"),
    )
    response_note = models.TextField(_("reply"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evangelist request")
        verbose_name_plural = _("evangelist requests")
        ordering = ["event_date", "id"]

    def __str__(self) -> str:
        return f"{self.group_name}: {self.event_title}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    INFO_REQUESTED = "info_requested", _("More information requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PartnerApplication(models.Model):
    """A company asking to join the partner program, before it has any account here.

    The applicant reaches it through a signed link (partners.applications.status_token);
    approval creates the organization, its owner's account, the profile and the billing.
    """

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )
    company_name = models.CharField(_("company name"), max_length=200)
    company_kana = models.CharField(_("company name reading (kana)"), max_length=200)
    registration_number = models.CharField(
        _("qualified invoice registration number"), max_length=14
    )
    head_office_prefecture = models.CharField(
        _("head office prefecture"), max_length=2, choices=PREFECTURE_CHOICES
    )
    website = models.URLField(_("website"))
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("contact email"))
    focus_badges = models.ManyToManyField(
        Badge, blank=True, related_name="+", verbose_name=_("focus areas")
    )
    monthly_fee = models.PositiveIntegerField(_("monthly fee (yen, tax excluded)"))
    cycle = models.CharField(_("billing cycle"), max_length=16)
    terms_accepted_at = models.DateTimeField(_("program terms accepted"))
    language = models.CharField(_("language"), max_length=8, default="ja")
    message = models.TextField(_("message to the program staff"), blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    partner = models.OneToOneField(
        PartnerProfile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="application",
        verbose_name=_("partner"),
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.company_name


class ApplicationStepKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    INFO_REQUESTED = "info_requested", _("More information requested")
    ANSWERED = "answered", _("Answered by the applicant")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn by the applicant")


class ApplicationStep(models.Model):
    """One step of an application, shown to the applicant and to staff as its history."""

    application = models.ForeignKey(
        PartnerApplication,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("step"), max_length=16, choices=ApplicationStepKind.choices)
    text = models.TextField(_("text"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application} {self.kind}"


class ProgramExit(models.Model):
    """A partner leaving the program: it stays listed and billed until `leaves_on`."""

    partner = models.OneToOneField(
        PartnerProfile, on_delete=models.CASCADE, related_name="exit", verbose_name=_("partner")
    )
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    leaves_on = models.DateField(_("last day in the program"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("program exit")
        verbose_name_plural = _("program exits")

    def __str__(self) -> str:
        return f"{self.partner} {self.leaves_on}"
