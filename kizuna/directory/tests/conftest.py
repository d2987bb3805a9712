import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from kizuna.accounts.models import Organization
from kizuna.core import consumers
from kizuna.directory.models import SearchSynonym
from kizuna.partners.models import Badge
from kizuna.partners.services.achievements import (
    achievement_publish_summary,
    achievement_submit,
    achievement_verify,
)
from kizuna.partners.services.profiles import partner_create


@pytest.fixture(autouse=True)
def _catalog_and_index(db):
    """The badge catalog and the synonyms the data migrations seed, and an FTS5 table
    matching its content.

    A transactional test elsewhere may have flushed the tables; an external-content FTS5
    table is not flushed with them, so it is rebuilt from the (empty) entries here.
    """
    if not Badge.objects.exists():
        catalog = importlib.import_module(
            "kizuna.partners.migrations.0002_badge_catalog_and_points_table"
        )
        catalog.seed(django_apps, None)
    if not SearchSynonym.objects.exists():
        importlib.import_module("kizuna.directory.migrations.0009_seed_search_synonyms").seed(
            django_apps, None
        )
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


# Guilds: bob leads the guild; eve and frank are other partners (frank outside it unless
# invited).


@pytest.fixture
def frank(make_user):
    from kizuna.accounts import services as account_services

    user = make_user("frank@example.com", display_name="Frank")
    account_services.organization_create(
        actor=None, name="Frank Design", slug="frank-design", owner=user
    )
    return user


@pytest.fixture
def partners(make_partner, bob, eve, frank):
    return {
        "bob": make_partner("Bob Web Works", owner=bob, badges={"plugin_development": 3}),
        "eve": make_partner("Eve Commerce Lab", owner=eve, badges={"site_design": 1}),
        "frank": make_partner("Frank Design", owner=frank, badges={"site_design": 3}),
    }


@pytest.fixture
def accepted_slot(carol, bob, partners):
    from kizuna.directory.services import leads
    from kizuna.directory.tests.test_leads import project

    lead = leads.lead_create(merchant=carol, partners=[partners["bob"]], **project())
    lead.services.set(Badge.objects.filter(code__in=["plugin_development", "site_design"]))
    return leads.lead_accept(actor=bob, assignment=lead.assignments.get())


@pytest.fixture
def guild(bob, accepted_slot):
    from kizuna.directory.services import guilds

    return guilds.guild_create(actor=bob, assignment=accepted_slot, role="プラグイン開発")


def invite(bob, guild, partner, role="デザイン"):
    from kizuna.directory.services import guilds

    return guilds.guild_invite(
        actor=bob, proposal=guild, partner=partner, role=role, scope="トップとLP"
    )


@pytest.fixture
def proposed(bob, eve, guild, partners):
    from kizuna.directory.services import guilds, leads

    member = invite(bob, guild, partners["eve"])
    leads.lead_accept(actor=eve, assignment=member.assignment)
    return guilds.guild_propose(actor=bob, proposal=guild, pitch="二社で担当します")
