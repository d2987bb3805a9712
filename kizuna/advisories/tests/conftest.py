import datetime as dt

import pytest
from django.utils import timezone

from kizuna.advisories import services
from kizuna.advisories.models import Targeting
from kizuna.partners.services.profiles import partner_create

XSS_VECTOR = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"


@pytest.fixture
def partners(bob_org, eve):
    eve_org = eve.memberships.get().organization
    partner_create(actor=bob_org.memberships.get().user, organization=bob_org)
    partner_create(actor=eve, organization=eve_org)
    return {"bob": bob_org, "eve": eve_org}


def advisory_fields(**overrides):
    fields = {
        "title_ja": "受注管理画面のクロスサイトスクリプティング",
        "title_en": "Cross-site scripting in the order admin",
        "details_ja": "管理画面の検索欄で入力がエスケープされません。",
        "details_en": "The search box of the order admin does not escape its input.",
        "remediation_ja": "4.2.3 に更新してください。",
        "remediation_en": "Update to 4.2.3.",
        "cvss_vector": XSS_VECTOR,
        "affected": [{"package": "ec-cube/ec-cube", "introduced": "4.0.0", "fixed": "4.2.3"}],
        "targeting": Targeting.SITES,
        "public_at": timezone.now() + dt.timedelta(days=7),
        "aliases": ["CVE-2026-10001"],
        "references": ["https://example.com/advisory"],
        "credits": ["山田太郎"],
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def bob_site(bob, partners):
    return services.client_site_save(
        actor=bob,
        organization=partners["bob"],
        fields={"label": "アパレルA社", "product_version": "4.2.1", "plugins": []},
    )


@pytest.fixture
def shared_advisory(alice, bob_site):
    advisory = services.advisory_create(actor=alice, fields=advisory_fields())
    return services.advisory_share(actor=alice, advisory=advisory)
