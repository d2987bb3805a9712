"""Demo people and partner organizations, with the five named personas first."""

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from kizuna.accounts.models import (
    AccountKind,
    ErasureRequest,
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    StaffRole,
    StaffRoleGrant,
    User,
)
from kizuna.accounts.services.invitations import INVITATION_VALID_FOR
from kizuna.accounts.services.tokens import new_token
from kizuna.core.seeding import DEMO_PASSWORD, DemoContext, company_name, person_name

# (email, name, staff role, kind, organization it owns)
PERSONAS = [
    ("alice@example.com", "Alice 管理者", StaffRole.ADMIN, AccountKind.MERCHANT, None),
    ("bob@example.com", "Bob 小川", "", AccountKind.MERCHANT, ("Bob Web Works", "bob-web-works")),
    ("carol@example.com", "Carol 中島", "", AccountKind.MERCHANT, None),
    ("dave@example.com", "Dave 大野", "", AccountKind.COMMUNITY_MEMBER, None),
    (
        "eve@example.com",
        "Eve 江藤",
        "",
        AccountKind.MERCHANT,
        ("イヴ・コマースラボ株式会社", "eve-commerce-lab"),
    ),
]
STAFF = [
    ("hanako.partners@example.com", "山田 花子", [StaffRole.PARTNER_MANAGER]),
    ("taro.community@example.com", "鈴木 太郎", [StaffRole.COMMUNITY_MANAGER, StaffRole.OUTREACH]),
    ("jiro.security@example.com", "佐藤 次郎", [StaffRole.SECURITY, StaffRole.INTEGRATIONS]),
]
BATCH = 2_000


def seed(ctx: DemoContext) -> None:
    # Hashing is deliberately slow; every generated person shares one demo password hash.
    password_hash = make_password(DEMO_PASSWORD)
    partners = _seed_personas(password_hash)
    partners += _seed_partner_organizations(ctx, password_hash)
    _seed_people(ctx, password_hash, AccountKind.MERCHANT, ctx.sizes["merchants"], "shop")
    _seed_people(ctx, password_hash, AccountKind.COMMUNITY_MEMBER, ctx.sizes["members"], "dev")
    ctx.shared["partner_organizations"] = partners
    _seed_self_service(partners[0])


def _seed_self_service(organization: Organization) -> None:
    """An open invitation on the first partner's members page, and an erasure request for
    staff to decide (no email is queued: the demo's links would lead nowhere)."""
    owner = organization.memberships.get(role=MembershipRole.OWNER).user
    now = timezone.now()
    Invitation.objects.create(
        organization=organization,
        email=f"new.colleague@{organization.slug}.example.jp",
        role=MembershipRole.MEMBER,
        language="ja",
        token_hash=new_token()[1],
        invited_by=owner,
        created_at=now,
        expires_at=now + INVITATION_VALID_FOR,
    )
    merchant = User.objects.filter(kind=AccountKind.MERCHANT, memberships__isnull=True).last()
    if merchant is not None:
        ErasureRequest.objects.create(
            user=merchant, email=merchant.email, reason="店を閉じたため、登録情報を消してください。"
        )


def _seed_personas(password_hash: str) -> list[Organization]:
    organizations = []
    for email, name, role, kind, owns in PERSONAS:
        user = User.objects.create(
            email=email,
            display_name=name,
            kind=kind,
            password=password_hash,
            is_superuser=role == StaffRole.ADMIN,
        )
        if role:
            StaffRoleGrant.objects.create(user=user, role=role)
        if owns:
            organization = Organization.objects.create(name=owns[0], slug=owns[1])
            Membership.objects.create(
                user=user, organization=organization, role=MembershipRole.OWNER
            )
            organizations.append(organization)
    for email, name, roles in STAFF:
        user = User.objects.create(email=email, display_name=name, password=password_hash)
        StaffRoleGrant.objects.bulk_create(StaffRoleGrant(user=user, role=role) for role in roles)
    return organizations


def _seed_partner_organizations(ctx: DemoContext, password_hash: str) -> list[Organization]:
    count = ctx.sizes["partners"]
    names = [company_name(ctx.rng, index) for index in range(count)]
    organizations = Organization.objects.bulk_create(
        [Organization(name=name, slug=slug) for name, slug in names], batch_size=BATCH
    )
    owners = User.objects.bulk_create(
        [
            User(
                email=f"{person_name(ctx.rng)[1]}@{organization.slug}.example.jp",
                display_name=person_name(ctx.rng)[0],
                password=password_hash,
            )
            for organization in ctx.track(organizations, "partner owners")
        ],
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=owner, organization=organization, role=MembershipRole.OWNER)
            for owner, organization in zip(owners, organizations, strict=True)
        ],
        batch_size=BATCH,
    )
    return organizations


def _seed_people(ctx: DemoContext, password_hash: str, kind: str, count: int, domain: str) -> None:
    people = []
    for index in ctx.track(range(count), f"{kind} accounts"):
        name, romaji = person_name(ctx.rng)
        people.append(
            User(
                email=f"{romaji}{index}@{domain}.example.jp",
                display_name=name,
                kind=kind,
                password=password_hash,
            )
        )
    User.objects.bulk_create(people, batch_size=BATCH)
