from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    ADMIN = "admin", _("Ecosystem admin")
    PARTNER_MANAGER = "partner_manager", _("Partner manager")
    COMMUNITY_MANAGER = "community_manager", _("Community manager")
    OUTREACH = "outreach", _("Outreach")
    INTEGRATIONS = "integrations", _("Integrations")
    SECURITY = "security", _("Security")


class AccountKind(models.TextChoices):
    """What a person who is neither staff nor in a partner organization came for."""

    MERCHANT = "merchant", _("Merchant")
    COMMUNITY_MEMBER = "community_member", _("Community member")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required")
        # staff_role="x" (one role) or staff_roles=[...]: roles are rows of StaffRoleGrant.
        roles = list(fields.pop("staff_roles", None) or [])  # type: ignore[call-overload]
        if role := fields.pop("staff_role", ""):
            roles.append(role)
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        StaffRoleGrant.objects.using(self._db).bulk_create(
            StaffRoleGrant(user=user, role=role) for role in dict.fromkeys(roles)
        )
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("staff_role", StaffRole.ADMIN)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    kind = models.CharField(
        _("account kind"), max_length=32, choices=AccountKind.choices, default=AccountKind.MERCHANT
    )
    # Blank: the site's default language.
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    @cached_property
    def staff_roles(self) -> frozenset[str]:
        """The staff roles this person holds (several may be held at once)."""
        return frozenset(self.staff_role_grants.values_list("role", flat=True))

    def has_staff_role(self, role: str) -> bool:
        """Whether this person holds `role`; an ecosystem admin holds every role."""
        return role in self.staff_roles or StaffRole.ADMIN in self.staff_roles

    def staff_roles_display(self) -> str:
        return ", ".join(
            str(label) for value, label in StaffRole.choices if value in self.staff_roles
        )

    @property
    def is_staff(self) -> bool:
        """Ecosystem staff; Django's admin site lets them in, model permissions decide more."""
        return bool(self.staff_roles)

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]


class StaffRoleGrant(models.Model):
    """One staff role held by one person; a person may hold several."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="staff_role_grants", verbose_name=_("user")
    )
    role = models.CharField(_("staff role"), max_length=32, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="staff_role_grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class OrganizationKind(models.TextChoices):
    PARTNER = "partner", _("Partner")
    OTHER = "other", _("Other")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=OrganizationKind.choices, default=OrganizationKind.PARTNER
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.user.is_active


class Invitation(models.Model):
    """An owner's invitation of a colleague into an organization, by email.

    Only the SHA-256 of the token is stored; the link in the email carries the token.
    """

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organization"),
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices)
    language = models.CharField(_("language"), max_length=8, blank=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization} ({self.role})"

    def is_open(self, now: object = None) -> bool:
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now  # type: ignore[operator]


class LegalDocumentKind(models.TextChoices):
    TERMS = "terms", _("Terms of use")
    PRIVACY = "privacy", _("Privacy policy")


class LegalDocument(models.Model):
    """One version of the terms or the privacy policy; the latest in force is the current one."""

    kind = models.CharField(_("document"), max_length=16, choices=LegalDocumentKind.choices)
    version = models.CharField(_("version"), max_length=32)
    body = models.TextField(_("text"))
    effective_at = models.DateTimeField(_("in force from"), default=timezone.now)

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["kind", "-effective_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version"], name="legal_document_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


class Consent(models.Model):
    """A person agreed to one version of a legal document, at a time."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="consents", verbose_name=_("user")
    )
    document = models.ForeignKey(
        LegalDocument, on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )
    agreed_at = models.DateTimeField(_("agreed at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="one_consent_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user} ✓ {self.document}"


class VerificationPurpose(models.TextChoices):
    SIGNUP = "signup", _("Sign-up")
    LEAD = "lead", _("Request from a visitor")


class EmailVerification(models.Model):
    """A single-use link sent to an address to prove the person reads it."""

    purpose = models.CharField(_("purpose"), max_length=16, choices=VerificationPurpose.choices)
    email = models.EmailField(_("email address"))
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("email verification")
        verbose_name_plural = _("email verifications")

    def __str__(self) -> str:
        return f"{self.purpose}: {self.email}"


class DataRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for staff")
    DONE = "done", _("Erased")
    REJECTED = "rejected", _("Rejected")


class ErasureRequest(models.Model):
    """A person asked for their personal data to be erased; staff confirm it."""

    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="erasure_requests",
        verbose_name=_("user"),
    )
    email = models.EmailField(_("email address"))
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DataRequestStatus.choices,
        default=DataRequestStatus.OPEN,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"
