from datetime import date

import pytest
from django.core.exceptions import ValidationError

from kizuna.community import services
from kizuna.community.models import Affiliation, AffiliationSuggestion, SuggestionState
from kizuna.core.models import AuditEntry, OutboxEvent
from kizuna.partners.services.profiles import partner_create


@pytest.fixture
def taro(alice):
    return services.member_create(
        actor=alice,
        display_name="Taro",
        platform="github",
        handle="taro",
        email="taro@bobweb.example.jp",
    )


def last_event(type_):
    return OutboxEvent.objects.filter(type=type_).latest("id").payload


def test_adding_an_affiliation_emits_its_dates_and_is_audited(alice, bob_org, taro):
    affiliation = services.affiliation_add(
        actor=alice, member=taro, organization=bob_org, start_date=date(2025, 4, 1)
    )

    assert last_event("affiliation.added") == {
        "affiliation_id": affiliation.pk,
        "member_id": taro.pk,
        "organization_id": bob_org.pk,
        "before": None,
        "after": {"start_date": "2025-04-01", "end_date": None},
    }
    assert AuditEntry.objects.filter(action="affiliation.added").exists()


def test_ending_an_affiliation_emits_the_dates_before_and_after(alice, bob_org, taro):
    affiliation = services.affiliation_add(
        actor=alice, member=taro, organization=bob_org, start_date=date(2025, 4, 1)
    )

    services.affiliation_end(actor=alice, affiliation=affiliation, end_date=date(2026, 3, 31))

    assert last_event("affiliation.changed") == {
        "affiliation_id": affiliation.pk,
        "member_id": taro.pk,
        "organization_id": bob_org.pk,
        "before": {"start_date": "2025-04-01", "end_date": None},
        "after": {"start_date": "2025-04-01", "end_date": "2026-03-31"},
    }
    entry = AuditEntry.objects.get(action="affiliation.changed")
    assert entry.before == {"end_date": None}
    assert entry.after == {"end_date": "2026-03-31"}


def test_changing_only_the_title_emits_no_affiliation_event(alice, bob_org, taro):
    affiliation = services.affiliation_add(
        actor=alice, member=taro, organization=bob_org, start_date=date(2025, 4, 1)
    )

    services.affiliation_update(actor=alice, affiliation=affiliation, title="CTO")

    assert not OutboxEvent.objects.filter(type="affiliation.changed").exists()
    assert AuditEntry.objects.filter(action="affiliation.changed").exists()


def test_an_affiliation_cannot_end_before_it_starts(alice, bob_org, taro):
    affiliation = services.affiliation_add(
        actor=alice, member=taro, organization=bob_org, start_date=date(2025, 4, 1)
    )
    with pytest.raises(ValidationError):
        services.affiliation_end(actor=alice, affiliation=affiliation, end_date=date(2025, 1, 1))
    affiliation.refresh_from_db()
    assert affiliation.end_date is None


def test_removing_an_affiliation_emits_the_dates_it_had(alice, bob_org, taro):
    affiliation = services.affiliation_add(
        actor=alice,
        member=taro,
        organization=bob_org,
        start_date=date(2025, 4, 1),
        end_date=date(2025, 9, 30),
    )
    affiliation_id = affiliation.pk

    services.affiliation_remove(actor=alice, affiliation=affiliation)

    assert not Affiliation.objects.exists()
    payload = last_event("affiliation.removed")
    assert payload["affiliation_id"] == affiliation_id
    assert payload["before"] == {"start_date": "2025-04-01", "end_date": "2025-09-30"}
    assert payload["after"] is None


def test_a_verified_email_at_a_partners_domain_is_suggested_once(alice, bob_org, taro):
    partner_create(actor=None, organization=bob_org, website="https://www.bobweb.example.jp/")
    taro.identities.update(verified=True)
    services.member_create(
        actor=alice, display_name="Unverified", platform="slack", handle="u9",
        email="hanako@bobweb.example.jp",
    )  # fmt: skip

    assert services.affiliation_suggestions_refresh() == 1
    suggestion = AffiliationSuggestion.objects.get()
    assert (suggestion.member, suggestion.organization) == (taro, bob_org)
    assert suggestion.evidence == "taro@bobweb.example.jp"

    services.affiliation_suggestion_dismiss(actor=alice, suggestion=suggestion)
    assert services.affiliation_suggestions_refresh() == 0


def test_confirming_a_suggestion_adds_the_affiliation_and_its_event(alice, bob_org, taro):
    partner_create(actor=None, organization=bob_org, website="https://bobweb.example.jp")
    taro.identities.update(verified=True)
    services.affiliation_suggestions_refresh()
    suggestion = AffiliationSuggestion.objects.get()

    affiliation = services.affiliation_suggestion_confirm(
        actor=alice, suggestion=suggestion, start_date=date(2024, 10, 1)
    )

    suggestion.refresh_from_db()
    assert suggestion.state == SuggestionState.CONFIRMED
    assert suggestion.affiliation == affiliation
    assert last_event("affiliation.added")["after"]["start_date"] == "2024-10-01"
    with pytest.raises(ValidationError):
        services.affiliation_suggestion_dismiss(actor=alice, suggestion=suggestion)
    assert services.affiliation_suggestions_refresh() == 0


def test_a_partner_proposal_waits_for_staff_and_is_not_made_twice(alice, bob, bob_org, taro):
    suggestion = services.affiliation_propose(
        actor=bob, organization=bob_org, member=taro, start_date=date(2025, 1, 1)
    )
    assert not Affiliation.objects.exists()
    assert not OutboxEvent.objects.filter(type__startswith="affiliation.").exists()
    with pytest.raises(ValidationError):
        services.affiliation_propose(
            actor=bob, organization=bob_org, member=taro, start_date=date(2025, 1, 1)
        )

    services.affiliation_suggestion_confirm(actor=alice, suggestion=suggestion)

    assert Affiliation.objects.get().member == taro
