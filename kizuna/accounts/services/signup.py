"""Sign-up by email with a link that proves the address, and the consents given on the way.

An address that already has an account gets the same answer on the page as a new one, and
its owner an email instead of a link, so the form tells nobody who has an account.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kizuna.accounts.models import (
    AccountKind,
    Consent,
    EmailVerification,
    LegalDocument,
    User,
    VerificationPurpose,
)
from kizuna.accounts.selectors import current_legal_documents
from kizuna.accounts.services.tokens import new_token, token_hash
from kizuna.core import audit, ratelimit
from kizuna.core.errors import Conflict, ServiceError
from kizuna.core.events import emit
from kizuna.outreach.models import Topic
from kizuna.outreach.services import email_enqueue

VERIFICATION_VALID_FOR = timedelta(hours=24)
SIGNUP_LIMIT_PER_IP = ratelimit.Limit(capacity=10, per_seconds=3600)
SIGNUP_LIMIT_PER_EMAIL = ratelimit.Limit(capacity=3, per_seconds=3600)


def signup_attempt_register(*, email: str, ip: str) -> ratelimit.Decision:
    """Count a sign-up (or a visitor's request) against the client and the address."""
    by_ip = ratelimit.consume(f"signup:ip:{ip}", SIGNUP_LIMIT_PER_IP)
    by_email = ratelimit.consume(f"signup:email:{email.lower()}", SIGNUP_LIMIT_PER_EMAIL)
    if by_ip.allowed and by_email.allowed:
        return by_ip
    return max(by_ip, by_email, key=lambda decision: decision.retry_after_s)


def consent_record(
    *, user: User, documents: list[LegalDocument], now: datetime | None = None
) -> list[Consent]:
    now = now or timezone.now()
    with transaction.atomic():
        return [
            Consent.objects.get_or_create(
                user=user, document=document, defaults={"agreed_at": now}
            )[0]
            for document in documents
        ]


def email_verification_create(
    *,
    purpose: str,
    email: str,
    user: User | None = None,
    replace_open: bool = False,
    now: datetime | None = None,
) -> tuple[EmailVerification, str]:
    """A new single-use link for `email`; with `replace_open`, its earlier open links of the
    same purpose stop working (a second sign-up), otherwise they stay (a second request)."""
    now = now or timezone.now()
    plaintext, hashed = new_token()
    with transaction.atomic():
        if replace_open:
            EmailVerification.objects.filter(
                purpose=purpose, email=email, used_at__isnull=True
            ).update(used_at=now)
        verification = EmailVerification.objects.create(
            purpose=purpose,
            email=email,
            user=user,
            token_hash=hashed,
            created_at=now,
            expires_at=now + VERIFICATION_VALID_FOR,
        )
    return verification, plaintext


def email_verification_find(*, token: str, purpose: str) -> EmailVerification | None:
    """The verification behind a link, if it is still usable."""
    return (
        EmailVerification.objects.select_related("user")
        .filter(
            token_hash=token_hash(token),
            purpose=purpose,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


def email_verification_use(
    *, verification: EmailVerification, now: datetime | None = None
) -> EmailVerification:
    """Spend the link: a conditional UPDATE, so two clicks at once verify once."""
    now = now or timezone.now()
    with transaction.atomic():
        used = EmailVerification.objects.filter(
            pk=verification.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not used:
            raise Conflict(
                _("This link has expired or was already used."), code="verification_closed"
            )
    return verification


def _site() -> str:
    return settings.KIZUNA_ECOSYSTEM_NAME


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def signup_start(
    *,
    email: str,
    password: str,
    display_name: str,
    language: str,
    kind: str = AccountKind.MERCHANT,
    now: datetime | None = None,
) -> str:
    """Create the inactive account and email the link, or tell an existing owner by email.

    Returns the address written to, the same in both cases: so must the caller's answer be.
    """
    if kind not in (AccountKind.MERCHANT, AccountKind.COMMUNITY_MEMBER):
        raise ServiceError(_("Choose merchant or community member."), code="unknown_kind")
    documents = current_legal_documents()
    now = now or timezone.now()
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is not None and not _pending_signup(user):
            email_enqueue(
                to=user.email,
                topic=Topic.ACCOUNT,
                # One notice per day and address is enough, however often the form is tried.
                idempotency_key=f"accounts.signup_existing:{user.pk}:{now.date().isoformat()}",
                template="accounts/email/signup_existing",
                context={
                    "site": _site(),
                    "login_url": _absolute(reverse("accounts:login")),
                    "reset_url": _absolute(reverse("accounts:password_reset")),
                },
                language=user.language or language,
            )
            return email
        if user is None:
            user = User.objects.create_user(
                email,
                password,
                display_name=display_name,
                kind=kind,
                language=language,
                is_active=False,
            )
            emit("user.created", {"user_id": user.pk, "kind": kind, "staff_role": ""})
        else:
            # Signing up again before following the link: the newest details count.
            user.set_password(password)
            user.display_name, user.kind, user.language = display_name, kind, language
            user.save(update_fields=["password", "display_name", "kind", "language"])
        consent_record(user=user, documents=documents, now=now)
        verification, plaintext = email_verification_create(
            purpose=VerificationPurpose.SIGNUP, email=email, user=user, replace_open=True, now=now
        )
        email_enqueue(
            to=email,
            topic=Topic.ACCOUNT,
            idempotency_key=f"accounts.signup_verify:{verification.pk}",
            template="accounts/email/signup_verify",
            context={
                "site": _site(),
                "name": display_name,
                "url": _absolute(reverse("accounts:signup_verify", args=[plaintext])),
            },
            language=language,
            name=display_name,
        )
    return email


def _pending_signup(user: User) -> bool:
    """Signed up and never verified: the same person (or not) may sign up again."""
    return (
        not user.is_active
        and user.last_login is None
        and EmailVerification.objects.filter(
            user=user, purpose=VerificationPurpose.SIGNUP, used_at__isnull=True
        ).exists()
    )


def signup_verify(*, verification: EmailVerification, now: datetime | None = None) -> User:
    """Follow the link: the account becomes active and the address counts as verified."""
    with transaction.atomic():
        email_verification_use(verification=verification, now=now)
        user = verification.user
        assert user is not None, "sign-up verifications carry their account"
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(actor=user, action="user.email_verified", obj=user)
        emit("user.email_verified", {"user_id": user.pk, "kind": user.kind}, actor=user)
    return user


def merchant_for_verified_email(*, email: str, display_name: str, language: str) -> User:
    """The account behind an address just proven by a link (a visitor's request).

    A new person gets an active merchant account without a password; they choose one with
    the password reset flow when they want to sign in.
    """
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        if user is not None:
            if _pending_signup(user):
                user.is_active = True
                user.save(update_fields=["is_active"])
            return user
        user = User.objects.create_user(
            email, None, display_name=display_name, kind=AccountKind.MERCHANT, language=language
        )
        emit("user.created", {"user_id": user.pk, "kind": user.kind, "staff_role": ""})
        emit("user.email_verified", {"user_id": user.pk, "kind": user.kind}, actor=user)
    return user
