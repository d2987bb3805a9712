"""Demo advisories: one in each state, client sites for the partners, acknowledgments."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from kizuna.accounts.models import Organization, User
from kizuna.advisories import services
from kizuna.advisories.models import Advisory, SiteState, Targeting
from kizuna.core.seeding import DemoContext

VERSIONS = ["4.0.6", "4.1.2", "4.2.1", "4.2.3", "4.3.0"]
PLUGINS = ["coupon-plugin", "point-plus", "review-stars", "gift-wrapping"]
SITE_NAMES = ["アパレル", "食品", "雑貨", "化粧品", "家具", "ワイン"]

ADVISORIES = [
    {
        "state": "published",
        "days_ago": 40,
        "title_ja": "受注管理画面のクロスサイトスクリプティング",
        "title_en": "Cross-site scripting in the order admin",
        "details_ja": "受注管理画面の検索欄で入力値がエスケープされず、管理者のブラウザで任意のスクリプトが実行されるおそれがあります。",
        "details_en": "The search box of the order admin does not escape its input, so a crafted link can run script in an administrator's browser.",
        "remediation_ja": "4.2.3 以降に更新してください。更新できない場合は管理画面へのアクセスを IP アドレスで制限してください。",
        "remediation_en": "Update to 4.2.3 or later. If you cannot, restrict access to the admin by IP address.",
        "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
        "affected": [{"package": "ec-cube/ec-cube", "introduced": "4.0.0", "fixed": "4.2.3"}],
        "aliases": ["CVE-2026-41001", "JVN#41001001"],
    },
    {
        "state": "shared",
        "days_ago": 2,
        "title_ja": "クーポンプラグインの認可不備による割引の不正適用",
        "title_en": "Missing authorization in the coupon plugin lets anyone apply any discount",
        "details_ja": "クーポンプラグイン 1.3.0 未満では、ログインしていない利用者が非公開クーポンを適用できます。",
        "details_en": "Before 1.3.0 the coupon plugin lets visitors who are not signed in apply private coupons.",
        "remediation_ja": "クーポンプラグインを 1.3.0 に更新してください。",
        "remediation_en": "Update the coupon plugin to 1.3.0.",
        "cvss_vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:H/VA:N/SC:N/SI:N/SA:N",
        "affected": [{"package": "coupon-plugin", "introduced": "1.0.0", "fixed": "1.3.0"}],
        "aliases": [],
    },
    {
        "state": "draft",
        "days_ago": 0,
        "title_ja": "ポイントプラグインの SQL インジェクション（調査中）",
        "title_en": "SQL injection in the points plugin (under investigation)",
        "details_ja": "報告を受けて調査中です。",
        "details_en": "Reported; under investigation.",
        "remediation_ja": "",
        "remediation_en": "",
        "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "affected": [{"package": "point-plus", "introduced": "0", "fixed": ""}],
        "aliases": [],
    },
]


def seed(ctx: DemoContext) -> None:
    organizations: list[Organization] = ctx.shared["partner_organizations"][:12]
    _sites(ctx, organizations)
    staff = User.objects.filter(staff_role_grants__role="admin").order_by("pk").first()
    now = timezone.make_aware(datetime.combine(ctx.today, time(10, 0)))
    for spec in ctx.track(ADVISORIES, "advisories"):
        _advisory(ctx, spec, staff, now)


def _sites(ctx: DemoContext, organizations: list[Organization]) -> None:
    for organization in organizations:
        owner = organization.memberships.order_by("pk").first()
        for index in range(ctx.rng.randint(1, 3)):
            plugins = [
                {"name": name, "version": f"1.{ctx.rng.randint(0, 4)}.0"}
                for name in ctx.rng.sample(PLUGINS, 2)
            ]
            services.client_site_save(
                actor=owner.user if owner else None,
                organization=organization,
                fields={
                    "label": f"{ctx.rng.choice(SITE_NAMES)}EC {chr(65 + index)}",
                    "product_version": ctx.rng.choice(VERSIONS),
                    "plugins": plugins,
                },
            )


def _advisory(ctx: DemoContext, spec: dict, staff: User | None, now: datetime) -> Advisory:
    spec = dict(spec)
    state, days_ago = spec.pop("state"), spec.pop("days_ago")
    released = now - timedelta(days=days_ago)
    fields = spec | {
        "targeting": Targeting.SITES if state != "draft" else Targeting.ALL,
        "public_at": released + timedelta(days=7),
        "references": ["https://example.com/security"],
        "credits": ["山田 太郎"],
    }
    advisory = services.advisory_create(actor=staff, fields=fields)
    if state == "draft":
        return advisory
    services.advisory_share(actor=staff, advisory=advisory, now=released)
    Advisory.objects.filter(pk=advisory.pk).update(shared_at=released)
    advisory.refresh_from_db()
    if state == "published":
        services.advisory_publish(actor=staff, advisory=advisory, now=released + timedelta(days=7))
    _responses(ctx, advisory, released, now)
    return advisory


def _responses(ctx: DemoContext, advisory: Advisory, released: datetime, now: datetime) -> None:
    """Most partners acknowledged within days; some patched their sites, some did not yet."""
    for target in advisory.targets.select_related("organization"):
        if ctx.rng.random() < 0.75:
            services.advisory_acknowledge(
                actor=None, target=target, now=released + timedelta(hours=ctx.rng.randint(2, 60))
            )
        member = target.organization.memberships.order_by("pk").first()
        for site in services.affected_sites(advisory, target.organization):
            if ctx.rng.random() < 0.6:
                services.site_status_set(
                    actor=member.user if member else None,
                    advisory=advisory,
                    site=site,
                    state=ctx.rng.choice(
                        [SiteState.PATCHED, SiteState.PATCHED, SiteState.MITIGATED]
                    ),
                    on=min(now, released + timedelta(days=ctx.rng.randint(1, 10))).date(),
                )
