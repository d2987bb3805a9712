"""Security advisories, the client sites partners look after, and who has read what.

An advisory is shared with the partners it targets before its public date (the embargo),
then published for everyone. Each targeted partner acknowledges it, and records for each of
its client sites on an affected version whether it is still exposed. Models follow CERT/CC
VINCE (vendor status shared before publication) and the OSV format (affected ranges).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kizuna.accounts.models import Organization
from kizuna.partners.models import Badge


class AdvisoryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHARED = "shared", _("Shared with partners (embargo)")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Severity(models.TextChoices):
    NONE = "none", pgettext_lazy("severity", "None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Targeting(models.TextChoices):
    ALL = "all", _("All partners")
    BADGES = "badges", _("Partners with given badges")
    SITES = "sites", _("Partners with a client site on an affected version")


class Advisory(models.Model):
    identifier = models.CharField(_("identifier"), max_length=40, unique=True)
    aliases = models.JSONField(_("aliases (CVE, JVN)"), default=list, blank=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    details_ja = models.TextField(_("details (Japanese)"))
    details_en = models.TextField(_("details (English)"))
    remediation_ja = models.TextField(_("remediation and workarounds (Japanese)"), blank=True)
    remediation_en = models.TextField(_("remediation and workarounds (English)"), blank=True)
    cvss_vector = models.CharField(_("CVSS vector"), max_length=200)
    cvss_score = models.DecimalField(_("CVSS score"), max_digits=3, decimal_places=1)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    # [{"package": "ec-cube", "introduced": "4.0.0", "fixed": "4.2.3"}]; "introduced": "0"
    # means every version before "fixed"; no "fixed" means no fix yet.
    affected = models.JSONField(_("affected product and plugins"), default=list)
    references = models.JSONField(_("references"), default=list, blank=True)
    credits = models.JSONField(_("credits"), default=list, blank=True)
    targeting = models.CharField(
        _("targeting"), max_length=16, choices=Targeting.choices, default=Targeting.ALL
    )
    target_badges = models.ManyToManyField(
        Badge, blank=True, related_name="+", verbose_name=_("target badges")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=AdvisoryState.choices, default=AdvisoryState.DRAFT
    )
    public_at = models.DateTimeField(_("public date"))
    shared_at = models.DateTimeField(_("shared with partners"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("last modified"), default=timezone.now)

    class Meta:
        verbose_name = _("security advisory")
        verbose_name_plural = _("security advisories")
        ordering = ["-public_at", "-id"]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"

    def _localized(self, field: str) -> str:
        english = (get_language() or "ja").startswith("en")
        return getattr(self, f"{field}_en" if english else f"{field}_ja")

    @property
    def title(self) -> str:
        return self._localized("title")

    @property
    def details(self) -> str:
        return self._localized("details")

    @property
    def remediation(self) -> str:
        return self._localized("remediation")

    @property
    def is_public(self) -> bool:
        return self.state == AdvisoryState.PUBLISHED

    @property
    def is_under_embargo(self) -> bool:
        return self.state == AdvisoryState.SHARED


class AdvisoryRevision(models.Model):
    """One entry of an advisory's revision history, as published in its OSV `modified`."""

    advisory = models.ForeignKey(
        Advisory, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("advisory")
    )
    number = models.PositiveIntegerField(_("number"))
    summary = models.CharField(_("what changed"), max_length=300)
    renotified = models.BooleanField(_("renotified"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("advisory revision")
        verbose_name_plural = _("advisory revisions")
        ordering = ["advisory", "number"]
        constraints = [
            models.UniqueConstraint(fields=["advisory", "number"], name="advisory_revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.advisory_id} r{self.number}"


class AdvisoryTarget(models.Model):
    """A partner an advisory was sent to, and whether it has acknowledged it."""

    advisory = models.ForeignKey(
        Advisory, on_delete=models.CASCADE, related_name="targets", verbose_name=_("advisory")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="advisory_targets",
        verbose_name=_("organization"),
    )
    notified_at = models.DateTimeField(_("notified at"), null=True, blank=True)
    notified_revision = models.PositiveIntegerField(_("notified revision"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    # The first moment the partner had acknowledged and had no site left open: its answer,
    # which earns security contribution points when it came by the deadline.
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("advisory target")
        verbose_name_plural = _("advisory targets")
        constraints = [
            models.UniqueConstraint(
                fields=["advisory", "organization"], name="advisory_target_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.advisory_id} → {self.organization_id}"


class AdvisoryView(models.Model):
    """Every read of an advisory under embargo: who saw it before the public did."""

    advisory = models.ForeignKey(
        Advisory, on_delete=models.CASCADE, related_name="views", verbose_name=_("advisory")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organization"),
    )
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now)

    class Meta:
        verbose_name = _("advisory view")
        verbose_name_plural = _("advisory views")

    def __str__(self) -> str:
        return f"{self.advisory_id} {self.user_id} {self.viewed_at:%Y-%m-%d %H:%M}"


class ClientSite(models.Model):
    """A site a partner looks after for a client: private to that partner (and staff).

    Kizuna never probes or scans these sites; the partner states what runs there.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="client_sites",
        verbose_name=_("organization"),
    )
    label = models.CharField(_("label"), max_length=120)
    url = models.URLField(_("URL"), blank=True)
    product_version = models.CharField(_("product version"), max_length=40)
    # [{"name": "coupon-plugin", "version": "1.2.0"}]
    plugins = models.JSONField(_("plugins"), default=list, blank=True)
    hosting_notes = models.TextField(_("hosting notes"), blank=True)
    external_id = models.CharField(_("external ID"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("client site")
        verbose_name_plural = _("client sites")
        ordering = ["organization", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "label"], name="client_site_label_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


class SiteState(models.TextChoices):
    AFFECTED = "affected", _("Affected")
    NOT_AFFECTED = "not_affected", _("Not affected")
    IN_PROGRESS = "in_progress", _("In progress")
    PATCHED = "patched", _("Patched")
    MITIGATED = "mitigated", _("Mitigated")


OPEN_SITE_STATES = (SiteState.AFFECTED, SiteState.IN_PROGRESS)


class SiteStatus(models.Model):
    """Where one client site stands on one advisory; each change is kept in its history."""

    advisory = models.ForeignKey(
        Advisory, on_delete=models.CASCADE, related_name="site_statuses", verbose_name=_("advisory")
    )
    site = models.ForeignKey(
        ClientSite, on_delete=models.CASCADE, related_name="statuses", verbose_name=_("site")
    )
    state = models.CharField(_("status"), max_length=16, choices=SiteState.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("site status")
        verbose_name_plural = _("site statuses")
        constraints = [
            models.UniqueConstraint(fields=["advisory", "site"], name="site_status_once")
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.state}"


class SiteStatusChange(models.Model):
    status = models.ForeignKey(
        SiteStatus, on_delete=models.CASCADE, related_name="history", verbose_name=_("status")
    )
    state = models.CharField(_("state"), max_length=16, choices=SiteState.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("site status change")
        verbose_name_plural = _("site status changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.status_id} {self.state}"


class VulnerabilityReport(models.Model):
    """A vulnerability reported to the vendor's security team through the public form."""

    name = models.CharField(_("your name"), max_length=120, blank=True)
    email = models.EmailField(_("email"))
    product = models.CharField(_("product or plugin, with version"), max_length=200)
    details = models.TextField(_("what you found"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        verbose_name = _("vulnerability report")
        verbose_name_plural = _("vulnerability reports")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.product} ({self.received_at:%Y-%m-%d})"
