"""Community data: members and their identities, affiliations, groups, events, activities,
engagement levels.

A member is a person; an identity is one of their accounts on a platform. Activities arrive
from connectors in bulk (see ingest.py) and are unique on (source, external_id).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import Organization
from kizuna.core.prefectures import PREFECTURE_CHOICES


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class MemberQuerySet(models.QuerySet["Member"]):
    def current(self) -> "MemberQuerySet":
        """Members shown in lists: not merged into someone else."""
        return self.filter(merged_into__isnull=True)

    def countable(self) -> "MemberQuerySet":
        """Members whose activity counts in KPIs: bots, staff and erased people are left out."""
        return self.current().filter(is_bot=False, is_staff=False, erased_at__isnull=True)


class Member(models.Model):
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    name_ja = models.CharField(
        pgettext_lazy("person", "name (Japanese)"), max_length=200, blank=True
    )
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True)
    name_romaji = models.CharField(_("name (romaji)"), max_length=200, blank=True)
    prefecture = models.CharField(
        _("prefecture"), max_length=2, choices=PREFECTURE_CHOICES, blank=True
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="members", verbose_name=_("tags"))
    notes = models.TextField(_("staff notes"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_member",
        verbose_name=_("user account"),
    )
    is_bot = models.BooleanField(_("bot"), default=False)
    is_staff = models.BooleanField(_("staff"), default=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_members",
        verbose_name=_("merged into"),
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    # Normalized names, handles and emails for search (kizuna.core.text.normalize_ja).
    search_text = models.TextField(_("search text"), blank=True, default="")
    # Names with spacing, width and case removed, to suggest merges of the same person.
    name_key = models.CharField(_("name key"), max_length=200, blank=True, db_index=True)
    reading_key = models.CharField(_("reading key"), max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        if self.erased_at:
            return f"#{self.pk}"
        return self.name_ja or self.display_name or f"#{self.pk}"


class Identity(models.Model):
    """One account of a member on a platform. (platform, handle) names exactly one identity."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="identities", verbose_name=_("member")
    )
    platform = models.CharField(_("platform"), max_length=30)
    # Lower-cased; for platforms where people have no handle, the email address.
    handle = models.CharField(_("handle or id"), max_length=200)
    email = models.CharField(_("email"), max_length=254, blank=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(fields=["platform", "handle"], name="identity_unique_handle"),
            # A verified email belongs to one person on a platform.
            models.UniqueConstraint(
                fields=["platform", "email"],
                condition=Q(verified=True) & ~Q(email=""),
                name="identity_unique_verified_email",
            ),
        ]
        indexes = [models.Index(fields=["email"], name="identity_email")]

    def __str__(self) -> str:
        return f"{self.platform}:{self.handle}"


class IdentityName(models.Model):
    """A name an identity was seen under: people change the name on an account (a git
    author name from a short handle to the full name), and merge suggestions compare every
    one of them, not only the first."""

    identity = models.ForeignKey(
        Identity, on_delete=models.CASCADE, related_name="names", verbose_name=_("identity")
    )
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(_("name key"), max_length=200, db_index=True)
    reading_key = models.CharField(_("reading key"), max_length=200, blank=True, db_index=True)

    class Meta:
        verbose_name = _("name used")
        verbose_name_plural = _("names used")
        constraints = [
            models.UniqueConstraint(fields=["identity", "name_key"], name="identity_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class Affiliation(models.Model):
    """Employment history: a member works at an organization from a date, maybe until one."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="affiliations", verbose_name=_("member")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="community_affiliations",
        verbose_name=_("organization"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="affiliation_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.organization}"


class SuggestionSource(models.TextChoices):
    EMAIL_DOMAIN = "email_domain", _("Verified email at the organization's domain")
    PARTNER = "partner", _("Proposed by the organization")


class SuggestionState(models.TextChoices):
    PENDING = "pending", _("Waiting for staff")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class AffiliationSuggestion(models.Model):
    """Evidence that a member works at an organization, until staff confirm or dismiss it.

    Only a confirmed suggestion becomes an Affiliation, so everything that counts
    affiliations (a partner's contribution points) reads confirmed facts alone. A dismissed
    email-domain suggestion is kept so the same evidence is not suggested again.
    """

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )
    source = models.CharField(_("source"), max_length=20, choices=SuggestionSource.choices)
    evidence = models.CharField(
        pgettext_lazy("affiliation", "evidence"), max_length=300, blank=True
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    start_date = models.DateField(_("from"))
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=SuggestionState.choices,
        default=SuggestionState.PENDING,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    affiliation = models.ForeignKey(
        Affiliation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("affiliation"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("affiliation suggestion")
        verbose_name_plural = _("affiliation suggestions")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "organization"],
                condition=Q(state="pending"),
                name="affiliation_suggestion_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.member_id} @ {self.organization_id} ({self.state})"


class Group(models.Model):
    """A user group or regional chapter."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    prefecture = models.CharField(
        _("prefecture"), max_length=2, choices=PREFECTURE_CHOICES, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    # The organizers: members whose signed-in account may edit the group and its events.
    leaders = models.ManyToManyField(
        Member, blank=True, related_name="led_groups", verbose_name=_("organizers")
    )
    # Web pages of the group (connpass group, site, social accounts): a list of URLs.
    links = models.JSONField(_("links"), default=list, blank=True)
    search_text = models.TextField(_("search text"), blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    STUDY_SESSION = "study_session", _("Study session")
    MEETUP = "meetup", _("Meetup")
    CONFERENCE = "conference", _("Conference")
    WORKSHOP = "workshop", _("Workshop")


class EventFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class Event(models.Model):
    # Where the event came from, so a connector updates instead of duplicating it.
    source = models.CharField(_("source"), max_length=50, default="kizuna")
    external_id = models.CharField(_("external ID"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("organizing group"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.MEETUP
    )
    format = models.CharField(
        _("format"), max_length=20, choices=EventFormat.choices, default=EventFormat.IN_PERSON
    )
    staff_run = models.BooleanField(_("run by staff"), default=False)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    prefecture = models.CharField(
        _("prefecture"), max_length=2, choices=PREFECTURE_CHOICES, blank=True
    )
    online_url = models.URLField(_("online URL"), max_length=500, blank=True)
    url = models.URLField(_("event page"), max_length=500, blank=True)
    hashtag = models.CharField(_("hashtag"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    search_text = models.TextField(_("search text"), blank=True, default="")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="event_unique_external")
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceRole(models.TextChoices):
    ATTENDEE = "attendee", _("Attendee")
    SPEAKER = "speaker", _("Speaker")
    LIGHTNING_TALK = "lightning_talk", _("Lightning talk")
    ORGANIZER = "organizer", _("Organizer")
    STAFF = "staff", _("Staff")


class AttendanceStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("Waitlisted")
    ATTENDED = "attended", _("Attended")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


class Attendance(models.Model):
    """A member at an event. Whether it was their first time is derived (see selectors)."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("event")
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("member")
    )
    role = models.CharField(
        _("role"), max_length=20, choices=AttendanceRole.choices, default=AttendanceRole.ATTENDEE
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.REGISTERED,
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["event", "member"], name="attendance_once_per_event")
        ]
        indexes = [models.Index(fields=["member", "status"], name="attendance_member_status")]

    def __str__(self) -> str:
        return f"{self.member} @ {self.event}"


class ActivityType(models.Model):
    """A kind of activity, with the weight it counts for and whether it is 'output'."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name_ja = models.CharField(pgettext_lazy("activity type", "name (Japanese)"), max_length=100)
    name_en = models.CharField(pgettext_lazy("activity type", "name (English)"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    # Output: things a person made for others (talks, articles, answers, code).
    is_output = models.BooleanField(_("counts as output"), default=False)

    class Meta:
        ordering = ["key"]
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)


class Activity(models.Model):
    """Something a member did, once. Importing the same (source, external_id) again is a no-op.

    Its foreign keys have no database constraint (db_constraint=False). On PostgreSQL a
    constraint is a trigger and a locking lookup per inserted row and key: three quarters
    of the database's work in a bulk import (COPY of 300,000 rows: 6.1 s without them,
    16.7 s with). What they guaranteed is kept otherwise:
    - the ORM still cascades, protects and nulls on delete (Django does that itself);
    - the import reads identities, events and types with FOR KEY SHARE in the batch's
      transaction, so an erasure deleting an identity waits for the batch and then
      anonymizes its rows too (community.ingest, bulk_sql.select_in(lock=True));
    - members are never deleted: an erased member stays as an anonymous tombstone.
    """

    source = models.CharField(_("source"), max_length=50)
    external_id = models.CharField(_("external ID"), max_length=200)
    type = models.ForeignKey(
        ActivityType,
        to_field="key",
        db_column="type",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("type"),
    )
    # No index of its own: activity_member_time (member, occurred_at) serves every lookup
    # by member, and one index less is ~20% faster bulk inserts.
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,
        db_constraint=False,
        verbose_name=_("member"),
    )
    # Not indexed: only undoing a merge looks activities up by identity, and always
    # together with their member. One index less keeps bulk imports fast.
    identity = models.ForeignKey(
        Identity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        db_index=False,
        db_constraint=False,
        verbose_name=_("identity"),
    )
    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        db_index=False,
        db_constraint=False,
        verbose_name=_("event"),
    )
    occurred_at = models.DateTimeField(_("when"))
    url = models.CharField(_("URL"), max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    body = models.TextField(_("body"), blank=True)
    is_output = models.BooleanField(_("output"), default=False)
    # The external id (same source) of the activity this one answers or replies to: an
    # answer's question, a comment's issue. Time to first response reads it.
    reply_to_external_id = models.CharField(_("in reply to"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="activity_unique_external"
            )
        ]
        indexes = [
            models.Index(fields=["member", "occurred_at"], name="activity_member_time"),
            models.Index(fields=["event"], condition=Q(event__isnull=False), name="activity_event"),
            # Only replies are in it, so inserting other activities costs nothing extra.
            models.Index(
                fields=["source", "reply_to_external_id"],
                condition=~Q(reply_to_external_id=""),
                name="activity_reply_to",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type_id} {self.source}:{self.external_id}"


class MemberMerge(models.Model):
    """One merge of `merged` into `into`, with what moved, so it can be undone exactly."""

    into = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        related_name="merges_received",
        verbose_name=_("merged into"),
    )
    merged = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="merges_given", verbose_name=_("merged")
    )
    # {"identities": [ids], "activities": [ids], "attendances": [ids], "affiliations": [ids],
    #  "tags": [ids], "leads": [group ids], "user_id": id or None}
    moved = models.JSONField(_("moved"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("member merge")
        verbose_name_plural = _("member merges")

    def __str__(self) -> str:
        return f"#{self.merged_id} → #{self.into_id}"


class MergeSuggestionReason(models.TextChoices):
    SAME_VERIFIED_EMAIL = "same_verified_email", _("Same verified email")
    SAME_HANDLE = "same_handle", _("Same handle on different platforms")
    SIMILAR_NAME = "similar_name", _("Same name")


class MergeSuggestion(models.Model):
    """Two members who may be one person; a staff member merges them or says they are not."""

    member_a = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member A")
    )
    member_b = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member B")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=MergeSuggestionReason.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("merge suggestion")
        verbose_name_plural = _("merge suggestions")
        ordering = ["reason", "member_a_id"]
        constraints = [
            models.UniqueConstraint(fields=["member_a", "member_b"], name="suggestion_unique_pair"),
            models.CheckConstraint(
                condition=Q(member_a__lt=models.F("member_b")), name="suggestion_ordered_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.member_a_id} ≟ #{self.member_b_id}"


class NotSamePerson(models.Model):
    """A pair staff said are different people: never suggested for merging again."""

    member_a = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member A")
    )
    member_b = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member B")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pair marked as different people")
        verbose_name_plural = _("pairs marked as different people")
        constraints = [
            models.UniqueConstraint(fields=["member_a", "member_b"], name="not_same_unique_pair"),
            models.CheckConstraint(
                condition=Q(member_a__lt=models.F("member_b")), name="not_same_ordered_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.member_a_id} ≠ #{self.member_b_id}"


class ErasureBlock(models.Model):
    """SHA-256 of an erased person's identifiers, so no connector recreates them.

    Only the hash is kept: the list itself holds no personal data.
    """

    identifier_hash = models.CharField(_("identifier hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("erasure block")
        verbose_name_plural = _("erasure blocks")

    def __str__(self) -> str:
        return self.identifier_hash[:12]


class Level(models.IntegerChoices):
    LEADING = 1, _("Leading")
    CONTRIBUTING = 2, _("Contributing")
    PARTICIPATING = 3, _("Participating")
    EXPLORING = 4, _("Exploring")


class MemberLevel(models.Model):
    """A member's current engagement level (Orbit model: 1 is the closest to the core)."""

    member = models.OneToOneField(
        Member,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="engagement",
        verbose_name=_("member"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    since = models.DateField(_("since"))

    class Meta:
        # The table insights created before levels moved here; its rows stay where they are.
        verbose_name = _("member level")
        verbose_name_plural = _("member levels")
        db_table = "insights_memberlevel"
        indexes = [models.Index(fields=["level"], name="member_level_level")]

    def __str__(self) -> str:
        return f"#{self.member_id} L{self.level}"


class LevelSnapshot(models.Model):
    """Levels as they stood at the end of a month's review: the journey reads these."""

    month = models.DateField(_("month"))
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)

    class Meta:
        verbose_name = _("level snapshot")
        verbose_name_plural = _("level snapshots")
        db_table = "insights_levelsnapshot"
        constraints = [
            models.UniqueConstraint(fields=["month", "member"], name="level_snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.month} #{self.member_id} L{self.level}"


class ClaimStatus(models.TextChoices):
    OPEN = "open", _("Waiting for staff")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class MemberClaim(models.Model):
    """A signed-in person says a community identity (a GitHub or connpass handle) is theirs.

    Staff confirm it, which links that member to the person's account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="member_claims",
        verbose_name=_("user"),
    )
    platform = models.CharField(_("platform"), max_length=30)
    handle = models.CharField(_("handle"), max_length=200)
    note = models.TextField(_("how staff can check it"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("identity claim")
        verbose_name_plural = _("identity claims")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} → {self.platform}:{self.handle}"


def in_language(ja: str, en: str) -> str:
    """The text of the active language, or the other one when that one is blank."""
    if (get_language() or "ja").startswith("en"):
        return en or ja
    return ja or en


class ContestState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Announced")
    JUDGING = "judging", _("Judging")
    FINISHED = "finished", _("Results published")


class ContestEligibility(models.TextChoices):
    EVERYONE = "everyone", _("Every community member")
    INDIVIDUALS = "individuals", _("Members not affiliated with a partner")
    PARTNER_PEOPLE = "partner_people", _("Members affiliated with a partner")


class Contest(models.Model):
    """A community contest: announced by staff, entered by members, scored by judges.

    The texts people read come in Japanese and English; a page shows the one of its
    language, or the other when that one is blank (see `localized`).
    """

    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    theme_ja = models.TextField(_("theme (Japanese)"), blank=True)
    theme_en = models.TextField(_("theme (English)"), blank=True)
    rules_ja = models.TextField(_("rules (Japanese)"), blank=True)
    rules_en = models.TextField(_("rules (English)"), blank=True)
    prizes_ja = models.TextField(_("prizes (Japanese)"), blank=True)
    prizes_en = models.TextField(_("prizes (English)"), blank=True)
    entries_open_at = models.DateTimeField(_("entries open"))
    entries_close_at = models.DateTimeField(_("entries close"))
    eligibility = models.CharField(
        _("who may enter"),
        max_length=20,
        choices=ContestEligibility.choices,
        default=ContestEligibility.EVERYONE,
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ContestState.choices, default=ContestState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    judging_started_at = models.DateTimeField(_("judging started at"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True)

    class Meta:
        ordering = ["-entries_open_at", "-id"]
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        constraints = [
            models.CheckConstraint(
                condition=Q(entries_close_at__gt=models.F("entries_open_at")),
                name="contest_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title_ja

    def localized(self, field: str) -> str:
        """The Japanese or English text of a field, for the active language."""
        return in_language(getattr(self, f"{field}_ja"), getattr(self, f"{field}_en"))

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def theme(self) -> str:
        return self.localized("theme")

    @property
    def rules(self) -> str:
        return self.localized("rules")

    @property
    def prizes(self) -> str:
        return self.localized("prizes")


class ContestCriterion(models.Model):
    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("contest")
    )
    name_ja = models.CharField(_("criterion (Japanese)"), max_length=200)
    name_en = models.CharField(_("criterion (English)"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["contest", "position", "id"]
        verbose_name = _("judging criterion")
        verbose_name_plural = _("judging criteria")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="criterion_weight_positive")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_ja, self.name_en)


class ContestJudge(models.Model):
    """A person who scores the entries: a community member with an account, or staff."""

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="judges", verbose_name=_("contest")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contest_judgings",
        verbose_name=_("user"),
    )

    class Meta:
        ordering = ["contest", "id"]
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        constraints = [
            models.UniqueConstraint(fields=["contest", "user"], name="contest_judge_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.contest_id}"


class EntryKind(models.TextChoices):
    ARTICLE = "article", _("Article")
    REPOSITORY = "repository", _("Repository")
    VIDEO = "video", _("Video")


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    ACCEPTED = "accepted", pgettext_lazy("contest entry", "Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


LIVE_ENTRY_STATUSES = (EntryStatus.SUBMITTED, EntryStatus.ACCEPTED)


class ContestEntry(models.Model):
    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="entries", verbose_name=_("contest")
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="contest_entries", verbose_name=_("member")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), max_length=500)
    summary = models.TextField(_("summary"))
    status = models.CharField(
        _("status"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED
    )
    reason = models.TextField(_("reason"), blank=True)
    # The organizations the entrant was affiliated with on the day they entered: what
    # conflicts of interest are decided on, even if the affiliation changes later.
    organization_ids = models.JSONField(_("organization IDs"), default=list, blank=True)
    submitted_at = models.DateTimeField(pgettext_lazy("contest entry", "submitted"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # Filled when results are published. total: the weighted mean score out of 10.
    total = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(pgettext_lazy("contest", "rank"), null=True, blank=True)

    class Meta:
        ordering = ["contest", "submitted_at", "id"]
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "member"],
                condition=Q(status__in=["submitted", "accepted"]),
                name="contest_entry_one_live_per_member",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def activity_external_id(self) -> str:
        return f"entry-{self.pk}"


class ContestConflict(models.Model):
    """A judge who does not score an entry: they share an organization with its entrant."""

    entry = models.ForeignKey(
        ContestEntry, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("entry")
    )
    judge = models.ForeignKey(
        ContestJudge, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("judge")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge"], name="contest_conflict_once")
        ]

    def __str__(self) -> str:
        return f"{self.judge} ✕ {self.entry_id}"


SCORE_MAX = 10


class ContestScore(models.Model):
    entry = models.ForeignKey(
        ContestEntry, on_delete=models.CASCADE, related_name="scores", verbose_name=_("entry")
    )
    judge = models.ForeignKey(
        ContestJudge, on_delete=models.CASCADE, related_name="scores", verbose_name=_("judge")
    )
    criterion = models.ForeignKey(
        ContestCriterion, on_delete=models.CASCADE, related_name="+", verbose_name=_("criterion")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "judge", "criterion"], name="contest_score_once"
            ),
            models.CheckConstraint(condition=Q(score__lte=SCORE_MAX), name="contest_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}/{self.judge_id}/{self.criterion_id}: {self.score}"
