import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from kizuna.accounts.models import Organization
from kizuna.core import consumers
from kizuna.partners.models import Badge
from kizuna.partners.services.achievements import (
    achievement_publish_summary,
    achievement_submit,
    achievement_verify,
)
from kizuna.partners.services.profiles import partner_create


@pytest.fixture(autouse=True)
def _catalog_and_index(db):
    """The badge catalog the data migration seeds, and an FTS5 table matching its content.

    A transactional test elsewhere may have flushed the tables; an external-content FTS5
    table is not flushed with them, so it is rebuilt from the (empty) entries here.
    """
    if not Badge.objects.exists():
        catalog = importlib.import_module(
            "kizuna.partners.migrations.0002_badge_catalog_and_points_table"
        )
        catalog.seed(django_apps, None)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO directory_fts(directory_fts) VALUES('rebuild')")


@pytest.fixture
def make_partner(alice):
    """A partner with a profile and verified work for the given badges, indexed."""
    counter = iter(range(1, 10_000))

    def make(
        name: str,
        *,
        owner=None,
        badges: dict[str, int] | None = None,
        summaries: list[str] | None = None,
        **fields,
    ):
        n = next(counter)
        if owner is not None:
            organization = owner.memberships.get().organization
            if organization.name != name:
                organization.name = name
                organization.save(update_fields=["name"])
        else:
            organization = Organization.objects.create(name=name, slug=f"partner-{n}")
        fields.setdefault("head_office_prefecture", "13")
        fields.setdefault("contact_email", f"contact{n}@example.jp")
        partner = partner_create(actor=None, organization=organization, **fields)
        for code, count in (badges or {}).items():
            badge = Badge.objects.get(code=code)
            for i in range(count):
                achievement = achievement_submit(
                    actor=None,
                    partner=partner,
                    title=f"{code} {i}",
                    description="非公開の詳細",
                    badges=[badge],
                    completed_on=timezone.localdate() - timedelta(days=30 + i),
                    evidence_links=["https://example.com/case"],
                )
                achievement_verify(actor=alice, achievement=achievement)
        for summary in summaries or []:
            achievement = achievement_submit(
                actor=None,
                partner=partner,
                title="公開事例",
                description="非公開の詳細",
                badges=[Badge.objects.get(code="initial_setup")],
                completed_on=timezone.localdate() - timedelta(days=60),
                evidence_links=["https://example.com/case"],
            )
            achievement_verify(actor=alice, achievement=achievement)
            achievement_publish_summary(
                actor=None, achievement=achievement, public_summary=summary, publish=True
            )
        consumers.dispatch_all()
        return partner

    return make
