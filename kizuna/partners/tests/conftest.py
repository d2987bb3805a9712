from datetime import date, timedelta

import pytest
from django.utils import timezone

from kizuna.partners.models import Achievement, Badge
from kizuna.partners.services.achievements import achievement_submit, achievement_verify
from kizuna.partners.services.profiles import partner_create


@pytest.fixture
def bob_partner(bob, bob_org):
    return partner_create(
        actor=bob,
        organization=bob_org,
        summary="ECサイト構築のプロ集団",
        head_office_prefecture="13",
        contact_name="小川 ボブ",
        contact_email="contact@bob.example.jp",
    )


@pytest.fixture
def eve_partner(eve):
    return partner_create(
        actor=eve,
        organization=eve.memberships.get().organization,
        summary="越境ECが得意です",
        contact_name="江藤 イヴ",
    )


@pytest.fixture
def badge():
    return Badge.objects.get(code="plugin_development")


@pytest.fixture
def submit(badge):
    """Submit an achievement for a partner, claiming `badge` unless told otherwise."""

    def make(
        partner,
        *,
        actor=None,
        completed_on: date | None = None,
        badges=None,
        title="プラグイン開発案件",
    ) -> Achievement:
        return achievement_submit(
            actor=actor,
            partner=partner,
            title=title,
            description="非公開の案件詳細(顧客名: 株式会社ヒミツ)",
            badges=badges or [badge],
            completed_on=completed_on or timezone.localdate() - timedelta(days=30),
            evidence_links=["https://example.com/case"],
        )

    return make


@pytest.fixture
def verified(submit, alice):
    """A verified achievement of the partner: the way badges are earned."""

    def make(partner, **kwargs) -> Achievement:
        return achievement_verify(actor=alice, achievement=submit(partner, **kwargs))

    return make
